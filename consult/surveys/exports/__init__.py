"""Survey exports in two steps: builders yield a header and rows, writers serialise them (CSV, XLSX, ODS).

- `records`: reads responses from the database in batches and turns each one back into the answer
  format of `consult.surveys.answers` (the only module here that queries, with `files`).
- `builders`: pure functions that yield rows (raw responses, codebook, aggregated tables, method).
- `writers`: streaming serialisers; the one place where formula-like cells are neutralised.
- `files`: each downloadable file, as a builder fed by the records and handed to a writer.
- `printable`: what the paper questionnaire template needs, and its PDF rendering (WeasyPrint).
"""
