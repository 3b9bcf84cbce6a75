"""People: accounts, confirmation, login sessions, profiles and per-territory roles."""
