"""Exports: raw responses (CSV, XLSX, ODS) and codebook, aggregated tables with disclosure control,
formula neutralisation, anonymity and who may download what."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from consult.extensions import db
from consult.surveys import services
from consult.exports import writers
from consult.surveys.models import Channel, SurveyMode
from tests.conftest import NOW
from tests.surveys.conftest import PAPER, VALID_ANSWERS, other_commune
from consult.surveys.exports import builders
from consult.surveys.exports.records import iter_records
from tests.surveys.exports_helpers import answered_rows, as_dicts, by_code, read_csv, read_ods, read_xlsx
from tests.surveys.releasing import release

EN = {"Accept-Language": "en"}


def export_url(survey, name: str) -> str:
    return f"/t/{survey.territory.slug}/manage/surveys/{survey.id}/export/{name}"


# The column codes of the raw export in English (each header reads “code – label”); one column for the “other”
# answer of Q4: its text.
RAW_HEADER = [
    "pseudonym", "channel", "week", "Q1", "Q1_name", "Q2", "Q3", "Q4_1", "Q4_2", "Q4_3",
    "Q4_other_text", "Q5", "Q6", "Q7_r1", "Q7_r2", "Q7_score_raw", "Q7_score_pct", "Q8_1", "Q8_2", "Q8_3", "Q8_4",
    "Q9", "Q10", "Q11", "Q12", "Q13",
]


# --------------------------------------------------------------------------- raw responses

def test_raw_csv_holds_one_row_per_response_with_the_stored_answers(client, login, coordinator, answered):
    login(coordinator)
    response = client.get(export_url(answered, "responses.csv"), headers=EN)
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    header, *rows = by_code(read_csv(response))
    assert header == RAW_HEADER
    first, second, paper = answered_rows([dict(zip(header, row)) for row in rows])
    assert len({first["pseudonym"], second["pseudonym"], paper["pseudonym"]}) == 3
    assert (first["channel"], paper["channel"]) == ("Web", "Paper")
    assert first["week"] == "2026-11-23"
    assert (first["Q1"], first["Q1_name"]) == ("82112", "Moissac")
    assert (first["Q4_1"], first["Q4_2"], first["Q4_3"]) == ("1", "0", "0")
    assert first["Q4_other_text"] == "Pas de médecin disponible"
    assert second["Q4_1"] == "" and second["Q4_other_text"] == ""  # not asked: empty, not 0
    assert (first["Q7_r1"], first["Q7_r2"], first["Q7_score_raw"], first["Q7_score_pct"]) == ("2", "3", "3", "12")
    assert (second["Q7_r1"], second["Q7_r2"], second["Q7_score_raw"]) == ("1", "", "")  # incomplete: no score
    assert [first[f"Q8_{n}"] for n in "1234"] == ["2", "1", "3", ""]
    assert [second[f"Q8_{n}"] for n in "1234"] == ["", "", "", "1"]
    assert (first["Q5"], first["Q6"], second["Q6"]) == ("7", "25", "12.5")
    assert (first["Q10"], first["Q13"]) == ("Un bus vers l'hôpital de Moissac", "2026-10-02")


def test_raw_xlsx_reads_back_the_same_numbers_and_carries_the_codebook(client, login, coordinator, answered):
    login(coordinator)
    response = client.get(export_url(answered, "responses.xlsx"), headers=EN)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    responses, codebook, _method = read_xlsx(response.get_data())
    responses = by_code(responses)
    assert responses[0] == RAW_HEADER
    first, second, paper = answered_rows(as_dicts(responses))
    assert len(first["pseudonym"]) == 10 and first["channel"] == "Web"
    assert first["week"] == dt.datetime(2026, 11, 23)  # a real date cell
    assert (first["Q5"], first["Q6"], second["Q6"]) == (7, 25, 12.5)  # numbers stay numbers
    assert (first["Q4_1"], first["Q4_2"], first["Q4_other_text"]) == (1, 0, "Pas de médecin disponible")
    assert (first["Q7_score_raw"], first["Q7_score_pct"], paper["Q7_score_pct"]) == (3, 12, 16)
    assert [first[f"Q8_{n}"] for n in "1234"] == [2, 1, 3, None]
    assert (second["Q1_name"], paper["Q1"]) == (services.commune_choices(answered)[second["Q1"]], "82112")
    assert first["Q13"] == dt.datetime(2026, 10, 2)
    assert any(row[0] == "Q4_other_text" for row in codebook)


def test_raw_ods_reads_back_the_same_numbers_and_carries_the_codebook(client, login, coordinator, answered):
    login(coordinator)
    response = client.get(export_url(answered, "responses.ods"), headers=EN)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.oasis.opendocument.spreadsheet"
    responses, codebook, _method = read_ods(response.get_data())
    responses = by_code(responses)
    assert responses[0] == RAW_HEADER
    first, second, paper = answered_rows(as_dicts(responses))
    assert (paper["channel"], first["week"]) == ("Paper", "2026-11-23")
    assert (first["Q5"], first["Q6"], second["Q6"]) == (7, 25, 12.5)
    assert (first["Q4_1"], first["Q4_2"]) == (1, 0)
    assert (first["Q7_r1"], first["Q7_r2"], first["Q7_score_raw"]) == (2, 3, 3)  # answer codes are numbers
    assert [first[f"Q8_{n}"] for n in "1234"] == [2, 1, 3, None]
    assert first["Q1_name"] == "Moissac"
    assert first["Q13"] == "2026-10-02"
    assert any(row[0] == "Q7_score_pct" for row in codebook)


def test_rows_come_in_random_order_with_fresh_random_pseudonyms(client, login, coordinator, make_survey, survey):
    earlier = make_survey(title="Une autre enquête")
    services.submit_response(earlier, VALID_ANSWERS, browser_secret="avant", now=NOW)
    stored = []
    for minutes in range(1, 13):  # twelve responses, told apart by Q6, in the order they came
        stored.append(services.submit_response(survey, {**VALID_ANSWERS, "Q6": minutes},
                                               browser_secret=f"n{minutes}", now=NOW))
    db.session.commit()
    login(coordinator)
    downloads = [as_dicts(by_code(read_csv(client.get(export_url(survey, "responses.csv"), headers=EN))))
                 for _ in range(2)]
    orders = [[int(row["Q6"]) for row in rows] for rows in downloads]
    pseudonyms = [[row["pseudonym"] for row in rows] for rows in downloads]
    assert sorted(orders[0]) == sorted(orders[1]) == list(range(1, 13))
    # Not the order of arrival, and not the same order twice (each chance is 1 in 12! ≈ 2·10⁻⁹).
    assert orders[0] != list(range(1, 13)) and orders[0] != orders[1]
    assert all(re.fullmatch(r"[0-9a-f]{10}", p) for p in pseudonyms[0] + pseudonyms[1])
    assert len(set(pseudonyms[0])) == 12 and not set(pseudonyms[0]) & set(pseudonyms[1])
    ids = {str(response.id) for response in stored}
    assert not ids & set(pseudonyms[0] + pseudonyms[1])


def test_csv_export_is_streamed_in_batches(app, answered):
    """Records come from the database a batch at a time (here batches of 2 for 3 responses)."""
    records = list(iter_records(answered, batch_size=2))
    assert sorted(r.channel for r in records) == [Channel.PAPER, Channel.WEB, Channel.WEB]
    assert VALID_ANSWERS in [r.data for r in records] and PAPER in [r.data for r in records]
    chunks = writers.csv_chunks(builders.raw_rows(answered, iter(records), {}))
    assert next(chunks).startswith("\ufeffpseudonym,channel")


# --------------------------------------------------------------------------- codebook

def test_codebook_documents_questions_options_conditions_falc_and_scores(client, login, coordinator, answered):
    login(coordinator)
    response = client.get(export_url(answered, "codebook.csv"), headers=EN)
    assert response.status_code == 200
    header, *rows = read_csv(response)
    assert header == ["Column", "Question", "Question text", "Type", "Code", "Code label", "Unit or bounds",
                      "An empty cell means", "Shown when", "Notes"]
    by = {(r[0], r[4]): dict(zip(header, r)) for r in rows}
    q2 = by[("Q2", "")]
    assert q2["Question text"] == "Comment est votre état de santé en général ?"
    assert q2["Notes"] == "Easy-to-read wording: Vous sentez-vous en bonne santé ?"
    assert q2["Type"] == "Scale with labelled points (Likert)"
    assert by[("Q2", "5")]["Code label"] == "Très mauvais"
    q4 = by[("Q4_1", "")]
    assert q4["Shown when"] == "Q3 = 1 (Oui)"
    assert "at most 3 answers" in q4["Notes"]
    assert "question not asked" in q4["An empty cell means"]
    assert by[("Q4_other_text", "")]["Question text"] == "Pour quelles raisons ? — Autre raison (text written)"
    assert by[("Q7_r1", "")]["Question text"] == ("Au cours des deux dernières semaines… — "
                                                  "Je me suis senti·e bien et de bonne humeur")
    assert by[("Q7_r1", "3")]["Code label"] == "Tout le temps"
    q7 = by[("Q7_score_pct", "")]
    assert "× 4" in q7["Notes"] and "Bien-être faible" in q7["Notes"]
    assert by[("Q8_2", "")]["Question text"] == "Classez ces thèmes par priorité — Santé mentale"
    assert by[("Q1", "82112")]["Code label"] == "Moissac"
    assert "Paper" in by[("channel", "")]["Unit or bounds"]


# --------------------------------------------------------------------------- formulas

FORMULAS = ['=HYPERLINK("http://x")', "+33 6 12 34 56 78", "-", "@SUM(A1)"]


def test_formula_like_text_is_neutralised_and_numbers_stay_numeric():
    assert [writers.spreadsheet_value(v) for v in FORMULAS] == ["'" + v for v in FORMULAS]
    assert writers.spreadsheet_value("\tx") == "'\tx"
    assert writers.spreadsheet_value("\rx") == "'\rx"
    assert writers.spreadsheet_value(-3) == -3
    assert writers.spreadsheet_value(-2.5) == -2.5
    assert writers.spreadsheet_value("Un bus = la santé") == "Un bus = la santé"
    assert writers.spreadsheet_value("bip\x07") == "bip"


def test_csv_writes_every_repeated_text_and_date_as_the_first_time_however_many_distinct_ones():
    """The CSV writer works out a text's or a date's written form once; past its limit of distinct ones it starts
    again, and every row still reads the same."""
    day = dt.date(2026, 11, 23)
    rows = [["=1+1", day, True, None, 2, 2.5, f"texte {n}", "=1+1", day, False] for n in range(writers._CSV_WRITTEN * 2)]
    body = "".join(writers.csv_chunks([["a"] * 10, *rows]))
    assert body.count("\r\n") == len(rows) + 1
    lines = body.split("\r\n")[1:-1]
    assert lines[0] == "'=1+1,2026-11-23,1,,2,2.5,texte 0,'=1+1,2026-11-23,0"
    assert all(line == lines[0].replace("texte 0", f"texte {n}") for n, line in enumerate(lines))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "ods"])
def test_formula_like_answers_are_inert_in_every_format(client, login, coordinator, answered, fmt):
    login(coordinator)
    response = client.get(export_url(answered, f"responses.{fmt}"), headers=EN)
    if fmt == "csv":
        rows = as_dicts(by_code(read_csv(response)))
    else:
        rows = as_dicts(by_code((read_xlsx if fmt == "xlsx" else read_ods)(response.get_data())[0]))
    _first, second, paper = answered_rows(rows)
    assert second["Q10"] == "'=HYPERLINK(\"http://x\")"
    assert second["Q9"] == "'+33 6 12 34 56 78"
    assert (paper["Q9"], paper["Q10"]) == ("'-", "'@SUM(A1)")
    assert second["Q5"] in ("0", 0)


def test_xlsx_cells_are_never_formulas(client, login, coordinator, answered):
    import io

    import openpyxl

    login(coordinator)
    workbook = openpyxl.load_workbook(io.BytesIO(client.get(export_url(answered, "responses.xlsx")).get_data()))
    kinds = {cell.data_type for row in workbook.worksheets[0].iter_rows() for cell in row}
    assert "f" not in kinds


# --------------------------------------------------------------------------- anonymity

@pytest.mark.parametrize("fmt", ["responses.csv", "responses.xlsx", "responses.ods", "tables.xlsx", "codebook.csv"])
def test_exports_carry_no_account_even_for_identified_or_keyed_in_responses(
        client, login, coordinator, make_survey, make_user, fmt):
    survey = make_survey(mode=SurveyMode.IDENTIFIED)
    respondent = make_user("repondante.identifiee@example.org", display_name="Gisèle Répondante")
    services.submit_response(survey, VALID_ANSWERS, browser_secret=None, user=respondent, now=NOW)
    services.key_in_response(coordinator, survey, VALID_ANSWERS, channel=Channel.PHONE, entry_id="x", now=NOW)
    db.session.commit()
    release(survey)
    login(coordinator)
    response = client.get(export_url(survey, fmt))
    assert response.status_code == 200
    data = response.get_data()
    if fmt.endswith(".csv"):
        texts = [" ".join(map(str, row)) for row in read_csv(response)]
    else:
        sheets = (read_xlsx if fmt.endswith("xlsx") else read_ods)(data)
        texts = [" ".join(map(str, row)) for sheet in sheets for row in sheet]
    everything = "\n".join(texts)
    for secret in (respondent.email, respondent.display_name, coordinator.email, coordinator.display_name):
        assert secret not in everything
    if fmt.startswith("responses"):
        header = texts[0].split(" ")
        assert not any(word in column for column in header for word in ("user", "keyed", "email", "id"))


# --------------------------------------------------------------------------- aggregated tables

@pytest.fixture
def released(answered):
    """The three responses and a release of them: the aggregated tables come from a release."""
    release(answered)
    return answered


def test_aggregated_tables_hide_small_counts_as_below_k(client, login, observer, released):
    login(observer)
    response = client.get(export_url(released, "tables.xlsx"), headers=EN)
    assert response.status_code == 200
    tables, method, _dictionary = read_xlsx(response.get_data())
    assert tables[0] == ["Question", "Table", "Question text", "Group", "Answer", "Count", "Percentage",
                         "Base (respondents)"]
    body = tables[1:]
    assert body, "every closed question has a table"
    # Three responses and the default k = 11: every count is below k (zeros are shown, they say nothing
    # about anyone), every base too, so no percentage at all.
    assert {row[5] for row in body} <= {"< 11", 0, "hidden"}
    assert {row[6] for row in body} == {None}
    assert {row[7] for row in body} <= {"< 11", "hidden"}
    q2 = {row[4]: row[5] for row in body if row[0] == "Q2" and row[3] == "All respondents"}
    assert q2 == {"Très bon": 0, "Bon": "< 11", "Assez bon": 0, "Mauvais": "< 11", "Très mauvais": 0}
    facts = dict((row[0], row[1]) for row in method)
    assert facts["Release"] == f"no. 1, made on {NOW.date().isoformat()}"
    assert facts["Respondents (n)"] == 3
    assert facts["Disclosure threshold (k)"] == 11
    assert "Unweighted" in facts["Weighting"]
    assert facts["Collection channels"] == "Web: < 11; Paper: < 11"
    assert facts["Answers collected"] == "November 2026"  # as the results pages say it


def test_aggregated_tables_are_the_release_not_live_figures(client, login, observer, released):
    login(observer)
    before = client.get(export_url(released, "tables.csv"), headers=EN).get_data()

    services.submit_response(released, VALID_ANSWERS, browser_secret="troisieme", now=NOW)
    db.session.commit()

    assert client.get(export_url(released, "tables.csv"), headers=EN).get_data() == before


@pytest.fixture
def seven_answers(survey):
    """Seven web responses: five “Oui” and two “Non” to Q3; four women and three men (k = 3, set before
    the first answer: once a survey has answers, k can only go up)."""
    survey.disclosure_threshold = 3
    for n in range(7):
        data = {**VALID_ANSWERS, "Q3": "1" if n < 5 else "2", "Q12": "1" if n < 4 else "2"}
        if n >= 5:
            del data["Q4"], data["Q4.other"]
        services.submit_response(survey, data, browser_secret=f"navigateur-{n}", now=NOW)
    db.session.commit()
    release(survey)
    return survey


def test_aggregated_tables_apply_secondary_suppression(client, login, observer, seven_answers):
    login(observer)
    response = client.get(export_url(seven_answers, "tables.ods"), headers=EN)
    assert response.status_code == 200
    tables, method, _dictionary = read_ods(response.get_data())
    rows = {(row[0], row[3], row[4]): row[5:] for row in tables[1:]}
    # Q3: “Non” twice is below k = 3; “Oui” would give it away (7 − 5), so it is hidden too.
    assert rows[("Q3", "All respondents", "Oui")] == ["hidden", None, 7]
    assert rows[("Q3", "All respondents", "Non")] == ["< 3", None, 7]
    facts = dict((row[0], row[1]) for row in method)
    assert facts["Respondents (n)"] == 7
    assert facts["Disclosure threshold (k)"] == 3
    assert facts["Figures hidden"] >= 2


def test_aggregated_csv_and_method_csv(client, login, observer, released):
    login(observer)
    tables = read_csv(client.get(export_url(released, "tables.csv"), headers=EN))
    assert tables[0][0] == "Question" and len(tables) > 10
    method = read_csv(client.get(export_url(released, "method.csv"), headers=EN))
    assert ["Disclosure threshold (k)", "11"] in method


@pytest.mark.parametrize("name", ["tables.xlsx", "tables.ods", "tables.csv", "method.csv"])
def test_aggregated_tables_wait_for_a_release(client, login, observer, answered, name):
    login(observer)
    assert client.get(export_url(answered, name)).status_code == 404
    page = client.get(export_url(answered, ""), headers=EN).get_data(as_text=True)
    assert "there is none yet" in page and "tables.xlsx" not in page


# --------------------------------------------------------------------------- who may download what

RAW = ["responses.csv", "responses.xlsx", "responses.ods"]
AGGREGATED = ["tables.xlsx", "tables.ods", "tables.csv", "method.csv", "codebook.csv", ""]


@pytest.mark.parametrize("name", RAW + AGGREGATED)
def test_anonymous_visitor_is_sent_to_login(client, answered, name):
    response = client.get(export_url(answered, name))
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]


@pytest.mark.parametrize("name", RAW + AGGREGATED)
@pytest.mark.parametrize("who", ["participant", "other_coordinator"])
def test_participants_and_other_territories_are_refused(client, login, answered, request, who, name):
    login(request.getfixturevalue(who))
    assert client.get(export_url(answered, name)).status_code == 403


@pytest.mark.parametrize("name", RAW)
def test_observer_cannot_download_individual_answers(client, login, observer, answered, name):
    login(observer)
    assert client.get(export_url(answered, name)).status_code == 403


@pytest.mark.parametrize("name", AGGREGATED)
def test_observer_downloads_aggregated_tables(client, login, observer, released, name):
    login(observer)
    assert client.get(export_url(released, name)).status_code == 200


@pytest.mark.parametrize("name", RAW + AGGREGATED)
@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_coordinator_and_admin_download_everything(client, login, released, request, who, name):
    login(request.getfixturevalue(who))
    assert client.get(export_url(released, name)).status_code == 200


def test_exports_page_lists_raw_files_only_for_coordinators(client, login, observer, coordinator, released, app):
    answered = released
    login(observer)
    page = client.get(export_url(answered, ""), headers=EN).get_data(as_text=True)
    assert "tables.xlsx" in page and "responses.csv" not in page
    other = app.test_client()
    other.post("/account/login", data={"email": coordinator.email, "password": "un mot de passe très sûr"})
    page = other.get(export_url(answered, ""), headers=EN).get_data(as_text=True)
    assert "responses.csv" in page and "codebook.csv" in page


def test_survey_of_another_territory_is_not_found(client, login, coordinator, answered, other_territory):
    login(coordinator)
    url = f"/t/{other_territory.slug}/manage/surveys/{answered.id}/export/tables.xlsx"
    assert client.get(url).status_code in (403, 404)


def test_ods_package_keeps_line_breaks_and_dates_and_starts_with_its_mimetype():
    import io
    import zipfile

    target = io.BytesIO()
    writers.write_ods([("Feuille", [["texte"], ["Ligne 1\nLigne 2"], [dt.date(2026, 1, 2)], [None]])], target)
    archive = zipfile.ZipFile(target)
    first = archive.infolist()[0]
    assert (first.filename, first.compress_type) == ("mimetype", zipfile.ZIP_STORED)
    assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.spreadsheet"
    assert read_ods(target.getvalue()) == [[["texte"], ["Ligne 1\nLigne 2"], ["2026-01-02"], [None]]]


# --------------------------------------------------------------------------- pseudonymised and k-anonymous

@pytest.fixture
def small_groups(survey):
    """Eight responses, k = 3: three alone on commune + age band + sex, two in a pair, three together."""
    survey.disclosure_threshold = 3
    elsewhere = other_commune(survey)
    profiles = [("82112", "3", "1")] * 3 + [("82112", "4", "2")] * 2 + [("82112", "2", "1"), (elsewhere, "3", "1"),
                                                                        (elsewhere, "5", "2")]
    for number, (commune, age, sex) in enumerate(profiles):
        services.submit_response(survey, {**VALID_ANSWERS, "Q1": commune, "Q11": age, "Q12": sex},
                                 browser_secret=f"profil-{number}", now=NOW)
    db.session.commit()
    return survey


def test_export_page_says_how_many_rows_are_unique_in_each_file(client, login, coordinator, small_groups):
    login(coordinator)
    page = client.get(export_url(small_groups, ""), headers=EN).get_data(as_text=True)
    assert "Pseudonymised responses" in page
    assert ("3 responses of 8 are each the only one with their combination of commune, age band, and sex"
            in page.replace("\n", " "))
    assert "There, no response is the only one with its combination: each is shared by at least 3 responses." in page
    french = client.get(export_url(small_groups, ""), headers={"Accept-Language": "fr"}).get_data(as_text=True)
    assert "Réponses pseudonymisées" in french
    assert "3 réponses sur 8 sont chacune la seule à avoir sa combinaison de commune, tranche d’âge et sexe" in (
        french.replace("&#39;", "’").replace("'", "’"))


def test_k_anonymous_csv_merges_and_blanks_until_every_combination_holds_k(client, login, coordinator,
                                                                           small_groups):
    login(coordinator)
    response = client.get(export_url(small_groups, "responses-k-anonymous.csv"), headers=EN)
    assert response.status_code == 200
    assert "responses-k-anonymous" in response.headers["Content-Disposition"]
    rows = as_dicts(by_code(read_csv(response)))
    groups: dict[tuple, int] = {}
    for row in rows:
        key = (row["Q1"], row["Q11"], row["Q12"])
        groups[key] = groups.get(key, 0) + 1
    assert len(rows) == 8 and min(groups.values()) >= 3, groups
    # The commune of two respondents is merged, and with it Moissac (the group "Other communes" must hold k);
    # the age bands 30-44 and 45-59, 60-74 and 75+ become two wider bands.
    assert {key[0] for key in groups} == {"other"} and {row["Q1_name"] for row in rows} == {"Other communes"}
    assert {key[1] for key in groups} == {"2+3", "4+5"}
    assert "Q9" not in rows[0] and "Q10" not in rows[0] and "Q4_other_text" not in rows[0]  # no free text
    with_texts = as_dicts(by_code(read_csv(client.get(export_url(small_groups,
                                                                  "responses-k-anonymous.csv?texts=1")))))
    assert {row["Q10"] for row in with_texts} == {VALID_ANSWERS["Q10"]}


def test_export_page_says_when_the_survey_is_too_small_for_groups_of_k(client, login, coordinator, answered):
    login(coordinator)
    page = client.get(export_url(answered, ""), headers=EN).get_data(as_text=True)
    assert ("3 responses of 3 are each the only one with their combination of commune, age band, and sex"
            in page.replace("\n", " "))
    assert "The survey has fewer than 11 responses: no group of 11 can be formed yet" in page
    rows = as_dicts(by_code(read_csv(client.get(export_url(answered, "responses-k-anonymous.csv")))))
    assert len(rows) == 3 and {(r["Q1"], r["Q11"], r["Q12"]) for r in rows} == {("", "", "")}


def test_observers_see_neither_the_unique_rows_nor_the_k_anonymous_export(client, login, observer, small_groups):
    login(observer)
    page = client.get(export_url(small_groups, ""), headers=EN).get_data(as_text=True)
    assert "Aggregated tables" in page and "k-anonymous" not in page and "only one with" not in page
    assert client.get(export_url(small_groups, "responses-k-anonymous.xlsx")).status_code == 403
