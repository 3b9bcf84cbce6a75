"""Call, Proposal, Support, Comment, Report, ModerationEvent, Follower, PriorityVote and its ballots (their
states and choices: `consult.proposals.states`)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
    select,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from consult.accounts.models import User
from consult.core.enums import enum_column
from consult.core.models import TimestampMixin, utcnow
from consult.extensions import db
from consult.proposals.states import (  # noqa: F401  (the states are importable from the models too)
    ANSWER_LABELS,
    PUBLIC_LABELS,
    AnswerStatus,
    ModerationAction,
    ProposalState,
    Public,
    VoteMethod,
)
from consult.territories.models import Axis, Commune, Objective, Territory

call_axes = Table(
    "proposal_call_axes",
    db.metadata,
    Column("call_id", ForeignKey("proposal_calls.id", ondelete="CASCADE"), primary_key=True),
    Column("axis_id", ForeignKey("axes.id", ondelete="CASCADE"), primary_key=True),
)

proposal_communes = Table(
    "proposal_communes",
    db.metadata,
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
    Column("commune_id", ForeignKey("communes.id", ondelete="CASCADE"), primary_key=True),
)


class Call(TimestampMixin, db.Model):
    """A call for proposals in a territory, with its submission and voting windows."""

    __tablename__ = "proposal_calls"
    __table_args__ = (
        CheckConstraint("submission_closes_at > submission_opens_at", name="submission_window_in_order"),
        CheckConstraint("voting_closes_at > voting_opens_at", name="voting_window_in_order"),
        CheckConstraint("support_limit IS NULL OR support_limit >= 1", name="support_limit_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    presentation: Mapped[str] = mapped_column(Text, default="")
    submission_opens_at: Mapped[dt.datetime] = mapped_column(DateTime)
    submission_closes_at: Mapped[dt.datetime] = mapped_column(DateTime)
    voting_opens_at: Mapped[dt.datetime] = mapped_column(DateTime)
    voting_closes_at: Mapped[dt.datetime] = mapped_column(DateTime)
    support_limit: Mapped[int | None] = mapped_column(Integer, default=None)
    residents_only: Mapped[bool] = mapped_column(Boolean, default=False)

    territory: Mapped[Territory] = relationship()
    axes: Mapped[list[Axis]] = relationship(secondary=call_axes, order_by="Axis.position")

    def is_submitting(self, now: dt.datetime) -> bool:
        return self.submission_opens_at <= now < self.submission_closes_at

    def is_voting(self, now: dt.datetime) -> bool:
        return self.voting_opens_at <= now < self.voting_closes_at

    def is_over(self, now: dt.datetime) -> bool:
        return now >= max(self.submission_closes_at, self.voting_closes_at)

    def has_started(self, now: dt.datetime) -> bool:
        return now >= min(self.submission_opens_at, self.voting_opens_at)


class Proposal(TimestampMixin, db.Model):
    """An action a participant proposes for the territory, tied to an axis of the contract."""

    __tablename__ = "proposals"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("proposal_calls.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    axis_id: Mapped[int] = mapped_column(ForeignKey("axes.id", ondelete="RESTRICT"), index=True)
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objectives.id", ondelete="SET NULL"))
    whole_territory: Mapped[bool] = mapped_column(Boolean, default=True)
    publics: Mapped[str] = mapped_column(String(300), default="")  # space-separated Public values
    state: Mapped[ProposalState] = mapped_column(enum_column(ProposalState, "proposal_state"),
                                                 default=ProposalState.DRAFT, index=True)
    # Accent-free, lower-case title and description kept by the services: search works on both engines.
    search_text: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    published_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    moderation_reason: Mapped[str] = mapped_column(Text, default="")
    answer_status: Mapped[AnswerStatus | None] = mapped_column(enum_column(AnswerStatus, "proposal_answer"),
                                                               default=None)
    answer_text: Mapped[str] = mapped_column(Text, default="")
    existing_reference: Mapped[str] = mapped_column(String(300), default="")
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("proposals.id", ondelete="SET NULL"))

    call: Mapped[Call] = relationship()
    author: Mapped[User] = relationship()
    axis: Mapped[Axis] = relationship()
    objective: Mapped[Objective | None] = relationship()
    communes: Mapped[list[Commune]] = relationship(secondary=proposal_communes, order_by="Commune.name")
    merged_into: Mapped[Proposal | None] = relationship(remote_side=[id])
    # Reports not handled yet, for the moderation page (loaded with the proposal there, never written through).
    open_reports: Mapped[list[Report]] = relationship(
        primaryjoin="and_(Report.proposal_id == Proposal.id, Report.resolved_at.is_(None))",
        order_by="(Report.created_at, Report.id)", viewonly=True)

    @property
    def territory(self) -> Territory:
        return self.call.territory

    @property
    def public_list(self) -> list[Public]:
        return [Public(value) for value in self.publics.split() if value in Public.__members__.values()]

    @property
    def is_public(self) -> bool:
        return self.state is ProposalState.PUBLISHED


class Support(db.Model):
    """One participant's support for one proposal."""

    __tablename__ = "proposal_supports"
    __table_args__ = (UniqueConstraint("user_id", "proposal_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    proposal: Mapped[Proposal] = relationship()
    user: Mapped[User] = relationship()


class CallParticipant(db.Model):
    """One row per person who supported in a call: locked while a support is added, so that the
    per-call limit holds under simultaneous requests on PostgreSQL (SQLite serialises writers)."""

    __tablename__ = "proposal_call_participants"

    call_id: Mapped[int] = mapped_column(ForeignKey("proposal_calls.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)


class Follower(db.Model):
    """Someone who wants an email when the proposal's status changes."""

    __tablename__ = "proposal_followers"

    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)

    user: Mapped[User] = relationship()


class Comment(db.Model):
    """A comment on a published proposal, or a reply to one (one level only)."""

    __tablename__ = "proposal_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_comments.id", ondelete="CASCADE"),
                                                  index=True)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    hidden_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    hidden_reason: Mapped[str] = mapped_column(Text, default="")

    proposal: Mapped[Proposal] = relationship()
    author: Mapped[User] = relationship()
    parent: Mapped[Comment | None] = relationship(remote_side=[id], back_populates="replies")
    replies: Mapped[list[Comment]] = relationship(back_populates="parent", order_by="Comment.created_at",
                                                  cascade="all, delete-orphan")

    @property
    def territory(self) -> Territory:
        return self.proposal.territory


class Report(db.Model):
    """A participant's report of a proposal (comment_id empty) or of one of its comments."""

    __tablename__ = "proposal_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_comments.id", ondelete="CASCADE"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)

    proposal: Mapped[Proposal] = relationship()
    comment: Mapped[Comment | None] = relationship()
    reporter: Mapped[User] = relationship()

    @property
    def territory(self) -> Territory:
        return self.proposal.territory


