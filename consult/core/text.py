"""Text helpers: accent- and case-insensitive folding, Markdown restricted to a safe subset (sanitised with nh3)."""
from __future__ import annotations

import unicodedata

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


def render_markdown(text: str | None) -> Markup:
    """Markdown → HTML with only ALLOWED_TAGS kept; safe to print in a template."""
    if not text:
        return Markup("")
    html = md.markdown(text, extensions=["sane_lists"], output_format="html")
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return Markup(clean)  # nosec B704  # nh3 just above keeps only ALLOWED_TAGS, their attributes and safe URLs
