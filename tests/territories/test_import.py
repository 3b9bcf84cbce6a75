"""Communes CSV import, through the coordinator's form and `flask territory import-communes`: all or nothing."""
from __future__ import annotations

import csv
import io

import pytest

from consult.accounts.models import Role
from consult.territories.models import Commune
from tests.conftest import SAMPLE_CSV
from tests.territories.helpers import (
    communes_of,
    count,
    csv_bytes,
    flashed,
    numbers_in,
    page_text,
    problem_lines,
    upload,
)

SLUG = "gascogne-toulousaine"
SIREN = "243200417"
HEADER = "insee_code,name,population,population_year"


@pytest.fixture
def gascogne(make_territory):
    """A territory whose EPCI has no commune yet: every import starts from an empty list."""
    return make_territory(SLUG, "Gascogne Toulousaine", siren=SIREN, epci_name="CC de la Gascogne Toulousaine",
                          with_contract=False)


@pytest.fixture
def gascogne_coordinator(make_user, login, gascogne):
    user = make_user("coordination.gascogne@example.org", role=(gascogne, Role.COORDINATOR))
    login(user)
    return user


@pytest.fixture
def write_file(tmp_path):
    def write(data: bytes, name: str = "communes.csv"):
        path = tmp_path / name
        path.write_bytes(data)
        return path

    return write


def import_cli(runner, slug: str, path):
    return runner.invoke(args=["territory", "import-communes", slug, str(path)])


def confluences_file() -> bytes:
    """The 22 communes of Terres des Confluences, as the demo sample lists them."""
    with SAMPLE_CSV.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["epci_siren"] == "200066322"]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["insee_code", "commune_name", "population", "population_year", "epci_siren"])
    for r in rows:
        writer.writerow([r["insee_code"], r["commune_name"], r["population"], r["population_year"], r["epci_siren"]])
    return out.getvalue().encode()


VALID = csv_bytes(
    HEADER,
    "32160,L'Isle-Jourdain,9207,2021",
    "01004,Ambérieu-en-Bugey,14514,2021",
    "2A004,Ajaccio,71361,2021",
)

# Line 2 and 8 are fine; lines 3 to 7 each break one rule.
EVERY_PROBLEM = csv_bytes(
    HEADER,
    "32160,L'Isle-Jourdain,9207,2021",
    "3216,Pujaudran,1402,2021",                 # 3: INSEE code of 4 digits
    "32160,L'Isle-Jourdain,9207,2021",          # 4: same code as line 2
    "32334,Pujaudran,mille quatre cents,2021",  # 5: population not a number
    "32428,Ségoufielle,1215,20021",             # 6: not a year
    "32150;Lias;1068;2021",                     # 7: wrong separator (one field)
    "32256,Monferran-Savès,812,2021",
)


# --- through the coordinator's form ---------------------------------------------------------------

def test_valid_file_creates_communes_with_insee_codes_kept_as_text(client, gascogne, gascogne_coordinator):
    response = upload(client, SLUG, VALID)

    assert response.status_code == 302
    assert response.headers["Location"] == f"/t/{SLUG}/manage/communes"
    assert numbers_in(flashed(client)[-1]) == [3, 0, 0]
    stored = communes_of(gascogne)
    assert set(stored) == {"32160", "01004", "2A004"}
    assert stored["01004"][1:4] == ("Ambérieu-en-Bugey", 14514, 2021)
    assert stored["2A004"][1:4] == ("Ajaccio", 71361, 2021)
    assert stored["32160"][1] == "L'Isle-Jourdain"


def test_imported_communes_are_listed_on_the_communes_page(client, gascogne, gascogne_coordinator):
    upload(client, SLUG, VALID)

    page = page_text(client.get(f"/t/{SLUG}/manage/communes"))
    assert "L'Isle-Jourdain" in page
    assert "01004" in page
    assert "2A004" in page


