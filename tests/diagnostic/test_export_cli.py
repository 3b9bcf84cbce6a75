"""`flask export diagnostic|action-plan`: each format goes to its file kind, the file is written synchronously with
its progress on stderr, and a wrong territory, format or build ends with a clear message, no traceback and
no file. (The real builders are replaced by the test-only one: they have their own tests.)"""
from __future__ import annotations

import pytest

from consult.diagnostic.kinds import KINDS, FileKind
from tests.diagnostic.conftest_jobs import BROKEN, SAMPLE, STEPS


def only_built_by_sample(monkeypatch, key: str) -> None:
    """Every real kind (its key, formats and audience kept) fails to build, except `key`, built by the test-only
    builder: a file written proves the command chose `key`."""
    for other, kind in list(KINDS.items()):
        builder = SAMPLE if other == key else BROKEN
        monkeypatch.setitem(KINDS, other, FileKind(other, kind.label, {fmt: builder for fmt in kind.formats},
                                                   records=kind.records))


@pytest.mark.parametrize(("fmt", "kind"), [("xlsx", "workbook"), ("ods", "workbook"), ("json", "datapackage"),
                                           ("csv", "datapackage"), ("odt", "report")])
def test_diagnostic_format_chooses_the_file(runner, territory, monkeypatch, tmp_path, fmt, kind):
    only_built_by_sample(monkeypatch, kind)
    output = tmp_path / f"diagnostic.{fmt}"
    result = runner.invoke(args=["export", "diagnostic", territory.slug, "--format", fmt, "--output", str(output),
                                 "--variant", "pseudonymised", "--lang", "en"])
    assert result.exit_code == 0, result.output
    content = output.read_bytes()
    assert content.startswith(f"1: Terres des Confluences — {fmt}\n".encode())
    assert b"locale=en; Files and reports;" in content
    options = b"options: texts=0, variant=pseudonymised\n" if kind == "datapackage" else b"options: \n"
    assert content.endswith(options)
    assert result.stderr.splitlines() == [f"{kind} {fmt}: {step * 100 // STEPS} % ({step}/{STEPS})"
                                          for step in range(STEPS + 1)]
    assert result.stdout == f"{output} written ({len(content)} bytes)\n"
    assert [p.name for p in tmp_path.iterdir()] == [output.name]  # no temporary file left


def test_action_plan_in_french_by_default(runner, territory, monkeypatch, tmp_path):
    only_built_by_sample(monkeypatch, "action-plan")
    output = tmp_path / "plan.ods"
    result = runner.invoke(args=["export", "action-plan", territory.slug, "--format", "ods", "-o", str(output)])
    assert result.exit_code == 0, result.output
    assert b"locale=fr; Fichiers et rapports; options: \n" in output.read_bytes()
    assert "action-plan ods: 100 % (4/4)" in result.stderr


def test_unknown_territory_or_format_is_a_clear_error(runner, territory, tmp_path):
    output = tmp_path / "x.ods"
    unknown = runner.invoke(args=["export", "diagnostic", "nulle-part", "--format", "ods", "--output", str(output)])
    assert unknown.exit_code == 1 and "no territory has the address 'nulle-part'" in unknown.output
    wrong = runner.invoke(args=["export", "diagnostic", territory.slug, "--format", "docx", "--output", str(output)])
    assert wrong.exit_code == 2 and "Invalid value for '--format'" in wrong.output
    plan = runner.invoke(args=["export", "action-plan", territory.slug, "--format", "zip", "--output", str(output)])
    assert plan.exit_code == 2 and "Invalid value for '--format'" in plan.output
    assert all("Traceback" not in r.output for r in (unknown, wrong, plan)) and list(tmp_path.iterdir()) == []


def test_failed_build_leaves_no_file(runner, territory, monkeypatch, tmp_path):
    only_built_by_sample(monkeypatch, "workbook")  # the report fails
    output = tmp_path / "rapport.pdf"
    result = runner.invoke(args=["export", "diagnostic", territory.slug, "--format", "pdf", "--output", str(output)])
    assert result.exit_code == 1 and "the file could not be built (RuntimeError, see above)" in result.stderr
    assert list(tmp_path.iterdir()) == []
