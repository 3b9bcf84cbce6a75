"""A small hand-computed world for the synthesis tests, on Terres des Confluences (axis 1 has two objectives).

Survey « Votre santé » (k = 11): 14 web responses answer Q1 « Oui », 11 paper ones « Non » (n = 25); two of the
web ones wrote a free text in Q2. Release no. 1 is made then; one more web « Oui » arrives after it.
Proposals (axis 1): A « Un bus… » (objective 1.1) by Alice (resident, Moissac) with 3 supports (Sam, Sophie,
Serge); B « Une permanence de PMI… » (no objective, answered « retained ») by Bruno (health professional,
Saint-Nicolas-de-la-Grave) with 1 support (Sam again); C, on axis 2, is a draft (never counted). Sophie commented
on A; a hidden comment on A is never counted.
Working group « Accès aux soins » (axis 1, objective 1.2): members Alice and Marc (elected, Fajolles); its
meeting of 5 October 2026 had Alice, Marc and a guest, Dr Anne Roques (health professional,
Saint-Nicolas-de-la-Grave); an idea on objective 1.2 was recorded there, and its minutes are published.
A forum on 14 November 2026 had one guest, Jean Dupont (resident, Moissac), and an idea on axis 2.
Tagged with axis 1: Q2's first answer, Sophie's comment, an excerpt of the group meeting's minutes.

People, hand-counted: Alice, Bruno, Sam, Sophie, Serge, Marc, Anne, Jean = 8 (Alice is an author, a member and
present). Moissac: Alice, Sam, Jean = 3 (13,419 inhabitants: 0.2 per 1,000); Saint-Nicolas-de-la-Grave: Bruno,
Sophie, Anne = 3 (2,281: 1.3); Fajolles: Marc = 1 (113: 8.8); Serge gave no commune."""
from __future__ import annotations

import datetime as dt
import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser

import pytest

from consult.accounts.models import Category
from consult.extensions import db
from consult.groups.models import Attendance, Idea, Meeting, MeetingKind, Signup, SignupStatus, WorkingGroup
from consult.proposals.models import AnswerStatus, Call, Comment, Proposal, ProposalState, Support
from consult.surveys.answering import answers as answer_rules
from consult.surveys.models import Channel, Option, Question, QuestionType, Response, Survey, SurveyPage, SurveyStatus
from consult.synthesis.models import QuestionLink, TaggedText, TextSource
from tests.conftest import commune_by_code
from tests.surveys.releasing import release as make_release

SLUG = "terres-des-confluences"
BASE = f"/t/{SLUG}/manage/synthesis"
FREE_TEXT = "Un bus vers l'hôpital de Moissac le samedi matin"
OTHER_FREE_TEXT = "Plus de kinés à Castelsarrasin"


@dataclass
class World:
    survey: Survey
    q1: Question
    q2: Question
    release: object
    axis: object
    axis2: object
    objective1: object
    objective2: object
    proposal_a: Proposal
    proposal_b: Proposal
    proposal_c: Proposal
    comment: Comment
    hidden_comment: Comment
    group: WorkingGroup
    meeting: Meeting
    forum: Meeting
    idea: Idea
    forum_idea: Idea
    answer: object
    tagged_answer: TaggedText
    tagged_comment: TaggedText
    tagged_minutes: TaggedText
    link: QuestionLink


def add_response(survey: Survey, data: dict, channel: Channel, day=dt.date(2026, 10, 5)) -> Response:
    response = Response(survey=survey, channel=channel, submitted_on=day)
    for question in survey.questions:
        response.answers.extend(answer_rules.answer_rows(question, data))
    db.session.add(response)
    return response


