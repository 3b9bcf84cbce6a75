"""Public pages kept for visitors without an account (consult/core/pagecache.py), tested as someone who combines
everything: a page is given again only to a visitor who would have got the same page from the view — never after a
change it does not show (whoever wrote it, through whichever server), never across languages, hosts or accounts,
never with someone else's session."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import event

from consult.core import pagecache
from consult.extensions import db
from consult.proposals.models import Proposal, ProposalState
from tests.conftest import NOW, PASSWORD, served_database_app
from tests.proposals.conftest import SLUG, add_support, served_call
from tests.served import Browser, gunicorn, http_request

KEPT = pagecache.KEPT_HEADER


def call_page(call) -> str:
    return f"/t/{SLUG}/proposals/calls/{call.id}/"


@pytest.fixture
def statements(app):
    """The SQL statements the app runs, as a list the test reads and clears."""
    seen: list[str] = []

    def note(_connection, _cursor, statement, *_):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", note)
    yield seen
    event.remove(db.engine, "before_cursor_execute", note)


@pytest.fixture
def one_second(monkeypatch):
    """Every request of the test in the same second (a slow machine must not make it flaky)."""
    monkeypatch.setattr(pagecache, "current_second", lambda: 1_800_000_000)


def visit(app, path, **headers):
    """A new visitor without any cookie."""
    return app.test_client(use_cookies=False).get(path, headers=headers)


def test_a_visitor_without_account_is_given_the_page_kept_for_the_last(app, call, make_proposal, statements,
                                                                         one_second):
    make_proposal(call, title="Un bus vers l'hôpital de Moissac le samedi")
    path = call_page(call)
    first = visit(app, path)
    statements.clear()

    again = visit(app, path)

    assert first.status_code == again.status_code == 200
    assert KEPT not in first.headers and again.headers[KEPT] == "kept"
    assert again.get_data() == first.get_data() and "Un bus vers l&#39;hôpital" in again.get_data(as_text=True)
    assert [s for s in statements if not s.startswith("BEGIN")] == ["SELECT slot, value FROM page_stamps"]
    # The security headers are the page's own: a fresh nonce, never stored.
    assert again.headers["Cache-Control"] == "no-store"
    assert first.headers["Content-Security-Policy"] != again.headers["Content-Security-Policy"]


def test_every_change_shows_at_once(app, client, login, coordinator, call, make_proposal, make_user, one_second):
    """Moderation through the coordinator's form, a support and a rename written by a script (no request at all):
    the next visitor sees each of them, within the same second."""
    kept = make_proposal(call, title="Un bus vers l'hôpital de Moissac le samedi")
    other = make_proposal(call, title="Des permanences de PMI à Castelsarrasin")
    for _ in range(2):
        visit(app, call_page(call))
    assert visit(app, call_page(call)).headers[KEPT] == "kept"

    login(coordinator)
    hidden = client.post(f"/t/{SLUG}/manage/proposals/{other.id}/hide", data={"hide-reason": "Numéro de téléphone"})
    assert hidden.status_code == 302
    page = visit(app, call_page(call))
    assert KEPT not in page.headers
    assert "Des permanences de PMI" not in page.get_data(as_text=True)
    assert db.session.get(Proposal, other.id).state is ProposalState.HIDDEN

    add_support(kept, make_user())
    assert "<strong>1</strong> support" in visit(app, call_page(call)).get_data(as_text=True)

    call.title = "Vos idées pour le CLS 3"
    db.session.commit()
    assert "Vos idées pour le CLS 3" in visit(app, call_page(call)).get_data(as_text=True)
    assert "Vos idées pour le CLS 3" in visit(app, f"/t/{SLUG}/proposals/").get_data(as_text=True)


def test_a_failed_write_changes_nothing_and_keeps_the_page(app, call, make_proposal, one_second):
    make_proposal(call)
    visit(app, call_page(call))
    proposal = Proposal(call_id=call.id, title=None, description="", state=ProposalState.PUBLISHED)  # no title
    db.session.add(proposal)
    with pytest.raises(Exception):
        db.session.commit()
    db.session.rollback()

    assert visit(app, call_page(call)).headers[KEPT] == "kept"


@pytest.mark.parametrize("role", ["participant", "observer", "coordinator", "other_coordinator", "admin"])
def test_pages_of_people_signed_in_never_cross_with_visitors(app, client, login, call, make_proposal, role, request,
                                                             one_second):
    """Whoever is signed in is served by the view (their own buttons, their token), and what they were shown is
    never given to a visitor; nor is a visitor's kept page given to them."""
    make_proposal(call)
    path = call_page(call)
    login(request.getfixturevalue(role))
    visit(app, path)

    theirs = client.get(path)
    after = visit(app, path)

    assert KEPT not in theirs.headers and after.headers[KEPT] == "kept"
    assert 'name="csrf_token"' not in after.get_data(as_text=True) and "Moderate" not in after.get_data(as_text=True)
    assert "Set-Cookie" not in after.headers or after.headers["Set-Cookie"].startswith("consult_order=")
    if role == "coordinator":
        assert "Moderate" in theirs.get_data(as_text=True)
    if role == "participant":  # open for supports: their support buttons, with their own token
        assert 'name="csrf_token"' in theirs.get_data(as_text=True)


