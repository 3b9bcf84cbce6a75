"""Disclosure control of tables of counts (secret statistique): primary and secondary suppression.

Pure functions, no database. Input: counts and a threshold k; output: `Cell`s that carry either the
value or the reason it is hidden. A hidden cell never carries its value, so nothing downstream (page,
chart, export, API) can print it by mistake.

The rules, exactly:

1. **Primary**: any count c with 0 < c < k is hidden (shown "< k", no percentage). Totals too.
2. **Small group**: in a cross-tabulation, a row (group) whose base is below k is hidden whole:
   its base is primary, and every one of its cells is hidden (reason GROUP), zeros included, so
   that nothing is said about a group of fewer than k people.
3. **Zeros** are not sensitive (INSEE practice): a 0 is shown as 0 and is never hidden for its own
   sake, except inside a hidden small group (rule 2). A zero is never picked for secondary
   suppression (hiding a 0 protects nothing: a reader could still tell it is 0 or at least k), and
   cells of a column or row whose total is 0 are known zeros and never hidden.
4. **Secondary**: totals let a reader recompute a single hidden cell by subtraction. Every
   relation "parts add up to a total" (each row, each column, the margins) must hold either no
   hidden element or at least two. While a relation holds exactly one, we hide one more element of
   it: the smallest non-zero visible cell (preferring, among them, one that also mends another
   relation holding a single hidden element); a total only when no cell can be taken (that is "hide
   the total too"). We iterate until stable.
5. **Audit**: rule 4 is necessary, not sufficient (hidden cells spread over several relations can
   still be solved together, and "< k" / "hidden" tell bounds: a primary cell is 1…k-1, a secondary
   one at least k). So we then check every primary and small-group cell: exactly determined by the
   linear relations (rational Gaussian elimination), or squeezed to a single value by the bounds
   (interval propagation)? If so, one more element of one of its relations is hidden, and we start
   again. This is a heuristic, like the ones of τ-Argus: an attacker solving the full integer
   problem may still narrow a hidden value to an interval, never to one value for the cases checked.
6. **Locked** elements are figures published elsewhere (e.g. the overall counts of a question, which
   are the column totals of its cross-tabulations): they keep the state they have there and are
   never picked for secondary suppression.
7. If no element can be picked when one must be, the table cannot be protected as it is: every
   unlocked non-zero element is hidden. When locked figures stay visible (e.g. a column total of 30
   published with the question, over three groups marked "< 11": 10 + 10 + 10), even that is not
   enough: `Unprotectable` is raised and the cross-tabulation is withheld whole.

Each table is protected on its own here: different tables built from the same answers (two
cross-tabulations of one question, a conditional question and the question it depends on) are not
protected jointly. A release protects all its tables together afterwards (`audit.protect_jointly`).
"""
from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


class Reason(enum.StrEnum):
    """Why a figure is hidden."""

    PRIMARY = "primary"      # a count below k
    GROUP = "group"          # a cell of a group whose base is below k
    SECONDARY = "secondary"  # hidden so that another hidden figure cannot be recomputed


@dataclass(frozen=True, slots=True)
class Cell:
    """A figure as it may be shown: its value, or why it is hidden (then value is None)."""

    value: int | None
    reason: Reason | None = None

    @property
    def hidden(self) -> bool:
        return self.reason is not None

    @classmethod
    def shown(cls, value: int) -> Cell:
        return cls(value)


class Unprotectable(Exception):
    """The figures published elsewhere (locked) give away a small count whatever this table hides."""


@dataclass(frozen=True, slots=True)
class Relation:
    """Parts and their total (indices into the list of values).

    `additive`: the parts add up to the total (single choice, groups of a variable). Not additive
    (multiple choice: one person counts in several parts): each part is at most the total, and the
    parts add up to at least the total (whoever answered ticked at least one option).
    """

    parts: tuple[int, ...]
    total: int
    additive: bool = True

    @property
    def members(self) -> tuple[int, ...]:
        return (*self.parts, self.total)


