"""Registration, email confirmation through a real SMTP server, and no account enumeration."""
from __future__ import annotations

from sqlalchemy import func, select

from consult.accounts.models import User
from consult.extensions import db
from tests.accounts.conftest import link_in

FORM = {
    "display_name": "Zoé L'Hermitte",
    "email": "Zoe.LHermitte@Example.org",
    "password": "un mot de passe très sûr",
    "password_confirm": "un mot de passe très sûr",
    "consent": "y",
}


def user_count() -> int:
    return db.session.scalar(select(func.count(User.id)))


def test_registration_sends_confirmation_link_that_confirms(client, smtp):
    response = client.post("/account/register", data=FORM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/check-inbox")
    user = db.session.scalar(select(User))
    assert user.email == "zoe.lhermitte@example.org"
    assert user.email_confirmed_at is None
    assert user.privacy_consent_at is not None
    assert user.password_hash != FORM["password"]
    [message] = smtp.messages
    assert message["To"] == "zoe.lhermitte@example.org"

    confirmed = client.get(link_in(message, "/account/confirm/"))
    assert confirmed.status_code == 302
    db.session.refresh(user)
    assert user.email_confirmed_at is not None


def test_login_refused_until_email_confirmed(client, smtp):
    client.post("/account/register", data=FORM)
    response = client.post("/account/login", data={"email": FORM["email"], "password": FORM["password"]})
    assert response.status_code == 200
    assert "/account/confirm" in response.get_data(as_text=True)  # offers a new link
    assert client.get("/account/profile").status_code == 302


def test_registering_a_taken_email_answers_the_same_and_warns_the_owner(client, smtp, make_user):
    owner = make_user("zoe.lhermitte@example.org", display_name="Zoé")
    response = client.post("/account/register", data=FORM)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/check-inbox")
    assert user_count() == 1
    db.session.refresh(owner)
    assert owner.display_name == "Zoé"  # untouched
    [message] = smtp.messages
    assert message["To"] == "zoe.lhermitte@example.org"
    assert "/account/confirm/" not in message.get_content()
    assert "/account/reset" in message.get_content()


def test_registration_requires_consent_and_keeps_what_was_typed(client, smtp):
    data = dict(FORM, consent="")
    response = client.post("/account/register", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert 'value="Zoé L&#39;Hermitte"' in page
    assert 'value="Zoe.LHermitte@Example.org"' in page
    assert 'aria-invalid="true"' in page
    assert user_count() == 0
    assert smtp.messages == []


def test_registration_rejects_short_password_and_mismatch(client, smtp):
    response = client.post("/account/register", data=dict(FORM, password="court", password_confirm="autre"))
    assert response.status_code == 200
    assert response.get_data(as_text=True).count("error-message") >= 2
    assert user_count() == 0


def test_registration_rejects_invalid_email(client, smtp):
    response = client.post("/account/register", data=dict(FORM, email="pas-une-adresse"))
    assert response.status_code == 200
    assert 'id="email-error"' in response.get_data(as_text=True)
    assert user_count() == 0


def test_tampered_confirmation_link_is_refused(client, smtp):
    client.post("/account/register", data=FORM)
    path = link_in(smtp.messages[0], "/account/confirm/")
    response = client.get(path[:-3] + "xyz")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/confirm")
    assert db.session.scalar(select(User)).email_confirmed_at is None


def test_confirmation_link_expires(app, client, smtp):
    client.post("/account/register", data=FORM)
    path = link_in(smtp.messages[0], "/account/confirm/")
    app.config["EMAIL_TOKEN_MAX_AGE"] = -1
    client.get(path)
    assert db.session.scalar(select(User)).email_confirmed_at is None


def test_double_registration_creates_one_account(client, smtp):
    client.post("/account/register", data=FORM)
    client.post("/account/register", data=FORM)
    assert user_count() == 1


def test_resend_confirmation_answers_the_same_for_unknown_and_confirmed_addresses(client, smtp, make_user):
    confirmed = make_user("deja.confirmee@example.org")
    for email in ("inconnu@example.org", confirmed.email):
        response = client.post("/account/confirm", data={"email": email})
        assert response.status_code == 302
        assert response.headers["Location"].endswith("/account/check-inbox")
    # One email each, as for an unconfirmed account (so all take as long), neither with a confirmation link.
    assert [m["To"] for m in smtp.messages] == ["inconnu@example.org", confirmed.email]
    assert not any("/account/confirm/" in m.get_content() for m in smtp.messages)
    assert "/account/login" in smtp.messages[1].get_content()
