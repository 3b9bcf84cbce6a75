"""The joint audit of linked tables: an attacker who reads every published figure at once, and the
protection that hides more until that attacker pins no hidden figure to a single value.

A release gathers every figure it publishes into one register of distinct quantities (figures that
count the same respondents are one quantity, so that links between tables are shared indices) with
the `Relation`s a reader knows. Merge figures that count the same people *by definition* (age × sex
and sex × age, a group's base in every breakdown, a conditional question's base and its parent's
cell); figures that merely happen to count the same people tell the attacker what no reader knows (a
one-person commune's only cell equals its base: its other cells are 0). Per-table protection
(`tables.suppress`) comes first; then:

`attack(published, labels, relations, k, *, integer=True) -> dict[int, Interval]`
    The attacker. From what is published only — `published[i]` is the value of a shown quantity, None
    for a hidden one, `labels[i]` the reason shown for each hidden one — the smallest and largest value
    each hidden quantity can take. A label says: PRIMARY ("< k") 1…k-1; GROUP (a cell of a small group)
    0…k-1; SECONDARY ("hidden") at least k. Every quantity is a non-negative integer. Additive
    relations: parts add up to the total; others (multiple choice): every part <= total <= sum of the
    parts. Shown values are substituted, hidden quantities linked by relations form components, and
    each component is one program solved by HiGHS (`integer`: the integer program, `milp`, whenever
    `linprog`'s optimum is not integral; else the linear relaxation, its interval rounded inward).
    `Interval.high` is None when nothing bounds the quantity from above. Raises ValueError when the
    published figures contradict the relations.

`protect_jointly(values, relations, k, *, hidden, known=(), margins=(), locked=(), integer=True,
                 final_attack=True) -> JointResult`
    The protection. `values` are the exact counts, `hidden` the states after per-table protection;
    `known` quantities are never hidden (zeros of an empty line), `margins` are totals (picked only
    when no cell can be), `locked` quantities are never picked. It (a) mends every additive relation
    holding a single hidden quantity (recomputed by subtraction) as `tables` does, (b) audits every
    component and, while a hidden quantity is pinned to one value, hides one more eligible element
    (shown, neither known nor locked, non-zero; cells before margins; the one sharing most relations
    with the pinned quantity, then the smallest) of its relations, mends again and re-audits the
    components that changed. When nothing is left to pick in a pinned quantity's relations, every
    eligible element two relations away is hidden if that frees it, else three away, else in its
    whole component. What the locked or known figures pin whatever is hidden is left alone (hiding
    more would cost figures for nothing) and reported in `pinned_after`: the loop always ends. The
    rounds use the linear relaxation (it pins a subset of what the integer attacker pins, faster);
    the integer attacker has the last word. With `final_attack`, the attacker then computes every
    hidden quantity's interval on the final states (`intervals`; `narrowed`: hidden small counts
    whose interval is narrower than their label's range — a figure, not a requirement).

Pinned means: the attacker's integer interval holds one value. Only hidden quantities whose label
allows at least two values are considered (with k = 2, "< 2" says 1 by itself).

Speed (bench/joint_audit.py): each solution of a program is a feasible point, and a bound is solved
for only when no point seen reaches the bound that propagating the relations gives; quantities seen
only at a bound are shown pinned together by one program (if their sum cannot move by 1, none can);
components whose hidden quantities did not change are not audited again.
"""
from __future__ import annotations

import math
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from consult.core.disclosure.tables import Reason, Relation

# Stands for "no upper limit" inside a program: no count of respondents comes near it (half of it is
# read as unbounded).
CAP = 10**6
TOLERANCE = 1e-6


class Interval(NamedTuple):
    """What the attacker knows of a hidden quantity: low <= value <= high (high None: no limit)."""

    low: int
    high: int | None

    @property
    def pinned(self) -> bool:
        return self.low == self.high


