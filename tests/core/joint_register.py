"""A synthetic release register for the joint audit's tests and benchmark (not a test module).

A seeded population of respondents with a commune (15, some tiny), a sex (3, one rare), an age band (6)
and an occupation (8) answers 20 closed questions of 3–5 options: some multiple-choice, some asked only
to those who gave a given answer to an earlier question, and a few skipped by some respondents. The
tables are those a release publishes: each variable's distribution, each pair of variables both ways,
each question's distribution and each question by each variable, every one protected on its own first
(`protect_counts`, `protect_table`). Figures that count by definition the same respondents are one
quantity (age × sex and sex × age; a group's base in every breakdown; a conditional question's base and
its parent's answer, since a question asked is answered), hidden if hidden anywhere. Figures that
merely happen to count the same people are not merged: a reader cannot know it (merging them would
tell the attacker, e.g., that the only respondent of a commune is a woman), unless `merge_equal_sets`:
then, as a stronger attacker, the register links far more figures (one large component).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from consult.core.disclosure import Cell, Reason, Relation, protect_counts, protect_table

VARIABLES = {
    # name: (groups, weights)
    "commune": (15, [30, 25, 20, 15, 12, 10, 8, 6, 5, 4, 3, 2, 1, 0.6, 0.3]),
    "sex": (3, [50, 48, 2]),
    "age": (6, [14, 16, 18, 20, 18, 14]),
    "occupation": (8, [3, 10, 25, 15, 22, 12, 8, 5]),
}


@dataclass
class Register:
    """What `protect_jointly` takes, with the tables' per-table states merged per quantity."""

    values: list[int] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    hidden: dict[int, Reason] = field(default_factory=dict)
    known: set[int] = field(default_factory=set)
    margins: set[int] = field(default_factory=set)
    locked: set[int] = field(default_factory=set)
    k: int = 11
    merge_equal_sets: bool = False  # merge figures that happen to count the same people (see the docstring)
    tables: int = 0
    figures: int = 0
    _index: dict[object, int] = field(default_factory=dict)
    _relation_keys: set[tuple] = field(default_factory=set)

    def quantity(self, people: int, cell: Cell, definition: frozenset) -> int:
        """The index of the quantity counting `people` (a bit set) defined by `definition` (the conditions
        its people meet), merging the state `cell` shows."""
        self.figures += 1
        key = people if self.merge_equal_sets and people else definition
        index = self._index.get(key)
        if index is None:
            index = self._index[key] = len(self.values)
            self.values.append(people.bit_count())
        if cell.hidden:
            # A reader combines the marks: "< k" says more than "small group", which says more than "hidden".
            order = [Reason.PRIMARY, Reason.GROUP, Reason.SECONDARY]
            current = self.hidden.get(index)
            if current is None or order.index(cell.reason) < order.index(current):
                self.hidden[index] = cell.reason
        return index

    def relate(self, parts: list[int], total: int, additive: bool) -> None:
        key = (tuple(sorted(parts)), total, additive)
        if key not in self._relation_keys and parts:
            self._relation_keys.add(key)
            self.relations.append(Relation(tuple(parts), total, additive))
            self.margins.add(total)

    def publish_counts(self, sets: list[int], base: int, additive: bool, names: list, base_name):
        """A distribution: parts `sets` (bit sets) named `names`, and their base, protected on its own."""
        protected = protect_counts([s.bit_count() for s in sets], self.k, total=base.bit_count(), additive=additive)
        self.tables += 1
        parts = [self.quantity(s, c, frozenset([name])) for s, c, name in zip(sets, protected.cells, names)]
        total = self.quantity(base, protected.total, frozenset([base_name]) if base_name else frozenset())
        self.relate(parts, total, additive)
        return protected

    def publish_table(self, rows: list[int], columns: list[int], base: int, additive: bool, published,
                      row_names: list, column_names: list, base_name) -> None:
        """A cross-tabulation of groups `rows` by `columns`, protected on its own with the columns'
        distribution as `published`."""
        cells = [[row & column for column in columns] for row in rows]
        bases = [row & base for row in rows]
        protected = protect_table([[c.bit_count() for c in line] for line in cells], self.k,
                                  row_totals=[b.bit_count() for b in bases], rows_additive=additive,
                                  published=published)
        if protected.withheld:
            return
        self.tables += 1
        answered = {base_name} if base_name else set()
        ids = [[self.quantity(c, protected.cells[i][j], frozenset([row_names[i], column_names[j]]))
                for j, c in enumerate(line)] for i, line in enumerate(cells)]
        row_ids = [self.quantity(b, protected.row_totals[i], frozenset({row_names[i], *answered}))
                   for i, b in enumerate(bases)]
        column_ids = [self.quantity(c, protected.column_totals[j], frozenset([column_names[j]]))
                      for j, c in enumerate(columns)]
        grand = self.quantity(base, protected.grand_total, frozenset(answered))
        for j, column in enumerate(column_ids):
            self.relate([line[j] for line in ids], column, True)
        for i, row in enumerate(row_ids):
            self.relate(ids[i], row, additive)
        self.relate(row_ids, grand, True)
        self.relate(column_ids, grand, additive)


