"""Published fiches actions with their indicators, budget and steps, as the public action plan shows them."""
from __future__ import annotations

from consult.api import queries, serializers
from consult.api.conventions import document, each, listing, paginate
from consult.api.views import bp, found_or_404, territory_or_404


@bp.get("/territories/<slug>/fiches")
def fiches(slug: str):
    """The territory's published fiches, the latest contract first, in the order of its axes."""
    place = territory_or_404(slug)
    return listing(paginate(queries.fiches(place), each(serializers.fiche), visible=queries.fiche_visible),
                   "api.fiches", slug=slug)


@bp.get("/territories/<slug>/fiches/<int:fiche_id>")
def fiche(slug: str, fiche_id: int):
    """A published fiche."""
    item = found_or_404(queries.fiche(territory_or_404(slug), fiche_id))
    return document({"data": serializers.fiche(item)})
