"""A report as a list of plain blocks (headings, paragraphs, facts, tables, charts): built once from the
database, then written as HTML for the PDF and as an OpenDocument text, so both formats say exactly the same."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markupsafe import Markup


@dataclass
class Heading:
    level: int          # 1 = a part of the document (its cover title is above every heading)
    text: str
    anchor: str = ""
    new_page: bool = False


@dataclass
class Paragraph:
    text: str
    hint: bool = False   # an explanation printed smaller


@dataclass
class Facts:
    """Label → value pairs (a definition list in HTML)."""

    pairs: list[tuple[str, str]]


@dataclass
class Bullets:
    items: list[str]
    numbered: bool = False


@dataclass
class Prose:
    """Text typed with Markdown by a coordinator (sanitised HTML in the PDF, its paragraphs in the ODT)."""

    text: str


@dataclass
class Table:
    """A table: the first cell of each row heads it; `numeric` columns are right-aligned."""

    caption: str
    header: list[str]
    rows: list[list[str]]
    footer: list[str] | None = None
    numeric: frozenset[int] = frozenset()


@dataclass
class Chart:
    """A bar chart (inline SVG with its title and description) followed by its data table."""

    svg: Markup
    description: str
    table: Table
    title: str = ""     # shown above the chart (the SVG's <title> says it to screen readers)


@dataclass
class Contents:
    """The table of contents: filled by `Document.contents()` from the level 1 and 2 headings."""


Block = Heading | Paragraph | Facts | Bullets | Prose | Table | Chart | Contents


@dataclass
class Document:
    title: str
    subtitle: str
    lang: str
    made_on: dt.date
    cover: list[tuple[str, str]]
    blocks: list[Block] = field(default_factory=list)
    compact: bool = False   # a short document (one fiche): no cover page of its own

    def contents(self) -> list[Heading]:
        """The headings listed in the table of contents."""
        return [b for b in self.blocks if isinstance(b, Heading) and b.level <= 2]

    def anchored(self) -> Document:
        """Every heading with an anchor of its own (the table of contents links to them)."""
        for n, block in enumerate(self.blocks):
            if isinstance(block, Heading) and not block.anchor:
                block.anchor = f"s{n}"
        return self
