"""Server-rendered SVG charts: horizontal bars (answers) and columns (responses over time).

No JavaScript. Each chart is an image with a title and a description (role="img"); the page puts a
real data table next to it. Figures arrive already protected and formatted: a hidden count has no
length and shows its text ("< 11"). Colours: the site's blue bars on a pale track (15.9:1 with
white text), dark text on white.
"""
from __future__ import annotations

import textwrap
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 360
BAR_MAX = 220
BAR_HEIGHT = 18
LINE = 17
FONT = 14
CHAR = 7.4          # average width of a character at FONT (system sans-serif)
BLUE = "#000091"
TRACK = "#e3e3fd"
TEXT = "#161616"
MUTED = "#595959"
GRID = "#cecece"


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its length as a fraction of the scale (None: hidden) and its text."""

    label: str
    length: float | None
    text: str


def _svg(ident: str, title: str, description: str, height: float, body: list[str], width: int = WIDTH) -> Markup:
    head = (f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height:.0f}" '
            f'role="img" aria-labelledby="{escape(ident)}-title {escape(ident)}-desc" '
            f'font-family="system-ui, -apple-system, \'Segoe UI\', Roboto, Arial, sans-serif" font-size="{FONT}">'
            f'<title id="{escape(ident)}-title">{escape(title)}</title>'
            f'<desc id="{escape(ident)}-desc">{escape(description)}</desc>')
    return Markup(head + "".join(body) + "</svg>")  # nosec B704  # every text part escaped above and below


INLINE_LABEL = 120  # room for a label beside its bar (about 16 characters)
INLINE_BAR_HEIGHT = 15
VALUE_ROOM = 104    # room for a value after the bar ("100 % (1 234)")


def bar_chart(bars: Sequence[Bar], *, ident: str, title: str, description: str, compact: bool = False) -> Markup:
    """Horizontal bars, each label written above its bar (readable on a phone), value at its end.
    `compact`: when every label is short, each label goes on its bar's line instead (half the height)."""
    if compact and all(len(bar.label) * CHAR * 1.1 <= INLINE_LABEL for bar in bars):
        return _inline_bar_chart(bars, ident=ident, title=title, description=description)
    body: list[str] = []
    y = 4.0
    wrap = int(WIDTH / CHAR)
    below_label, below_bar = (3, 6) if compact else (6, 8)
    for bar in bars:
        for line in textwrap.wrap(bar.label, wrap) or [""]:
            y += LINE
            body.append(f'<text x="0" y="{y:.0f}" fill="{TEXT}">{escape(line)}</text>')
        y += below_label
        body.extend(_bar(bar, x=0, y=y, longest=BAR_MAX, height=BAR_HEIGHT, text_y=y + BAR_HEIGHT - 4))
        y += BAR_HEIGHT + below_bar
    return _svg(ident, title, description, y + 4, body)


def _bar(bar: Bar, *, x: float, y: float, longest: float, height: float, text_y: float) -> list[str]:
    """One bar's track, its filled part and its value at the end (« < k » in italics, no bar, when hidden)."""
    parts = [f'<rect x="{x:.0f}" y="{y:.0f}" width="{longest:.0f}" height="{height}" fill="{TRACK}"/>']
    if bar.length is None:
        return parts + [f'<text x="{x + longest + 8:.0f}" y="{text_y:.0f}" fill="{MUTED}" font-style="italic">'
                        f'{escape(bar.text)}</text>']
    length = max(0.0, min(1.0, bar.length)) * longest
    if length > 0:
        parts.append(f'<rect x="{x:.0f}" y="{y:.0f}" width="{length:.1f}" height="{height}" fill="{BLUE}"/>')
    return parts + [f'<text x="{x + longest + 8:.0f}" y="{text_y:.0f}" fill="{TEXT}" font-weight="600">'
                    f'{escape(bar.text)}</text>']


def _inline_bar_chart(bars: Sequence[Bar], *, ident: str, title: str, description: str) -> Markup:
    """Short labels on the left, bars after them, values at their end: one line per answer."""
    body: list[str] = []
    left = max((len(bar.label) for bar in bars), default=0) * CHAR * 1.1 + 10  # capitals are wider than CHAR
    longest = WIDTH - left - VALUE_ROOM
    y = 4.0
    height = INLINE_BAR_HEIGHT
    for bar in bars:
        text_y = y + height - 2
        body.append(f'<text x="0" y="{text_y:.0f}" fill="{TEXT}">{escape(bar.label)}</text>')
        body.extend(_bar(bar, x=left, y=y, longest=longest, height=height, text_y=text_y))
        y += height + 7
    return _svg(ident, title, description, y, body)


def column_chart(columns: Sequence[Bar], *, ident: str, title: str, description: str,
                 peak_label: str = "") -> Markup:
    """Columns over time (e.g. responses per week); `length` is a fraction of the tallest column.

    Up to 16 columns carry their value; beyond, a dashed line marks the tallest (`peak_label`).
    Labels under the axis are thinned out so they never overlap; every value is in the table."""
    height, top, bottom, left = 190, 24, 34, 4
    plot = height - top - bottom
    count = max(len(columns), 1)
    slot = (WIDTH - left) / count
    every = max(1, int(-(-count * 60 // (WIDTH - left))))  # a label needs about 60 units
    body = [f'<line x1="{left}" y1="{top + plot}" x2="{WIDTH}" y2="{top + plot}" stroke="{MUTED}"/>']
    if peak_label and count > 16:
        body.append(f'<line x1="{left}" y1="{top}" x2="{WIDTH}" y2="{top}" stroke="{GRID}" stroke-dasharray="4 4"/>')
        body.append(f'<text x="{WIDTH}" y="{top - 6}" text-anchor="end" fill="{MUTED}" font-size="12">'
                    f'{escape(peak_label)}</text>')
    for n, column in enumerate(columns):
        x = left + n * slot
        width = max(slot * 0.7, 1)
        centre = x + slot / 2
        if column.length is None:
            if count <= 16:
                body.append(f'<text x="{centre:.1f}" y="{top + plot - 4}" text-anchor="middle" fill="{MUTED}" '
                            f'font-size="11" font-style="italic">{escape(column.text)}</text>')
        else:
            h = max(0.0, min(1.0, column.length)) * plot
            body.append(f'<rect x="{x + (slot - width) / 2:.1f}" y="{top + plot - h:.1f}" width="{width:.1f}" '
                        f'height="{h:.1f}" fill="{BLUE}"/>')
            if count <= 16 and h > 0:
                body.append(f'<text x="{centre:.1f}" y="{top + plot - h - 4:.1f}" text-anchor="middle" '
                            f'fill="{TEXT}" font-size="12">{escape(column.text)}</text>')
        if n % every == 0:
            # Keep the first and last labels inside the picture.
            anchor, at = "middle", centre
            if centre < 30:
                anchor, at = "start", x
            elif centre > WIDTH - 30:
                anchor, at = "end", x + slot
            body.append(f'<text x="{at:.1f}" y="{top + plot + 18}" text-anchor="{anchor}" fill="{TEXT}" '
                        f'font-size="12">{escape(column.label)}</text>')
    return _svg(ident, title, description, height, body)
