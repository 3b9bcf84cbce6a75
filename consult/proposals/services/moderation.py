"""Moderation: publish, reject with a reason, report, hide, dismiss reports, merge duplicates."""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import delete, exists, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

from consult.core import audit
from consult.errors import Conflict, InvalidInput, PermissionDenied
from consult.extensions import db
from consult.proposals.models import (
    AnswerStatus,
    Call,
    Comment,
    Follower,
    ModerationAction,
    Proposal,
    ProposalState,
    Report,
    Support,
)
from consult.proposals.permissions import can_moderate, can_report
from consult.proposals.services.errors import WrongState
from consult.proposals.services.history import record
from consult.territories.permissions import require


def _reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(message, field="reason")
    return reason


def _resolve_reports(proposal: Proposal, comment: Comment | None, now: dt.datetime) -> None:
    condition = Report.comment_id == comment.id if comment else Report.comment_id.is_(None)
    db.session.execute(update(Report).where(Report.proposal_id == proposal.id, condition,
                                            Report.resolved_at.is_(None)).values(resolved_at=now))


def publish_proposal(actor, proposal: Proposal, *, now: dt.datetime) -> Proposal:
    """Publish a proposal awaiting moderation. Raises PermissionDenied, WrongState."""
    require(can_moderate(actor, proposal.territory))
    if proposal.state is not ProposalState.PENDING:
        raise WrongState(_("Only a proposal awaiting moderation can be published."))
    proposal.state = ProposalState.PUBLISHED
    proposal.published_at = now
    proposal.moderation_reason = ""
    record(proposal, actor, ModerationAction.PUBLISHED, now=now)
    audit.record("moderation.publish", actor=actor, territory=proposal.territory, target=f"proposal:{proposal.id}",
                 now=now)
    db.session.flush()
    return proposal


def reject_proposal(actor, proposal: Proposal, reason: str, *, now: dt.datetime) -> Proposal:
    """Refuse a proposal awaiting moderation; the reason is sent to its author.

    Raises PermissionDenied, WrongState, InvalidInput (no reason).
    """
    require(can_moderate(actor, proposal.territory))
    if proposal.state is not ProposalState.PENDING:
        raise WrongState(_("Only a proposal awaiting moderation can be rejected."))
    proposal.moderation_reason = _reason(reason, _("Tell the author why the proposal is rejected."))
    proposal.state = ProposalState.REJECTED
    record(proposal, actor, ModerationAction.REJECTED, now=now, reason=proposal.moderation_reason)
    audit.record("moderation.reject", actor=actor, territory=proposal.territory, target=f"proposal:{proposal.id}",
                 now=now)
    db.session.flush()
    return proposal


def hide_proposal(actor, proposal: Proposal, reason: str, *, now: dt.datetime) -> Proposal:
    """Take a published proposal off the public pages, with a reason; resolves its reports.

    Raises PermissionDenied, WrongState, InvalidInput (no reason).
    """
    require(can_moderate(actor, proposal.territory))
    if proposal.state is not ProposalState.PUBLISHED:
        raise WrongState(_("Only a published proposal can be hidden."))
    proposal.moderation_reason = _reason(reason, _("Say why the proposal is hidden."))
    proposal.state = ProposalState.HIDDEN
    _resolve_reports(proposal, None, now)
    record(proposal, actor, ModerationAction.HIDDEN, now=now, reason=proposal.moderation_reason)
    audit.record("moderation.hide", actor=actor, territory=proposal.territory, target=f"proposal:{proposal.id}",
                 now=now)
    db.session.flush()
    return proposal


def restore_proposal(actor, proposal: Proposal, *, now: dt.datetime) -> Proposal:
    """Show a hidden proposal again. Raises PermissionDenied, WrongState."""
    require(can_moderate(actor, proposal.territory))
    if proposal.state is not ProposalState.HIDDEN:
        raise WrongState(_("Only a hidden proposal can be shown again."))
    proposal.state = ProposalState.PUBLISHED
    proposal.moderation_reason = ""
    record(proposal, actor, ModerationAction.RESTORED, now=now)
    audit.record("moderation.restore", actor=actor, territory=proposal.territory, target=f"proposal:{proposal.id}",
                 now=now)
    db.session.flush()
    return proposal


