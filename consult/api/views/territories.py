"""Territories, their communes, contracts, axes and objectives."""
from __future__ import annotations

from consult.api import queries, serializers
from consult.api.conventions import document, each, listing, paginate, paginate_list
from consult.api.views import bp, found_or_404, territory_or_404


@bp.get("/territories")
def territories():
    """Every territory of the instance."""
    return listing(paginate(queries.territories(), each(serializers.territory)), "api.territories")


@bp.get("/territories/<slug>")
def territory(slug: str):
    """A territory: presentation, EPCIs, its current contract and where its resources are."""
    return document({"data": serializers.territory(territory_or_404(slug, queries.territory_summary()))})


@bp.get("/territories/<slug>/communes")
def communes(slug: str):
    """The territory's communes (INSEE code, population)."""
    place = territory_or_404(slug)
    return listing(paginate(queries.communes(place), each(serializers.commune)), "api.communes", slug=slug)


@bp.get("/territories/<slug>/contracts")
def contracts(slug: str):
    """The territory's contracts (CLS 1, CLS 2…), the latest first."""
    place = territory_or_404(slug)
    return listing(paginate(queries.contracts(place), each(serializers.contract)), "api.contracts", slug=slug)


@bp.get("/territories/<slug>/contracts/<int:generation>")
def contract(slug: str, generation: int):
    """One contract with its axes and objectives."""
    place = territory_or_404(slug, queries.territory_contracts())
    found = found_or_404(queries.contract(place, generation))
    return document({"data": serializers.contract(found, with_axes=True)})


@bp.get("/territories/<slug>/axes")
def axes(slug: str):
    """The axes of the current contract, each with its objectives."""
    place = territory_or_404(slug, queries.territory_contracts())
    return listing(paginate_list(queries.current_axes(place), serializers.axis), "api.axes", slug=slug)