def build_register(respondents: int = 500, *, k: int = 11, questions: int = 20, seed: int = 1,
                   variables: tuple[str, ...] = tuple(VARIABLES), merge_equal_sets: bool = False) -> Register:
    """The register of a release of a synthetic survey (see the module docstring), broken down by
    `variables` (all four by default)."""
    rng = random.Random(seed)
    people = range(respondents)
    profile = {name: [rng.choices(range(n), weights)[0] for _ in people]
               for name, (n, weights) in VARIABLES.items() if name in variables}
    # Each question: options, multiple choice?, condition (parent question, option), answers per person.
    answers: list[list[set[int] | None]] = []
    shapes: list[tuple[int, bool]] = []
    conditions: list[tuple] = []
    for q in range(questions):
        options = rng.randint(3, 5)
        multiple = q % 5 == 3
        parent = q - 1 if q % 4 == 2 and not shapes[q - 1][1] else None
        skew = [rng.random() ** 2 + 0.02 for _ in range(options)]
        row: list[set[int] | None] = []
        for person in people:
            asked = parent is None or answers[parent][person] == {0}
            if not asked or (parent is None and rng.random() < 0.04 * (q % 3)):
                row.append(None)
            elif multiple:
                ticked = {o for o in range(options) if rng.random() < skew[o] / max(skew) * 0.6}
                row.append(ticked or {rng.randrange(options)})
            else:
                row.append({rng.choices(range(options), skew)[0]})
        answers.append(row)
        shapes.append((options, multiple))
        # What "answered" means: a conditional question is answered by whoever it is asked to.
        conditions.append((f"q{parent}", 0) if parent is not None else (f"q{q}", "answered"))

    register = Register(k=k, merge_equal_sets=merge_equal_sets)
    everyone = (1 << respondents) - 1

    group_sets = {name: [bits(p for p in people if profile[name][p] == g) for g in range(n)]
                  for name, (n, _) in VARIABLES.items() if name in variables}

    overall = {}
    for name, sets in group_sets.items():
        overall[name] = register.publish_counts(sets, everyone, True, [(name, g) for g in range(len(sets))], None)
    register.locked.add(register._index[everyone if merge_equal_sets else frozenset()])  # the number of responses of the release
    names = list(group_sets)
    for first in names:
        for second in names:
            if first != second:
                register.publish_table(group_sets[first], group_sets[second], everyone, True, overall[second],
                              [(first, g) for g in range(len(group_sets[first]))],
                              [(second, g) for g in range(len(group_sets[second]))], None)
    for q, row in enumerate(answers):
        options, multiple = shapes[q]
        option_sets = [bits(p for p in people if row[p] is not None and o in row[p]) for o in range(options)]
        base = bits(p for p in people if row[p] is not None)
        option_names = [(f"q{q}", o) for o in range(options)]
        published = register.publish_counts(option_sets, base, not multiple, option_names, conditions[q])
        for name in names:
            register.publish_table(group_sets[name], option_sets, base, not multiple, published,
                          [(name, g) for g in range(len(group_sets[name]))], option_names, conditions[q])
    return register


def bits(members) -> int:
    """The bit set of some respondents (numbered from 0)."""
    mask = 0
    for person in members:
        mask |= 1 << person
    return mask
