"""Who may use each coordinator and admin page, and each management service; refusals change nothing."""
from __future__ import annotations

import datetime as dt
import io
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import parse_qs, urlsplit

import pytest
from flask_login import AnonymousUserMixin
from sqlalchemy import select, text
from werkzeug.routing import AnyConverter

from consult.accounts import services as accounts
from consult.accounts.models import Role, TerritoryRole, User
from consult.accounts.services import hash_password
from consult.errors import PermissionDenied
from consult.extensions import db
from consult.territories import services
from consult.territories.models import Axis, Contract, Epci, Objective, Phase, Territory
from tests.conftest import NOW, PASSWORD, ROLES

A = "terres-des-confluences"
LIGHT = "gascogne-toulousaine"
UNTRACKED_TABLES = {"login_sessions", "rate_limit_counters"}  # written by logging in, not by the pages tested
_addresses = itertools.count(10)


# --- stored state ---------------------------------------------------------------------------------

def rows() -> dict[str, list]:
    """Every row of every domain table, as this session sees it (pending changes flushed).

    On PostgreSQL in one statement, each row as PostgreSQL writes it as text (a SELECT per table was ~90 round trips,
    60 ms a snapshot: half of the role matrices' time there); on SQLite, in process, a SELECT per table."""
    db.session.flush()
    tables = [table for table in db.metadata.sorted_tables if table.name not in UNTRACKED_TABLES]
    if db.session.get_bind().dialect.name == "postgresql":
        found: dict[str, list] = {table.name: [] for table in tables}
        everything = " UNION ALL ".join(f"SELECT '{table.name}', row_::text FROM \"{table.name}\" AS row_"
                                        for table in tables)
        for name, row in db.session.execute(text(everything)):
            found[name].append(row)
        return {name: sorted(found_rows) for name, found_rows in found.items()}
    return {
        table.name: sorted((tuple(row) for row in db.session.execute(table.select())), key=repr)
        for table in tables
    }


def snapshot() -> dict[str, list[tuple]]:
    """Every committed row (what a refused request must leave as it was)."""
    db.session.rollback()  # the test and its requests share one session: end it as a request would
    return rows()


# --- the world every test starts from -----------------------------------------------------------

@pytest.fixture
def world(territory, make_territory, make_user):
    """Terres des Confluences with two contracts, an archived objective and an observer to revoke."""
    contract = territory.current_contract
    first, second = contract.axes
    archived = Objective(title="Lancer un foodtruck social et solidaire", position=0,
                         archived_at=dt.datetime(2026, 3, 2, 9, 30))
    second.objectives = [archived]
    older = Contract(territory=territory, generation=1, title="CLS Terres des Confluences 2019-2022",
                     start_date=dt.date(2019, 8, 1), end_date=dt.date(2022, 12, 31), phase=Phase.ENDED)
    db.session.add(older)
    db.session.commit()
    light = make_territory(LIGHT, "Gascogne Toulousaine", siren="243200417",
                           epci_name="CC de la Gascogne Toulousaine", with_contract=False)
    referent = make_user("referente.ars@example.org", display_name="Référente ARS", role=(territory, Role.OBSERVER))
    make_user("habitante@example.org", display_name="Habitante de L'Isle-Jourdain")
    return SimpleNamespace(
        territory=territory, light=light, contract=contract, older=older, first_axis=first, second_axis=second,
        objective=first.objectives[0], archived=archived,
        referent_role=referent.roles[0],
    )


def make_role_user(make_user, world, role: str) -> User | None:
    """The account playing `role` towards Terres des Confluences (None: anonymous)."""
    if role == "anonymous":
        return None
    if role == "participant":
        return make_user(display_name="Participante de Moissac")
    if role == "observer":
        return make_user(display_name="Observatrice ORS", role=(world.territory, Role.OBSERVER))
    if role == "other_coordinator":
        return make_user(display_name="Coordination Gascogne", role=(world.light, Role.COORDINATOR))
    if role == "coordinator":
        return make_user(display_name="Coordination Confluences", role=(world.territory, Role.COORDINATOR))
    if role == "admin":
        return make_user(display_name="Administration du site", admin=True)
    raise ValueError(role)


