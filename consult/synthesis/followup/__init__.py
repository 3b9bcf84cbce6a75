"""Follow-up of the fiches (steps, indicator values per year, notes) and the annual review of a contract."""
