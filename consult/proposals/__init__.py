"""Citizen proposals: calls, proposals, supports, comments, moderation, answers and prioritisation votes."""
