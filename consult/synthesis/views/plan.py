"""The public action plan (/t/<slug>/plan): the published fiches of the current contract per axis, with their
status and progress, and each fiche in plain words with the contributions it took up."""
from __future__ import annotations

from flask import Blueprint, abort, g, render_template

from consult.core.pagecache import kept_for_visitors
from consult.synthesis.axes.targets import current_contract
from consult.synthesis.fiches import pages
from consult.territories.views import scope_to_territory

bp = scope_to_territory(Blueprint("plan", __name__, url_prefix="/t/<slug>/plan"))
bp.context_processor(pages.template_helpers)


@bp.get("/")
@kept_for_visitors
def index():
    """« Plan d'action »: the published fiches of the current contract, per axis."""
    contract = current_contract(g.territory)
    plan = pages.plan_of(contract, published_only=True) if contract else []
    return render_template("synthesis/plan/index.html", territory=g.territory, contract=contract,
                           plan=[p for p in plan if p.count])


@bp.get("/fiches/<int:fiche_id>")
def fiche(fiche_id: int):
    """A published fiche: what will be done, by whom, when, and the residents' contributions it took up."""
    item = pages.published_fiche(g.territory, fiche_id, options=pages.fiche_page_options())
    if item is None:
        abort(404)
    return render_template("synthesis/plan/fiche.html", territory=g.territory, fiche=item,
                           page=pages.fiche_page(item, free_texts=False, public=True))
