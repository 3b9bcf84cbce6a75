"""Text helpers: accent- and case-insensitive folding, Markdown restricted to a safe subset (sanitised with nh3)."""
from __future__ import annotations

import threading
import unicodedata
from collections import OrderedDict

import markdown as md
import nh3
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "h3", "h4", "code"}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


def fold(text: str | None) -> str:
    """Lower case without accents or ligatures, for comparing, searching and sorting French text:
    « Santé Œil » → « sante oeil »."""
    text = (text or "").replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def _render(text: str) -> Markup:
    html = md.markdown(text, extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # nosec B704  # nh3 just above keeps only ALLOWED_TAGS, their attributes and safe URLs


class MarkdownMemo:
    """The rendered HTML of the texts shown lately, keyed by the exact text, least recently used dropped first.

    Rendering is a pure function of the text, so a hit is always right: no invalidation exists to forget, the
    same text edited anywhere is a new key, and every page and field (proposals, comments, fiches, minutes) shares
    it without a column per field. Bounded by characters kept (source + HTML), not by entries: a few long texts
    cannot hold a worker's memory. Texts longer than a tenth of the bound are rendered and not kept.
    """

    def __init__(self, max_chars: int = 4_000_000) -> None:
        self.max_chars = max_chars
        self.chars = 0
        self.hits = self.misses = 0
        self._items: OrderedDict[str, Markup] = OrderedDict()
        self._lock = threading.Lock()  # gthread workers: one memo per process, shared by its threads

    def render(self, text: str) -> Markup:
        """The sanitised HTML of `text`, rendered at most once while it stays in the memo."""
        with self._lock:
            html = self._items.get(text)
            if html is not None:
                self._items.move_to_end(text)
                self.hits += 1
                return html
            self.misses += 1
        html = _render(text)
        size = len(text) + len(html)
        if size > self.max_chars // 10:
            return html
        with self._lock:
            if text not in self._items:
                self._items[text] = html
                self.chars += size
                while self.chars > self.max_chars:
                    old_text, old_html = self._items.popitem(last=False)
                    self.chars -= len(old_text) + len(old_html)
        return html

    def clear(self) -> None:
        """Forget every rendered text (tests, or a change of ALLOWED_TAGS at runtime)."""
        with self._lock:
            self._items.clear()
            self.chars = self.hits = self.misses = 0


MARKDOWN = MarkdownMemo()


def render_markdown(text: str | None) -> Markup:
    """Markdown → HTML with only ALLOWED_TAGS kept; safe to print in a template. Each distinct text is rendered
    and sanitised once per process while it is shown (see MarkdownMemo)."""
    if not text:
        return Markup("")
    return MARKDOWN.render(text)