def browser(app, user: User | None):
    """A fresh test client (its own address, so login rate limits never bite), logged in as `user`."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"192.0.2.{next(_addresses) % 250}"
    if user is not None:
        response = client.post("/account/login", data={"email": user.email, "password": PASSWORD})
        assert response.status_code == 302
    return client


# --- the matrix ---------------------------------------------------------------------------------

def territory_form(w) -> dict:
    return {"name": "Terres des Confluences et de Garonne", "slug": A, "presentation": "Au confluent du Tarn.",
            "epcis": "CC Terres des Confluences; 200066322", "controller": "CC Terres des Confluences",
            "dpo_contact": "dpo@confluences.example.org", "contact_email": "cls@confluences.example.org"}


def contract_form(w, **changes) -> dict:
    return {"generation": "2", "title": "CLS 2 Terres des Confluences 2023-2028", "start_date": "2023-01-01",
            "end_date": "2028-12-31", "phase": "evaluation", "summary": "Prolongé d'un an.",
            "signatories": "ARS Occitanie\nCC Terres des Confluences", "partners": "CPTS Quercy Garonne",
            **changes}


def communes_file(w) -> dict:
    data = "insee_code,name,population,population_year\n82118,Montaïn,95,2024\n".encode()
    return {"file": (io.BytesIO(data), "communes.csv")}


@dataclass(frozen=True)
class Case:
    """One request to a protected page; `ok` is the status a permitted user gets."""

    name: str
    endpoint: str
    method: str
    path: Callable
    data: Callable | None = None
    ok: int = 200
    admin_only: bool = False
    multipart: bool = False

    def send(self, client, w):
        path = self.path(w)
        if self.method == "GET":
            return client.get(path)
        kwargs = {"content_type": "multipart/form-data"} if self.multipart else {}
        return client.post(path, data=self.data(w) if self.data else {}, **kwargs)


def m(path: str) -> str:
    return f"/t/{A}/manage/{path}"


CASES = [
    Case("dashboard", "manage.dashboard", "GET", lambda w: m("")),
    Case("edit-territory-page", "manage.edit_territory", "GET", lambda w: m("edit")),
    Case("edit-territory", "manage.edit_territory", "POST", lambda w: m("edit"), territory_form, 302),
    Case("new-contract-page", "manage.new_contract", "GET", lambda w: m("contracts/new")),
    Case("new-contract", "manage.new_contract", "POST", lambda w: m("contracts/new"),
         lambda w: contract_form(w, generation="3", title="CLS 3 Terres des Confluences 2028-2032",
                                 start_date="2028-01-01", end_date="2032-12-31", template="occitanie"), 302),
    Case("edit-contract-page", "manage.edit_contract", "GET", lambda w: m(f"contracts/{w.contract.id}/edit")),
    Case("edit-contract", "manage.edit_contract", "POST", lambda w: m(f"contracts/{w.contract.id}/edit"),
         contract_form, 302),
    Case("make-current", "manage.make_current", "POST", lambda w: m(f"contracts/{w.older.id}/current"), None, 302),
    Case("axes-page", "manage.contract_axes", "GET", lambda w: m(f"contracts/{w.contract.id}/axes")),
    Case("add-axis", "manage.contract_axes", "POST", lambda w: m(f"contracts/{w.contract.id}/axes"),
         lambda w: {"axis-title": "Santé mentale : prévenir le suicide"}, 302),
    Case("add-objective", "manage.add_objective", "POST", lambda w: m(f"axes/{w.first_axis.id}/objectives"),
         lambda w: {"objective-title": "Ouvrir une maison de santé à Saint-Nicolas-de-la-Grave"}, 302),
    Case("edit-axis-page", "manage.edit_item", "GET", lambda w: m(f"axes/{w.first_axis.id}/edit")),
    Case("edit-objective-page", "manage.edit_item", "GET", lambda w: m(f"objectives/{w.objective.id}/edit")),
    Case("edit-axis", "manage.edit_item", "POST", lambda w: m(f"axes/{w.first_axis.id}/edit"),
         lambda w: {"title": "Mettre en relation élus et soignants"}, 302),
    Case("edit-objective", "manage.edit_item", "POST", lambda w: m(f"objectives/{w.objective.id}/edit"),
         lambda w: {"title": "Accueillir les internes en médecine"}, 302),
    Case("axis-up", "manage.item_action", "POST", lambda w: m(f"axes/{w.second_axis.id}/up"), None, 302),
    Case("objective-down", "manage.item_action", "POST", lambda w: m(f"objectives/{w.objective.id}/down"),
         None, 302),
    Case("axis-archive", "manage.item_action", "POST", lambda w: m(f"axes/{w.second_axis.id}/archive"), None, 302),
    Case("objective-restore", "manage.item_action", "POST", lambda w: m(f"objectives/{w.archived.id}/restore"),
         None, 302),
    Case("communes-page", "manage.communes", "GET", lambda w: m("communes")),
    Case("import-communes", "manage.communes", "POST", lambda w: m("communes"), communes_file, 302,
         multipart=True),
    Case("roles-page", "manage.roles", "GET", lambda w: m("roles")),
    Case("appoint-observer", "manage.roles", "POST", lambda w: m("roles"),
         lambda w: {"email": "habitante@example.org", "role": "observer"}, 302),
    Case("revoke-observer", "manage.revoke_role", "POST", lambda w: m(f"roles/{w.referent_role.id}/revoke"),
         None, 302),
    Case("admin-page", "admin.territories", "GET", lambda w: "/admin/", admin_only=True),
    Case("open-territory", "admin.territories", "POST", lambda w: "/admin/",
         lambda w: {"name": "Grand-Figeac", "slug": "grand-figeac", "epcis": "CC du Grand-Figeac; 200067361"},
         302, admin_only=True),
]


def protected_rules(app):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint.split(".")[0] in ("manage", "admin")]


def test_matrix_covers_every_manage_and_admin_route(app, world):
    adapter = app.url_map.bind("localhost")
    matched: dict[tuple[str, str], list[dict]] = {}
    for case in CASES:
        endpoint, args = adapter.match(case.path(world), method=case.method)
        assert endpoint == case.endpoint, case.name
        matched.setdefault((endpoint, case.method), []).append(args)

    routes = {(rule.endpoint, method) for rule in protected_rules(app)
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert set(matched) == routes


def test_matrix_covers_every_value_of_choice_segments(app, world):
    # e.g. /<any(axes, objectives):kind>/<id>/<any(up, down, archive, restore):action>: each value is tried.
    adapter = app.url_map.bind("localhost")
    seen: dict[tuple[str, str], set[str]] = {}
    for case in CASES:
        endpoint, args = adapter.match(case.path(world), method=case.method)
        for name, value in args.items():
            seen.setdefault((endpoint, name), set()).add(value)

    for rule in protected_rules(app):
        for name, converter in rule._converters.items():
            if isinstance(converter, AnyConverter):
                assert seen[(rule.endpoint, name)] == converter.items, (rule.rule, name)


def expect_login_redirect(response, path: str, method: str = "GET") -> None:
    """To the login page; a page is returned to afterwards, a form's action URL is not (it answers POST only)."""
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.path == "/account/login"
    assert parse_qs(location.query).get("next") == ([path] if method == "GET" else None)


