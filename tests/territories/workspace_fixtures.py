"""A busy territory for the workspaces' tests: one of each thing that waits for the coordinator, and one of
each thing that does not (a decided sign-up, a meeting with attendance and minutes, a survey closing later…)."""
from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass

import pytest

from consult.core.models import utcnow
from consult.extensions import db
from consult.groups.models import JoinMode, Meeting, SignupStatus
from consult.proposals.models import Proposal, ProposalState, Report
from consult.surveys import services as survey_services
from consult.surveys.models import Option, Question, QuestionType, Survey, SurveyPage, SurveyStatus
from consult.surveys.releases.services import freeze_release
from consult.synthesis.models import FicheStatus
from tests.groups.factories import add_attendance, add_member, make_group, make_meeting
from tests.synthesis.conftest import make_fiche  # noqa: F401  (the action plan's factory, as a fixture here)
from tests.synthesis.outcomes_factories import make_call, make_proposal

DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def english(app):
    """Pages in English: the msgids."""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"


def text_of(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))))


def main_links(markup: str) -> list[str]:
    """The site's own links in the page's <main> (anchors and other sites left out), each once, in order."""
    main = markup[markup.index("<main"):markup.index("</main>")]
    links = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', main)]
    return list(dict.fromkeys(h for h in links if h.startswith("/") and not h.startswith("//")))


def post_forms(markup: str) -> list[str]:
    """The action of every POST form of a page."""
    return [html.unescape(action) for action in
            re.findall(r'<form[^>]*method="post"[^>]*action="([^"]*)"', markup, flags=re.I)
            + re.findall(r'<form[^>]*action="([^"]*)"[^>]*method="post"', markup, flags=re.I)]


def one_question_survey(territory, title: str, **columns) -> Survey:
    survey = Survey(territory=territory, title=title, introduction="Deux minutes, anonyme.",
                    purpose="Préparer le CLS 2.", retention="18 mois.", **columns)
    question = Question(code="Q1", position=0, type=QuestionType.YES_NO, required=True,
                        text="Avez-vous renoncé à des soins depuis un an ?",
                        options=[Option(code="1", label="Oui", position=1), Option(code="2", label="Non", position=2)])
    survey.pages = [SurveyPage(position=0, title="Vos soins", questions=[question])]
    question.survey = survey
    db.session.add(survey)
    db.session.commit()
    return survey


def answer(survey: Survey, *secrets: str, now: dt.datetime) -> None:
    for secret in secrets:
        survey_services.submit_response(survey, {"Q1": "1"}, browser_secret=secret, now=now)
    db.session.commit()


@dataclass
class Busy:
    pending: Proposal
    reported: Proposal
    bare_meeting: Meeting
    done_meeting: Meeting
    closing: Survey
    later: Survey
    due: Survey


@pytest.fixture
def busy(territory, make_user, make_fiche) -> Busy:
    """One of each waiting thing, next to things that do not wait."""
    now = utcnow()
    resident, neighbour = make_user(display_name="Josiane d'Auvillar"), make_user(display_name="Voisin de Lafrançaise")
    call = make_call(territory)
    pending = make_proposal(call, resident, title="Une maison de santé à Lafrançaise", state=ProposalState.PENDING)
    reported = make_proposal(call, resident)
    db.session.add_all([Report(proposal=reported, reporter=neighbour, reason="Propos déplacés"),
                        Report(proposal=reported, reporter=resident, reason="Doublon", resolved_at=now - DAY)])
    group = make_group(territory, join_mode=JoinMode.APPROVAL)
    add_member(group, resident, status=SignupStatus.PENDING, decided_at=None)
    add_member(group, neighbour)
    bare = make_meeting(territory, title="Atelier nutrition sans feuille de présence", starts_at=now - 3 * DAY)
    done = make_meeting(territory, group, title="Réunion du groupe accès aux soins", starts_at=now - 5 * DAY,
                        minutes="Tour de table, priorités.", minutes_published_at=now - 4 * DAY)
    add_attendance(done, neighbour)
    make_meeting(territory, title="Forum Santé à venir", starts_at=now + 3 * DAY)
    make_meeting(territory, title="Atelier annulé", starts_at=now - 2 * DAY, cancelled_at=now - 4 * DAY)
    closing = one_question_survey(territory, "Enquête santé des jeunes", status=SurveyStatus.OPEN,
                                  closes_at=now + 5 * DAY)
    later = one_question_survey(territory, "Enquête des aidants", status=SurveyStatus.OPEN, closes_at=now + 30 * DAY)
    due = one_question_survey(territory, "Votre santé à Terres des Confluences", status=SurveyStatus.OPEN,
                              disclosure_threshold=2)
    answer(due, "premier", now=now - 20 * DAY)
    freeze_release(due, now=now - 15 * DAY)
    db.session.commit()
    answer(due, "deuxième", "troisième", now=now - 2 * DAY)
    make_fiche("Fiche en brouillon")
    make_fiche("Fiche validée par le COPIL", status=FicheStatus.COPIL_VALIDATED)
    db.session.commit()
    return Busy(pending, reported, bare, done, closing, later, due)