def suppress(values: Sequence[int], relations: Sequence[Relation], k: int, *,
             locked: Iterable[int] = (), known: Iterable[int] = (), margins: Iterable[int] = (),
             hidden: Mapping[int, Reason] | None = None) -> list[Cell]:
    """Protect a list of counts linked by `relations`; see the module docstring for the rules.

    `locked`: published elsewhere (kept as given in `hidden`, never picked); `known`: values anyone can
    deduce (zeros of an empty line), never hidden; `margins`: totals, picked only when no cell can be;
    `hidden`: elements already hidden (small groups, states from a linked table).
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    locked, known, margins = set(locked), set(known), set(margins)
    state: dict[int, Reason] = {i: r for i, r in (hidden or {}).items() if i not in known}
    for index, value in enumerate(values):
        if index not in state and index not in known and 0 < value < k:
            state[index] = Reason.PRIMARY
    solver = _Protector(values, relations, k, locked | known, margins, state)
    if not solver.run():
        if any(i not in state and values[i] for i in locked):
            raise Unprotectable
        for index, value in enumerate(values):
            if index not in known and value and index not in state:
                state[index] = Reason.SECONDARY
    return [Cell(None, state[i]) if i in state else Cell(v) for i, v in enumerate(values)]


@dataclass
class _Protector:
    values: Sequence[int]
    relations: Sequence[Relation]
    k: int
    fixed: set[int]
    margins: set[int]
    state: dict[int, Reason]
    by_member: dict[int, list[Relation]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for relation in self.relations:
            for index in relation.members:
                self.by_member.setdefault(index, []).append(relation)

    def run(self) -> bool:
        """Add secondary suppressions until every relation is safe and the audit passes; False if stuck."""
        for _round in range(len(self.values) + 1):
            # A lone hidden part of a non-additive relation is not recomputed by subtraction: the audit
            # judges it.
            lone = next((r for r in self.relations if r.additive and self._hidden_count(r) == 1), None)
            if lone is not None:
                if not self._hide_one_of([lone]):
                    return False
                continue
            exposed = self._exposed()
            if exposed is None:
                return True
            if not self._hide_one_of(self.by_member.get(exposed, [])):
                return False
        return False

    def _hidden_count(self, relation: Relation) -> int:
        return sum(1 for i in relation.members if i in self.state)

    def _eligible(self, index: int) -> bool:
        return index not in self.state and index not in self.fixed and self.values[index] > 0

    def _mends(self, index: int) -> int:
        return sum(1 for r in self.by_member.get(index, []) if r.additive and self._hidden_count(r) == 1)

    def _can_stay_protected(self, index: int) -> bool:
        # Hiding `index` must not leave one of its relations with a single hidden element and no way out.
        for relation in self.by_member.get(index, []):
            if not relation.additive:
                continue
            others_hidden = any(i in self.state for i in relation.members if i != index)
            if not others_hidden and not any(self._eligible(i) for i in relation.members if i != index):
                return False
        return True

    def _hide_one_of(self, relations: Sequence[Relation]) -> bool:
        candidates = {i for r in relations for i in r.members if self._eligible(i)}
        # Cells before totals; among them, one that also mends another relation holding a single
        # hidden element (fewer figures hidden overall), then the smallest.
        ranked = sorted(candidates, key=lambda i: (i in self.margins, -self._mends(i), self.values[i], i))
        for index in ranked:
            if self._can_stay_protected(index):
                self.state[index] = Reason.SECONDARY
                return True
        if ranked:
            self.state[ranked[0]] = Reason.SECONDARY
            return True
        return False

    def _protected(self) -> list[int]:
        """Hidden elements whose value must not be found: small counts (not zeros)."""
        return [i for i, reason in self.state.items()
                if reason is not Reason.SECONDARY and self.values[i] > 0]

    def _exposed(self) -> int | None:
        """A protected element that the relations and the shown bounds determine exactly, if any."""
        protected = self._protected()
        if not protected:
            return None
        determined = _linearly_determined(self.relations, set(self.state))
        for index in protected:
            if index in determined:
                return index
        bounds = self._bounds()
        for index in protected:
            low, high = bounds[index]
            if low == high:
                return index
        return None

    def _bounds(self) -> dict[int, tuple[float, float]]:
        """What a reader knows of each element: its value, or the interval its label implies, narrowed
        by propagating the relations until nothing changes."""
        bounds: dict[int, tuple[float, float]] = {}
        for index, value in enumerate(self.values):
            reason = self.state.get(index)
            if reason is None:
                bounds[index] = (value, value)
            elif reason is Reason.PRIMARY:
                bounds[index] = (1, self.k - 1)
            elif reason is Reason.GROUP:
                bounds[index] = (0, self.k - 1)
            else:
                bounds[index] = (self.k, math.inf)
        for _pass in range(50):
            changed = False
            for relation in self.relations:
                for index in relation.members:
                    if index not in self.state:
                        continue
                    low, high = _implied(relation, index, bounds)
                    old_low, old_high = bounds[index]
                    new = (max(old_low, low), min(old_high, high))
                    if new != bounds[index]:
                        bounds[index] = new
                        changed = True
            if not changed:
                break
        return bounds


def _implied(relation: Relation, index: int, bounds: Mapping[int, tuple[float, float]]) -> tuple[float, float]:
    """The interval of element `index` implied by one relation, given the others' intervals."""
    if not relation.additive:
        return _implied_by_cover(relation, index, bounds)
    # Write the relation as sum(sign_i * x_i) = 0 and isolate x_index.
    signed = [(i, 1) for i in relation.parts] + [(relation.total, -1)]
    own = next(sign for i, sign in signed if i == index)
    low = high = 0.0
    for i, sign in signed:
        if i == index:
            continue
        b_low, b_high = bounds[i]
        low += b_low if sign > 0 else -b_high
        high += b_high if sign > 0 else -b_low
    # own * x = -(others) → x in [-high, -low] if own = 1, else [low, high].
    return (-high, -low) if own > 0 else (low, high)


