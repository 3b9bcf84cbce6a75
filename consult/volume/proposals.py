"""A call for proposals in bulk: proposals tied to the call's axes and objectives, in every moderation state, their
history, supports (one per person and proposal, within the call's limit, the popular ones more often) and comments
with replies."""
from __future__ import annotations

import datetime as dt
import math
import random
from dataclasses import dataclass

from sqlalchemy import select

from consult.extensions import db
from consult.proposals import similarity
from consult.proposals.models import (
    AnswerStatus,
    Call,
    CallParticipant,
    Comment,
    Follower,
    ModerationAction,
    ModerationEvent,
    Proposal,
    ProposalState,
    Support,
    proposal_communes,
)
from consult.proposals.services import calls
from consult.territories.models import Territory
from consult.volume.bulk import Bulk
from consult.volume.names import ACTIONS, AUDIENCES, COMMENTS, REPLIES
from consult.volume.responses import Picker

STATES = [(ProposalState.PUBLISHED, 82), (ProposalState.PENDING, 8), (ProposalState.REJECTED, 4),
          (ProposalState.HIDDEN, 3), (ProposalState.DRAFT, 3)]
ANSWERS = [(AnswerStatus.UNDER_STUDY, "Nous étudions la question avec les communes concernées."),
           (AnswerStatus.RETAINED, "Cette idée deviendra une fiche action du contrat local de santé."),
           (AnswerStatus.NOT_RETAINED, "Le budget du contrat ne permet pas de la financer cette année."),
           (AnswerStatus.ALREADY_EXISTS, "Une action de ce type existe déjà : elle sera mieux connue.")]
PROPOSAL_COLUMNS = ("id", "call_id", "author_id", "title", "description", "axis_id", "objective_id",
                    "whole_territory", "publics", "state", "search_text", "submitted_at", "published_at",
                    "moderation_reason", "answer_status", "answer_text", "existing_reference", "answered_at",
                    "created_at", "updated_at")
EVENT_COLUMNS = ("id", "proposal_id", "actor_id", "action", "reason", "created_at")
COMMENT_COLUMNS = ("id", "proposal_id", "author_id", "parent_id", "body", "created_at", "hidden_at", "hidden_reason")
ROWS_PER_CHUNK = 50_000


@dataclass(frozen=True)
class Published:
    """What supports and comments need of a published proposal."""

    id: int
    published_at: dt.datetime


def open_call(territory: Territory, operator, *, now: dt.datetime, support_limit: int) -> Call:
    """The territory's call for proposals over every axis of its contract, open to proposals and supports."""
    return calls.create_call(operator, territory, calls.CallData(
        title=f"Vos idées pour la santé — {territory.name}",
        presentation="Proposez des actions concrètes pour votre santé et celle de vos voisins, soutenez celles qui "
                     "vous parlent et suivez ce qu'elles deviennent.",
        submission_opens_at=now - dt.timedelta(days=90), submission_closes_at=now + dt.timedelta(days=30),
        voting_opens_at=now - dt.timedelta(days=80), voting_closes_at=now + dt.timedelta(days=60),
        support_limit=support_limit, axis_ids=[a.id for a in calls.available_axes(territory)]))


def support_limit(supports: int, members: int) -> int:
    """The call's limit per person: five, as most calls say, or more when the volume asks for more supports."""
    return max(5, math.ceil(2 * supports / max(members, 1)))


