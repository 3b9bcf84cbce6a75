"""Working groups, sign-ups and their waitlist, meetings and events, registrations, attendance, ideas."""
from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l
from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.accounts.models import Category, User
from consult.core.enums import enum_column
from consult.core.models import TimestampMixin, utcnow
from consult.extensions import db
from consult.territories.models import Axis, Commune, Objective, Territory

DEFAULT_CAPACITY = 15

group_objectives = Table(
    "group_objectives",
    db.metadata,
    Column("group_id", ForeignKey("working_groups.id", ondelete="CASCADE"), primary_key=True),
    Column("objective_id", ForeignKey("objectives.id", ondelete="CASCADE"), primary_key=True),
)


class GroupStatus(enum.StrEnum):
    """A group's life: it recruits, then works, then closes. "Full" is shown when seats run out."""

    RECRUITING = "recruiting"
    ACTIVE = "active"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return GROUP_STATUS_LABELS[self]


GROUP_STATUS_LABELS = {
    GroupStatus.RECRUITING: _l("Recruiting"),
    GroupStatus.ACTIVE: _l("Active"),
    GroupStatus.CLOSED: _l("Closed"),
}


class JoinMode(enum.StrEnum):
    """Open groups accept sign-ups at once; others wait for a coordinator."""

    OPEN = "open"
    APPROVAL = "approval"

    @property
    def label(self) -> str:
        return {JoinMode.OPEN: _l("Open: sign-ups are confirmed at once"),
                JoinMode.APPROVAL: _l("On approval: a coordinator accepts each sign-up")}[self]


class WorkingGroup(TimestampMixin, db.Model):
    """A thematic working group of a territory, tied to one axis of the contract."""

    __tablename__ = "working_groups"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("member_count >= 0 AND member_count <= capacity", name="member_count_within_capacity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[int] = mapped_column(ForeignKey("axes.id", ondelete="RESTRICT"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    mission: Mapped[str] = mapped_column(Text, default="")
    audience: Mapped[str] = mapped_column(Text, default="")
    facilitators: Mapped[str] = mapped_column(String(300), default="")
    capacity: Mapped[int] = mapped_column(Integer, default=DEFAULT_CAPACITY)
    # Seats taken, kept by one conditional UPDATE so that simultaneous sign-ups never overfill the group.
    member_count: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[GroupStatus] = mapped_column(enum_column(GroupStatus, "group_status"),
                                                default=GroupStatus.RECRUITING)
    join_mode: Mapped[JoinMode] = mapped_column(enum_column(JoinMode, "group_join_mode"), default=JoinMode.OPEN)
    signup_opens_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    signup_closes_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)

    territory: Mapped[Territory] = relationship()
    axis: Mapped[Axis] = relationship()
    objectives: Mapped[list[Objective]] = relationship(secondary=group_objectives, order_by="Objective.position")
    targets: Mapped[list[GroupTarget]] = relationship(
        back_populates="group", cascade="all, delete-orphan", order_by="GroupTarget.category"
    )
    signups: Mapped[list[Signup]] = relationship(back_populates="group", cascade="all, delete-orphan",
                                                 order_by="Signup.id")
    meetings: Mapped[list[Meeting]] = relationship(back_populates="group", order_by="Meeting.starts_at")

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.member_count, 0)

    @property
    def is_full(self) -> bool:
        return self.member_count >= self.capacity

    def signup_window_open(self, now: dt.datetime) -> bool:
        """Whether the group takes sign-ups at `now` (naive UTC): recruiting and inside its window."""
        if self.status != GroupStatus.RECRUITING:
            return False
        if self.signup_opens_at is not None and now < self.signup_opens_at:
            return False
        return self.signup_closes_at is None or now < self.signup_closes_at

    def __repr__(self) -> str:
        return f"<WorkingGroup {self.title!r}>"