def label_range(reason: Reason, k: int) -> Interval:
    """What the label of a hidden quantity tells a reader on its own."""
    if reason is Reason.PRIMARY:
        return Interval(1, k - 1)
    if reason is Reason.GROUP:
        return Interval(0, k - 1)
    return Interval(k, None)


@dataclass(frozen=True)
class JointResult:
    """The states after the joint protection, and what it did."""

    hidden: dict[int, Reason]          # every hidden quantity and its label
    pinned_before: list[int]           # pinned with the input states
    pinned_after: list[int]            # pinned with the final states (empty unless unprotectable)
    mended: list[int]                  # hidden because a relation held a single hidden quantity
    added: list[int]                   # hidden because the attacker pinned a quantity
    programs: int                      # linear or integer programs solved
    seconds: float
    intervals: dict[int, Interval] = field(default_factory=dict)  # the final attack (final_attack=True)
    narrowed: list[int] = field(default_factory=list)  # small counts narrowed below their label's range
    attack_seconds: float = 0.0


# --- the attacker ---------------------------------------------------------------------------------------

def attack(published: Sequence[int | None], labels: Mapping[int, Reason], relations: Sequence[Relation],
           k: int, *, integer: bool = True) -> dict[int, Interval]:
    """The smallest and largest value each hidden quantity can take, from the published figures only."""
    register = _Register(len(published), relations)
    hidden = [i for i, value in enumerate(published) if value is None]
    shown = [0 if value is None else value for value in published]
    intervals: dict[int, Interval] = {}
    for component in register.components(hidden):
        program = _Program(register, component, shown, labels, k, integer)
        intervals.update(program.intervals())
    return intervals


def narrowed(intervals: Mapping[int, Interval], labels: Mapping[int, Reason], k: int) -> list[int]:
    """Hidden small counts (PRIMARY or GROUP) whose interval is narrower than their label's range."""
    return sorted(i for i, interval in intervals.items()
                  if labels[i] is not Reason.SECONDARY and interval != label_range(labels[i], k))


class _Register:
    """Relations indexed by quantity, and the components of a set of hidden quantities."""

    def __init__(self, size: int, relations: Sequence[Relation]) -> None:
        self.relations = list(relations)
        self.by_member: list[list[int]] = [[] for _ in range(size)]
        for n, relation in enumerate(self.relations):
            for index in set(relation.members):
                self.by_member[index].append(n)

    def components(self, hidden: Iterable[int]) -> list[tuple[int, ...]]:
        """Hidden quantities grouped by the relations that link them (each sorted, then by first)."""
        hidden = set(hidden)
        parent = {i: i for i in hidden}

        def find(i: int) -> int:
            while parent[i] != i:
                parent[i] = parent[parent[i]]
                i = parent[i]
            return i

        seen: set[int] = set()
        for index in hidden:
            for n in self.by_member[index]:
                if n in seen:
                    continue
                seen.add(n)
                members = [i for i in set(self.relations[n].members) if i in hidden]
                root = find(members[0])
                for other in members[1:]:
                    other_root = find(other)
                    if other_root != root:
                        parent[other_root] = root
        groups: dict[int, list[int]] = {}
        for index in hidden:
            groups.setdefault(find(index), []).append(index)
        return sorted((tuple(sorted(g)) for g in groups.values()), key=lambda g: g[0])

    def relations_of(self, component: Collection[int]) -> list[int]:
        return sorted({n for index in component for n in self.by_member[index]})


