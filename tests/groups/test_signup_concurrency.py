"""Simultaneous sign-ups and withdrawals against a really served app: capacity is never exceeded, nobody is
signed up twice, the seat counter always equals the members stored, the waitlist keeps its order."""
from __future__ import annotations

import http.cookiejar
import os
import re
import urllib.error
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from threading import Barrier

import pytest
from sqlalchemy import func, select

from consult.accounts.models import Category, Role, TerritoryRole, User
from consult.accounts.services import hash_password
from consult.extensions import db
from consult.groups import services
from consult.groups.models import Signup, SignupStatus, WorkingGroup
from consult.territories.models import Axis, Contract, Phase, Territory
from tests.conftest import NOW, PASSWORD, served_database_app, serving

USING_POSTGRES = os.environ.get("TEST_DATABASE_URL", "").startswith("postgres")
SLUG = "terres-des-confluences"
PEOPLE = 20
CAPACITY = 5


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _open(opener, url, data=None) -> tuple[int, str]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    try:
        with opener.open(urllib.request.Request(url, data=body), timeout=60) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        text = error.read().decode("utf-8", "replace")
        error.close()
        return error.code, text


def _logged_in(port: int, email: str):
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()),
                                         _NoRedirect)
    login = f"http://127.0.0.1:{port}/account/login"
    status, _ = _open(opener, login, {"email": email, "password": PASSWORD, "csrf_token": _csrf(opener, login)})
    assert status == 302
    return opener


def _csrf(opener, url: str) -> str:
    _status, html = _open(opener, url)
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


@pytest.fixture(params=["postgresql" if USING_POSTGRES else "sqlite-file"])
def served(request, tmp_path):
    """A served app (CSRF on, as in production) with a group of CAPACITY seats and PEOPLE confirmed residents."""
    app = served_database_app(tmp_path, WTF_CSRF_ENABLED=True)
    with app.app_context():
        territory = Territory(slug=SLUG, name="Terres des Confluences")
        contract = Contract(territory=territory, generation=2, title="CLS 2", start_date=NOW.date(),
                            end_date=NOW.date().replace(year=2030), phase=Phase.SIGNED, is_current=True)
        contract.axes = [Axis(title="Accès aux soins", position=0)]
        coordinator = User(email="coordination@example.org", display_name="Claire", password_hash=hash_password(PASSWORD),
                           privacy_consent_at=NOW, email_confirmed_at=NOW)
        db.session.add_all([territory, contract, coordinator,
                            TerritoryRole(user=coordinator, territory=territory, role=Role.COORDINATOR)])
        for n in range(PEOPLE):
            db.session.add(User(email=f"habitant{n}@example.org", display_name=f"Habitant {n}",
                                password_hash=hash_password(PASSWORD), privacy_consent_at=NOW,
                                email_confirmed_at=NOW, category=Category.RESIDENT))
        db.session.flush()
        group = services.create_group(coordinator, territory, services.GroupData(
            title="Accès aux soins à Moissac", axis_id=contract.axes[0].id, capacity=CAPACITY))
        db.session.commit()
        group_id = group.id
        db.session.remove()
    with serving(app) as port:
        yield app, port, group_id


def _counts(app, group_id):
    with app.app_context():
        group = db.session.get(WorkingGroup, group_id)
        by_status = dict(db.session.execute(select(Signup.status, func.count()).where(Signup.group_id == group_id)
                                            .group_by(Signup.status)).all())
        rows = db.session.scalar(select(func.count()).select_from(Signup))
        distinct = db.session.scalar(select(func.count(func.distinct(Signup.user_id))))
        counter = group.member_count
        db.session.remove()
    return counter, by_status, rows, distinct


def test_simultaneous_sign_ups_never_overfill_the_group(served):
    app, port, group_id = served
    url = f"http://127.0.0.1:{port}/t/{SLUG}/groups/{group_id}/join"
    openers = [_logged_in(port, f"habitant{n}@example.org") for n in range(PEOPLE)]
    tokens = [_csrf(opener, url) for opener in openers]
    start = Barrier(PEOPLE)

    def sign_up(i):
        start.wait(timeout=30)
        return _open(openers[i], url, {"csrf_token": tokens[i], "motivation": "Aidante à Moissac"})[0]

    with ThreadPoolExecutor(PEOPLE) as pool:
        statuses = list(pool.map(sign_up, range(PEOPLE)))
    assert statuses == [302] * PEOPLE  # no 500, no "database is locked"
    counter, by_status, rows, distinct = _counts(app, group_id)
    assert by_status == {SignupStatus.MEMBER: CAPACITY, SignupStatus.WAITLISTED: PEOPLE - CAPACITY}
    assert counter == CAPACITY
    assert rows == distinct == PEOPLE


def test_one_person_clicking_ten_times_at_once_is_signed_up_once(served):
    app, port, group_id = served
    url = f"http://127.0.0.1:{port}/t/{SLUG}/groups/{group_id}/join"
    opener = _logged_in(port, "habitant0@example.org")
    token = _csrf(opener, url)
    start = Barrier(10)

    def click(_):
        start.wait(timeout=30)
        return _open(opener, url, {"csrf_token": token})[0]

    with ThreadPoolExecutor(10) as pool:
        statuses = list(pool.map(click, range(10)))
    assert set(statuses) <= {200, 302} and 500 not in statuses
    counter, by_status, rows, _distinct = _counts(app, group_id)
    assert rows == 1 and by_status == {SignupStatus.MEMBER: 1} and counter == 1


def test_simultaneous_withdrawals_promote_each_waiting_person_once(served):
    app, port, group_id = served
    base = f"http://127.0.0.1:{port}/t/{SLUG}/groups/{group_id}"
    openers = [_logged_in(port, f"habitant{n}@example.org") for n in range(10)]
    for opener in openers:  # 5 members, then 5 on the waitlist, in this order
        assert _open(opener, f"{base}/join", {"csrf_token": _csrf(opener, f"{base}/join")})[0] == 302
    leavers = openers[:4]
    tokens = [_csrf(opener, base) for opener in leavers]
    start = Barrier(len(leavers) * 2)

    def leave(i):
        start.wait(timeout=30)
        return _open(leavers[i % len(leavers)], f"{base}/withdraw", {"csrf_token": tokens[i % len(leavers)]})[0]

    with ThreadPoolExecutor(len(leavers) * 2) as pool:  # each leaver clicks twice at once
        statuses = list(pool.map(leave, range(len(leavers) * 2)))
    assert set(statuses) == {302}
    counter, by_status, rows, _distinct = _counts(app, group_id)
    assert counter == CAPACITY
    assert by_status == {SignupStatus.WITHDRAWN: 4, SignupStatus.MEMBER: 5, SignupStatus.WAITLISTED: 1}
    with app.app_context():
        waiting = db.session.scalars(select(Signup).where(Signup.status == SignupStatus.WAITLISTED)).one()
        assert waiting.user.email == "habitant9@example.org"  # the last to arrive still waits
        db.session.remove()
