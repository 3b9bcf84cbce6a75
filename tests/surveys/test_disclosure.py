"""Disclosure control (pure): primary suppression, small groups, secondary suppression, the audit.

Besides hand-made cases, every protected table is attacked: an exhaustive search lists every integer
filling of the hidden cells that agrees with the shown figures, the totals and what the marks say
("< k": 1…k-1; "hidden": at least k; small group: 0…k-1). A protected count must keep at least two
possible values.
"""
from __future__ import annotations

import itertools
import random

import pytest

from consult.core.disclosure import (
    Cell,
    Reason,
    Relation,
    protect_counts,
    protect_table,
    suppress,
    unprotected_counts,
)

K = 11


def values_of(cells: list[Cell]) -> list[int | None]:
    return [c.value for c in cells]


def reasons_of(cells: list[Cell]) -> list[Reason | None]:
    return [c.reason for c in cells]


# --- an attacker ------------------------------------------------------------------------------------------

def attacker_bounds(values: list[int], cells: list[Cell], k: int) -> dict[int, tuple[int, int]]:
    """What the marks say of each element. "hidden" has no upper limit: a large cap stands for it."""
    cap = 3 * sum(values) + k
    bounds = {}
    for i, cell in enumerate(cells):
        if not cell.hidden:
            bounds[i] = (cell.value, cell.value)
        elif cell.reason is Reason.PRIMARY:
            bounds[i] = (1, k - 1)
        elif cell.reason is Reason.GROUP:
            bounds[i] = (0, k - 1)
        else:
            bounds[i] = (k, cap)
    return bounds


def propagate(bounds: dict, relations: list[Relation]) -> dict | None:
    """Narrow every interval with every relation until stable; None when some interval is empty."""
    bounds = dict(bounds)
    for _pass in range(200):
        changed = False
        for relation in relations:
            signed = [(i, 1) for i in relation.parts] + [(relation.total, -1)]
            for index, own in signed:
                low = high = 0
                for i, sign in signed:
                    if i != index:
                        a, b = bounds[i]
                        low, high = (low + a, high + b) if sign > 0 else (low - b, high - a)
                implied = (-high, -low) if own > 0 else (low, high)
                a, b = bounds[index]
                new = (max(a, implied[0]), min(b, implied[1]))
                if new[0] > new[1]:
                    return None
                if new != (a, b):
                    bounds[index] = new
                    changed = True
        if not changed:
            return bounds
    return bounds


def feasible(bounds: dict, relations: list[Relation]) -> bool:
    """Is there an integer filling of every interval that satisfies every relation?"""
    bounds = propagate(bounds, relations)
    if bounds is None:
        return False
    free = [i for i, (a, b) in bounds.items() if a < b]
    if not free:
        return all(sum(bounds[i][0] for i in r.parts) == bounds[r.total][0] for r in relations)
    x = min(free, key=lambda i: bounds[i][1] - bounds[i][0])
    a, b = bounds[x]
    return any(feasible({**bounds, x: (v, v)}, relations) for v in range(a, b + 1))


def assert_protected(values, cells, relations, k) -> None:
    """Every protected count could take at least one other value than its own."""
    bounds = attacker_bounds(values, cells, k)
    assert feasible({**bounds}, relations)
    for index, cell in enumerate(cells):
        if cell.reason is Reason.PRIMARY or (cell.reason is Reason.GROUP and values[index] > 0):
            low, high = bounds[index]
            others = sorted((v for v in range(low, high + 1) if v != values[index]), key=lambda v: abs(v - values[index]))
            assert any(feasible({**bounds, index: (v, v)}, relations) for v in others), (index, values[index])


def table_layout(counts: list[list[int]], row_totals: list[int] | None = None, rows_additive: bool = True):
    """The flat values and relations `protect_table` works on (same order as its cells)."""
    n_rows, n_cols = len(counts), len(counts[0])
    bases = row_totals or [sum(r) for r in counts]
    values = [v for r in counts for v in r] + bases + [sum(r[j] for r in counts) for j in range(n_cols)]
    values.append(sum(bases))
    cell = lambda i, j: i * n_cols + j  # noqa: E731
    row_total = [n_rows * n_cols + i for i in range(n_rows)]
    col_total = [n_rows * n_cols + n_rows + j for j in range(n_cols)]
    grand = len(values) - 1
    relations = [Relation(tuple(cell(i, j) for i in range(n_rows)), col_total[j]) for j in range(n_cols)]
    relations.append(Relation(tuple(row_total), grand))
    if rows_additive:
        relations += [Relation(tuple(cell(i, j) for j in range(n_cols)), row_total[i]) for i in range(n_rows)]
        relations.append(Relation(tuple(col_total), grand))
    return values, relations


