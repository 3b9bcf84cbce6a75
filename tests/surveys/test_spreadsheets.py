"""Survey exports an analyst can open in R, SPSS, Excel or LibreOffice: answer codes as numbers, headers « code –
label » in the export's language, one column per “other” text, the collection period the results pages show and
a « Dictionnaire des codes » sheet."""
from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest
from odf.opendocument import load as load_ods
from odf.table import Table, TableCell, TableRow

from consult.extensions import db
from consult.surveys import services
from consult.surveys.models import Question, QuestionType, SurveyPage
from tests.conftest import NOW
from tests.surveys.conftest import VALID_ANSWERS, options
from tests.surveys.exports_helpers import as_dicts, by_code, read_csv, read_ods, read_xlsx
from tests.surveys.releasing import publish

EN = {"Accept-Language": "en"}
FR = {"Accept-Language": "fr"}


def export_url(survey, name: str) -> str:
    return f"/t/{survey.territory.slug}/manage/surveys/{survey.id}/export/{name}"


def xlsx_cells(data: bytes, sheet: int = 0) -> list[list]:
    """The cells (not only their values) of a sheet of an XLSX file."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    return [list(row) for row in workbook.worksheets[sheet].iter_rows()]


def ods_cells(data: bytes) -> list[list]:
    """The cells of the first table of an ODS file, as ODF elements."""
    table = load_ods(io.BytesIO(data)).spreadsheet.getElementsByType(Table)[0]
    return [list(row.getElementsByType(TableCell)) for row in table.getElementsByType(TableRow)]


def keyed(header: list, row: list) -> dict:
    return dict(zip(by_code([header])[0], row))


# --------------------------------------------------------------------------- codes as numbers

def test_xlsx_and_ods_store_answer_codes_as_numeric_cells_and_commune_codes_as_text(client, login, coordinator,
                                                                                   answered):
    login(coordinator)
    header, *rows = xlsx_cells(client.get(export_url(answered, "responses.xlsx")).get_data())
    first = next(keyed([c.value for c in header], row) for row in rows if row[1].value == "Papier")
    # Single choice, yes/no, age band, sex, matrix lines: numbers; the INSEE code stays text (« 2A004 », « 01001 »).
    assert [(first[code].value, first[code].data_type) for code in ("Q2", "Q3", "Q7_r1", "Q11")] == [
        (2, "n"), (1, "n"), (3, "n"), (None, "n")]
    assert (first["Q1"].value, first["Q1"].data_type) == ("82112", "s")
    assert first["Q9"].value == "'-"  # text that would start a formula stays inert

    header, *rows = ods_cells(client.get(export_url(answered, "responses.ods")).get_data())
    names = by_code([[str(c) for c in header]])[0]
    paper = next(row for row in rows if str(row[names.index("canal")]) == "Papier")
    for code, value in (("Q2", "2"), ("Q3", "1"), ("Q7_r2", "3")):
        cell = paper[names.index(code)]
        assert (cell.getAttribute("valuetype"), cell.getAttribute("value")) == ("float", value)
    assert paper[names.index("Q1")].getAttribute("valuetype") == "string"


def test_csv_writes_bare_numbers_and_french_words(client, login, coordinator, answered):
    login(coordinator)
    text = client.get(export_url(answered, "responses.csv")).get_data(as_text=True)
    header, *rows = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    paper = next(keyed(header, row) for row in rows if "Papier" in row)
    assert (paper["Q2"], paper["Q3"], paper["Q7_r1"], paper["Q7_score_pct"]) == ("2", "1", "3", "16")
    line = next(line for line in text.splitlines() if "Papier" in line)
    assert ',2,1,' in line and '"2"' not in line  # bare digits, never quoted text


# --------------------------------------------------------------------------- headers in the export's language

def test_headers_show_the_code_beside_the_label_in_french_and_in_english(client, login, coordinator, answered):
    login(coordinator)
    french = read_xlsx(client.get(export_url(answered, "responses.xlsx"), headers=FR).get_data())
    header = french[0][0]
    assert header[:4] == ["pseudonyme", "canal", "semaine – lundi de la semaine de la réponse",
                          "Q1 – Dans quelle commune habitez-vous ?"]
    assert "Q1_nom – Nom de la commune" in header
    assert "Q7_score_brut – Score brut" in header and "Q7_score_pct – Score en pourcentage" in header
    assert {row[1] for row in french[0][1:]} == {"Web", "Papier"}
    english = read_xlsx(client.get(export_url(answered, "responses.xlsx"), headers=EN).get_data())
    assert english[0][0][:3] == ["pseudonym", "channel", "week – Monday of the week the response came in"]
    assert "Q1_name – Name of the commune" in english[0][0]
    assert {row[1] for row in english[0][1:]} == {"Web", "Paper"}
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(export_url(answered, "responses.xlsx")).get_data()),
                                      read_only=True)
    assert workbook.sheetnames == ["Réponses pseudonymisées", "Dictionnaire des codes", "Méthode"]
    workbook.close()


# --------------------------------------------------------------------------- one column per “other” text

@pytest.fixture
def other_answers(make_survey):
    """A survey whose single-choice question has an “other” answer coded « autre », answered twice."""
    survey = make_survey(title="Vos trajets à L'Isle-Jourdain", pages=[SurveyPage(position=0, title="Trajets", questions=[
        Question(code="Q1", position=0, type=QuestionType.SINGLE, text="Comment venez-vous au centre de santé ?",
                 required=True, options=options("À pied", "En voiture", "En bus", other="Autre moyen")),
        Question(code="Q2", position=1, type=QuestionType.MULTIPLE, text="Qu'est-ce qui vous gêne ?",
                 options=options("Le prix", "Les horaires", other="Autre gêne")),
    ])])
    services.submit_response(survey, {"Q1": "autre", "Q1.other": "Transport à la demande", "Q2": ["2", "autre"],
                                      "Q2.other": "Pas de place pour la poussette"}, browser_secret="a", now=NOW)
    services.submit_response(survey, {"Q1": "2", "Q2": ["1"]}, browser_secret="b", now=NOW)
    db.session.commit()
    return survey


def test_each_other_answer_has_one_column_and_a_numeric_code(client, login, coordinator, other_answers):
    login(coordinator)
    sheets = read_ods(client.get(export_url(other_answers, "responses.ods")).get_data())
    rows = as_dicts(by_code(sheets[0]))
    assert list(rows[0]) == ["pseudonyme", "canal", "semaine", "Q1", "Q1_autre_texte", "Q2_1", "Q2_2",
                             "Q2_autre_texte"]
    written = next(row for row in rows if row["Q1_autre_texte"])
    # « autre » is written as the number after the last code (4), and the dictionary says so.
    assert (written["Q1"], written["Q1_autre_texte"]) == (4, "Transport à la demande")
    assert (written["Q2_2"], written["Q2_autre_texte"]) == (1, "Pas de place pour la poussette")
    assert {row["Q1"] for row in rows} == {4, 2}
    dictionary = sheets[1]
    assert ["Q1", "Q1", "Comment venez-vous au centre de santé ?", "Choix unique", 4, "Autre moyen"] in [
        row[:6] for row in dictionary]
    # Without free texts, the k-anonymous file keeps the 0/1 column of the “other” answer instead of its text.
    k_anonymous = as_dicts(by_code(read_csv(client.get(export_url(other_answers, "responses-k-anonymous.csv")))))
    assert [name for name in k_anonymous[0] if name.startswith("Q2_")] == ["Q2_1", "Q2_2", "Q2_autre"]
    assert sorted(row["Q2_autre"] for row in k_anonymous) == ["0", "1"]


# --------------------------------------------------------------------------- the collection period

def test_method_sheets_give_the_period_the_results_pages_show(client, login, coordinator, answered):
    answered.opens_at, answered.closes_at = dt.datetime(2026, 11, 2, 8, 0), dt.datetime(2027, 1, 31, 20, 0)
    publish(answered)
    page = client.get(f"/t/{answered.territory.slug}/surveys/{answered.id}/results", headers=FR)
    assert page.status_code == 200
    login(coordinator)
    tables = read_xlsx(client.get(export_url(answered, "tables.xlsx"), headers=FR).get_data())
    method = dict(row[:2] for row in tables[1])
    assert method["Réponses recueillies"] == "novembre 2026"  # one month: said once, as the page does
    assert "novembre 2026" in page.get_data(as_text=True)
    assert method["Ouverte aux réponses"] == "du 2 novembre 2026 au 31 janvier 2027"
    assert read_csv(client.get(export_url(answered, "method.csv"), headers=FR))[5] == [
        "Réponses recueillies", "novembre 2026"]
    # The raw files say it by weeks (they give the week of each response, never its day).
    raw = read_xlsx(client.get(export_url(answered, "responses.xlsx"), headers=FR).get_data())
    about = dict(row[:2] for row in raw[2])
    assert about["Réponses recueillies"] == "de la semaine du 23 novembre 2026 à celle du 23 novembre 2026"
    assert about["Ouverte aux réponses"] == "du 2 novembre 2026 au 31 janvier 2027"
    assert about["Réponses dans ce fichier"] == 3
    assert 'names(d) <- sub(" – .*", "", names(d))' in about["En-têtes des colonnes"]  # how to keep the codes only


# --------------------------------------------------------------------------- the dictionary of codes

def test_dictionary_gives_every_column_its_codes_bounds_and_empty_cells(client, login, coordinator, answered):
    login(coordinator)
    responses, dictionary, _method = read_xlsx(client.get(export_url(answered, "responses.xlsx")).get_data())
    assert dictionary[0] == ["Colonne", "Question", "Texte de la question", "Type", "Code", "Libellé du code",
                             "Unité ou bornes", "Une cellule vide veut dire", "Affichée si", "Remarques"]
    lines = {(row[0], row[4]): row for row in dictionary[1:]}
    # Every column of the data sheet is described, under the code its header shows.
    assert {column for column, _code in lines} >= set(by_code(responses)[0])
    assert lines[("Q2", 1)][5] == "Très bon" and lines[("Q2", 5)][5] == "Très mauvais"
    assert lines[("Q2", None)][3:4] == ["Échelle à points libellés (Likert)"]
    assert lines[("Q6", None)][6] == "nombre de 0 à 300"
    assert lines[("Q5", None)][6] == "de 0 à 10 (Très mauvaise … Excellente)"
    assert lines[("Q4_1", 1)][5] == "cochée" and lines[("Q4_1", 0)][5] == "pas cochée"
    assert lines[("Q4_1", None)][7] == ("sans réponse, ou question pas posée (posée seulement si Q3 = 1 (Oui)); "
                                        "0 veut dire : pas cochée")
    assert lines[("Q7_score_pct", None)][7] == "au moins une ligne sans réponse"
    assert lines[("Q1", "82112")][5] == "Moissac"
    assert "« < k »" in lines[("(toutes les colonnes)", None)][9]
    # The dictionary CSV is the same sheet; observers may read it (it holds no answer).
    assert read_csv(client.get(export_url(answered, "codebook.csv")))[0] == dictionary[0]


def test_k_anonymous_dictionary_lists_merged_groups_and_withheld_values(client, login, coordinator, survey):
    survey.disclosure_threshold = 2
    for number, age in enumerate(["2", "2", "3"]):
        services.submit_response(survey, {**VALID_ANSWERS, "Q11": age}, browser_secret=f"age-{number}", now=NOW)
    db.session.commit()
    login(coordinator)
    sheets = read_xlsx(client.get(export_url(survey, "responses-k-anonymous.xlsx")).get_data())
    assert len(sheets) == 4  # responses, dictionary, anonymisation, method
    rows = as_dicts(by_code(sheets[0]))
    # A merged age band is no number: that column is written as text codes, all of it.
    assert {row["Q11"] for row in rows} == {"2+3"}
    assert {row["Q12"] for row in rows} == {1}  # unmerged answers stay numbers
    lines = {(row[0], row[4]): row for row in sheets[1][1:]}
    assert lines[("Q11", "2+3")][5] == "30-44 ans / 45-59 ans"
    assert "masquée pour protéger l'anonymat" in lines[("Q11", None)][7]


def test_aggregated_tables_carry_a_dictionary_of_their_special_values(client, login, observer, answered):
    publish(answered)
    login(observer)
    sheets = read_ods(client.get(export_url(answered, "tables.ods"), headers=FR).get_data())
    assert len(sheets) == 3
    meanings = dict(row[:2] for row in sheets[2][1:])
    assert meanings["< 11"].startswith("Un effectif de 1 à 10, masqué")
    assert "masqué" in meanings
