"""Benchmark: concurrent read-then-write transactions on SQLite, deferred BEGIN vs BEGIN IMMEDIATE.

Claim under test: "with plain BEGIN, many of 300 concurrent write transactions are refused with
'database is locked'; with BEGIN IMMEDIATE, none".

Each of N threads (default 300) opens its own connection, then runs one transaction: read the
counter row, insert an event row derived from it, bump the counter, commit. Every connection
goes through the application's own engine rules, consult.core.db.configure_sqlite (WAL,
synchronous=NORMAL, foreign keys, busy_timeout — set to 5 s here — and the BEGIN listener).
The two modes differ only in the write intent the listener sees, exactly as in the app:

  deferred   g.db_write_intent = False, as for a GET request: the listener emits "BEGIN"
  immediate  g.db_write_intent = True, as for POST requests and the CLI: "BEGIN IMMEDIATE"

All threads wait on a barrier, then start together. Both modes run in the same process, on
fresh database files, alternately for --rounds rounds; the medians are reported, with the
immediate figures as ratios of the deferred ones.

    .venv/bin/python bench/sqlite_writers.py [--threads 300] [--rounds 3] [--busy-ms 5000]

Not a test: pytest never collects bench/ (testpaths = tests, and bench/conftest.py ignores it).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask, g  # noqa: E402
from sqlalchemy import NullPool, create_engine, exc, text  # noqa: E402

import consult.core.db as app_db  # noqa: E402

MODES = ("deferred", "immediate")


def make_engine(path: Path, busy_ms: int):
    """An engine configured by the application's own code path, one new connection per checkout."""
    app_db.SQLITE_BUSY_TIMEOUT_MS = busy_ms  # read by configure_sqlite's connect listener
    engine = create_engine(f"sqlite:///{path}", poolclass=NullPool)
    app_db.configure_sqlite(engine)
    return engine


def prepare(path: Path, busy_ms: int) -> None:
    engine = make_engine(path, busy_ms)
    with engine.begin() as conn:  # no request context: write intent, BEGIN IMMEDIATE
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, value INTEGER NOT NULL)"))
        conn.execute(text("CREATE TABLE events (id INTEGER PRIMARY KEY, n INTEGER NOT NULL, "
                          "worker INTEGER NOT NULL)"))
        conn.execute(text("INSERT INTO counter (id, value) VALUES (1, 0)"))
    engine.dispose()