class _Program:
    """The attacker's program over one component: hidden quantities are the variables."""

    def __init__(self, register: _Register, component: Sequence[int], shown: Sequence[int],
                 labels: Mapping[int, Reason], k: int, integer: bool) -> None:
        self.variables = tuple(component)
        self.integer = integer
        self.solved = 0
        position = {index: n for n, index in enumerate(self.variables)}
        size = len(self.variables)
        ranges = [label_range(labels[i], k) for i in self.variables]
        self.label_low = np.array([r.low for r in ranges], dtype=float)
        self.label_high = np.array([CAP if r.high is None else r.high for r in ranges], dtype=float)
        rows, columns, coefficients, row_low, row_high = [], [], [], [], []

        def add(terms: Iterable[tuple[int, int]], low: float, high: float) -> None:
            # terms: (quantity, coefficient); shown quantities move to the bounds.
            combined: dict[int, int] = {}
            constant = 0
            for index, coefficient in terms:
                if index in position:
                    combined[position[index]] = combined.get(position[index], 0) + coefficient
                else:
                    constant += coefficient * shown[index]
            combined = {c: v for c, v in combined.items() if v}
            if not combined:
                return
            row = len(row_low)
            for column, coefficient in combined.items():
                rows.append(row)
                columns.append(column)
                coefficients.append(coefficient)
            row_low.append(low - constant)
            row_high.append(high - constant)

        for n in register.relations_of(self.variables):
            relation = register.relations[n]
            if relation.additive:
                add([*((i, 1) for i in relation.parts), (relation.total, -1)], 0, 0)
            else:
                for part in set(relation.parts):
                    add([(part, 1), (relation.total, -1)], -math.inf, 0)
                add([*((i, -1) for i in relation.parts), (relation.total, 1)], -math.inf, 0)
        self.matrix = sparse.csr_array((coefficients, (rows, columns)), shape=(len(row_low), size))
        self.row_low = np.array(row_low, dtype=float)
        self.row_high = np.array(row_high, dtype=float)
        self._linear_form: dict | None = None
        # Values seen at feasible points: each solution proves a value possible.
        self.seen_low = np.full(size, math.inf)
        self.seen_high = np.full(size, -math.inf)

    # -- solving --

    def _solve(self, objective: np.ndarray) -> np.ndarray | None:
        """A point minimising `objective`, or None when there is none (the figures contradict the relations).

        The integer program is solved only when the linear relaxation's optimum is not already integral
        (it usually is: the relations are sums with coefficients 1 and -1)."""
        point = self._linear(objective)
        if point is not None and self.integer:
            rounded = np.round(point)
            point = rounded if np.all(np.abs(point - rounded) < TOLERANCE) else self._integral(objective)
        if point is not None:
            self._record(point)
        return point

    def _linear(self, objective: np.ndarray) -> np.ndarray | None:
        self.solved += 1
        if self._linear_form is None:
            equal = self.row_low == self.row_high
            upper = ~equal
            lower = upper & np.isfinite(self.row_low)
            a_ub = sparse.vstack([self.matrix[upper], -self.matrix[lower]]).tocsr()
            b_ub = np.concatenate([self.row_high[upper], -self.row_low[lower]])
            self._linear_form = {
                "A_ub": a_ub if a_ub.shape[0] else None, "b_ub": b_ub if a_ub.shape[0] else None,
                "A_eq": self.matrix[equal] if equal.any() else None,
                "b_eq": self.row_low[equal] if equal.any() else None,
                "bounds": np.column_stack([self.label_low, self.label_high]),
            }
        return self._point(linprog(objective, method="highs", **self._linear_form), len(objective))

    def _integral(self, objective: np.ndarray) -> np.ndarray | None:
        self.solved += 1
        constraints = [LinearConstraint(self.matrix, self.row_low, self.row_high)] if self.matrix.shape[0] else []
        result = milp(objective, constraints=constraints, integrality=np.ones(len(objective)),
                      bounds=Bounds(self.label_low, self.label_high))
        point = self._point(result, len(objective))
        return None if point is None else np.round(point)

    @staticmethod
    def _point(result, size: int) -> np.ndarray | None:
        if result.status == 2:
            return None
        if result.status != 0 or result.x is None:
            raise RuntimeError(f"the solver failed on a component of {size} quantities: {result.message}")
        return result.x

    def _bound(self, column: int, sense: int) -> float:
        """The smallest (sense 1) or largest (-1) value of one variable."""
        objective = np.zeros(len(self.variables))
        objective[column] = sense
        point = self._solve(objective)
        if point is None:
            raise ValueError("the published figures contradict the relations")
        return point[column]

    def _record(self, point: np.ndarray) -> None:
        np.minimum(self.seen_low, point, out=self.seen_low)
        np.maximum(self.seen_high, point, out=self.seen_high)

    def _spread(self) -> None:
        """A few feasible points far apart: most quantities reach their label's bounds at one of them."""
        size = len(self.variables)
        rng = np.random.default_rng(size)
        for objective in (np.ones(size), -np.ones(size), rng.uniform(-1, 1, size)):
            if self._solve(objective) is None:
                raise ValueError("the published figures contradict the relations")

    def _propagate(self, low: np.ndarray | None = None, high: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Bounds every feasible point keeps (each row bounds each of its variables by the others'
        bounds, repeated until stable), from the labels' or from bounds already known: where a point
        seen reaches one, no program is needed."""
        low = self.label_low.copy() if low is None else low.copy()
        high = self.label_high.copy() if high is None else high.copy()
        matrix = self.matrix.tocoo()
        rows, columns, coefficients = matrix.row, matrix.col, matrix.data.astype(float)
        if not len(rows):
            return low, high
        for _pass in range(50):
            at_low, at_high = coefficients * low[columns], coefficients * high[columns]
            smallest, largest = np.minimum(at_low, at_high), np.maximum(at_low, at_high)
            activity_min = np.bincount(rows, smallest, minlength=len(self.row_low))
            activity_max = np.bincount(rows, largest, minlength=len(self.row_low))
            # coefficient * x lies in [row_low - (max of the others), row_high - (min of the others)].
            term_low = self.row_low[rows] - (activity_max[rows] - largest)
            term_high = self.row_high[rows] - (activity_min[rows] - smallest)
            with np.errstate(invalid="ignore"):
                implied_low = np.where(coefficients > 0, term_low, term_high) / coefficients
                implied_high = np.where(coefficients > 0, term_high, term_low) / coefficients
            new_low, new_high = low.copy(), high.copy()
            np.maximum.at(new_low, columns, np.nan_to_num(implied_low, nan=-math.inf))
            np.minimum.at(new_high, columns, np.nan_to_num(implied_high, nan=math.inf))
            if self.integer:
                new_low, new_high = np.ceil(new_low - TOLERANCE), np.floor(new_high + TOLERANCE)
            new_high = np.minimum(new_high, self.label_high)
            if np.all(new_low <= low + TOLERANCE) and np.all(new_high >= high - TOLERANCE):
                break
            low, high = np.maximum(low, new_low), np.minimum(high, new_high)
        return low, high

    def _round(self, low: float, high: float) -> Interval:
        low, high = math.ceil(low - TOLERANCE), math.floor(high + TOLERANCE)
        # Within a program every quantity is capped at CAP: one that gets anywhere near it is unbounded.
        return Interval(low, None if high >= CAP // 2 else high)

    def _push(self, open_columns: np.ndarray, sense: int) -> None:
        """Minimise (sense 1) or maximise (-1) the sum of the variables whose bound is still open, while
        that settles many of them at once."""
        rng = np.random.default_rng(len(open_columns))
        for _attempt in range(6):
            if len(open_columns) < 8:
                return
            objective = np.zeros(len(self.variables))
            objective[open_columns] = sense * rng.uniform(1, 2, len(open_columns))
            if self._solve(objective) is None:
                raise ValueError("the published figures contradict the relations")
            still = open_columns[self._open(open_columns, sense)]
            if len(still) > 0.9 * len(open_columns):
                return
            open_columns = still

    def _open(self, columns: np.ndarray, sense: int) -> np.ndarray:
        """Which of `columns` have a bound (lower: sense 1, upper: -1) no point reaches yet."""
        if sense > 0:
            return self.seen_low[columns] > self.outer_low[columns] + TOLERANCE
        return self.seen_high[columns] < self.outer_high[columns] - TOLERANCE

    def intervals(self) -> dict[int, Interval]:
        """Every variable's interval: solved only where the points seen do not reach the outer bounds."""
        self.outer_low, self.outer_high = self._propagate()
        self._spread()
        everything = np.arange(len(self.variables))
        for sense in (1, -1):
            self._push(everything[self._open(everything, sense)], sense)
        result = {}
        solved = 0
        for column, index in enumerate(self.variables):
            if solved >= 20:
                # Each bound solved is exact: spread it, so that more of the points seen reach theirs.
                self.outer_low, self.outer_high = self._propagate(self.outer_low, self.outer_high)
                solved = 0
            if self.seen_low[column] > self.outer_low[column] + TOLERANCE:
                self.outer_low[column] = self._bound(column, 1)
                solved += 1
            if self.seen_high[column] < self.outer_high[column] - TOLERANCE:
                self.outer_high[column] = self._bound(column, -1)
                solved += 1
            result[index] = self._round(self.outer_low[column], self.outer_high[column])
        return result

    def pinned(self) -> list[int]:
        """Variables pinned to one value (among those whose label allows at least two)."""
        self.outer_low, self.outer_high = self._propagate()
        self._spread()
        pinned, single = [], []
        for column in range(len(self.variables)):
            if self.label_high[column] - self.label_low[column] < 1 or \
                    self._two_values(self.seen_low[column], self.seen_high[column]):
                continue
            if not self._two_values(self.outer_low[column], self.outer_high[column]):
                pinned.append(column)
            else:
                single.append(column)
        # Variables seen only at their lower bound: pinned if they cannot rise. One program pushes them all
        # up at once; if their sum cannot rise by 1, none can. Likewise down from the upper bound.
        at_low = [c for c in single if self.seen_low[c] <= self.outer_low[c] + TOLERANCE]
        at_high = [c for c in single if c not in set(at_low)
                   and self.seen_high[c] >= self.outer_high[c] - TOLERANCE]
        for group, sense in ((at_low, -1), (at_high, 1)):
            bound = self.outer_low if sense < 0 else self.outer_high
            group = np.array(group, dtype=int)
            while len(group):
                objective = np.zeros(len(self.variables))
                objective[group] = sense
                point = self._solve(objective)
                if point is None:
                    raise ValueError("the published figures contradict the relations")
                if abs(np.sum(point[group] - bound[group])) < 1 - TOLERANCE:
                    pinned += group.tolist()
                    break
                still = np.array([c for c in group if not self._two_values(self.seen_low[c], self.seen_high[c])],
                                 dtype=int)
                if len(still) == len(group):  # the sum moved, spread thin over several: one by one
                    pinned += [c for c in group.tolist() if not self._apart(c)]
                    break
                group = still
        rest = set(single) - set(at_low) - set(at_high)
        pinned += [c for c in sorted(rest) if not self._apart(c)]
        return sorted(self.variables[c] for c in set(pinned))

    def _apart(self, column: int) -> bool:
        """Whether the variable can take two integer values (solving for its bounds if need be)."""
        if not self._two_values(self.outer_low[column], self.outer_high[column]):
            return False
        low = self._bound(column, 1) if self.seen_low[column] > self.outer_low[column] + TOLERANCE \
            else self.outer_low[column]
        if self._two_values(low, self.seen_high[column]):
            return True
        high = self._bound(column, -1) if self.seen_high[column] < self.outer_high[column] - TOLERANCE \
            else self.outer_high[column]
        return self._two_values(low, high)

    @staticmethod
    def _two_values(low: float, high: float) -> bool:
        return math.floor(high + TOLERANCE) > math.ceil(low - TOLERANCE)


# --- the protection -------------------------------------------------------------------------------------

def protect_jointly(values: Sequence[int], relations: Sequence[Relation], k: int, *,
                    hidden: Mapping[int, Reason], known: Iterable[int] = (), margins: Iterable[int] = (),
                    locked: Iterable[int] = (), integer: bool = True, final_attack: bool = True) -> JointResult:
    """Hide more until the attacker pins no hidden quantity; see the module docstring for the rules."""
    if k < 1:
        raise ValueError("k must be at least 1")
    start = time.perf_counter()
    known, locked = set(known), set(locked)
    state = {i: r for i, r in hidden.items() if i not in known}
    register = _Register(len(values), relations)
    auditor = _Auditor(register, values, k)
    pinned_before = auditor.pinned(state, integer)
    protector = _JointProtector(register, values, set(margins), known | locked, state)
    mended = protector.mend()
    added: list[int] = []
    given_up: set[int] = set()
    hopeless: set[int] | None = None
    # The linear relaxation pins fewer quantities than the integer attacker, never more, and is faster:
    # it leads the rounds, then the integer attacker has the last word.
    exact = False
    while True:
        pinned = [i for i in auditor.pinned(state, exact) if i not in given_up]
        if not pinned:
            if exact or not integer:
                break
            exact = True
            continue
        touched: set[int] = set()  # relations given one more hidden element in this round
        stuck = []
        for index in pinned:
            if touched & set(register.by_member[index]):
                continue  # a neighbour hidden in this round may already free it: audit again first
            choice = protector.pick_around(index)
            if choice is None:
                stuck.append(index)
                continue
            protector.hide(choice)
            added.append(choice)
            touched.update(register.by_member[choice])
        if stuck and hopeless is None:
            # Pinned even with every figure that may be hidden hidden: the locked and known figures give
            # these away, and hiding more around them would only cost figures.
            everything = {i: Reason.SECONDARY for i in range(len(values)) if protector.eligible(i)}
            hopeless = set(auditor.pinned({**state, **everything}, exact))
        for index in stuck:
            if index in hopeless:
                given_up.add(index)
                continue
            if index in given_up:
                continue
            # Nothing left to pick in its own relations: hide every element around it, further and further
            # (two, then three relations away, then its whole component), as soon as that frees it.
            component = next(c for c in auditor.components(state) if index in c)
            for around in (protector.eligible_near(index, 2), protector.eligible_near(index, 3),
                           protector.eligible_around(component)):
                trial = {**state, **{i: Reason.SECONDARY for i in around}}
                if around and index not in auditor.pinned(trial, exact):
                    for choice in around:
                        protector.hide(choice)
                        added.append(choice)
                    break
            else:
                given_up.add(index)  # locked or known figures give it away whatever we hide
        mended += protector.mend()
    seconds = time.perf_counter() - start
    result = JointResult(hidden=dict(state), pinned_before=pinned_before, pinned_after=sorted(given_up),
                         mended=mended, added=added, programs=auditor.programs, seconds=seconds)
    if not final_attack:
        return result
    start = time.perf_counter()
    published = [None if i in state else v for i, v in enumerate(values)]
    intervals = attack(published, state, relations, k, integer=integer)
    small = {i: r for i, r in state.items() if 0 < values[i] < k}
    return JointResult(**{**result.__dict__, "intervals": intervals,
                          "narrowed": narrowed({i: intervals[i] for i in small}, small, k),
                          "pinned_after": sorted(set(given_up) | {i for i, v in intervals.items()
                                                                  if v.pinned and _protectable(state[i], k)}),
                          "attack_seconds": time.perf_counter() - start})


def _protectable(reason: Reason, k: int) -> bool:
    interval = label_range(reason, k)
    return interval.high is None or interval.high > interval.low


class _Auditor:
    """The attacker over the current states, component by component, remembering what it solved."""

    def __init__(self, register: _Register, values: Sequence[int], k: int) -> None:
        self.register = register
        self.values = values
        self.k = k
        self.programs = 0
        self._pinned: dict[tuple[tuple[int, ...], bool], list[int]] = {}

    def components(self, state: Mapping[int, Reason]) -> list[tuple[int, ...]]:
        return self.register.components(state)

    def pinned(self, state: Mapping[int, Reason], integer: bool) -> list[int]:
        """Hidden quantities pinned to one value (sorted); components already audited are not solved again."""
        pinned = []
        for component in self.components(state):
            key = (component, integer)
            if key not in self._pinned:
                program = _Program(self.register, component, self.values, state, self.k, integer)
                self._pinned[key] = program.pinned()
                self.programs += program.solved
            pinned += self._pinned[key]
        return sorted(pinned)


class _JointProtector:
    """Picks the elements to hide (the rules of `tables._Protector`, over the whole register)."""

    def __init__(self, register: _Register, values: Sequence[int], margins: set[int], fixed: set[int],
                 state: dict[int, Reason]) -> None:
        self.register = register
        self.values = values
        self.margins = margins
        self.fixed = fixed
        self.state = state
        self.hidden_count = [len({i for i in r.members if i in state}) for r in register.relations]

    def eligible(self, index: int) -> bool:
        return index not in self.state and index not in self.fixed and self.values[index] > 0

    def hide(self, index: int) -> None:
        self.state[index] = Reason.SECONDARY
        for n in self.register.by_member[index]:
            self.hidden_count[n] += 1

    def _lone(self, n: int) -> bool:
        return self.register.relations[n].additive and self.hidden_count[n] == 1

    def mend(self) -> list[int]:
        """Hide one more element of every additive relation holding a single hidden one, until none does
        (or nothing can be picked: the audit then finds what is pinned)."""
        hidden = []
        queue = [n for n in range(len(self.register.relations)) if self._lone(n)]
        while queue:
            n = queue.pop()
            if not self._lone(n):
                continue
            relation = self.register.relations[n]
            candidates = {i for i in relation.members if self.eligible(i)}
            ranked = sorted(candidates, key=lambda i: (i in self.margins, -self._mends(i), self.values[i], i))
            choice = next((i for i in ranked if self._can_stay_protected(i)), ranked[0] if ranked else None)
            if choice is None:
                continue
            self.hide(choice)
            hidden.append(choice)
            queue += [m for m in self.register.by_member[choice] if self._lone(m)]
        return hidden

    def _mends(self, index: int) -> int:
        return sum(1 for n in self.register.by_member[index] if self._lone(n))

    def _can_stay_protected(self, index: int) -> bool:
        # Hiding `index` must not leave one of its relations with a single hidden element and no way out.
        for n in self.register.by_member[index]:
            relation = self.register.relations[n]
            if relation.additive and self.hidden_count[n] == 0 and \
                    not any(self.eligible(i) for i in relation.members if i != index):
                return False
        return True

    def pick_around(self, index: int) -> int | None:
        """The element to hide for a pinned quantity: of its relations, cells before margins, the one
        sharing most relations with it, then the smallest."""
        own = self.register.by_member[index]
        candidates = {i for n in own for i in self.register.relations[n].members if self.eligible(i)}
        if not candidates:
            return None
        own_set = set(own)

        def rank(i: int) -> tuple:
            shared = sum(1 for n in self.register.by_member[i] if n in own_set)
            return (i in self.margins, -shared, self.values[i], i)

        ranked = sorted(candidates, key=rank)
        return next((i for i in ranked if self._can_stay_protected(i)), ranked[0])

    def eligible_near(self, index: int, distance: int) -> list[int]:
        """Every element that can still be hidden within `distance` relations of `index` (going from one
        relation to the next through hidden quantities)."""
        reached, frontier, found = {index}, {index}, set()
        for _step in range(distance):
            members = {i for q in frontier for n in self.register.by_member[q]
                       for i in self.register.relations[n].members}
            found |= {i for i in members if self.eligible(i)}
            frontier = {i for i in members if i in self.state and i not in reached}
            reached |= frontier
        return sorted(found)

    def eligible_around(self, component: Collection[int]) -> list[int]:
        """Every element that can still be hidden in the relations of a component."""
        return sorted({i for n in self.register.relations_of(component)
                       for i in self.register.relations[n].members if self.eligible(i)})