def report(actor, proposal: Proposal, reason: str, *, comment: Comment | None = None,
           now: dt.datetime) -> Report:
    """Report a published proposal or one of its visible comments to the moderators.

    Raises PermissionDenied (not logged in), WrongState, InvalidInput (no reason), Conflict (already reported).
    """
    if not can_report(actor):
        raise PermissionDenied(_("Please log in to report content."))
    if proposal.state is not ProposalState.PUBLISHED or (comment is not None and comment.hidden_at is not None):
        raise WrongState(_("This content is not public."))
    reason = _reason(reason, _("Say what is wrong with this content."))
    already = db.session.scalar(select(exists().where(
        Report.proposal_id == proposal.id, Report.reporter_id == actor.id, Report.resolved_at.is_(None),
        Report.comment_id == comment.id if comment else Report.comment_id.is_(None))))
    if already:
        raise Conflict(_("You have already reported this. The moderators will look at it."))
    item = Report(proposal_id=proposal.id, comment_id=comment.id if comment else None, reporter_id=actor.id,
                  reason=reason, created_at=now)
    db.session.add(item)
    record(proposal, actor, ModerationAction.COMMENT_REPORTED if comment else ModerationAction.REPORTED,
           now=now, reason=reason, comment=comment)
    db.session.flush()
    return item


def dismiss_report(actor, item: Report, *, now: dt.datetime) -> Report:
    """Close a report without hiding anything. Raises PermissionDenied, WrongState."""
    require(can_moderate(actor, item.territory))
    if item.resolved_at is not None:
        raise WrongState(_("This report is already closed."))
    item.resolved_at = now
    record(item.proposal, actor, ModerationAction.REPORT_DISMISSED, now=now, comment=item.comment)
    audit.record("moderation.dismiss_report", actor=actor, territory=item.territory, target=f"report:{item.id}",
                 now=now)
    db.session.flush()
    return item


def hide_comment(actor, comment: Comment, reason: str, *, now: dt.datetime) -> Comment:
    """Hide a comment (and so its replies) with a reason; resolves its reports.

    Raises PermissionDenied, WrongState, InvalidInput.
    """
    require(can_moderate(actor, comment.territory))
    if comment.hidden_at is not None:
        raise WrongState(_("This comment is already hidden."))
    comment.hidden_reason = _reason(reason, _("Say why the comment is hidden."))
    comment.hidden_at = now
    _resolve_reports(comment.proposal, comment, now)
    record(comment.proposal, actor, ModerationAction.COMMENT_HIDDEN, now=now, reason=comment.hidden_reason,
           comment=comment)
    audit.record("moderation.hide_comment", actor=actor, territory=comment.territory,
                 target=f"comment:{comment.id}", now=now)
    db.session.flush()
    return comment


class AlreadyMerged(WrongState):
    """The proposal was merged already (a double click, a replayed form, or another coordinator)."""

    def __init__(self, message: str, *, into_id: int | None) -> None:
        super().__init__(message)
        self.into_id = into_id


MERGEABLE_STATES = (ProposalState.PENDING, ProposalState.PUBLISHED)


def _not_merged():
    return Proposal.answer_status.is_(None) | (Proposal.answer_status != AnswerStatus.MERGED)


