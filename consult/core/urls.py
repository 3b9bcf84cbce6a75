"""URL helpers: safe redirects and absolute links for emails."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import current_app, url_for


def is_safe_next(target: str | None) -> bool:
    """Only a path on this site: no scheme, no host, no protocol-relative or backslash trick."""
    if not target or not target.startswith("/"):
        return False
    if target.startswith("//") or target.startswith("/\\") or "\\" in target:
        return False
    if any(ord(ch) < 32 for ch in target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def external_url(endpoint: str, **values) -> str:
    """An absolute URL built on SITE_URL, for links sent by email."""
    path = url_for(endpoint, **values)
    return current_app.config["SITE_URL"] + path
