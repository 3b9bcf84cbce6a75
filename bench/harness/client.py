"""A person's browser over HTTP (cookies, one kept-alive connection, forms read from the page), and the
respondent who fills the whole questionnaire the way a person would: every page, every question shown."""
from __future__ import annotations

import http.client
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    action: str
    classes: str = ""
    hidden: list[tuple[str, str]] = field(default_factory=list)
    radios: dict[str, list[str]] = field(default_factory=dict)
    checkboxes: dict[str, list[str]] = field(default_factory=dict)
    selects: dict[str, list[str]] = field(default_factory=dict)
    ranking: list[str] = field(default_factory=list)
    texts: list[tuple[str, str]] = field(default_factory=list)  # (name, inputmode)
    textareas: list[str] = field(default_factory=list)


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.select: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = {key: value or "" for key, value in attrs}
        if tag == "form":
            self.forms.append(Form(action=attrs.get("action", ""), classes=attrs.get("class", "")))
            return
        if not self.forms:
            return
        form, name = self.forms[-1], attrs.get("name", "")
        kind = attrs.get("type", "text")
        if tag == "input" and name:
            if kind == "hidden":
                form.hidden.append((name, attrs.get("value", "")))
            elif kind == "radio":
                form.radios.setdefault(name, []).append(attrs.get("value", ""))
            elif kind == "checkbox":
                form.checkboxes.setdefault(name, []).append(attrs.get("value", ""))
            elif kind in {"text", "number", "date", "email"}:
                form.texts.append((name, attrs.get("inputmode", kind)))
        elif tag == "textarea" and name:
            form.textareas.append(name)
        elif tag == "select" and name:
            self.select = name
            form.selects[name] = []
            if "ranking-select" in attrs.get("class", ""):
                form.ranking.append(name)
        elif tag == "option" and self.select is not None:
            form.selects[self.select].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None


def forms_of(page: bytes) -> list[Form]:
    parser = _FormParser()
    parser.feed(page.decode("utf-8", "replace"))
    return parser.forms


class Browser:
    """Cookies kept, redirects not followed, one connection kept alive (opened again when the server closes it)."""

    def __init__(self, port: int, timeout: float = 600):
        self.port, self.timeout = port, timeout
        self.cookies: dict[str, str] = {}
        self.connection: http.client.HTTPConnection | None = None
        self.requests = 0

    def _connection(self) -> http.client.HTTPConnection:
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        return self.connection

    def open(self, method: str, path: str, body: list | dict | None = None) -> http.client.HTTPResponse:
        """Send a request and return the response, body unread (for timing a streamed download)."""
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())} if self.cookies else {}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        for attempt in (1, 2):
            try:
                self._connection().request(method, path, body=data, headers=headers)
                response = self._connection().getresponse()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.close()
                if attempt == 2:
                    raise
        self.requests += 1
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key] = rest.split(";", 1)[0]
        return response

    def request(self, method: str, path: str, body: list | dict | None = None) -> tuple[int, str, bytes]:
        """(status, Location header, body)."""
        response = self.open(method, path, body)
        content = response.read()
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        return response.status, response.getheader("Location", ""), content

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def login(self, email: str, password: str) -> None:
        status, _location, page = self.request("GET", "/account/login")
        token = _csrf(page)
        status, location, _page = self.request("POST", "/account/login",
                                               {"csrf_token": token, "email": email, "password": password})
        if status != 302:
            raise RuntimeError(f"login of {email} refused ({status})")

    def csrf_token(self, path: str) -> str:
        status, _location, page = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        return _csrf(page)


def _csrf(page: bytes) -> str:
    found = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    if found is None:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1).decode()


def timed_download(browser: Browser, path: str, *, limit: float) -> dict:
    """GET `path` and read it whole: status, bytes, seconds to the first byte of the body and to the last.
    Past `limit` seconds (to the end) the download is abandoned: status "timeout", seconds = limit."""
    started = time.perf_counter()
    first_byte = None
    size = 0
    browser.close()
    browser.timeout = limit
    try:
        response = browser.open("GET", path)
        while True:
            if time.perf_counter() - started > limit:
                raise TimeoutError
            chunk = response.read1(1 << 16)
            if first_byte is None:
                first_byte = time.perf_counter() - started
            if not chunk:
                break
            size += len(chunk)
        status = response.status
    except (TimeoutError, OSError):
        status = "timeout"
    total = min(time.perf_counter() - started, limit) if status != "timeout" else limit
    browser.close()
    return {"status": status, "bytes": size, "first_byte_s": limit if first_byte is None else first_byte,
            "seconds": total}


# --- the respondent -------------------------------------------------------------------------------------------

LONG_TEXT = "Un bus vers l'hôpital de Moissac le samedi matin, et plus de médecins à Castelsarrasin."


def fill(form: Form, variant: int) -> list[tuple[str, str]]:
    """Answers to every question of the page: first choice of each radio group (so follow-up questions
    appear), two choices of each checkbox list, ranks 1, 2, 3… to the first items of a ranking, a commune
    that changes from one respondent to the next, a number, a sentence; never "other"."""
    fields = [(name, value) for name, value in form.hidden]
    for name, values in form.radios.items():
        fields.append((name, values[0]))
    for name, values in form.checkboxes.items():
        fields += [(name, value) for value in [v for v in values if v != "autre"][:2]]
    for name, values in form.selects.items():
        choices = [v for v in values if v not in ("", "autre")]
        if name in form.ranking:
            position = form.ranking.index(name)
            ranks = [v for v in values if v]
            fields.append((name, ranks[position] if position < len(ranks) else ""))
        elif choices:
            fields.append((name, choices[variant % len(choices)]))
    for name, mode in form.texts:
        if name.endswith("-other"):
            continue
        fields.append((name, {"numeric": "3", "decimal": "3", "date": "1984-05-12"}.get(mode, "Moissac")))
    fields += [(name, LONG_TEXT) for name in form.textareas]
    return fields + [("action", "next")]


def _survey_form(page: bytes, action_part: str) -> Form:
    for form in forms_of(page):
        if action_part in form.action:
            return form
    raise RuntimeError(f"no form posting to …{action_part} on the page")


def respond(browser: Browser, base: str, variant: int) -> int:
    """Answer the whole questionnaire at `base` (/t/<slug>/surveys/<id>) as a new person; the requests it took."""
    before = browser.requests
    status, _location, page = browser.request("GET", f"{base}/")
    status, location, _page = browser.request("POST", f"{base}/start", {"csrf_token": _csrf(page)})
    if status != 302:
        raise RuntimeError(f"start refused: {status}")
    for _step in range(60):
        path = urllib.parse.urlsplit(location).path
        status, location, page = browser.request("GET", location)
        if path.endswith("/thanks"):
            if status != 200:
                raise RuntimeError(f"thanks page: {status}")
            return browser.requests - before
        if path.endswith("/review"):
            form = _survey_form(page, "/submit")
            status, location, page = browser.request("POST", form.action, form.hidden)
            if status != 302:
                raise RuntimeError(f"submit refused: {status}")
            continue
        if status != 200:
            raise RuntimeError(f"GET {path}: {status}")
        form = _survey_form(page, "/page/")
        for _again in range(3):  # a follow-up question may appear on the same page: it is answered too
            status, location, page = browser.request("POST", form.action, fill(form, variant))
            if status == 302:
                break
            form = _survey_form(page, "/page/")
        else:
            raise RuntimeError(f"page {path} never accepted")
    raise RuntimeError("the questionnaire never ended")
