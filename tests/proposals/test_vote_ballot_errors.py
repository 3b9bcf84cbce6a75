"""A wrong ballot is shown again as typed, each faulty rank marked on its own field; the coordinator's form
saves whether the running result is hidden."""
from __future__ import annotations

import re

from sqlalchemy import select

from consult.core.models import utcnow
from consult.extensions import db
from consult.proposals.models import PriorityBallot, PriorityChoice, PriorityVote, VoteMethod
from tests.proposals.conftest import DAY, SLUG, add_support

TITLES = ["Ateliers mémoire à Montech", "Bus vers l'hôpital de Moissac", "Covoiturage solidaire", "Défibrillateurs"]


def ranking_vote(call, make_proposal) -> PriorityVote:
    options = [make_proposal(call, title=title) for title in TITLES]
    vote = PriorityVote(call=call, axis=call.axes[0], title="Priorités : accès aux soins", method=VoteMethod.RANK,
                        picks=3, opens_at=utcnow() - DAY, closes_at=utcnow() + DAY, options=options)
    db.session.add(vote)
    db.session.commit()
    return vote


def select_tag(page: str, proposal_id: int) -> str:
    return re.search(rf'<select id="rank-{proposal_id}"[^>]*>', page).group(0)


def selected(page: str, proposal_id: int) -> str | None:
    block = page[page.index(f'<select id="rank-{proposal_id}"'):]
    block = block[:block.index("</select>")]
    found = re.search(r'<option value="(\d*)" selected>', block)
    return found.group(1) if found else None


def test_same_rank_twice_is_marked_on_both_fields_and_the_ballot_is_kept(client, login, participant, call,
                                                                         make_proposal):
    vote = ranking_vote(call, make_proposal)
    memory, bus, car, defib = vote.options
    login(participant)
    url = f"/t/{SLUG}/proposals/votes/{vote.id}/"

    refused = client.post(url, data={f"rank-{bus.id}": "1", f"rank-{car.id}": "1", f"rank-{memory.id}": "2"})

    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    message = "Rank 1 is given to more than one proposal. Give it to one proposal only."
    for twice in (bus, car):
        tag = select_tag(page, twice.id)
        assert 'aria-invalid="true"' in tag and f'aria-describedby="rank-{twice.id}-error"' in tag
        assert re.search(rf'id="rank-{twice.id}-error"><span class="visually-hidden">Error: </span>{message}', page)
        assert f'<a href="#rank-{twice.id}">' in page  # the summary leads to the field
    assert "aria-invalid" not in select_tag(page, memory.id) + select_tag(page, defib.id)
    assert 'class="error-summary"' in page
    assert [selected(page, p.id) for p in (memory, bus, car, defib)] == ["2", "1", "1", None]  # as typed
    assert db.session.scalar(select(PriorityBallot)) is None

    fixed = client.post(url, data={f"rank-{bus.id}": "1", f"rank-{car.id}": "3", f"rank-{memory.id}": "2"})

    assert fixed.status_code == 302
    ranks = dict(db.session.execute(select(PriorityChoice.proposal_id, PriorityChoice.rank)).all())
    assert ranks == {bus.id: 1, memory.id: 2, car.id: 3}


def test_a_rank_after_a_gap_is_marked_and_an_empty_ballot_is_refused(client, login, participant, call,
                                                                    make_proposal):
    vote = ranking_vote(call, make_proposal)
    memory, bus, _car, _defib = vote.options
    login(participant)
    url = f"/t/{SLUG}/proposals/votes/{vote.id}/"

    gap = client.post(url, data={f"rank-{bus.id}": "1", f"rank-{memory.id}": "3"}).get_data(as_text=True)
    empty = client.post(url, data={})

    assert 'aria-invalid="true"' in select_tag(gap, memory.id) and "aria-invalid" not in select_tag(gap, bus.id)
    assert "No proposal has rank 2. Give the ranks in order: 1, 2, 3…" in gap
    assert empty.status_code == 422
    assert 'id="ballot-error"' in empty.get_data(as_text=True)
    assert "Give rank 1 to at least one proposal." in empty.get_data(as_text=True)
    assert db.session.scalar(select(PriorityBallot)) is None


def test_coordinator_chooses_whether_the_running_result_is_hidden(client, login, coordinator, call, make_proposal,
                                                                  make_user):
    for title in TITLES[:3]:
        add_support(make_proposal(call, title=title), make_user())
    login(coordinator)
    url = f"/t/{SLUG}/manage/proposals/calls/{call.id}/votes/new"
    form = client.get(url).get_data(as_text=True)
    fields = {"title": "Priorités", "axis_id": str(call.axes[0].id), "size": "3", "method": "rank", "picks": "2",
              "opens_at": "2026-12-01T09:00", "closes_at": "2026-12-15T18:00"}

    client.post(url, data={**fields, "title": "Résultat visible"})  # box left unticked
    client.post(url, data={**fields, "title": "Résultat caché", "hide_results_until_closed": "y"})

    assert re.search(r'<input checked id="hide_results_until_closed"[^>]*type="checkbox"', form)  # ticked by default
    assert "Hide the running result until the vote ends, so that everyone chooses without being influenced" in form
    assert "How many proposals each person may choose or rank" in form and "K:" not in form
    stored = dict(db.session.execute(select(PriorityVote.title, PriorityVote.hide_results_until_closed)).all())
    assert stored == {"Résultat visible": False, "Résultat caché": True}
