"""Gunicorn servers on loopback and what /proc says about them: CPU time and a worker's peak memory.

Every server, the application's and the references', runs with the same settings (gthread, 2 workers ×
4 threads, the app preloaded in the master as the README deploys Consult), so the figures compare the work, not
the server.
"""
from __future__ import annotations

import http.client
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

WORKERS = 2
THREADS = 4
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BIN = Path(sys.executable).parent


def free_port() -> int:
    """A loopback port nothing listens on (the OS picked it, then it was closed)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _cpu_seconds(pid: int) -> float:
    """utime + stime of one process (all its threads), in seconds; 0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # fields 14 and 15 of proc(5), after "pid (comm)"


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return found


class Server:
    """One gunicorn (preloaded, gthread, 2 workers × 4 threads) serving `app` ("module:variable") from `chdir`."""

    def __init__(self, name: str, app: str, *, chdir: Path, env: dict, log_dir: Path, timeout: int = 300):
        self.name, self.port = name, free_port()
        self.log = log_dir / f"gunicorn-{name}.log"
        command = [str(BIN / "gunicorn"), "--preload", "--worker-class", "gthread", "--workers", str(WORKERS),
                   "--threads", str(THREADS), "--bind", f"127.0.0.1:{self.port}", "--chdir", str(chdir),
                   "--timeout", str(timeout), "--graceful-timeout", "5", "--error-logfile", str(self.log), "--log-level", "warning", app]
        self.process = subprocess.Popen(command, env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                        stderr=subprocess.STDOUT, start_new_session=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str = "/", timeout: float = 60) -> None:
        """Wait until both workers answer."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name}: gunicorn exited ({self.log}):\n{self.log.read_text()[-3000:]}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                connection.request("GET", path)
                connection.getresponse().read()
                connection.close()
                if len(self.workers()) == WORKERS:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name}: not ready after {timeout} s ({self.log})")

    def restart_workers(self, path: str = "/", timeout: float = 60) -> None:
        """New workers: a worker's resident memory never shrinks back, so each heavy request is measured in workers
        that served nothing heavy yet. SIGHUP makes gunicorn start fresh ones; an old one still busy after 5 s
        (an abandoned request runs on until it ends, its thread holding the process) is killed."""
        old = set(self.workers())
        os.kill(self.process.pid, signal.SIGHUP)
        deadline = time.monotonic() + 5
        while set(self.workers()) & old and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in set(self.workers()) & old:
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = set(self.workers())
            if len(current) == WORKERS and not current & old:
                break
            time.sleep(0.2)
        else:
            raise RuntimeError(f"{self.name}: workers not replaced after {timeout} s")
        self.wait_ready(path, timeout)

    def workers(self) -> list[int]:
        return _children(self.process.pid)

    def cpu_seconds(self) -> float:
        """CPU time used so far by the master and its workers."""
        return sum(_cpu_seconds(pid) for pid in [self.process.pid, *self.workers()])

    def reset_peaks(self) -> None:
        """Forget each worker's peak resident memory (VmHWM), so the next reading is this work's peak."""
        for pid in self.workers():
            Path(f"/proc/{pid}/clear_refs").write_text("5")

    def peak_mb(self) -> float:
        """The largest VmHWM among the workers since the last reset, in MB (10^6 bytes)."""
        peaks = []
        for pid in self.workers():
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    peaks.append(int(line.split()[1]) * 1024 / 1e6)
        return max(peaks)

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
