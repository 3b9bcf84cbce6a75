"""The benchmark's database: migrated and seeded by the app's own commands, then grown to the volumes measured.

Everything runs in a throwaway database (a SQLite file in the run's folder, or the database of a throwaway
PostgreSQL cluster): the demo (`flask seed-demo`), then the survey's responses grown with `flask seed-volume`
(with proposals, supports, comments, accounts and meetings the first time) when the app has that command, else
by copying the demo's responses in SQL (same answers, new responses).
The benchmark's own accounts (people who support proposals) are added here with a cheap password hash so
that logging them in costs little; the demo call's support limit is lifted so that each of them may support
every proposal.
"""
from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from werkzeug.security import generate_password_hash

from bench.reference.app import SUPPORTS_DDL

ROOT = Path(__file__).resolve().parent.parent.parent
FLASK = Path(sys.executable).parent / "flask"
SLUG = "terres-des-confluences"
COORDINATOR = ("coordination.confluences@example.org", "demo-coord-consult")
BENCH_PASSWORD = "banc-d-essai-consult"


@dataclass
class Demo:
    """What the works need to know of the seeded data."""

    survey_id: int
    call_id: int
    proposal_ids: list[int]
    bench_emails: list[str]


def app_env(url: str, work_dir: Path) -> dict:
    """The environment the app runs in: production settings on the benchmark's database and folders."""
    return {"CONSULT_ENV": "production", "DATABASE_URL": url, "SECRET_KEY": "bench-secret-key-not-for-production",
            "HUEY_SQLITE_PATH": str(work_dir / "huey.sqlite3"), "EXPORT_DIR": str(work_dir / "exports"),
            "TEMPLATE_CACHE_DIR": str(work_dir / "template-cache"),
            "MAIL_BACKEND": "memory", "PYTHONDONTWRITEBYTECODE": ""}


def flask(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([str(FLASK), "--app", "wsgi", *args], cwd=ROOT, env={**os.environ, **env},
                          capture_output=True, text=True, check=check)


def has_seed_volume(env: dict) -> bool:
    return flask(env, "seed-volume", "--help", check=False).returncode == 0


def engine_url(url: str) -> str:
    return "postgresql+psycopg://" + url.split("://", 1)[1] if url.startswith("postgresql") else url


def migrate_and_seed(env: dict) -> None:
    """The schema by the app's migrations and the templates compiled, as the README deploys it; then the demo."""
    for command in (("db", "upgrade"), ("compile-templates",), ("seed-demo",)):
        done = flask(env, *command, check=False)
        if done.returncode != 0 and command == ("compile-templates",) and "No such command" in done.stderr:
            continue  # an earlier version of the app, which compiles its templates in each worker
        if done.returncode != 0:
            raise RuntimeError(f"flask {' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")


def demo_survey(url: str) -> int:
    engine = create_engine(engine_url(url))
    with engine.connect() as connection:
        survey_id = connection.execute(text(
            "SELECT min(s.id) FROM surveys s JOIN territories t ON t.id = s.territory_id WHERE t.slug = :s"),
            {"s": SLUG}).scalar_one()
    engine.dispose()
    return survey_id


def demo_facts(url: str, bench_accounts: int) -> Demo:
    """Add the benchmark's accounts, lift the call's support limit, and read the ids the works use."""
    engine = create_engine(engine_url(url))
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None, microsecond=0)
    password_hash = generate_password_hash(BENCH_PASSWORD, method="pbkdf2:sha256:1000")
    emails = [f"participante.{n:04d}@banc-essai.example.org" for n in range(bench_accounts)]
    with engine.begin() as connection:
        territory = connection.execute(text("SELECT id FROM territories WHERE slug = :s"), {"s": SLUG}).scalar_one()
        survey_id = connection.execute(text("SELECT min(id) FROM surveys WHERE territory_id = :t"),
                                       {"t": territory}).scalar_one()
        call_id = connection.execute(text("SELECT min(id) FROM proposal_calls WHERE territory_id = :t"),
                                     {"t": territory}).scalar_one()
        connection.execute(text("UPDATE proposal_calls SET support_limit = NULL WHERE id = :c"), {"c": call_id})
        known = set(connection.execute(text("SELECT email FROM users WHERE email LIKE '%@banc-essai.example.org'"))
                    .scalars())
        rows = [{"email": email, "hash": password_hash, "name": f"Participante {n + 1} (banc d'essai)", "now": now}
                for n, email in enumerate(emails) if email not in known]
        if rows:
            connection.execute(text(
                "INSERT INTO users (email, password_hash, display_name, email_confirmed_at, privacy_consent_at, "
                "is_admin, is_disabled, category, structure, locale, created_at, updated_at) "
                "VALUES (:email, :hash, :name, :now, :now, false, false, 'resident', '', 'fr', :now, :now)"), rows)
        connection.execute(text(SUPPORTS_DDL[connection.dialect.name]))  # the reference's unique insert
        proposals = list(connection.execute(text(
            "SELECT id FROM proposals WHERE call_id = :c AND state = 'published' ORDER BY id"), {"c": call_id}).scalars())
    engine.dispose()
    return Demo(survey_id=survey_id, call_id=call_id, proposal_ids=proposals, bench_emails=emails)


