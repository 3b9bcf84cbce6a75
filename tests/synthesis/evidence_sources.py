"""Evidence on both territories for the draft-from-the-synthesis tests: a release, proposals, a group with
members from organisations, a meeting's idea and a tagged minutes excerpt."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from consult.extensions import db
from consult.groups.models import Idea, SignupStatus
from consult.proposals.models import Call, Proposal
from consult.proposals.states import ProposalState
from consult.surveys.models import Survey, SurveyMode, SurveyStatus
from consult.synthesis.models import TaggedText, TextSource
from tests.conftest import NOW
from tests.groups.factories import add_member, make_group, make_meeting
from tests.surveys.conftest import default_pages
from tests.surveys.releasing import release
from tests.surveys.test_results import add_thirty


@dataclass
class Sources:
    release: object
    proposal: Proposal
    draft_proposal: Proposal
    idea: Idea
    text: TaggedText
    group: object
    foreign_proposal: Proposal
    foreign_idea: Idea
    foreign_group: object


def make_survey_release(territory):
    survey = Survey(territory=territory, title="Votre santé à Terres des Confluences", status=SurveyStatus.CLOSED,
                    mode=SurveyMode.ANONYMOUS, introduction="", purpose="Diagnostic", retention="18 mois")
    survey.pages = default_pages()
    for page in survey.pages:
        for question in page.questions:
            question.survey = survey
    db.session.add(survey)
    db.session.commit()
    add_thirty(survey)
    return release(survey)


def _proposal(territory, author, title, state=ProposalState.PUBLISHED) -> Proposal:
    call = Call(territory=territory, title="Vos idées", submission_opens_at=NOW - dt.timedelta(days=30),
                submission_closes_at=NOW + dt.timedelta(days=30), voting_opens_at=NOW - dt.timedelta(days=30),
                voting_closes_at=NOW + dt.timedelta(days=30))
    call.axes = list(territory.current_contract.axes)
    proposal = Proposal(call=call, author=author, title=title, description="Le samedi matin.",
                        axis=territory.current_contract.axes[0], state=state,
                        published_at=NOW if state is ProposalState.PUBLISHED else None)
    db.session.add(proposal)
    db.session.commit()
    return proposal


def make_sources(territory, other_territory, make_user, *, with_release: bool = True) -> Sources:
    author = make_user(display_name="Josiane d'Auvillar")
    axis = territory.current_contract.axes[0]
    group = make_group(territory, title="Santé mentale des jeunes", axis=axis)
    for structure in ("CPTS Quercy Garonne", "cpts  quercy garonne", "", "Centre hospitalier de Moissac"):
        add_member(group, make_user(), structure=structure)
    add_member(group, make_user(), structure="Mairie de Lafrançaise", status=SignupStatus.PENDING)
    meeting = make_meeting(territory, group, title="Atelier santé mentale", starts_at=NOW - dt.timedelta(days=10))
    idea = Idea(meeting=meeting, axis=axis, text="Former les animateurs des clubs sportifs au repérage")
    text = TaggedText(territory=territory, axis=axis, source=TextSource.MINUTES, meeting=meeting,
                      excerpt="Les jeunes ne savent pas vers qui se tourner.")
    db.session.add_all([idea, text])
    other_group = make_group(other_territory, title="Groupe d'Ouest Aveyron",
                             axis=other_territory.current_contract.axes[0])
    other_meeting = make_meeting(other_territory, other_group)
    other_idea = Idea(meeting=other_meeting, axis=other_territory.current_contract.axes[0], text="Ailleurs")
    db.session.add(other_idea)
    db.session.commit()
    return Sources(
        release=make_survey_release(territory) if with_release else None,
        proposal=_proposal(territory, author, "Un bus vers l'hôpital de Moissac le samedi"),
        draft_proposal=_proposal(territory, author, "Un brouillon", ProposalState.DRAFT),
        idea=idea, text=text, group=group,
        foreign_proposal=_proposal(other_territory, author, "Une maison de santé à Decazeville"),
        foreign_idea=other_idea, foreign_group=other_group)
