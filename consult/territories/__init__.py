"""Territories, their communes and EPCIs, contracts (the CLS), axes and objectives."""
