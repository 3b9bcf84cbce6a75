"""Everything heard about one axis or objective of the current contract, from every channel: survey figures from
the latest release of each survey, proposals, ideas of meetings and events, tagged free texts, who took part, and
the fiches already written.

Counts of people and counts of contributions are kept apart: a person who came to three meetings is one person and
three attendances. Survey respondents are only counted as a release's n, never matched with accounts."""
from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field, replace

from flask_babel import lazy_gettext as _l
from sqlalchemy import String, and_, func, literal, null, or_, select, union_all
from sqlalchemy.orm import contains_eager, joinedload

from consult.accounts.models import Category, User
from consult.extensions import db
from consult.groups.models import Idea, Meeting, Signup, SignupStatus, WorkingGroup, group_objectives
from consult.groups.services.stats import summarise
from consult.proposals.models import Call, Comment, Proposal, ProposalState, Support
from consult.surveys.models import Answer, Question, Survey
from consult.surveys.releases.models import SurveyRelease
from consult.surveys.releases.services import content_of
from consult.surveys.results.presentation import QuestionView
from consult.synthesis.axes.links import links_of
from consult.synthesis.models import Fiche, QuestionLink, TaggedText, TextSource
from consult.synthesis.permissions import can_read_free_texts
from consult.territories.models import Axis, Commune, Contract, Objective, Territory


@dataclass
class Figure:
    """A linked question and what the latest release of its survey shows of it (None: no release, or the
    question is not in it)."""

    link: QuestionLink
    question: Question
    survey: Survey
    release: SurveyRelease | None
    view: QuestionView | None

    @property
    def key(self) -> str | None:
        """How the draft form names this figure: "<release_id>:<question_code>"."""
        return f"{self.release.id}:{self.question.code}" if self.release and self.view else None


@dataclass
class ProposalItem:
    proposal: Proposal
    supports: int


@dataclass
class Channel:
    """The people of one channel: how many, by category and by commune (each person counted once)."""

    key: str
    label: str
    people: int
    by_category: Counter
    by_commune: Counter


@dataclass
class People:
    channels: list[Channel]
    categories: list[Category | None]
    communes: list[str | None]
    respondents: list[Figure]          # survey respondents: a release's n per linked question, never matched


@dataclass
class Evidence:
    axis: Axis
    objective: Objective | None
    figures: list[Figure]
    proposals: list[ProposalItem]
    ideas: list[Idea]
    texts: list[TaggedText]
    groups: list[WorkingGroup]
    people: People
    fiches: list[Fiche]
    attendances: int = 0
    contributions: list[tuple[str, int]] = field(default_factory=list)

    @property
    def supports(self) -> int:
        return sum(p.supports for p in self.proposals)


CHANNEL_LABELS = {
    "members": _l("Members of the axis's working groups"),
    "attendance": _l("Present at its working-group meetings and at events where ideas on it were raised"),
    "authors": _l("Authors of its proposals"),
    "supporters": _l("Supporters of its proposals"),
}


def figures_of(axis: Axis, objective: Objective | None = None) -> list[Figure]:
    """The linked questions, each with the figures of its survey's latest release."""
    from consult.synthesis.sources import latest_releases

    figures = []
    links = links_of(axis, objective.id if objective else None)
    releases = latest_releases(axis.territory) if links else {}
    for link in links:
        survey = link.question.survey
        release = releases.get(survey.id)
        view = None
        if release is not None:
            view = next((v for v in content_of(release).questions if v.question.code == link.question.code), None)
        figures.append(Figure(link, link.question, survey, release, view))
    return _distinct_codes(figures)


def _distinct_codes(figures: list[Figure]) -> list[Figure]:
    """Two surveys may both have a « Q1 »: the results macros name their blocks and charts after the code, so the
    later ones shown get a copy whose code names the survey too (the release's own objects are shared: never
    changed)."""
    seen: set[str] = set()
    for figure in figures:
        if figure.view is None:
            continue
        code = figure.view.question.code
        if code in seen:
            info = replace(figure.view.question, code=f"{code}-{figure.survey.id}")
            figure.view = replace(figure.view, question=info)
        seen.add(figure.view.question.code)
    return figures