def flat(table) -> list[Cell]:
    return [c for r in table.cells for c in r] + table.row_totals + table.column_totals + [table.grand_total]


# --- primary suppression ------------------------------------------------------------------------------------

def test_counts_at_or_above_k_are_shown():
    protected = protect_counts([11, 25, 40], K)

    assert values_of(protected.cells) == [11, 25, 40]
    assert protected.total == Cell(76)


def test_count_below_k_is_hidden_as_primary():
    protected = protect_counts([12, 3, 20, 15], K, additive=False)

    assert protected.cells[1] == Cell(None, Reason.PRIMARY)
    assert values_of(protected.cells) == [12, None, 20, 15]


@pytest.mark.parametrize("count", range(1, K))
def test_every_count_from_1_to_k_minus_1_is_hidden(count):
    assert protect_counts([count, 50, 60], K).cells[0].reason is Reason.PRIMARY


def test_zero_is_shown_as_zero():
    assert protect_counts([0, 30, 40], K).cells[0] == Cell(0)


def test_threshold_comes_from_the_caller():
    assert protect_counts([4, 30, 40], 4).cells[0] == Cell(4)


def test_total_below_k_is_hidden():
    protected = protect_counts([2, 3], K)

    assert protected.total.reason is Reason.PRIMARY


def test_hidden_cell_carries_no_value():
    cell = protect_counts([3, 30, 40], K).cells[0]

    assert cell.value is None and cell.hidden


def test_threshold_below_one_is_refused():
    with pytest.raises(ValueError):
        protect_counts([3], 0)


# --- secondary suppression in one distribution -----------------------------------------------------------

def test_naive_primary_suppression_would_be_recovered_by_subtraction():
    # Oui 10, Non 20, n = 30: hiding only "Oui" leaves 30 - 20 = 10 for anyone to compute.
    protected = protect_counts([10, 20], K, total=30)

    assert reasons_of(protected.cells) == [Reason.PRIMARY, Reason.SECONDARY]
    assert protected.total == Cell(30)


def test_secondary_takes_the_smallest_other_non_zero_count():
    protected = protect_counts([20, 15, 3, 12, 0], K)

    assert values_of(protected.cells) == [20, 15, None, None, 0]
    assert protected.cells[3].reason is Reason.SECONDARY


def test_two_small_counts_protect_each_other():
    protected = protect_counts([30, 4, 5], K)

    assert reasons_of(protected.cells) == [None, Reason.PRIMARY, Reason.PRIMARY]


def test_secondary_when_one_small_count_could_be_squeezed_by_the_marks():
    # 1 + 11 hidden out of 12: "< 11" (1…10) + "hidden" (≥ 11) = 12 forces 1 and 11: hide a third.
    protected = protect_counts([1, 11, 40], K)
    values, relations = [1, 11, 40, 52], [Relation((0, 1, 2), 3)]

    assert sum(c.hidden for c in protected.cells) == 3
    assert_protected(values, [*protected.cells, protected.total], relations, K)


def test_multiple_choice_counts_have_no_secondary_suppression():
    # Counts of a multiple choice do not add up to the base: nothing can be subtracted.
    protected = protect_counts([10, 20], K, total=25, additive=False)

    assert values_of(protected.cells) == [None, 20]


def test_unprotected_counts_show_everything():
    protected = unprotected_counts([3, 20], total=23)

    assert values_of(protected.cells) == [3, 20] and protected.total == Cell(23)


# --- cross-tabulations ----------------------------------------------------------------------------------

def test_table_without_small_counts_is_shown_whole():
    table = protect_table([[12, 20], [15, 30]], K)

    assert not any(c.hidden for c in flat(table))


def test_single_small_cell_is_hidden_with_three_others_in_a_rectangle():
    table = protect_table([[12, 3, 20], [15, 14, 18], [30, 25, 2]], K)

    assert [[c.value for c in row] for row in table.cells] == [[12, None, None], [15, 14, 18], [30, None, None]]
    assert [c.hidden for c in table.row_totals + table.column_totals] == [False] * 6


def test_no_row_or_column_keeps_a_single_hidden_cell():
    table = protect_table([[12, 3, 20], [15, 14, 18], [30, 25, 2]], K)
    grid = [[c.hidden for c in row] + [total.hidden] for row, total in zip(table.cells, table.row_totals)]
    grid.append([c.hidden for c in table.column_totals] + [table.grand_total.hidden])

    for line in grid + [list(col) for col in zip(*grid)]:
        assert sum(line) != 1


def test_group_below_k_is_hidden_whole():
    table = protect_table([[12, 20], [15, 30], [4, 0]], K)

    assert table.row_totals[2].reason is Reason.PRIMARY
    assert reasons_of(table.cells[2]) == [Reason.GROUP, Reason.GROUP]
    assert table.hidden_groups == [False, False, True]


