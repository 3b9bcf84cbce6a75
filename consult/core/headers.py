"""Security headers on every response (pages, errors, files, the API): a strict Content-Security-Policy with a
nonce per request, no framing, no MIME sniffing, a short referrer, no powerful browser features, HSTS in
production, and `Cache-Control: no-store` on everything that may show a person's data.

The caching rule, by exception so that a new page is private until someone decides otherwise: every response
is `no-store` — a logged-in person's pages carry their name and often contact details, answering pages carry
health answers, forms carry what was typed, files are exports — except
- the static files (`/static/…`: Flask's own revalidation),
- the open-data API read without a session (`/api/…`, GET or HEAD, 200 or 304): public data, `no-cache` so
  that its ETag is checked each time,
- a response whose view already chose `no-store` or a `private` rule (personal calendar feeds are
  `private, no-cache`, for calendar apps that must keep them), or `public` (a file that is the same for
  everyone: a published fiche, a blank paper questionnaire; `send_export(private=False)`).
"""
from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, has_request_context, request, session

from consult.errors import wants_problem_json

NONCE_BYTES = 16
# HTML: only the app's own files, inline <style>/<script> only with this request's nonce (the print pages),
# no plugin, no <base>, forms post only here, never inside someone else's frame.
PAGE_POLICY = "; ".join((
    "default-src 'none'",
    "script-src 'self' 'nonce-{nonce}'",
    "style-src 'self' 'nonce-{nonce}'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "manifest-src 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "object-src 'none'",
))
# Anything else (JSON, spreadsheets, calendars, CSS, scripts) loads nothing and is never framed.
FILE_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# A PDF opened in the browser: Chrome's viewer is a page of its own that `default-src`/`object-src` would
# blank (crbug.com/271452), so only the framing rule.
PDF_POLICY = "frame-ancestors 'none'"
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in (
    "accelerometer", "autoplay", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
    "microphone", "midi", "payment", "publickey-credentials-get", "screen-wake-lock", "usb",
    "xr-spatial-tracking",
))
FIXED_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",  # addresses may hold tokens or a survey's id: never sent to other sites
    "Permissions-Policy": PERMISSIONS_POLICY,
    "Cross-Origin-Opener-Policy": "same-origin",
}


def csp_nonce() -> str:
    """This request's nonce for an inline <style> or <script> (`nonce="{{ csp_nonce() }}"`); empty outside a
    request (a PDF built by a background job has no policy to satisfy)."""
    if not has_request_context():
        return ""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(NONCE_BYTES)
    return g.csp_nonce


def content_security_policy(response: Response) -> str:
    """The policy for this response's kind of content."""
    if response.mimetype == "text/html":
        return PAGE_POLICY.format(nonce=csp_nonce())
    if response.mimetype == "application/pdf":
        return PDF_POLICY
    return FILE_POLICY


def may_be_stored(response: Response) -> bool:
    """Whether the response escapes the no-store rule (see the module's docstring)."""
    if request.endpoint == "static":
        return True
    chosen = response.headers.get("Cache-Control", "")
    if "no-store" in chosen or "private" in chosen or "public" in chosen:
        return True  # the view decided: private calendar feeds, public files (send_export(private=False))
    # The session's key, not current_user: no database read here, even after a failed transaction.
    return (wants_problem_json() and request.method in ("GET", "HEAD") and response.status_code in (200, 304)
            and "_user_id" not in session)


def add_security_headers(response: Response) -> Response:
    """The headers of every response; a view's own Referrer-Policy (a stricter one) is kept.

    The names already there are read once: Werkzeug's `setdefault` and `[]=` each walk every header, lowering
    each name (~230 lowerings for a redirect's 8 headers), more than the rest of this function."""
    headers = response.headers
    present = {name.lower() for name in headers.keys()}
    _put(headers, present, "Content-Security-Policy", content_security_policy(response))
    for name, value in FIXED_HEADERS.items():
        if name.lower() not in present:
            headers.add(name, value)
    max_age = current_app.config.get("HSTS_MAX_AGE") or 0
    if max_age > 0:
        # No includeSubDomains: the operator's other sites under the same domain are not ours to decide.
        _put(headers, present, "Strict-Transport-Security", f"max-age={max_age}")
    if not may_be_stored(response):
        _put(headers, present, "Cache-Control", "no-store")
    elif "cache-control" not in present and wants_problem_json() and request.endpoint != "static":
        headers.add("Cache-Control", "no-cache")
    return response


def _put(headers, present: set[str], name: str, value: str) -> None:
    """`headers[name] = value`, without looking for the name when it is not there."""
    if name.lower() in present:
        headers[name] = value
    else:
        headers.add(name, value)


def init_headers(app: Flask) -> None:
    """Add the headers to every response, errors included, and `csp_nonce()` to the templates."""
    app.after_request(add_security_headers)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
