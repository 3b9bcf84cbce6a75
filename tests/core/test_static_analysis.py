"""Static analysis and the supply chain: bandit finds nothing at medium severity and confidence or above in
consult/ (and config.py, wsgi.py, the migrations), each `# nosec` names its check and says why, and
requirements.lock pins every dependency of pyproject.toml (test extra included) with hashes, at the versions this
suite runs with."""
from __future__ import annotations

import json
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[2]
NOSEC = re.compile(r"#\s*nosec\b(?P<rest>.*)$")
CHECK_ID = re.compile(r"^:?\s*(B\d{3})(\s*,\s*B\d{3})*\b")


def _locked() -> dict[str, tuple[Requirement, list[str]]]:
    """Each requirement of the lock file (name → requirement with its marker, hashes)."""
    entries: dict[str, tuple[Requirement, list[str]]] = {}
    current = None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        if text.startswith("--hash="):
            entries[current][1].append(text.removeprefix("--hash=").rstrip(" \\"))
            continue
        requirement = Requirement(text.rstrip(" \\"))
        current = canonicalize_name(requirement.name)
        entries[current] = (requirement, [])
    return entries


def test_bandit_finds_nothing_at_medium_severity_and_confidence():
    run = subprocess.run(
        [sys.executable, "-m", "bandit", "--recursive", "consult", "config.py", "wsgi.py", "migrations",
         "--severity-level", "medium", "--confidence-level", "medium", "--format", "json", "--quiet"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)
    report = json.loads(run.stdout)

    findings = [f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}" for r in report["results"]]
    assert findings == [], "\n".join(findings)
    assert report["errors"] == []
    assert run.returncode == 0, run.stderr


def test_every_nosec_names_its_check_and_says_why():
    unjustified = []
    for path in sorted([*(ROOT / "consult").rglob("*.py"), *(ROOT / "migrations").rglob("*.py"),
                        ROOT / "config.py", ROOT / "wsgi.py"]):
        lines = path.read_text().splitlines()
        for number, line in enumerate(lines, start=1):
            found = NOSEC.search(line)
            if not found:
                continue
            rest = found["rest"]
            named = CHECK_ID.match(rest.strip())
            reason = rest.partition("#")[2].strip() if named else ""
            above = lines[number - 2].strip() if number > 1 else ""
            if not named or not (reason or above.startswith("#")):
                unjustified.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert unjustified == [], "each # nosec names a check (B704) and gives its reason:\n" + "\n".join(unjustified)


def test_the_lock_pins_every_dependency_with_hashes_at_the_versions_installed():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = [Requirement(text) for text in project["dependencies"] + project["optional-dependencies"]["test"]]
    locked = _locked()

    for requirement in declared:
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{requirement.name} is missing from requirements.lock: run `make lock`"
        pin = next(iter(locked[name][0].specifier))
        assert pin.operator == "==" and requirement.specifier.contains(pin.version), (
            f"requirements.lock pins {name} {pin}, pyproject.toml asks {requirement.specifier}: run `make lock`")
    for name, (requirement, hashes) in locked.items():
        assert hashes and all(h.startswith("sha256:") and len(h) == 71 for h in hashes), name
        if requirement.marker is None or requirement.marker.evaluate():
            # The suite runs on what the lock installs (`make setup`), so the lock is what was tested.
            assert metadata.version(name) == next(iter(requirement.specifier)).version, name