def response_count(url: str, survey_id: int) -> int:
    engine = create_engine(engine_url(url))
    with engine.connect() as connection:
        count = connection.execute(text("SELECT count(*) FROM responses WHERE survey_id = :s"),
                                   {"s": survey_id}).scalar_one()
    engine.dispose()
    return count


# What the first growth adds to the demo territory besides responses, so that the public pages and the call are
# read at the volume of a busy territory; the second growth adds responses only.
TERRITORY_VOLUME = {"--proposals": 300, "--supports": 3000, "--comments": 600, "--members": 1000, "--meetings": 20}
RESPONSES_ONLY = {"--proposals": 0, "--supports": 0, "--comments": 0, "--members": 0, "--meetings": 0}


def grow(env: dict, url: str, survey_id: int, target: int, *, territory_volume: bool) -> str:
    """Bring the demo survey to `target` responses with `flask seed-volume --into` (and, with `territory_volume`,
    the rest of TERRITORY_VOLUME); says how. Without that command, the responses are copies of the existing ones."""
    missing = target - response_count(url, survey_id)
    if missing <= 0:
        return "already there"
    if has_seed_volume(env):
        counts = TERRITORY_VOLUME if territory_volume else RESPONSES_ONLY
        arguments = [str(part) for pair in counts.items() for part in pair]
        done = flask(env, "seed-volume", "--into", SLUG, "--responses", str(missing), *arguments,
                     "--seed", "15" if territory_volume else "16", check=False)
        if done.returncode != 0:
            raise RuntimeError(f"flask seed-volume failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        if response_count(url, survey_id) < target:
            raise RuntimeError(f"flask seed-volume did not add the responses to survey {survey_id}")
        return "flask seed-volume " + " ".join(["--responses", str(missing), *arguments])
    _copy_responses(url, survey_id, target)
    return "copies of the demo's responses in SQL (no seed-volume command)"


def _copy_responses(url: str, survey_id: int, target: int) -> None:
    """Double the survey's responses (with their answers) in SQL until it holds `target`."""
    engine = create_engine(engine_url(url))
    while True:
        with engine.begin() as connection:
            count = connection.execute(text("SELECT count(*) FROM responses WHERE survey_id = :s"),
                                       {"s": survey_id}).scalar_one()
            if count >= target:
                break
            copy = min(count, target - count)
            offset = connection.execute(text("SELECT max(id) FROM responses")).scalar_one()
            cutoff = connection.execute(text(
                "SELECT id FROM responses WHERE survey_id = :s ORDER BY id LIMIT 1 OFFSET :n"),
                {"s": survey_id, "n": copy - 1}).scalar_one()
            chosen = {"s": survey_id, "cutoff": cutoff, "offset": offset}
            connection.execute(text(
                "INSERT INTO responses (id, survey_id, channel, submitted_on) "
                "SELECT id + :offset, survey_id, channel, submitted_on FROM responses "
                "WHERE survey_id = :s AND id <= :cutoff"), chosen)
            connection.execute(text(
                "INSERT INTO answers (response_id, question_id, option_id, row_id, value_text, value_number, rank) "
                "SELECT a.response_id + :offset, a.question_id, a.option_id, a.row_id, a.value_text, a.value_number, "
                "a.rank FROM answers a JOIN responses r ON r.id = a.response_id "
                "WHERE r.survey_id = :s AND r.id <= :cutoff"), chosen)
            if engine.dialect.name == "postgresql":
                connection.execute(text(
                    "SELECT setval(pg_get_serial_sequence('responses', 'id'), (SELECT max(id) FROM responses))"))
    engine.dispose()