class ModerationEvent(db.Model):
    """One line of a proposal's moderation history (never edited, never deleted)."""

    __tablename__ = "proposal_moderation_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), index=True)
    comment_id: Mapped[int | None] = mapped_column(ForeignKey("proposal_comments.id", ondelete="SET NULL"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    action: Mapped[ModerationAction] = mapped_column(enum_column(ModerationAction, "proposal_moderation_action"))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    actor: Mapped[User | None] = relationship()


# Stored supports of a proposal: loaded only where a page asks for it (`undefer`), in the proposal's own statement.
Proposal.support_total = column_property(
    select(func.count(Support.id)).where(Support.proposal_id == Proposal.id).correlate_except(Support)
    .scalar_subquery(), deferred=True)


priority_options = Table(
    "proposal_priority_options",
    db.metadata,
    Column("vote_id", ForeignKey("proposal_priority_votes.id", ondelete="CASCADE"), primary_key=True),
    Column("proposal_id", ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True),
)


class PriorityVote(TimestampMixin, db.Model):
    """A second-stage vote between the top proposals of one axis."""

    __tablename__ = "proposal_priority_votes"
    __table_args__ = (
        CheckConstraint("closes_at > opens_at", name="window_in_order"),
        CheckConstraint("picks >= 1", name="picks_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("proposal_calls.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[int] = mapped_column(ForeignKey("axes.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(200))
    method: Mapped[VoteMethod] = mapped_column(enum_column(VoteMethod, "proposal_vote_method"))
    picks: Mapped[int] = mapped_column(Integer, default=1)
    opens_at: Mapped[dt.datetime] = mapped_column(DateTime)
    closes_at: Mapped[dt.datetime] = mapped_column(DateTime)
    # The running result stays hidden from participants until the vote closes (against a bandwagon effect).
    hide_results_until_closed: Mapped[bool] = mapped_column(Boolean, default=True)

    call: Mapped[Call] = relationship()
    axis: Mapped[Axis] = relationship()
    options: Mapped[list[Proposal]] = relationship(secondary=priority_options, order_by="Proposal.title")

    @property
    def territory(self) -> Territory:
        return self.call.territory

    def is_open(self, now: dt.datetime) -> bool:
        return self.opens_at <= now < self.closes_at


class PriorityBallot(db.Model):
    """One participant's ballot in a prioritisation vote."""

    __tablename__ = "proposal_priority_ballots"
    __table_args__ = (UniqueConstraint("vote_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    vote_id: Mapped[int] = mapped_column(ForeignKey("proposal_priority_votes.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    choices: Mapped[list[PriorityChoice]] = relationship(cascade="all, delete-orphan")


class PriorityChoice(db.Model):
    """A proposal picked on a ballot, with its rank (1 = first; all 1 in a pick vote)."""

    __tablename__ = "proposal_priority_choices"
    __table_args__ = (CheckConstraint("rank >= 1", name="rank_positive"),)

    ballot_id: Mapped[int] = mapped_column(ForeignKey("proposal_priority_ballots.id", ondelete="CASCADE"),
                                           primary_key=True)
    proposal_id: Mapped[int] = mapped_column(ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True)
    rank: Mapped[int] = mapped_column(Integer)
