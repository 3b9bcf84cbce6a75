"""Shared building blocks: database session rules, mixins, mail, rate limits, public pages."""
