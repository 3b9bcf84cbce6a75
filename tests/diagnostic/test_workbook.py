"""The diagnostic workbook (ODS, XLSX) read back and compared with the pages, on the synthesis tests' hand-computed
world (tests/synthesis/world.py) plus published and draft fiches and formula-looking texts. The world and the
files are built once for the module: its tests only read them (a test that writes puts things back)."""
from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from dataclasses import dataclass

import openpyxl
import pytest
from flask_babel import force_locale

import tests.conftest as base
import tests.synthesis.conftest as plan_factories
import tests.synthesis.world as world_module
from consult.accounts.models import Role
from consult.diagnostic import kinds
from consult.extensions import db
from consult.proposals.models import Proposal, ProposalState, Support
from consult.surveys.models import Channel
from consult.synthesis.models import FicheStatus, IndicatorValue
from tests.surveys.exports_helpers import read_ods, read_xlsx
from tests.synthesis.world import row, table, when

FRENCH_SHEETS = ["Méthode et sources", "Participation", "Résultats des enquêtes", "Propositions", "Idées par axe",
                 "Groupes de travail", "Fiches actions", "Indicateurs"]
ENGLISH_SHEETS = ["Method and sources", "Participation", "Results of the surveys", "Proposals", "Ideas by axis",
                  "Working groups", "Fiches actions", "Indicators"]
FORMULA_TITLE = '=HYPERLINK("https://exemple.invalid/","Cliquez ici")'
FORMULA_ANSWER = "+33 6 12 34 56 78 : appelez la coordination"
FORMULA_FICHE = "@SUM(A1:A9) Ateliers d'éducation à la santé"
DRAFT_FICHE = "Fiche encore en brouillon : maison de santé de Valence-d'Agen"
PENDING = "Proposition en attente de modération"


@dataclass
class Setting:
    app: object
    world: object
    territory: object
    observer: object
    fiche: object
    files: dict          # (kind, fmt, locale) -> bytes
    progress: list


def build(territory, kind: str, fmt: str, locale: str = "fr", progress=kinds.no_progress) -> bytes:
    target = io.BytesIO()
    with force_locale(locale):
        kinds.build(kind, territory, fmt, target, progress=progress)
    return target.getvalue()


@pytest.fixture(scope="module")
def setting():
    """The world, an observer reading in English, two published fiches (one with indicator values), a draft one,
    a published proposal whose title and answer look like formulas, a pending one; then the files."""
    with base.fresh(base.shared_app()) as app:
        make_user = base.make_user.__wrapped__(app)
        territory = base.make_territory.__wrapped__(app)()
        coordinator = make_user("coordination.confluences@example.org", role=(territory, Role.COORDINATOR))
        observer = make_user("observatoire@example.org", role=(territory, Role.OBSERVER), locale="en")
        world = world_module.world.__wrapped__(app, territory, make_user, coordinator)
        world.survey.results_published_at = when(11, 2)
        make_fiche = plan_factories.make_fiche.__wrapped__(app, territory)
        axis2 = territory.current_contract.active_axes[1]
        fiche = make_fiche(published=True, status=FicheStatus.IN_PROGRESS, objective=world.objective1,
                           starts_on=dt.date(2025, 1, 1), ends_on=dt.date(2027, 6, 30))
        fiche.indicators[0].values = [IndicatorValue(year=2026, value=35), IndicatorValue(year=2025, value=12)]
        make_fiche(FORMULA_FICHE, axis=axis2, published=True, status=FicheStatus.COPIL_VALIDATED)
        make_fiche(DRAFT_FICHE, axis=axis2)
        formula = Proposal(call=world.proposal_a.call, author=coordinator, title=FORMULA_TITLE, axis=axis2,
                           state=ProposalState.PUBLISHED, submitted_at=when(11, 3), published_at=when(11, 4),
                           answer_text=FORMULA_ANSWER)
        pending = Proposal(call=world.proposal_a.call, author=coordinator, title=PENDING, axis=axis2,
                           state=ProposalState.PENDING, submitted_at=when(11, 5))
        db.session.add_all([formula, pending])
        db.session.commit()
        progress: list = []
        files = {("workbook", "xlsx", "fr"): build(territory, "workbook", "xlsx",
                                                   progress=lambda done, total: progress.append((done, total))),
                 ("workbook", "ods", "fr"): build(territory, "workbook", "ods"),
                 ("workbook", "xlsx", "en"): build(territory, "workbook", "xlsx", "en"),
                 ("action-plan", "ods", "fr"): build(territory, "action-plan", "ods")}
        yield Setting(app, world, territory, observer, fiche, files, progress)


