"""Survey, SurveyPage, Question, Option, Response, Answer, Draft, AccessCode, PanelContact."""
from __future__ import annotations

import datetime as dt
import enum
import functools
import secrets
import uuid

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    event,
    false,
    inspect,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload
from sqlalchemy.orm.attributes import flag_modified

from consult.core.enums import enum_column
from consult.core.models import TimestampMixin
from consult.core.time import week_start
from consult.extensions import db
from consult.territories.models import Axis, Objective, Territory


class SurveyStatus(enum.StrEnum):
    """Life of a survey: drafted, open to answers, closed, archived."""

    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"
    ARCHIVED = "archived"

    @property
    def label(self) -> str:
        return {
            SurveyStatus.DRAFT: lazy_pgettext("survey status", "Draft"),
            SurveyStatus.OPEN: lazy_pgettext("survey status", "Open"),
            SurveyStatus.CLOSED: lazy_pgettext("survey status", "Closed"),
            SurveyStatus.ARCHIVED: lazy_pgettext("survey status", "Archived"),
        }[self]


class SurveyMode(enum.StrEnum):
    """Anonymous (no account, nothing personal stored) or identified (one response per account)."""

    ANONYMOUS = "anonymous"
    IDENTIFIED = "identified"

    @property
    def label(self) -> str:
        return {SurveyMode.ANONYMOUS: _l("Anonymous"), SurveyMode.IDENTIFIED: _l("Identified (account required)")}[self]


class Channel(enum.StrEnum):
    """How a response reached us."""

    WEB = "web"
    PAPER = "paper"
    PHONE = "phone"
    WORKSHOP = "workshop"

    @property
    def label(self) -> str:
        return {
            Channel.WEB: _l("Web"),
            Channel.PAPER: _l("Paper"),
            Channel.PHONE: _l("Phone"),
            Channel.WORKSHOP: _l("Workshop"),
        }[self]


class QuestionType(enum.StrEnum):
    """Every kind of question a survey can ask."""

    SINGLE = "single_choice"
    MULTIPLE = "multiple_choice"
    LIKERT = "likert"
    RATING = "rating"
    NUMBER = "number"
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    DATE = "date"
    COMMUNE = "commune"
    AGE_BAND = "age_band"
    YES_NO = "yes_no"
    RANKING = "ranking"
    MATRIX = "matrix"

    @property
    def label(self) -> str:
        return QUESTION_TYPE_LABELS[self]

    @property
    def has_options(self) -> bool:
        return self in CHOICE_TYPES or self in (QuestionType.RANKING, QuestionType.MATRIX)

    @property
    def is_closed(self) -> bool:
        """Answered by picking among fixed categories: can be counted and cross-tabulated."""
        return self in CHOICE_TYPES or self is QuestionType.COMMUNE


CHOICE_TYPES = frozenset({QuestionType.SINGLE, QuestionType.MULTIPLE, QuestionType.LIKERT,
                          QuestionType.AGE_BAND, QuestionType.YES_NO})

QUESTION_TYPE_LABELS = {
    QuestionType.SINGLE: _l("Single choice"),
    QuestionType.MULTIPLE: _l("Multiple choice"),
    QuestionType.LIKERT: _l("Scale with labelled points (Likert)"),
    QuestionType.RATING: _l("Rating from 0 to 10"),
    QuestionType.NUMBER: _l("Number"),
    QuestionType.SHORT_TEXT: _l("Short text"),
    QuestionType.LONG_TEXT: _l("Long text"),
    QuestionType.DATE: _l("Date"),
    QuestionType.COMMUNE: _l("Commune of the territory"),
    QuestionType.AGE_BAND: _l("Age band"),
    QuestionType.YES_NO: _l("Yes / no"),
    QuestionType.RANKING: _l("Ranking"),
    QuestionType.MATRIX: _l("Matrix (items × scale)"),
}


def new_structure_version() -> str:
    """A fresh structure version (see Survey.structure_version)."""
    return secrets.token_hex(8)


survey_axes = Table(
    "survey_axes",
    db.metadata,
    Column("survey_id", ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True),
    Column("axis_id", ForeignKey("axes.id", ondelete="CASCADE"), primary_key=True),
)

survey_objectives = Table(
    "survey_objectives",
    db.metadata,
    Column("survey_id", ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True),
    Column("objective_id", ForeignKey("objectives.id", ondelete="CASCADE"), primary_key=True),
)


