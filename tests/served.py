"""An app served by gunicorn in its own processes, and a browser that talks to it over HTTP.

The Flask test client keeps the test's app context around each request; a real server does not, so
what a streamed body or an access log does is only seen here.
"""
from __future__ import annotations

import http.client
import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A loopback port nothing listens on (the OS picked it, then it was closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def http_request(port: int, method: str, path: str, *, body: dict | None = None, headers: dict | None = None,
                 timeout: float = 8) -> tuple[int, dict, bytes]:
    """One request to 127.0.0.1:`port` (form-encoded `body`); (status, headers with lower-case names, body)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = dict(headers or {})
    data = None
    if body is not None:
        data = urllib.parse.urlencode(body, doseq=True)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=data, headers=headers)
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


class Browser:
    """A person's visits over HTTP: cookies kept, redirects not followed, pages in `language`."""

    def __init__(self, port: int, *, language: str = "en", timeout: float = 60):
        self.port, self.timeout = port, timeout
        self.cookies = {"consult_lang": language}

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            connection.request(method, path, body=data, headers=headers)
            response = connection.getresponse()
            for name, value in response.getheaders():
                if name.lower() == "set-cookie":
                    key, _, rest = value.partition("=")
                    self.cookies[key] = rest.split(";", 1)[0]
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def csrf_token(self, path: str) -> str:
        """The CSRF token of the form on the page at `path`, as a person's browser would send it."""
        status, _, page = self.request("GET", path)
        assert status == 200, (path, status)
        return re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page).group(1).decode()

    def post_form(self, page: str, action: str, fields: dict) -> tuple[int, dict, bytes]:
        """Open `page` and post its form to `action` with the page's CSRF token."""
        return self.request("POST", action, {"csrf_token": self.csrf_token(page), **fields})

    def log_in(self, email: str, password: str) -> None:
        status, _, page = self.post_form("/account/login", "/account/login", {"email": email, "password": password})
        assert status == 302, page[:500]


@contextmanager
def gunicorn(target: str, log: Path, *, env: dict, workers: int = 1, access_log: Path | None = None
             ) -> Iterator[int]:
    """`gunicorn target` with sync workers on a free loopback port, its output in `log`; yields the port
    once /healthz answers 200, then stops the server."""
    port = free_port()
    command = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
               "--timeout", "120", "--chdir", str(ROOT)]
    if access_log is not None:
        command += ["--access-logfile", str(access_log)]
    with log.open("wb") as output:
        server = subprocess.Popen([*command, target], env={**os.environ, "CONSULT_ENV": "testing", **env},
                                  stdout=output, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if http_request(port, "GET", "/healthz", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.1)
        yield port
    finally:
        server.terminate()
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(20)
