"""What every territory-scoped blueprint shares (404s, the slug in URLs, service errors on forms), and the
site administration (`admin`); public and management pages are in consult.portal."""
from __future__ import annotations

import functools
from collections.abc import Callable
from typing import NamedTuple

from flask import Blueprint, abort, current_app, g, request, session
from flask_login import current_user, user_accessed
from markupsafe import Markup
from sqlalchemy import bindparam, select

from consult.core.db import LARGEST_ID
from consult.core.layout import layout_piece
from consult.extensions import db, login_manager
from consult.territories import permissions
from consult.territories.models import Territory, territory_by_slug


@functools.cache
def _territory_statement():
    return select(Territory).where(Territory.slug == bindparam("slug"))


def refuse_impossible_slug(slug: str) -> None:
    """404 for a slug no territory can have before it reaches a query: PostgreSQL refuses NUL in text (a 500)."""
    if "\x00" in slug:
        abort(404)


def get_territory_or_404(slug: str, *, options=()) -> Territory:
    """The territory with this slug, or 404. Without `options`, the statement of every page under /t/<slug>/ is
    built once per process (building one cost more than running it)."""
    refuse_impossible_slug(slug)
    if options:
        territory = territory_by_slug(slug, options=options)
    else:
        territory = db.session.scalar(_territory_statement(), {"slug": slug})
    if territory is None:
        abort(404)
    return territory


# Reads a territory by slug and a login session's user in one statement: (slug, key) -> None when no territory has
# this slug, else (territory, user or None). Set by the accounts layer above (consult.accounts.views.configure_login),
# which knows login sessions and users; without it, Flask-Login loads the user by itself.
_territory_and_session: Callable[[str, str], tuple[Territory, object | None] | None] | None = None


def read_territory_with_login_sessions(loader: Callable[[str, str], tuple[Territory, object | None] | None]) -> None:
    """Let `territory_of_request` read the login session's user with the territory, through `loader`."""
    global _territory_and_session  # noqa: PLW0603 (set once, when the app is built)
    _territory_and_session = loader


def login_not_loaded() -> str | None:
    """The login session key this request's session carries while Flask-Login has not loaded its user yet (it
    loads it on first use of `current_user`), else None."""
    key = session.get("_user_id") if "_login_user" not in g else None
    return key if isinstance(key, str) else None


def nobody_signed_in() -> bool:
    """Whether no one can be signed in on this request: no login in the session, none loaded, no remember cookie."""
    return ("_user_id" not in session and "_login_user" not in g
            and current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token") not in request.cookies)


def territory_of_request(slug: str) -> Territory:
    """The territory of a page under /t/<slug>/ (404 when unknown). For someone signed in, whose user Flask-Login
    has not loaded yet, the territory and the login session are read in one statement, and the user is handed to
    Flask-Login as its own loader (`load_session`) would have loaded it; an ended session (or a disabled account)
    is left to Flask-Login, which then finds no user either, as before."""
    loader = _territory_and_session
    key = login_not_loaded() if loader is not None else None
    if key is None:
        return get_territory_or_404(slug)
    refuse_impossible_slug(slug)
    found = loader(slug, key)
    if found is None:
        abort(404)
    territory, user = found
    if user is not None:
        user_accessed.send(current_app._get_current_object())  # what Flask-Login's own loading signals
        login_manager._update_request_context_with_user(user)  # noqa: SLF001 (g._login_user, as Flask-Login sets it)
    return territory


# The menu entries shown as the current page for a whole blueprint (those of `territories` go by endpoint).
NAV_BLUEPRINTS = frozenset({"surveys", "proposals", "groups", "meetings", "plan", "outcomes", "manage", "observe"})


class NavTerritory(NamedTuple):
    """What the territory's menu shows of it: part of the key of its kept renderings."""

    slug: str
    name: str


def territory_nav(territory: Territory) -> Markup:
    """The territory's bar and menu for this request (templates/territories/nav.html): rendered once per process
    for each territory name, language, current entry and role, then reused."""
    manage = permissions.can_manage_territory(current_user, territory)
    observe = not manage and permissions.can_observe_territory(current_user, territory)
    blueprint = request.blueprint
    current = request.endpoint if blueprint == "territories" else blueprint if blueprint in NAV_BLUEPRINTS else None
    return layout_piece("territories/nav.html", territory=NavTerritory(territory.slug, territory.name),
                        current=current, manage=manage, observe=observe)


@functools.lru_cache(maxsize=256)
def _by_id(model, options: tuple):
    """The statement loading one row of `model` by id with the loader `options`, built once per model and options:
    a statement kept computes its SQL cache key once, where one built per request (as `Session.get` does) walked
    the options again each time. Pages pass their loaders as constants (`listing.call_page()`…) so they share it."""
    return select(model).where(model.id == bindparam("ident")).options(*options)


def get_or_404(model, ident: int, territory: Territory, *, options=()):
    """A row of `model` that belongs to `territory`, or 404 (never reveal another territory's rows);
    `options` load what the page shows with it (its templates must not query)."""
    if not 0 < ident <= LARGEST_ID:
        abort(404)
    item = db.session.execute(_by_id(model, tuple(options)), {"ident": ident}).unique().scalar_one_or_none()
    if item is None or item.territory.id != territory.id:
        abort(404)
    return item


def scope_to_territory(bp: Blueprint, *, managers_only: bool = False, readers_only: bool = False,
                       load: Callable[[str, str, dict], Territory | None] | None = None) -> Blueprint:
    """Routes under /t/<slug>/…: load g.territory (404 when unknown), let url_for fill the slug in,
    and with `managers_only` send anonymous visitors to log in and refuse everyone but the
    territory's coordinators and site admins; with `readers_only`, observers are admitted too, for
    reading: a POST still needs a coordinator or an admin. `load(slug, endpoint, values)` may read the
    territory itself with what the view reads next (None: it does not, `territory_of_request` does)."""

    @bp.url_value_preprocessor
    def load_territory(endpoint, values):
        slug = values.pop("slug")
        territory = load(slug, endpoint, values) if load is not None else None
        g.territory = territory if territory is not None else territory_of_request(slug)

    @bp.url_defaults
    def add_slug(_endpoint, values):
        if "slug" not in values and "territory" in g:
            values["slug"] = g.territory.slug

    if managers_only:
        @bp.before_request
        def require_coordinator():
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            permissions.require(permissions.can_manage_territory(current_user, g.territory))
            return None

    if readers_only:
        @bp.before_request
        def require_reader():
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            permissions.require(permissions.can_observe_territory(current_user, g.territory))
            if request.method == "POST":
                permissions.require(permissions.can_manage_territory(current_user, g.territory))
            return None

    return bp
