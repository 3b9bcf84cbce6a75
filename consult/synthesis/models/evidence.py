"""Evidence for the synthesis: survey questions linked to axes, free texts tagged by hand, and a fiche's citations.
Citations are references to their source (a release's figure, a proposal, an idea, a tagged text, a working
group), never pasted text: the source's page shows the fiche that took it up."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, query_expression, relationship

from consult.accounts.models import User
from consult.core.enums import enum_column
from consult.core.models import utcnow
from consult.extensions import db
from consult.groups.models import Idea, Meeting, WorkingGroup
from consult.proposals.models import Comment, Proposal
from consult.surveys.models import Answer, Question
from consult.surveys.releases.models import SurveyRelease
from consult.synthesis.models.fiches import Fiche
from consult.territories.models import Axis, Objective, Territory


class QuestionLink(db.Model):
    """A survey question linked by a coordinator to an axis (and possibly one of its objectives)."""

    __tablename__ = "question_axis_links"
    __table_args__ = (UniqueConstraint("question_id", "axis_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("questions.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[int] = mapped_column(ForeignKey("axes.id", ondelete="CASCADE"), index=True)
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objectives.id", ondelete="SET NULL"), default=None)

    question: Mapped[Question] = relationship()
    axis: Mapped[Axis] = relationship()
    objective: Mapped[Objective | None] = relationship()

    @property
    def territory(self) -> Territory:
        return self.axis.territory


class TextSource(enum.StrEnum):
    SURVEY_ANSWER = "survey_answer"   # a free-text answer to a survey
    COMMENT = "comment"               # a comment on a proposal
    MINUTES = "minutes"               # an excerpt of a meeting's minutes


class TaggedText(db.Model):
    """A free-text contribution a coordinator tagged with an axis. The text stays in its source (answer,
    comment), except a minutes excerpt, which is the part of the minutes the coordinator chose."""

    __tablename__ = "tagged_texts"
    __table_args__ = (
        UniqueConstraint("axis_id", "answer_id"),
        UniqueConstraint("axis_id", "comment_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[int] = mapped_column(ForeignKey("axes.id", ondelete="CASCADE"), index=True)
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objectives.id", ondelete="SET NULL"), default=None)
    source: Mapped[TextSource] = mapped_column(enum_column(TextSource, "tagged_text_source"))
    answer_id: Mapped[int | None] = mapped_column(ForeignKey("answers.id", ondelete="CASCADE"), default=None)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_comments.id", ondelete="CASCADE"),
                                                   default=None)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), default=None)
    excerpt: Mapped[str] = mapped_column(Text, default="")
    tagged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    territory: Mapped[Territory] = relationship()
    axis: Mapped[Axis] = relationship()
    objective: Mapped[Objective | None] = relationship()
    answer: Mapped[Answer | None] = relationship()
    comment: Mapped[Comment | None] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    tagged_by: Mapped[User | None] = relationship()


class CitationKind(enum.StrEnum):
    SURVEY_FIGURE = "survey_figure"
    PROPOSAL = "proposal"
    IDEA = "idea"
    TAGGED_TEXT = "tagged_text"
    WORKING_GROUP = "working_group"


class Citation(db.Model):
    """A piece of evidence a fiche cites. A survey figure is a release, a question code and the figure's key in
    that release's content (`figure`, e.g. {"option": "3"}): the release is immutable, so the quote never drifts."""

    __tablename__ = "fiche_citations"

    id: Mapped[int] = mapped_column(primary_key=True)
    fiche_id: Mapped[int] = mapped_column(ForeignKey("fiches.id", ondelete="CASCADE"), index=True)
    kind: Mapped[CitationKind] = mapped_column(enum_column(CitationKind, "citation_kind"))
    release_id: Mapped[int | None] = mapped_column(ForeignKey("survey_releases.id", ondelete="CASCADE"),
                                                   default=None, index=True)
    question_code: Mapped[str | None] = mapped_column(String(20), default=None)
    figure: Mapped[dict | None] = mapped_column(JSON, default=None)
    proposal_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), default=None,
                                                    index=True)
    idea_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_ideas.id", ondelete="CASCADE"), default=None,
                                                index=True)
    tagged_text_id: Mapped[int | None] = mapped_column(ForeignKey("tagged_texts.id", ondelete="CASCADE"),
                                                       default=None, index=True)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("working_groups.id", ondelete="CASCADE"), default=None,
                                                 index=True)
    note: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # When the cited proposal's author and followers were told the fiche took it up (once, even if republished).
    notified_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)

    fiche: Mapped[Fiche] = relationship(back_populates="citations")
    release: Mapped[SurveyRelease | None] = relationship()
    proposal: Mapped[Proposal | None] = relationship()
    idea: Mapped[Idea | None] = relationship()
    tagged_text: Mapped[TaggedText | None] = relationship()
    group: Mapped[WorkingGroup | None] = relationship()
    # The cited proposal's number of supports, when the query asked for it (`with_expression`): no column.
    proposal_supports: Mapped[int | None] = query_expression()
