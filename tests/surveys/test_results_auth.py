"""Who may open each results route: anonymous, participant, observer, coordinator of another territory,
coordinator, admin. Refusals change nothing."""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from consult.extensions import db
from consult.surveys.releases.models import SurveyRelease
from tests.conftest import ROLES
from tests.surveys.releasing import publish, release
from tests.surveys.test_results import add_thirty

SLUG = "terres-des-confluences"


@pytest.fixture
def thirty(survey):
    add_thirty(survey)
    return survey



def staff(survey, path: str = "") -> str:
    return f"/t/{SLUG}/manage/surveys/{survey.id}/results{path}"


def public(survey, path: str = "") -> str:
    return f"/t/{SLUG}/surveys/{survey.id}/results{path}"


def goes_to_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/account/login"


def published_at(survey):
    db.session.expire_all()
    return db.session.get(type(survey), survey.id).results_published_at


STAFF_PAGES = ["", "/breakdowns?question=Q3&by=sex", "/representativeness"]
READERS = {"observer", "coordinator", "admin"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", STAFF_PAGES)
def test_staff_results_pages(thirty, as_role, role, path):
    response = as_role(role).get(staff(thirty, path))

    if role == "anonymous":
        assert goes_to_login(response)
    else:
        assert response.status_code == (200 if role in READERS else 403)


@pytest.mark.parametrize("role", ROLES)
def test_free_texts_page(thirty, as_role, role):
    response = as_role(role).get(staff(thirty, "/texts?q=sante"))

    if role == "anonymous":
        assert goes_to_login(response)
    else:
        assert response.status_code == (200 if role in {"coordinator", "admin"} else 403)
        assert ("santé avant tout" in response.get_data(as_text=True)) is (response.status_code == 200)


@pytest.mark.parametrize("role", ROLES)
def test_publishing(thirty, as_role, role):
    response = as_role(role).post(staff(thirty, "/publish"))

    allowed = role in {"coordinator", "admin"}
    if role == "anonymous":
        assert goes_to_login(response)
    else:
        assert response.status_code == (302 if allowed else 403)
    assert (published_at(thirty) is not None) is allowed


@pytest.mark.parametrize("role", ROLES)
def test_unpublishing(thirty, as_role, role):
    publish(thirty)

    response = as_role(role).post(staff(thirty, "/unpublish"))

    allowed = role in {"coordinator", "admin"}
    if role == "anonymous":
        assert goes_to_login(response)
    else:
        assert response.status_code == (302 if allowed else 403)
    assert (published_at(thirty) is None) is allowed


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["", "/breakdowns?question=Q3&by=sex"])
def test_unpublished_public_results(thirty, as_role, role, path):
    release(thirty)

    response = as_role(role).get(public(thirty, path))

    assert response.status_code == (200 if role in READERS else 404)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["/preview", "/preview/breakdowns?question=Q3&by=sex"])
def test_preview_of_the_next_release(thirty, as_role, role, path):
    publish(thirty)

    response = as_role(role).get(public(thirty, path))

    assert response.status_code == (200 if role in {"coordinator", "admin"} else 404)
    assert ("notice-preview" in response.get_data(as_text=True)) is (response.status_code == 200)


@pytest.mark.parametrize("role", ROLES)
def test_making_a_release(thirty, as_role, role):
    response = as_role(role).post(staff(thirty, "/release"))

    allowed = role in {"coordinator", "admin"}
    if role == "anonymous":
        assert goes_to_login(response)
    else:
        assert response.status_code == (302 if allowed else 403)
    db.session.expire_all()
    assert db.session.scalar(select(func.count(SurveyRelease.id))) == (1 if allowed else 0)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", ["", "/breakdowns?question=Q3&by=sex"])
def test_published_public_results(thirty, as_role, role, path):
    publish(thirty)

    response = as_role(role).get(public(thirty, path))

    assert response.status_code == 200
    assert "notice-preview" not in response.get_data(as_text=True)


def test_unknown_survey_is_404(thirty, as_role):
    client = as_role("admin")

    assert client.get(f"/t/{SLUG}/manage/surveys/999/results").status_code == 404
    assert client.get(f"/t/{SLUG}/surveys/999/results").status_code == 404


def test_survey_of_another_territory_is_404_under_this_one(thirty, as_role, other_territory):
    client = as_role("admin")
    publish(thirty)

    assert client.get(f"/t/{other_territory.slug}/manage/surveys/{thirty.id}/results").status_code == 404
    assert client.get(f"/t/{other_territory.slug}/surveys/{thirty.id}/results").status_code == 404