def workbook(setting, fmt="xlsx", locale="fr", kind="workbook") -> dict[str, list[list]]:
    """The file's sheets by name, as rows of values (ODS dates as ISO text)."""
    data = setting.files[(kind, fmt, locale)]
    if fmt == "xlsx":
        names = openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames
        return dict(zip(names, read_xlsx(data)))
    names = re.findall(r'<table:table table:name="([^"]*)"', zipfile.ZipFile(io.BytesIO(data)).read(
        "content.xml").decode())
    return dict(zip(names, read_ods(data)))


def records(rows: list[list]) -> list[dict]:
    header, *body = rows
    return [dict(zip(header, r)) for r in body]


def observer_client(setting):
    client = setting.app.test_client()
    response = client.post("/account/login", data={"email": setting.observer.email, "password": base.PASSWORD})
    assert response.status_code == 302
    return client


def test_sheets_are_named_and_ordered_for_a_reader_in_the_forced_language(setting):
    assert list(workbook(setting)) == FRENCH_SHEETS
    assert list(workbook(setting, "ods")) == FRENCH_SHEETS
    assert list(workbook(setting, "xlsx", "en")) == ENGLISH_SHEETS
    assert list(workbook(setting, "ods", kind="action-plan")) == ["Méthode et sources", "Fiches actions",
                                                                  "Indicateurs"]
    assert setting.progress == [(n, 8) for n in range(1, 9)]
    method = {r[0]: r[1] for r in workbook(setting)["Méthode et sources"] if r and r[0]}
    assert method["Territoire"] == "Terres des Confluences"
    assert method["Contrat"] == "CLS 2 Terres des Confluences 2023-2027"
    assert method["Début du contrat"] == dt.datetime(2023, 1, 1)
    assert "Etalab" in method["Licence"]
    releases = records(workbook(setting)["Méthode et sources"][[r[:1] for r in workbook(setting)[
        "Méthode et sources"]].index(["Enquête"]):])
    assert releases == [{"Enquête": "Votre santé à Terres des Confluences", "Publication": 1,
                         "Faite le": dt.datetime(2026, 11, 1), "Répondants (n)": 25,
                         "Seuil de diffusion (k)": 11, "Réponses de": "octobre 2026",
                         "Réponses jusqu'à": "octobre 2026", "Résultats publiés": "oui"}]



def test_header_is_bold_and_frozen_and_columns_are_sized_in_both_formats(setting):
    xlsx = openpyxl.load_workbook(io.BytesIO(setting.files[("workbook", "xlsx", "fr")]))
    for sheet in xlsx.worksheets:
        assert sheet.freeze_panes == "A2", sheet.title
        assert sheet["A1"].font.bold and not sheet["A2"].font.bold
        assert sheet.column_dimensions["A"].width >= 8
    assert xlsx["Propositions"].column_dimensions["E"].width == 50      # the proposal's title
    assert xlsx["Fiches actions"].column_dimensions["E"].width == 50    # the fiche's title

    archive = zipfile.ZipFile(io.BytesIO(setting.files[("workbook", "ods", "fr")]))
    content = archive.read("content.xml").decode()
    tables = re.findall(r'<table:table table:name="([^"]*)">(.*?)</table:table>', content, flags=re.S)
    assert [name for name, _body in tables] == FRENCH_SHEETS
    for name, body in tables:
        assert body.count("<table:table-header-rows>") == 1, name
        assert 'table:style-name="header"' in body.split("</table:table-header-rows>")[0]
    widths = dict(re.findall(r'style:name="(co[^"]+)" style:family="table-column">'
                             r'<style:table-column-properties style:column-width="([^"]+)"', content))
    proposals = dict(tables)["Propositions"]
    title_column = re.findall(r'<table:table-column table:style-name="([^"]+)"/>', proposals)[4]
    assert widths[title_column] == "10.50cm"                            # 50 characters
    settings = archive.read("settings.xml").decode()
    for name in FRENCH_SHEETS:
        entry = re.search(rf'config:name="{re.escape(name)}">(.*?)</config:config-item-map-entry>', settings, re.S)
        assert entry, name
        assert '"VerticalSplitMode" config:type="short">2<' in entry[1]
        assert '"VerticalSplitPosition" config:type="int">1<' in entry[1]


