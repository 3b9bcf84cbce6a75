"""The joint audit of linked tables (consult.core.disclosure.audit): the attacker's bounds, and the protection
that hides more until no hidden figure is pinned to one value."""
from __future__ import annotations

import time

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, milp

from consult.core.disclosure import Reason, Relation
from consult.core.disclosure.audit import Interval, attack, protect_jointly
from tests.core.joint_register import Register, bits, build_register

P, G, S = Reason.PRIMARY, Reason.GROUP, Reason.SECONDARY


def published_of(values, hidden):
    return [None if i in hidden else v for i, v in enumerate(values)]


def pinned_by_attack(values, relations, k, hidden):
    intervals = attack(published_of(values, hidden), hidden, relations, k)
    return sorted(i for i, interval in intervals.items() if interval.pinned)


def two_way_register(counts: list[list[int]], k: int) -> Register:
    """Two variables A (rows) and B (columns), their distributions and both cross-tabulations, A × B and
    B × A, each protected on its own, merged into one register."""
    people = [(i, j) for i, row in enumerate(counts) for j, c in enumerate(row) for _ in range(c)]
    register = Register(k=k)
    a = [bits(p for p, x in enumerate(people) if x[0] == i) for i in range(len(counts))]
    b = [bits(p for p, x in enumerate(people) if x[1] == j) for j in range(len(counts[0]))]
    everyone = bits(range(len(people)))
    a_names, b_names = [("a", i) for i in range(len(a))], [("b", j) for j in range(len(b))]
    shown_a = register.publish_counts(a, everyone, True, a_names, None)
    shown_b = register.publish_counts(b, everyone, True, b_names, None)
    register.publish_table(a, b, everyone, True, shown_b, a_names, b_names, None)
    register.publish_table(b, a, everyone, True, shown_a, b_names, a_names, None)
    return register


# --- the attacker ---------------------------------------------------------------------------------------

def test_attacker_solves_a_small_count_from_two_linked_relations():
    # x0 + x1 + 16 = 40 and x1 + 30 = 50: x1 = 20, so x0 = 4 although it is shown as "< 11".
    values = [4, 20, 16, 40, 30, 50]
    relations = [Relation((0, 1, 2), 3), Relation((1, 4), 5)]
    hidden = {0: P, 1: S}
    assert attack(published_of(values, hidden), hidden, relations, 11) == {0: Interval(4, 4), 1: Interval(20, 20)}
    # Without the second relation: x0 + x1 = 24 with x0 in 1..10 and x1 >= 11.
    alone = attack(published_of(values, hidden), hidden, relations[:1], 11)
    assert alone == {0: Interval(1, 10), 1: Interval(14, 23)}


def test_attacker_uses_integrality():
    # x0 + x1 = 3 with both in 1..10, x0 + x2 = 2 with x2 a small group cell (0..10): x0 in 1..2; and
    # x1 = 3 - x0, x2 = 2 - x0: every bound is an integer the linear relaxation also reaches.
    values = [1, 2, 3, 1, 2]
    relations = [Relation((0, 1), 2), Relation((0, 3), 4)]
    hidden = {0: P, 1: P, 3: G}
    result = attack(published_of(values, hidden), hidden, relations, 11)
    assert result == {0: Interval(1, 2), 1: Interval(1, 2), 3: Interval(0, 1)}
    assert attack(published_of(values, hidden), hidden, relations, 11, integer=False) == result


def test_a_hidden_figure_nothing_bounds_has_no_upper_limit():
    values = [30, 20, 50]
    hidden = {0: S, 1: S, 2: S}
    result = attack(published_of(values, hidden), hidden, [Relation((0, 1), 2)], 11)
    assert result == {0: Interval(11, None), 1: Interval(11, None), 2: Interval(22, None)}


def test_multiple_choice_relations_bound_without_adding_up():
    # Options ticked by 12, x1 and x2 of the 15 who answered: each part <= 15, parts add up to >= 15.
    values = [12, 6, 4, 15]
    hidden = {1: P, 2: P}
    multiple = [Relation((0, 1, 2), 3, additive=False)]
    assert attack(published_of(values, hidden), hidden, multiple, 11) == {1: Interval(1, 10), 2: Interval(1, 10)}
    # Read as single choice, the same figures would give x1 + x2 = 3.
    assert attack(published_of(values, hidden), hidden, [Relation((0, 1, 2), 3)], 11) == \
        {1: Interval(1, 2), 2: Interval(1, 2)}
    # A hidden base is at least its largest option and at most their sum: 12 <= base <= 12 + 10 + 10.
    hidden = {1: P, 3: S}
    assert attack(published_of(values, hidden), hidden, multiple, 11) == {1: Interval(1, 10), 3: Interval(12, 26)}


