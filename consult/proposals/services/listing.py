"""Listings of a call's proposals: the public one (filters, French search, sorts, a per-visitor random order), the
coordinators' one (every submitted proposal, filtered, sorted, by pages, or all at once for an export) and the
near-duplicates of a title."""
from __future__ import annotations

import functools
import math
from collections.abc import Iterator
from dataclasses import dataclass, field

from sqlalchemy import BigInteger, bindparam, case, cast, func, literal, select
from sqlalchemy.orm import joinedload, undefer

from consult.extensions import db
from consult.proposals import similarity
from consult.proposals.models import AnswerStatus, Call, Comment, Proposal, ProposalState, Support, proposal_communes
from consult.territories.models import Axis

SORTS = ("random", "supports", "newest", "comments")
PER_PAGE = 12
AWAITING = "awaiting"  # status filter: published, not answered yet
# The random order is (id + seed)² × k mod p: a scramble every engine computes the same way.
_PRIME, _SCRAMBLE = 1_000_003, 7_919


@dataclass(frozen=True)
class ListingQuery:
    """What the visitor asked for (already validated by the form)."""

    q: str = ""
    axis_id: int | None = None
    objective_id: int | None = None
    commune_id: int | None = None
    public: str = ""
    status: str = ""
    sort: str = "random"
    page: int = 1
    seed: int = 1


@dataclass
class Listing:
    """One page of proposals and what the template needs to show them."""

    items: list  # rows of CARD_COLUMNS (public listing) or Proposal objects (coordinators' listing)
    supports: dict[int, int]
    comments: dict[int, int]
    total: int
    page: int
    pages: int
    supported: set[int] = field(default_factory=set)  # the proposals of the page the viewer supports


@functools.cache  # loader options are immutable: one tuple per process, so statements built with them are kept
def call_page():
    """Loader options for a call's pages: its axes and their objectives (filters and forms), in one statement."""
    return (joinedload(Call.axes).joinedload(Axis.objectives),)


@functools.cache  # loader options are immutable: one tuple per process, so statements built with them are kept
def proposal_page():
    """Loader options for a proposal's pages: what they show with it (their templates must not query)."""
    return (joinedload(Proposal.call), joinedload(Proposal.author), joinedload(Proposal.axis),
            joinedload(Proposal.objective), joinedload(Proposal.merged_into), joinedload(Proposal.communes))


@functools.cache  # loader options are immutable: one tuple per process, so statements built with them are kept
def proposal_form_page():
    """Loader options for the form editing a proposal: its page's, and its call's axes and their objectives."""
    return (*proposal_page(), joinedload(Proposal.call).selectinload(Call.axes).selectinload(Axis.objectives))


@functools.cache  # loader options are immutable: one tuple per process, so statements built with them are kept
def moderation_page():
    """Loader options for a proposal's moderation page: its public page's, its supports and its open reports."""
    return (*proposal_page(), undefer(Proposal.support_total), joinedload(Proposal.open_reports))


def support_counts_query():
    """A correlated count of a proposal's supports (to sort by)."""
    return (select(func.count(Support.id)).where(Support.proposal_id == Proposal.id)
            .correlate(Proposal).scalar_subquery())


def comment_counts_query():
    """A correlated count of a proposal's visible comments (to sort by)."""
    return (select(func.count(Comment.id)).where(Comment.proposal_id == Proposal.id, Comment.hidden_at.is_(None))
            .correlate(Proposal).scalar_subquery())


@dataclass(frozen=True)
class _Shape:
    """What decides the SQL of a public listing (its values are bound parameters): one statement kept per shape."""

    status: str  # AWAITING, "answer" (one answer status) or "" (every status but merged)
    axis: bool
    objective: bool
    commune: bool
    public: bool
    keywords: int
    sort: str
    signed_in: bool


def _like(text: str) -> str:
    """A LIKE pattern (escape character "/") finding `text` anywhere."""
    return "%" + text.replace("/", "//").replace("%", "/%").replace("_", "/_") + "%"


