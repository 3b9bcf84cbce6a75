"""Who may open each route of the action plan: anonymous, participant, observer, coordinator of another territory,
coordinator, admin. Observers read every page without forms; refused writes change nothing. Publication and the
public plan; CSRF."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

from consult.extensions import db
from consult.synthesis.models import Avenant, Citation, CitationKind, Fiche, Step, StepState
from tests.conftest import PASSWORD, ROLES
from tests.synthesis.fiche_forms import PLAN, SLUG, fiche_form, fiches

READERS = {"observer", "coordinator", "admin"}
WRITERS = {"coordinator", "admin"}


def goes_to_login(response) -> bool:
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/account/login"


@pytest.fixture
def fiche(make_fiche):
    fiche = make_fiche()
    fiche.steps = [Step(title="Recruter", state=StepState.DONE, position=0), Step(title="Former", position=1)]
    db.session.commit()
    return fiche


def expect(response, role: str, allowed: set[str]) -> None:
    if role == "anonymous":
        assert goes_to_login(response)
    elif role in allowed:
        assert response.status_code in (200, 302), response.status_code
    else:
        assert response.status_code == 403


READ_PAGES = ["/", "/fiches/{id}/", "/fiches/{id}/versions", "/contracts/{contract}/avenants"]
WRITE_PAGES = ["/fiches/new", "/fiches/{id}/edit", "/fiches/{id}/citations"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("path", READ_PAGES + WRITE_PAGES)
def test_plan_pages_by_role(as_role, role, path, fiche):
    url = PLAN + path.format(id=fiche.id, contract=fiche.contract_id)

    response = as_role(role).get(url)

    expect(response, role, READERS if path in READ_PAGES else WRITERS)


@pytest.mark.parametrize("role", ROLES)
def test_compare_by_role(as_role, role, fiche, coordinator, login, client):
    login(coordinator)
    client.post(f"{PLAN}/fiches/{fiche.id}/edit", data=fiche_form(fiche.axis))
    client.post(f"{PLAN}/fiches/{fiche.id}/edit", data=fiche_form(fiche.axis, title="Autre titre"))

    response = as_role(role).get(f"{PLAN}/fiches/{fiche.id}/compare?a=1&b=2")

    expect(response, role, READERS)


def _posts(fiche, axis):
    return [
        ("/fiches/new", fiche_form(axis, token=None)),
        ("/fiches/{id}/edit", fiche_form(axis, title="Réécrite")),
        ("/fiches/{id}/publish", {}),
        ("/fiches/{id}/unpublish", {}),
        ("/contracts/{contract}/avenants", {"title": "Avenant 1"}),
        ("/axes/{axis}/draft", {"title": "Brouillon"}),
        ("/fiches/{id}/citations", {"group": ""}),
    ]


def state() -> tuple:
    db.session.expire_all()
    return (tuple((f.title, f.published_at, f.version_count) for f in fiches()),
            db.session.scalar(db.select(db.func.count()).select_from(Avenant)))


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("index", range(7))
def test_plan_writes_by_role(as_role, role, index, fiche):
    path, data = _posts(fiche, fiche.axis)[index]
    url = PLAN + path.format(id=fiche.id, contract=fiche.contract_id, axis=fiche.axis_id)
    data = {k: v for k, v in data.items() if v is not None}
    before = state()

    response = as_role(role).post(url, data=data)

    expect(response, role, WRITERS)
    if role not in WRITERS:
        assert state() == before


@pytest.mark.parametrize("role", ROLES)
def test_removing_a_citation_by_role(as_role, role, fiche):
    from consult.groups.models import WorkingGroup

    group = WorkingGroup(territory=fiche.territory, axis=fiche.axis, title="Santé mentale", mission="")
    fiche.citations = [Citation(kind=CitationKind.WORKING_GROUP, group=group)]
    db.session.commit()

    response = as_role(role).post(f"{PLAN}/fiches/{fiche.id}/citations/{fiche.citations[0].id}/remove")

    expect(response, role, WRITERS)
    assert db.session.scalar(db.select(db.func.count()).select_from(Citation)) == (0 if role in WRITERS else 1)


def test_an_observer_reads_the_fiche_without_any_edit_button_or_form(as_role, fiche):
    page = as_role("observer").get(f"{PLAN}/fiches/{fiche.id}/").get_data(as_text=True)

    assert fiche.title in page and "CPTS Quercy Garonne" in page
    assert "Edit the fiche" not in page and "Publish on the public plan" not in page
    assert "Cite more evidence" not in page
    assert page.count("<form") == page.count('action="/account/logout"')


def test_an_observer_sees_the_plan_index_without_write_links(as_role, fiche):
    page = as_role("observer").get(f"{PLAN}/").get_data(as_text=True)

    assert fiche.title in page and "50%" in page.replace("\u00a0", "").replace(" ", "")
    assert "Write a fiche" not in page


def test_the_plan_index_shows_each_fiche_with_number_status_lead_and_progress(as_role, fiche):
    page = as_role("coordinator").get(f"{PLAN}/").get_data(as_text=True)

    assert "1.1" in page and "Draft" in page and "CC Terres des Confluences" in page and "Not shown to the public" in page
    assert f'href="/t/{SLUG}/manage/plan/fiches/{fiche.id}/"' in page


# --- publication and the public plan ---------------------------------------------------------------------

@pytest.mark.parametrize("role", ROLES)
def test_a_draft_is_not_on_the_public_plan_for_anyone(as_role, role, fiche):
    client = as_role(role)

    assert client.get(f"/t/{SLUG}/plan/fiches/{fiche.id}").status_code == 404
    assert fiche.title not in client.get(f"/t/{SLUG}/plan/").get_data(as_text=True)


def test_a_published_fiche_is_on_the_public_plan_and_unpublishing_takes_it_off(client, as_coordinator, fiche):
    assert client.post(f"{PLAN}/fiches/{fiche.id}/publish").status_code == 302
    assert fiches()[0].published_at is not None

    anonymous = client.application.test_client()
    plan = anonymous.get(f"/t/{SLUG}/plan/").get_data(as_text=True)
    page = anonymous.get(f"/t/{SLUG}/plan/fiches/{fiche.id}")
    assert fiche.title in plan and "<progress" in plan and "Draft" in plan
    assert page.status_code == 200 and "€6,000" in page.get_data(as_text=True).replace("\u00a0", "")

    client.post(f"{PLAN}/fiches/{fiche.id}/unpublish")
    assert fiches()[0].published_at is None
    assert anonymous.get(f"/t/{SLUG}/plan/fiches/{fiche.id}").status_code == 404


def test_the_public_fiche_never_shows_tagged_texts(client, as_coordinator, fiche, make_user):
    from consult.synthesis.models import TaggedText, TextSource

    text = TaggedText(territory=fiche.territory, axis=fiche.axis, source=TextSource.MINUTES,
                      excerpt="Texte réservé aux coordinateurs")
    fiche.citations = [Citation(kind=CitationKind.TAGGED_TEXT, tagged_text=text)]
    fiche.published_at = fiche.created_at
    db.session.commit()

    public = client.application.test_client().get(f"/t/{SLUG}/plan/fiches/{fiche.id}").get_data(as_text=True)
    staff = client.get(f"{PLAN}/fiches/{fiche.id}/").get_data(as_text=True)
    assert "Texte réservé aux coordinateurs" not in public and "Texte réservé aux coordinateurs" in staff


def test_a_fiche_of_another_territory_is_a_404_for_its_coordinator(as_role, fiche):
    client = as_role("other_coordinator")
    assert client.get(f"/t/ouest-aveyron/manage/plan/fiches/{fiche.id}/").status_code == 404
    assert client.get(f"/t/ouest-aveyron/plan/fiches/{fiche.id}").status_code == 404


# --- CSRF ------------------------------------------------------------------------------------------------

@pytest.fixture
def csrf_site(csrf_app, make_territory, make_user):
    from consult.accounts.models import Role

    territory = make_territory()
    coordinator = make_user("coordination@example.org", role=(territory, Role.COORDINATOR))
    client = csrf_app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/account/login", data={"email": coordinator.email, "password": PASSWORD, "csrf_token": token})
    return client, territory


def test_a_fiche_form_without_csrf_token_is_refused(csrf_site):
    client, territory = csrf_site
    axis = territory.current_contract.active_axes[0]

    response = client.post(f"{PLAN}/fiches/new", data=fiche_form(axis))

    assert response.status_code == 400
    assert fiches() == []


def test_a_fiche_form_with_its_token_is_accepted(csrf_site):
    client, territory = csrf_site
    axis = territory.current_contract.active_axes[0]
    page = client.get(f"{PLAN}/fiches/new").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    response = client.post(f"{PLAN}/fiches/new", data={**fiche_form(axis), "csrf_token": token})

    assert response.status_code == 302 and len(fiches()) == 1


@pytest.mark.parametrize("path", ["/fiches/{id}/publish", "/axes/{axis}/draft", "/contracts/{contract}/avenants"])
def test_buttons_without_csrf_token_are_refused(csrf_site, path):
    client, territory = csrf_site
    contract = territory.current_contract
    fiche = Fiche(contract=contract, axis=contract.axes[0], rank=1, title="Une fiche")
    db.session.add(fiche)
    db.session.commit()

    response = client.post(PLAN + path.format(id=fiche.id, axis=fiche.axis_id, contract=contract.id),
                           data={"title": "Avenant 1"})

    assert response.status_code in (400, 422)
    assert fiches()[0].published_at is None and len(fiches()) == 1
    assert db.session.scalar(db.select(db.func.count()).select_from(Avenant)) == 0