def test_each_language_host_and_order_has_its_own_page(app, call, make_proposal, one_second):
    for n in range(14):
        make_proposal(call, title=f"Proposition n° {n:02d} pour Saint-Nicolas-de-la-Grave")
    french = visit(app, call_page(call), **{"Accept-Language": "fr"})
    english = visit(app, call_page(call), **{"Accept-Language": "en"})
    elsewhere = app.test_client(use_cookies=False).get(call_page(call), base_url="http://autre.example.org")

    assert KEPT not in french.headers and KEPT not in english.headers and KEPT not in elsewhere.headers
    assert "Propositions" in french.get_data(as_text=True) and "Proposals" in english.get_data(as_text=True)
    assert visit(app, call_page(call), **{"Accept-Language": "fr"}).get_data() == french.get_data()

    # The order is the visitor's own: a browser that has one keeps it, page after page.
    seed = english.headers["Set-Cookie"].split(";")[0].split("=")[1]
    browser = app.test_client()
    browser.set_cookie(pagecache.ORDER_COOKIE, seed)
    browser.set_cookie("consult_lang", "en")
    titles = re.findall(r'class="proposal-title"><a [^>]+>([^<]+)</a>', english.get_data(as_text=True))
    assert re.findall(r'class="proposal-title"><a [^>]+>([^<]+)</a>',
                      browser.get(call_page(call)).get_data(as_text=True)) == titles
    second_page = browser.get(call_page(call), query_string={"page": 2}).get_data(as_text=True)
    assert not set(titles) & set(re.findall(r'class="proposal-title"><a [^>]+>([^<]+)</a>', second_page))


@pytest.mark.parametrize("value", ["0", "-4", "abc", "9" * 40, "1e3"])
def test_an_order_cookie_that_makes_no_sense_is_replaced(app, call, make_proposal, value):
    make_proposal(call)
    browser = app.test_client()
    browser.set_cookie(pagecache.ORDER_COOKIE, value)

    response = browser.get(call_page(call))

    assert response.status_code == 200
    assert re.match(r"consult_order=\d+;", response.headers["Set-Cookie"])


def test_a_visitor_with_a_session_is_served_by_the_view(app, call, make_proposal, statements, one_second):
    """A session (a flash message, a form's token, a login) may change the page: never given a kept one, and a page
    that started a session is never kept."""
    make_proposal(call)
    path = call_page(call)
    visit(app, path)
    browser = app.test_client()
    with browser.session_transaction() as session:
        session["_flashes"] = [("success", "Votre proposition est envoyée aux coordinateurs.")]

    statements.clear()
    response = browser.get(path)

    assert KEPT not in response.headers and len(statements) > 2
    assert "Votre proposition est envoyée" in response.get_data(as_text=True)
    assert "Votre proposition est envoyée" not in visit(app, path).get_data(as_text=True)


def test_a_page_is_kept_for_one_second_at_most(app, call, make_proposal, monkeypatch):
    """Windows open and close with the clock: a page of the previous second is never given."""
    make_proposal(call)
    seconds = iter([1_800_000_000, 1_800_000_000, 1_800_000_001, 1_800_000_001])
    monkeypatch.setattr(pagecache, "current_second", lambda: next(seconds))

    responses = [visit(app, call_page(call)) for _ in range(4)]

    assert [r.headers.get(KEPT) for r in responses] == [None, "kept", None, "kept"]


def test_pages_of_the_territory_are_kept_too(app, territory, one_second):
    for path in ("/", f"/t/{SLUG}/", f"/t/{SLUG}/axes", f"/t/{SLUG}/contracts/2", f"/t/{SLUG}/proposals/",
                 f"/t/{SLUG}/surveys/", f"/t/{SLUG}/groups/", f"/t/{SLUG}/plan/", f"/t/{SLUG}/outcomes"):
        visit(app, path)
        assert visit(app, path).headers.get(KEPT) == "kept", path


# --- over HTTP: two worker processes, one database ----------------------------------------------------------------