def _implied_by_cover(relation: Relation, index: int,
                      bounds: Mapping[int, tuple[float, float]]) -> tuple[float, float]:
    """Non-additive relation: every part <= total <= sum of the parts."""
    if index == relation.total:
        if index in relation.parts:
            return (-math.inf, math.inf)
        low = max((bounds[i][0] for i in relation.parts), default=0.0)
        return (low, sum(bounds[i][1] for i in relation.parts))
    total_low, total_high = bounds[relation.total]
    others_high = sum(bounds[i][1] for i in relation.parts if i != index)
    return (total_low - others_high, total_high)


def _linearly_determined(relations: Sequence[Relation], hidden: set[int]) -> set[int]:
    """Hidden elements whose value follows from the relations alone (their unit vector is in the row
    space of the system restricted to hidden elements)."""
    columns, rows = _system(relations, hidden)
    pivots = _reduce(rows, len(columns))
    determined = set()
    for row, pivot in pivots:
        if all(value == 0 for n, value in enumerate(row) if n != pivot):
            determined.add(columns[pivot])
    return determined


def _system(relations: Sequence[Relation], hidden: set[int]) -> tuple[list[int], list[list[int]]]:
    """The additive relations as equations over the hidden elements (the shown ones moved to the other side):
    the hidden elements in order, and one row of coefficients per relation that holds any of them."""
    columns = sorted(hidden)
    position = {index: n for n, index in enumerate(columns)}
    rows: list[list[int]] = []
    for relation in relations:
        if not relation.additive:
            continue  # inequalities determine nothing by elimination
        row = [0] * len(columns)
        for index in relation.parts:
            if index in position:
                row[position[index]] += 1
        if relation.total in position:
            row[position[relation.total]] -= 1
        if any(row):
            rows.append(row)
    return columns, rows


def _reduce(rows: list[list[int]], width: int) -> list[tuple[list[int], int]]:
    """Reduced row echelon form, in whole numbers; returns (row, pivot column) pairs.

    Exact, as over the rationals, without fractions: a row is combined with the pivot's as `p·row − f·pivot`
    (p the pivot's value, f the row's in that column) and divided by the greatest common divisor of its
    entries. Each row is then the rational form's row times a non-zero factor of its own, so the same entries
    are zero — all `_linearly_determined` reads — for a fraction of the time (`Fraction` reduced every
    product and sum by its gcd: a third of a results preview's CPU at 100,000 responses)."""
    result: list[tuple[list[int], int]] = []
    remaining = [r[:] for r in rows]
    for column in range(width):
        pivot_row = next((r for r in remaining if r[column] != 0), None)
        if pivot_row is None:
            continue
        remaining.remove(pivot_row)
        pivot_value = pivot_row[column]
        for r in remaining:
            if r[column] != 0:
                r[:] = _eliminated(r, pivot_row, pivot_value, r[column])
        for i, (r, c) in enumerate(result):
            if r[column] != 0:
                result[i] = (_eliminated(r, pivot_row, pivot_value, r[column]), c)
        result.append((pivot_row, column))
    return result


