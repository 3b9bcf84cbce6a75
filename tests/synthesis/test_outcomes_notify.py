"""`notify_taken_up`: a published fiche tells each cited proposal's author and followers, once per proposal
and fiche, even when the fiche is published again."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from consult.extensions import db
from consult.proposals.models import ProposalState
from consult.synthesis.models import Citation, FicheStatus
from consult.synthesis.outcomes import notify_taken_up
from tests.conftest import NOW
from tests.synthesis.outcomes_factories import cite, make_call, make_proposal


def test_the_author_and_the_followers_are_told_once(territory, make_fiche, make_user, participant, outbox):
    follower = make_user("voisine@example.org", display_name="Voisine de Moissac")
    proposal = make_proposal(make_call(territory), participant, followers=[follower])
    fiche = make_fiche(status=FicheStatus.COPIL_VALIDATED, published=True)
    citation = cite(fiche, proposal=proposal)

    assert notify_taken_up(fiche, now=NOW) == 2
    db.session.commit()
    by_address = {mail.to: mail for mail in outbox}
    assert set(by_address) == {participant.email, follower.email}
    to_author = by_address[participant.email]
    assert to_author.subject == "Your proposal was taken up in fiche 1.1"
    assert f"Your proposal “{proposal.title}” was taken up in fiche action 1.1" in to_author.body
    assert f"/t/terres-des-confluences/proposals/{proposal.id}/" in to_author.body
    assert "/t/terres-des-confluences/outcomes" in to_author.body
    assert by_address[follower.email].subject == "A proposal you follow was taken up in fiche 1.1"
    assert db.session.get(Citation, citation.id).notified_at == NOW

    fiche.published_at = NOW + dt.timedelta(days=3)  # unpublished and published again
    assert notify_taken_up(fiche, now=NOW + dt.timedelta(days=3)) == 0
    assert len(outbox) == 2
    assert db.session.get(Citation, citation.id).notified_at == NOW


def test_a_proposal_cited_twice_by_a_fiche_gives_one_email(territory, make_fiche, participant, outbox):
    proposal = make_proposal(make_call(territory), participant)
    fiche = make_fiche(published=True)
    cite(fiche, proposal=proposal)
    cite(fiche, proposal=proposal)
    assert notify_taken_up(fiche, now=NOW) == 1
    db.session.commit()
    assert [mail.to for mail in outbox] == [participant.email]


def test_each_fiche_tells_once_about_the_same_proposal(territory, make_fiche, participant, outbox):
    proposal = make_proposal(make_call(territory), participant)
    first, second = make_fiche(published=True), make_fiche("Navette santé", published=True)
    cite(first, proposal=proposal)
    cite(second, proposal=proposal)
    notify_taken_up(first, now=NOW)
    notify_taken_up(second, now=NOW)
    notify_taken_up(first, now=NOW)
    db.session.commit()
    assert [mail.subject for mail in outbox] == ["Your proposal was taken up in fiche 1.1",
                                                 "Your proposal was taken up in fiche 1.2"]


def test_a_draft_fiche_tells_nobody(territory, make_fiche, participant, outbox):
    proposal = make_proposal(make_call(territory), participant)
    fiche = make_fiche()
    citation = cite(fiche, proposal=proposal)
    assert notify_taken_up(fiche, now=NOW) == 0
    assert outbox == [] and db.session.get(Citation, citation.id).notified_at is None


def test_a_hidden_proposal_is_not_announced(territory, make_fiche, participant, outbox):
    proposal = make_proposal(make_call(territory), participant, state=ProposalState.HIDDEN)
    fiche = make_fiche(published=True)
    cite(fiche, proposal=proposal)
    assert notify_taken_up(fiche, now=NOW) == 0
    assert outbox == []


def test_each_person_reads_it_in_their_language(territory, make_fiche, make_user, outbox):
    author = make_user("auteure@example.org", display_name="Auteure", locale="fr")
    fiche = make_fiche(published=True)
    cite(fiche, proposal=make_proposal(make_call(territory), author))
    notify_taken_up(fiche, now=NOW)
    db.session.commit()
    assert outbox[0].subject == "Votre proposition est reprise dans la fiche 1.1"
    stored = db.session.scalars(select(Citation)).one()
    assert stored.notified_at == NOW


def test_publishing_a_fiche_from_its_page_tells_the_author_once(territory, make_fiche, participant, coordinator,
                                                                client, login, outbox):
    proposal = make_proposal(make_call(territory), participant)
    fiche = make_fiche(status=FicheStatus.COPIL_VALIDATED)
    cite(fiche, proposal=proposal)
    login(coordinator)
    base = f"/t/terres-des-confluences/manage/plan/fiches/{fiche.id}"
    assert client.post(f"{base}/publish").status_code == 302
    assert [mail.to for mail in outbox] == [participant.email]
    assert client.post(f"{base}/unpublish").status_code == 302
    assert client.post(f"{base}/publish").status_code == 302
    assert len(outbox) == 1
    assert db.session.scalar(select(Citation.notified_at).where(Citation.fiche_id == fiche.id)) is not None
    page = client.get(f"/t/terres-des-confluences/proposals/{proposal.id}/").get_data(as_text=True)
    assert "1.1" in page and fiche.title in page


def test_nothing_is_sent_when_the_publication_is_rolled_back(territory, make_fiche, participant, outbox):
    proposal = make_proposal(make_call(territory), participant)
    fiche = make_fiche(published=True)
    citation = cite(fiche, proposal=proposal)
    assert notify_taken_up(fiche, now=NOW) == 1
    assert outbox == []  # not before the transaction is stored
    db.session.rollback()
    db.session.commit()  # a later transaction does not send what the rolled-back one prepared
    assert outbox == []
    assert db.session.get(Citation, citation.id).notified_at is None
    assert notify_taken_up(db.session.get(type(fiche), fiche.id), now=NOW) == 1
    db.session.commit()
    assert [mail.to for mail in outbox] == [participant.email]
