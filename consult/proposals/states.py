"""The states and choices of the proposals capability, with their labels: proposal states, answer statuses,
publicity, moderation actions, vote methods."""
from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext


class ProposalState(enum.StrEnum):
    """Where a proposal stands in moderation: written, waiting for a coordinator, public, refused, hidden."""

    DRAFT = "draft"
    PENDING = "pending"
    PUBLISHED = "published"
    REJECTED = "rejected"
    HIDDEN = "hidden"

    @property
    def label(self) -> str:
        return {
            ProposalState.DRAFT: lazy_pgettext("proposal state", "Draft"),
            ProposalState.PENDING: lazy_pgettext("proposal state", "Awaiting moderation"),
            ProposalState.PUBLISHED: lazy_pgettext("proposal state", "Published"),
            ProposalState.REJECTED: lazy_pgettext("proposal state", "Rejected"),
            ProposalState.HIDDEN: lazy_pgettext("proposal state", "Hidden"),
        }[self]


class AnswerStatus(enum.StrEnum):
    """The official follow-up of a published proposal."""

    UNDER_STUDY = "under_study"
    RETAINED = "retained"
    NOT_RETAINED = "not_retained"
    ALREADY_EXISTS = "already_exists"
    MERGED = "merged"

    @property
    def label(self) -> str:
        return ANSWER_LABELS[self]


ANSWER_LABELS = {
    AnswerStatus.UNDER_STUDY: lazy_pgettext("proposal answer", "Under study"),
    AnswerStatus.RETAINED: lazy_pgettext("proposal answer", "Retained"),
    AnswerStatus.NOT_RETAINED: lazy_pgettext("proposal answer", "Not retained"),
    AnswerStatus.ALREADY_EXISTS: lazy_pgettext("proposal answer", "Already exists"),
    AnswerStatus.MERGED: lazy_pgettext("proposal answer", "Merged"),
}


class Public(enum.StrEnum):
    """Target publics a proposal is meant for (public cible)."""

    CHILDREN = "children"
    YOUNG = "young"
    FAMILIES = "families"
    ELDERLY = "elderly"
    PRECARITY = "precarity"
    DISABILITY = "disability"
    CARERS = "carers"
    PROFESSIONALS = "professionals"
    EVERYONE = "everyone"

    @property
    def label(self) -> str:
        return PUBLIC_LABELS[self]


PUBLIC_LABELS = {
    Public.CHILDREN: _l("Children"),
    Public.YOUNG: _l("Young people"),
    Public.FAMILIES: _l("Parents and families"),
    Public.ELDERLY: _l("Older people"),
    Public.PRECARITY: _l("People in precarity"),
    Public.DISABILITY: _l("People with disabilities"),
    Public.CARERS: _l("Carers"),
    Public.PROFESSIONALS: _l("Health and social professionals"),
    Public.EVERYONE: _l("All residents"),
}


class ModerationAction(enum.StrEnum):
    """What happened to a proposal or one of its comments, as kept in the history."""

    SUBMITTED = "submitted"
    PUBLISHED = "published"
    REJECTED = "rejected"
    REPORTED = "reported"
    HIDDEN = "hidden"
    RESTORED = "restored"
    COMMENT_REPORTED = "comment_reported"
    COMMENT_HIDDEN = "comment_hidden"
    REPORT_DISMISSED = "report_dismissed"
    MERGED = "merged"
    ANSWERED = "answered"

    @property
    def label(self) -> str:
        return {
            ModerationAction.SUBMITTED: _l("Submitted for moderation"),
            ModerationAction.PUBLISHED: _l("Proposal published"),
            ModerationAction.REJECTED: _l("Proposal rejected"),
            ModerationAction.REPORTED: _l("Proposal reported"),
            ModerationAction.HIDDEN: _l("Proposal hidden"),
            ModerationAction.RESTORED: _l("Proposal shown again"),
            ModerationAction.COMMENT_REPORTED: _l("Comment reported"),
            ModerationAction.COMMENT_HIDDEN: _l("Comment hidden"),
            ModerationAction.REPORT_DISMISSED: _l("Report dismissed"),
            ModerationAction.MERGED: _l("Merged with another proposal"),
            ModerationAction.ANSWERED: _l("Official answer given"),
        }[self]


class VoteMethod(enum.StrEnum):
    """How a prioritisation vote is cast and counted."""

    PICK = "pick"
    RANK = "rank"

    @property
    def label(self) -> str:
        return {
            VoteMethod.PICK: _l("Each person chooses a few proposals; the most chosen one comes first"),
            VoteMethod.RANK: _l("Each participant ranks the proposals (Borda count)"),
        }[self]
