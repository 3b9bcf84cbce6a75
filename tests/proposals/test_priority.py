"""Prioritisation votes: the top proposals of an axis, ranked (Borda) or picked, checked by hand."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from consult.core.models import utcnow
from consult.extensions import db
from consult.proposals.models import PriorityBallot, PriorityVote, VoteMethod
from tests.proposals.conftest import DAY, SLUG, add_support


def make_vote(call, options, method, picks) -> PriorityVote:
    vote = PriorityVote(call=call, axis=call.axes[0], title="Priorités : accès aux soins", method=method,
                        picks=picks, opens_at=utcnow() - DAY, closes_at=utcnow() + DAY, options=options,
                        hide_results_until_closed=False)  # these tests read the running result
    db.session.add(vote)
    db.session.commit()
    return vote


def four(call, make_proposal):
    titles = ["Ateliers mémoire à Montech", "Bus vers l'hôpital", "Covoiturage solidaire", "Défibrillateurs"]
    return [make_proposal(call, title=title) for title in titles]


def result_rows(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<li><a href="[^"]+">([^<]+)</a>\s*<br><span class="muted"><span class="result-points">(\d+) '
                      r'points?</span>', page)


def ballot(client, login, make_user, vote, fields) -> int:
    login(make_user())
    return client.post(f"/t/{SLUG}/proposals/votes/{vote.id}/", data=fields).status_code


def test_borda_count_matches_the_hand_computed_example(client, login, make_user, call, make_proposal):
    a, b, c, d = four(call, make_proposal)
    vote = make_vote(call, [a, b, c, d], VoteMethod.RANK, picks=3)
    ballots = [{a: 1, b: 2, c: 3}, {b: 1, a: 2}, {c: 1, b: 2, a: 3}, {b: 1}, {d: 1, c: 2}]
    for ranks in ballots:
        assert ballot(client, login, make_user, vote, {f"rank-{p.id}": str(r) for p, r in ranks.items()}) == 302

    page = client.get(f"/t/{SLUG}/proposals/votes/{vote.id}/").get_data(as_text=True)

    # n = 4: 1st = 4 points, 2nd = 3, 3rd = 2. A = 4+3+2 = 9, B = 3+4+3+4 = 14, C = 2+4+3 = 9, D = 4;
    # A and C tie on points and on first places (1 each): alphabetical order.
    assert result_rows(page) == [("Bus vers l&#39;hôpital", "14"), ("Ateliers mémoire à Montech", "9"),
                                 ("Covoiturage solidaire", "9"), ("Défibrillateurs", "4")]
    assert "Borda count" in page and "5 ballots" in page


def test_pick_vote_counts_one_point_per_pick(client, login, make_user, call, make_proposal):
    a, b, c, d = four(call, make_proposal)
    vote = make_vote(call, [a, b, c, d], VoteMethod.PICK, picks=2)
    for picked in ([a, b], [b], [b, c], [a, d]):
        ballot(client, login, make_user, vote, {"choice": [str(p.id) for p in picked]})

    page = client.get(f"/t/{SLUG}/proposals/votes/{vote.id}/").get_data(as_text=True)

    assert result_rows(page) == [("Bus vers l&#39;hôpital", "3"), ("Ateliers mémoire à Montech", "2"),
                                 ("Covoiturage solidaire", "1"), ("Défibrillateurs", "1")]


def test_more_picks_than_allowed_are_refused(client, login, make_user, call, make_proposal):
    a, b, c, d = four(call, make_proposal)
    vote = make_vote(call, [a, b, c, d], VoteMethod.PICK, picks=2)

    status = ballot(client, login, make_user, vote, {"choice": [str(a.id), str(b.id), str(c.id)]})

    assert status == 422
    assert db.session.scalar(select(func.count(PriorityBallot.id))) == 0


def test_ranks_with_a_gap_are_refused(client, login, make_user, call, make_proposal):
    a, b, c, d = four(call, make_proposal)
    vote = make_vote(call, [a, b, c, d], VoteMethod.RANK, picks=3)

    status = ballot(client, login, make_user, vote, {f"rank-{a.id}": "1", f"rank-{b.id}": "3"})

    assert status == 422
    assert db.session.scalar(select(func.count(PriorityBallot.id))) == 0


def test_one_ballot_per_person(client, login, make_user, call, make_proposal):
    a, b, c, d = four(call, make_proposal)
    vote = make_vote(call, [a, b, c, d], VoteMethod.PICK, picks=1)
    login(make_user())
    client.post(f"/t/{SLUG}/proposals/votes/{vote.id}/", data={"choice": str(a.id)})

    response = client.post(f"/t/{SLUG}/proposals/votes/{vote.id}/", data={"choice": str(b.id)})

    assert "You have already voted." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(PriorityBallot.id))) == 1


def test_coordinator_puts_the_most_supported_proposals_of_an_axis_to_the_vote(client, login, coordinator, call,
                                                                            make_proposal, make_user):
    a, b, c, d = four(call, make_proposal)
    make_proposal(call, title="Autre axe", axis=call.axes[1])
    for proposal, count in ((b, 3), (d, 2), (a, 1)):
        for _ in range(count):
            add_support(proposal, make_user())
    login(coordinator)

    client.post(f"/t/{SLUG}/manage/proposals/calls/{call.id}/votes/new", data={
        "title": "Priorités", "axis_id": str(call.axes[0].id), "size": "3", "method": "rank", "picks": "2",
        "opens_at": "2026-12-01T09:00", "closes_at": "2026-12-15T18:00"})

    vote = db.session.scalar(select(PriorityVote))
    assert sorted(p.title for p in vote.options) == sorted([a.title, b.title, d.title])
    assert (vote.method, vote.picks) == (VoteMethod.RANK, 2)


def test_closed_vote_refuses_ballots_and_shows_the_result(client, login, make_user, call, make_proposal):
    a, b, c, d = four(call, make_proposal)
    vote = make_vote(call, [a, b, c, d], VoteMethod.PICK, picks=1)
    vote.closes_at = utcnow() - DAY / 2
    db.session.commit()

    status = ballot(client, login, make_user, vote, {"choice": str(a.id)})

    assert status == 422
    assert db.session.scalar(select(func.count(PriorityBallot.id))) == 0
    assert 'name="choice"' not in client.get(f"/t/{SLUG}/proposals/votes/{vote.id}/").get_data(as_text=True)
