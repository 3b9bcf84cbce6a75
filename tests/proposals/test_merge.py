"""Merging duplicates: supports move to the proposal kept, nobody counts twice, followers are told."""
from __future__ import annotations

from sqlalchemy import func, select

from consult.extensions import db
from consult.proposals.models import AnswerStatus, Follower, Proposal, Support
from tests.proposals.conftest import SLUG, add_support, reload, supports_of


def merge(client, source, target):
    return client.post(f"/t/{SLUG}/manage/proposals/{source.id}/merge", data={"merge-target_id": str(target.id)},
                       follow_redirects=True)


def test_merge_moves_supports_without_counting_anyone_twice(client, login, coordinator, call, make_proposal,
                                                            make_user):
    kept = make_proposal(call, title="Un bus vers l'hôpital de Moissac")
    duplicate = make_proposal(call, title="Navette pour aller à l'hôpital de Moissac")
    both, only_kept, only_duplicate = make_user(), make_user(), make_user()
    for person in (both, only_kept):
        add_support(kept, person)
    for person in (both, only_duplicate):
        add_support(duplicate, person)
    login(coordinator)

    response = merge(client, duplicate, kept)

    assert "The proposals are merged." in response.get_data(as_text=True)
    assert (supports_of(kept), supports_of(duplicate)) == (3, 0)
    assert db.session.scalar(select(func.count(Support.id))) == 3
    voters = set(db.session.scalars(select(Support.user_id).where(Support.proposal_id == kept.id)))
    assert voters == {both.id, only_kept.id, only_duplicate.id}
    stored = reload(Proposal, duplicate.id)
    assert (stored.answer_status, stored.merged_into_id) == (AnswerStatus.MERGED, kept.id)


def test_merged_proposal_points_to_the_one_kept(client, login, coordinator, call, make_proposal):
    kept = make_proposal(call, title="Un bus vers l'hôpital de Moissac")
    duplicate = make_proposal(call, title="Navette hôpital")
    login(coordinator)
    merge(client, duplicate, kept)

    page = client.get(f"/t/{SLUG}/proposals/{duplicate.id}/").get_data(as_text=True)

    assert f'href="/t/{SLUG}/proposals/{kept.id}/"' in page and "its supports now count there" in page


def test_merge_tells_the_author_and_moves_followers(client, login, coordinator, call, make_proposal, make_user,
                                                    outbox):
    kept = make_proposal(call, title="Un bus vers l'hôpital de Moissac")
    duplicate = make_proposal(call, title="Navette hôpital")
    follower = make_user()
    db.session.add(Follower(proposal_id=duplicate.id, user_id=follower.id))
    db.session.commit()
    login(coordinator)

    merge(client, duplicate, kept)

    assert sorted(m.to for m in outbox) == sorted([duplicate.author.email, follower.email])
    assert db.session.get(Follower, (kept.id, follower.id)) is not None


def test_merged_proposal_cannot_be_supported_any_more(client, login, coordinator, call, make_proposal, make_user):
    kept = make_proposal(call, title="Un bus vers l'hôpital de Moissac")
    duplicate = make_proposal(call, title="Navette hôpital")
    login(coordinator)
    merge(client, duplicate, kept)
    login(make_user())

    client.post(f"/t/{SLUG}/proposals/{duplicate.id}/support")

    assert supports_of(duplicate) == 0


def test_a_proposal_cannot_be_merged_into_another_call(client, login, coordinator, make_call, make_proposal):
    first, second = make_call(), make_call(title="Appel 2027")
    source, target = make_proposal(first), make_proposal(second, title="Autre appel")
    login(coordinator)

    client.post(f"/t/{SLUG}/manage/proposals/{source.id}/merge", data={"merge-target_id": str(target.id)})

    assert reload(Proposal, source.id).answer_status is None