def _shape_and_values(call: Call, query: ListingQuery, viewer) -> tuple[_Shape, dict]:
    keywords = similarity.keywords(query.q)
    answer = query.status in AnswerStatus.__members__.values()
    values = {"call_id": call.id, "seed": query.seed, "axis_id": query.axis_id, "objective_id": query.objective_id,
              "commune_id": query.commune_id, "public": _like(f" {query.public} "),
              "status": AnswerStatus(query.status) if answer else None,
              "viewer_id": getattr(viewer, "id", None),
              **{f"keyword_{n}": _like(keyword) for n, keyword in enumerate(keywords)}}
    shape = _Shape(status=AWAITING if query.status == AWAITING else "answer" if answer else "",
                   axis=bool(query.axis_id), objective=bool(query.objective_id), commune=bool(query.commune_id),
                   public=bool(query.public), keywords=len(keywords), sort=query.sort,
                   signed_in=viewer is not None and getattr(viewer, "is_authenticated", False))
    return shape, values


def _filtered(shape: _Shape, *columns):
    statement = select(*columns).where(Proposal.call_id == bindparam("call_id"),
                                       Proposal.state == ProposalState.PUBLISHED)
    if shape.status == AWAITING:
        statement = statement.where(Proposal.answer_status.is_(None))
    elif shape.status:
        statement = statement.where(Proposal.answer_status == bindparam("status", type_=Proposal.answer_status.type))
    else:  # merged proposals live on in the one they were merged into
        statement = statement.where((Proposal.answer_status.is_(None)) | (Proposal.answer_status != AnswerStatus.MERGED))
    if shape.axis:
        statement = statement.where(Proposal.axis_id == bindparam("axis_id"))
    if shape.objective:
        statement = statement.where(Proposal.objective_id == bindparam("objective_id"))
    if shape.commune:
        concerned = select(proposal_communes.c.proposal_id).where(proposal_communes.c.commune_id == bindparam("commune_id"))
        statement = statement.where(Proposal.whole_territory.is_(True) | Proposal.id.in_(concerned))
    if shape.public:
        statement = statement.where((literal(" ") + Proposal.publics + literal(" ")).like(bindparam("public"), escape="/"))
    for n in range(shape.keywords):
        statement = statement.where(Proposal.search_text.like(bindparam(f"keyword_{n}"), escape="/"))
    return statement


def _ordered(statement, sort: str):
    if sort == "supports":
        return statement.order_by(support_counts_query().desc(), Proposal.published_at.desc(), Proposal.id)
    if sort == "newest":
        return statement.order_by(Proposal.published_at.desc(), Proposal.id.desc())
    if sort == "comments":
        return statement.order_by(comment_counts_query().desc(), Proposal.published_at.desc(), Proposal.id)
    mixed = cast(Proposal.id, BigInteger) + bindparam("seed", type_=BigInteger)
    return statement.order_by((mixed * mixed * _SCRAMBLE) % _PRIME, Proposal.id)


# What a public card shows of a proposal: read as plain rows (no ORM objects, no joined axis to build).
CARD_COLUMNS = (Proposal.id, Proposal.title, Proposal.state, Proposal.answer_status, Axis.title.label("axis_title"))


@functools.lru_cache(maxsize=256)
def _page_statement(shape: _Shape):
    """One page of a listing of this shape: the matching ids ordered and cut to the page first, then only that
    page's proposals read and counted (counting every match before the cut cost more than the rest). Kept per
    shape: its SQL cache key is computed once, where building it per request walked the whole statement."""
    ids = _ordered(_filtered(shape, Proposal.id, func.count().over().label("total")), shape.sort)
    cut = ids.limit(bindparam("limit")).offset(bindparam("offset")).subquery("page")
    supported = (select(Support.id).where(Support.proposal_id == Proposal.id, Support.user_id == bindparam("viewer_id"))
                 .correlate(Proposal).exists() if shape.signed_in else literal(False))
    return _ordered(
        select(*CARD_COLUMNS, support_counts_query().label("supports"), comment_counts_query().label("comments"),
               supported.label("supported"), cut.c.total)
        .join(cut, cut.c.id == Proposal.id).outerjoin(Axis, Axis.id == Proposal.axis_id), shape.sort)


@functools.lru_cache(maxsize=256)
def _count_statement(shape: _Shape):
    return select(func.count()).select_from(_filtered(shape, Proposal.id).subquery())


