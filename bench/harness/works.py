"""The works measured, each against its reference in the same run, application and reference runs alternating.

Every work returns its figures (absolute numbers, medians of the runs) and its ratios (application ÷ reference).
"""
from __future__ import annotations

import statistics
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.harness import client
from bench.harness.data import COORDINATOR, SLUG, BENCH_PASSWORD, Demo, engine_url
from bench.harness.load import LoadRun, run_wrk
from bench.harness.servers import Server

# A heavy request (results, exports) whose first run takes longer than HEAVY_REPEAT_LIMIT_S is not repeated, and
# one still running after HEAVY_TIMEOUT_S is abandoned (its time is then a lower bound, "timeout" its status and
# the workers are replaced): the run must end within 15 minutes on 2 cores even while those pages are slow.
# The figures say how many runs each median is made of.
HEAVY_REPEAT_LIMIT_S = 20
HEAVY_TIMEOUT_S = 90
# The first results request after the growth may bring stored tallies up to date for every new response: it gets
# longer, since abandoning it (its worker killed) would throw that work away and every later request would start
# it again.
FIRST_RESULTS_TIMEOUT_S = 300


@dataclass
class Bench:
    """One benchmark run: the two servers, the seeded data and how long and often each work runs."""

    app: Server
    reference: Server
    demo: Demo
    url: str
    work_dir: Path
    seconds: float
    repeats: int

    def log(self, message: str) -> None:
        print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)

    def sql(self, statement: str, **params) -> int:
        """Run one statement on the benchmark's database: its single value, or the rows it changed."""
        engine = create_engine(engine_url(self.url))
        with engine.begin() as connection:
            result = connection.execute(text(statement), params)
            value = result.scalar() if result.returns_rows else result.rowcount
        engine.dispose()
        return value


median = statistics.median


def _runs_summary(runs: list[LoadRun]) -> dict:
    return {"runs": [run.as_dict() for run in runs],
            "median_cpu_ms_per_request": round(median([r.cpu_ms_per_request for r in runs]), 3),
            "median_throughput_rps": round(median([r.throughput for r in runs]), 1),
            "median_p99_ms": round(median([r.p99_ms for r in runs]), 1),
            "errors": sum(r.errors for r in runs)}


def _alternate(bench: Bench, app_run, reference_run) -> tuple[list, list]:
    """app, reference, app, reference… `repeats` times each."""
    app_runs, reference_runs = [], []
    for _n in range(bench.repeats):
        app_runs.append(app_run())
        reference_runs.append(reference_run())
    return app_runs, reference_runs


# --- public pages ---------------------------------------------------------------------------------------------

def public_pages(bench: Bench) -> tuple[dict, dict]:
    """The territory home and a call's proposals, anonymous, against the small Jinja page."""
    pages = {"territory_home": f"/t/{SLUG}/", "call_proposals": f"/t/{SLUG}/proposals/calls/{bench.demo.call_id}/"}
    reference_path = f"/t/{SLUG}/"
    for server, path in [(bench.app, p) for p in pages.values()] + [(bench.reference, reference_path)]:
        run_wrk(server, path, seconds=2, work_dir=bench.work_dir)  # warm-up: templates compiled, pools filled
    figures, cpu, throughput = {}, [], []
    for name, path in pages.items():
        bench.log(f"public page {path}")
        app_runs, reference_runs = _alternate(
            bench, lambda: run_wrk(bench.app, path, seconds=bench.seconds, work_dir=bench.work_dir),
            lambda: run_wrk(bench.reference, reference_path, seconds=bench.seconds, work_dir=bench.work_dir))
        app, reference = _runs_summary(app_runs), _runs_summary(reference_runs)
        figures[name] = {"path": path, "app": app, "reference": reference,
                         "cpu_ratio": round(app["median_cpu_ms_per_request"] / reference["median_cpu_ms_per_request"], 2),
                         "throughput_ratio": round(app["median_throughput_rps"] / reference["median_throughput_rps"], 4)}
        cpu.append(figures[name]["cpu_ratio"])
        throughput.append(figures[name]["throughput_ratio"])
        # The same page made by its view at every request (a cookie other than the language's and the order's: no
        # kept page, consult/core/pagecache.py), for what a visitor with a session costs. Not a ratio of the issue.
        bench.log(f"public page {path}, made by its view")
        view = run_wrk(bench.app, path, seconds=bench.seconds, work_dir=bench.work_dir,
                       headers=("Cookie: bench=view",))
        figures[name]["made_by_view"] = {
            "run": view.as_dict(), "cpu_ms_per_request": round(view.cpu_ms_per_request, 3),
            "cpu_ratio": round(view.cpu_ms_per_request / reference["median_cpu_ms_per_request"], 2),
            "throughput_ratio": round(view.throughput / reference["median_throughput_rps"], 4)}
    # The worse of the two pages is the ratio reported.
    return figures, {"public_page_cpu": max(cpu), "public_page_throughput": min(throughput)}


