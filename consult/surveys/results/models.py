"""ResultTally: a survey's answers counted once in the database, kept for the next results page."""
from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from consult.extensions import db


class ResultTally(db.Model):
    """The counts every results figure is made of, for the responses up to `watermark` (a response id).

    `counts` holds GROUP BY rows over the answers (see `results.tally`); `responses` the responses counted,
    by day, channel and category, which tells at the next reading whether any of them changed or went
    (a purge, an erasure): then the tally is made again; otherwise only the newer responses are added.
    `structure` is a digest of the questionnaire the counts were made with (questions, options, conditions,
    scores): a change of it makes the tally again too.
    """

    __tablename__ = "result_tallies"

    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), primary_key=True)
    structure: Mapped[str] = mapped_column(String(64))
    watermark: Mapped[int] = mapped_column(Integer)
    responses: Mapped[list] = mapped_column(JSON)
    counts: Mapped[list] = mapped_column(JSON)