def test_hidden_group_cannot_be_recovered_from_column_totals():
    table = protect_table([[12, 20], [15, 30], [4, 0]], K)

    for j in range(2):
        assert sum(row[j].hidden for row in table.cells) + table.column_totals[j].hidden >= 2


def test_hidden_group_base_cannot_be_recovered_from_the_grand_total():
    table = protect_table([[12, 20], [15, 30], [4, 0]], K)

    assert sum(c.hidden for c in table.row_totals) >= 2


def test_known_zero_column_is_never_hidden():
    table = protect_table([[12, 0, 20], [3, 0, 30]], K)

    assert [row[1] for row in table.cells] == [Cell(0), Cell(0)]


def test_empty_group_is_shown_as_zeros():
    table = protect_table([[12, 20], [0, 0]], K)

    assert values_of(table.cells[1]) == [0, 0] and table.row_totals[1] == Cell(0)


def test_column_totals_published_elsewhere_are_kept_as_they_are():
    overall = protect_counts([10, 20], K, total=30)  # "< 11" and "hidden" on the question's own table

    table = protect_table([[7, 11], [3, 9]], K, published=overall)

    assert table.column_totals == overall.cells
    assert table.grand_total == Cell(30)


def test_column_totals_shown_elsewhere_are_never_picked_for_secondary_suppression():
    overall = protect_counts([40, 50], K, total=90)

    table = protect_table([[3, 25], [37, 25]], K, published=overall)

    assert values_of(table.column_totals) == [40, 50]
    values, relations = table_layout([[3, 25], [37, 25]])
    assert_protected(values, flat(table), relations, K)


def test_multiple_choice_rows_are_not_additive():
    # Two groups of 20 respondents; options counted once per respondent who ticked them.
    table = protect_table([[15, 3], [12, 18]], K, row_totals=[20, 20], rows_additive=False)
    values, relations = table_layout([[15, 3], [12, 18]], [20, 20], rows_additive=False)

    assert table.cells[0][1].reason is Reason.PRIMARY
    assert_protected(values, flat(table), relations, K)


def test_total_is_hidden_when_the_marks_would_pin_a_small_count():
    # 1 hidden beside 11 hidden, total 12: the marks say 1…10 and at least 11, so 1 + 11.
    cells = suppress([1, 11, 12], [Relation((0, 1), 2)], K)

    assert all(c.hidden for c in cells)


def test_small_counts_given_away_by_a_published_total_withhold_the_table():
    # Column "Non" (30) is published with the question; three groups of 10 marked "< 11" would add up
    # to 30 only one way.
    overall = protect_counts([45, 30], K)

    table = protect_table([[15, 10], [15, 10], [15, 10]], K, published=overall)

    assert table.withheld
    assert not any(c.value for row in table.cells for c in row)


def test_secondary_cells_are_at_least_k():
    table = protect_table([[12, 3, 20], [15, 14, 18], [30, 25, 2]], K)
    values, _relations = table_layout([[12, 3, 20], [15, 14, 18], [30, 25, 2]])

    for value, cell in zip(values, flat(table)):
        if cell.reason is Reason.SECONDARY:
            assert value >= K


# --- the attack, on many tables --------------------------------------------------------------------------

HAND_MADE = [
    [[7, 11], [2, 9], [1, 0]],
    [[12, 3, 20], [15, 14, 18], [30, 25, 2]],
    [[1, 30, 30], [30, 1, 30], [30, 30, 1]],
    [[5, 5], [5, 5]],
    [[2, 40, 0], [0, 35, 3], [12, 0, 11]],
    [[11, 1], [11, 11]],
]


@pytest.mark.parametrize("counts", HAND_MADE, ids=lambda c: str(c))
def test_hand_made_tables_resist_the_attack(counts):
    table = protect_table(counts, K)
    values, relations = table_layout(counts)

    assert_protected(values, flat(table), relations, K)


def random_tables(seed: int, how_many: int, *, biggest: int = 3, values=(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 15, 20)):
    rng = random.Random(seed)
    for _n in range(how_many):
        n_rows, n_cols = rng.randint(1, biggest), rng.randint(2, biggest)
        yield [[rng.choice(values) for _c in range(n_cols)] for _r in range(n_rows)]


@pytest.mark.parametrize("seed", range(12))
def test_random_tables_resist_the_attack(seed):
    k = 5  # a small k keeps the attack fast; the rules do not depend on k
    for counts in random_tables(seed, 25, biggest=4):
        table = protect_table(counts, k)
        values, relations = table_layout(counts)
        assert_protected(values, flat(table), relations, k)


@pytest.mark.parametrize("seed", range(6))
def test_random_tables_with_k_11_resist_the_attack(seed):
    for counts in random_tables(1000 + seed, 20, values=(0, 1, 3, 6, 10, 11, 14, 25, 40)):
        table = protect_table(counts, K)
        values, relations = table_layout(counts)
        assert_protected(values, flat(table), relations, K)


