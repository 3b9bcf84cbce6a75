"""Public pages of a territory: the CLS at a glance and its axes."""
from __future__ import annotations

from flask import Blueprint, abort, render_template

from consult.core.models import utcnow
from consult.core.pagecache import kept_for_visitors
from consult.groups.services import recruiting_groups
from consult.proposals.services.calls import public_calls
from consult.surveys.answering.respond import list_public_surveys
from consult.territories.structure import structure_of
from consult.territories.views import territory_of_request

bp = Blueprint("territories", __name__, url_prefix="/t/<slug>")


@bp.get("/")
@kept_for_visitors
def home(slug: str):
    """The territory's current CLS: period, phase, axes, partners, and earlier contracts."""
    territory = territory_of_request(slug)
    structure = structure_of(territory)
    now = utcnow()
    return render_template("territories/home.html", territory=territory, structure=structure,
                           contract=structure.current_contract, commune_count=structure.commune_count,
                           surveys=list_public_surveys(territory, now),
                           groups=recruiting_groups(territory, now),
                           proposal_calls=public_calls(territory, now)["open"], now=now)


@bp.get("/axes")
@kept_for_visitors
def axes(slug: str):
    """Axes and objectives of the current contract."""
    territory = territory_of_request(slug)
    return render_template("territories/axes.html", territory=territory,
                           contract=structure_of(territory).current_contract)


@bp.get("/contracts/<int:generation>")
@kept_for_visitors
def contract(slug: str, generation: int):
    """Any contract of the territory, current or past."""
    territory = territory_of_request(slug)
    chosen = structure_of(territory).contract(generation)
    if chosen is None:
        abort(404)
    return render_template("territories/axes.html", territory=territory, contract=chosen)