# --- supporting a proposal ------------------------------------------------------------------------------------

def _logged_in(bench: Bench, email: str, page: str) -> tuple[str, str]:
    """(Cookie header, CSRF token) of `email` logged in over HTTP."""
    browser = client.Browser(bench.app.port)
    browser.login(email, BENCH_PASSWORD)
    token = browser.csrf_token(page)
    browser.close()
    return "; ".join(f"{k}={v}" for k, v in browser.cookies.items()), token


BENCH_USERS = "SELECT id FROM users WHERE email LIKE '%@banc-essai.example.org'"


def _forget_supports(bench: Bench) -> None:
    """Every run starts from the same state: the benchmark's accounts support nothing."""
    bench.sql(f"DELETE FROM proposal_supports WHERE user_id IN ({BENCH_USERS})")
    bench.sql(f"DELETE FROM proposal_call_participants WHERE user_id IN ({BENCH_USERS})")
    bench.sql("DELETE FROM bench_reference_supports")


def supports(bench: Bench) -> tuple[dict, dict]:
    """POST …/support by logged-in people (session cookie and CSRF token), each line a new (person, proposal)."""
    demo = bench.demo
    page = f"/t/{SLUG}/proposals/{demo.proposal_ids[0]}/"
    bench.log(f"logging in {len(demo.bench_emails)} accounts")
    with ThreadPoolExecutor(8) as pool:
        sessions = list(pool.map(lambda email: _logged_in(bench, email, page), demo.bench_emails))
    lines = bench.work_dir / "supports.tsv"
    with lines.open("w") as out:
        for proposal in demo.proposal_ids:
            for cookie, token in sessions:
                body = urllib.parse.urlencode({"csrf_token": token})
                out.write(f"/t/{SLUG}/proposals/{proposal}/support\t{cookie}\t{body}\n")
    reference_lines = bench.work_dir / "inserts.tsv"
    with reference_lines.open("w") as out:
        for n in range(200_000):
            out.write(f"/insert\t\tuser={n % 1000}&proposal={n // 1000}\n")
    pairs = len(demo.proposal_ids) * len(sessions)

    def app_run() -> LoadRun:
        _forget_supports(bench)
        run = run_wrk(bench.app, "/", seconds=bench.seconds, work_dir=bench.work_dir, lua="posts.lua",
                      args=(str(lines), "2"))
        stored = bench.sql(f"SELECT count(*) FROM proposal_supports WHERE user_id IN ({BENCH_USERS})")
        run.stored = stored
        return run

    def reference_run() -> LoadRun:
        _forget_supports(bench)
        run = run_wrk(bench.reference, "/insert", seconds=bench.seconds, work_dir=bench.work_dir, lua="posts.lua",
                      args=(str(reference_lines), "2"))
        run.stored = bench.sql("SELECT count(*) FROM bench_reference_supports")
        return run

    bench.log("warm-up")
    run_wrk(bench.app, "/", seconds=2, work_dir=bench.work_dir, lua="posts.lua", args=(str(lines), "2"))
    run_wrk(bench.reference, "/insert", seconds=2, work_dir=bench.work_dir, lua="posts.lua",
            args=(str(reference_lines), "2"))
    bench.log("supports")
    app_runs, reference_runs = _alternate(bench, app_run, reference_run)
    _forget_supports(bench)
    app, reference = _runs_summary(app_runs), _runs_summary(reference_runs)
    app["stored_supports"] = [run.stored for run in app_runs]
    app["distinct_pairs_available"] = pairs
    reference["stored_rows"] = [run.stored for run in reference_runs]
    figures = {"app": app, "reference": reference}
    return figures, {
        "support_throughput": round(app["median_throughput_rps"] / reference["median_throughput_rps"], 4),
        "support_cpu": round(app["median_cpu_ms_per_request"] / reference["median_cpu_ms_per_request"], 2),
        "support_p99": round(app["median_p99_ms"] / reference["median_p99_ms"], 2),
    }


