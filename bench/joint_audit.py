"""Benchmark: the joint audit of a release's register at the size of a real survey release.

Builds the synthetic register of tests/core/joint_register.py (a seeded population of respondents with
commune, sex, age band and occupation answering closed questions, some multiple-choice, some
conditional; every distribution and every question × variable and variable × variable table, each
protected on its own first), then times `protect_jointly` (its own rounds, without the final attack)
and a separate final integer `attack` on the protected states, and checks that nothing the attacker
pins is left but what `pinned_after` reports.

    .venv/bin/python bench/joint_audit.py [--respondents 500] [--questions 20] [--k 11] [--seed 1]
                                          [--merge-equal-sets]

Exits with status 1 when the final attack pins a quantity `protect_jointly` did not report.
Not a test: pytest never collects bench/.
"""
from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from consult.core.disclosure import Reason  # noqa: E402
from consult.core.disclosure.attacker import _Register  # noqa: E402
from consult.core.disclosure.audit import attack, narrowed, protect_jointly  # noqa: E402
from tests.core.joint_register import build_register  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=500)
    parser.add_argument("--questions", type=int, default=20)
    parser.add_argument("--k", type=int, default=11)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--merge-equal-sets", action="store_true",
                        help="merge figures that happen to count the same people (one large component)")
    args = parser.parse_args()
    k = args.k

    start = time.perf_counter()
    register = build_register(args.respondents, k=k, questions=args.questions, seed=args.seed,
                              merge_equal_sets=args.merge_equal_sets)
    built = time.perf_counter() - start
    components = _Register(len(register.values), register.relations).components(register.hidden)
    print(f"register: {args.respondents} respondents, {args.questions} questions, k = {k}: "
          f"{register.tables} tables, {register.figures} figures, {len(register.values)} quantities, "
          f"{len(register.relations)} relations ({sum(not r.additive for r in register.relations)} not additive), "
          f"{len(register.hidden)} hidden {dict(Counter(r.value for r in register.hidden.values()))}; "
          f"{len(components)} components, largest {sorted(map(len, components))[-3:]} (built in {built:.1f} s)")

    result = protect_jointly(register.values, register.relations, k, hidden=register.hidden, known=register.known,
                             margins=register.margins, locked=register.locked, final_attack=False)
    print(f"protect_jointly: {result.seconds:.1f} s, {result.programs} programs; pinned before "
          f"{len(result.pinned_before)} ({sum(register.values[i] > 0 for i in result.pinned_before)} non-zero), "
          f"after {len(result.pinned_after)} (values {dict(Counter(register.values[i] for i in result.pinned_after))}); "
          f"hidden {len(register.hidden)} -> {len(result.hidden)} "
          f"({len(result.mended)} mended relations, {len(result.added)} by the audit)")

    start = time.perf_counter()
    published = [None if i in result.hidden else v for i, v in enumerate(register.values)]
    intervals = attack(published, result.hidden, register.relations, k, integer=True)
    seconds = time.perf_counter() - start
    pinned = sorted(i for i, interval in intervals.items() if interval.pinned)
    small = {i: r for i, r in result.hidden.items() if 0 < register.values[i] < k}
    squeezed = narrowed({i: intervals[i] for i in small}, small, k)
    widths = Counter(min(interval.high - interval.low + 1, 99) for i, interval in intervals.items()
                     if i in small)
    print(f"final integer attack: {seconds:.1f} s; pinned {len(pinned)} "
          f"({sum(register.values[i] > 0 for i in pinned)} non-zero); hidden small counts "
          f"{len(small)}, narrowed below their label's range {len(squeezed)}; "
          f"possible values per small count {dict(sorted(widths.items()))}")
    unreported = set(pinned) - set(result.pinned_after) - {
        i for i in pinned if result.hidden[i] is Reason.PRIMARY and k == 2}
    if unreported:
        print(f"FAIL: pinned and not reported: {sorted(unreported)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