class Survey(TimestampMixin, db.Model):
    """A questionnaire of a territory."""

    __tablename__ = "surveys"
    __table_args__ = (
        CheckConstraint("closes_at IS NULL OR opens_at IS NULL OR closes_at > opens_at", name="window_in_order"),
        CheckConstraint("disclosure_threshold IS NULL OR disclosure_threshold >= 1", name="threshold_positive"),
        CheckConstraint("disclosure_floor IS NULL OR disclosure_floor >= 1", name="floor_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    introduction: Mapped[str] = mapped_column(Text, default="")
    purpose: Mapped[str] = mapped_column(Text, default="")
    retention: Mapped[str] = mapped_column(Text, default="")
    # How long raw answers are kept after the survey closes (months); the interface states it, the purge applies it.
    retention_months: Mapped[int | None] = mapped_column(Integer, default=None)
    status: Mapped[SurveyStatus] = mapped_column(enum_column(SurveyStatus, "survey_status"), default=SurveyStatus.DRAFT)
    mode: Mapped[SurveyMode] = mapped_column(enum_column(SurveyMode, "survey_mode"), default=SurveyMode.ANONYMOUS)
    opens_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    closes_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    # When a coordinator closed it (cleared if opened again): with closes_at, when its answers' retention starts.
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    access_codes_required: Mapped[bool] = mapped_column(Boolean, default=False)
    disclosure_threshold: Mapped[int | None] = mapped_column(Integer, default=None)
    # The k in force when the first response was stored (raised when the results are published or the
    # settings saved with responses): no figure is ever shown with a smaller k, even if the site's
    # DISCLOSURE_THRESHOLD is lowered later. None while the survey has no response.
    disclosure_floor: Mapped[int | None] = mapped_column(Integer, default=None)
    mental_health: Mapped[bool] = mapped_column(Boolean, default=False)
    recontact_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    results_published_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    # Changes, in the same flush, with any change to the pages, questions or options (`_new_structure_versions`
    # below): every app server keeps a copy of the structure per version (answering/structure.py) and reads the
    # version with the survey, so an edit is seen at once everywhere. Random rather than counted, so that a copy
    # never outlives its survey: ids are reused after a deletion (SQLite), counters would start again from 1.
    # Set when the ORM inserts the survey (`_first_structure_version`); "0" for rows written by plain SQL.
    structure_version: Mapped[str] = mapped_column(String(32), server_default="0")

    territory: Mapped[Territory] = relationship()
    axes: Mapped[list[Axis]] = relationship(secondary=survey_axes, order_by="Axis.position")
    objectives: Mapped[list[Objective]] = relationship(secondary=survey_objectives, order_by="Objective.position")
    pages: Mapped[list[SurveyPage]] = relationship(
        back_populates="survey", order_by="SurveyPage.position", cascade="all, delete-orphan"
    )

    @property
    def questions(self) -> list[Question]:
        return [q for page in self.pages for q in page.questions]

    def effective_threshold(self, site_threshold: int) -> int:
        """k: the survey's own minimum cell size, else the site's — never below the pinned floor."""
        return max(self.disclosure_threshold or site_threshold, self.disclosure_floor or 0)

    def pin_threshold(self, site_threshold: int) -> None:
        """Keep the k in force now as the floor: from now on, k can only go up."""
        self.disclosure_floor = self.effective_threshold(site_threshold)

    def answering_ended_at(self, now: dt.datetime) -> dt.datetime | None:
        """When it stopped taking answers — closed by hand or its closing date passed — or None if it has not."""
        if self.status is SurveyStatus.DRAFT:
            return None
        ends = [moment for moment in (self.closed_at, self.closes_at) if moment is not None and moment <= now]
        return min(ends, default=None)

    def is_accepting(self, now: dt.datetime) -> bool:
        """Open, and within its window."""
        return (
            self.status is SurveyStatus.OPEN
            and (self.opens_at is None or self.opens_at <= now)
            and (self.closes_at is None or now < self.closes_at)
        )


class SurveyPage(db.Model):
    """A page (section) of a survey, optionally shown only when an earlier answer matches."""

    __tablename__ = "survey_pages"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    mental_health: Mapped[bool] = mapped_column(Boolean, default=False)
    # Shown only when the answer to question `condition_code` includes one of `condition_values`.
    condition_code: Mapped[str | None] = mapped_column(String(20), default=None)
    condition_values: Mapped[list | None] = mapped_column(JSON, default=None)

    survey: Mapped[Survey] = relationship(back_populates="pages")
    questions: Mapped[list[Question]] = relationship(
        back_populates="page", order_by="Question.position", cascade="all, delete-orphan"
    )


class Question(db.Model):
    """A question; its `code` (Q1, Q2…) is stable and names its column in exports."""

    __tablename__ = "questions"
    __table_args__ = (
        UniqueConstraint("survey_id", "code"),
        CheckConstraint("min_choices IS NULL OR min_choices >= 0", name="min_choices_not_negative"),
        CheckConstraint("max_choices IS NULL OR min_choices IS NULL OR max_choices >= min_choices",
                        name="choices_in_order"),
        CheckConstraint("max_value IS NULL OR min_value IS NULL OR max_value >= min_value", name="bounds_in_order"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    page_id: Mapped[int] = mapped_column(ForeignKey("survey_pages.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(20))
    type: Mapped[QuestionType] = mapped_column(enum_column(QuestionType, "question_type"))
    text: Mapped[str] = mapped_column(Text)
    falc_text: Mapped[str] = mapped_column(Text, default="")
    help_text: Mapped[str] = mapped_column(Text, default="")
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    min_choices: Mapped[int | None] = mapped_column(Integer, default=None)
    max_choices: Mapped[int | None] = mapped_column(Integer, default=None)
    min_value: Mapped[float | None] = mapped_column(Float, default=None)
    max_value: Mapped[float | None] = mapped_column(Float, default=None)
    low_label: Mapped[str] = mapped_column(String(120), default="")
    high_label: Mapped[str] = mapped_column(String(120), default="")
    max_length: Mapped[int | None] = mapped_column(Integer, default=None)
    # A scored scale (e.g. WHO-5): raw score = sum of the chosen options' scores, times `score_multiplier`
    # gives the percentage; at or below `score_cutoff` the respondent is counted in the "low" group.
    scored: Mapped[bool] = mapped_column(Boolean, default=False)
    score_multiplier: Mapped[float | None] = mapped_column(Float, default=None)
    score_cutoff: Mapped[float | None] = mapped_column(Float, default=None)
    score_cutoff_label: Mapped[str] = mapped_column(String(200), default="")
    breakdown_role: Mapped[str | None] = mapped_column(String(20), default=None)  # "sex", "category"…
    # Shown only when the answer to question `condition_code` includes one of `condition_values`.
    condition_code: Mapped[str | None] = mapped_column(String(20), default=None)
    condition_values: Mapped[list | None] = mapped_column(JSON, default=None)

    page: Mapped[SurveyPage] = relationship(back_populates="questions")
    survey: Mapped[Survey] = relationship()
    options: Mapped[list[Option]] = relationship(
        back_populates="question", order_by="Option.position", cascade="all, delete-orphan"
    )

    @property
    def choices(self) -> list[Option]:
        """Answer options (for a matrix: the scale columns)."""
        return [o for o in self.options if not o.is_row]

    @property
    def rows(self) -> list[Option]:
        """Matrix items."""
        return [o for o in self.options if o.is_row]

    def option_by_code(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)


class Option(db.Model):
    """An answer option of a choice, ranking or matrix question, or a matrix row (`is_row`)."""

    __tablename__ = "options"
    __table_args__ = (UniqueConstraint("question_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    code: Mapped[str] = mapped_column(String(20))
    label: Mapped[str] = mapped_column(String(300))
    falc_label: Mapped[str] = mapped_column(String(300), default="")
    is_other: Mapped[bool] = mapped_column(Boolean, default=False)
    is_row: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float | None] = mapped_column(Float, default=None)

    question: Mapped[Question] = relationship(back_populates="options")


def _owner(item: SurveyPage | Question | Option) -> Survey | int | None:
    """The survey (or its id) whose structure `item` belongs to; None when it belongs to no saved survey yet."""
    if isinstance(item, Option):
        question = item.question
        return _owner(question) if question is not None else None
    if item.survey_id is not None:
        return item.survey_id
    if item.survey is not None:
        return item.survey
    page = getattr(item, "page", None)
    return _owner(page) if page is not None else None


@event.listens_for(Survey, "before_insert")
def _first_structure_version(_mapper, _connection, survey: Survey) -> None:
    """A new survey's first version, unless given (not a column default: SQL inserts of older schemas, as in the
    migration tests, must not name a column that they do not have yet)."""
    if survey.structure_version is None:
        survey.structure_version = new_structure_version()


@event.listens_for(Session, "before_flush")
def _new_structure_versions(session: Session, _context, _instances) -> None:
    """Give a new structure version to every survey whose pages, questions or options this flush inserts, changes
    or deletes (an option or question removed from its collection marks its parent changed). The survey's
    `updated_at` is written as it was: editing a question is not a change of the survey's settings.

    Structure is only ever changed through the ORM; a bulk UPDATE or DELETE of pages, questions or options would
    have to set a new version itself."""
    owners: list[Survey | int] = []
    with session.no_autoflush:
        for item in session.dirty:
            if isinstance(item, (SurveyPage, Question, Option)) and session.is_modified(item):
                owners.append(_owner(item))
            elif isinstance(item, Survey) and inspect(item).attrs.pages.history.has_changes():
                owners.append(item)
        owners.extend(_owner(item) for item in (*session.new, *session.deleted)
                      if isinstance(item, (SurveyPage, Question, Option)))
        surveys = {id(s): s for s in (session.get(Survey, o) if isinstance(o, int) else o for o in owners if o)}
        for survey in surveys.values():
            if survey is None or survey in session.new or survey in session.deleted:
                continue  # a new survey has its own version already; a deleted one needs none
            survey.updated_at  # noqa: B018  (loaded, so that it is written back unchanged)
            survey.structure_version = new_structure_version()
            flag_modified(survey, "updated_at")


@functools.cache  # loader options are immutable: one tuple per process, so statements built with them are kept
def with_questionnaire():
    """Loader options for a survey's pages, questions and options: what the builder, the keying-in form
    and the printed version show (their templates must not query)."""
    return (selectinload(Survey.pages).selectinload(SurveyPage.questions).selectinload(Question.options),)


class Response(db.Model):
    """One submitted questionnaire. A response linked to no account (every response of an anonymous survey,
    and questionnaires keyed in from paper, phone or a workshop) holds no personal data: no address, and
    only the week it came in (`submitted_on` is that week's Monday), since a day can be matched with who
    was seen answering when; `dedupe_key` is a keyed one-way hash (HMAC) that only prevents duplicates.
    A response of an account (identified mode) keeps its day."""

    __tablename__ = "responses"
    __table_args__ = (UniqueConstraint("survey_id", "dedupe_key"), UniqueConstraint("survey_id", "paper_number"))

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    channel: Mapped[Channel] = mapped_column(enum_column(Channel, "response_channel"))
    submitted_on: Mapped[dt.date] = mapped_column(Date)
    dedupe_key: Mapped[str | None] = mapped_column(String(64), default=None)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    keyed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    # The number printed on a paper questionnaire, keyed on entry: traces a form, refuses a double entry.
    paper_number: Mapped[str | None] = mapped_column(String(20), default=None)

    survey: Mapped[Survey] = relationship()
    answers: Mapped[list[Answer]] = relationship(back_populates="response", cascade="all, delete-orphan")

    @staticmethod
    def day_kept(day: dt.date, *, account: bool) -> dt.date:
        """What `submitted_on` keeps of the day a response came in: the day itself for an account's response,
        the Monday of its week for a response linked to no account."""
        return day if account else week_start(day)


class Answer(db.Model):
    """One value of a response: a chosen option, a number, a text, a rank or a matrix cell."""

    __tablename__ = "answers"

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("responses.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    option_id: Mapped[int | None] = mapped_column(ForeignKey("options.id", ondelete="CASCADE"), default=None)
    row_id: Mapped[int | None] = mapped_column(ForeignKey("options.id", ondelete="CASCADE"), default=None)
    value_text: Mapped[str | None] = mapped_column(Text, default=None)
    value_number: Mapped[float | None] = mapped_column(Float, default=None)
    rank: Mapped[int | None] = mapped_column(Integer, default=None)

    response: Mapped[Response] = relationship(back_populates="answers")
    question: Mapped[Question] = relationship()
    option: Mapped[Option | None] = relationship(foreign_keys=[option_id])
    row: Mapped[Option | None] = relationship(foreign_keys=[row_id])


class Draft(db.Model):
    """Answers in progress, found again through a private resume key (hashed) or the account."""

    __tablename__ = "survey_drafts"
    # One draft per account and survey (identified mode); anonymous drafts have no account (NULLs differ).
    __table_args__ = (UniqueConstraint("survey_id", "key_hash"), UniqueConstraint("survey_id", "user_id"))

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), default=None)
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    page_index: Mapped[int] = mapped_column(Integer, default=0)
    updated_on: Mapped[dt.date] = mapped_column(Date)


class AccessCode(db.Model):
    """A single-use code printed on a paper invitation.

    Only whether it is `spent` is kept, never when: the day of use would equal the day of the response it
    let in, and so point to it.
    """

    __tablename__ = "survey_access_codes"
    __table_args__ = (UniqueConstraint("survey_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16))
    spent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


def _random_id() -> str:
    return uuid.uuid4().hex


class PanelContact(db.Model):
    """Someone who agreed to be re-contacted. Kept apart from answers: a random key, no response
    link and only the month of consent, so that it cannot be joined to a response."""

    __tablename__ = "panel_contacts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=_random_id)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    survey_id: Mapped[int | None] = mapped_column(ForeignKey("surveys.id", ondelete="SET NULL"), default=None)
    email: Mapped[str] = mapped_column(String(254))
    consent_month: Mapped[dt.date] = mapped_column(Date)
