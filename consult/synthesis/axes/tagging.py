"""Free-text contributions tagged by hand with an axis: survey free-text answers (record-level data: coordinators
only), comments on proposals, excerpts of published minutes. Nothing here logs a text."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from consult.core.forms import control_character_error
from consult.errors import Conflict, InvalidInput, NotFound
from consult.extensions import db
from consult.groups.models import Meeting
from consult.proposals.models import Call, Comment, Proposal, ProposalState
from consult.surveys.models import Answer, Question, Response, Survey, SurveyStatus
from consult.surveys.results import text_questions
from consult.surveys.results.data import TEXT_TYPES
from consult.synthesis.axes.targets import Target, parse_id
from consult.synthesis.models import Citation, TaggedText, TextSource
from consult.synthesis.permissions import can_manage_plan, can_read_free_texts
from consult.territories.models import Territory
from consult.territories.permissions import require

PER_PAGE = 20
EXCERPT_MAX = 2000


@dataclass
class TextItem:
    """One free-text contribution that can be tagged, with the tags it has."""

    source: TextSource
    ident: int                 # the answer's, the comment's or the meeting's id
    text: str
    context: str               # where it comes from: survey and question, proposal, meeting
    tags: list[TaggedText] = field(default_factory=list)


@dataclass(frozen=True)
class TextPage:
    items: list[TextItem]
    total: int
    page: int
    pages: int
    per_page: int


def territory_surveys(territory: Territory) -> list[Survey]:
    return list(db.session.scalars(select(Survey).where(Survey.territory_id == territory.id).order_by(Survey.id)))


def _survey_answers(territory: Territory, survey_id: int | None) -> list[TextItem]:
    items = []
    for survey in territory_surveys(territory):
        if (survey_id is not None and survey.id != survey_id) or survey.status is SurveyStatus.DRAFT:  # test answers
            continue
        questions = {q.id: q for q in text_questions(survey)}
        if not questions:
            continue
        others = {o.id: o for q in questions.values() for o in q.options if o.is_other}
        rows = db.session.execute(
            select(Answer.id, Answer.question_id, Answer.option_id, Answer.value_text)
            .join(Response, Response.id == Answer.response_id)
            .where(Response.survey_id == survey.id, Answer.question_id.in_(list(questions)),
                   Answer.value_text.is_not(None))
            .order_by(Answer.response_id, Answer.id)).all()
        for answer_id, question_id, option_id, text in rows:
            question = questions[question_id]
            if (question.type not in TEXT_TYPES and option_id not in others) or not text.strip():
                continue
            where = f"{survey.title} — {question.code} {question.text}"
            if option_id in others:
                where += f" — {others[option_id].label}"
            items.append(TextItem(TextSource.SURVEY_ANSWER, answer_id, text, where))
    return items


def _comments(territory: Territory) -> list[TextItem]:
    comments = db.session.scalars(
        select(Comment).join(Proposal, Proposal.id == Comment.proposal_id).join(Call, Call.id == Proposal.call_id)
        .where(Call.territory_id == territory.id, Comment.hidden_at.is_(None),
               Proposal.state == ProposalState.PUBLISHED)
        .options(selectinload(Comment.proposal)).order_by(Comment.created_at, Comment.id))
    return [TextItem(TextSource.COMMENT, c.id, c.body, _("Comment on “%(title)s”", title=c.proposal.title))
            for c in comments]


def _published_minutes(territory: Territory) -> list[Meeting]:
    return list(db.session.scalars(
        select(Meeting).where(Meeting.territory_id == territory.id, Meeting.minutes_published_at.is_not(None),
                              Meeting.minutes != "")
        .order_by(Meeting.starts_at, Meeting.id)))


def _minutes(territory: Territory) -> list[TextItem]:
    return [TextItem(TextSource.MINUTES, m.id, m.minutes, _("Minutes of “%(title)s”, %(date)s", title=m.title,
                                                             date=format_date(m.starts_at, "long")))
            for m in _published_minutes(territory)]


def text_page(actor, territory: Territory, *, source: TextSource | None = None, survey_id: int | None = None,
              page: int = 1, per_page: int = PER_PAGE) -> TextPage:
    """The territory's free-text contributions, filtered by source and survey, a page at a time, each with its tags.
    Raises PermissionDenied: survey answers are record-level data (coordinators and admins only)."""
    require(can_read_free_texts(actor, territory) and can_manage_plan(actor, territory))
    items: list[TextItem] = []
    if source in (None, TextSource.SURVEY_ANSWER):
        items += _survey_answers(territory, survey_id)
    if survey_id is None and source in (None, TextSource.COMMENT):
        items += _comments(territory)
    if survey_id is None and source in (None, TextSource.MINUTES):
        items += _minutes(territory)
    pages = max(1, math.ceil(len(items) / per_page))
    page = min(max(1, page), pages)
    shown = items[(page - 1) * per_page:page * per_page]
    _attach_tags(territory, shown)
    return TextPage(shown, len(items), page, pages, per_page)


def _attach_tags(territory: Territory, items: list[TextItem]) -> None:
    columns = {TextSource.SURVEY_ANSWER: TaggedText.answer_id, TextSource.COMMENT: TaggedText.comment_id,
               TextSource.MINUTES: TaggedText.meeting_id}
    for source, column in columns.items():
        wanted = {i.ident: i for i in items if i.source is source}
        if not wanted:
            continue
        for tagged in db.session.scalars(
                select(TaggedText).where(TaggedText.territory_id == territory.id, TaggedText.source == source,
                                         column.in_(list(wanted)))
                .options(selectinload(TaggedText.axis), selectinload(TaggedText.objective))
                .order_by(TaggedText.id)):
            wanted[getattr(tagged, column.key)].tags.append(tagged)


def _answer_of(territory: Territory, ident: int | None) -> Answer:
    answer = db.session.get(Answer, ident) if ident is not None else None
    if answer is None or answer.response.survey.territory_id != territory.id or not (answer.value_text or "").strip():
        raise NotFound(_("This text no longer exists."))
    question: Question = answer.question
    if question.type not in TEXT_TYPES and not (answer.option is not None and answer.option.is_other):
        raise NotFound(_("This text no longer exists."))
    return answer


def _comment_of(territory: Territory, ident: int | None) -> Comment:
    comment = db.session.get(Comment, ident) if ident is not None else None
    if (comment is None or comment.proposal.call.territory_id != territory.id or comment.hidden_at is not None
            or comment.proposal.state is not ProposalState.PUBLISHED):
        raise NotFound(_("This text no longer exists."))
    return comment


def _meeting_of(territory: Territory, ident: int | None) -> Meeting:
    meeting = db.session.get(Meeting, ident) if ident is not None else None
    if meeting is None or meeting.territory_id != territory.id or meeting.minutes_published_at is None:
        raise NotFound(_("These minutes are not published."))
    return meeting


def tag_text(actor, territory: Territory, source: TextSource, item, target: Target, *,
             excerpt: str = "") -> tuple[TaggedText, bool]:
    """Tag a free text with the target's axis (and objective); returns the tag and whether it is new. Tagging a text
    again with the same axis only changes the objective (a double click adds nothing); for minutes, the same excerpt
    again adds nothing. Raises PermissionDenied (coordinators and admins of the territory), NotFound (not a text of
    the territory), InvalidInput (an axis of another territory, a missing or too long excerpt)."""
    require(can_manage_plan(actor, territory))
    if target.axis.territory.id != territory.id:
        raise InvalidInput(_("Choose an axis or an objective of the current contract."), field="target")
    ident = parse_id(item)
    found = select(TaggedText).where(TaggedText.axis_id == target.axis.id)
    values: dict = {}
    if source is TextSource.SURVEY_ANSWER:
        require(can_read_free_texts(actor, territory))
        values["answer"] = _answer_of(territory, ident)
        found = found.where(TaggedText.answer_id == ident)
    elif source is TextSource.COMMENT:
        values["comment"] = _comment_of(territory, ident)
        found = found.where(TaggedText.comment_id == ident)
    else:
        meeting = _meeting_of(territory, ident)
        excerpt = (excerpt or "").strip()
        if not excerpt:
            raise InvalidInput(_("Paste the part of the minutes to tag."), field="excerpt")
        if len(excerpt) > EXCERPT_MAX:
            raise InvalidInput(_("An excerpt holds at most %(num)d characters.", num=EXCERPT_MAX), field="excerpt")
        if error := control_character_error(excerpt, multiline=True):  # typed outside a Form: the same rule here
            raise InvalidInput(error, field="excerpt")
        values.update(meeting=meeting, excerpt=excerpt)
        found = found.where(TaggedText.meeting_id == meeting.id, TaggedText.excerpt == excerpt)
    tagged = db.session.scalars(found.limit(1)).first()
    created = tagged is None
    if created:
        tagged = TaggedText(territory=territory, axis=target.axis, source=source, tagged_by_id=actor.id, **values)
        db.session.add(tagged)
    tagged.objective = target.objective
    db.session.flush()
    return tagged, created


def get_tagged(territory: Territory, value) -> TaggedText:
    """A tag of the territory. Raises NotFound."""
    ident = parse_id(value)
    tagged = db.session.get(TaggedText, ident) if ident is not None else None
    if tagged is None or tagged.territory_id != territory.id:
        raise NotFound(_("This tag no longer exists."))
    return tagged


def untag_text(actor, tagged: TaggedText) -> None:
    """Remove a tag. Raises PermissionDenied (coordinators and admins), Conflict (a fiche cites it: removing the tag
    would remove the citation)."""
    require(can_manage_plan(actor, tagged.territory))
    cited = db.session.scalar(select(Citation.id).where(Citation.tagged_text_id == tagged.id).limit(1))
    if cited is not None:
        raise Conflict(_("A fiche cites this text: remove the citation from the fiche first."))
    db.session.delete(tagged)
    db.session.flush()