def merge_proposals(actor, source: Proposal, target: Proposal, *, now: dt.datetime) -> Proposal:
    """Merge `source` into `target`: supports and followers move to `target`, a person who supported
    both keeps one support; `source` is answered "merged" with a pointer to `target`.

    `source` may still await moderation: it is then published as merged, so that its author and the
    public find where it counts (the moderator read it on the page that merges it). `target` must be
    published, so that the pointer always leads to a public page.

    Both rows are claimed by conditional updates first: of two simultaneous merges (a double click),
    the second waits for the first and then finds the source merged.

    Raises PermissionDenied, InvalidInput (not the same call, same proposal), WrongState, AlreadyMerged,
    Conflict (retry).
    """
    require(can_moderate(actor, source.territory))
    if source.id == target.id or source.call_id != target.call_id:
        raise InvalidInput(_("Choose another proposal of the same call."), field="target_id")
    keep = (update(Proposal).where(Proposal.id == target.id, Proposal.state == ProposalState.PUBLISHED, _not_merged())
            .values(updated_at=now).execution_options(synchronize_session=False))
    claim = (update(Proposal).where(Proposal.id == source.id, Proposal.state.in_(MERGEABLE_STATES), _not_merged())
             .values(answer_status=AnswerStatus.MERGED, merged_into_id=target.id, answered_at=now, answer_text="",
                     existing_reference="", updated_at=now).execution_options(synchronize_session=False))
    # Rows locked in id order: two opposite merges at once wait for each other instead of deadlocking.
    claims = {target.id: keep, source.id: claim}
    done = {proposal_id: db.session.execute(claims[proposal_id]).rowcount for proposal_id in sorted(claims)}
    db.session.refresh(source)
    if done[source.id] != 1:
        if source.answer_status is AnswerStatus.MERGED:
            raise AlreadyMerged(_("This proposal is already merged."), into_id=source.merged_into_id)
        raise WrongState(_("Only proposals awaiting moderation or published, and not merged yet, can be merged."))
    if done[target.id] != 1:
        raise WrongState(_("The proposal to keep must be published and not merged."))
    kept_support = aliased(Support)
    both = select(kept_support.user_id).where(kept_support.proposal_id == target.id)
    try:
        with db.session.begin_nested():
            db.session.execute(delete(Support).where(Support.proposal_id == source.id, Support.user_id.in_(both)))
            db.session.execute(update(Support).where(Support.proposal_id == source.id)
                               .values(proposal_id=target.id))
            followed = select(Follower.user_id).where(Follower.proposal_id == target.id)
            movers = db.session.scalars(select(Follower.user_id).where(
                Follower.proposal_id == source.id, Follower.user_id.not_in(followed))).all()
            db.session.add_all(Follower(proposal_id=target.id, user_id=user_id) for user_id in movers)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_("Someone supported one of these proposals at the same moment. Please try again.")) from None
    if source.state is ProposalState.PENDING:  # published as merged: its page tells where it counts now
        source.state = ProposalState.PUBLISHED
        source.published_at = now
        source.moderation_reason = ""
        record(source, actor, ModerationAction.PUBLISHED, now=now)
    record(source, actor, ModerationAction.MERGED, now=now, reason=target.title)
    record(target, actor, ModerationAction.MERGED, now=now, reason=source.title)
    audit.record("moderation.merge", actor=actor, territory=source.territory, target=f"proposal:{source.id}",
                 detail={"into": target.id}, now=now)
    db.session.flush()
    return target


QUEUE_PER_PAGE = 30


@dataclass
class QueuePage:
    """One page of a moderation list and how many items the whole list holds."""

    items: list
    total: int
    page: int
    pages: int


def _queue_page(statement, page: int, per_page: int) -> QueuePage:
    """One page of `statement` (an ORM select of one entity) and its total, in one statement; past the last page
    shows the last one (a second statement, only then)."""
    counted = statement.add_columns(func.count().over())
    page = max(page, 1)
    rows = db.session.execute(counted.limit(per_page).offset((page - 1) * per_page)).all()
    if not rows and page > 1:
        total = db.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        page = max(math.ceil(total / per_page), 1)
        rows = db.session.execute(counted.limit(per_page).offset((page - 1) * per_page)).all()
    total = rows[0][1] if rows else 0
    return QueuePage(items=[row[0] for row in rows], total=total, page=page,
                     pages=max(math.ceil(total / per_page), 1))


def moderation_queue(call: Call, *, page: int = 1, reports_page: int = 1,
                     per_page: int = QUEUE_PER_PAGE) -> dict[str, QueuePage]:
    """Proposals awaiting moderation and open reports of a call, oldest first, by pages of `per_page`, with
    what their lines show (authors, reported proposals): two statements whatever the queue's length."""
    pending = (select(Proposal).where(Proposal.call_id == call.id, Proposal.state == ProposalState.PENDING)
               .order_by(Proposal.submitted_at, Proposal.id)
               .options(joinedload(Proposal.author), joinedload(Proposal.axis)))
    reports = (select(Report).join(Proposal).where(Proposal.call_id == call.id, Report.resolved_at.is_(None))
               .order_by(Report.created_at, Report.id).options(joinedload(Report.proposal)))
    return {"pending": _queue_page(pending, page, per_page), "reports": _queue_page(reports, reports_page, per_page)}


def pending_counts(calls: list[Call]) -> dict[int, int]:
    """Proposals awaiting moderation in each call (0 when none), in one statement."""
    counts = dict.fromkeys((call.id for call in calls), 0)
    if counts:
        counts.update(db.session.execute(select(Proposal.call_id, func.count(Proposal.id)).where(
            Proposal.call_id.in_(counts), Proposal.state == ProposalState.PENDING).group_by(Proposal.call_id)).all())
    return counts


def merge_targets(proposal: Proposal) -> list[Proposal]:
    """Published, unmerged proposals of the same call into which `proposal` may be merged."""
    return list(db.session.scalars(select(Proposal).where(
        Proposal.call_id == proposal.call_id, Proposal.id != proposal.id, Proposal.state == ProposalState.PUBLISHED,
        (Proposal.answer_status.is_(None)) | (Proposal.answer_status != AnswerStatus.MERGED))
        .order_by(Proposal.title)))