@pytest.mark.parametrize("role", ["anonymous", "participant", "observer", "other_coordinator"])
def test_refused_role_gets_no_manage_or_admin_page_and_changes_nothing(app, world, make_user, subtests, role):
    client = browser(app, make_role_user(make_user, world, role))
    for case in CASES:
        with subtests.test(case=case.name):
            before = snapshot()

            response = case.send(client, world)

            if role == "anonymous":
                expect_login_redirect(response, case.path(world), case.method)
            else:
                assert response.status_code == 403
            assert snapshot() == before


def test_coordinator_gets_no_admin_page_and_changes_nothing(app, world, make_user, subtests):
    client = browser(app, make_role_user(make_user, world, "coordinator"))
    for case in (c for c in CASES if c.admin_only):
        with subtests.test(case=case.name):
            before = snapshot()

            response = case.send(client, world)

            assert response.status_code == 403
            assert snapshot() == before


@pytest.mark.parametrize("role", ["coordinator", "admin"])
def test_coordinator_and_admin_see_every_manage_page(app, world, make_user, subtests, role):
    client = browser(app, make_role_user(make_user, world, role))
    for case in (c for c in CASES if c.method == "GET" and not c.admin_only):
        with subtests.test(case=case.name):
            response = case.send(client, world)

            assert response.status_code == 200


