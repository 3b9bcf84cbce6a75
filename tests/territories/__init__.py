"""Territories: communes import, contracts, axes, public pages."""
