"""The coordinator's cockpit and the observer's workspace: what waits for the coordinator in a territory, the
figures of every capability per month, and the surveys, calls and releases the two workspaces link to.
Every list or set of figures is one statement (the monthly figures: one GROUP BY per kind of contribution, all in
one UNION ALL), never one per row."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import extract, func, literal, or_, select, union_all

from consult.extensions import db
from consult.groups.models import Attendance, Idea, Meeting, Signup, SignupStatus, WorkingGroup
from consult.proposals.models import Call, Comment, PriorityVote, Proposal, ProposalState, Report, Support
from consult.surveys.models import Response, Survey, SurveyStatus
from consult.surveys.results.data import disclosure_threshold
from consult.surveys.releases.models import SurveyRelease
from consult.synthesis.models import Fiche, FicheStatus
from consult.territories.models import Contract, Territory

CLOSING_SOON = dt.timedelta(days=14)
MONTHS = 12
AWAITING_DECISION = (FicheStatus.DRAFT, FicheStatus.GROUP_VALIDATED)


@dataclass
class SurveyLine:
    """A survey as the workspaces list it: its responses so far, its latest release, and how many more
    responses a new release needs (0: one can be made now)."""

    survey: Survey
    responses: int
    latest: SurveyRelease | None
    needed: int

    @property
    def new_responses(self) -> int:
        return self.responses - (self.latest.responses if self.latest else 0)

    @property
    def release_due(self) -> bool:
        """Enough new responses since the latest release for a new one (never for a draft)."""
        return self.survey.status is not SurveyStatus.DRAFT and self.needed == 0 and self.new_responses > 0


@dataclass
class Waiting:
    """What waits for the coordinator, each with what the page links to."""

    pending_proposals: int
    open_reports: int
    pending_signups: int
    without_attendance: list[Meeting]
    without_minutes: list[Meeting]
    closing_soon: list[Survey]
    release_due: list[SurveyLine]
    fiches_awaiting: int

    @property
    def total(self) -> int:
        return (self.pending_proposals + self.open_reports + self.pending_signups + len(self.without_attendance)
                + len(self.without_minutes) + len(self.closing_soon) + len(self.release_due) + self.fiches_awaiting)


@dataclass
class Figures:
    """Per month (oldest first) the count of each kind of contribution: `rows` are (month, {key: count})."""

    months: list[dt.date]
    keys: tuple[str, ...]
    rows: list[tuple[dt.date, dict[str, int]]] = field(default_factory=list)

    def total(self, key: str) -> int:
        return sum(values[key] for _month, values in self.rows)


# --- surveys -----------------------------------------------------------------------------------------------

def survey_lines(territory: Territory) -> list[SurveyLine]:
    """The territory's surveys (archived last), each with its responses and latest release: one statement."""
    counts = (select(Response.survey_id, func.count(Response.id).label("n")).join(Survey)
              .where(Survey.territory_id == territory.id).group_by(Response.survey_id).subquery())
    latest_number = (select(SurveyRelease.survey_id, func.max(SurveyRelease.number).label("number")).join(Survey)
                     .where(Survey.territory_id == territory.id).group_by(SurveyRelease.survey_id).subquery())
    rows = db.session.execute(
        select(Survey, counts.c.n, SurveyRelease)
        .outerjoin(counts, counts.c.survey_id == Survey.id)
        .outerjoin(latest_number, latest_number.c.survey_id == Survey.id)
        .outerjoin(SurveyRelease, (SurveyRelease.survey_id == Survey.id)
                   & (SurveyRelease.number == latest_number.c.number))
        .where(Survey.territory_id == territory.id)
        .order_by(Survey.status == SurveyStatus.ARCHIVED, Survey.created_at.desc(), Survey.id.desc())).all()
    lines = []
    for survey, counted, previous in rows:
        responses = 0 if survey.status is SurveyStatus.DRAFT else counted or 0  # a draft holds test answers only
        # As releases.services.responses_needed: k new responses since the previous release (1 for the first).
        needed = (0 if responses else 1) if previous is None else max(
            0, previous.responses + disclosure_threshold(survey) - responses)
        lines.append(SurveyLine(survey, responses, previous, needed))
    return lines


# --- what waits --------------------------------------------------------------------------------------------

def waiting(territory: Territory, surveys: list[SurveyLine], *, now: dt.datetime) -> Waiting:
    """What waits for the territory's coordinator at `now` (naive UTC)."""
    pending, reports, signups, fiches = db.session.execute(select(  # the four counts in one statement
        select(func.count(Proposal.id)).join(Call).where(
            Call.territory_id == territory.id, Proposal.state == ProposalState.PENDING).scalar_subquery(),
        select(func.count(Report.id)).join(Proposal, Proposal.id == Report.proposal_id).join(Call).where(
            Call.territory_id == territory.id, Report.resolved_at.is_(None)).scalar_subquery(),
        select(func.count(Signup.id)).join(WorkingGroup).where(
            WorkingGroup.territory_id == territory.id, Signup.status == SignupStatus.PENDING).scalar_subquery(),
        select(func.count(Fiche.id)).join(Contract).where(
            Contract.territory_id == territory.id, Fiche.status.in_(AWAITING_DECISION)).scalar_subquery())).one()
    attended = (select(Attendance.meeting_id, func.count(Attendance.id).label("n"))
                .group_by(Attendance.meeting_id).subquery())
    past = db.session.execute(
        select(Meeting, func.coalesce(attended.c.n, 0)).outerjoin(attended, attended.c.meeting_id == Meeting.id)
        .where(Meeting.territory_id == territory.id, Meeting.cancelled_at.is_(None), Meeting.starts_at < now,
               or_(attended.c.n.is_(None), Meeting.minutes_published_at.is_(None)))
        .order_by(Meeting.starts_at.desc())).all()
    past = [(meeting, n) for meeting, n in past if meeting.is_past(now)]
    return Waiting(
        pending_proposals=pending, open_reports=reports, pending_signups=signups,
        without_attendance=[m for m, n in past if n == 0],
        without_minutes=[m for m, _n in past if m.minutes_published_at is None],
        closing_soon=sorted((line.survey for line in surveys if line.survey.status is SurveyStatus.OPEN
                             and line.survey.closes_at is not None and now <= line.survey.closes_at <= now + CLOSING_SOON),
                            key=lambda s: s.closes_at),
        release_due=[line for line in surveys if line.release_due],
        fiches_awaiting=fiches,
    )