def _comparable(rows: list[list]) -> list[list]:
    """Rows as both readers can give them: dates as ISO text (XLSX gives datetimes), no empty cells at the end of
    a row (XLSX leaves them out)."""
    found = []
    for cells in rows:
        cells = [v.date().isoformat() if isinstance(v, dt.datetime) else v for v in cells]
        while cells and cells[-1] is None:
            cells.pop()
        found.append(cells)
    return found


def test_both_formats_hold_the_same_typed_cells(setting):
    xlsx, ods = workbook(setting), workbook(setting, "ods")
    for name in FRENCH_SHEETS:
        assert _comparable(xlsx[name]) == _comparable(ods[name]), name
    english = workbook(setting, "xlsx", "en")
    for french_rows, english_rows in zip(xlsx.values(), english.values()):
        assert len(french_rows) == len(english_rows)
        for french, english_row in zip(french_rows, english_rows):
            assert [v for v in french if not isinstance(v, str)] == [v for v in english_row if not isinstance(v, str)]
    fiches = records(xlsx["Fiches actions"])
    assert fiches[0]["Date de début"] == dt.datetime(2025, 1, 1) and fiches[0]["Budget total (€)"] == 6000
    survey = records(xlsx["Résultats des enquêtes"])
    assert all(isinstance(r["Effectif"], int) for r in survey)


def test_participation_sheet_shows_the_figures_of_the_participation_page(setting):
    page = observer_client(setting).get(f"{world_module.BASE}/participation")
    assert page.status_code == 200
    sheet = records(workbook(setting, "xlsx", "en")["Participation"])
    channels = [r for r in sheet if r["Section"] == "Contributions and people by channel"]
    assert len(channels) == 7
    for line in channels:
        people = str(line["People"]) if line["People"] is not None else "not counted"
        assert row(page, "Contributions and people by channel", line["Channel or group"])[:2] == [
            str(line["Contributions"]), people]
    caption = "Responses to “Votre santé à Terres des Confluences” by channel — release no. 1"
    responses = {r["Channel or group"]: r["Contributions"] for r in sheet if r["Section"].startswith("Survey")}
    assert responses["Web"] == 14 and responses["Paper"] == 11 and responses["Respondents (n)"] == 25
    for label in ("Web", "Paper"):
        assert row(page, caption, label)[0] == str(responses[label])
    assert row(page, caption, "Responses (n)")[0] == "25"
    people = {r["Channel or group"]: r["People"] for r in sheet if r["Section"].startswith("People by category")}
    for category in ("Resident", "Health professional", "Elected official", "Association"):
        assert row(page, "People by category", category)[-1] == str(people[category])


def test_survey_sheet_holds_the_latest_release_as_its_public_page_shows_it(setting):
    survey = setting.world.survey
    page = observer_client(setting).get(f"/t/{world_module.SLUG}/surveys/{survey.id}/results")
    assert page.status_code == 200
    sheet = records(workbook(setting, "xlsx", "en")["Results of the surveys"])
    distribution = {r["Answer"]: r for r in sheet if r["Question"] == "Q1" and r["Table"] == "Distribution"}
    shown = {line[0]: line[1:] for line in table(page, survey.questions[0].text)[1:]}
    for answer in ("Oui", "Non"):
        assert shown[answer][0] == str(distribution[answer]["Count"])
    # 15 web « Oui » answers exist now: the one after the release is in no file
    assert distribution["Oui"]["Count"] == 14 and distribution["Oui"]["Base (respondents)"] == 25
    assert {r["Survey"] for r in sheet} == {survey.title} and {r["Release"] for r in sheet} == {1}


