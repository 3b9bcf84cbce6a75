"""What became of residents' contributions: the fiches that took up a proposal, an idea or a tagged text
(shown on the source's page through the `fiches_citing` template global), the public page « Ce que sont
devenues vos contributions » per channel and axis, and the email telling a proposal's author and followers
that a published fiche took it up."""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field

from flask import current_app, has_request_context
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from consult.accounts.models import User
from consult.core.mail import render_mail, send_after_commit
from consult.core.urls import external_url
from consult.extensions import db
from consult.groups.models import Idea, Meeting, WorkingGroup
from consult.proposals.models import AnswerStatus, Call, Proposal, ProposalState
from consult.proposals.services.answers import recipients
from consult.surveys.models import Survey
from consult.surveys.releases.models import SurveyRelease
from consult.synthesis.models import Citation, CitationKind, Fiche
from consult.synthesis.permissions import can_read_plan
from consult.territories.models import Axis, Contract, Territory

# The sources whose pages say which fiche took them up.
TRACED = (CitationKind.PROPOSAL, CitationKind.IDEA, CitationKind.TAGGED_TEXT)


def citing_map(territory: Territory, user) -> dict[tuple[str, int], list[Fiche]]:
    """Every traced source of the territory (kind value, source id) → the fiches citing it, in number order:
    published fiches only, every fiche for those who read the plan. One query, and the territory's contracts and
    axes (their numbers) unless the page loaded them."""
    from consult.synthesis.axes.targets import load_plan

    load_plan(territory)
    query = (select(Citation.kind, Citation.proposal_id, Citation.idea_id, Citation.tagged_text_id, Fiche)
             .join(Fiche, Fiche.id == Citation.fiche_id).join(Contract, Contract.id == Fiche.contract_id)
             .where(Contract.territory_id == territory.id, Citation.kind.in_(TRACED))
             .options(joinedload(Fiche.axis)).order_by(Fiche.axis_id, Fiche.rank))
    if not can_read_plan(user, territory):
        query = query.where(Fiche.published_at.is_not(None))
    found: dict[tuple[str, int], list[Fiche]] = defaultdict(list)
    for kind, proposal_id, idea_id, tagged_text_id, fiche in db.session.execute(query):
        ident = {CitationKind.PROPOSAL: proposal_id, CitationKind.IDEA: idea_id}.get(kind, tagged_text_id)
        if ident is not None and fiche not in found[(kind.value, ident)]:
            found[(kind.value, ident)].append(fiche)
    for fiches in found.values():
        fiches.sort(key=lambda f: (f.contract.generation, f.axis.number, f.rank))
    return dict(found)


# --- the public page ---------------------------------------------------------------------------------------

@dataclass
class FedFiche:
    """A published fiche and how many contributions of one channel it cites."""

    fiche: Fiche
    sources: int


@dataclass
class AxisOutcome:
    axis: Axis
    fiches: list[FedFiche] = field(default_factory=list)


@dataclass
class Channel:
    """One way residents took part: how many contributions (or people), and the fiches they fed per axis."""

    key: str                      # surveys, proposals, ideas, groups
    count: int
    axes: list[AxisOutcome]
    detail: int = 0               # surveys: how many surveys; ideas: how many meetings; proposals: how many retained


@dataclass
class RetainedProposal:
    proposal: Proposal
    fiches: list[Fiche]


@dataclass
class Outcomes:
    contract: Contract | None
    channels: list[Channel]
    retained: list[RetainedProposal]
    fiche_count: int              # published fiches of the contract