def build_survey(territory) -> Survey:
    q1 = Question(code="Q1", position=0, type=QuestionType.YES_NO, text="Avez-vous renoncé à des soins depuis un an ?",
                  options=[Option(code="1", label="Oui", position=1), Option(code="2", label="Non", position=2)])
    q2 = Question(code="Q2", position=1, type=QuestionType.LONG_TEXT,
                  text="Qu'est-ce qui améliorerait votre santé ici ?")
    survey = Survey(territory=territory, title="Votre santé à Terres des Confluences", status=SurveyStatus.OPEN,
                    pages=[SurveyPage(position=0, title="Votre santé", questions=[q1, q2])])
    for q in (q1, q2):
        q.survey = survey
    db.session.add(survey)
    db.session.flush()
    for i in range(14):
        data = {"Q1": "1"}
        if i == 0:
            data["Q2"] = FREE_TEXT
        if i == 1:
            data["Q2"] = OTHER_FREE_TEXT
        add_response(survey, data, Channel.WEB)
    for _i in range(11):
        add_response(survey, {"Q1": "2"}, Channel.PAPER, dt.date(2026, 10, 12))
    db.session.commit()
    return survey


def when(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0)


@pytest.fixture
def world(app, territory, make_user, coordinator) -> World:
    """The world described in the module docstring."""
    axis, axis2 = territory.current_contract.axes
    objective1, objective2 = axis.objectives
    moissac, saint_nicolas, fajolles = (commune_by_code(c) for c in ("82112", "82169", "82058"))
    person = {
        "alice": make_user(display_name="Alice Martin", category=Category.RESIDENT, commune=moissac),
        "bruno": make_user(display_name="Bruno Lefèvre", category=Category.HEALTH_PROFESSIONAL,
                           commune=saint_nicolas),
        "sam": make_user(display_name="Sam Garcia", category=Category.RESIDENT, commune=moissac),
        "sophie": make_user(display_name="Sophie N'Diaye", category=Category.RESIDENT, commune=saint_nicolas),
        "serge": make_user(display_name="Serge Roux", category=Category.ASSOCIATION, commune=None),
        "marc": make_user(display_name="Marc Delmas", category=Category.ELECTED, commune=fajolles),
    }

    survey = build_survey(territory)
    q1, q2 = survey.questions
    link = QuestionLink(question=q1, axis=axis, objective=objective1)
    db.session.add(link)
    db.session.commit()
    release = make_release(survey, now=when(11, 1))
    add_response(survey, {"Q1": "1", "Q2": "Une réponse arrivée après la publication"}, Channel.WEB,
                 dt.date(2026, 11, 16))

    call = Call(territory=territory, title="Vos idées pour la santé", submission_opens_at=when(9, 1),
                submission_closes_at=when(12, 31), voting_opens_at=when(9, 1), voting_closes_at=when(12, 31))
    call.axes = [axis, axis2]
    proposal_a = Proposal(call=call, author=person["alice"], title="Un bus vers l'hôpital de Moissac le samedi",
                          description="Beaucoup d'habitants n'ont pas de voiture.", axis=axis, objective=objective1,
                          state=ProposalState.PUBLISHED, submitted_at=when(10, 9), published_at=when(10, 10))
    proposal_b = Proposal(call=call, author=person["bruno"], title="Une permanence de PMI à Saint-Nicolas",
                          description="Les jeunes parents attendent trois mois.", axis=axis,
                          state=ProposalState.PUBLISHED, submitted_at=when(11, 1), published_at=when(11, 2),
                          answer_status=AnswerStatus.RETAINED, answer_text="Reprise dans la fiche 1.2.",
                          answered_at=when(11, 20))
    proposal_c = Proposal(call=call, author=person["bruno"], title="Un brouillon jamais publié", axis=axis2,
                          state=ProposalState.DRAFT)
    db.session.add_all([call, proposal_a, proposal_b, proposal_c])
    db.session.flush()
    for name in ("sam", "sophie", "serge"):
        db.session.add(Support(proposal=proposal_a, user=person[name], created_at=when(10, 12)))
    db.session.add(Support(proposal=proposal_b, user=person["sam"], created_at=when(11, 3)))
    comment = Comment(proposal=proposal_a, author=person["sophie"], body="Le samedi matin serait idéal.",
                      created_at=when(11, 5))
    hidden_comment = Comment(proposal=proposal_a, author=person["serge"], body="Un commentaire masqué",
                             created_at=when(11, 6), hidden_at=when(11, 7), hidden_reason="Hors sujet")
    db.session.add_all([comment, hidden_comment])

    group = WorkingGroup(territory=territory, axis=axis, title="Accès aux soins", capacity=15, member_count=2,
                         objectives=[objective2])
    db.session.add(group)
    for name, category, commune in (("alice", Category.RESIDENT, moissac), ("marc", Category.ELECTED, fajolles)):
        db.session.add(Signup(group=group, user=person[name], status=SignupStatus.MEMBER, category=category,
                              commune=commune, member_since=when(9, 20)))
    meeting = Meeting(territory=territory, group=group, kind=MeetingKind.GROUP_MEETING,
                      title="Première réunion du groupe", starts_at=when(10, 5, 16),
                      minutes="Le groupe propose **un annuaire** des professionnels.\n\nLes élus demandent un bus.",
                      minutes_published_at=when(10, 6))
    forum = Meeting(territory=territory, kind=MeetingKind.FORUM, title="Forum santé de Moissac",
                    starts_at=when(11, 14, 14))
    db.session.add_all([meeting, forum])
    db.session.flush()
    db.session.add_all([
        Attendance(meeting=meeting, user=person["alice"], category=Category.RESIDENT, commune=moissac),
        Attendance(meeting=meeting, user=person["marc"], category=Category.ELECTED, commune=fajolles),
        Attendance(meeting=meeting, name="Anne Roques", structure="MSP de Lectoure",
                   category=Category.HEALTH_PROFESSIONAL, commune=saint_nicolas),
        Attendance(meeting=forum, name="Jean Dupont", category=Category.RESIDENT, commune=moissac),
    ])
    idea = Idea(meeting=meeting, axis=axis, objective=objective2, text="Créer un annuaire des professionnels de santé")
    forum_idea = Idea(meeting=forum, axis=axis2, text="Un atelier cuisine pour les familles")
    db.session.add_all([idea, forum_idea])
    db.session.flush()

    answer = next(a for r in db.session.scalars(db.select(Response).where(Response.survey_id == survey.id))
                  for a in r.answers if a.value_text == FREE_TEXT)
    tagged_answer = TaggedText(territory=territory, axis=axis, source=TextSource.SURVEY_ANSWER, answer=answer)
    tagged_comment = TaggedText(territory=territory, axis=axis, source=TextSource.COMMENT, comment=comment)
    tagged_minutes = TaggedText(territory=territory, axis=axis, objective=objective2, source=TextSource.MINUTES,
                                meeting=meeting, excerpt="Le groupe propose un annuaire des professionnels.")
    db.session.add_all([tagged_answer, tagged_comment, tagged_minutes])
    db.session.commit()
    return World(survey, q1, q2, release, axis, axis2, objective1, objective2, proposal_a, proposal_b, proposal_c,
                 comment, hidden_comment, group, meeting, forum, idea, forum_idea, answer, tagged_answer,
                 tagged_comment, tagged_minutes, link)