def test_lower_case_corsican_code_is_stored_upper_case(client, gascogne, gascogne_coordinator):
    response = upload(client, SLUG, csv_bytes(HEADER, "2b033,Bastia,48503,2021"))

    assert response.status_code == 302
    assert set(communes_of(gascogne)) == {"2B033"}


def test_semicolon_file_from_excel_with_french_headers_is_imported(client, gascogne, gascogne_coordinator):
    data = "\ufeff" + "code_insee;nom;population;année\n32160;L'Isle-Jourdain;9 207;2021\n32334;Pujaudran;1402;2021\n"

    response = upload(client, SLUG, data.encode("utf-8"))

    assert response.status_code == 302
    stored = communes_of(gascogne)
    assert stored["32160"][1:4] == ("L'Isle-Jourdain", 9207, 2021)
    assert stored["32334"][1:4] == ("Pujaudran", 1402, 2021)


def test_population_with_french_thousands_separator_is_read(client, gascogne, gascogne_coordinator):
    response = upload(client, SLUG, csv_bytes(HEADER, '32160,L\'Isle-Jourdain,"9\u202f207",2021',
                                              '01004,Ambérieu-en-Bugey,"14\xa0514",2021'))

    assert response.status_code == 302
    stored = communes_of(gascogne)
    assert stored["32160"][2] == 9207
    assert stored["01004"][2] == 14514


def test_every_bad_line_is_listed_and_nothing_is_imported(client, gascogne, gascogne_coordinator):
    response = upload(client, SLUG, EVERY_PROBLEM)

    assert response.status_code == 422
    assert problem_lines(response) == [3, 4, 5, 6, 7]
    assert count(Commune) == 0


BAD_LINES = {
    "INSEE code too short": "3216,Pujaudran,1402,2021",
    "INSEE code with letters": "32A60,Pujaudran,1402,2021",
    "duplicate INSEE code": "32160,L'Isle-Jourdain,9207,2021",
    "population not a number": "32334,Pujaudran,1 402 habitants,2021",
    "negative population": "32334,Pujaudran,-1402,2021",
    "year not a number": "32334,Pujaudran,1402,deux mille",
    "year out of range": "32334,Pujaudran,1402,20021",
    "missing name": "32334,,1402,2021",
    "too many fields": "32334,Pujaudran,1402,2021,en trop",
    "semicolon in a comma file": "32334;Pujaudran;1402;2021",
}


def test_each_kind_of_bad_line_is_reported_with_its_number(client, gascogne, gascogne_coordinator, subtests):
    for kind, bad_line in BAD_LINES.items():
        with subtests.test(kind=kind):
            data = csv_bytes(HEADER, "32160,L'Isle-Jourdain,9207,2021", bad_line, "01004,Ambérieu-en-Bugey,14514,2021")

            response = upload(client, SLUG, data)

            assert response.status_code == 422
            assert problem_lines(response) == [3]
            assert count(Commune) == 0


def test_windows_line_endings_and_blank_lines_keep_line_numbers_right(client, gascogne, gascogne_coordinator):
    data = (b"insee_code,name,population,population_year\r\n"
            b"32160,L'Isle-Jourdain,9207,2021\r\n\r\n"
            b"3216,Pujaudran,1402,2021\r\n")

    response = upload(client, SLUG, data)

    assert response.status_code == 422
    assert problem_lines(response) == [4]
    assert count(Commune) == 0


@pytest.mark.parametrize(("data", "line"), [(b"", 1), (b"insee_code,name,population,population_year\n", 2)],
                         ids=["empty file", "header only"])
def test_file_without_communes_is_rejected(client, gascogne, gascogne_coordinator, data, line):
    response = upload(client, SLUG, data)

    assert response.status_code == 422
    assert problem_lines(response) == [line]
    assert count(Commune) == 0


