"""A report Document as an OpenDocument text (odfpy) for editing: headings with outline levels, paragraphs,
lists, tables with header rows (a table stands for each chart), a table of contents, page numbers, A4."""
from __future__ import annotations

import re
from typing import IO

from flask_babel import gettext as _
from odf import dc, table, text
from odf.opendocument import OpenDocumentText
from odf.style import (
    FontFace,
    Footer,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TextProperties,
)

from consult.diagnostic.reports.document import Bullets, Chart, Contents, Document, Facts, Heading, Paragraph, Prose, Table

BLUE = "#000091"
FONT = "DejaVu Sans"


class _Styles:
    """The named styles of the document (LibreOffice shows them in its styles list)."""

    def __init__(self, doc: OpenDocumentText, lang: str):
        language, _sep, country = lang.partition("-")
        doc.fontfacedecls.addElement(FontFace(name=FONT, fontfamily=FONT, fontfamilygeneric="swiss"))
        default = Style(name="Standard", family="paragraph")
        default.addElement(TextProperties(fontname=FONT, fontsize="10.5pt", language=language,
                                          country=(country or {"fr": "FR", "en": "GB"}.get(language, "")).upper()))
        default.addElement(ParagraphProperties(margintop="0cm", marginbottom="0.2cm"))
        doc.styles.addElement(default)
        self.body = self._paragraph(doc, "Text_20_body", "Text body", parent="Standard")
        self.hint = self._paragraph(doc, "Hint", "Hint", parent="Standard", fontsize="9pt", color="#3a3a3a")
        self.title = self._paragraph(doc, "Title", "Title", parent="Standard", fontsize="24pt", fontweight="bold",
                                     color=BLUE)
        self.subtitle = self._paragraph(doc, "Subtitle", "Subtitle", parent="Standard", fontsize="14pt")
        self.caption = self._paragraph(doc, "Table_20_caption", "Table caption", parent="Standard",
                                       fontweight="bold", keep=True)
        self.cell = self._paragraph(doc, "Table_20_Contents", "Table Contents", parent="Standard", fontsize="9.5pt")
        self.number = self._paragraph(doc, "Table_20_number", "Table number", parent="Table_20_Contents",
                                      align="end")
        self.head = self._paragraph(doc, "Table_20_Heading", "Table Heading", parent="Table_20_Contents",
                                    fontweight="bold")
        self.label = self._paragraph(doc, "Fact_20_label", "Fact label", parent="Standard", fontweight="bold")
        self.footer = self._paragraph(doc, "Footer", "Footer", parent="Standard", fontsize="9pt", align="center")
        self.contents = self._paragraph(doc, "Contents_20_1", "Contents 1", parent="Standard")
        self.contents2 = self._paragraph(doc, "Contents_20_2", "Contents 2", parent="Standard", indent="0.8cm")
        self.headings = {}
        for level, size in ((1, "17pt"), (2, "13pt"), (3, "11.5pt"), (4, "10.5pt"), (5, "10.5pt")):
            style = Style(name=f"Heading_20_{level}", displayname=f"Heading {level}", family="paragraph",
                          parentstylename="Standard", nextstylename="Text_20_body", defaultoutlinelevel=str(level))
            style.addElement(ParagraphProperties(margintop="0.5cm", marginbottom="0.2cm", keepwithnext="always"))
            style.addElement(TextProperties(fontsize=size, fontweight="bold", color=BLUE))
            doc.styles.addElement(style)
            self.headings[level] = style
        self.break_before = Style(name="Heading_20_1_20_page", family="paragraph", parentstylename="Heading_20_1")
        self.break_before.addElement(ParagraphProperties(breakbefore="page"))
        doc.automaticstyles.addElement(self.break_before)
        self.break_before2 = Style(name="Heading_20_2_20_page", family="paragraph", parentstylename="Heading_20_2")
        self.break_before2.addElement(ParagraphProperties(breakbefore="page"))
        doc.automaticstyles.addElement(self.break_before2)
        self.table = Style(name="Report_20_table", family="table")
        self.table.addElement(TableProperties(width="17cm", align="left"))
        doc.automaticstyles.addElement(self.table)
        self.first_column = Style(name="Report_20_first", family="table-column")
        self.first_column.addElement(TableColumnProperties(relcolumnwidth="3*"))
        doc.automaticstyles.addElement(self.first_column)
        self.column = Style(name="Report_20_column", family="table-column")
        self.column.addElement(TableColumnProperties(relcolumnwidth="2*"))
        doc.automaticstyles.addElement(self.column)
        self.cell_style = Style(name="Report_20_cell", family="table-cell")
        self.cell_style.addElement(TableCellProperties(padding="0.08cm", borderbottom="0.5pt solid #929292"))
        doc.automaticstyles.addElement(self.cell_style)
        self.head_cell = Style(name="Report_20_head", family="table-cell")
        self.head_cell.addElement(TableCellProperties(padding="0.08cm", backgroundcolor="#eeeef8",
                                                      borderbottom="1.2pt solid #161616"))
        doc.automaticstyles.addElement(self.head_cell)
        layout = PageLayout(name="A4")
        layout.addElement(PageLayoutProperties(pagewidth="21cm", pageheight="29.7cm", printorientation="portrait",
                                               margintop="2cm", marginbottom="1.6cm", marginleft="1.8cm",
                                               marginright="1.8cm"))
        doc.automaticstyles.addElement(layout)
        master = MasterPage(name="Standard", pagelayoutname=layout)
        footer = Footer()
        page = text.P(stylename=self.footer)
        page.addElement(text.PageNumber(selectpage="current", numformat="1"))
        page.addText(" / ")
        page.addElement(text.PageCount())
        footer.addElement(page)
        master.addElement(footer)
        doc.masterstyles.addElement(master)

    @staticmethod
    def _paragraph(doc, name, display, *, parent=None, fontsize=None, fontweight=None, color=None, align=None,
                   keep=False, indent=None) -> Style:
        style = Style(name=name, displayname=display, family="paragraph", parentstylename=parent)
        text_props = {k: v for k, v in (("fontsize", fontsize), ("fontweight", fontweight), ("color", color)) if v}
        if text_props:
            style.addElement(TextProperties(**text_props))
        para = {k: v for k, v in (("textalign", align), ("marginleft", indent)) if v}
        if keep:
            para["keepwithnext"] = "always"
        if para:
            style.addElement(ParagraphProperties(**para))
        doc.styles.addElement(style)
        return style


