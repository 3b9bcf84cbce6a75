"""Releases of survey results: dated, immutable snapshots of protected tables, the only figures the public
and observers read (`models`, `build`, `register`, `services`)."""
