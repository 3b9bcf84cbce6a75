"""`make bench`: Consult against minimal Flask + Flask-SQLAlchemy apps doing only the bare work, same run, same
gunicorn settings (gthread, 2 workers × 4 threads) on loopback, driven by wrk (16 connections, bounded in
time) or by one request at a time for the heavy pages, application and reference runs alternating, median of 3.
Writes bench/results.json and prints every ratio with its target.

    .venv/bin/python bench/run.py [--database-url URL] [--responses 100000] [--small 10000] [--seconds 8]
    # PostgreSQL, on a throwaway cluster (what `make bench BENCH_DATABASE=postgresql` runs):
    .venv/bin/python -m tests.pgcluster -- sh -c '.venv/bin/python bench/run.py --database-url "$TEST_DATABASE_URL"'

The order: the demo and the benchmark's accounts, the survey grown to --small responses; public pages,
supports and survey submissions; the exports at --small (their peak memory); the survey grown to
--responses; the results pages and the exports at that volume. Not a test: pytest never collects bench/.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.harness import data, works  # noqa: E402
from bench.harness.load import require_wrk  # noqa: E402
from bench.harness.servers import Server  # noqa: E402

# Issue 15 §5: application ÷ reference of the same run (peak memory in MB).
TARGETS = {
    "public_page_cpu": ("<=", 6),
    "public_page_throughput": (">=", 0.15),
    "support_throughput": (">=", 0.5),
    "support_cpu": ("<=", 2),
    "support_p99": ("<=", 2),
    "survey_submission_cpu": ("<=", 30),
    "results_page_time_100k": ("<=", 0.5),
    "results_page_peak_mb_100k": ("<=", 100),
    "csv_export_time": ("<=", 1.5),
    "xlsx_export_time": ("<=", 3),
    "ods_export_time": ("<=", 3),
    "export_peak_growth_100k_vs_10k": ("<=", 1.2),
    "export_first_byte_s": ("<=", 1),
}


def machine() -> dict:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next((line.split(":", 1)[1].strip() for line in cpuinfo.splitlines() if line.startswith("model name")), "")
    memory = next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"cpu": model, "cores": os.cpu_count(), "memory_gb": round(int(memory) / 1e6, 1),
            "kernel": platform.release(), "python": platform.python_version(), "sqlite": sqlite3.sqlite_version,
            "load_average_at_start": os.getloadavg()}


def verdicts(ratios: dict) -> dict:
    found = {}
    for key, (direction, target) in TARGETS.items():
        value = ratios.get(key)
        met = None if value is None else (value <= target if direction == "<=" else value >= target)
        found[key] = {"value": value, "target": f"{direction} {target}", "met": met}
    return found


def _exports(bench: works.Bench, responses: int, small: dict) -> tuple[dict, dict]:
    large = works.exports(bench, responses, timed=True)
    ratios = {f"{fmt}_export_time": large[fmt]["time_ratio"] for fmt in works.EXPORTS}
    # A run abandoned at its time limit did not reach its peak: no growth figure then.
    if small and all(run["status"] == 200 for fmt in works.EXPORTS for run in large[fmt]["runs"]):
        ratios["export_peak_growth_100k_vs_10k"] = round(
            max(large[fmt]["peak_mb"] / small[fmt]["peak_mb"] for fmt in works.EXPORTS), 3)
    ratios["export_first_byte_s"] = max(large[fmt]["median_first_byte_s"] for fmt in works.EXPORTS)
    return large, ratios


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="an empty database (default: a SQLite file in a temporary folder)")
    parser.add_argument("--responses", type=int, default=100_000, help="responses for the results and exports")
    parser.add_argument("--small", type=int, default=10_000, help="responses for the exports' peak reference")
    parser.add_argument("--seconds", type=float, default=8, help="length of each wrk run")
    parser.add_argument("--repeats", type=int, default=3, help="runs of each side (the median is kept)")
    parser.add_argument("--accounts", type=int, default=100, help="accounts that support proposals")
    parser.add_argument("--out", help="default: bench/results.json (SQLite), bench/results-postgresql.json")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder (database, logs)")
    options = parser.parse_args()
    require_wrk()

    started = time.monotonic()
    work_dir = Path(tempfile.mkdtemp(prefix="consult-bench-"))
    url = options.database_url or f"sqlite:///{work_dir / 'bench.sqlite3'}"
    database = "postgresql" if url.startswith("postgres") else "sqlite"
    out = Path(options.out or ROOT / "bench" / ("results.json" if database == "sqlite" else "results-postgresql.json"))
    env = data.app_env(url, work_dir)
    report = {"machine": machine(), "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
              "database": database, "ratios": {}, "figures": {}, "targets": {}}
    servers: list[Server] = []

    def log(message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)

    try:
        log(f"{database} database, folder {work_dir}")
        data.migrate_and_seed(env)
        how = data.grow(env, url, data.demo_survey(url), options.small, territory_volume=True)
        log(f"survey grown to {options.small} responses ({how})")
        report["figures"]["data"] = {"first_growth": how}
        demo = data.demo_facts(url, options.accounts)
        app = Server("consult", "wsgi:app", chdir=ROOT, env=env, log_dir=work_dir)
        reference = Server("reference", "app:create_app()", chdir=ROOT / "bench" / "reference",
                           env={"BENCH_DATABASE_URL": data.engine_url(url)}, log_dir=work_dir)
        servers += [app, reference]
        app.wait_ready("/healthz")
        reference.wait_ready(f"/t/{data.SLUG}/")
        bench = works.Bench(app=app, reference=reference, demo=demo, url=url, work_dir=work_dir,
                            seconds=options.seconds, repeats=options.repeats)
        figures, ratios = report["figures"], report["ratios"]

        def attempt(name: str, work) -> None:
            """Run one work; a work that fails is reported (its error in the figures), the others still run."""
            try:
                figures[name], found = work()
                ratios.update(found)
            except Exception as error:  # noqa: BLE001 (a failed work must not lose the others' figures)
                log(f"{name} FAILED: {error!r}")
                figures[name] = {"error": repr(error)}

        attempt("public_pages", lambda: works.public_pages(bench))
        attempt("support", lambda: works.supports(bench))
        attempt("survey_submission", lambda: works.submissions(bench))
        small: dict = {}  # the exports at the smaller volume: their peak memory is the growth's reference

        def exports_small() -> tuple[dict, dict]:
            small.update(works.exports(bench, data.response_count(url, demo.survey_id), timed=False))
            return small, {}

        attempt("exports_small", exports_small)
        how = data.grow(env, url, demo.survey_id, options.responses, territory_volume=False)
        large_count = data.response_count(url, demo.survey_id)
        log(f"survey grown to {large_count} responses ({how})")
        figures["data"].update({"responses_small": small.get("responses"), "responses_large": large_count,
                                "second_growth": how, "answers_large": bench.sql(
                               "SELECT count(*) FROM answers a JOIN responses r ON r.id = a.response_id "
                               "WHERE r.survey_id = :s", s=demo.survey_id)})
        attempt("results", lambda: works.results_pages(bench, large_count))
        attempt("exports", lambda: _exports(bench, large_count, small))
    finally:
        for server in servers:
            server.stop()
        report["machine"]["load_average_at_end"] = os.getloadavg()
        report["figures"]["wall_time_s"] = round(time.monotonic() - started, 1)
        if not options.keep:
            shutil.rmtree(work_dir, ignore_errors=True)

    # The first byte is a time in seconds, not a ratio: it goes with the figures, and its verdict with the others.
    if "export_first_byte_s" in report["ratios"]:
        report["figures"]["export_first_byte_s"] = report["ratios"].pop("export_first_byte_s")
    report["targets"] = verdicts({**report["ratios"],
                                  "export_first_byte_s": report["figures"].get("export_first_byte_s")})
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nConsult ÷ reference, same run ({database}, {report['figures']['wall_time_s']} s):")
    for key, verdict in report["targets"].items():
        mark = {True: "met", False: "MISSED", None: "not measured"}[verdict["met"]]
        print(f"  {key:34} {verdict['value']!s:>10}   target {verdict['target']:>7}   {mark}")
    print(f"Written to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