def outcomes_of(territory: Territory) -> Outcomes:
    """The page « Ce que sont devenues vos contributions » of the territory's current contract: per channel
    (survey figures counted from published releases only, published proposals, ideas recorded at meetings
    whose minutes are published, working groups), per axis, the published fiches that cite them; and the
    proposals answered « retained » with the fiches that took them up. A handful of queries, none per row."""
    from consult.synthesis.axes.targets import current_contract

    contract = current_contract(territory)
    if contract is None:
        return Outcomes(None, [], [], 0)
    fiches = {f.id: f for f in db.session.scalars(
        select(Fiche).where(Fiche.contract_id == contract.id, Fiche.published_at.is_not(None))
        .options(joinedload(Fiche.axis), selectinload(Fiche.steps)))}
    cited: dict[CitationKind, dict[int, set]] = defaultdict(lambda: defaultdict(set))
    if fiches:
        rows = db.session.execute(
            select(Citation.fiche_id, Citation.kind, Citation.release_id, Citation.proposal_id, Citation.idea_id,
                   Citation.group_id).where(Citation.fiche_id.in_(fiches)))
        for fiche_id, kind, release_id, proposal_id, idea_id, group_id in rows:
            source = {CitationKind.SURVEY_FIGURE: release_id, CitationKind.PROPOSAL: proposal_id,
                      CitationKind.IDEA: idea_id, CitationKind.WORKING_GROUP: group_id}.get(kind)
            if source is not None:
                cited[kind][fiche_id].add(source)
    axes = contract.active_axes

    def per_axis(kind: CitationKind) -> list[AxisOutcome]:
        grouped = {axis.id: AxisOutcome(axis) for axis in axes}
        for fiche_id, sources in cited[kind].items():
            fiche = fiches[fiche_id]
            if fiche.axis_id in grouped:
                grouped[fiche.axis_id].fiches.append(FedFiche(fiche, len(sources)))
        for outcome in grouped.values():
            outcome.fiches.sort(key=lambda fed: fed.fiche.rank)
        return [outcome for outcome in grouped.values() if outcome.fiches]

    # Every count of the page in one statement.
    published = (select(Proposal.id, Proposal.answer_status).join(Call)
                 .where(Call.territory_id == territory.id, Proposal.state == ProposalState.PUBLISHED).subquery())
    heard = (select(Idea.id, Idea.meeting_id).join(Meeting)
             .where(Meeting.territory_id == territory.id, Meeting.minutes_published_at.is_not(None)).subquery())
    released_surveys, released_responses = _released_responses(territory)
    surveys, responses, proposals, retained_count, ideas, meetings, groups = db.session.execute(select(
        released_surveys, released_responses,
        select(func.count(published.c.id)).scalar_subquery(),
        select(func.count(published.c.id)).where(published.c.answer_status == AnswerStatus.RETAINED).scalar_subquery(),
        select(func.count(heard.c.id)).scalar_subquery(),
        select(func.count(func.distinct(heard.c.meeting_id))).scalar_subquery(),
        select(func.count(WorkingGroup.id)).where(WorkingGroup.territory_id == territory.id).scalar_subquery(),
    )).one()
    channels = [
        Channel("surveys", responses, per_axis(CitationKind.SURVEY_FIGURE), detail=surveys),
        Channel("proposals", proposals, per_axis(CitationKind.PROPOSAL), detail=retained_count),
        Channel("ideas", ideas, per_axis(CitationKind.IDEA), detail=meetings),
        Channel("groups", groups, per_axis(CitationKind.WORKING_GROUP)),
    ]
    return Outcomes(contract, channels, _retained(territory, fiches, cited[CitationKind.PROPOSAL]), len(fiches))


def _released_responses(territory: Territory) -> tuple:
    """SQL for (surveys with published results, responses counted in their latest release): never live counts."""
    latest = (select(SurveyRelease.survey_id, func.max(SurveyRelease.number).label("number"))
              .group_by(SurveyRelease.survey_id).subquery())
    released = (select(SurveyRelease.id, SurveyRelease.responses)
                .join(latest, (latest.c.survey_id == SurveyRelease.survey_id) & (latest.c.number == SurveyRelease.number))
                .join(Survey, Survey.id == SurveyRelease.survey_id)
                .where(Survey.territory_id == territory.id, Survey.results_published_at.is_not(None)).subquery())
    return (select(func.count(released.c.id)).scalar_subquery(),
            select(func.coalesce(func.sum(released.c.responses), 0)).scalar_subquery())


