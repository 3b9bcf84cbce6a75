"""gunicorn --preload (README): `import wsgi` runs once in the master and every worker is a fork of it. What that
needs of the app: starting it opens no database connection, and a connection pooled before a fork is never handed
to the child (two processes on one socket or one SQLite handle), while the parent keeps using its own."""
from __future__ import annotations

import json

from tests.core.test_imports import ROOT, started

FORK_PROBE = """
import json, os
import wsgi
from sqlalchemy import text
from consult.extensions import db

with wsgi.app.app_context():
    engine = db.engine
    at_start = engine.pool.checkedin() + engine.pool.checkedout()
    db.session.execute(text("SELECT 1"))
    db.session.remove()
    pooled_in_parent = engine.pool.checkedin()
read, write = os.pipe()
child = os.fork()
if child == 0:
    os.close(read)
    with wsgi.app.app_context():
        pooled_in_child = db.engine.pool.checkedin()
        value = db.session.execute(text("SELECT 2")).scalar()
        db.session.remove()
    os.write(write, json.dumps({"pooled": pooled_in_child, "value": value}).encode())
    os._exit(0)
os.close(write)
in_child = json.loads(os.read(read, 1000))
os.waitpid(child, 0)
with wsgi.app.app_context():
    value = db.session.execute(text("SELECT 3")).scalar()
    db.session.remove()
    still_pooled = db.engine.pool.checkedin()
print(json.dumps({"at_start": at_start, "pooled_in_parent": pooled_in_parent, "child": in_child,
                  "parent_value": value, "parent_pooled_after": still_pooled}))
"""


def test_starting_the_app_opens_no_database_connection_and_a_forked_worker_opens_its_own(tmp_path):
    assert ROOT.joinpath("wsgi.py").exists()
    probe = started(tmp_path, probe=FORK_PROBE)
    assert probe["at_start"] == 0  # the master forks with an empty pool
    assert probe["pooled_in_parent"] == 1
    assert probe["child"] == {"pooled": 0, "value": 2}  # the parent's pooled connection is not the child's
    assert probe["parent_value"] == 3 and probe["parent_pooled_after"] == 1  # and still the parent's, open


def test_the_documented_and_benchmarked_gunicorn_commands_preload_the_app():
    readme = (ROOT / "README.md").read_text()
    deployment = (ROOT / "docs" / "deployment.md").read_text()
    commands = [line for text in (readme, deployment) for line in text.splitlines()
                if "bin/gunicorn " in line and "wsgi:app" in line or line.strip().startswith(".venv/bin/gunicorn")]
    assert commands and all("--preload" in line for line in commands), json.dumps(commands, indent=1)
    servers = (ROOT / "bench" / "harness" / "servers.py").read_text()
    assert '"--preload"' in servers