def test_non_utf8_file_is_rejected_with_the_line_of_the_bad_bytes(client, gascogne, gascogne_coordinator):
    data = csv_bytes(HEADER, "82033,Castelsarrasin,14343,2023") + "82118,Montaïn,92,2023\n".encode("cp1252")

    response = upload(client, SLUG, data)

    assert response.status_code == 422
    assert problem_lines(response) == [3]
    assert count(Commune) == 0


def test_missing_header_column_is_reported_on_line_1(client, gascogne, gascogne_coordinator):
    response = upload(client, SLUG, csv_bytes("insee_code,name,population", "32160,L'Isle-Jourdain,9207"))

    assert response.status_code == 422
    assert problem_lines(response) == [1]
    assert count(Commune) == 0


def test_non_utf8_line_does_not_hide_the_other_bad_lines(client, gascogne, gascogne_coordinator):
    data = (csv_bytes(HEADER, "82033,Castelsarrasin,14343,2023") + "82118,Montaïn,92,2023\n".encode("cp1252")
            + csv_bytes("8211,Moissac,13419,2023"))

    response = upload(client, SLUG, data)

    assert problem_lines(response) == [3, 4]


def test_duplicate_of_a_rejected_line_is_reported_in_the_same_pass(client, gascogne, gascogne_coordinator):
    data = csv_bytes(HEADER, "32160,L'Isle-Jourdain,neuf mille,2021", "32160,L'Isle-Jourdain,9207,2021")

    response = upload(client, SLUG, data)

    assert problem_lines(response) == [2, 3]


def test_reimporting_the_same_file_changes_nothing(client, gascogne, gascogne_coordinator):
    upload(client, SLUG, VALID)
    before = communes_of(gascogne)

    response = upload(client, SLUG, VALID)

    assert response.status_code == 302
    assert numbers_in(flashed(client)[-1]) == [0, 0, 3]
    assert communes_of(gascogne) == before


def test_reimport_with_a_new_population_updates_only_that_commune(client, gascogne, gascogne_coordinator):
    upload(client, SLUG, VALID)
    before = communes_of(gascogne)
    changed = csv_bytes(HEADER, "32160,L'Isle-Jourdain,9312,2022", "01004,Ambérieu-en-Bugey,14514,2021",
                        "2A004,Ajaccio,71361,2021")

    response = upload(client, SLUG, changed)

    assert response.status_code == 302
    assert numbers_in(flashed(client)[-1]) == [0, 1, 2]
    after = communes_of(gascogne)
    assert after["32160"] == (before["32160"][0], "L'Isle-Jourdain", 9312, 2022, None)
    assert after["01004"] == before["01004"]
    assert after["2A004"] == before["2A004"]


def test_epci_siren_column_links_communes_to_the_territory_epci(client, gascogne, gascogne_coordinator):
    data = csv_bytes(HEADER + ",epci_siren", f"32160,L'Isle-Jourdain,9207,2021,{SIREN}", "32334,Pujaudran,1402,2021,")

    response = upload(client, SLUG, data)

    assert response.status_code == 302
    stored = communes_of(gascogne)
    assert stored["32160"][4] == SIREN
    assert stored["32334"][4] is None


def test_reimport_without_epci_column_keeps_the_epci_link(client, gascogne, gascogne_coordinator):
    upload(client, SLUG, csv_bytes(HEADER + ",epci_siren", f"32160,L'Isle-Jourdain,9207,2021,{SIREN}"))

    upload(client, SLUG, csv_bytes(HEADER, "32160,L'Isle-Jourdain,9312,2022"))

    assert communes_of(gascogne)["32160"][2:] == (9312, 2022, SIREN)


def test_siren_of_an_epci_outside_the_territory_is_an_error(client, gascogne, other_territory,
                                                            gascogne_coordinator):
    # 200069383 is Ouest Aveyron's EPCI: known to the site, not to this territory.
    data = csv_bytes(HEADER + ",epci_siren", f"32160,L'Isle-Jourdain,9207,2021,{SIREN}",
                     "32334,Pujaudran,1402,2021,200069383", "32428,Ségoufielle,1215,2021,24320041")
    communes_before = count(Commune)

    response = upload(client, SLUG, data)

    assert response.status_code == 422
    assert problem_lines(response) == [3, 4]
    assert count(Commune) == communes_before
    assert communes_of(gascogne) == {}