def _table(doc_body, styles: _Styles, t: Table, name: str) -> None:
    doc_body.addElement(text.P(stylename=styles.caption, text=t.caption))
    grid = table.Table(name=name, stylename=styles.table)
    grid.addElement(table.TableColumn(stylename=styles.first_column))
    if len(t.header) > 1:
        grid.addElement(table.TableColumn(stylename=styles.column, numbercolumnsrepeated=len(t.header) - 1))
    head = table.TableHeaderRows()
    row = table.TableRow()
    for n, label in enumerate(t.header):
        cell = table.TableCell(valuetype="string", stylename=styles.head_cell)
        cell.addElement(text.P(stylename=styles.head, text=label))
        row.addElement(cell)
    head.addElement(row)
    grid.addElement(head)
    for values in [*t.rows, *([t.footer] if t.footer else [])]:
        row = table.TableRow()
        for n, value in enumerate(values):
            # Every cell is text (valuetype string): a value that looks like a formula stays words.
            cell = table.TableCell(valuetype="string", stylename=styles.cell_style)
            style = styles.head if n == 0 and values is t.footer else (
                styles.number if n in t.numeric else styles.cell)
            cell.addElement(text.P(stylename=style, text=str(value)))
            row.addElement(cell)
        grid.addElement(row)
    doc_body.addElement(grid)


def _prose(body, styles: _Styles, source: str) -> None:
    """Markdown as typed: one paragraph per block, list lines as a list, emphasis marks dropped."""
    for chunk in re.split(r"\n\s*\n", source.strip()):
        lines = [line.strip() for line in chunk.splitlines() if line.strip()]
        if lines and all(re.match(r"^([-*+]|\d+[.)])\s+", line) for line in lines):
            items = text.List()
            for line in lines:
                item = text.ListItem()
                item.addElement(text.P(stylename=styles.body, text=_plain(re.sub(r"^([-*+]|\d+[.)])\s+", "", line))))
                items.addElement(item)
            body.addElement(items)
        elif lines:
            body.addElement(text.P(stylename=styles.body, text=_plain(" ".join(lines))))


def _plain(value: str) -> str:
    return re.sub(r"(\*\*|__|\*|_)(\S.*?\S|\S)\1", r"\2", value)


def write_odt(document: Document, target: IO[bytes]) -> None:
    """Write `document` as an ODT into `target`."""
    doc = OpenDocumentText()
    styles = _Styles(doc, document.lang)
    doc.meta.addElement(dc.Title(text=f"{document.title} — {document.subtitle}"))
    doc.meta.addElement(dc.Language(text=document.lang))
    doc.meta.addElement(dc.Date(text=document.made_on.isoformat() + "T00:00:00"))
    body = doc.text
    body.addElement(text.P(stylename=styles.subtitle, text=document.subtitle))
    body.addElement(text.P(stylename=styles.title, text=document.title))
    for label, value in document.cover:
        line = text.P(stylename=styles.body)
        line.addElement(text.Span(text=f"{label} : " if document.lang.startswith("fr") else f"{label}: "))
        line.addText(value)
        body.addElement(line)
    tables = 0
    for block in document.blocks:
        if isinstance(block, Contents):
            toc = text.TableOfContent(name=_("Contents"))
            source = text.TableOfContentSource(outlinelevel="2")
            source.addElement(text.IndexTitleTemplate(text=_("Contents")))
            toc.addElement(source)
            index = text.IndexBody()
            index.addElement(text.P(stylename=styles.headings[1], text=_("Contents")))
            for heading in document.contents():
                index.addElement(text.P(stylename=styles.contents if heading.level == 1 else styles.contents2,
                                        text=heading.text))
            toc.addElement(index)
            body.addElement(toc)
        elif isinstance(block, Heading):
            level = min(block.level, 5)
            style = styles.headings[level]
            if block.new_page and level == 1:
                style = styles.break_before
            elif block.new_page and level == 2:
                style = styles.break_before2
            body.addElement(text.H(outlinelevel=level, stylename=style, text=block.text))
        elif isinstance(block, Paragraph):
            body.addElement(text.P(stylename=styles.hint if block.hint else styles.body, text=block.text))
        elif isinstance(block, Facts):
            for label, value in block.pairs:
                line = text.P(stylename=styles.body)
                strong = text.Span(text=f"{label} : " if document.lang.startswith("fr") else f"{label}: ")
                line.addElement(strong)
                line.addText(value)
                body.addElement(line)
        elif isinstance(block, Bullets):
            items = text.List()
            for value in block.items:
                item = text.ListItem()
                item.addElement(text.P(stylename=styles.body, text=value))
                items.addElement(item)
            body.addElement(items)
        elif isinstance(block, Prose):
            _prose(body, styles, block.text)
        elif isinstance(block, Table):
            tables += 1
            _table(body, styles, block, f"Table{tables}")
        elif isinstance(block, Chart):
            tables += 1
            _table(body, styles, block.table, f"Table{tables}")
    doc.write(target)
