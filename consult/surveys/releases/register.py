"""The register of a release: every published figure, what it counts, and how figures relate.

Each table of a release is first protected on its own (the rules of `consult.core.disclosure`), then
its figures are added here with their exact value, their state and their table's relations. Figures
with the same *key* — the same respondents, as the questionnaire tells a reader — are one *quantity*:
a group size published in two breakdowns, the same pair of variables in both directions, a follow-up
question's base and the parent answer it depends on (when everyone asked answered), a question's
counts and the column totals of its breakdowns. The joint audit (`disclosure.audit.protect_jointly`)
then works on quantities, so a figure hidden in one table can never be read in another, and the
relations of every table constrain every other.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from consult.core.disclosure import Cell, Reason, Relation

Key = tuple[tuple[str, ...], ...] | None   # what a figure counts, in words of the questionnaire (`figures.key`)


@dataclass
class Register:
    """Figures (exact values, keys, states after per-table protection) and the relations between them."""

    values: list[int] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)
    states: dict[int, Reason] = field(default_factory=dict)
    relations: list[Relation] = field(default_factory=list)
    known: set[int] = field(default_factory=set)
    margins: set[int] = field(default_factory=set)
    locked: set[int] = field(default_factory=set)

    def add(self, values: Sequence[int], keys: Sequence[Key], cells: Sequence[Cell], *,
            relations: Iterable[Relation] = (), known: Iterable[int] = (), margins: Iterable[int] = (),
            locked: Iterable[int] = ()) -> range:
        """Add one table (indices in `relations`, `known`, `margins`, `locked` are the table's own);
        returns the figures' numbers in the register (a range: the builder keeps one per table until the views
        are built, where a list would hold an int object per figure)."""
        start = len(self.values)
        self.values.extend(values)
        self.keys.extend(keys)
        for n, cell in enumerate(cells):
            if cell.hidden:
                self.states[start + n] = cell.reason
        self.relations += [Relation(tuple(start + i for i in r.parts), start + r.total, r.additive) for r in relations]
        self.known |= {start + i for i in known}
        self.margins |= {start + i for i in margins}
        self.locked |= {start + i for i in locked}
        return range(start, len(self.values))

    def quantities(self) -> Quantities:
        """Merge figures with the same key (counting the same respondents, as a reader knows) into one
        quantity; a figure without a key is a quantity of its own."""
        of: list[int] = []
        by_key: dict[tuple, int] = {}
        count = 0
        for key in self.keys:
            if key is not None:
                if key not in by_key:
                    by_key[key] = count
                    count += 1
                of.append(by_key[key])
            else:
                of.append(count)
                count += 1
        values = [0] * count
        for figure, quantity in enumerate(of):
            values[quantity] = self.values[figure]
        figures_of: list[list[int]] = [[] for _ in range(count)]
        for figure, quantity in enumerate(of):
            figures_of[quantity].append(figure)
        hidden: dict[int, Reason] = {}
        for quantity, figures in enumerate(figures_of):
            reasons = {self.states[f] for f in figures if f in self.states}
            if reasons:
                hidden[quantity] = next(r for r in (Reason.PRIMARY, Reason.GROUP, Reason.SECONDARY) if r in reasons)
        relations = {(tuple(sorted({of[i] for i in r.parts})), of[r.total], r.additive) for r in self.relations}
        return Quantities(
            of=of, values=values,
            relations=[Relation(parts, total, additive) for parts, total, additive in sorted(relations)
                       if parts and parts != (total,)],
            hidden=hidden,
            known={q for q, figures in enumerate(figures_of) if all(f in self.known for f in figures)},
            margins={q for q, figures in enumerate(figures_of) if all(f in self.margins for f in figures)},
            locked={of[f] for f in self.locked},
        )


@dataclass
class Quantities:
    """The register's distinct quantities: `of[figure]` is the quantity a figure shows."""

    of: list[int]
    values: list[int]
    relations: list[Relation]
    hidden: dict[int, Reason]
    known: set[int]
    margins: set[int]
    locked: set[int]

    def cells(self, states: dict[int, Reason]) -> list[Cell]:
        """Every figure as it may be shown, given each quantity's final state."""
        return [Cell(None, states[q]) if q in states else Cell(self.values[q]) for q in self.of]
