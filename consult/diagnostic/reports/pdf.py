"""A report Document as a tagged, accessible PDF: HTML with real headings, lists and table headers, A4 print
styles with page numbers (templates/diagnostic/reports/), rendered by WeasyPrint as PDF/UA."""
from __future__ import annotations

from flask import current_app, render_template

from consult.diagnostic.reports.document import Document
from consult.exports.pdf import render_pdf


def document_html(document: Document) -> str:
    """The document as one self-contained HTML page (styles inline, charts as inline SVG)."""
    return render_template("diagnostic/reports/document.html", document=document,
                           kind=lambda block: type(block).__name__.lower())


def document_pdf(document: Document) -> bytes:
    return render_pdf(document_html(document), base_url=current_app.config.get("SITE_URL") or "http://localhost/",
                      tagged=True)