def _eliminated(row: list[int], pivot_row: list[int], pivot_value: int, factor: int) -> list[int]:
    """`pivot_value·row − factor·pivot_row` (zero in the pivot's column), divided by the gcd of its entries."""
    combined = [pivot_value * a - factor * b for a, b in zip(row, pivot_row)]
    divisor = math.gcd(*combined)
    return [value // divisor for value in combined] if divisor > 1 else combined


# --- the shapes the results use ---------------------------------------------------------------------

@dataclass(frozen=True)
class ProtectedCounts:
    """A list of counts and their total (the base), as they may be shown."""

    cells: list[Cell]
    total: Cell


def protect_counts(counts: Sequence[int], k: int, *, total: int | None = None, additive: bool = True) -> ProtectedCounts:
    """One distribution (the answers to a question, the responses per week…).

    `total` is the base (respondents); it is published. `additive`: the counts add up to the total
    (single choice); not for multiple choice, where one person counts in several cells.
    """
    counts = list(counts)
    base = sum(counts) if total is None else total
    values = [*counts, base]
    total_index = len(counts)
    relations = [Relation(tuple(range(len(counts))), total_index)] if additive and counts else []
    cells = suppress(values, relations, k, margins=[total_index])
    return ProtectedCounts(cells[:-1], cells[-1])


@dataclass(frozen=True)
class ProtectedTable:
    """A cross-tabulation as it may be shown: rows are groups, columns are answers."""

    cells: list[list[Cell]]
    row_totals: list[Cell]
    column_totals: list[Cell]
    grand_total: Cell
    withheld: bool = False  # cannot be shown without giving a small count away (rule 7)

    @property
    def hidden_groups(self) -> list[bool]:
        return [total.hidden and total.reason is not Reason.SECONDARY for total in self.row_totals]


def protect_table(counts: Sequence[Sequence[int]], k: int, *, row_totals: Sequence[int] | None = None,
                  rows_additive: bool = True, published: ProtectedCounts | None = None) -> ProtectedTable:
    """A cross-tabulation of groups (rows) by answers (columns), with its margins.

    `row_totals`: each group's base (respondents); defaults to the row sums. `rows_additive`: a row's
    cells add up to its base (single choice). Columns always add up (each respondent is in one group).
    `published`: the question's overall counts and base exactly as shown elsewhere (`protect_counts`):
    they are this table's column totals and grand total, and keep their state here.
    """
    rows = [list(r) for r in counts]
    n_rows = len(rows)
    n_cols = len(rows[0]) if rows else 0
    bases = list(row_totals) if row_totals is not None else [sum(r) for r in rows]
    col_sums = [sum(r[j] for r in rows) for j in range(n_cols)]
    grand = sum(bases)

    def cell(i: int, j: int) -> int:
        return i * n_cols + j

    row_total = [n_rows * n_cols + i for i in range(n_rows)]
    col_total = [n_rows * n_cols + n_rows + j for j in range(n_cols)]
    grand_index = n_rows * n_cols + n_rows + n_cols
    values = [v for r in rows for v in r] + bases + col_sums + [grand]

    relations = [Relation(tuple(cell(i, j) for i in range(n_rows)), col_total[j]) for j in range(n_cols)]
    relations.append(Relation(tuple(row_total), grand_index))
    if rows_additive:
        relations += [Relation(tuple(cell(i, j) for j in range(n_cols)), row_total[i]) for i in range(n_rows)]
        relations.append(Relation(tuple(col_total), grand_index))

    known = {cell(i, j) for i in range(n_rows) for j in range(n_cols) if col_sums[j] == 0 or bases[i] == 0}
    hidden: dict[int, Reason] = {}
    for i, base in enumerate(bases):
        if 0 < base < k:
            hidden[row_total[i]] = Reason.PRIMARY
            hidden.update({cell(i, j): Reason.GROUP for j in range(n_cols)})
    locked: set[int] = set()
    if published is not None:
        locked = {*col_total, grand_index}
        for index, shown in zip([*col_total, grand_index], [*published.cells, published.total]):
            if shown.hidden:
                hidden[index] = shown.reason
    margins = set(row_total) | set(col_total) | {grand_index}
    try:
        cells = suppress(values, relations, k, locked=locked, known=known, margins=margins, hidden=hidden)
    except Unprotectable:
        nothing = Cell(None, Reason.SECONDARY)
        return ProtectedTable([[nothing] * n_cols for _ in rows], [nothing] * n_rows,
                              list(published.cells), published.total, withheld=True)
    if published is not None:
        # Shown elsewhere: shown here exactly as there.
        for index, shown in zip([*col_total, grand_index], [*published.cells, published.total]):
            cells[index] = shown
    return ProtectedTable(
        cells=[[cells[cell(i, j)] for j in range(n_cols)] for i in range(n_rows)],
        row_totals=[cells[i] for i in row_total],
        column_totals=[cells[j] for j in col_total],
        grand_total=cells[grand_index],
    )


def unprotected_counts(counts: Sequence[int], *, total: int | None = None) -> ProtectedCounts:
    """The same shape with nothing hidden: exact figures for those who may read individual answers."""
    counts = list(counts)
    return ProtectedCounts([Cell(c) for c in counts], Cell(sum(counts) if total is None else total))


def share(cell: Cell, base: Cell) -> float | None:
    """cell / base, only when both are shown (a share of a hidden base would reveal it)."""
    if cell.hidden or base.hidden or not base.value:
        return None
    return cell.value / base.value
