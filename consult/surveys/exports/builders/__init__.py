"""Pure row builders: each yields a header row, then data rows (no database, no request).
Their public names are importable from this package.

- `raw.raw_rows`: one row per response (random pseudonym, random order), one or more columns per question (the codebook explains them);
- `raw.codebook_rows`: questions, options, matrix rows, conditions, FALC wording and score rules;
- `tables.count_closed_answers` + `table_rows` / `method_rows`: aggregated tables with disclosure control.

Cells are str, int, float, datetime.date or None; writers turn them into CSV, XLSX or ODS.
"""
from __future__ import annotations

from consult.surveys.exports.builders.raw import (  # noqa: F401
    RawColumn,
    codebook_header,
    codebook_rows,
    condition_text,
    free_text_columns,
    number_cell,
    raw_columns,
    raw_rows,
    score_rule,
)
from consult.surveys.exports.builders.tables import (  # noqa: F401
    FrequencyTable,
    MethodFacts,
    SurveyCounts,
    apply_disclosure_control,
    count_closed_answers,
    figure,
    method_rows,
    suppression_summary,
    table_kind_label,
    table_rows,
    tables_header,
)