def test_proposals_groups_and_plan_sheets_show_what_their_pages_show(setting):
    client = observer_client(setting)
    sheets = workbook(setting, "xlsx", "en")
    proposals = {r["Proposal"]: r for r in records(sheets["Proposals"])}
    a = setting.world.proposal_a
    page = client.get(f"/t/{world_module.SLUG}/proposals/{a.id}/")
    assert f"{proposals[a.title]['Supports']} supports" in world_module.text_of(page)
    assert proposals[setting.world.proposal_b.title]["Answer"] == "Retained"

    group = setting.world.group
    members = records(sheets["Working groups"])[0]
    page = client.get(f"/t/{world_module.SLUG}/groups/{group.id}")
    for category in ("Resident", "Elected official"):
        assert row(page, "Current mix of members", category)[0] == str(members[f"Members: {category}"])
    assert members["Members"] == 2 and members["Meetings held"] == 1 and members["People present"] == 3

    ideas = records(sheets["Ideas by axis"])
    assert [i["Idea"] for i in ideas] == [setting.world.idea.text, setting.world.forum_idea.text]

    plan_page = world_module.text_of(client.get(f"/t/{world_module.SLUG}/plan/"))
    fiches = records(sheets["Fiches actions"])
    assert [f["No."] for f in fiches] == ["1.1", "2.1"]
    for fiche in fiches:
        assert fiche["Title"].lstrip("'") in plan_page
    fiche = setting.fiche
    page = world_module.text_of(client.get(f"/t/{world_module.SLUG}/plan/fiches/{fiche.id}"))
    assert "6,000" in page and fiches[0]["Total budget (€)"] == 6000
    indicator = records(sheets["Indicators"])[0]
    assert (indicator["Baseline"], indicator["Baseline year"], indicator["Target value"]) == (12, 2025, 60)
    assert (indicator["Latest value"], indicator["Year of the latest value"]) == (35, 2026)
    follow_up = world_module.text_of(client.get(f"/t/{world_module.SLUG}/manage/plan/fiches/{fiche.id}/follow-up"))
    assert re.search(r"2026 35\b", follow_up) and re.search(r"2025 12\b", follow_up)


def test_formula_looking_texts_are_inert_in_both_formats(setting):
    expected = {"'" + FORMULA_TITLE, "'" + FORMULA_ANSWER, "'" + FORMULA_FICHE}
    for fmt in ("xlsx", "ods"):
        cells = {v for rows in workbook(setting, fmt).values() for r in rows for v in r if isinstance(v, str)}
        assert expected <= cells, fmt
        assert not [v for v in cells if v.startswith(("=", "+", "-", "@"))], fmt
    xlsx = openpyxl.load_workbook(io.BytesIO(setting.files[("workbook", "xlsx", "fr")]))
    assert not [c for sheet in xlsx.worksheets for r in sheet.iter_rows() for c in r if c.data_type == "f"]
    content = zipfile.ZipFile(io.BytesIO(setting.files[("workbook", "ods", "fr")])).read("content.xml").decode()
    assert "table:formula" not in content


def test_drafts_pending_proposals_and_answers_after_the_release_never_appear(setting):
    before = workbook(setting, "xlsx", "en")
    everything = " ".join(str(v) for rows in before.values() for r in rows for v in r)
    for absent in (DRAFT_FICHE, PENDING, setting.world.proposal_c.title, world_module.FREE_TEXT):
        assert absent not in everything
    survey, territory = setting.world.survey, setting.territory
    response = world_module.add_response(survey, {"Q1": "2"}, Channel.PHONE, dt.date(2026, 11, 20))
    draft = plan_factories.make_fiche.__wrapped__(setting.app, territory)("Une fiche écrite après coup")
    support = Support(proposal=setting.world.proposal_c, user=setting.observer)
    db.session.add(support)
    db.session.commit()
    try:
        setting.files[("again", "xlsx", "en")] = build(territory, "workbook", "xlsx", "en")
        assert workbook(setting, "xlsx", "en", kind="again") == before
    finally:
        for row_ in (response, draft, support):
            db.session.delete(row_)
        db.session.commit()


def test_plain_sheets_of_other_exports_get_widths_from_their_header():
    from consult.exports import writers

    target = io.BytesIO()
    writers.write_xlsx([("Émargement", iter([["Nom", "Structure et fonction de la personne présente"], ["Anne", 1]]))],
                       target)
    sheet = openpyxl.load_workbook(target).active
    assert (sheet.column_dimensions["A"].width, sheet.column_dimensions["B"].width) == (8, 40)
    assert sheet.freeze_panes == "A2"


def test_a_territory_without_a_current_contract_gets_its_headers_and_says_so(setting):
    territory = base.make_territory.__wrapped__(setting.app)(
        "ouest-aveyron", "Ouest Aveyron Communauté", siren="200069383", epci_name="CC Ouest Aveyron Communauté",
        with_contract=False)
    calls = []
    setting.files[("empty", "xlsx", "en")] = build(territory, "action-plan", "xlsx", "en",
                                                   progress=lambda done, total: calls.append((done, total)))
    sheets = workbook(setting, "xlsx", "en", kind="empty")
    assert ["Contract", "No current contract"] in sheets["Method and sources"]
    assert [len(sheets[name]) for name in ("Fiches actions", "Indicators")] == [1, 1]
    assert calls == [(1, 3), (2, 3), (3, 3)]
