"""Refusals specific to proposals (shown to the user as they are)."""
from __future__ import annotations

from consult.errors import Conflict


class SubmissionClosed(Conflict):
    """The call does not take new proposals now."""


class VotingClosed(Conflict):
    """Supports (or a prioritisation ballot) are not accepted now."""


class SupportLimitReached(Conflict):
    """The participant has used every support the call allows."""


class AlreadySupported(Conflict):
    """This participant already supports this proposal."""


class NotEditable(Conflict):
    """The proposal can no longer be edited (supported, commented, or answered)."""


class WrongState(Conflict):
    """The proposal is not in the state this action needs."""
