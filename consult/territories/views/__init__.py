"""Territory blueprints: public pages, coordinator management, site administration."""
from __future__ import annotations

from flask import abort, flash

from consult.errors import ConsultError
from consult.extensions import db
from consult.territories.models import Territory, territory_by_slug


def get_territory_or_404(slug: str) -> Territory:
    territory = territory_by_slug(slug)
    if territory is None:
        abort(404)
    return territory


def get_or_404(model, ident: int, territory: Territory):
    """A row of `model` that belongs to `territory`, or 404 (never reveal another territory's rows)."""
    item = db.session.get(model, ident)
    if item is None or item.territory.id != territory.id:
        abort(404)
    return item


def apply_error(form, error: ConsultError) -> None:
    """Show a service error next to its field, or as a message."""
    field = getattr(form, error.field, None) if error.field and form is not None else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        flash(error.message, "error")
