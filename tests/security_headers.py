"""`header_problems(url, response)`: what a response lacks of the security headers (consult/core/headers.py), and
for a page, the inline tags the Content-Security-Policy would refuse. Used by tests/core/test_security_headers.py
and by the sweep of every page in tests/core/test_rendering_queries.py."""
from __future__ import annotations

import re

from consult.core.headers import FILE_POLICY, PAGE_POLICY, PDF_POLICY

ALWAYS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin",
          "Cross-Origin-Opener-Policy": "same-origin"}
NONCE = re.compile(r"'nonce-([A-Za-z0-9_-]{22})'")
INLINE = re.compile(r"<(style|script)\b([^>]*)>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]*\sstyle\s*=", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"<[^>]*\son[a-z]+\s*=", re.IGNORECASE)

# Files a view may declare the same for everyone (`send_export(private=False)`): never a page.
PUBLIC_FILES = re.compile(r"/surveys/\d+/print\.pdf$|/plan/fiches/\d+/file\.(pdf|odt)$|/plan/import/template\.\w+$")


def nonce_of(response) -> str | None:
    found = NONCE.search(response.headers.get("Content-Security-Policy", ""))
    return found.group(1) if found else None


def header_problems(url: str, response, *, logged_in: bool) -> list[str]:
    """What is missing or wrong in this response's headers (and, for a page, in its inline tags); [] if nothing."""
    headers, problems = response.headers, []
    for name, value in ALWAYS.items():
        if headers.get(name) != value:
            problems.append(f"{name}: {headers.get(name)!r}")
    if "camera=()" not in headers.get("Permissions-Policy", ""):
        problems.append("Permissions-Policy")
    policy = headers.get("Content-Security-Policy", "")
    if response.mimetype == "text/html":
        nonce = nonce_of(response)
        if not nonce or policy != PAGE_POLICY.format(nonce=nonce):
            problems.append(f"page policy: {policy!r}")
        else:
            problems += page_problems(response.get_data(as_text=True), nonce)
    elif policy != (PDF_POLICY if response.mimetype == "application/pdf" else FILE_POLICY):
        problems.append(f"file policy: {policy!r}")
    caching = headers.get("Cache-Control", "")
    if url.startswith("/static/"):
        pass  # the app's own files, revalidated by Flask
    elif url.startswith("/api/") and not logged_in and response.status_code in (200, 304):
        if caching != "no-cache":
            problems.append(f"open data: Cache-Control {caching!r}")
    elif caching == "public, no-cache" and PUBLIC_FILES.search(url.split("?")[0]):
        pass  # the same file for everyone: a published fiche, an open survey's blank questionnaire, a template
    elif caching != "no-store" and not caching.startswith("private"):
        problems.append(f"Cache-Control {caching!r}")
    if "Strict-Transport-Security" in headers:
        problems.append("HSTS outside production")
    return problems


def page_problems(html: str, nonce: str) -> list[str]:
    """Inline <style>/<script> without this response's nonce, style="" or on…="" attributes: the policy refuses
    them all, so the page would lose its look or its behaviour in a browser."""
    problems = [f"<{tag}{attributes}>" for tag, attributes in INLINE.findall(html)
                if "src=" not in attributes and f'nonce="{nonce}"' not in attributes]
    problems += [match.group(0)[:80] for pattern in (STYLE_ATTRIBUTE, EVENT_ATTRIBUTE)
                 for match in pattern.finditer(html)]
    return problems
