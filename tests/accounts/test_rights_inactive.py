"""Inactive accounts: warned by email INACTIVE_WARNING_DAYS before, erased only once warned and past
INACTIVE_ACCOUNT_MONTHS; logging in clears the warning; administrators are never erased automatically."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from consult.accounts.models import User
from consult.core import retention
from consult.core.audit import AuditEvent
from consult.core.models import utcnow
from consult.extensions import db
from tests.conftest import PASSWORD

DAY = dt.timedelta(days=1)


def _purge(now: dt.datetime) -> int:
    erased = retention.PERIODS["inactive_accounts"].remove(now)
    db.session.commit()  # the warnings leave once the purge is stored
    return erased


def test_inactive_accounts_are_warned_then_erased_unless_their_owner_comes_back(app, client, make_user, smtp):
    now = utcnow().replace(microsecond=0)
    three_years_ago = retention.cutoff(now, 36, "months")
    people = {
        "dormant": make_user("dormante@example.org", display_name="Jeanne de L'Isle-Jourdain"),
        "almost": make_user("bientot@example.org"),  # reaches the three years in ten days
        "never": make_user("jamais@example.org"),  # never logged in since activity is recorded
        "returning": make_user("revient@example.org"),
        "recent": make_user("recente@example.org"),
        "admin": make_user("admin.ancienne@example.org", admin=True),
    }
    last_seen = {"dormant": three_years_ago - 30 * DAY, "almost": three_years_ago + 10 * DAY, "never": None,
                 "returning": three_years_ago - 60 * DAY, "recent": now - 300 * DAY, "admin": now - 2000 * DAY}
    for name, user in people.items():
        user.last_active_at = last_seen[name]
    people["never"].created_at = three_years_ago - 90 * DAY
    db.session.commit()

    assert _purge(now) == 0
    warned = sorted(name for name, user in people.items() if user.inactivity_warned_at == now)
    assert warned == ["almost", "dormant", "never", "returning"]
    assert sorted(m["To"] for m in smtp.messages) == sorted(people[name].email for name in warned)
    mail = next(m for m in smtp.messages if m["To"] == "dormante@example.org")
    assert mail["Subject"].startswith("Votre compte sera supprimé le")
    assert "Jeanne de L'Isle-Jourdain" in mail.get_content() and "http://localhost/account/login" in mail.get_content()

    # The returning owner logs in: the warning no longer applies.
    assert client.post("/account/login", data={"email": "revient@example.org", "password": PASSWORD}).status_code == 302
    db.session.expire_all()
    assert people["returning"].inactivity_warned_at is None and people["returning"].last_active_at >= now

    smtp.messages.clear()
    assert _purge(now + 29 * DAY) == 0  # the notice is not over yet
    assert _purge(now + 31 * DAY) == 3
    db.session.expire_all()
    erased = sorted(name for name, user in people.items() if user.erased_at is not None)
    assert erased == ["almost", "dormant", "never"]
    assert db.session.scalar(select(User).where(User.email == "dormante@example.org")) is None
    assert people["admin"].erased_at is None and people["admin"].inactivity_warned_at is None
    assert smtp.messages == []  # no second warning, nothing to the erased
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "account_erased_inactivity")).all()
    assert sorted(event.target for event in events) == sorted(f"user:{people[n].id}" for n in erased)
    assert {event.actor_id for event in events} == {None}