def _proposals(axis: Axis, objective: Objective | None) -> list[ProposalItem]:
    supports = (select(Support.proposal_id, func.count(Support.id).label("n")).group_by(Support.proposal_id)
                .subquery())
    query = (select(Proposal, func.coalesce(supports.c.n, 0))
             .join(Call, Call.id == Proposal.call_id)
             .outerjoin(supports, supports.c.proposal_id == Proposal.id)
             .where(Call.territory_id == axis.territory.id, Proposal.axis_id == axis.id,
                    Proposal.state == ProposalState.PUBLISHED)
             .options(joinedload(Proposal.author).joinedload(User.commune))
             .order_by(func.coalesce(supports.c.n, 0).desc(), Proposal.published_at, Proposal.id))
    if objective is not None:
        query = query.where(Proposal.objective_id == objective.id)
    return [ProposalItem(p, n) for p, n in db.session.execute(query)]


def _ideas(axis: Axis, objective: Objective | None) -> list[Idea]:
    query = (select(Idea).join(Meeting, Meeting.id == Idea.meeting_id)
             .where(Idea.axis_id == axis.id, Meeting.territory_id == axis.territory.id, Meeting.cancelled_at.is_(None))
             .options(contains_eager(Idea.meeting).joinedload(Meeting.group))
             .order_by(Meeting.starts_at, Idea.id))
    if objective is not None:
        query = query.where(Idea.objective_id == objective.id)
    return list(db.session.scalars(query))


def visible_sources(viewer, territory: Territory) -> list[TextSource]:
    """Survey free-text answers are record-level data: only for those who may read them."""
    if can_read_free_texts(viewer, territory):
        return list(TextSource)
    return [TextSource.COMMENT, TextSource.MINUTES]


def _texts(viewer, axis: Axis, objective: Objective | None) -> list[TaggedText]:
    query = (select(TaggedText)
             .where(TaggedText.territory_id == axis.territory.id, TaggedText.axis_id == axis.id,
                    TaggedText.source.in_(visible_sources(viewer, axis.territory)))
             .options(joinedload(TaggedText.answer).joinedload(Answer.question),
                      joinedload(TaggedText.comment).joinedload(Comment.proposal),
                      joinedload(TaggedText.meeting), joinedload(TaggedText.objective))
             .order_by(TaggedText.source, TaggedText.id))
    if objective is not None:
        query = query.where(TaggedText.objective_id == objective.id)
    return [t for t in db.session.scalars(query) if still_shown(t)]


def still_shown(tagged: TaggedText) -> bool:
    """A comment hidden (or on a proposal taken off) since it was tagged, or minutes unpublished since, are no
    longer shown anywhere."""
    if tagged.source is TextSource.COMMENT:
        return (tagged.comment is not None and tagged.comment.hidden_at is None
                and tagged.comment.proposal.state is ProposalState.PUBLISHED)
    if tagged.source is TextSource.MINUTES:
        return tagged.meeting is not None and tagged.meeting.minutes_published_at is not None
    return True


def _groups(axis: Axis, objective: Objective | None) -> list[WorkingGroup]:
    query = (select(WorkingGroup).where(WorkingGroup.territory_id == axis.territory.id,
                                        WorkingGroup.axis_id == axis.id)
             .order_by(WorkingGroup.title, WorkingGroup.id))
    if objective is not None:
        query = query.where(WorkingGroup.id.in_(select(group_objectives.c.group_id)
                                                .where(group_objectives.c.objective_id == objective.id)))
    return list(db.session.scalars(query))


def _fiches(axis: Axis, objective: Objective | None) -> list[Fiche]:
    query = select(Fiche).where(Fiche.axis_id == axis.id).order_by(Fiche.rank, Fiche.id)
    if objective is not None:
        query = query.where(Fiche.objective_id == objective.id)
    return list(db.session.scalars(query))