# --- reading pages ----------------------------------------------------------------------------------------

def text_of(response) -> str:
    """The page's visible text, tags removed and entities decoded, spaces collapsed."""
    body = response.get_data(as_text=True)
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", body, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())


class _Tables(HTMLParser):
    """Every table of a page: its caption and its rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._caption: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if self._cell is not None:
            self._cell.append(" ")
        if tag == "table":
            self.tables.append({"caption": "", "rows": []})
        elif tag == "caption":
            self._caption = []
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th") and self.tables:
            self._cell = []

    def handle_endtag(self, tag):
        if tag == "caption" and self._caption is not None:
            self.tables[-1]["caption"] = " ".join("".join(self._caption).split())
            self._caption = None
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1]["rows"][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        if self._caption is not None:
            self._caption.append(data)


def table(response, caption: str) -> list[list[str]]:
    """The rows (header row included) of the table whose caption starts with `caption`."""
    parser = _Tables()
    parser.feed(response.get_data(as_text=True))
    found = [t for t in parser.tables if t["caption"].startswith(caption)]
    assert found, f"no table captioned {caption!r}: {[t['caption'] for t in parser.tables]}"
    return found[0]["rows"]


def row(response, caption: str, header: str) -> list[str]:
    """The cells after the row header `header` (the row whose first cell starts with it)."""
    rows = [r for r in table(response, caption) if r and r[0].startswith(header)]
    assert rows, f"no row {header!r} in {caption!r}"
    return rows[0][1:]