def test_a_lone_hidden_option_of_a_multiple_choice_question_is_not_mended():
    values = [12, 6, 14, 20]
    result = protect_jointly(values, [Relation((0, 1, 2), 3, additive=False)], 11, hidden={1: P})
    assert result.hidden == {1: P}
    assert (result.mended, result.added, result.pinned_after) == ([], [], [])
    assert result.intervals == {1: Interval(1, 10)}
    # In a single-choice question, a lone hidden option is recomputed by subtraction: one more is hidden.
    single = protect_jointly([12, 6, 22, 40], [Relation((0, 1, 2), 3)], 11, hidden={1: P})
    assert single.pinned_before == [1]
    assert single.mended == [0] and single.pinned_after == []
    assert single.intervals == {0: Interval(11, 17), 1: Interval(1, 7)}


def naive_attack(values, hidden, relations, k):
    """The same attacker written the plain way: one integer program per bound over every hidden figure."""
    columns = {index: n for n, index in enumerate(sorted(hidden))}
    rows, low, high = [], [], []

    def row(terms, lower, upper):
        coefficients, constant = np.zeros(len(columns)), 0
        for index, sign in terms:
            if index in columns:
                coefficients[columns[index]] += sign
            else:
                constant += sign * values[index]
        rows.append(coefficients)
        low.append(lower - constant)
        high.append(upper - constant)

    for relation in relations:
        if relation.additive:
            row([*((i, 1) for i in relation.parts), (relation.total, -1)], 0, 0)
        else:
            for part in relation.parts:
                row([(part, 1), (relation.total, -1)], -np.inf, 0)
            row([*((i, -1) for i in relation.parts), (relation.total, 1)], -np.inf, 0)
    labels = {P: (1, k - 1), G: (0, k - 1), S: (k, 10**5)}
    bounds = Bounds([labels[hidden[i]][0] for i in columns], [labels[hidden[i]][1] for i in columns])
    constraints = LinearConstraint(np.array(rows), low, high)
    result = {}
    for index, n in columns.items():
        ends = []
        for sense in (1, -1):
            objective = np.zeros(len(columns))
            objective[n] = sense
            ends.append(round(milp(objective, constraints=constraints, integrality=np.ones(len(columns)),
                                   bounds=bounds).x[n]))
        result[index] = Interval(ends[0], None if ends[1] >= 10**5 // 2 else ends[1])
    return result


def test_attacker_agrees_with_one_plain_program_per_bound():
    register = build_register(100, questions=3, seed=2, k=5, variables=("sex", "age"))
    published = published_of(register.values, register.hidden)
    assert attack(published, register.hidden, register.relations, 5) == \
        naive_attack(register.values, register.hidden, register.relations, 5)


# --- the protection -------------------------------------------------------------------------------------

# Two variables crossed both ways, each table protected on its own by `protect_table` (k = 5), then every
# figure hidden in either table hidden in both. Found by trying populations: A × B and B × A hide
# different cells, and together they give a small count away.
BOTH_WAYS = [[0, 6, 6], [8, 12, 1], [1, 1, 1]]


def test_same_pair_of_variables_both_ways_is_pinned_before_and_not_after():
    register = two_way_register(BOTH_WAYS, 5)
    before = pinned_by_attack(register.values, register.relations, 5, register.hidden)
    assert before and all(0 < register.values[i] < 5 for i in before)
    result = protect_jointly(register.values, register.relations, 5, hidden=register.hidden,
                             known=register.known, margins=register.margins, locked=register.locked)
    assert result.pinned_before == before
    assert result.pinned_after == []
    assert pinned_by_attack(register.values, register.relations, 5, result.hidden) == []
    assert result.added and all(result.hidden[i] is S for i in result.added)


def conditional_register(people: dict[tuple[int, int, int | None], int], k: int) -> Register:
    """A variable A (3 groups), a question P (3 options) and a question C (2 options) asked only to those
    who answered P = 0 (a question asked is answered): distributions, A × P and A × C, each protected on its
    own, merged into one register. C's base is P's option 0; C's base in group g is the cell (g, 0) of A × P."""
    rows = [person for person, count in people.items() for _ in range(count)]
    register = Register(k=k)
    a = [bits(i for i, p in enumerate(rows) if p[0] == g) for g in range(3)]
    p = [bits(i for i, r in enumerate(rows) if r[1] == o) for o in range(3)]
    c = [bits(i for i, r in enumerate(rows) if r[2] == o) for o in range(2)]
    everyone = bits(range(len(rows)))
    a_names, p_names, c_names = [("a", g) for g in range(3)], [("p", o) for o in range(3)], [("c", o) for o in range(2)]
    register.publish_counts(a, everyone, True, a_names, None)
    shown_p = register.publish_counts(p, everyone, True, p_names, None)
    shown_c = register.publish_counts(c, p[0], True, c_names, ("p", 0))
    register.publish_table(a, p, everyone, True, shown_p, a_names, p_names, None)
    register.publish_table(a, c, p[0], True, shown_c, a_names, c_names, ("p", 0))
    register.locked.add(register.relations[0].total)  # the number of responses
    return register


def test_conditional_question_base_equal_to_a_parent_cell_is_pinned_before_and_not_after():
    # Found by trying populations (k = 5): (group, answer to P, answer to C) -> respondents.
    people = {(0, 0, 0): 4, (0, 0, 1): 5, (0, 1, None): 6, (0, 2, None): 10,
              (1, 0, 0): 2, (1, 0, 1): 4, (1, 1, None): 3, (1, 2, None): 6,
              (2, 0, 0): 1, (2, 0, 1): 2, (2, 1, None): 3, (2, 2, None): 2}
    register = conditional_register(people, 5)
    before = pinned_by_attack(register.values, register.relations, 5, register.hidden)
    assert [i for i in before if 0 < register.values[i] < 5]
    result = protect_jointly(register.values, register.relations, 5, hidden=register.hidden,
                             known=register.known, margins=register.margins, locked=register.locked)
    assert result.pinned_before == before and result.pinned_after == []
    assert pinned_by_attack(register.values, register.relations, 5, result.hidden) == []


def test_the_linear_relaxation_alone_protects_the_same_case():
    register = two_way_register(BOTH_WAYS, 5)
    result = protect_jointly(register.values, register.relations, 5, hidden=register.hidden,
                             known=register.known, margins=register.margins, locked=register.locked, integer=False)
    assert result.pinned_before and result.pinned_after == []
    assert not [i for i, interval in result.intervals.items() if interval.pinned]


def test_release_register_is_safe_after_joint_protection():
    # Distributions, sex × age both ways, three questions (one conditional, one multiple choice) by sex and
    # by age: shared margins, conditional bases equal to parent cells.
    register = build_register(100, questions=3, seed=2, k=5, variables=("sex", "age"))
    given = dict(register.hidden)
    start = time.perf_counter()
    result = protect_jointly(register.values, register.relations, 5, hidden=register.hidden,
                             known=register.known, margins=register.margins, locked=register.locked)
    assert time.perf_counter() - start < 5
    assert [i for i in result.pinned_before if register.values[i] > 0]
    assert result.pinned_after == []
    assert pinned_by_attack(register.values, register.relations, 5, result.hidden) == []
    # Shown figures are only ever hidden; nothing given as hidden is shown or relabelled.
    assert all(result.hidden[i] is reason for i, reason in register.hidden.items())
    assert all(result.hidden[i] is S for i in result.hidden.keys() - register.hidden.keys())
    # Zeros are never hidden, except the small groups' cells given as GROUP; locked figures stay shown.
    assert all(register.values[i] > 0 for i in result.hidden.keys() - register.hidden.keys())
    assert not result.hidden.keys() & (register.known | register.locked)
    assert result.programs > 0 and set(result.intervals) == set(result.hidden)
    assert register.hidden == given  # the caller's states are left as they were


def test_locked_figures_are_never_picked():
    # a + b + c = total; a hidden alone would be recomputed: the smallest other cell, b, is locked.
    values = [3, 12, 20, 35]
    result = protect_jointly(values, [Relation((0, 1, 2), 3)], 11, hidden={0: P}, locked={1}, margins={3})
    assert result.hidden == {0: P, 2: S}
    assert result.pinned_after == []


def test_cells_before_margins_and_the_smallest_first():
    values = [3, 40, 20, 63]
    result = protect_jointly(values, [Relation((0, 1, 2), 3)], 11, hidden={0: P}, margins={3})
    assert result.hidden == {0: P, 2: S}


def test_what_locked_figures_give_away_is_reported_not_looped_on():
    # A lone "< 11" beside a shown zero under a locked total: nothing can be hidden to protect it.
    values = [4, 0, 4]
    result = protect_jointly(values, [Relation((0, 1), 2)], 11, hidden={0: P}, locked={2}, known={1})
    assert result.pinned_before == [0]
    assert result.pinned_after == [0]
    assert result.hidden == {0: P}


def test_known_zeros_given_as_hidden_are_shown():
    values = [4, 0, 30, 34]
    result = protect_jointly(values, [Relation((0, 1, 2), 3)], 11, hidden={0: P, 1: G}, known={1})
    assert 1 not in result.hidden


@pytest.mark.parametrize("integer", [True, False])
def test_figures_that_contradict_the_relations_are_refused(integer):
    # x0 + 20 = 30 and x0 = 20.
    with pytest.raises(ValueError):
        attack([None, 20, 30], {0: S}, [Relation((0, 1), 2), Relation((0,), 1)], 11, integer=integer)
