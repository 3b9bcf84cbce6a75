"""Moderation: publish, reject with a reason, report, hide, dismiss reports, merge duplicates."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import delete, exists, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, joinedload

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
    db.session.flush()
    return comment


def merge_proposals(actor, source: Proposal, target: Proposal, *, now: dt.datetime) -> Proposal:
    """Merge `source` into `target`: supports and followers move to `target`, a person who supported
    both keeps one support; `source` is answered "merged" with a pointer to `target`.

    Raises PermissionDenied, InvalidInput (not the same call, same proposal), WrongState, Conflict (retry).
    """
    require(can_moderate(actor, source.territory))
    if source.id == target.id or source.call_id != target.call_id:
        raise InvalidInput(_("Choose another proposal of the same call."), field="target_id")
    for proposal in (source, target):
        if proposal.state is not ProposalState.PUBLISHED or proposal.answer_status is AnswerStatus.MERGED:
            raise WrongState(_("Only published proposals that are not merged yet can be merged."))
    kept = aliased(Support)
    both = select(kept.user_id).where(kept.proposal_id == target.id)
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
    source.answer_status = AnswerStatus.MERGED
    source.merged_into_id = target.id
    source.answered_at = now
    source.answer_text = ""
    record(source, actor, ModerationAction.MERGED, now=now, reason=target.title)
    record(target, actor, ModerationAction.MERGED, now=now, reason=source.title)
    db.session.flush()
    return target


def moderation_queue(call: Call) -> dict:
    """Proposals awaiting moderation and open reports of a call, oldest first."""
    pending = db.session.scalars(select(Proposal).where(Proposal.call_id == call.id,
                                                        Proposal.state == ProposalState.PENDING)
                                 .order_by(Proposal.submitted_at, Proposal.id)
                                 .options(joinedload(Proposal.author), joinedload(Proposal.axis))).all()
    reports = db.session.scalars(select(Report).join(Proposal).where(Proposal.call_id == call.id,
                                                                     Report.resolved_at.is_(None))
                                 .order_by(Report.created_at, Report.id)).all()
    return {"pending": pending, "reports": reports}


def call_proposals(call: Call) -> list[Proposal]:
    """Every proposal of the call except drafts, for the coordinators' overview."""
    return list(db.session.scalars(select(Proposal).where(Proposal.call_id == call.id,
                                                          Proposal.state != ProposalState.DRAFT)
                                   .order_by(Proposal.title, Proposal.id)
                                   .options(joinedload(Proposal.author), joinedload(Proposal.axis))))


def open_reports(proposal: Proposal) -> list[Report]:
    """The proposal's reports not yet handled, oldest first."""
    return list(db.session.scalars(select(Report).where(Report.proposal_id == proposal.id,
                                                        Report.resolved_at.is_(None)).order_by(Report.created_at)))


def merge_targets(proposal: Proposal) -> list[Proposal]:
    """Published, unmerged proposals of the same call into which `proposal` may be merged."""
    return list(db.session.scalars(select(Proposal).where(
        Proposal.call_id == proposal.call_id, Proposal.id != proposal.id, Proposal.state == ProposalState.PUBLISHED,
        (Proposal.answer_status.is_(None)) | (Proposal.answer_status != AnswerStatus.MERGED))
        .order_by(Proposal.title)))

