"""The attacker of issue 10 against a real server: the demo served by gunicorn, its survey results published as
a release; an anonymous visitor and the ARS observer save every page, every breakdown and every file over HTTP —
the results report opening with the coordinator's key findings, its files, and every page of the synthesis and the
action plan that shows survey figures (axes and objectives, participation, the observers' workspace, fiches citing
the survey, annual reviews, what became of the contributions), the open-data API's answers, and the observer's
workbook and consultation report built through the files page — one more person answers, and they save everything
again. Nothing may differ.

The demo's prioritisation vote hides its running result: an anonymous visitor, a resident, the observer and the
coordinator of another territory save every page that could show it (the vote, its call, the proposals, the
territory, the API); one more ballot is cast; nothing they saved differs, while the coordinators' own vote page
does (the running score they alone see)."""
from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import subprocess

import pytest
from sqlalchemy import select

from consult.accounts.demo import DEMO_ACCOUNTS
from consult.accounts.models import Category, User
from consult.core.models import utcnow
from consult.extensions import db
from consult.proposals.models import PriorityVote
from consult.proposals.services import priority
from consult.surveys.models import Survey
from consult.surveys.releases.models import SurveyRelease
from consult.surveys.releases.services import content_of
from consult.synthesis.models import Citation, Fiche
from consult.territories.models import Commune
from tests.conftest import app_on_copy, seeded_template
from tests.core.test_database import gunicorn
from tests.served import Browser
from tests.surveys.exports_helpers import read_ods, read_xlsx
from tests.surveys.test_results import add_response

SLUG = "terres-des-confluences"
OBSERVER = "referente.ars@example.org"
COORDINATOR = "coordination.confluences@example.org"
OTHER_COORDINATOR = "coordination.aveyron@example.org"
RESIDENT = "habitante@example.org"
KEY_FINDINGS = ("- Près d'une personne sur deux a renoncé à un soin cette année.\n"
                "- À **Moissac**, l'attente d'un rendez-vous chez le médecin revient le plus souvent.")
PASSWORDS = {email: password for email, password, *_rest in DEMO_ACCOUNTS}


def logged_in(port: int, email: str) -> Browser:
    browser = Browser(port)
    browser.log_in(email, PASSWORDS[email])
    browser.request("GET", "/")  # the page that shows the welcome message, once
    return browser


def save(browser: Browser, urls: list[str]) -> dict[str, object]:
    """Every output at `urls` as the attacker keeps it: pages without their per-request form tokens,
    spreadsheets as their cells (a file also records when it was written)."""
    saved = {}
    for url in urls:
        status, _headers, body = browser.request("GET", url)
        assert status == 200, (url, status)
        if url.endswith(".xlsx"):
            saved[url] = read_xlsx(body)
        elif url.endswith(".ods"):
            saved[url] = read_ods(body)
        else:
            saved[url] = re.sub(rb'<input[^>]*name="csrf_token"[^>]*>', b"", body)
    return saved


def built_file(browser: Browser, kind: str, fmt: str) -> bytes:
    """Ask for a territory-wide file on the files page as a person would, follow its job, download it."""
    files = f"/t/{SLUG}/files/"
    _status, _headers, page = browser.request("GET", files)
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    token = re.search(rb'name="form_token" value="([^"]+)"', page).group(1).decode()
    status, headers, _body = browser.request("POST", f"{files}{kind}",
                                             {"csrf_token": csrf, "form_token": token, "fmt": fmt})
    assert status == 302, status
    _status, _headers, job = browser.request("GET", headers["location"])
    download = re.search(rb'href="([^"]+/download)"', job).group(1).decode()  # built at once (immediate mode)
    status, _headers, body = browser.request("GET", download)
    assert status == 200
    return body