# --- figures over time -------------------------------------------------------------------------------------

FIGURES = ("responses", "proposals", "supports", "comments", "signups", "meetings", "attendances", "ideas", "fiches")


def last_months(now: dt.datetime, count: int = MONTHS) -> list[dt.date]:
    """The first day of each of the last `count` months, the month of `now` last."""
    year, month = now.year, now.month
    months = []
    for _ in range(count):
        months.append(dt.date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _per_month(key: str, column, source, conditions):
    """The rows of `source` filtered by `conditions` per month of `column`, labelled `key`: (key, year, month, n)."""
    year, month = extract("year", column), extract("month", column)
    return (select(literal(key).label("key"), year.label("year"), month.label("month"), func.count().label("n"))
            .select_from(source).where(*conditions).group_by(year, month))


def figures(territory: Territory, *, now: dt.datetime, keys: tuple[str, ...] = FIGURES) -> Figures:
    """Contributions per month over the last twelve months: one GROUP BY per figure (survey responses by the
    day they were given; proposals by submission; meetings held and their attendance by the meeting's day;
    sign-ups by request; fiches by creation). `keys` chooses the figures (observers read survey figures from
    releases only: their workspace leaves live responses out)."""
    months = last_months(now)
    start = dt.datetime.combine(months[0], dt.time())
    t = territory.id
    sources = {  # key: (the date that places a row in a month, the rows, the territory's rows in the window)
        "responses": (Response.submitted_on, Response.__table__.join(Survey.__table__),
                      (Survey.territory_id == t, Survey.status != SurveyStatus.DRAFT,
                       Response.submitted_on >= start.date())),
        "proposals": (Proposal.submitted_at, Proposal.__table__.join(Call.__table__),
                      (Call.territory_id == t, Proposal.submitted_at >= start)),
        "supports": (Support.created_at, Support.__table__.join(Proposal.__table__).join(Call.__table__),
                     (Call.territory_id == t, Support.created_at >= start)),
        "comments": (Comment.created_at, Comment.__table__.join(Proposal.__table__).join(Call.__table__),
                     (Call.territory_id == t, Comment.created_at >= start)),
        "signups": (Signup.queued_at, Signup.__table__.join(WorkingGroup.__table__),
                    (WorkingGroup.territory_id == t, Signup.queued_at >= start)),
        "meetings": (Meeting.starts_at, Meeting.__table__,
                     (Meeting.territory_id == t, Meeting.starts_at >= start, Meeting.starts_at <= now,
                      Meeting.cancelled_at.is_(None))),
        "attendances": (Meeting.starts_at, Attendance.__table__.join(Meeting.__table__),
                        (Meeting.territory_id == t, Meeting.starts_at >= start)),
        "ideas": (Idea.created_at, Idea.__table__.join(Meeting.__table__),
                  (Meeting.territory_id == t, Idea.created_at >= start)),
        "fiches": (Fiche.created_at, Fiche.__table__.join(Contract.__table__),
                   (Contract.territory_id == t, Fiche.created_at >= start)),
    }
    counted: dict[str, dict[tuple[int, int], int]] = {key: {} for key in keys}
    if keys:  # every figure in one statement
        for key, year, month, n in db.session.execute(union_all(*(_per_month(key, *sources[key]) for key in keys))):
            counted[key][(int(year), int(month))] = n
    result = Figures(months, keys)
    for month in months:
        result.rows.append((month, {key: counted[key].get((month.year, month.month), 0) for key in keys}))
    return result


# --- links -------------------------------------------------------------------------------------------------

def calls_and_votes(territory: Territory) -> tuple[list[Call], dict[int, list[PriorityVote]]]:
    """The territory's calls for proposals, the latest first, and the priority votes of each: one statement."""
    calls: list[Call] = []
    votes: dict[int, list[PriorityVote]] = {}
    for call, vote in db.session.execute(
            select(Call, PriorityVote).outerjoin(PriorityVote, PriorityVote.call_id == Call.id)
            .where(Call.territory_id == territory.id)
            .order_by(Call.submission_opens_at.desc(), Call.id.desc(), PriorityVote.opens_at, PriorityVote.id)):
        if call.id not in votes:
            calls.append(call)
            votes[call.id] = []
        if vote is not None:
            votes[call.id].append(vote)
    return calls, votes


def published_surveys(lines: list[SurveyLine]) -> list[SurveyLine]:
    """The surveys an observer reads: those with at least one release (its results pages and tables)."""
    return [line for line in lines if line.latest is not None]
