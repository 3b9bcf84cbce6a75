"""The rules of calls, proposals, supports, comments, moderation, answers and prioritisation votes.

Every service takes the actor, checks what it may do (PermissionDenied otherwise), adds and
flushes, never commits, and takes the time as `now`.
"""
from consult.proposals.services.participation import participation_of  # noqa: F401
