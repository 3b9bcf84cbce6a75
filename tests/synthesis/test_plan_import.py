"""Importing an action plan from a spreadsheet: a good file in each format creates the fiches with their partners,
funding, indicators and values, a first version and an import status change; every bad line is listed and nothing
is imported; importing twice duplicates nothing; the axis-creation option; the template; every role; bad files."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile

import openpyxl
import pytest
from sqlalchemy import func, select

from consult.exports.writers import write_ods
from consult.extensions import db
from consult.synthesis.models import (
    Fiche,
    FicheStatus,
    FicheVersion,
    FollowUpNote,
    FundingKind,
    IndicatorKind,
    IndicatorValue,
    PartnerRole,
    Priority,
    StatusChange,
)
from consult.territories.models import Axis, Contract, Objective, Phase, Territory
from tests.conftest import ROLES

SLUG = "terres-des-confluences"
PAGE = f"/t/{SLUG}/manage/plan/import"
HEADER = ["Axe", "Objectif", "Numéro", "Intitulé", "Objectif général", "Objectifs opérationnels", "Porteur",
          "Contact porteur", "Partenaires", "Financeurs", "Indicateurs", "Valeurs des indicateurs", "Public cible",
          "Communes", "Début", "Fin", "Statut", "Priorité", "Participation des habitants"]
GOOD = [
    ["Axe 1", "Objectif 1", "1.3", "Accueillir les internes en médecine", "Attirer de jeunes médecins",
     "Loger les internes\nFaire découvrir le territoire", "CC Terres des Confluences", "Coordinatrice CLS",
     "CPTS Quercy Garonne; Conseil départemental de Tarn-et-Garonne",
     "ARS Occitanie (FIR): 6 000\nCommune de Castelsarrasin: 12000 (investissement)",
     "processus: Nombre d'internes accueillis — 8 internes\nimpact: Médecins installés", "2021: 3\n#2 2022: 1",
     "Professionnels de santé\nInternes en médecine", "82033; 82112", "2020", "06/2022", "Réalisée", "Élevée",
     "Consultation"],
    ["Développer l'essor d'actions complémentaires innovantes", "", "", "Un foodtruck santé dans les villages", "",
     "", "", "", "", "", "", "", "", "Tout le territoire", "", "", "abandonnée", "", ""],
]


def csv_file(rows, *, delimiter=";", bom=True) -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return (("\ufeff" if bom else "") + buffer.getvalue()).encode()


def xlsx_file(rows) -> bytes:
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    target = io.BytesIO()
    workbook.save(target)
    return target.getvalue()


def ods_file(rows) -> bytes:
    target = io.BytesIO()
    write_ods([("Plan", rows)], target)
    return target.getvalue()


MAKERS = {"csv": csv_file, "xlsx": xlsx_file, "ods": ods_file}


def upload(client, data: bytes, name="plan.csv", *, contract=None, create=False):
    # The current contract of the page's territory (other territories may have one too: without the join, which
    # row PostgreSQL returned first depended on what earlier tests had deleted).
    contract = contract or db.session.scalar(select(Contract.id).join(Territory).where(
        Contract.is_current, Territory.slug == SLUG))
    form = {"file": (io.BytesIO(data), name), "contract": str(contract)}
    if create:
        form["create_missing"] = "y"
    return client.post(PAGE, data=form, content_type="multipart/form-data")


def fiche_count() -> int:
    return db.session.scalar(select(func.count(Fiche.id)))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_a_good_file_in_each_format_creates_every_fiche_with_its_content(client, as_coordinator, fmt):
    response = upload(client, MAKERS[fmt]([HEADER, *GOOD]), f"plan.{fmt}")

    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    first = db.session.scalar(select(Fiche).where(Fiche.title == "Accueillir les internes en médecine"))
    assert (first.number, first.objective.title) == ("1.3", "Accueillir les nouveaux praticiens de santé")
    assert first.specific_objectives == ["Loger les internes", "Faire découvrir le territoire"]
    assert [(p.role, p.organisation, p.contact) for p in first.partners] == [
        (PartnerRole.LEAD, "CC Terres des Confluences", "Coordinatrice CLS"),
        (PartnerRole.PARTNER, "CPTS Quercy Garonne", ""),
        (PartnerRole.PARTNER, "Conseil départemental de Tarn-et-Garonne", "")]
    assert [(f.funder, f.kind, f.amount) for f in first.fundings] == [
        ("ARS Occitanie (FIR)", FundingKind.OPERATING, 6000),
        ("Commune de Castelsarrasin", FundingKind.INVESTMENT, 12000)]
    assert [(i.kind, i.name, i.target, i.unit) for i in first.indicators] == [
        (IndicatorKind.PROCESS, "Nombre d'internes accueillis", 8, "internes"),
        (IndicatorKind.IMPACT, "Médecins installés", None, "")]
    assert [(v.year, v.value) for v in first.indicators[0].values] == [(2021, 3)]
    assert [(v.year, v.value) for v in first.indicators[1].values] == [(2022, 1)]
    assert first.publics == ["health_professionals"] and first.publics_detail == "Internes en médecine"
    assert sorted(c.insee_code for c in first.communes) == ["82033", "82112"] and not first.whole_territory
    assert (first.starts_on.isoformat(), first.ends_on.isoformat()) == ("2020-01-01", "2022-06-30")
    assert (first.status, first.priority) == (FicheStatus.DONE, Priority.HIGH)
    assert first.participation_level.value == "consultation"
    second = db.session.scalar(select(Fiche).where(Fiche.title == "Un foodtruck santé dans les villages"))
    assert (second.number, second.status, second.whole_territory) == ("2.1", FicheStatus.ABANDONED, True)
    # A first version of each, the status recorded without a decision, and a note saying where it came from.
    assert db.session.scalar(select(func.count(FicheVersion.id))) == 2
    change = db.session.scalar(select(StatusChange).where(StatusChange.fiche_id == first.id))
    assert (change.status, change.decision_id, change.previous) == (FicheStatus.DONE, None, None)
    note = db.session.scalar(select(FollowUpNote).where(FollowUpNote.fiche_id == first.id))
    assert f"plan.{fmt}" in note.text and "line 2" in note.text


def test_english_headers_in_any_case_and_a_comma_csv_without_bom_are_read(client, as_coordinator):
    rows = [["AXIS", "title", "NUMBER", "status"], ["2", "Un jardin partagé", "2.4", "in progress"]]

    response = upload(client, csv_file(rows, delimiter=",", bom=False))

    assert response.status_code == 302
    fiche = db.session.scalar(select(Fiche))
    assert (fiche.number, fiche.status) == ("2.4", FicheStatus.IN_PROGRESS)


def test_every_bad_line_is_listed_with_its_column_and_nothing_is_imported(client, as_coordinator):
    bad = [
        HEADER,
        GOOD[0],
        ["Axe 9", "", "", "Une action sur un axe inconnu"] + [""] * 15,
        ["1", "Objectif inconnu", "2.1", ""] + [""] * 15,
        ["1", "", "x.y", "Numéro illisible", "", "", "", "Sans porteur", "", "ARS 6000", "processus: Nom — beaucoup",
         "2021 45", "", "99999; Paris", "31/02/2024", "2019", "presque fini", "urgente", "un peu"],
        ["1", "", "1.3", "Accueillir les internes en médecine"] + [""] * 15,
        ["1", "", "", "x" * 300, "", "", "", "", "y" * 250, "", "", "#3 2021: 4"] + [""] * 7,
    ]

    response = upload(client, csv_file(bad))

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Nothing was imported" in page
    problems = {(line, column) for line, column in _problem_cells(page)}
    assert {(3, "Axe"), (4, "Objectif"), (4, "Intitulé"), (5, "Numéro"), (5, "Contact porteur"), (5, "Financeurs"),
            (5, "Indicateurs"), (5, "Valeurs des indicateurs"), (5, "Communes"), (5, "Début"), (5, "Statut"),
            (5, "Priorité"), (5, "Participation des habitants"), (6, "Numéro"), (6, "Intitulé"), (7, "Intitulé"),
            (7, "Partenaires"), (7, "Valeurs des indicateurs")} <= problems
    assert "Number 1.3 is already on line 2." in page
    assert fiche_count() == 0 and db.session.scalar(select(func.count(StatusChange.id))) == 0


def _problem_cells(page: str) -> list[tuple[int, str]]:
    return [(int(line), column) for line, column in re.findall(
        r'<span class="problem-line">Line (\d+)</span> <span class="problem-column">([^<]*)</span>', page)]


def test_importing_the_same_file_twice_creates_nothing_the_second_time(client, as_coordinator):
    data = csv_file([HEADER, *GOOD])
    assert upload(client, data).status_code == 302

    again = upload(client, data)

    assert again.status_code == 422
    page = again.get_data(as_text=True)
    assert "Fiche 1.3 already exists in this contract" in page
    assert "A fiche with this title already exists on this axis" in page
    assert fiche_count() == 2


def test_missing_axes_and_objectives_are_created_only_when_asked(client, as_coordinator, territory):
    rows = [["Axe", "Objectif", "Intitulé"],
            ["Axe 3 : Santé mentale", "Mieux orienter les personnes en souffrance psychique", "Former au 3114"],
            ["Santé mentale", "Mieux orienter les personnes en souffrance psychique", "Groupes de parole"],
            ["1", "Prévenir l'isolement", "Visites de bénévoles"]]
    refused = upload(client, csv_file(rows))
    assert refused.status_code == 422 and fiche_count() == 0
    assert db.session.scalar(select(func.count(Axis.id))) == 2

    response = upload(client, csv_file(rows), create=True)

    assert response.status_code == 302
    axis = db.session.scalar(select(Axis).where(Axis.title == "Santé mentale"))
    assert [o.title for o in axis.objectives] == ["Mieux orienter les personnes en souffrance psychique"]
    assert sorted(f.number for f in db.session.scalars(select(Fiche))) == ["1.1", "3.1", "3.2"]
    assert db.session.scalar(select(func.count(Objective.id))) == 4


def test_the_form_keeps_its_choices_when_the_file_is_refused(client, as_coordinator, territory):
    response = upload(client, csv_file([["Axe", "Intitulé"], ["Axe 7", "Inconnu"]]), create=False)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<option selected value="{territory.current_contract.id}">' in page


@pytest.mark.parametrize("data, name, message", [
    (b"", "vide.csv", "The file is empty."),
    (b"%PDF-1.4 \x00\x01\x02", "plan.pdf", "This file cannot be read"),
    (b"PK\x03\x04 not really a zip", "plan.xlsx", "This file cannot be read"),
    (b"Axe;Intitul\xe9\n1;Caf\xe9\n", "latin1.csv", "not valid UTF-8"),
    (b"Axe;Intitul\xc3\xa9\n" + b"1;Une action\n" * 300, "long.csv", "more than 200 lines"),
    (b"Axe;Titre;Couleur\n1;Action;bleu\n", "colonnes.csv", "Unknown column"),
    (b"Axe\n1\n", "sans-titre.csv", "This column is required."),
])
def test_bad_files_are_refused_with_a_clear_message(client, as_coordinator, data, name, message):
    response = upload(client, data, name)

    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert fiche_count() == 0


def ods_with_entity(rows, title: str) -> bytes:
    """An ODS whose content.xml declares an internal entity and uses it in place of `title` (what an XML bomb or an
    external-entity read starts with)."""
    source = zipfile.ZipFile(io.BytesIO(ods_file(rows)))
    target = io.BytesIO()
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "content.xml":
                declaration, rest = data.split(b"\n", 1)
                data = (declaration + b'\n<!DOCTYPE office:document-content [<!ENTITY t "' + title.encode()
                        + b'">]>\n' + rest.replace(title.encode(), b"&t;"))
            archive.writestr(info, data)
    return target.getvalue()


def test_an_ods_declaring_xml_entities_is_refused_and_nothing_is_imported(client, as_coordinator):
    # A standard parser would expand the entity and import the line: entities are refused (defusedxml) instead.
    response = upload(client, ods_with_entity([HEADER, *GOOD], GOOD[0][3]), "plan.ods")

    assert response.status_code == 422
    assert "This spreadsheet is damaged and cannot be read." in response.get_data(as_text=True)
    assert fiche_count() == 0


def test_a_huge_file_is_refused_without_error(client, as_coordinator, monkeypatch):
    # The limit is 2 MB; lowered here so that the test client does not spool the upload to a temporary file.
    monkeypatch.setattr("consult.synthesis.plan_io.sheets.MAX_BYTES", 1000)
    response = upload(client, b"Axe;Intitul\xc3\xa9\n" + b"1;" + b"x" * 2000 + b"\n")

    assert response.status_code == 422
    assert "too large" in response.get_data(as_text=True)


@pytest.mark.parametrize("contract", ["999999", "99999999999999999999999", "abc"])
def test_an_unknown_contract_is_a_form_error(client, as_coordinator, contract):
    response = client.post(PAGE, data={"file": (io.BytesIO(csv_file([HEADER, *GOOD])), "plan.csv"),
                                       "contract": contract}, content_type="multipart/form-data")

    assert response.status_code == 422 and fiche_count() == 0


def test_a_contract_of_another_territory_is_refused(client, as_coordinator, other_territory):
    other = Contract(territory=other_territory, generation=1, title="CLS Ouest Aveyron", phase=Phase.SIGNED,
                     start_date=dt.date(2022, 1, 1), end_date=dt.date(2026, 12, 31))
    db.session.add(other)
    db.session.commit()

    response = upload(client, csv_file([HEADER, *GOOD]), contract=other.id)

    assert response.status_code == 422 and fiche_count() == 0


@pytest.mark.parametrize("fmt", ["xlsx", "ods", "csv"])
def test_the_template_has_every_column_and_an_example_line_that_imports(client, as_coordinator, fmt):
    response = client.get(f"{PAGE}/template.{fmt}")

    assert response.status_code == 200
    if fmt == "csv":
        assert response.data.startswith(b"\xef\xbb\xbf")
    assert upload(client, response.data, f"template.{fmt}", create=True).status_code == 302
    fiche = db.session.scalar(select(Fiche))
    assert fiche.title == "Déployer des formations Premiers secours en santé mentale"
    assert db.session.scalar(select(func.count(IndicatorValue.id))) == 4
    assert client.get(f"{PAGE}/template.exe").status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_only_coordinators_and_admins_import(as_role, role):
    client = as_role(role)
    page = client.get(PAGE)
    template = client.get(f"{PAGE}/template.csv")
    post = upload(client, csv_file([HEADER, *GOOD]))

    allowed = role in ("coordinator", "admin")
    if allowed:
        assert (page.status_code, template.status_code, post.status_code) == (200, 200, 302)
        assert fiche_count() == 2
    else:
        expected = 302 if role == "anonymous" else 403
        assert (page.status_code, template.status_code, post.status_code) == (expected,) * 3
        assert fiche_count() == 0


def test_the_import_form_refuses_a_request_without_its_csrf_token(csrf_app, make_territory, make_user):
    from consult.accounts.models import Role
    from tests.conftest import PASSWORD

    territory = make_territory()
    user = make_user(role=(territory, Role.COORDINATOR))
    client = csrf_app.test_client()
    login_page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page)[1]
    client.post("/account/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    assert client.get(PAGE).status_code == 200

    response = client.post(PAGE, data={"file": (io.BytesIO(csv_file([HEADER, *GOOD])), "plan.csv"),
                                       "contract": str(territory.current_contract.id)},
                           content_type="multipart/form-data")

    assert response.status_code in (400, 422) and fiche_count() == 0


def test_the_command_imports_a_file_and_lists_bad_lines(runner, territory, tmp_path):
    good, bad = tmp_path / "plan.csv", tmp_path / "mauvais.csv"
    good.write_bytes(csv_file([HEADER, *GOOD]))
    bad.write_bytes(csv_file([["Axe", "Intitulé"], ["Axe 7 : Santé mentale", "Former au 3114"]]))

    refused = runner.invoke(args=["plan", "import", SLUG, str(bad), "--contract", "2"])
    assert refused.exit_code == 1 and "line 2, Axe" in refused.output and fiche_count() == 0
    created = runner.invoke(args=["plan", "import", SLUG, str(bad), "--contract", "2", "--create-axes"])
    assert created.exit_code == 0, created.output
    assert "1 axis(es)" in created.output
    result = runner.invoke(args=["plan", "import", SLUG, str(good), "--contract", "2"])
    assert result.exit_code == 0, result.output
    assert fiche_count() == 3
    unknown = runner.invoke(args=["plan", "import", SLUG, str(good), "--contract", "5"])
    assert unknown.exit_code != 0 and "no contract of generation 5" in unknown.output
