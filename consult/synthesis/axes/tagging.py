"""Free-text contributions tagged by hand with an axis: survey free-text answers (record-level data: coordinators
only), comments on proposals, excerpts of published minutes. Nothing here logs a text."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import DateTime, String, and_, func, literal, null, or_, select, union_all
from sqlalchemy.orm import joinedload

from consult.core.forms import control_character_error
from consult.errors import Conflict, InvalidInput, NotFound
from consult.extensions import db
from consult.groups.models import Meeting
from consult.proposals.models import Call, Comment, Proposal, ProposalState
from consult.surveys.models import Answer, Option, Question, Response, Survey, SurveyStatus
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


# The three sources in the list's order, and each one's rank in it.
_ORDER = {TextSource.SURVEY_ANSWER: 0, TextSource.COMMENT: 1, TextSource.MINUTES: 2}


def _blank(text) -> object:
    """SQL: the text holds nothing but spaces, tabs and line breaks (as `str.strip` sees it for our answers)."""
    for character in ("\n", "\r", "\t"):
        text = func.replace(text, character, "")
    return func.trim(text) == ""


def _columns(source: int, *columns):
    """A SELECT of one source with the list's columns: source rank, id, text, context parts a–d and a date, rank."""
    names = ("ident", "text", "a", "b", "c", "d", "at", "rank")
    return select(literal(source).label("source"), *(c.label(n) for c, n in zip(columns, names, strict=True)))


def _sources(territory: Territory, source: TextSource | None, survey_id: int | None):
    """One SELECT per source kept by the filters, all with the same columns: source rank, id, text, the parts of
    its context, and its rank within its source (the list's order)."""
    rank = func.row_number().over
    none = null().cast(String)
    parts = []
    if source in (None, TextSource.SURVEY_ANSWER):
        surveys = [Survey.territory_id == territory.id, Survey.status != SurveyStatus.DRAFT]  # drafts: test answers
        if survey_id is not None:
            surveys.append(Survey.id == survey_id)
        parts.append(
            _columns(_ORDER[TextSource.SURVEY_ANSWER], Answer.id, Answer.value_text, Survey.title, Question.code,
                     Question.text, Option.label, null().cast(DateTime),
                     rank(order_by=(Survey.id, Answer.response_id, Answer.id)))
            .join(Response, Response.id == Answer.response_id).join(Survey, Survey.id == Response.survey_id)
            .join(Question, Question.id == Answer.question_id)
            .outerjoin(Option, and_(Option.id == Answer.option_id, Option.is_other))
            .where(*surveys, Answer.value_text.is_not(None), ~_blank(Answer.value_text),
                   or_(Question.type.in_(list(TEXT_TYPES)), Option.id.is_not(None))))
    if survey_id is None and source in (None, TextSource.COMMENT):
        parts.append(
            _columns(_ORDER[TextSource.COMMENT], Comment.id, Comment.body, Proposal.title, none, none, none,
                     null().cast(DateTime), rank(order_by=(Comment.created_at, Comment.id)))
            .join(Proposal, Proposal.id == Comment.proposal_id).join(Call, Call.id == Proposal.call_id)
            .where(Call.territory_id == territory.id, Comment.hidden_at.is_(None),
                   Proposal.state == ProposalState.PUBLISHED))
    if survey_id is None and source in (None, TextSource.MINUTES):
        parts.append(
            _columns(_ORDER[TextSource.MINUTES], Meeting.id, Meeting.minutes, Meeting.title, none, none, none,
                     Meeting.starts_at, rank(order_by=(Meeting.starts_at, Meeting.id)))
            .where(Meeting.territory_id == territory.id, Meeting.minutes_published_at.is_not(None),
                   Meeting.minutes != ""))
    return parts


def _item(row) -> TextItem:
    source = next(s for s, n in _ORDER.items() if n == row.source)
    if source is TextSource.SURVEY_ANSWER:
        where = f"{row.a} — {row.b} {row.c}" + (f" — {row.d}" if row.d is not None else "")
    elif source is TextSource.COMMENT:
        where = _("Comment on “%(title)s”", title=row.a)
    else:
        where = _("Minutes of “%(title)s”, %(date)s", title=row.a, date=format_date(row.at, "long"))
    return TextItem(source, row.ident, row.text, where)


def text_page(actor, territory: Territory, *, source: TextSource | None = None, survey_id: int | None = None,
              page: int = 1, per_page: int = PER_PAGE) -> TextPage:
    """The territory's free-text contributions, filtered by source and survey, a page at a time, each with its tags:
    the page and the total in one query, their tags in another (a page past the last shows the last).
    Raises PermissionDenied: survey answers are record-level data (coordinators and admins only)."""
    require(can_read_free_texts(actor, territory) and can_manage_plan(actor, territory))
    parts = _sources(territory, source, survey_id)
    if not parts:
        return TextPage([], 0, 1, 1, per_page)
    texts = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()

    def fetch(number: int):
        return db.session.execute(
            select(texts, func.count().over().label("total")).order_by(texts.c.source, texts.c.rank)
            .limit(per_page).offset((number - 1) * per_page)).all()

    page = max(1, page)
    rows = fetch(page)
    if rows:
        total = rows[0].total
    else:
        total = db.session.scalar(select(func.count()).select_from(texts))
        if total and page > 1:
            page = math.ceil(total / per_page)
            rows = fetch(page)
    pages = max(1, math.ceil(total / per_page))
    shown = [_item(row) for row in rows]
    _attach_tags(territory, shown)
    return TextPage(shown, total, min(page, pages), pages, per_page)


def _attach_tags(territory: Territory, items: list[TextItem]) -> None:
    columns = {TextSource.SURVEY_ANSWER: TaggedText.answer_id, TextSource.COMMENT: TaggedText.comment_id,
               TextSource.MINUTES: TaggedText.meeting_id}
    wanted = {source: {i.ident: i for i in items if i.source is source} for source in columns}
    matches = [column.in_(list(wanted[source])) for source, column in columns.items() if wanted[source]]
    if not matches:
        return
    for tagged in db.session.scalars(
            select(TaggedText).where(TaggedText.territory_id == territory.id, or_(*matches))
            .options(joinedload(TaggedText.axis), joinedload(TaggedText.objective)).order_by(TaggedText.id)):
        item = wanted[tagged.source].get(getattr(tagged, columns[tagged.source].key))
        if item is not None:
            item.tags.append(tagged)


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
