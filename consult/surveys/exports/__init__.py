"""Survey exports in two steps: builders yield a header and rows, writers serialise them (CSV, XLSX, ODS).

- `records`: reads responses from the database in batches and turns each one back into the answer
  format of `consult.surveys.answering.answers` (the only module here that queries, with `files`).
- `builders`: pure functions that yield rows (raw responses, codebook, dictionary of codes, aggregated tables,
  method).
- `files`: each downloadable file, as a builder fed by the records and handed to a writer of
  `consult.exports.writers` (the one place where formula-like cells are neutralised).
- `printable`: what the paper questionnaire template needs (PDF: `consult.exports.pdf`).
"""
