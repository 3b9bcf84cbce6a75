"""HTML rendered as a PDF with WeasyPrint; nothing outside the page is ever fetched."""
from __future__ import annotations


def refuse_fetch(url: str, *args, **kwargs):
    """WeasyPrint URL fetcher that loads nothing: printable pages are self-contained, and text
    typed by coordinators must not make the server request other addresses."""
    raise ValueError(f"External resources are not loaded: {url[:80]}")


def render_pdf(html: str, *, base_url: str, tagged: bool = False) -> bytes:
    """The page as a PDF (the page's own @page rules set the size and the footer).

    `tagged`: an accessible PDF (PDF/UA-1): a structure tree of the page's headings, lists and tables that screen
    readers follow, the document's language (the root's `lang`) and its title (`<title>`) in the metadata."""
    from weasyprint import HTML  # imported here: loading Pango is slow, and only PDF routes need it

    options = {"pdf_variant": "pdf/ua-1", "pdf_tags": True} if tagged else {}
    return HTML(string=html, base_url=base_url, url_fetcher=refuse_fetch).write_pdf(**options)


def render_pdf_copies(htmls: list[str], *, base_url: str) -> bytes:
    """Several pages (one printed copy each) as one PDF: each laid out on its own, so that each copy's page
    numbers and running headers are its own ("Page 1 / 6" in every copy)."""
    from weasyprint import HTML

    documents = [HTML(string=html, base_url=base_url, url_fetcher=refuse_fetch).render() for html in htmls]
    return documents[0].copy([page for document in documents for page in document.pages]).write_pdf()