def list_proposals(call: Call, query: ListingQuery, *, per_page: int = PER_PAGE, viewer=None) -> Listing:
    """One page of the call's published proposals matching `query`, with their support and comment counts, how
    many match and which ones `viewer` supports: one statement (two when the page asked for is past the last)."""
    shape, values = _shape_and_values(call, query, viewer)
    statement = _page_statement(shape)

    def page_of(number: int) -> list:
        return db.session.execute(statement, {**values, "limit": per_page, "offset": (number - 1) * per_page}).all()

    page = max(query.page, 1)
    rows = page_of(page)
    if rows:
        total = rows[0].total
    else:  # past the last page (or nothing matches): show the last one
        total = db.session.scalar(_count_statement(shape), values) or 0
        if total and page > 1:
            page = math.ceil(total / per_page)
            rows = page_of(page)
    return Listing(items=rows, supports={row.id: row.supports for row in rows},
                   comments={row.id: row.comments for row in rows}, total=total,
                   page=min(page, max(math.ceil(total / per_page), 1)), pages=max(math.ceil(total / per_page), 1),
                   supported={row.id for row in rows if row.supported})


def support_counts(ids: list[int]) -> dict[int, int]:
    """Stored supports of each proposal (0 when none)."""
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update(db.session.execute(select(Support.proposal_id, func.count(Support.id))
                                         .where(Support.proposal_id.in_(ids)).group_by(Support.proposal_id)).all())
    return counts


def comment_counts(ids: list[int]) -> dict[int, int]:
    """Visible comments of each proposal (0 when none)."""
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update(db.session.execute(select(Comment.proposal_id, func.count(Comment.id))
                                         .where(Comment.proposal_id.in_(ids), Comment.hidden_at.is_(None))
                                         .group_by(Comment.proposal_id)).all())
    return counts


SIMILAR_CANDIDATES = 60  # rows scored in Python at most, however many proposals the call has


def similar_proposals(call: Call, title: str, *, exclude_id: int | None = None, limit: int = 5,
                      threshold: float = 0.4,
                      states: tuple[ProposalState, ...] = (ProposalState.PUBLISHED,),
                      options=()) -> list[tuple[Proposal, float]]:
    """Proposals of the call (published ones unless `states` says otherwise) whose title (or text) resembles
    `title`, most similar first: French keywords compared without accents, plurals or stop words.

    The database counts, in each proposal's search column, how many of the title's keywords it holds and keeps
    the SIMILAR_CANDIDATES with the most, among those holding enough of them to pass `threshold`; only those are
    scored here. A score is max(Dice of the two titles' keywords, 0.8 × share of the keywords found in the text);
    a title's keywords are also in the search column, so no proposal that could pass is left out by the count.
    `options` load more with the proposals (`undefer(Proposal.support_total)`: their supports)."""
    wanted = set(similarity.keywords(title))
    if not wanted:
        return []
    hits = sum((case((Proposal.search_text.contains(f" {word} ", autoescape=True), 1), else_=0)
                for word in sorted(wanted)), literal(0))
    # Dice ≥ t needs 2h ≥ t(|wanted| + |title|) ≥ t(|wanted| + h); the text share needs 0.8h ≥ t|wanted|.
    least = max(1, math.ceil(min(threshold * len(wanted) / (2 - threshold), threshold * len(wanted) / 0.8) - 1e-9))
    rows = db.session.scalars(
        select(Proposal).where(Proposal.call_id == call.id, Proposal.state.in_(states),
                               Proposal.id != (exclude_id or 0), hits >= least)
        .order_by(hits.desc(), Proposal.id).limit(SIMILAR_CANDIDATES).options(*options)).all()
    scored = []
    for proposal in rows:
        in_text = set(similarity.keywords(f"{proposal.title} {proposal.description}"))
        score = max(similarity.similarity(wanted, similarity.keywords(proposal.title)),
                    0.8 * len(wanted & in_text) / len(wanted))
        if score >= threshold:
            scored.append((proposal, score))
    scored.sort(key=lambda pair: (-pair[1], pair[0].id))
    return scored[:limit]


# --------------------------------------------------------------------------- the coordinators' list

MANAGE_SORTS = ("newest", "oldest", "supports", "title")
MANAGE_PER_PAGE = 50
# Status filter of the coordinators' list: a moderation state, "awaiting" (published, no answer yet) or an answer.
MODERATION_STATES = (ProposalState.PENDING, ProposalState.PUBLISHED, ProposalState.REJECTED, ProposalState.HIDDEN)
MANAGE_STATUSES = (*(s.value for s in MODERATION_STATES), AWAITING, *(s.value for s in AnswerStatus))


