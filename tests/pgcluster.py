"""Run a command against a throwaway PostgreSQL cluster.

    python -m tests.pgcluster -- CMD ARGS…

Creates a cluster in a temporary directory (initdb, as the `postgres` OS user when run as root,
since the server refuses to run as root), starts it on 127.0.0.1 with a free port and its unix
socket inside the temporary directory, creates the database `consult_test`, then runs CMD with

    TEST_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:PORT/consult_test

The cluster is stopped and its directory deleted afterwards, even when CMD fails or on Ctrl-C /
SIGTERM. The exit status is CMD's. The server is installed with apt-get when no
/usr/lib/postgresql/*/bin/initdb exists; PG_BINDIR overrides the binaries' directory.
"""
from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

DATABASE = "consult_test"
SUPERUSER = "postgres"
OS_USER = "postgres"

# Settings for a disposable cluster: durability is useless, speed and a little headroom matter.
SERVER_SETTINGS = {
    "listen_addresses": "127.0.0.1",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
    "shared_buffers": "64MB",
    "log_min_messages": "warning",
    "log_min_error_statement": "panic",
}


def log(message: str) -> None:
    print(f"[pgcluster] {message}", file=sys.stderr, flush=True)


def _version_key(path: str) -> tuple[int, ...]:
    name = Path(path).parent.parent.name  # /usr/lib/postgresql/<version>/bin/initdb
    return tuple(int(part) for part in re.findall(r"\d+", name)) or (0,)


def find_bindir() -> Path:
    """The newest /usr/lib/postgresql/<version>/bin, installing the server if there is none."""
    if os.environ.get("PG_BINDIR"):
        return Path(os.environ["PG_BINDIR"])
    candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not candidates:
        if os.geteuid() != 0:
            sys.exit("[pgcluster] PostgreSQL server binaries not found and not root: "
                     "install them with `apt-get install -y postgresql` or set PG_BINDIR.")
        log("PostgreSQL server not found; installing it with apt-get…")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "postgresql"], check=True, env=env,
                       stdout=subprocess.DEVNULL)
        candidates = glob.glob("/usr/lib/postgresql/*/bin/initdb")
        if not candidates:
            sys.exit("[pgcluster] apt-get installed postgresql but no initdb was found.")
    return Path(max(candidates, key=_version_key)).parent


