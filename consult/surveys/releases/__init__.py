"""Releases of survey results: dated, immutable snapshots of protected tables, the only figures the public
and observers read (`models`; `figures` and `register`, what each figure counts and how figures relate; `build`, the content protected together; `content`, what a release holds; `services`)."""