def _retained(territory: Territory, fiches: dict[int, Fiche], cited: dict[int, set]) -> list[RetainedProposal]:
    """Published proposals answered « retained », each with the published fiches citing it."""
    taken: dict[int, list[Fiche]] = defaultdict(list)
    for fiche_id, proposal_ids in cited.items():
        for proposal_id in proposal_ids:
            taken[proposal_id].append(fiches[fiche_id])
    proposals = db.session.scalars(
        select(Proposal).join(Call).where(Call.territory_id == territory.id, Proposal.state == ProposalState.PUBLISHED,
                                          Proposal.answer_status == AnswerStatus.RETAINED)
        .order_by(Proposal.answered_at.desc(), Proposal.id))
    return [RetainedProposal(p, sorted(taken.get(p.id, []), key=lambda f: (f.axis.number, f.rank)))
            for p in proposals]


# --- telling the authors -----------------------------------------------------------------------------------

def notify_taken_up(fiche: Fiche, *, now: dt.datetime) -> int:
    """When `fiche` is published, email the author and the followers of each published proposal it cites that
    the fiche took it up — once per proposal and fiche: the citations are stamped `notified_at`, so publishing
    the fiche again sends nothing. Returns the number of emails. Raises nothing; a draft sends nothing.
    Flushes, never commits (call it in the transaction that publishes the fiche): the emails leave when that
    transaction commits, and not at all if it rolls back."""
    if not fiche.is_published:
        return 0
    citations = db.session.scalars(
        select(Citation).where(Citation.fiche_id == fiche.id, Citation.kind == CitationKind.PROPOSAL,
                               Citation.proposal_id.is_not(None), Citation.notified_at.is_(None))
        .options(joinedload(Citation.proposal).joinedload(Proposal.author),
                 joinedload(Citation.proposal).joinedload(Proposal.call).joinedload(Call.territory))
        .order_by(Citation.position, Citation.id)).unique().all()
    by_proposal: dict[int, list[Citation]] = defaultdict(list)
    for citation in citations:
        by_proposal[citation.proposal_id].append(citation)
    already = set(db.session.scalars(select(Citation.proposal_id).where(
        Citation.fiche_id == fiche.id, Citation.kind == CitationKind.PROPOSAL, Citation.notified_at.is_not(None))))
    sent = 0
    for proposal_id, group in by_proposal.items():
        for citation in group:
            citation.notified_at = now
        proposal = group[0].proposal
        if proposal_id in already or proposal.state is not ProposalState.PUBLISHED:
            continue
        sent += _tell(fiche, proposal, recipients(proposal))
    db.session.flush()
    return sent


def _tell(fiche: Fiche, proposal: Proposal, people: list[User]) -> int:
    # Links are built on SITE_URL; outside a request (CLI, demo) a bare request context lets url_for work.
    with nullcontext() if has_request_context() else current_app.test_request_context("/"):
        return _send(fiche, proposal, people)


def _send(fiche: Fiche, proposal: Proposal, people: list[User]) -> int:
    territory = proposal.territory
    link = external_url("proposals.detail", slug=territory.slug, proposal_id=proposal.id)
    fiche_link = (external_url("plan.fiche", slug=territory.slug, fiche_id=fiche.id)
                  if "plan.fiche" in current_app.view_functions else None)
    for person in people:
        send_after_commit(render_mail("fiche_taken_up", person.email, locale=person.locale, user=person, proposal=proposal,
                         fiche=fiche, is_author=person.id == proposal.author_id, link=link, fiche_link=fiche_link,
                         outcomes_link=external_url("outcomes.index", slug=territory.slug)))
    return len(people)