def run_once(mode: str, threads: int, busy_ms: int, workdir: Path) -> dict:
    path = workdir / f"{mode}-{time.monotonic_ns()}.sqlite3"
    prepare(path, busy_ms)
    engine = make_engine(path, busy_ms)
    flask_app = Flask("bench")  # only to give each thread a request context, as in the app
    barrier = threading.Barrier(threads + 1)
    outcomes: list[str] = [""] * threads
    latencies: list[float] = [0.0] * threads

    def worker(i: int) -> None:
        with flask_app.test_request_context("/"):
            g.db_write_intent = mode == "immediate"
            barrier.wait()
            started = time.perf_counter()
            try:
                with engine.begin() as conn:
                    value = conn.execute(text("SELECT value FROM counter WHERE id = 1")).scalar_one()
                    conn.execute(text("INSERT INTO events (n, worker) VALUES (:n, :w)"), {"n": value + 1, "w": i})
                    conn.execute(text("UPDATE counter SET value = :v WHERE id = 1"), {"v": value + 1})
                outcomes[i] = "ok"
            except exc.OperationalError as error:
                message = str(error.orig)
                outcomes[i] = "locked" if "locked" in message or "busy" in message else f"error: {message}"
            except Exception as error:  # noqa: BLE001 — reported, not hidden
                outcomes[i] = f"error: {type(error).__name__}: {error}"
            latencies[i] = time.perf_counter() - started

    pool = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for thread in pool:
        thread.start()
    barrier.wait()
    started = time.perf_counter()
    for thread in pool:
        thread.join()
    elapsed = time.perf_counter() - started

    with engine.connect() as conn:
        events = conn.execute(text("SELECT count(*) FROM events")).scalar_one()
        counter = conn.execute(text("SELECT value FROM counter")).scalar_one()
        distinct = conn.execute(text("SELECT count(DISTINCT n) FROM events")).scalar_one()
    engine.dispose()
    counts = Counter(o if not o.startswith("error") else "error" for o in outcomes)
    errors = sorted({o for o in outcomes if o.startswith("error")})
    committed = counts["ok"]
    assert events == committed, (events, committed)
    return {
        "committed": committed,
        "locked": counts["locked"],
        "errors": counts["error"],
        "error_kinds": errors,
        "elapsed": elapsed,
        "throughput": committed / elapsed if elapsed else 0.0,
        "lost_updates": committed - counter,  # read-then-write anomalies (must be 0)
        "duplicate_reads": committed - distinct,
        "p95_ms": 1000 * statistics.quantiles(latencies, n=20)[-1],
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--busy-ms", type=int, default=5000)
    args = parser.parse_args()

    import sqlite3

    print(f"SQLite {sqlite3.sqlite_version}, Python {sys.version.split()[0]}, {args.threads} concurrent "
          f"read-then-write transactions, busy_timeout {args.busy_ms} ms, WAL, {args.rounds} rounds")
    results: dict[str, list[dict]] = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory(prefix="consult-bench-") as tmp:
        for round_no in range(1, args.rounds + 1):
            for mode in MODES:
                r = run_once(mode, args.threads, args.busy_ms, Path(tmp))
                results[mode].append(r)
                extra = f"  other errors: {r['error_kinds']}" if r["errors"] else ""
                print(f"  round {round_no} {mode:<9} committed {r['committed']:>4}  'database is locked' "
                      f"{r['locked']:>4}  lost updates {r['lost_updates']}  {r['elapsed']:.3f} s  "
                      f"{r['throughput']:.0f} tx/s  p95 {r['p95_ms']:.0f} ms{extra}")

    def median(mode: str, key: str) -> float:
        return statistics.median(r[key] for r in results[mode])

    ref = {key: median("deferred", key) for key in ("committed", "locked", "throughput", "elapsed", "p95_ms")}
    imm = {key: median("immediate", key) for key in ("committed", "locked", "throughput", "elapsed", "p95_ms")}
    n = args.threads
    print("\nMedians over the rounds (reference: deferred BEGIN, same run)")
    print(f"  deferred BEGIN      refused 'database is locked': {ref['locked']:.0f}/{n} "
          f"({100 * ref['locked'] / n:.0f} %), committed {ref['committed']:.0f}/{n}, "
          f"{ref['throughput']:.0f} committed tx/s, wall {ref['elapsed']:.3f} s")
    print(f"  BEGIN IMMEDIATE     refused 'database is locked': {imm['locked']:.0f}/{n} "
          f"({100 * imm['locked'] / n:.0f} %), committed {imm['committed']:.0f}/{n}, "
          f"{imm['throughput']:.0f} committed tx/s, wall {imm['elapsed']:.3f} s")

    def ratio(a: float, b: float) -> str:
        return f"x{a / b:.2f}" if b else "n/a (reference is 0)"

    print("  IMMEDIATE / deferred: committed transactions "
          f"{ratio(imm['committed'], ref['committed'])}, committed tx/s {ratio(imm['throughput'], ref['throughput'])}, "
          f"wall time {ratio(imm['elapsed'], ref['elapsed'])}, p95 latency {ratio(imm['p95_ms'], ref['p95_ms'])}")
    lost = sum(r["lost_updates"] for rs in results.values() for r in rs)
    other = sum(r["errors"] for rs in results.values() for r in rs)
    claim = ref["locked"] > 0 and all(r["locked"] == 0 and r["errors"] == 0 for r in results["immediate"])
    print(f"  lost updates (all runs): {lost}; other errors (all runs): {other}")
    print(f"  claim {'CONFIRMED' if claim else 'NOT CONFIRMED'}: deferred BEGIN refuses some writers, "
          "BEGIN IMMEDIATE refuses none")
    return 0 if claim else 1


if __name__ == "__main__":
    sys.exit(main())
