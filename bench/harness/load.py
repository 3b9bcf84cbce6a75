"""wrk runs (16 connections, bounded in time) with the server's CPU time measured around them.

Each run gets a Lua script: the work's own `request` function (bench/wrk/*.lua) when it posts, and
`done`, which prints wrk's exact summary as one JSON line (requests, errors, latency percentiles in µs),
so nothing is parsed from wrk's human-readable report.
"""
from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from bench.harness.servers import Server

CONNECTIONS = 16
THREADS = 2
LUA_DIR = Path(__file__).resolve().parent.parent / "wrk"

DONE = """
done = function(summary, latency, requests)
  io.write(string.format(
    '\\nBENCH-JSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, "status": %d, '
    .. '"timeout": %d, "p50_us": %d, "p99_us": %d, "mean_us": %f}\\n',
    summary.requests, summary.duration, summary.errors.connect, summary.errors.read, summary.errors.write,
    summary.errors.status, summary.errors.timeout, latency:percentile(50), latency:percentile(99), latency.mean))
end
"""


@dataclass
class LoadRun:
    """One wrk run against one server: its counts, latencies and the server's CPU time meanwhile."""

    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p99_ms: float
    cpu_seconds: float

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds

    @property
    def cpu_ms_per_request(self) -> float:
        return 1000 * self.cpu_seconds / max(self.requests, 1)

    def as_dict(self) -> dict:
        return {"requests": self.requests, "seconds": round(self.seconds, 2), "errors": self.errors,
                "throughput_rps": round(self.throughput, 1), "p50_ms": round(self.p50_ms, 2),
                "p99_ms": round(self.p99_ms, 2), "cpu_ms_per_request": round(self.cpu_ms_per_request, 3)}


def require_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise SystemExit("wrk is not installed: `make bench` installs Debian's wrk with apt-get.")
    return found


def run_wrk(server: Server, path: str, *, seconds: float, work_dir: Path, lua: str | None = None,
            args: tuple[str, ...] = (), headers: tuple[str, ...] = ()) -> LoadRun:
    """Drive `server` at `path` for `seconds` with 16 connections; `lua` names a script in bench/wrk/; `headers`
    ("Name: value") go with every request."""
    script = work_dir / f"wrk-{lua or 'get'}"
    script.write_text(((LUA_DIR / lua).read_text() if lua else "") + DONE)
    command = [require_wrk(), "--threads", str(THREADS), "--connections", str(CONNECTIONS),
               "--duration", f"{max(1, round(seconds))}s", "--timeout", "60s", "--latency",
               "--script", str(script), server.base + path]
    for header in headers:
        command[1:1] = ["--header", header]
    if args:
        command += ["--", *args]
    before = server.cpu_seconds()
    completed = subprocess.run(command, capture_output=True, text=True, check=False)
    cpu = server.cpu_seconds() - before
    line = next((row for row in completed.stdout.splitlines() if row.startswith("BENCH-JSON ")), None)
    if completed.returncode != 0 or line is None:
        raise RuntimeError(f"wrk failed on {server.name} {path}:\n{completed.stdout}\n{completed.stderr}")
    summary = json.loads(line.removeprefix("BENCH-JSON "))
    errors = sum(summary[key] for key in ("connect", "read", "write", "status", "timeout"))
    return LoadRun(requests=summary["requests"], seconds=summary["duration_us"] / 1e6, errors=errors,
                   p50_ms=summary["p50_us"] / 1000, p99_ms=summary["p99_us"] / 1000, cpu_seconds=cpu)
