"""The attacker of a release's register: the smallest and largest value every hidden quantity can take,
given everything published at once (HiGHS through SciPy: `linprog`, `milp`).

`attack(published, labels, relations, k, *, integer=True) -> dict[int, Interval]`: `published[i]` is the
value of a shown quantity, None for a hidden one, `labels[i]` the reason shown for each hidden one. A
label says: PRIMARY ("< k") 1…k-1; GROUP (a cell of a small group) 0…k-1; SECONDARY ("hidden") at least
k. Every quantity is a non-negative integer. Additive relations: parts add up to the total; others
(multiple choice): every part <= total <= sum of the parts. Shown values are substituted, hidden
quantities linked by relations form components, and each component is one program (`integer`: the
integer program, `milp`, whenever `linprog`'s optimum is not integral; else the linear relaxation, its
interval rounded inward). `Interval.high` is None when nothing bounds the quantity from above. Raises
ValueError when the published figures contradict the relations.

Speed: each solution of a program is a feasible point, and a bound is solved for only when no point
seen reaches the bound that propagating the relations gives; quantities seen only at a bound are shown
pinned together by one program (if their sum cannot move by 1, none can).
"""
from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Mapping, Sequence
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