@pytest.mark.parametrize("seed", range(6))
def test_random_tables_linked_to_the_published_overall_counts_resist_the_attack(seed):
    # The question's own table (column totals and n) is protected first and shown elsewhere: the
    # cross-tabulation must keep it as it is and still protect every small cell.
    for counts in random_tables(2000 + seed, 20, values=(0, 1, 2, 4, 6, 9, 12, 20)):
        columns = [sum(r[j] for r in counts) for j in range(len(counts[0]))]
        overall = protect_counts(columns, 5)
        table = protect_table(counts, 5, published=overall)
        values, relations = table_layout(counts)
        assert table.column_totals == overall.cells and table.grand_total == overall.total
        if table.withheld:
            assert not any(c.value for row in table.cells for c in row + table.row_totals)
            continue
        assert_protected(values, flat(table), relations, 5)


@pytest.mark.parametrize("seed", range(6))
def test_random_multiple_choice_tables_resist_the_attack(seed):
    rng = random.Random(3000 + seed)
    for counts in random_tables(3000 + seed, 20):
        bases = [max(row) + rng.choice([0, 2, 5]) for row in counts]
        table = protect_table(counts, 5, row_totals=bases, rows_additive=False)
        values, relations = table_layout(counts, bases, rows_additive=False)
        assert_protected(values, flat(table), relations, 5)


@pytest.mark.parametrize("seed", range(4))
def test_random_distributions_resist_the_attack(seed):
    rng = random.Random(100 + seed)
    for _n in range(40):
        counts = [rng.choice([0, 1, 2, 3, 4, 6, 9, 15]) for _c in range(rng.randint(2, 5))]
        protected = protect_counts(counts, 5)
        relations = [Relation(tuple(range(len(counts))), len(counts))]
        assert_protected([*counts, sum(counts)], [*protected.cells, protected.total], relations, 5)


def test_random_tables_never_show_a_count_below_k():
    for counts in itertools.islice(random_tables(42, 200), 200):
        table = protect_table(counts, 5)
        for cell in flat(table):
            assert cell.hidden or cell.value == 0 or cell.value >= 5


def _determined_over_the_rationals(rows: list[list[int]], width: int) -> set[int]:
    """The columns whose unit vector is in the rows' span, by Gauss–Jordan elimination over `Fraction`s (as the
    audit computed it before it kept whole numbers): the oracle of the next test."""
    from fractions import Fraction

    result: list[tuple[list, int]] = []
    remaining = [[Fraction(v) for v in row] for row in rows]
    for column in range(width):
        pivot_row = next((r for r in remaining if r[column] != 0), None)
        if pivot_row is None:
            continue
        remaining.remove(pivot_row)
        pivot_row = [v / pivot_row[column] for v in pivot_row]
        for r in remaining:
            if r[column] != 0:
                r[:] = [a - r[column] * b for a, b in zip(r, pivot_row)]
        for i, (r, c) in enumerate(result):
            if r[column] != 0:
                result[i] = ([a - r[column] * b for a, b in zip(r, pivot_row)], c)
        result.append((pivot_row, column))
    return {c for row, c in result if all(v == 0 for n, v in enumerate(row) if n != c)}


def test_the_audit_finds_the_same_determined_cells_in_whole_numbers_as_over_the_rationals():
    """The audit's elimination keeps whole numbers: on random systems shaped like a table's relations (parts
    adding up to a total, coefficients -1…2 once restricted to the hidden elements) and on denser ones, it finds
    exactly the cells rational elimination finds."""
    from consult.core.disclosure import tables

    for seed in range(300):
        _same_cells_found(tables, random.Random(seed), seed)


def _same_cells_found(tables, draw: random.Random, seed: int) -> None:
    width = draw.randint(1, 14)
    hidden = sorted(draw.sample(range(width + 6), width))
    relations = []
    for _relation in range(draw.randint(1, 12)):
        members = draw.sample(range(width + 6), draw.randint(2, min(8, width + 6)))
        relations.append(Relation(parts=tuple(members[1:]), total=members[0]))
    found = tables._linearly_determined(relations, set(hidden))

    columns, rows = tables._system(relations, set(hidden))
    assert columns == hidden and all(len(row) == width and any(row) for row in rows), seed
    assert found == {hidden[c] for c in _determined_over_the_rationals(rows, width)}, seed
    dense = [[draw.randint(-3, 3) for _ in range(width)] for _ in range(draw.randint(1, width + 2))]
    assert {c for row, c in tables._reduce(dense, width) if all(v == 0 for n, v in enumerate(row) if n != c)} \
        == _determined_over_the_rationals(dense, width), seed