@dataclass(frozen=True)
class ManageQuery:
    """What a coordinator asked for in the list of a call's proposals (values already checked by the form)."""

    q: str = ""
    axis_id: int | None = None
    public: str = ""
    status: str = ""
    sort: str = "newest"
    page: int = 1


class PageOutOfRange(LookupError):
    """The page asked for is past the last one."""


def _managed(call: Call, query: ManageQuery):
    """Every submitted proposal of the call (drafts stay their authors') matching the coordinator's filters."""
    statement = select(Proposal).where(Proposal.call_id == call.id, Proposal.state != ProposalState.DRAFT)
    if query.status in ProposalState.__members__.values():
        statement = statement.where(Proposal.state == ProposalState(query.status))
    elif query.status == AWAITING:
        statement = statement.where(Proposal.state == ProposalState.PUBLISHED, Proposal.answer_status.is_(None))
    elif query.status in AnswerStatus.__members__.values():
        statement = statement.where(Proposal.state == ProposalState.PUBLISHED,
                                    Proposal.answer_status == AnswerStatus(query.status))
    if query.axis_id:
        statement = statement.where(Proposal.axis_id == query.axis_id)
    if query.public:
        statement = statement.where((literal(" ") + Proposal.publics + literal(" ")).contains(f" {query.public} "))
    for keyword in similarity.keywords(query.q):
        statement = statement.where(Proposal.search_text.contains(f" {keyword}", autoescape=True))
    return statement


def _managed_order(statement, sort: str):
    if sort == "oldest":
        return statement.order_by(Proposal.submitted_at, Proposal.id)
    if sort == "supports":
        return statement.order_by(support_counts_query().desc(), Proposal.submitted_at.desc(), Proposal.id.desc())
    if sort == "title":  # the folded words of the title come first in the search column: « Élus » near « elus »
        return statement.order_by(Proposal.search_text, Proposal.id)
    return statement.order_by(Proposal.submitted_at.desc(), Proposal.id.desc())


def submitted_count(call: Call) -> int:
    """How many proposals of the call were submitted (every state but drafts)."""
    return db.session.scalar(select(func.count(Proposal.id)).where(
        Proposal.call_id == call.id, Proposal.state != ProposalState.DRAFT)) or 0


def manage_proposals(call: Call, query: ManageQuery, *, per_page: int = MANAGE_PER_PAGE) -> Listing:
    """One page of the call's submitted proposals for its coordinators, with support and comment counts.

    Raises PageOutOfRange when `query.page` is past the last page (page 1 always exists)."""
    statement = _managed(call, query)
    total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
    pages = max(math.ceil(total / per_page), 1)
    if not 1 <= query.page <= pages:
        raise PageOutOfRange(query.page)
    items = db.session.scalars(_managed_order(statement, query.sort)
                               .options(joinedload(Proposal.axis), joinedload(Proposal.author))
                               .limit(per_page).offset((query.page - 1) * per_page)).all()
    ids = [p.id for p in items]
    return Listing(items=list(items), supports=support_counts(ids), comments=comment_counts(ids), total=total,
                   page=query.page, pages=pages)


def managed_with_counts(call: Call, query: ManageQuery) -> Iterator[tuple[Proposal, int, int]]:
    """Every proposal matching `query` in its order, with its supports and visible comments, for an export:
    one statement, read in batches."""
    supports = (select(Support.proposal_id, func.count(Support.id).label("n"))
                .group_by(Support.proposal_id).subquery())
    comments = (select(Comment.proposal_id, func.count(Comment.id).label("n"))
                .where(Comment.hidden_at.is_(None)).group_by(Comment.proposal_id).subquery())
    statement = (_managed_order(_managed(call, query), query.sort)
                 .add_columns(func.coalesce(supports.c.n, 0), func.coalesce(comments.c.n, 0))
                 .outerjoin(supports, supports.c.proposal_id == Proposal.id)
                 .outerjoin(comments, comments.c.proposal_id == Proposal.id)
                 .options(joinedload(Proposal.axis), joinedload(Proposal.author)))
    for proposal, support_count, comment_count in db.session.execute(statement):
        yield proposal, support_count, comment_count
