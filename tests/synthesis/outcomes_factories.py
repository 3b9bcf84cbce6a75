"""Rows for the traceability tests: a call, proposals, a meeting with ideas, citations added directly."""
from __future__ import annotations

import datetime as dt

from consult.extensions import db
from consult.groups.models import Idea
from consult.proposals import similarity
from consult.proposals.models import AnswerStatus, Call, Follower, Proposal, ProposalState
from consult.synthesis.models import Citation, CitationKind, Fiche
from tests.conftest import NOW
from tests.groups.factories import make_meeting

DAY = dt.timedelta(days=1)


def make_call(territory) -> Call:
    call = Call(territory=territory, title="Vos idées pour la santé à Terres des Confluences",
                presentation="Proposez des actions.", submission_opens_at=NOW - 40 * DAY,
                submission_closes_at=NOW + 30 * DAY, voting_opens_at=NOW - 30 * DAY, voting_closes_at=NOW + 30 * DAY)
    call.axes = list(territory.current_contract.axes)
    db.session.add(call)
    db.session.commit()
    return call


def make_proposal(call, author, *, title="Un bus vers l'hôpital de Moissac le samedi",
                  state=ProposalState.PUBLISHED, answer=None, followers=()) -> Proposal:
    description = "Beaucoup d'habitants de Saint-Nicolas-de-la-Grave n'ont pas de voiture."
    proposal = Proposal(call=call, author=author, title=title, description=description, axis=call.axes[0],
                        state=state, search_text=similarity.search_document(title, description),
                        submitted_at=NOW - 20 * DAY,
                        published_at=NOW - 19 * DAY if state is ProposalState.PUBLISHED else None,
                        answer_status=answer, answered_at=NOW - 2 * DAY if answer else None,
                        answer_text="Reprise dans le plan d'action." if answer is AnswerStatus.RETAINED else "")
    db.session.add(proposal)
    db.session.flush()
    for follower in followers:
        db.session.add(Follower(proposal_id=proposal.id, user_id=follower.id))
    db.session.commit()
    return proposal


def make_idea(territory, *, text="Un médecin itinérant pour les villages sans cabinet", published=True) -> Idea:
    meeting = make_meeting(territory, title="Forum Santé des Confluences", starts_at=NOW - 10 * DAY,
                           minutes="Compte rendu du forum.", minutes_published_at=NOW - 9 * DAY if published else None)
    idea = Idea(meeting=meeting, axis=territory.current_contract.axes[0], text=text)
    db.session.add(idea)
    db.session.commit()
    return idea


def cite(fiche: Fiche, *, proposal=None, idea=None, group=None, release=None, question_code=None) -> Citation:
    kind = (CitationKind.PROPOSAL if proposal else CitationKind.IDEA if idea else
            CitationKind.WORKING_GROUP if group else CitationKind.SURVEY_FIGURE)
    citation = Citation(fiche=fiche, kind=kind, proposal=proposal, idea=idea, group=group, release=release,
                        question_code=question_code, figure={"option": "1"} if release else None,
                        position=len(fiche.citations))
    db.session.add(citation)
    db.session.commit()
    return citation
