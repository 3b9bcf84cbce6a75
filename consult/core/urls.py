"""URL helpers: safe redirects and absolute links for emails."""
from __future__ import annotations

import unicodedata
from urllib.parse import urlsplit

from flask import current_app, request, url_for


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash trick."""
    if not target or not target.startswith("/"):
        return False
    if target.startswith("//") or target.startswith("/\\") or "\\" in target:
        return False
    if any(unicodedata.category(ch) == "Cc" for ch in target):  # NUL, CR, LF, DEL…
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def local_referrer() -> str | None:
    """The path of the page that sent this request, when it is a page of this site."""
    referrer = request.referrer
    if not referrer:
        return None
    parts = urlsplit(referrer)
    if parts.netloc != request.host:
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    return path if is_safe_next(path) else None


def external_url(endpoint: str, **values) -> str:
    """An absolute URL built on SITE_URL, for links sent by email."""
    path = url_for(endpoint, **values)
    return current_app.config["SITE_URL"] + path
