"""SurveyRelease: one dated, immutable snapshot of a survey's protected results."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import CheckConstraint, Date, DateTime, ForeignKey, Integer, JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from consult.extensions import db
from consult.surveys.models import Survey


class SurveyRelease(db.Model):
    """What the public and observers read of a survey: every protected table, frozen when it was made.

    Its figures are never updated: a later release is a new row (`number` + 1), made only once at least k responses have
    arrived since the previous one, so that comparing two releases never isolates fewer than k people.
    """

    __tablename__ = "survey_releases"
    __table_args__ = (
        UniqueConstraint("survey_id", "number"),
        CheckConstraint("k >= 1", name="k_positive"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("responses >= 0", name="responses_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    made_at: Mapped[dt.datetime] = mapped_column(DateTime)
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    k: Mapped[int] = mapped_column(Integer)
    responses: Mapped[int] = mapped_column(Integer)
    first_month: Mapped[dt.date | None] = mapped_column(Date, default=None)   # the 1st of the month
    last_month: Mapped[dt.date | None] = mapped_column(Date, default=None)
    # Loaded only when read (readers decode it once per process: see `digest`).
    content: Mapped[dict] = mapped_column(JSON, deferred=True)      # per language, `build.ReleaseContent` as `snapshot.dump` writes it
    audit: Mapped[dict] = mapped_column(JSON, deferred=True)        # `content.Audit`
    # A fingerprint of `content` (SHA-256 of its JSON): readers keep the decoded tables under it, since a
    # release never changes.
    digest: Mapped[str] = mapped_column(String(64))
    # The coordinator's key findings (Markdown, may be edited after the release is made): words only,
    # shown first on the public results page. Never part of `content`.
    key_findings: Mapped[str] = mapped_column(Text, default="")

    survey: Mapped[Survey] = relationship()
