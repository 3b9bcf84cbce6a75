"""French text normalisation for search and duplicate detection: accents, case, plurals, stop words."""
from __future__ import annotations

import re
from collections.abc import Iterable

from consult.core.text import fold

_WORD = re.compile(r"[a-z0-9]+")

# Function words that say nothing about what a proposal is about (compared without accents).
STOP_WORDS = frozenset("""
a afin ai au aux avec ce ces cet cette chez dans de des du elle elles en entre et etre eux il ils je la le
les leur leurs lui ma mais me meme mes moi mon ne nos notre nous on ou par pas plus pour qu que qui sa sans
se ses si son sont sur ta te tes toi ton tous tout toute toutes tu un une vos votre vous y d l j m n s t c
qu est ete faire fait tres bien aussi comme ainsi dont vers contre sous apres avant depuis lors selon
""".split())


def stem(word: str) -> str:
    """A light French singular: « hôpitaux » → « hopital », « maisons » → « maison », « bus » stays."""
    if len(word) > 4 and word.endswith("aux"):
        return word[:-3] + "al"
    if len(word) > 3 and word[-1] in "sx" and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str | None) -> list[str]:
    """The folded words of `text`, stop words included (what the search column stores)."""
    return _WORD.findall(fold(text))


def keywords(text: str | None) -> list[str]:
    """Meaningful stems of `text`: folded, stop words removed, plurals reduced."""
    return [stem(word) for word in words(text) if word not in STOP_WORDS and len(word) > 1]


def search_document(*parts: str | None) -> str:
    """The value of a proposal's search column: every word, folded and stemmed, space-separated."""
    return " " + " ".join(stem(word) for part in parts for word in words(part)) + " "


def similarity(first: Iterable[str], second: Iterable[str]) -> float:
    """Dice coefficient of two sets of keywords (0: nothing shared, 1: the same words)."""
    a, b = set(first), set(second)
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))
