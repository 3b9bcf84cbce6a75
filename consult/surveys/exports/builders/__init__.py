"""Pure row builders: each yields a header row, then data rows (no database, no request).
Their public names are importable from this package.

- `raw.raw_rows`: one row per response (random pseudonym, random order), one or more columns per question (the codebook explains them);
- `direct.direct_rows`: the same rows as `raw_rows`, filled straight from the stored answer rows (the analysts'
  files: millions of answers);
- `raw.codebook_rows`: questions, options, matrix rows, conditions, FALC wording and score rules (the data
  package's codebook);
- `dictionary.dictionary_rows`: the analysts' « Dictionnaire des codes », one line per column and per code;
- `release.release_table_rows` / `release_method_rows`: a release's protected tables, as its pages show them.

Cells are str, int, float, datetime.date or None; writers turn them into CSV, XLSX or ODS.
"""
from __future__ import annotations

from consult.surveys.exports.builders.raw import (  # noqa: F401
    RawColumn,
    analyst_columns,
    cell_readers,
    codebook_header,
    codebook_rows,
    condition_text,
    free_text_columns,
    number_cell,
    option_numbers,
    raw_columns,
    raw_rows,
    score_rule,
)
from consult.surveys.exports.builders.direct import direct_rows  # noqa: F401
from consult.surveys.exports.builders.release import (  # noqa: F401
    release_method_rows,
    release_table_rows,
    tables_header,
)
from consult.surveys.exports.builders.release import figure as release_figure  # noqa: F401
from consult.surveys.exports.builders.dictionary import (  # noqa: F401
    dictionary_header,
    dictionary_rows,
    tables_dictionary_rows,
)