def add_proposals(bulk: Bulk, call: Call, count: int, rng: random.Random, *, authors: list[int],
                  axes: list[tuple[int, list[int]]], communes: list[tuple[int, str, int]], now: dt.datetime,
                  moderator_id: int | None) -> list[Published]:
    """Add `count` proposals to `call` by `authors`; `axes` are (axis id, its objective ids). Returns the
    published ones."""
    published: list[Published] = []
    states = Picker([s for s, _w in STATES], [w for _s, w in STATES])
    call_id = call.id
    opened = call.submission_opens_at
    done = 0
    while done < count:
        size = min(ROWS_PER_CHUNK, count - done)
        first = bulk.next_ids(Proposal.__table__, size)
        rows, links, events = [], [], []
        for proposal_id in range(first, first + size):
            action, description = rng.choice(ACTIONS)
            audience, publics = rng.choice(AUDIENCES)
            local = rng.random() < 0.4
            places = rng.sample(communes, min(len(communes), rng.choice([1, 1, 2, 3]))) if local else []
            title = f"{action} {audience}" + (f" à {places[0][1]}" if places else "")
            axis_id, objectives = rng.choice(axes)
            objective_id = rng.choice(objectives) if objectives and rng.random() < 0.6 else None
            state = states(rng)
            created = opened + dt.timedelta(seconds=rng.randrange(int((now - opened).total_seconds()) - 86_400))
            submitted = None if state is ProposalState.DRAFT else created + dt.timedelta(minutes=rng.randint(1, 90))
            published_at = submitted + dt.timedelta(hours=rng.randint(2, 20)) if state in (
                ProposalState.PUBLISHED, ProposalState.HIDDEN) else None
            reason = {ProposalState.REJECTED: "Une proposition ne peut pas viser une personne ni un commerce.",
                      ProposalState.HIDDEN: "Le texte cite une personne : à reformuler sans viser personne."}.get(state, "")
            answer, answer_text, answered = None, "", None
            if state is ProposalState.PUBLISHED and rng.random() < 0.15:
                answer, answer_text = rng.choice(ANSWERS)
                answered = min(now, published_at + dt.timedelta(days=rng.randint(3, 30)))
            rows.append((proposal_id, call_id, rng.choice(authors), title, description, axis_id, objective_id,
                         not places, publics, state.value, similarity.search_document(title, description),
                         submitted, published_at, reason, answer.value if answer else None, answer_text, "",
                         answered, created, answered or published_at or submitted or created))
            links.extend((proposal_id, commune_id) for commune_id, _name, _population in places)
            if submitted is not None:
                events.append((proposal_id, None, ModerationAction.SUBMITTED.value, "", submitted))
            if published_at is not None:
                events.append((proposal_id, moderator_id, ModerationAction.PUBLISHED.value, "", published_at))
            if state in (ProposalState.REJECTED, ProposalState.HIDDEN):
                action_taken = ModerationAction.REJECTED if state is ProposalState.REJECTED else ModerationAction.HIDDEN
                events.append((proposal_id, moderator_id, action_taken.value, reason,
                               (published_at or submitted) + dt.timedelta(hours=5)))
            if answered is not None:
                events.append((proposal_id, moderator_id, ModerationAction.ANSWERED.value, "", answered))
            if state is ProposalState.PUBLISHED:
                published.append(Published(proposal_id, published_at))
        bulk.insert(Proposal.__table__, PROPOSAL_COLUMNS, rows)
        bulk.insert(proposal_communes, ("proposal_id", "commune_id"), links)
        first_event = bulk.next_ids(ModerationEvent.__table__, len(events))
        bulk.insert(ModerationEvent.__table__, EVENT_COLUMNS,
                    [(first_event + n, *event) for n, event in enumerate(events)])
        bulk.insert(Follower.__table__, ("proposal_id", "user_id"), [(row[0], row[2]) for row in rows])
        bulk.commit()
        done += size
        bulk.report(f"  proposals: {done:,}/{count:,}")
    return published


def published_of(call: Call) -> list[Published]:
    """The call's published proposals (those that can be supported and commented), oldest first."""
    rows = db.session.execute(select(Proposal.id, Proposal.published_at).where(
        Proposal.call_id == call.id, Proposal.state == ProposalState.PUBLISHED,
        Proposal.answer_status.is_distinct_from(AnswerStatus.MERGED)).order_by(Proposal.published_at, Proposal.id))
    return [Published(proposal_id, published_at) for proposal_id, published_at in rows]


def _popularity(published: list[Published]) -> Picker:
    """A few proposals gather most supports and comments (Zipf-like)."""
    return Picker(published, [1 / (rank + 3) ** 0.9 for rank in range(len(published))])