def ensure_os_user() -> pwd.struct_passwd | None:
    """The account the server runs as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    try:
        return pwd.getpwnam(OS_USER)
    except KeyError:
        log(f"creating the system user {OS_USER!r}")
        subprocess.run(["useradd", "--system", "--user-group", "--no-create-home",
                        "--home-dir", "/nonexistent", "--shell", "/usr/sbin/nologin", OS_USER], check=True)
        return pwd.getpwnam(OS_USER)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    def __init__(self) -> None:
        self.bindir = find_bindir()
        self.user = ensure_os_user()
        self.root = Path(tempfile.mkdtemp(prefix="consult-pg-"))
        self.root.chmod(0o700)
        self.data = self.root / "data"
        self.sockets = self.root / "sockets"
        self.logfile = self.root / "server.log"
        self.port: int | None = None
        self.started = False

    # Commands of the server side run as the postgres user (root: via setuid in the child).
    def _as_server(self, args: list[str], **kwargs) -> subprocess.CompletedProcess:
        options: dict = {"cwd": self.root, "check": True}
        if self.user is not None:
            options.update(user=self.user.pw_uid, group=self.user.pw_gid, extra_groups=[])
            options["env"] = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C",
                              "HOME": str(self.root), "USER": OS_USER, "LOGNAME": OS_USER}
        else:
            options["env"] = {**os.environ, "LC_ALL": "C"}
        options.update(kwargs)
        return subprocess.run([str(self.bindir / args[0]), *args[1:]], **options)

    def start(self) -> None:
        if self.user is not None:
            os.chown(self.root, self.user.pw_uid, self.user.pw_gid)
        self._as_server(["initdb", "--pgdata", str(self.data), "--username", SUPERUSER,
                         "--auth", "trust", "--encoding", "UTF8", "--locale", "C", "--no-sync"],
                        stdout=subprocess.DEVNULL)
        self.sockets.mkdir()
        if self.user is not None:
            os.chown(self.sockets, self.user.pw_uid, self.user.pw_gid)
        for attempt in range(5):
            self.port = free_port()
            settings = {**SERVER_SETTINGS, "port": str(self.port), "unix_socket_directories": str(self.sockets)}
            options = " ".join(f"-c {key}={value}" for key, value in settings.items())
            result = self._as_server(["pg_ctl", "--pgdata", str(self.data), "--log", str(self.logfile),
                                      "--wait", "--timeout", "60", "--options", options, "start"],
                                     stdout=subprocess.DEVNULL, check=False)
            if result.returncode == 0:
                self.started = True
                break
            log(f"the server did not start on port {self.port} (attempt {attempt + 1}); retrying")
        else:
            self._dump_log()
            raise RuntimeError("PostgreSQL did not start")
        subprocess.run([str(self.bindir / "createdb"), "--host", "127.0.0.1", "--port", str(self.port),
                        "--username", SUPERUSER, DATABASE], check=True,
                       env={**os.environ, "PGCONNECT_TIMEOUT": "10"})
        log(f"PostgreSQL {self.bindir.parent.name} on 127.0.0.1:{self.port} (data in {self.root})")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"

    def _dump_log(self) -> None:
        try:
            sys.stderr.write(self.logfile.read_text(errors="replace")[-4000:])
        except OSError:
            pass

    def stop(self) -> None:
        try:
            if self.started:
                for mode in ("fast", "immediate"):
                    result = self._as_server(["pg_ctl", "--pgdata", str(self.data), "--mode", mode,
                                              "--wait", "--timeout", "30", "stop"],
                                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
                    if result.returncode == 0:
                        break
                else:
                    log("the server did not stop; killing it")
                    self._kill_postmaster()
                self.started = False
        finally:
            shutil.rmtree(self.root, ignore_errors=True)

    def _kill_postmaster(self) -> None:
        try:
            pid = int((self.data / "postmaster.pid").read_text().split()[0])
            os.kill(pid, signal.SIGKILL)
        except (OSError, ValueError, IndexError):
            pass


class _Terminated(Exception):
    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def run(command: list[str], env: dict[str, str]) -> int:
    """Run CMD; forward SIGTERM/SIGHUP to it, let Ctrl-C reach it (same process group) and wait."""
    child = subprocess.Popen(command, env=env)

    def forward(signum, _frame):
        if child.poll() is None:
            child.send_signal(signum)

    previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        interrupts = 0
        while True:
            try:
                code = child.wait()
                break
            except KeyboardInterrupt:
                # The terminal sent SIGINT to the whole group, CMD included: give it time to finish.
                interrupts += 1
                if interrupts >= 3:
                    child.kill()
                else:
                    try:
                        code = child.wait(timeout=15)
                        break
                    except subprocess.TimeoutExpired:
                        child.terminate()
                    except KeyboardInterrupt:
                        interrupts += 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 128 + -code if code < 0 else code  # killed by a signal: the shell's convention


def main(argv: list[str]) -> int:
    if argv and argv[0] == "--":
        argv = argv[1:]
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    cluster = None

    def terminate(signum, _frame):
        raise _Terminated(signum)

    previous = {sig: signal.signal(sig, terminate) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        cluster = Cluster()
        cluster.start()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        return run(argv, {**os.environ, "TEST_DATABASE_URL": cluster.url})
    except _Terminated as stop:
        return 128 + stop.signum
    except KeyboardInterrupt:
        return 130
    finally:
        if cluster is not None:
            # A second Ctrl-C or SIGTERM must not leave a running server or its directory behind.
            for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
                signal.signal(sig, signal.SIG_IGN)
            cluster.stop()
            log("cluster stopped and removed")


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
