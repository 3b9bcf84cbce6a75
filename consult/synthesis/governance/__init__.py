"""Governance of a contract: its bodies and their members, sessions and decisions, and the fiches' statuses."""