def pdf_text(pdf: bytes) -> str:
    return subprocess.run(["/usr/bin/pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()


def save_built_files(observer: Browser) -> dict[str, object]:
    """The observer's workbook (its cells) and consultation report (its text), each built anew."""
    return {"workbook": read_xlsx(built_file(observer, "workbook", "xlsx")),
            "report": pdf_text(built_file(observer, "report", "pdf"))}


def _plan_pages(territory) -> dict[str, list[str]]:
    """The synthesis and action-plan pages of the territory: public ones, and the observer's."""
    contract = territory.current_contract
    fiches = db.session.scalars(select(Fiche).where(Fiche.contract_id == contract.id).order_by(Fiche.id)).all()
    cited = {c.fiche_id for c in db.session.scalars(select(Citation).where(Citation.release_id.is_not(None)))}
    assert cited, "the demo's fiches quote the survey's release"
    public = [f"/t/{SLUG}/", f"/t/{SLUG}/plan/", f"/t/{SLUG}/outcomes"] + [
        f"/t/{SLUG}/plan/fiches/{f.id}" for f in fiches if f.is_published]
    manage = f"/t/{SLUG}/manage"
    observer = ([f"/t/{SLUG}/observe/", f"{manage}/synthesis/", f"{manage}/synthesis/participation",
                 f"{manage}/plan/", f"{manage}/plan/reviews", f"{manage}/governance/"]
                + [f"{manage}/synthesis/axes/{a.id}" for a in contract.active_axes]
                + [f"{manage}/synthesis/objectives/{o.id}" for a in contract.active_axes for o in a.active_objectives]
                + [f"{manage}/plan/fiches/{f.id}/" for f in fiches]
                + [f"{manage}/plan/reviews/{year}" for year in range(contract.start_date.year, 2027)])
    return {"public": public, "observer": observer}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("release-attacker")
    database = folder / "demo.sqlite3"
    # What `make run` does (the run's template, see `seeded_template`): the first release made and published.
    # Running it again changes nothing: tests/synthesis/test_plan_demo.py checks that.
    template, first = seeded_template(tmp_path_factory, "--publish-results")
    assert "release no. 1 made and published" in first.output
    app = app_on_copy(template, database)
    with app.app_context():
        survey = db.session.scalars(select(Survey).order_by(Survey.id)).first()
        release = db.session.scalars(select(SurveyRelease)).one()  # one release, made by the first run
        assert survey.results_published_at is not None
        with app.test_request_context():
            tables = [(t.question.code, t.variable.key) for t in content_of(release).breakdowns]
        survey_id = survey.id
        plan = _plan_pages(survey.territory)
        db.session.remove()
        db.engine.dispose()
    log = folder / "gunicorn.log"
    saved_dir = os.environ.get("EXPORT_DIR")
    os.environ["EXPORT_DIR"] = str(folder / "exports")  # the files the jobs build (read by the served app)
    try:
        with gunicorn(database, log, workers=1, csrf=True) as port:
            yield port, app, survey_id, tables, plan
    finally:
        if saved_dir is None:
            os.environ.pop("EXPORT_DIR")
        else:
            os.environ["EXPORT_DIR"] = saved_dir
    assert " 500 " not in log.read_text() and "Traceback" not in log.read_text(), log.read_text()[-3000:]


def test_one_more_response_changes_nothing_an_attacker_can_fetch(served):
    port, app, survey_id, tables, plan = served
    results = f"/t/{SLUG}/surveys/{survey_id}/results"
    staff = f"/t/{SLUG}/manage/surveys/{survey_id}/results"
    exports = f"/t/{SLUG}/manage/surveys/{survey_id}/export"
    breakdowns = [f"/breakdowns?question={code}&by={variable}" for code, variable in tables]
    api = f"/api/v1/territories/{SLUG}"
    public_urls = ([results, f"{results}/releases/1", f"{results}/releases"] + [results + b for b in breakdowns]
                   + plan["public"]
                   + [api, f"{api}/axes", f"{api}/surveys", f"{api}/surveys/{survey_id}",
                      f"{api}/surveys/{survey_id}/releases", f"{api}/surveys/{survey_id}/releases/1", f"{api}/fiches",
                      f"{api}/proposals", f"{api}/groups", f"{api}/meetings"])
    observer_urls = ([staff, f"{staff}/representativeness"] + [staff + b for b in breakdowns]
                     + [f"{exports}/{name}" for name in ("tables.xlsx", "tables.ods", "tables.csv", "method.csv")]
                     + plan["observer"])
    visitor, observer, coordinator = Browser(port), logged_in(port, OBSERVER), logged_in(port, COORDINATOR)
    # The coordinator writes what to remember: the results report opens with it (« L'essentiel »).
    key_findings = f"{staff}/releases/1/key-findings"
    status, headers, _body = coordinator.post_form(key_findings, key_findings, {"text": KEY_FINDINGS})
    assert (status, headers["location"]) == (302, f"{results}/releases/1")
    coordinator.request("GET", headers["location"])  # where the coordinator reads « saved » (the flash is spent)
    before = save(visitor, public_urls), save(observer, observer_urls), save_built_files(observer)
    key_findings_page = save(coordinator, [key_findings])
    # Neither the visitor nor the observer may write them (what the public page shows after proves nothing changed).
    status, headers, _body = visitor.request("GET", key_findings)
    assert status == 302 and headers["location"].startswith("/account/login")
    visitor.request("GET", headers["location"])  # the login page, where « Please log in » is read
    assert observer.post_form(staff, key_findings, {"text": "Des chiffres inventés"})[0] == 403
    for url in (results, f"{results}/releases/1"):
        assert b'id="essentials"' in before[0][url] and b"<strong>Moissac</strong>" in before[0][url], url

    with app.app_context():
        survey = db.session.get(Survey, survey_id)
        answers = {q.code: q.choices[0].code for q in survey.questions if q.type.is_closed and q.type.value not in
                   ("commune", "multiple") and not q.condition_code and not q.page.condition_code}
        add_response(survey, answers, day=dt.date(2026, 11, 30))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    assert len(public_urls) > 50
    assert save(visitor, public_urls) == before[0]
    assert save(observer, observer_urls) == before[1]
    assert save_built_files(observer) == before[2]
    assert save(coordinator, [key_findings]) == key_findings_page


def test_a_hidden_running_vote_shows_its_score_to_its_coordinators_only(served):
    port, app, *_rest = served
    with app.app_context():
        vote = db.session.scalars(select(PriorityVote)).one()
        assert vote.hide_results_until_closed and vote.is_open(utcnow())
        vote_id, call_id, options = vote.id, vote.call_id, [p.id for p in vote.options]
        db.session.remove()
    proposals = f"/t/{SLUG}/proposals"
    page = f"{proposals}/votes/{vote_id}/"
    urls = ([page, f"{proposals}/calls/{call_id}/", f"{proposals}/", f"/t/{SLUG}/", f"/t/{SLUG}/outcomes",
             f"/api/v1/territories/{SLUG}/proposals"] + [f"{proposals}/{option}/" for option in options])
    people = {"anonymous": Browser(port), "resident": logged_in(port, RESIDENT),
              "observer": logged_in(port, OBSERVER), "other coordinator": logged_in(port, OTHER_COORDINATOR)}
    coordinator = logged_in(port, COORDINATOR)
    before = {who: save(browser, urls) for who, browser in people.items()}
    running = save(coordinator, [page])[page]
    for who, pages in before.items():
        assert b"result-points" not in pages[page] and b"stays hidden" in pages[page], who
    assert b"result-points" in running and b"You see it because you coordinate the vote." in running

    with app.app_context():  # one more resident ranks the proposals in reverse order
        vote = db.session.get(PriorityVote, vote_id)
        voter = User(email="voix.supplementaire@example.org", display_name="Léa Garrigues", password_hash="!",
                     email_confirmed_at=utcnow(), privacy_consent_at=utcnow(), category=Category.RESIDENT,
                     commune=db.session.scalar(select(Commune).where(Commune.insee_code == "82112")))
        db.session.add(voter)
        priority.cast_ballot(voter, vote, options[::-1][:vote.picks], now=utcnow())
        db.session.commit()
        db.session.remove()
        db.engine.dispose()

    for who, browser in people.items():
        after = save(browser, urls)
        changed = {url: "\n".join(difflib.unified_diff(before[who][url].decode().splitlines(),
                                                       after[url].decode().splitlines(), lineterm="", n=1))
                   for url in urls if after[url] != before[who][url]}
        assert changed == {}, (who, changed)
    assert save(coordinator, [page])[page] != running