# --- a whole survey submission --------------------------------------------------------------------------------

def submissions(bench: Bench, concurrency: int = 4) -> tuple[dict, dict]:
    """Whole submissions of the 27-question survey (every request of it), CPU per submission ÷ CPU of one
    reference insert (wrk on the reference's unique insert, alternating)."""
    base = f"/t/{SLUG}/surveys/{bench.demo.survey_id}"
    reference_lines = bench.work_dir / "inserts.tsv"
    counter = iter(range(10**9))
    lock = threading.Lock()

    def people(deadline: float) -> tuple[int, int]:
        done = requests = 0
        while time.monotonic() < deadline:
            with lock:
                variant = next(counter)
            browser = client.Browser(bench.app.port)
            requests += client.respond(browser, base, variant)
            browser.close()
            done += 1
        return done, requests

    def app_run() -> dict:
        before = bench.app.cpu_seconds()
        started = time.monotonic()
        with ThreadPoolExecutor(concurrency) as pool:
            results = list(pool.map(people, [started + bench.seconds] * concurrency))
        elapsed = time.monotonic() - started
        cpu = bench.app.cpu_seconds() - before
        done, requests = sum(r[0] for r in results), sum(r[1] for r in results)
        return {"submissions": done, "requests": requests, "seconds": round(elapsed, 2),
                "cpu_ms_per_submission": round(1000 * cpu / done, 2), "requests_per_submission": requests / done}

    def reference_run() -> LoadRun:
        bench.sql("DELETE FROM bench_reference_supports")
        return run_wrk(bench.reference, "/insert", seconds=bench.seconds, work_dir=bench.work_dir, lua="posts.lua",
                       args=(str(reference_lines), "2"))

    bench.log("warm-up")
    people(time.monotonic() + 1)
    bench.log("survey submissions")
    app_runs, reference_runs = _alternate(bench, app_run, reference_run)
    bench.sql("DELETE FROM bench_reference_supports")
    app_cpu = median([run["cpu_ms_per_submission"] for run in app_runs])
    reference = _runs_summary(reference_runs)
    figures = {"app": {"runs": app_runs, "median_cpu_ms_per_submission": app_cpu,
                       "requests_per_submission": app_runs[0]["requests_per_submission"], "concurrency": concurrency},
               "reference_insert": reference}
    return figures, {"survey_submission_cpu": round(app_cpu / reference["median_cpu_ms_per_request"], 1)}


# --- one heavy request at a time: results and exports -----------------------------------------------------------

def _one_request(server: Server, browser: client.Browser | None, path: str, limit: float = HEAVY_TIMEOUT_S) -> dict:
    """One request alone on the server: wall time, time to the first byte, its CPU time and a worker's peak."""
    browser = browser or client.Browser(server.port)
    server.reset_peaks()
    before = server.cpu_seconds()
    measured = client.timed_download(browser, path, limit=limit)
    measured["cpu_s"] = round(server.cpu_seconds() - before, 2)
    measured["peak_mb"] = round(server.peak_mb(), 1)
    measured["seconds"] = round(measured["seconds"], 3)
    measured["first_byte_s"] = round(measured["first_byte_s"], 3)
    if server.name == "reference" and measured["status"] != 200:
        raise RuntimeError(f"the reference answered {measured['status']} to {path} (see {server.log})")
    if measured["status"] == "timeout":
        server.restart_workers("/healthz")  # the abandoned request would otherwise run on beside the next ones
    return measured


def _ratio(app_runs: list[dict], app_time: float, reference_time: float) -> float | None:
    """App ÷ reference time (a lower bound when a run timed out); None when the application answered an error
    (its figures say which)."""
    if any(run["status"] not in (200, "timeout") for run in app_runs):
        return None
    return round(app_time / reference_time, 3)


