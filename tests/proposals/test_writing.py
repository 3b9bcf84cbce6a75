"""Writing proposals: submission, drafts, required axis, sanitised Markdown, editing until the first reaction."""
from __future__ import annotations

from sqlalchemy import func, select

from consult.core.models import utcnow
from consult.extensions import db
from consult.proposals.models import ModerationAction, ModerationEvent, Proposal, ProposalState
from tests.conftest import commune_by_code
from tests.proposals.conftest import DAY, SLUG, add_comment, add_support, reload


def form(call, **changes) -> dict:
    axis = call.axes[0]
    return {"title": "Une maison de santé à Saint-Nicolas-de-la-Grave", "axis_id": str(axis.id),
            "objective_id": str(axis.objectives[0].id), "scope": "communes",
            "commune_ids": [str(commune_by_code("82112").id), str(commune_by_code("82033").id)],
            "publics": ["elderly", "precarity"],
            "description": "Les médecins partent à la **retraite** et l'on attend six mois un rendez-vous.",
            "action": "submit", **changes}


def count() -> int:
    return db.session.scalar(select(func.count(Proposal.id)))


def test_participant_submits_a_proposal_for_moderation(client, login, make_user, call):
    author = make_user()
    login(author)

    response = client.post(f"/t/{SLUG}/proposals/calls/{call.id}/new", data=form(call), follow_redirects=True)

    page = response.get_data(as_text=True)
    assert "Your proposal is sent to the coordinators" in page
    proposal = db.session.scalar(select(Proposal))
    assert proposal.state is ProposalState.PENDING and proposal.author_id == author.id
    assert sorted(c.name for c in proposal.communes) == ["Castelsarrasin", "Moissac"]
    assert proposal.publics == "elderly precarity" and proposal.objective_id == call.axes[0].objectives[0].id
    assert [e.action for e in db.session.scalars(select(ModerationEvent))] == [ModerationAction.SUBMITTED]


def test_pending_proposal_is_not_public(client, login, make_user, call):
    login(make_user())
    client.post(f"/t/{SLUG}/proposals/calls/{call.id}/new", data=form(call))
    proposal = db.session.scalar(select(Proposal))
    client.post("/account/logout")

    assert client.get(f"/t/{SLUG}/proposals/{proposal.id}/").status_code == 404
    assert proposal.title not in client.get(f"/t/{SLUG}/proposals/calls/{call.id}/").get_data(as_text=True)


def test_axis_is_required_and_the_form_keeps_what_was_typed(client, login, make_user, call):
    login(make_user())

    response = client.post(f"/t/{SLUG}/proposals/calls/{call.id}/new", data=form(call, axis_id="0"))

    page = response.get_data(as_text=True)
    assert "Choose the axis of the contract your proposal serves." in page
    assert 'value="Une maison de santé à Saint-Nicolas-de-la-Grave"' in page
    assert "l&#39;on attend six mois" in page
    assert count() == 0


def test_objective_of_another_axis_is_refused(client, login, make_user, call):
    login(make_user())

    response = client.post(f"/t/{SLUG}/proposals/calls/{call.id}/new",
                           data=form(call, axis_id=str(call.axes[1].id)))

    assert "This objective does not belong to the chosen axis." in response.get_data(as_text=True)
    assert count() == 0


def test_draft_is_saved_and_seen_by_its_author_only(client, login, make_user, call):
    login(make_user())

    response = client.post(f"/t/{SLUG}/proposals/calls/{call.id}/new", data=form(call, action="draft"),
                           follow_redirects=True)

    assert "Your draft is saved. Only you can see it." in response.get_data(as_text=True)
    proposal = db.session.scalar(select(Proposal))
    assert proposal.state is ProposalState.DRAFT and proposal.submitted_at is None
    client.post("/account/logout")
    assert client.get(f"/t/{SLUG}/proposals/{proposal.id}/").status_code == 404


def test_author_submits_a_draft_later(client, login, make_user, call, make_proposal):
    author = make_user()
    draft = make_proposal(call, author=author, state=ProposalState.DRAFT)
    login(author)

    client.post(f"/t/{SLUG}/proposals/{draft.id}/submit")

    assert reload(Proposal, draft.id).state is ProposalState.PENDING


def test_description_markdown_is_sanitised(client, make_proposal, call):
    proposal = make_proposal(call, description="**Urgent** <script>alert('x')</script> [lien](javascript:alert(1))")

    page = client.get(f"/t/{SLUG}/proposals/{proposal.id}/").get_data(as_text=True)

    assert "<strong>Urgent</strong>" in page
    assert "<script>alert" not in page and "javascript:" not in page


def test_submission_refused_outside_the_window(client, login, make_user, make_call):
    now = utcnow()
    call = make_call(submission_opens_at=now - 20 * DAY, submission_closes_at=now - DAY)
    login(make_user())

    response = client.post(f"/t/{SLUG}/proposals/calls/{call.id}/new", data=form(call))

    assert "This call does not take proposals at the moment." in response.get_data(as_text=True)
    assert count() == 0


def test_author_edits_until_the_first_support(client, login, make_user, call, make_proposal):
    author = make_user()
    proposal = make_proposal(call, author=author)
    login(author)

    client.post(f"/t/{SLUG}/proposals/{proposal.id}/edit", data=form(call, title="Un cabinet médical à Lizac",
                                                                      action="save"))
    assert reload(Proposal, proposal.id).title == "Un cabinet médical à Lizac"
    assert reload(Proposal, proposal.id).state is ProposalState.PENDING  # back to moderation
    proposal = reload(Proposal, proposal.id)
    proposal.state = ProposalState.PUBLISHED
    db.session.commit()
    add_support(proposal, make_user())

    response = client.post(f"/t/{SLUG}/proposals/{proposal.id}/edit", data=form(call, title="Autre chose"))

    assert "can no longer be edited" in response.get_data(as_text=True)
    assert reload(Proposal, proposal.id).title == "Un cabinet médical à Lizac"


def test_author_cannot_edit_after_a_comment(client, login, make_user, call, make_proposal):
    author = make_user()
    proposal = make_proposal(call, author=author)
    add_comment(proposal, make_user())
    login(author)

    client.post(f"/t/{SLUG}/proposals/{proposal.id}/edit", data=form(call, title="Autre chose"))

    assert reload(Proposal, proposal.id).title == "Un bus vers l'hôpital de Moissac le samedi"


def test_someone_else_cannot_edit(client, login, make_user, call, make_proposal):
    proposal = make_proposal(call)
    login(make_user())

    response = client.post(f"/t/{SLUG}/proposals/{proposal.id}/edit", data=form(call, title="Piraté"))

    assert response.status_code == 403
    assert reload(Proposal, proposal.id).title == "Un bus vers l'hôpital de Moissac le samedi"


def test_some_communes_without_any_commune_is_refused(client, login, make_user, call):
    login(make_user())

    response = client.post(f"/t/{SLUG}/proposals/calls/{call.id}/new", data=form(call, commune_ids=[]))

    assert "Choose the communes concerned, or the whole territory." in response.get_data(as_text=True)
    assert count() == 0


def test_too_short_description_is_refused_on_submission(client, login, make_user, call):
    login(make_user())

    response = client.post(f"/t/{SLUG}/proposals/calls/{call.id}/new", data=form(call, description="Un bus."))

    page = response.get_data(as_text=True)
    assert 'id="description-error"' in page and "at least 20 characters" in page
    assert count() == 0
