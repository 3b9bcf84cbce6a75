"""Compiled templates kept on disk (TEMPLATE_CACHE_DIR): `flask compile-templates` fills the folder at deployment,
and a worker started afterwards renders pages from that bytecode without compiling any template."""
from __future__ import annotations

import jinja2

from consult import create_app
from consult.extensions import db
from tests.conftest import make_config


def test_a_worker_renders_from_the_compiled_templates_without_compiling_any(tmp_path, monkeypatch):
    folder, database = tmp_path / "template-cache", f"sqlite:///{tmp_path / 'db.sqlite3'}"
    deployed = create_app(make_config(TEMPLATE_CACHE_DIR=str(folder), SQLALCHEMY_DATABASE_URI=database))
    with deployed.app_context():
        db.create_all()
    result = deployed.test_cli_runner().invoke(args=["compile-templates"])
    assert result.exit_code == 0, result.output
    assert len(list(folder.iterdir())) == len(deployed.jinja_env.list_templates())

    worker = create_app(make_config(TEMPLATE_CACHE_DIR=str(folder), SQLALCHEMY_DATABASE_URI=database))
    compiled = []
    compile_ = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile", lambda self, *a, **k: compiled.append(a) or compile_(self, *a, **k))
    response = worker.test_client().get("/account/login")

    assert response.status_code == 200 and b'name="password"' in response.data
    assert compiled == []


def test_a_template_edited_after_compiling_is_compiled_again(tmp_path):
    folder = tmp_path / "template-cache"
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.html").write_text("before")
    app = create_app(make_config(TEMPLATE_CACHE_DIR=str(folder)))
    app.jinja_env.loader = jinja2.FileSystemLoader(templates)
    assert app.jinja_env.get_template("page.html").render() == "before"

    (templates / "page.html").write_text("after")
    again = create_app(make_config(TEMPLATE_CACHE_DIR=str(folder)))
    again.jinja_env.loader = jinja2.FileSystemLoader(templates)

    assert again.jinja_env.get_template("page.html").render() == "after"


def test_without_a_folder_each_process_compiles_and_the_command_says_why_it_cannot(tmp_path):
    app = create_app(make_config(TEMPLATE_CACHE_DIR=""))

    result = app.test_cli_runner().invoke(args=["compile-templates"])

    assert app.jinja_env.bytecode_cache is None
    assert result.exit_code != 0 and "TEMPLATE_CACHE_DIR" in result.output
