"""Exports shared by every capability, in two steps: a capability's builder yields a header row and data
rows (pure), then a writer here serialises them.

- `writers`: `Cell`, CSV / XLSX / ODS writers (formula-like text neutralised), spreadsheets streamed as they are
  written (`spreadsheet_chunks`) or spooled (`write_spreadsheet`, `file_chunks`);
- `pdf`: an HTML page rendered as a PDF (WeasyPrint) without fetching anything;
- `responses`: `send_export()`, the one way a download leaves the application.
"""
