"""Published proposals (with their supports, status and answer), working groups, meetings and events."""
from __future__ import annotations

from consult.api import queries, serializers
from consult.api.conventions import document, each, listing, paginate
from consult.api.views import bp, found_or_404, territory_or_404
from consult.proposals.services.listing import support_counts


def _proposals(rows: list) -> list:
    counts = support_counts([row.id for row in rows])
    return [serializers.proposal(row, counts[row.id]) for row in rows]


@bp.get("/territories/<slug>/proposals")
def proposals(slug: str):
    """The territory's published proposals, the latest published first."""
    place = territory_or_404(slug)
    return listing(paginate(queries.proposals(place), _proposals, visible=queries.proposal_visible),
                   "api.proposals", slug=slug)


@bp.get("/territories/<slug>/proposals/<int:proposal_id>")
def proposal(slug: str, proposal_id: int):
    """A published proposal."""
    item = found_or_404(queries.proposal(territory_or_404(slug), proposal_id))
    return document({"data": _proposals([item])[0]})


@bp.get("/territories/<slug>/groups")
def groups(slug: str):
    """The territory's working groups (public fields only)."""
    place = territory_or_404(slug)
    return listing(paginate(queries.groups(place), each(serializers.group)), "api.groups", slug=slug)


@bp.get("/territories/<slug>/groups/<int:group_id>")
def group(slug: str, group_id: int):
    """A working group with its meetings."""
    item = found_or_404(queries.group(territory_or_404(slug), group_id))
    return document({"data": serializers.group(item, with_meetings=True)})


@bp.get("/territories/<slug>/meetings")
def meetings(slug: str):
    """The meetings of the working groups and the events of the territory, the earliest first."""
    place = territory_or_404(slug)
    return listing(paginate(queries.meetings(place), each(serializers.meeting)), "api.meetings", slug=slug)


@bp.get("/territories/<slug>/meetings/<int:meeting_id>")
def meeting(slug: str, meeting_id: int):
    """A meeting or an event."""
    item = found_or_404(queries.meeting(territory_or_404(slug), meeting_id))
    return document({"data": serializers.meeting(item)})
