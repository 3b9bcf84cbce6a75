"""What every answer of the open-data API shares: the licence, JSON bodies with an ETag (304 on If-None-Match),
link-based pagination bounded by `?page=` / `?per_page=`, and CORS for GET."""
from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask import Response, request, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from consult.extensions import db

LICENSE = {
    "name": "Licence Ouverte / Open Licence 2.0",
    "spdx": "etalab-2.0",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}
PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 10**6  # beyond it a page number can only be a mistake (and would overflow OFFSET on some databases)
JSON_MIMETYPE = "application/json"
CORS_HEADERS = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET, HEAD, OPTIONS",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, If-None-Match",
    "Access-Control-Expose-Headers": "ETag, Link",
    "Access-Control-Max-Age": "86400",
}


class BadParameter(Exception):
    """A query parameter the API cannot read; answered as a 400 problem naming it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _bounded_int(name: str, default: int, upper: int) -> int:
    raw = request.args.get(name)
    if raw is None:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 9 or not 1 <= int(raw) <= upper:
        raise BadParameter(_("The parameter “%(name)s” must be a whole number from 1 to %(upper)d.",
                             name=name, upper=upper))
    return int(raw)


@dataclass
class Page:
    """One page of a listing: its items (already serialised) and where the other pages are."""

    items: list
    number: int
    per_page: int
    total: int

    @property
    def last(self) -> int:
        return max(1, math.ceil(self.total / self.per_page))

    def links(self, endpoint: str, values: dict) -> dict[str, str]:
        """self, first, last, and prev / next when they exist (absolute URLs keeping per_page)."""
        def at(number: int) -> str:
            return url_for(endpoint, **values, page=number, per_page=self.per_page, _external=True)

        found = {"self": at(self.number), "first": at(1), "last": at(self.last)}
        if self.number > 1:
            found["prev"] = at(min(self.number - 1, self.last))
        if self.number < self.last:
            found["next"] = at(self.number + 1)
        return found


def paginate(statement: Select, serialise: Callable[[list], list], *,
             visible: Callable[[object], bool] = lambda _item: True) -> Page:
    """The page `?page=` of `statement`'s rows (`?per_page=` of them, at most MAX_PER_PAGE), serialised together
    (`serialise` takes the page's rows and returns their JSON values, so that it can count in one query).

    `visible` is the capability's own predicate for an anonymous visitor: the statement already keeps only
    what it allows; a row it refuses all the same is left out rather than shown. Raises BadParameter."""
    number = _bounded_int("page", 1, MAX_PAGE)
    per_page = _bounded_int("per_page", PER_PAGE, MAX_PER_PAGE)
    total = db.session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    rows = db.session.scalars(statement.limit(per_page).offset((number - 1) * per_page)).all()
    return Page(serialise([row for row in rows if visible(row)]), number, per_page, total)


def paginate_list(items: Sequence, serialise: Callable) -> Page:
    """The same for a short list already loaded (e.g. a contract's axes); `serialise` takes one item."""
    number = _bounded_int("page", 1, MAX_PAGE)
    per_page = _bounded_int("per_page", PER_PAGE, MAX_PER_PAGE)
    chosen = items[(number - 1) * per_page:number * per_page]
    return Page([serialise(item) for item in chosen], number, per_page, len(items))


def each(serialise: Callable) -> Callable[[list], list]:
    """`serialise` applied to every row of a page."""
    return lambda rows: [serialise(row) for row in rows]


def listing(page: Page, endpoint: str, **values) -> Response:
    """A page as a JSON body (items, pagination, links, licence) with the same links in a `Link` header."""
    links = page.links(endpoint, values)
    body = {"license": LICENSE, "items": page.items, "page": page.number, "per_page": page.per_page,
            "total": page.total, "pages": page.last, "links": links}
    response = document(body)
    for rel, href in links.items():
        if rel != "self":
            response.headers.add("Link", f'<{href}>; rel="{rel}"')
    return response


def document(body: dict, *, licensed: bool = True) -> Response:
    """A JSON body (with the licence, unless the body states it its own way) and its ETag; 304 without a body
    when the client already holds it."""
    if licensed:
        body.setdefault("license", LICENSE)
    data = json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    tag = hashlib.sha256(data).hexdigest()[:32]
    if request.if_none_match.contains_weak(tag):
        response = Response(status=304)
    else:
        response = Response(data, mimetype=JSON_MIMETYPE)
    response.set_etag(tag)
    return response


def add_shared_headers(response: Response) -> Response:
    """CORS on every answer under /api/ (errors too), and the licence as a `Link`."""
    for name, value in CORS_HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers.add("Link", f'<{LICENSE["url"]}>; rel="license"')
    vary = response.vary
    vary.add("Accept-Language")
    return response