@pytest.mark.parametrize("role", ["coordinator", "admin"])
@pytest.mark.parametrize("case", [c for c in CASES if c.method == "POST" and not c.admin_only],
                         ids=lambda c: c.name)
def test_coordinator_and_admin_may_change_the_territory(app, world, make_user, case, role):
    client = browser(app, make_role_user(make_user, world, role))
    before = snapshot()

    response = case.send(client, world)

    assert response.status_code == case.ok, response.get_data(as_text=True)[:300]
    assert snapshot() != before


def test_admin_sees_the_admin_page(app, world, make_user):
    client = browser(app, make_role_user(make_user, world, "admin"))

    response = client.get("/admin/")

    assert response.status_code == 200
    assert "Gascogne Toulousaine" in response.get_data(as_text=True)


def test_admin_opens_a_territory(app, world, make_user):
    client = browser(app, make_role_user(make_user, world, "admin"))

    response = client.post("/admin/", data={"name": "Grand-Figeac", "slug": "grand-figeac",
                                            "epcis": "CC du Grand-Figeac; 200067361"})

    assert response.status_code == 302
    assert response.headers["Location"] == "/t/grand-figeac/manage/roles"
    opened = db.session.scalar(select(Territory).where(Territory.slug == "grand-figeac"))
    assert opened.name == "Grand-Figeac"
    assert [(e.name, e.siren) for e in opened.epcis] == [("CC du Grand-Figeac", "200067361")]


def test_unknown_territory_manage_page_is_404(app, world, make_user):
    client = browser(app, make_role_user(make_user, world, "admin"))

    assert client.get("/t/territoire-inconnu/manage/").status_code == 404


# --- appointing: coordinators are appointed by admins only ------------------------------------------

def roles_of(territory) -> list[tuple[str, Role]]:
    db.session.expire_all()
    return sorted((r.user.email, r.role) for r in db.session.scalars(
        select(TerritoryRole).where(TerritoryRole.territory_id == territory.id)))


def test_coordinator_cannot_appoint_a_coordinator(app, world, make_user):
    client = browser(app, make_role_user(make_user, world, "coordinator"))
    before = snapshot()

    response = client.post(m("roles"), data={"email": "habitante@example.org", "role": "coordinator"})

    assert response.status_code == 200  # the form comes back: "coordinator" is not one of its choices
    assert snapshot() == before


def test_coordinator_cannot_demote_a_coordinator_to_observer(app, world, make_user):
    colleague = make_user("coordination.adjointe@example.org", role=(world.territory, Role.COORDINATOR))
    client = browser(app, make_role_user(make_user, world, "coordinator"))
    before = snapshot()

    response = client.post(m("roles"), data={"email": colleague.email, "role": "observer"})

    assert response.status_code == 200
    assert snapshot() == before
    assert ("coordination.adjointe@example.org", Role.COORDINATOR) in roles_of(world.territory)


def test_coordinator_cannot_revoke_a_coordinator(app, world, make_user):
    colleague = make_user("coordination.adjointe@example.org", role=(world.territory, Role.COORDINATOR))
    client = browser(app, make_role_user(make_user, world, "coordinator"))
    before = snapshot()

    response = client.post(m(f"roles/{colleague.roles[0].id}/revoke"))

    assert response.status_code == 302
    assert response.headers["Location"] == m("roles")
    assert snapshot() == before


def test_coordinator_cannot_change_the_territory_address(app, world, make_user):
    client = browser(app, make_role_user(make_user, world, "coordinator"))
    before = snapshot()

    response = client.post(m("edit"), data={**territory_form(world), "slug": "confluences"})

    assert response.status_code == 200
    assert snapshot() == before