def _repeated(bench: Bench, measure_app, measure_reference, first: dict) -> tuple[list, list]:
    """Application and reference runs alternating, `repeats` of each, after `first`, the first request once the
    data arrived, which stays apart (a cold start: stored tallies may be brought up to date there). When the
    next run too takes over HEAVY_REPEAT_LIMIT_S, it is the only one."""
    app_runs, reference_runs = [], []
    for _n in range(bench.repeats):
        app_runs.append(measure_app())
        reference_runs.append(measure_reference())
        if app_runs[0]["seconds"] >= HEAVY_REPEAT_LIMIT_S:
            break
    return app_runs, reference_runs


def coordinator(bench: Bench) -> client.Browser:
    """The demo territory's coordinator, logged in."""
    browser = client.Browser(bench.app.port)
    browser.login(*COORDINATOR)
    return browser


def results_pages(bench: Bench, responses: int) -> tuple[dict, dict]:
    """The coordinator's results pages (staff results, preview of the public report) against the raw GROUP BY."""
    survey = bench.demo.survey_id
    pages = {"manage_results": f"/t/{SLUG}/manage/surveys/{survey}/results",
             "results_preview": f"/t/{SLUG}/surveys/{survey}/results/preview"}
    reference_path = f"/surveys/{survey}/group-by"
    browser = coordinator(bench)
    figures, times, peaks = {"responses": responses}, [], []
    for name, path in pages.items():
        bench.log(f"results page {path} ({responses} responses)")
        bench.app.restart_workers("/healthz")
        first = _one_request(bench.app, browser, path, FIRST_RESULTS_TIMEOUT_S)  # the first once the data arrived
        app_runs, reference_runs = _repeated(bench, lambda: _one_request(bench.app, browser, path),
                                             lambda: _one_request(bench.reference, None, reference_path), first)
        app_time, reference_time = median([r["seconds"] for r in app_runs]), median([r["seconds"] for r in reference_runs])
        peak = max(r["peak_mb"] for r in [first, *app_runs])
        figures[name] = {"path": path, "first_request": first, "app": app_runs, "reference": reference_runs,
                         "median_s": app_time, "reference_median_s": reference_time,
                         "time_ratio": _ratio([first, *app_runs], app_time, reference_time), "peak_mb": peak,
                         "reference_peak_mb": max(r["peak_mb"] for r in reference_runs)}
        times.append(figures[name]["time_ratio"])
        peaks.append(peak)
    # The worse of the two pages is the ratio reported.
    return figures, {"results_page_time_100k": None if None in times else max(times),
                     "results_page_peak_mb_100k": max(peaks)}


EXPORTS = {"csv": "responses.csv", "xlsx": "responses.xlsx", "ods": "responses.ods"}


def exports(bench: Bench, responses: int, *, timed: bool) -> dict:
    """Raw CSV / XLSX / ODS exports against the driver + csv.writer export, one format after the other in fresh
    workers, each run followed by a reference run; `timed=False` makes one run of each (for the peak memory at
    the smaller volume)."""
    survey = bench.demo.survey_id
    reference_path = f"/surveys/{survey}/answers.csv"
    browser = coordinator(bench)
    repeats = bench.repeats if timed else 1
    figures: dict = {"responses": responses}
    reference_runs: list[dict] = []
    for fmt, name in EXPORTS.items():
        bench.log(f"{fmt} export at {responses} responses")
        bench.app.restart_workers("/healthz")
        runs: list[dict] = []
        for _n in range(repeats):
            runs.append(_one_request(bench.app, browser, f"/t/{SLUG}/manage/surveys/{survey}/export/{name}"))
            if len(reference_runs) < repeats:
                reference_runs.append(_one_request(bench.reference, None, reference_path))
            if runs[0]["seconds"] >= HEAVY_REPEAT_LIMIT_S:
                break
        figures[fmt] = {"runs": runs, "median_s": median([r["seconds"] for r in runs]),
                        "median_first_byte_s": median([r["first_byte_s"] for r in runs]),
                        "peak_mb": max(r["peak_mb"] for r in runs), "statuses": sorted({str(r["status"]) for r in runs})}
    reference_time = median([r["seconds"] for r in reference_runs])
    figures["reference"] = {"runs": reference_runs, "median_s": reference_time,
                            "peak_mb": max(r["peak_mb"] for r in reference_runs)}
    for fmt in EXPORTS:
        figures[fmt]["time_ratio"] = _ratio(figures[fmt]["runs"], figures[fmt]["median_s"], reference_time)
    return figures