def _commune_name(commune) -> str | None:
    return commune.name if commune is not None else None


def _channel(key: str, people: dict) -> Channel:
    """A channel from {person: (category, commune name)}."""
    return Channel(key, str(CHANNEL_LABELS[key]), len(people), Counter(c for c, _n in people.values()),
                   Counter(n for _c, n in people.values()))


def _members_and_supporters(groups: list[WorkingGroup], proposals: list[ProposalItem]) -> tuple[dict, dict]:
    """{user id: (category, commune name)} of the groups' members (as they signed up: the last sign-up shown
    wins) and of the proposals' supporters (as their accounts say), in one query."""
    parts = []
    if groups:
        parts.append(select(literal(0).label("part"), Signup.user_id, Signup.category, Commune.name,
                            WorkingGroup.title, WorkingGroup.id, Signup.id)
                     .join(WorkingGroup, WorkingGroup.id == Signup.group_id)
                     .outerjoin(Commune, Commune.id == Signup.commune_id)
                     .where(Signup.group_id.in_([g.id for g in groups]), Signup.status == SignupStatus.MEMBER))
    if proposals:
        parts.append(select(literal(1), User.id, User.category, Commune.name, null().cast(String), Support.id,
                            Support.id)
                     .join(Support, Support.user_id == User.id).outerjoin(Commune, Commune.id == User.commune_id)
                     .where(Support.proposal_id.in_([p.proposal.id for p in proposals])))
    members: dict = {}
    supporters: dict = {}
    if parts:
        rows = (parts[0] if len(parts) == 1 else union_all(*parts)).subquery()
        for part, user_id, category, commune, *_order in db.session.execute(
                select(rows).order_by(*rows.c[:1], *rows.c[4:])):
            (members if part == 0 else supporters)[user_id] = (category, commune)
    return members, supporters


def _held_meetings(groups: list[WorkingGroup], ideas: list[Idea], now: dt.datetime) -> list[Meeting]:
    """The meetings held by the groups, and the events (no group) where ideas on the axis were raised: one query."""
    group_ids = [g.id for g in groups]
    event_ids = list({i.meeting_id for i in ideas if i.meeting.group_id is None})
    if not group_ids and not event_ids:
        return []
    return list(db.session.scalars(
        select(Meeting).where(or_(Meeting.group_id.in_(group_ids), Meeting.id.in_(event_ids)),
                              Meeting.cancelled_at.is_(None), Meeting.starts_at <= now)
        .order_by(Meeting.starts_at, Meeting.id)))


def _people(groups: list[WorkingGroup], proposals: list[ProposalItem], ideas: list[Idea],
            figures: list[Figure], now: dt.datetime) -> tuple[People, int]:
    members, supporters = _members_and_supporters(groups, proposals)
    channels = [_channel("members", members)]
    summary = summarise(_held_meetings(groups, ideas, now))
    channels.append(Channel("attendance", str(CHANNEL_LABELS["attendance"]), summary.people,
                            Counter({c: n for c, n in summary.by_category if n}), Counter(dict(summary.by_commune))))
    authors = {p.proposal.author.id: (p.proposal.author.category, _commune_name(p.proposal.author.commune))
               for p in proposals}
    channels.append(_channel("authors", authors))
    channels.append(_channel("supporters", supporters))
    categories = [c for c in [*Category, None] if any(ch.by_category[c] for ch in channels)]
    named = {name for ch in channels for name, n in ch.by_commune.items() if n and name is not None}
    communes: list[str | None] = sorted(named)
    if any(ch.by_commune[None] for ch in channels):
        communes.append(None)
    respondents = [f for f in figures if f.view is not None]
    return People(channels, categories, communes, respondents), summary.attendances