def test_admin_can_appoint_a_coordinator(app, world, make_user):
    client = browser(app, make_role_user(make_user, world, "admin"))

    response = client.post(m("roles"), data={"email": "habitante@example.org", "role": "coordinator"})

    assert response.status_code == 302
    assert ("habitante@example.org", Role.COORDINATOR) in roles_of(world.territory)


def test_coordinator_can_appoint_an_observer(app, world, make_user):
    client = browser(app, make_role_user(make_user, world, "coordinator"))

    response = client.post(m("roles"), data={"email": "Habitante@Example.org", "role": "observer"})

    assert response.status_code == 302
    assert ("habitante@example.org", Role.OBSERVER) in roles_of(world.territory)


# --- the service layer refuses on its own --------------------------------------------------------

SERVICE_CALLS = {
    "create_territory": lambda actor, w: services.create_territory(
        actor, services.TerritoryData(name="Grand-Figeac", slug="grand-figeac")),
    "update_territory": lambda actor, w: services.update_territory(
        actor, w.territory, services.TerritoryData(name="Confluences", slug=A)),
    "set_epcis": lambda actor, w: services.set_epcis(actor, w.territory, [("CC Lomagne", "200066926")]),
    "create_contract": lambda actor, w: services.create_contract(actor, w.territory, services.ContractData(
        3, "CLS 3", dt.date(2028, 1, 1), dt.date(2032, 12, 31), Phase.DIAGNOSTIC), template="occitanie"),
    "update_contract": lambda actor, w: services.update_contract(actor, w.contract, services.ContractData(
        2, "CLS 2 modifié", dt.date(2023, 1, 1), dt.date(2027, 12, 31), Phase.EVALUATION)),
    "set_current_contract": lambda actor, w: services.set_current_contract(actor, w.older),
    "add_axis": lambda actor, w: services.add_axis(actor, w.contract, services.ItemData("x")),
    "add_objective": lambda actor, w: services.add_objective(actor, w.first_axis, services.ItemData("x")),
    "update_axis": lambda actor, w: services.update_item(actor, w.first_axis, services.ItemData("x")),
    "update_objective": lambda actor, w: services.update_item(actor, w.objective, services.ItemData("x")),
    "move_axis": lambda actor, w: services.move_item(actor, w.second_axis, -1),
    "archive_objective": lambda actor, w: services.archive_item(actor, w.objective, now=NOW),
    "restore_objective": lambda actor, w: services.restore_item(actor, w.archived),
    "import_communes": lambda actor, w: services.import_communes(
        actor, w.territory, b"insee_code,name,population,population_year\n82118,Monta\xc3\xafn,95,2024\n"),
    "appoint_observer": lambda actor, w: accounts.appoint(actor, w.territory, "habitante@example.org",
                                                          Role.OBSERVER),
    "revoke_observer": lambda actor, w: accounts.revoke(actor, w.referent_role),
}
ADMIN_ONLY_CALLS = {"create_territory"}


def actor_for(role: str, make_user, world):
    if role == "anonymous":
        return AnonymousUserMixin()
    return make_role_user(make_user, world, role)


@pytest.mark.parametrize("role", ["anonymous", "participant", "observer", "other_coordinator"])
def test_services_refuse_unauthorised_actors(world, make_user, subtests, role):
    actor = actor_for(role, make_user, world)
    for name, call in SERVICE_CALLS.items():
        with subtests.test(service=name):
            before = snapshot()

            with pytest.raises(PermissionDenied):
                call(actor, world)

            assert rows() == before  # nothing added or changed, even before a commit
            db.session.rollback()


def test_services_refuse_no_actor_at_all(world):
    with pytest.raises(PermissionDenied):
        services.add_axis(None, world.contract, services.ItemData("x"))


def test_services_let_the_coordinator_act(world, make_user, subtests):
    actor = make_role_user(make_user, world, "coordinator")
    for name, call in SERVICE_CALLS.items():
        if name in ADMIN_ONLY_CALLS:
            continue
        with subtests.test(service=name):
            before = snapshot()

            call(actor, world)

            assert rows() != before
            db.session.rollback()


