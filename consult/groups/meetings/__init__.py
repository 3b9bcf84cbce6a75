"""Meetings and events: scheduling, registration, attendance, minutes and ideas (services flush, never commit)."""