class GroupTarget(db.Model):
    """The composition a group aims for: at least `minimum` members of a category."""

    __tablename__ = "group_targets"
    __table_args__ = (
        UniqueConstraint("group_id", "category"),
        CheckConstraint("minimum > 0", name="minimum_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    category: Mapped[Category] = mapped_column(enum_column(Category, "group_target_category"))
    minimum: Mapped[int] = mapped_column(Integer)

    group: Mapped[WorkingGroup] = relationship(back_populates="targets")


class SignupStatus(enum.StrEnum):
    """Where a person stands with a group."""

    PENDING = "pending"          # waits for a coordinator (groups on approval)
    MEMBER = "member"            # holds a seat
    WAITLISTED = "waitlisted"    # waits for a seat, in order of arrival
    DECLINED = "declined"        # refused by a coordinator
    WITHDRAWN = "withdrawn"      # left of their own will
    REMOVED = "removed"          # removed by a coordinator

    @property
    def label(self) -> str:
        return SIGNUP_STATUS_LABELS[self]

    @property
    def is_active(self) -> bool:
        return self in (SignupStatus.PENDING, SignupStatus.MEMBER, SignupStatus.WAITLISTED)


SIGNUP_STATUS_LABELS = {
    SignupStatus.PENDING: _l("Awaiting approval"),
    SignupStatus.MEMBER: _l("Member"),
    SignupStatus.WAITLISTED: _l("On the waitlist"),
    SignupStatus.DECLINED: _l("Declined"),
    SignupStatus.WITHDRAWN: _l("Withdrawn"),
    SignupStatus.REMOVED: _l("Removed"),
}


class Signup(TimestampMixin, db.Model):
    """One person's sign-up to one group; a single row per person and group, reused if they come back."""

    __tablename__ = "group_signups"
    __table_args__ = (
        UniqueConstraint("group_id", "user_id"),
        Index("ix_group_signups_queue", "group_id", "status", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("working_groups.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[SignupStatus] = mapped_column(enum_column(SignupStatus, "signup_status"))
    # Snapshot of the profile at sign-up: composition figures do not move when a profile changes later.
    category: Mapped[Category | None] = mapped_column(enum_column(Category, "signup_category"), default=None)
    structure: Mapped[str] = mapped_column(String(160), default="")
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id", ondelete="SET NULL"), default=None)
    motivation: Mapped[str] = mapped_column(Text, default="")
    morning: Mapped[bool] = mapped_column(Boolean, default=False)
    afternoon: Mapped[bool] = mapped_column(Boolean, default=False)
    evening: Mapped[bool] = mapped_column(Boolean, default=False)
    shown_to_members: Mapped[bool] = mapped_column(Boolean, default=False)
    decision_message: Mapped[str] = mapped_column(Text, default="")
    queued_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    # When the person last took a seat (kept after they leave, so that attendance rates know who was expected).
    member_since: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    left_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)

    group: Mapped[WorkingGroup] = relationship(back_populates="signups")
    user: Mapped[User] = relationship()
    commune: Mapped[Commune | None] = relationship()

    @property
    def territory(self) -> Territory:
        return self.group.territory

    @property
    def availability(self) -> list[str]:
        return [name for name in ("morning", "afternoon", "evening") if getattr(self, name)]


class MeetingKind(enum.StrEnum):
    """A group's meeting, or a territory-wide event."""

    GROUP_MEETING = "group_meeting"
    FORUM = "forum"
    PLENARY = "plenary"
    WORKSHOP = "workshop"
    PUBLIC_MEETING = "public_meeting"

    @property
    def label(self) -> str:
        return MEETING_KIND_LABELS[self]


MEETING_KIND_LABELS = {
    MeetingKind.GROUP_MEETING: _l("Working group meeting"),
    MeetingKind.FORUM: _l("Health forum"),
    MeetingKind.PLENARY: _l("Plenary session"),
    MeetingKind.WORKSHOP: _l("Workshop"),
    MeetingKind.PUBLIC_MEETING: _l("Public meeting"),
}


class Meeting(TimestampMixin, db.Model):
    """A meeting of a group (group_id set) or an event of the whole territory (group_id empty)."""

    __tablename__ = "meetings"
    __table_args__ = (
        CheckConstraint("duration_minutes > 0", name="duration_positive"),
        CheckConstraint("capacity IS NULL OR capacity > 0", name="capacity_positive"),
        CheckConstraint("capacity IS NULL OR registered_count <= capacity", name="registered_within_capacity"),
        Index("ix_meetings_territory_start", "territory_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("working_groups.id", ondelete="CASCADE"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind, "meeting_kind"))
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[dt.datetime] = mapped_column(DateTime)  # naive UTC
    duration_minutes: Mapped[int] = mapped_column(Integer, default=120)
    place: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    accessibility: Mapped[str] = mapped_column(Text, default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    agenda: Mapped[str] = mapped_column(Text, default="")
    capacity: Mapped[int | None] = mapped_column(Integer, default=None)
    registered_count: Mapped[int] = mapped_column(Integer, default=0)
    minutes: Mapped[str] = mapped_column(Text, default="")
    minutes_published_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    sequence: Mapped[int] = mapped_column(Integer, default=0)  # iCalendar SEQUENCE: bumped on every change

    territory: Mapped[Territory] = relationship()
    group: Mapped[WorkingGroup | None] = relationship(back_populates="meetings")
    registrations: Mapped[list[Registration]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Registration.id"
    )
    attendances: Mapped[list[Attendance]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan", order_by="Attendance.id"
    )
    ideas: Mapped[list[Idea]] = relationship(back_populates="meeting", cascade="all, delete-orphan",
                                             order_by="Idea.id")

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + dt.timedelta(minutes=self.duration_minutes)

    @property
    def is_event(self) -> bool:
        return self.group_id is None

    @property
    def places_left(self) -> int | None:
        return None if self.capacity is None else max(self.capacity - self.registered_count, 0)

    def is_past(self, now: dt.datetime) -> bool:
        return self.ends_at <= now

    def __repr__(self) -> str:
        return f"<Meeting {self.title!r} {self.starts_at:%Y-%m-%d %H:%M}>"


class Registration(TimestampMixin, db.Model):
    """A person's registration to an event (group members are expected at their group's meetings)."""

    __tablename__ = "meeting_registrations"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    cancelled_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)

    meeting: Mapped[Meeting] = relationship(back_populates="registrations")
    user: Mapped[User] = relationship()


class Reminder(db.Model):
    """A reminder sent for a meeting to a person: the unique row makes `send-reminders` send it once."""

    __tablename__ = "meeting_reminders"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Attendance(db.Model):
    """Someone who came to a meeting: an account, or a person without one (name, category, structure)."""

    __tablename__ = "meeting_attendances"
    __table_args__ = (
        UniqueConstraint("meeting_id", "user_id"),
        CheckConstraint("user_id IS NOT NULL OR name <> ''", name="account_or_name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(120), default="")
    category: Mapped[Category | None] = mapped_column(enum_column(Category, "attendance_category"), default=None)
    structure: Mapped[str] = mapped_column(String(160), default="")
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id", ondelete="SET NULL"), default=None)
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    user: Mapped[User | None] = relationship()
    commune: Mapped[Commune | None] = relationship()

    # What the purge leaves of the name of someone without an account (the row, and so the counts, stay).
    FORGOTTEN = "—"

    @property
    def display_name(self) -> str:
        if self.user is not None:
            return self.user.public_name
        return str(_l("Person without an account (name deleted)")) if self.name == self.FORGOTTEN else self.name


class Idea(TimestampMixin, db.Model):
    """An idea raised in a meeting, tied to an axis (and possibly an objective) for the synthesis."""

    __tablename__ = "meeting_ideas"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), index=True)
    axis_id: Mapped[int] = mapped_column(ForeignKey("axes.id", ondelete="RESTRICT"), index=True)
    objective_id: Mapped[int | None] = mapped_column(ForeignKey("objectives.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)

    meeting: Mapped[Meeting] = relationship(back_populates="ideas")
    axis: Mapped[Axis] = relationship()
    objective: Mapped[Objective | None] = relationship()


class CalendarFeed(db.Model):
    """A person's private calendar address: only the token's hash is stored; a new token revokes the old."""

    __tablename__ = "calendar_feeds"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()