def gather(viewer, axis: Axis, objective: Objective | None = None, *, now: dt.datetime) -> Evidence:
    """The evidence of an axis (or of one of its objectives) as `viewer` may read it (no survey free text for
    observers). The caller checks that the viewer reads the plan."""
    figures = figures_of(axis, objective)
    proposals = _proposals(axis, objective)
    ideas = _ideas(axis, objective)
    groups = _groups(axis, objective)
    people, attendances = _people(groups, proposals, ideas, figures, now)
    evidence = Evidence(axis, objective, figures, proposals, ideas, _texts(viewer, axis, objective), groups,
                        people, _fiches(axis, objective), attendances)
    evidence.contributions = [
        (str(_l("Proposals")), len(proposals)), (str(_l("Supports")), evidence.supports),
        (str(_l("Ideas from meetings and events")), len(ideas)), (str(_l("Attendances")), attendances),
        (str(_l("Tagged free texts")), len(evidence.texts)),
    ]
    return evidence


# --- the index: counts per axis and objective ----------------------------------------------------------

@dataclass
class Counts:
    questions: int = 0
    proposals: int = 0
    supports: int = 0
    ideas: int = 0
    texts: int = 0
    fiches: int = 0


def _shown_texts(viewer, territory: Territory):
    """SQL condition: the territory's tagged texts `viewer` may read and still shown (`still_shown`)."""
    return and_(
        TaggedText.territory_id == territory.id, TaggedText.source.in_(visible_sources(viewer, territory)),
        or_(TaggedText.source == TextSource.SURVEY_ANSWER,
            and_(TaggedText.source == TextSource.COMMENT, Comment.id.is_not(None), Comment.hidden_at.is_(None),
                 Proposal.state == ProposalState.PUBLISHED),
            and_(TaggedText.source == TextSource.MINUTES, Meeting.minutes_published_at.is_not(None))))


def counts(viewer, territory: Territory) -> dict[tuple[str, int], Counts]:
    """Counts per source for every axis ("axis", id) and objective ("objective", id) of the territory: one query."""
    found: dict[tuple[str, int], Counts] = {}

    def part(name: str, count, *groups):
        return select(literal(name, String).label("name"), *groups, count.label("n")).group_by(*groups)

    published = (select(Proposal.id, Proposal.axis_id, Proposal.objective_id).join(Call, Call.id == Proposal.call_id)
                 .where(Call.territory_id == territory.id, Proposal.state == ProposalState.PUBLISHED).subquery())
    parts = [
        part("questions", func.count(QuestionLink.id), QuestionLink.axis_id, QuestionLink.objective_id)
        .join(Question, Question.id == QuestionLink.question_id).join(Survey, Survey.id == Question.survey_id)
        .where(Survey.territory_id == territory.id),
        part("proposals", func.count(published.c.id), published.c.axis_id, published.c.objective_id),
        part("supports", func.count(Support.id), published.c.axis_id, published.c.objective_id)
        .join(Support, Support.proposal_id == published.c.id),
        part("ideas", func.count(Idea.id), Idea.axis_id, Idea.objective_id)
        .join(Meeting, Meeting.id == Idea.meeting_id)
        .where(Meeting.territory_id == territory.id, Meeting.cancelled_at.is_(None)),
        part("texts", func.count(TaggedText.id), TaggedText.axis_id, TaggedText.objective_id)
        .outerjoin(Comment, Comment.id == TaggedText.comment_id)
        .outerjoin(Proposal, Proposal.id == Comment.proposal_id)
        .outerjoin(Meeting, Meeting.id == TaggedText.meeting_id)
        .where(_shown_texts(viewer, territory)),
        part("fiches", func.count(Fiche.id), Fiche.axis_id, Fiche.objective_id)
        .join(Contract, Contract.id == Fiche.contract_id)
        .where(Contract.territory_id == territory.id, Contract.is_current),
    ]
    for name, axis_id, objective_id, n in db.session.execute(union_all(*parts)):
        for key in (("axis", axis_id), ("objective", objective_id)):
            if key[1] is not None:
                counts_of = found.setdefault(key, Counts())
                setattr(counts_of, name, getattr(counts_of, name) + n)
    return found
