"""Password reset by expiring emailed link, profile, password and email changes."""
from __future__ import annotations

from sqlalchemy import func, select

from consult.accounts.models import Category, LoginSession
from consult.extensions import db
from tests.accounts.conftest import link_in
from tests.conftest import PASSWORD, commune_by_code

NEW_PASSWORD = "une toute nouvelle phrase secrète"


def test_reset_answers_the_same_for_known_and_unknown_addresses(client, smtp, make_user):
    user = make_user()
    known = client.post("/account/reset", data={"email": user.email})
    unknown = client.post("/account/reset", data={"email": "inconnu@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert known.headers["Location"] == unknown.headers["Location"]
    # One email each (so both take as long): a link to the owner, a notice without a link to the unknown address.
    link, notice = smtp.messages
    assert (link["To"], notice["To"]) == (user.email, "inconnu@example.org")
    assert "/account/reset/" in link.get_content() and "/account/reset/" not in notice.get_content()
    assert notice["Subject"] == "Aucun compte n'utilise cette adresse"


def test_reset_link_sets_a_new_password_once(app, client, smtp, make_user):
    user = make_user()
    client.post("/account/reset", data={"email": user.email})
    path = link_in(smtp.messages[0], "/account/reset/")
    response = client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.post("/account/login", data={"email": user.email, "password": NEW_PASSWORD}).status_code == 302
    # The link dies with the password it was made for.
    again = client.post(path, data={"password": "encore une autre phrase", "password_confirm": "encore une autre phrase"})
    assert again.status_code == 302
    assert again.headers["Location"].endswith("/account/reset")


def test_reset_link_expires(app, client, smtp, make_user):
    user = make_user()
    old_hash = user.password_hash
    client.post("/account/reset", data={"email": user.email})
    path = link_in(smtp.messages[0], "/account/reset/")
    app.config["RESET_TOKEN_MAX_AGE"] = -1
    response = client.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert response.headers["Location"].endswith("/account/reset")
    db.session.refresh(user)
    assert user.password_hash == old_hash


def test_reset_logs_out_every_browser(app, client, smtp, make_user, login):
    user = make_user()
    login(user)
    other = app.test_client()
    other.post("/account/reset", data={"email": user.email})
    path = link_in(smtp.messages[0], "/account/reset/")
    other.post(path, data={"password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert db.session.scalar(select(func.count(LoginSession.id))) == 0
    assert client.get("/account/profile").status_code == 302


def test_profile_update_is_stored(client, smtp, make_user, login, territory):
    user = make_user()
    login(user)
    saint_nicolas = commune_by_code("82169")
    response = client.post("/account/profile", data={
        "display_name": "Aïcha d'Saint-Nicolas", "commune_id": str(saint_nicolas.id),
        "category": "health_professional", "structure": "MSP de Saint-Nicolas-de-la-Grave", "locale": "en",
    })
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.display_name == "Aïcha d'Saint-Nicolas"
    assert user.commune == saint_nicolas
    assert user.category is Category.HEALTH_PROFESSIONAL
    assert user.structure == "MSP de Saint-Nicolas-de-la-Grave"
    assert user.locale == "en"
    page = client.get("/account/profile").get_data(as_text=True)
    assert "Saint-Nicolas-de-la-Grave (82169)" in page
    assert 'lang="en"' in page  # the profile language applies when no cookie overrides it


def test_profile_rejects_unknown_commune_and_keeps_input(client, smtp, make_user, login, territory):
    user = make_user()
    login(user)
    response = client.post("/account/profile", data={"display_name": "Nouveau nom", "commune_id": "999999",
                                                     "category": "", "structure": "", "locale": ""})
    assert response.status_code == 200
    assert 'value="Nouveau nom"' in response.get_data(as_text=True)
    db.session.refresh(user)
    assert user.display_name != "Nouveau nom"


def test_change_password_needs_current_one_and_logs_out_other_browsers(app, client, smtp, make_user, login):
    user = make_user()
    login(user)
    other = app.test_client()
    other.post("/account/login", data={"email": user.email, "password": PASSWORD})
    refused = client.post("/account/password", data={
        "current_password": "pas le bon", "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert refused.status_code == 200
    assert 'id="current_password-error"' in refused.get_data(as_text=True)
    done = client.post("/account/password", data={
        "current_password": PASSWORD, "password": NEW_PASSWORD, "password_confirm": NEW_PASSWORD})
    assert done.status_code == 302
    assert client.get("/account/profile").status_code == 200  # this browser stays in
    assert other.get("/account/profile").status_code == 302  # the other one is out


def test_change_email_takes_effect_when_the_new_address_confirms(client, smtp, make_user, login):
    user = make_user("ancienne@example.org")
    login(user)
    response = client.post("/account/email", data={"email": "Nouvelle@Example.org", "password": PASSWORD})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.email == "ancienne@example.org"
    [message] = smtp.messages
    assert message["To"] == "Nouvelle@Example.org"
    client.get(link_in(message, "/account/email/confirm/"))
    db.session.refresh(user)
    assert user.email == "nouvelle@example.org"


def test_change_email_to_a_taken_address_reveals_nothing(client, smtp, make_user, login):
    make_user("prise@example.org")
    user = make_user("moi@example.org")
    login(user)
    response = client.post("/account/email", data={"email": "prise@example.org", "password": PASSWORD})
    assert response.status_code == 302  # same answer as for a free address
    [message] = smtp.messages
    assert "/account/email/confirm/" not in message.get_content()
    db.session.refresh(user)
    assert user.email == "moi@example.org"


def test_change_email_requires_password(client, smtp, make_user, login):
    user = make_user("moi@example.org")
    login(user)
    response = client.post("/account/email", data={"email": "autre@example.org", "password": "faux"})
    assert response.status_code == 200
    assert 'value="autre@example.org"' in response.get_data(as_text=True)
    assert smtp.messages == []