def test_only_admins_open_territories_and_appoint_or_revoke_coordinators(world, make_user):
    coordinator = make_role_user(make_user, world, "coordinator")
    colleague = make_user("coordination.adjointe@example.org", role=(world.territory, Role.COORDINATOR))
    before = snapshot()

    with pytest.raises(PermissionDenied):
        services.create_territory(coordinator, services.TerritoryData(name="Grand-Figeac", slug="grand-figeac"))
    with pytest.raises(PermissionDenied):
        accounts.appoint(coordinator, world.territory, "habitante@example.org", Role.COORDINATOR)
    with pytest.raises(PermissionDenied):
        accounts.appoint(coordinator, world.territory, colleague.email, Role.OBSERVER)
    with pytest.raises(PermissionDenied):
        accounts.revoke(coordinator, colleague.roles[0])
    with pytest.raises(PermissionDenied):
        services.update_territory(coordinator, world.territory, services.TerritoryData(name="Confluences",
                                                                                       slug="confluences"))
    assert rows() == before


# --- a coordinator of A never reaches B's objects through A's pages ------------------------------

FOREIGN = [
    ("GET", lambda b: f"contracts/{b.contract.id}/edit", None),
    ("POST", lambda b: f"contracts/{b.contract.id}/edit", lambda: contract_form(None, generation="1")),
    ("POST", lambda b: f"contracts/{b.contract.id}/current", None),
    ("GET", lambda b: f"contracts/{b.contract.id}/axes", None),
    ("POST", lambda b: f"contracts/{b.contract.id}/axes", lambda: {"axis-title": "Intrusion"}),
    ("POST", lambda b: f"axes/{b.axis.id}/objectives", lambda: {"objective-title": "Intrusion"}),
    ("GET", lambda b: f"axes/{b.axis.id}/edit", None),
    ("POST", lambda b: f"axes/{b.axis.id}/edit", lambda: {"title": "Intrusion"}),
    ("GET", lambda b: f"objectives/{b.objective.id}/edit", None),
    ("POST", lambda b: f"objectives/{b.objective.id}/edit", lambda: {"title": "Intrusion"}),
    ("POST", lambda b: f"axes/{b.axis.id}/archive", None),
    ("POST", lambda b: f"axes/{b.second_axis.id}/up", None),
    ("POST", lambda b: f"objectives/{b.objective.id}/archive", None),
    ("POST", lambda b: f"roles/{b.role.id}/revoke", None),
]


@pytest.fixture
def foreign(other_territory, make_user):
    """Ouest Aveyron's contract, axes, objective and an observer appointment."""
    contract = other_territory.current_contract
    contract.is_current = False  # so that "make current" would change something if it were reachable
    db.session.commit()
    observer = make_user("observatoire.aveyron@example.org", role=(other_territory, Role.OBSERVER))
    return SimpleNamespace(contract=contract, axis=contract.axes[0], second_axis=contract.axes[1],
                           objective=contract.axes[0].objectives[0], role=observer.roles[0])


def test_coordinator_cannot_reach_another_territory_objects_through_its_own_address(
        app, territory, foreign, make_user, subtests):
    client = browser(app, make_user(role=(territory, Role.COORDINATOR)))
    for method, path, data in FOREIGN:
        url = m(path(foreign))
        with subtests.test(method=method, url=url):
            before = snapshot()

            response = client.get(url) if method == "GET" else client.post(url, data=data() if data else {})

            assert response.status_code == 404
            assert snapshot() == before


# --- CSRF -----------------------------------------------------------------------------------------

def csrf_token(page: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page)
    assert match, "no CSRF token in the page"
    return match.group(1)


