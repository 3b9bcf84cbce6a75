"""The sheets of what the territory heard: participation across channels, every survey's latest release (its
protected tables only, never live answers), published proposals, the ideas of meetings by axis, working groups.

Each function yields a header row, then data rows, as the writers take them. They show what the pages show to
observers: published proposals only, ideas of meetings not cancelled tied to the current contract's axes (the
synthesis pages), group compositions as the public group pages give them, survey figures as the releases'
pages give them (a count below the release's threshold reads “< k”, a secondary suppression “hidden”)."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from consult.accounts.models import Category
from consult.diagnostic.workbook.scope import Scope, axis_number, day, text
from consult.exports.writers import Row
from consult.extensions import db
from consult.groups.models import Idea, Meeting, WorkingGroup
from consult.groups.services import compositions
from consult.groups.services.stats import group_summary
from consult.proposals.models import Call, Proposal, ProposalState, Support
from consult.surveys.exports import builders
from consult.surveys.releases.services import content_of
from consult.synthesis import participation as dashboard


# --------------------------------------------------------------------------- participation

PARTICIPATION_WIDTHS = (34, 52, 14, 12, 44)


def participation_rows(scope: Scope) -> Iterator[Row]:
    """Contributions and people per channel (the participation page), then each survey's responses per channel
    (its latest release), then people by category and the contributions per axis."""
    board = dashboard.dashboard(scope.territory, now=scope.now)
    yield [_("Section"), _("Channel or group"), _("Contributions"), _("People"), _("Source")]
    section = _("Contributions and people by channel")
    for _key, label, contributions, people in board.channels:
        yield [section, label, contributions, people, None if people is not None else _("Ideas count no people.")]
    section = _("Survey responses by channel (web, paper, phone…)")
    for item in board.surveys:
        source = _("“%(survey)s”, release no. %(number)d", survey=item.survey.title, number=item.release.number)
        for line in item.channels.lines:
            yield [section, line.label, builders.release_figure(line.cell, item.k), None, source]
        yield [section, _("Respondents (n)"), builders.release_figure(item.channels.base, item.k), None, source]
    section = _("People by category (each counted once)")
    for category, _by_channel, total in board.categories:
        yield [section, text(category.label) if category else _("Not stated"), None, total, None]
    yield [section, _("People in all"), None, board.people, None]
    section = _("Contributions per axis")
    for row in board.axes:
        yield [section, f"{row.axis.number}. {row.axis.title}", sum(row.by_channel.values()), row.people, None]


# --------------------------------------------------------------------------- survey tables

SURVEY_WIDTHS = (36, 10, 12, 28, 48, 24, 30, 10, 12, 12)


def survey_rows(scope: Scope) -> Iterator[Row]:
    """Every survey's latest release, stacked: the survey and its release first, then the release's tables
    exactly as its pages and its own export show them."""
    yield [_("Survey"), _("Release"), *builders.tables_header()]
    for survey, release in scope.releases:
        rows = builders.release_table_rows(content_of(release), release.k)
        next(rows)  # the release's own header
        for row in rows:
            yield [survey.title, release.number, *row]


# --------------------------------------------------------------------------- proposals

PROPOSAL_WIDTHS = (30, 8, 40, 40, 50, 11, 18, 50, 13)


def proposal_rows(scope: Scope) -> Iterator[Row]:
    """Published proposals: call, axis path, title, supports, the answer's status and text."""
    yield [_("Call for proposals"), _("Axis no."), _("Axis"), _("Objective"), _("Proposal"), _("Supports"),
           _("Answer"), _("Answer text"), _("Published on")]
    supports = (select(Support.proposal_id, func.count(Support.id).label("n")).group_by(Support.proposal_id)
                .subquery())
    query = (select(Proposal, func.coalesce(supports.c.n, 0))
             .join(Call, Call.id == Proposal.call_id)
             .outerjoin(supports, supports.c.proposal_id == Proposal.id)
             .where(Call.territory_id == scope.territory.id, Proposal.state == ProposalState.PUBLISHED)
             .options(selectinload(Proposal.call), selectinload(Proposal.axis), selectinload(Proposal.objective))
             .order_by(Call.submission_opens_at, Call.id, Proposal.published_at, Proposal.id))
    for proposal, count in db.session.execute(query):
        yield [proposal.call.title, axis_number(proposal.axis), proposal.axis.title,
               proposal.objective.title if proposal.objective else None, proposal.title, count,
               text(proposal.answer_status.label) if proposal.answer_status else _("No answer yet"),
               proposal.answer_text or None, day(proposal.published_at)]


# --------------------------------------------------------------------------- ideas

IDEA_WIDTHS = (8, 40, 40, 60, 36, 12, 30)


def idea_rows(scope: Scope) -> Iterator[Row]:
    """The ideas recorded at meetings and events not cancelled, by axis of the current contract (as the
    synthesis's axis pages list them), oldest meeting first."""
    yield [_("Axis no."), _("Axis"), _("Objective"), _("Idea"), _("Meeting"), _("Date"), _("Working group or kind")]
    for axis in scope.axes:
        ideas = db.session.scalars(
            select(Idea).join(Meeting, Meeting.id == Idea.meeting_id)
            .where(Idea.axis_id == axis.id, Meeting.territory_id == scope.territory.id, Meeting.cancelled_at.is_(None))
            .options(selectinload(Idea.meeting).selectinload(Meeting.group), selectinload(Idea.objective))
            .order_by(Meeting.starts_at, Idea.id))
        for idea in ideas:
            meeting = idea.meeting
            yield [axis.number, axis.title, idea.objective.title if idea.objective else None, idea.text,
                   meeting.title, day(meeting.starts_at),
                   meeting.group.title if meeting.group else text(meeting.kind.label)]


# --------------------------------------------------------------------------- groups

GROUP_WIDTHS = (8, 40, 36, 14, 10, 10, *(14 for _category in Category), 12, 12, 14, 14)


def group_rows(scope: Scope) -> Iterator[Row]:
    """The working groups of the current contract's axes: status, seats, members by category (the public group
    pages' composition), meetings held and their attendance."""
    yield [_("Axis no."), _("Axis"), _("Working group"), _("Status"), _("Seats"), _("Members"),
           *(_("Members: %(category)s", category=text(c.label)) for c in Category),
           _("Members: %(category)s", category=_("Not stated")), _("Meetings held"), _("Attendances"),
           _("People present")]
    axes = {axis.id: axis for axis in scope.axes}
    groups = [group for group in db.session.scalars(
        select(WorkingGroup).where(WorkingGroup.territory_id == scope.territory.id,
                                   WorkingGroup.axis_id.in_(list(axes)))
        .order_by(WorkingGroup.title, WorkingGroup.id))]
    groups.sort(key=lambda group: (axes[group.axis_id].position, group.title, group.id))
    mixes = compositions(groups)
    for group in groups:
        members = Counter({line.category: line.members for line in mixes[group.id]})
        summary = group_summary(group, now=scope.now)
        axis = axes[group.axis_id]
        yield [axis.number, axis.title, group.title, text(group.status.label), group.capacity,
               sum(members.values()), *(members[c] for c in Category), members[None], summary.meetings,
               summary.attendances, summary.people]