def test_two_worker_processes_never_give_a_page_older_than_a_change(tmp_path):
    """gunicorn with two workers (two processes, each its own kept pages) on one SQLite file: a support posted
    through one is shown by both at once to every visitor, kept pages included."""
    from consult.accounts.models import User
    from consult.accounts.services import hash_password
    from consult.proposals import similarity

    app = served_database_app(tmp_path)
    with app.app_context():
        call = served_call()
        territory = call.territory
        resident = User(email="habitante.lavit@example.org", display_name="Habitante de Lavit",
                        password_hash=hash_password(PASSWORD), privacy_consent_at=NOW, email_confirmed_at=NOW)
        proposal = Proposal(call=call, author=resident, title="Une navette vers Moissac", description="Sans voiture.",
                            axis=call.axes[0], state=ProposalState.PUBLISHED, published_at=NOW,
                            search_text=similarity.search_document("Une navette vers Moissac"))
        db.session.add_all([territory, call, resident, proposal])
        db.session.commit()
        path, proposal_id, email = f"/t/{SLUG}/proposals/calls/{call.id}/", proposal.id, resident.email
        db.session.remove()

    env = {"SERVED_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"]}
    with gunicorn("tests.diagnostic.conftest_jobs:served_app()", tmp_path / "gunicorn.log", env=env,
                  workers=2) as port:
        def visitors(count=40):
            return [http_request(port, "GET", path, headers={"Accept-Language": "en"}) for _ in range(count)]

        before = visitors()
        assert all(b"<strong>0</strong> supports" in body for _, _, body in before)
        assert any(headers.get(KEPT.lower()) == "kept" for _, headers, _ in before)

        browser = Browser(port)
        browser.log_in(email, PASSWORD)
        status, _, _ = browser.post_form(path, f"/t/{SLUG}/proposals/{proposal_id}/support", {})
        assert status in (302, 303)

        after = visitors()
        assert all(status == 200 for status, _, _ in after)
        assert all(b"<strong>1</strong> support" in body for _, _, body in after)
        assert any(headers.get(KEPT.lower()) == "kept" for _, headers, _ in after)
    with app.app_context():
        db.engine.dispose()


def test_kept_pages_never_hold_more_than_their_bound(app, territory, one_second, monkeypatch):
    """Random query strings make a new page each: the process keeps the most recent ones within its bounds."""
    cache = app.extensions["consult_pages"]["cache"]
    monkeypatch.setattr(cache, "size", 5)
    monkeypatch.setattr(cache, "max_bytes", 60_000)
    for n in range(12):
        visit(app, f"/t/{SLUG}/?n={n}")

    assert len(cache) <= 5 and cache.bytes <= 60_000
    assert visit(app, f"/t/{SLUG}/?n=11").headers.get(KEPT) == "kept"
    assert visit(app, f"/t/{SLUG}/?n=0").headers.get(KEPT) is None


def test_a_request_with_credentials_in_a_header_is_never_given_a_kept_page(app, call, make_proposal, one_second):
    make_proposal(call)
    path = call_page(call)
    visit(app, path)

    assert visit(app, path, Authorization="Bearer x").headers.get(KEPT) is None


def test_a_proposal_is_kept_for_visitors_and_a_comment_shows_at_once(app, client, login, participant, call,
                                                                      make_proposal, one_second):
    """The proposal's page has no form for a visitor without an account (a form's token would start a session), so
    it is kept; a resident's comment shows at once; the resident's own page (comment form, token) is never given."""
    proposal = make_proposal(call, title="Une navette vers l'hôpital de Moissac")
    path = f"/t/{SLUG}/proposals/{proposal.id}/"
    visit(app, path)
    assert visit(app, path).headers.get(KEPT) == "kept"

    login(participant)
    theirs = client.get(path)
    assert KEPT not in theirs.headers and 'name="csrf_token"' in theirs.get_data(as_text=True)
    posted = client.post(f"{path}comments", data={"body": "Le mardi aussi, pour Saint-Nicolas-de-la-Grave."})
    assert posted.status_code == 302

    page = visit(app, path)
    assert KEPT not in page.headers and "Le mardi aussi, pour Saint-Nicolas-de-la-Grave." in page.get_data(as_text=True)
    assert 'name="csrf_token"' not in page.get_data(as_text=True) and "Set-Cookie" not in page.headers
    assert visit(app, path).headers.get(KEPT) == "kept"


def test_a_process_that_keeps_no_page_still_stamps_what_it_writes(tmp_path, monkeypatch):
    """A server or command with PAGE_CACHE=0 writing to the same database: the others' kept pages show it at once."""
    from consult import create_app
    from consult.accounts.models import User
    from consult.accounts.services import hash_password
    from tests.conftest import discard_database, make_config

    monkeypatch.setattr(pagecache, "current_second", lambda: 1_800_000_000)
    app = served_database_app(tmp_path)
    with app.app_context():
        call = served_call()
        author = User(email="habitant.valence@example.org", display_name="Habitant de Valence",
                      password_hash=hash_password(PASSWORD), privacy_consent_at=NOW, email_confirmed_at=NOW)
        proposal = Proposal(call=call, author=author, title="Une navette vers Moissac", description="Sans voiture.",
                            axis=call.axes[0], state=ProposalState.PUBLISHED, published_at=NOW, search_text="navette")
        db.session.add_all([call.territory, call, author, proposal])
        db.session.commit()
        path, proposal_id = call_page(call), proposal.id
        db.session.remove()
    try:
        visit(app, path)
        assert visit(app, path).headers.get(KEPT) == "kept"
        other = create_app(make_config(SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"], PAGE_CACHE=False))
        assert "consult_pages" not in other.extensions
        with other.app_context():
            db.session.get(Proposal, proposal_id).title = "Un minibus vers Moissac"
            db.session.commit()
            db.session.remove()
            db.engine.dispose()

        page = visit(app, path)
        assert KEPT not in page.headers and "Un minibus vers Moissac" in page.get_data(as_text=True)
    finally:
        with app.app_context():
            discard_database()
            db.engine.dispose()