@pytest.fixture
def csrf_coordinator(csrf_app):
    """Terres des Confluences (one contract, one axis) and its coordinator, logged in on a CSRF-checking app."""
    territory = Territory(slug=A, name="Terres des Confluences")
    territory.epcis = [Epci(name="CC Terres des Confluences", siren="200066322")]
    contract = Contract(territory=territory, generation=2, title="CLS 2 Terres des Confluences 2023-2027",
                        start_date=dt.date(2023, 1, 1), end_date=dt.date(2027, 12, 31), phase=Phase.SIGNED,
                        is_current=True)
    contract.axes = [Axis(title="Développer l'essor d'actions complémentaires innovantes", position=0)]
    user = User(email="coordination.confluences@example.org", display_name="Coordination Confluences",
                password_hash=hash_password(PASSWORD), privacy_consent_at=NOW, email_confirmed_at=NOW)
    db.session.add_all([territory, contract, user, TerritoryRole(user=user, territory=territory,
                                                                 role=Role.COORDINATOR)])
    db.session.commit()
    client = csrf_app.test_client()
    token = csrf_token(client.get("/account/login").get_data(as_text=True))
    response = client.post("/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return SimpleNamespace(client=client, contract=contract, axis=contract.axes[0])


def test_manage_post_without_csrf_token_is_refused(csrf_coordinator):
    c = csrf_coordinator
    before = snapshot()

    response = c.client.post(m(f"contracts/{c.contract.id}/axes"), data={"axis-title": "Santé mentale"})

    assert response.status_code == 400
    assert snapshot() == before


def test_action_button_without_csrf_token_is_refused(csrf_coordinator):
    c = csrf_coordinator
    before = snapshot()

    response = c.client.post(m(f"axes/{c.axis.id}/archive"))

    assert response.status_code == 400
    assert snapshot() == before


def test_manage_post_with_a_wrong_csrf_token_is_refused(csrf_coordinator):
    c = csrf_coordinator
    before = snapshot()

    response = c.client.post(m(f"contracts/{c.contract.id}/axes"),
                             data={"axis-title": "Santé mentale", "csrf_token": "jeton-forgé"})

    assert response.status_code == 400
    assert snapshot() == before


def test_manage_post_with_the_page_csrf_token_is_accepted(csrf_coordinator):
    c = csrf_coordinator
    page = c.client.get(m(f"contracts/{c.contract.id}/axes")).get_data(as_text=True)

    response = c.client.post(m(f"contracts/{c.contract.id}/axes"),
                             data={"axis-title": "Santé mentale", "csrf_token": csrf_token(page)})

    assert response.status_code == 302
    assert db.session.scalar(select(Axis.title).where(Axis.position == 1)) == "Santé mentale"


# --- public and account pages ---------------------------------------------------------------------

PUBLIC_PAGES = ["/", "/privacy", "/legal", "/accessibility", "/healthz", f"/t/{A}/", f"/t/{A}/axes",
                f"/t/{A}/contracts/1", "/account/register", "/account/login", "/account/reset", "/account/confirm",
                "/account/check-inbox", "/open-data", "/api/v1/", "/api/v1/openapi.json", "/api/v1/territories"]
ACCOUNT_PAGES = ["/account/profile", "/account/password", "/account/email", "/account/participation",
                 "/account/data", "/account/data/download", "/account/data/delete"]


def test_every_get_page_outside_manage_and_admin_is_in_the_lists(app):
    pages = {r.rule for r in app.url_map.iter_rules()
             if "GET" in r.methods and "<" not in r.rule and not r.rule.startswith(("/admin", "/static"))}
    assert pages == {p for p in PUBLIC_PAGES + ACCOUNT_PAGES if "/t/" not in p}


@pytest.mark.parametrize("role", ROLES)
def test_public_pages_answer_every_role(app, world, make_user, subtests, role):
    client = browser(app, make_role_user(make_user, world, role))
    for path in PUBLIC_PAGES:
        with subtests.test(path=path):
            response = client.get(path)
            # A logged-in person asking for the login page is sent home; everything else is a page.
            expected = 302 if (path == "/account/login" and role != "anonymous") else 200
            assert response.status_code == expected


@pytest.mark.parametrize("role", ROLES)
def test_account_pages_need_a_login(app, world, make_user, subtests, role):
    client = browser(app, make_role_user(make_user, world, role))
    for path in ACCOUNT_PAGES:
        with subtests.test(path=path):
            response = client.get(path)
            if role == "anonymous":
                expect_login_redirect(response, path)
            else:
                assert response.status_code == 200
