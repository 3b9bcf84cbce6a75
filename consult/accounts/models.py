"""User, LoginSession and TerritoryRole (the roles themselves are defined with the territories)."""
from __future__ import annotations

import datetime as dt
import enum

from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Boolean, DateTime, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.core.enums import enum_column
from consult.core.models import TimestampMixin, utcnow
from consult.extensions import db
from consult.territories.models import Commune, Role, Territory  # noqa: F401  (Role: defined with territories, re-exported)


class Category(enum.StrEnum):
    """How a participant takes part: the categories a diagnostic reports."""

    RESIDENT = "resident"
    ELECTED = "elected"
    HEALTH_PROFESSIONAL = "health_professional"
    SOCIAL_PROFESSIONAL = "social_professional"
    INSTITUTION = "institution"
    ASSOCIATION = "association"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.RESIDENT: _l("Resident"),
    Category.ELECTED: _l("Elected official"),
    Category.HEALTH_PROFESSIONAL: _l("Health professional"),
    Category.SOCIAL_PROFESSIONAL: _l("Social or medico-social professional"),
    Category.INSTITUTION: _l("Institution or partner"),
    Category.ASSOCIATION: _l("Association"),
}


class User(UserMixin, TimestampMixin, db.Model):
    """An account. The email is stored lower-cased and unique."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(80))
    email_confirmed_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    privacy_consent_at: Mapped[dt.datetime] = mapped_column(DateTime)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    is_disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    commune_id: Mapped[int | None] = mapped_column(ForeignKey("communes.id", ondelete="SET NULL"))
    category: Mapped[Category | None] = mapped_column(enum_column(Category, "user_category"), default=None)
    structure: Mapped[str] = mapped_column(String(160), default="")
    locale: Mapped[str | None] = mapped_column(String(5), default=None)
    # Retention: the last login or action (an account inactive for the stated period is warned, then erased).
    last_active_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    inactivity_warned_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)
    # Set when the account was erased (its owner's choice or inactivity): personal data gone, contributions kept.
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime, default=None)

    commune: Mapped[Commune | None] = relationship()
    roles: Mapped[list[TerritoryRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    # Set by the user loader: the server-side session this request was authenticated with.
    session_key = None  # type: str | None

    def get_id(self) -> str:
        # Flask-Login stores this in the cookie: the per-login key, so that logging out
        # (deleting the LoginSession row) invalidates every copy of the cookie.
        if not self.session_key:
            raise RuntimeError("log in through accounts.services.start_session()")
        return self.session_key

    @property
    def is_active(self) -> bool:
        return not self.is_disabled

    @property
    def is_confirmed(self) -> bool:
        return self.email_confirmed_at is not None

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def public_name(self) -> str:
        """The name shown next to what the person wrote: their name, or a neutral label once the account is erased."""
        return str(_l("Former participant")) if self.is_erased else self.display_name

    def role_in(self, territory: Territory) -> Role | None:
        return next((r.role for r in self.roles if r.territory_id == territory.id), None)

    def __repr__(self) -> str:
        return f"<User {self.id}>"


class LoginSession(db.Model):
    """One logged-in browser; deleting the row logs that browser out for good."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship()


class TerritoryRole(TimestampMixin, db.Model):
    """A coordinator or observer appointment in one territory."""

    __tablename__ = "territory_roles"
    __table_args__ = (UniqueConstraint("user_id", "territory_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    territory_id: Mapped[int] = mapped_column(ForeignKey("territories.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "territory_role"))

    user: Mapped[User] = relationship(back_populates="roles")
    territory: Mapped[Territory] = relationship()