def add_supports(bulk: Bulk, call: Call, count: int, rng: random.Random, *, people: list[int],
                 published: list[Published], limit: int, now: dt.datetime) -> int:
    """Up to `count` supports: people in random order each support a few distinct published proposals, never
    more than the call's `limit`. Returns how many (fewer when people × proposals cannot hold them)."""
    if not published or not people:
        return 0
    popular = _popularity(published)
    quotas = _quotas(rng, count, len(people), min(limit, len(published)))
    call_id = call.id
    voting_opens_at = call.voting_opens_at
    written = 0
    supports, participants = [], []
    for user_id, wanted in zip(rng.sample(people, len(people)), quotas):
        chosen: set[Published] = set()
        while len(chosen) < wanted:
            chosen.add(popular(rng) if rng.random() < 0.8 else rng.choice(published))
        for proposal in chosen:
            since = max(proposal.published_at, voting_opens_at)
            supports.append((proposal.id, user_id,
                             since + dt.timedelta(seconds=rng.randrange(max(1, int((now - since).total_seconds()))))))
        if chosen:
            participants.append((call_id, user_id))
        if len(supports) >= ROWS_PER_CHUNK:
            written += _write_supports(bulk, supports, participants)
            supports, participants = [], []
            bulk.report(f"  supports: {written:,}/{count:,}")
    written += _write_supports(bulk, supports, participants)
    bulk.report(f"  supports: {written:,}/{count:,}")
    return written


def _quotas(rng: random.Random, total: int, people: int, cap: int) -> list[int]:
    """How many supports each person gives: most a few, some many, none above `cap`, `total` in all when it fits."""
    draws = [rng.expovariate(1) for _n in range(people)]
    scale = total / sum(draws)
    quotas = [min(cap, int(d * scale)) for d in draws]
    missing = min(total, cap * people) - sum(quotas)
    while missing > 0:
        for n in rng.sample(range(people), people):
            if missing and quotas[n] < cap:
                quotas[n] += 1
                missing -= 1
    return quotas


def _write_supports(bulk: Bulk, supports: list[tuple], participants: list[tuple]) -> int:
    first = bulk.next_ids(Support.__table__, len(supports))
    bulk.insert(Support.__table__, ("id", "proposal_id", "user_id", "created_at"),
                [(first + n, *row) for n, row in enumerate(supports)])
    bulk.insert(CallParticipant.__table__, ("call_id", "user_id"), participants)
    bulk.commit()
    return len(supports)


def add_comments(bulk: Bulk, count: int, rng: random.Random, *, people: list[int], published: list[Published],
                 now: dt.datetime) -> None:
    """`count` comments on published proposals, a fifth of them replies to an earlier comment (one level)."""
    if not published or not people:
        return
    popular = _popularity(published)
    threads: dict[int, list[tuple[int, dt.datetime]]] = {}
    done = 0
    while done < count:
        size = min(ROWS_PER_CHUNK, count - done)
        first = bulk.next_ids(Comment.__table__, size)
        rows = []
        for comment_id in range(first, first + size):
            proposal = popular(rng)
            earlier = threads.get(proposal.id)
            parent, parent_at = (rng.choice(earlier) if earlier and rng.random() < 0.2 else (None, None))
            start = parent_at or proposal.published_at
            created = start + dt.timedelta(seconds=rng.randrange(max(60, int((now - start).total_seconds()))))
            hidden = rng.random() < 0.01
            rows.append((comment_id, proposal.id, rng.choice(people), parent,
                         rng.choice(REPLIES if parent else COMMENTS), created,
                         min(now, created + dt.timedelta(hours=3)) if hidden else None,
                         "Propos hors sujet." if hidden else ""))
            if parent is None:
                threads.setdefault(proposal.id, []).append((comment_id, created))
        bulk.insert(Comment.__table__, COMMENT_COLUMNS, rows)
        bulk.commit()
        done += size
        bulk.report(f"  comments: {done:,}/{count:,}")
