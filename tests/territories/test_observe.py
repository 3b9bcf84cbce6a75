"""The observer's workspace at /t/<slug>/observe/: read-only, every link answers for an observer and none of
the pages it leads to asks for a coordinator's task; every role on the route."""
from __future__ import annotations

import pytest

from consult.extensions import db
from consult.surveys.releases.services import freeze_release
from tests.conftest import ROLES
from tests.rendering import RenderGuard
from tests.territories.workspace_fixtures import (  # noqa: F401
    answer,
    busy,
    english,
    main_links,
    make_fiche,
    post_forms,
    text_of,
)

URL = "/t/terres-des-confluences/observe/"
# The only POST form an observer's pages may hold: the header's logout (the language switch is a link), and on
# "Files and reports" the forms that ask for a file (the observer's own download, no coordinator's task).
ALLOWED_FORMS = {"/account/logout"}
FILE_FORMS = "/t/terres-des-confluences/files/"


def test_the_workspace_lists_released_surveys_only(as_role, busy):
    page = text_of(as_role("observer").get(URL))
    assert "Votre santé à Terres des Confluences" in page
    assert "Release 1 of" in page and "1 response" in page  # the release's count, not the live 3
    assert "Enquête santé des jeunes" not in page  # open, no release yet


def test_every_link_answers_for_an_observer_and_asks_for_no_coordinators_task(as_role, busy):
    client = as_role("observer")
    workspace = client.get(URL).get_data(as_text=True)
    links = main_links(workspace)
    assert len(links) >= 8
    assert not any("/manage/" in link and "/results" not in link and "/export/" not in link
                   and "/plan" not in link and "/synthesis" not in link and "/governance" not in link
                   for link in links), links
    problems = {}
    for link in links:
        response = client.get(link)
        if response.status_code != 200:
            problems[link] = response.status_code
        elif response.mimetype == "text/html":
            forms = {form for form in post_forms(response.get_data(as_text=True))
                     if not form.startswith(FILE_FORMS)} - ALLOWED_FORMS
            if forms:
                problems[link] = sorted(forms)
    assert problems == {}
    assert set(post_forms(workspace)) <= ALLOWED_FORMS


def test_the_workspace_leaves_live_survey_counts_out(as_role, busy):
    page = as_role("observer").get(URL).get_data(as_text=True)
    assert "Survey responses</th>" not in page
    assert "<th scope=\"col\" class=\"num\">Proposals</th>" in page


def test_a_new_release_shows_its_own_count(as_role, busy):
    from consult.core.models import utcnow

    answer(busy.due, "quatrième", now=utcnow())
    freeze_release(busy.due, now=utcnow())
    db.session.commit()
    page = text_of(as_role("observer").get(URL))
    assert "Release 2 of" in page and "4 responses" in page


def test_the_workspace_runs_no_query_while_rendering(app, as_role, busy):
    client = as_role("observer")
    with RenderGuard(app) as guard:
        assert client.get(URL).status_code == 200
        assert guard.while_rendering == []


EXPECTED = {"anonymous": 302, "participant": 403, "observer": 200, "other_coordinator": 403, "coordinator": 200,
            "admin": 200}


@pytest.mark.parametrize("role", ROLES)
def test_observers_coordinators_and_admins_open_the_workspace(as_role, role, territory):
    response = as_role(role).get(URL)
    assert response.status_code == EXPECTED[role]
    if role == "anonymous":
        assert "/account/login" in response.headers["Location"]
    if EXPECTED[role] == 200:
        assert "Follow Terres des Confluences" in text_of(response)


def test_an_unknown_territory_is_not_found(as_role, territory):
    assert as_role("observer").get("/t/nulle-part/observe/").status_code == 404