def test_rejected_file_leaves_existing_communes_untouched(client, territory, as_coordinator):
    before = communes_of(territory)
    data = csv_bytes(HEADER, "82118,Montaïn,95,2024", "82033,Castelsarrasin,beaucoup,2024")

    response = upload(client, territory.slug, data)

    assert response.status_code == 422
    assert communes_of(territory) == before


# --- through the command line ---------------------------------------------------------------------

def test_cli_imports_a_valid_file(runner, gascogne, write_file):
    result = import_cli(runner, SLUG, write_file(VALID))

    assert result.exit_code == 0, result.output
    assert numbers_in(result.stdout) == [3, 0, 0]
    stored = communes_of(gascogne)
    assert set(stored) == {"32160", "01004", "2A004"}
    assert stored["01004"][1] == "Ambérieu-en-Bugey"


def test_cli_lists_every_bad_line_on_stderr_and_imports_nothing(runner, gascogne, write_file):
    result = import_cli(runner, SLUG, write_file(EVERY_PROBLEM))

    assert result.exit_code == 1
    for line in (3, 4, 5, 6, 7):
        assert f"line {line}:" in result.stderr
    assert "line 2:" not in result.stderr
    assert "line 8:" not in result.stderr
    assert count(Commune) == 0


def test_cli_rejects_a_non_utf8_file(runner, gascogne, write_file):
    data = csv_bytes(HEADER, "82033,Castelsarrasin,14343,2023") + "82118,Montaïn,92,2023\n".encode("cp1252")

    result = import_cli(runner, SLUG, write_file(data))

    assert result.exit_code == 1
    assert "line 3:" in result.stderr
    assert count(Commune) == 0


def test_cli_rejects_a_file_missing_a_header_column(runner, gascogne, write_file):
    result = import_cli(runner, SLUG, write_file(csv_bytes("insee_code,population,population_year",
                                                           "32160,9207,2021")))

    assert result.exit_code == 1
    assert "line 1:" in result.stderr
    assert count(Commune) == 0


def test_cli_reimport_of_the_sample_reports_every_commune_unchanged(runner, territory, write_file):
    before = communes_of(territory)

    result = import_cli(runner, territory.slug, write_file(confluences_file()))

    assert result.exit_code == 0, result.output
    assert numbers_in(result.stdout) == [0, 0, 22]
    assert communes_of(territory) == before


def test_cli_reimport_with_a_changed_population_updates_it(runner, territory, write_file):
    before = communes_of(territory)
    data = confluences_file().replace(b"82118,Monta\xc3\xafn,92,2023", b"82118,Monta\xc3\xafn,95,2024")

    result = import_cli(runner, territory.slug, write_file(data))

    assert result.exit_code == 0, result.output
    assert numbers_in(result.stdout) == [0, 1, 21]
    after = communes_of(territory)
    assert after["82118"] == (before["82118"][0], "Montaïn", 95, 2024, "200066322")
    assert {k: v for k, v in after.items() if k != "82118"} == {k: v for k, v in before.items() if k != "82118"}


def test_cli_refuses_an_unknown_territory(runner, gascogne, write_file):
    result = import_cli(runner, "territoire-inconnu", write_file(VALID))

    assert result.exit_code == 1
    assert "territoire-inconnu" in result.stderr
    assert count(Commune) == 0


def test_line_numbers_count_physical_lines_when_a_name_spans_two(client, gascogne, gascogne_coordinator):
    data = csv_bytes(HEADER, '32160,"L\'Isle-\nJourdain",9207,2021', "3216,Pujaudran,1200,2021")

    response = upload(client, SLUG, data)

    assert problem_lines(response) == [4]
