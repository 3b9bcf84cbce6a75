"""The annual review of a contract: what a COPIL reads each year.

Fiches by the status they had on 31 December (from their status history, not today's status), indicators
against target with that year's value, the decisions and follow-up notes of the year, and the participation
of the year in the territory. Survey responses are those of each survey's latest release made by the end of the
year (its n), never a live count: a live count would change with each response where observers read it, which
the release rules forbid (see docs/privacy.md).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from consult.core.time import paris_to_utc
from consult.extensions import db
from consult.groups.models import Idea, Meeting
from consult.groups.services import stats
from consult.proposals.models import Call, Proposal, Support
from consult.surveys.models import Survey
from consult.surveys.releases.models import SurveyRelease
from consult.synthesis.followup.services import verdict
from consult.synthesis.models import Fiche, FicheStatus, FollowUpNote, Indicator
from consult.synthesis.models.governance import BodySession, Decision, DecisionFiche, GovernanceBody
from consult.territories.models import Contract


@dataclass(frozen=True)
class IndicatorLine:
    fiche: Fiche
    indicator: Indicator
    value: float | None
    verdict: str          # reached, not_reached, no_value, no_target


@dataclass(frozen=True)
class SurveyCount:
    survey: Survey
    release: SurveyRelease | None   # the latest release made by the end of the year; None: none yet


@dataclass(frozen=True)
class Participation:
    surveys: tuple[SurveyCount, ...]
    proposals: int
    supports: int
    meetings: stats.ParticipationSummary
    ideas: int



@dataclass(frozen=True)
class Review:
    contract: Contract
    year: int
    by_status: tuple[tuple[FicheStatus, tuple[Fiche, ...]], ...]   # every status, in lifecycle order
    indicators: tuple[IndicatorLine, ...]
    decisions: tuple[Decision, ...]
    notes: tuple[FollowUpNote, ...]
    participation: Participation

    @property
    def fiche_count(self) -> int:
        return sum(len(fiches) for _status, fiches in self.by_status)

    def count_of(self, verdict_name: str) -> int:
        return sum(line.verdict == verdict_name for line in self.indicators)


def review_years(contract: Contract, *, today: dt.date) -> list[int]:
    """The years of the contract that have begun, latest first."""
    last = min(contract.end_date.year, today.year)
    return list(range(last, contract.start_date.year - 1, -1))


def status_at(fiche: Fiche, day: dt.date) -> FicheStatus | None:
    """The fiche's status at the end of `day`: the last change decided on or before it; before its first
    change, the status that change left; None when the fiche was written after `day` during its contract.
    A fiche created after its contract ended (imported from a past plan) has no such date: it counts."""
    changes = sorted(fiche.status_changes, key=lambda c: (c.decided_on, c.id))
    before = [c for c in changes if c.decided_on <= day]
    if before:
        return before[-1].status
    written = fiche.created_at.date() if fiche.created_at is not None else None
    if written is not None and day < written <= fiche.contract.end_date:
        return None  # written later in the contract (a fiche imported after its contract ended counts every year)
    if changes:
        return changes[0].previous or FicheStatus.DRAFT
    return fiche.status


def annual_review(contract: Contract, year: int, *, now: dt.datetime) -> Review:
    """The review of `contract` for `year` (see the module's docstring)."""
    end = dt.date(year, 12, 31)
    fiches = sorted(db.session.scalars(  # status histories joined to their fiche (one collection per query)
        select(Fiche).where(Fiche.contract_id == contract.id)
        .options(joinedload(Fiche.axis), joinedload(Fiche.status_changes),
                 selectinload(Fiche.indicators).joinedload(Indicator.values))).unique(),
        key=lambda f: (f.axis.position, f.rank))
    at_end = [(fiche, status_at(fiche, end)) for fiche in fiches]
    existing = [(fiche, status) for fiche, status in at_end if status is not None]
    by_status = tuple((status, tuple(f for f, s in existing if s is status)) for status in FicheStatus)
    indicators = []
    for fiche, _status in existing:
        for indicator in fiche.indicators:
            value = next((v.value for v in indicator.values if v.year == year), None)
            indicators.append(IndicatorLine(fiche, indicator, value, verdict(indicator.target, value)))
    decisions = tuple(db.session.scalars(
        select(Decision).join(BodySession).join(GovernanceBody)
        .where(GovernanceBody.contract_id == contract.id, BodySession.held_on.between(dt.date(year, 1, 1), end))
        .order_by(BodySession.held_on, Decision.id)
        .options(joinedload(Decision.session).joinedload(BodySession.body),
                 selectinload(Decision.fiches).joinedload(DecisionFiche.fiche).joinedload(Fiche.axis))))
    notes = tuple(db.session.scalars(
        select(FollowUpNote).join(Fiche).where(Fiche.contract_id == contract.id,
                                               FollowUpNote.written_on.between(dt.date(year, 1, 1), end))
        .order_by(FollowUpNote.written_on, FollowUpNote.id)
        .options(joinedload(FollowUpNote.author), joinedload(FollowUpNote.fiche).joinedload(Fiche.axis))))
    return Review(contract=contract, year=year, by_status=by_status, indicators=tuple(indicators),
                  decisions=decisions, notes=notes, participation=participation_of_year(contract, year, now=now))


def participation_of_year(contract: Contract, year: int, *, now: dt.datetime) -> Participation:
    """Survey responses, proposals, supports, meetings and ideas of `year` in the contract's territory."""
    territory = contract.territory
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    start, stop = paris_to_utc(dt.datetime(year, 1, 1)), paris_to_utc(dt.datetime(year + 1, 1, 1))
    latest = (select(SurveyRelease.survey_id, func.max(SurveyRelease.number).label("number"))
              .where(SurveyRelease.made_at < stop).group_by(SurveyRelease.survey_id).subquery())
    released = aliased(SurveyRelease, select(SurveyRelease).join(
        latest, (SurveyRelease.survey_id == latest.c.survey_id) & (SurveyRelease.number == latest.c.number)).subquery())
    # Each survey with its latest release of the year, in one query.
    surveys = [SurveyCount(survey, release) for survey, release in db.session.execute(
        select(Survey, released).outerjoin(released, released.survey_id == Survey.id)
        .where(Survey.territory_id == territory.id, or_(Survey.created_at < stop, released.id.is_not(None)))
        .order_by(Survey.id))]
    in_territory = select(Call.id).where(Call.territory_id == territory.id)
    proposals, supports, ideas = db.session.execute(select(  # the year's counts in one statement
        select(func.count(Proposal.id)).where(Proposal.call_id.in_(in_territory), Proposal.submitted_at >= start,
                                              Proposal.submitted_at < stop).scalar_subquery(),
        select(func.count(Support.id)).join(Proposal).where(Proposal.call_id.in_(in_territory),
                                                            Support.created_at >= start,
                                                            Support.created_at < stop).scalar_subquery(),
        select(func.count(Idea.id)).join(Meeting).where(
            Meeting.territory_id == territory.id, Meeting.cancelled_at.is_(None), Meeting.starts_at <= now,
            Meeting.starts_at >= start, Meeting.starts_at < stop).scalar_subquery())).one()
    meetings = stats.territory_summary(territory, start=first, end=last, now=now)
    return Participation(surveys=tuple(surveys), proposals=proposals or 0, supports=supports or 0,
                         meetings=meetings, ideas=ideas or 0)
