"""The joint audit of linked tables: an attacker who reads every published figure at once, and the
protection that hides more until that attacker pins no hidden figure to a single value.

A release gathers every figure it publishes into one register of distinct quantities (figures that
count the same respondents are one quantity, so that links between tables are shared indices) with
the `Relation`s a reader knows. Merge figures that count the same people *by definition* (age × sex
and sex × age, a group's base in every breakdown, a conditional question's base and its parent's
cell); figures that merely happen to count the same people tell the attacker what no reader knows (a
one-person commune's only cell equals its base: its other cells are 0). Per-table protection
(`tables.suppress`) comes first; then:

`attack(published, labels, relations, k, *, integer=True) -> dict[int, Interval]` (in `attacker`)
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

import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from consult.core.disclosure.attacker import Interval, _Program, _Register, attack, label_range, narrowed
from consult.core.disclosure.tables import Reason, Relation

__all__ = ["Interval", "JointResult", "attack", "label_range", "narrowed", "protect_jointly"]


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
    pinned_after = given_up | {i for i, v in intervals.items() if v.pinned and _protectable(state[i], k)}
    return replace(result, intervals=intervals, narrowed=narrowed({i: intervals[i] for i in small}, small, k),
                   pinned_after=sorted(pinned_after), attack_seconds=time.perf_counter() - start)


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
