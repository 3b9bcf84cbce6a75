"""The consultation report, the action plan and the per-fiche files: read back (pdftotext, odfpy) to the figures
the pages show, tagged PDF, nothing unpublished, every role on the per-fiche download. Each file is rendered once
for the module (WeasyPrint is slow): `built` seeds report_world, fetches the pages and builds the files."""
from __future__ import annotations

import io
import re
import subprocess
import zipfile
import zlib
from xml.dom import minidom

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from odf import opendocument, table, text
from odf.namespaces import OFFICENS, TABLENS, TEXTNS

from consult.diagnostic.kinds import build
from consult.extensions import db
from consult.synthesis.models import FicheStatus
from tests.conftest import PASSWORD, fresh, shared_app
from tests.diagnostic import report_world
from tests.synthesis.world import FREE_TEXT, OTHER_FREE_TEXT, table as page_table, text_of

SLUG = report_world.SLUG
NEVER = [FREE_TEXT, OTHER_FREE_TEXT, report_world.LATE_FREE_TEXT, report_world.DRAFT_TITLE,
         "Un brouillon jamais publié"]


def spaced(value: str) -> str:
    """Spaces of any width (French thousands and percent use narrow no-break spaces) as one plain space."""
    return " ".join(value.replace("\u202f", " ").replace("\u00a0", " ").split())


def pdf_text(data: bytes, mode: str = "-layout") -> str:
    """The PDF's text: laid out (table rows on one line), or in reading order with "-raw" (page footers too)."""
    done = subprocess.run(["/usr/bin/pdftotext", mode, "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def pdf_lines(data: bytes) -> list[str]:
    return [spaced(line) for line in pdf_text(data).splitlines() if line.strip()]


def odt_of(data: bytes):
    return opendocument.load(io.BytesIO(data))


def odt_text(data: bytes) -> str:
    doc = odt_of(data)
    return spaced(" ".join(str(p) for kind in (text.H, text.P) for p in doc.getElementsByType(kind)))


def odt_rows(data: bytes) -> list[list[str]]:
    """Every table row of the document, as cell texts."""
    rows = []
    for row in odt_of(data).getElementsByType(table.TableRow):
        rows.append([spaced(str(cell)) for cell in row.getElementsByType(table.TableCell)])
    return rows


def pdf_objects(data: bytes) -> bytes:
    """The PDF's objects, object streams inflated (WeasyPrint compresses the catalogue into one)."""
    found = [data]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", data, flags=re.S):
        try:
            found.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return b"\n".join(found)


def login(client, email: str) -> None:
    response = client.post("/account/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302


@pytest.fixture(scope="module")
def built():
    """The world seeded once; the pages as their readers see them; each file built once (French, and the
    report's PDF in English too)."""
    app = shared_app()
    found: dict = {"progress": []}
    with fresh(app):
        world = report_world.seed()
        survey, axis = world["survey"], world["axis"]
        anonymous = app.test_client()
        found["results"] = anonymous.get(f"/t/{SLUG}/surveys/{survey.id}/results")
        found["outcomes"] = anonymous.get(f"/t/{SLUG}/outcomes")
        found["plan"] = anonymous.get(f"/t/{SLUG}/plan/")
        observer = app.test_client()
        login(observer, world["people"]["observer"].email)
        found["participation"] = observer.get(f"/t/{SLUG}/manage/synthesis/participation")
        found["axis"] = observer.get(f"/t/{SLUG}/manage/synthesis/axes/{axis.id}")
        found["fiche_ids"] = {number: f.id for number, f in world["fiches"].items()}
        with app.test_request_context("/"):
            with force_locale("fr"):
                found["captions"] = {key: _(msgid) for key, msgid in (
                    ("channels", "Contributions and people by channel"),
                    ("proposals", "Published proposals, most supported first"))}
                for kind, fmt in (("report", "pdf"), ("report", "odt"), ("action-plan", "pdf"),
                                  ("action-plan", "odt")):
                    target = io.BytesIO()
                    build(kind, world["territory"], fmt, target,
                          progress=lambda done, total, kind=kind, fmt=fmt: found["progress"].append(
                              (kind, fmt, done, total)))
                    found[(kind, fmt)] = target.getvalue()
            with force_locale("en"):
                target = io.BytesIO()
                build("report", world["territory"], "pdf", target)
                found[("report", "pdf", "en")] = target.getvalue()
        for key in ("results", "outcomes", "plan", "participation", "axis"):
            assert found[key].status_code == 200, key
    return found


# --- accessible PDF --------------------------------------------------------------------------------------

def test_report_pdf_is_tagged_with_language_title_and_page_numbers(built):
    data = built[("report", "pdf")]
    objects = pdf_objects(data)
    assert b"/StructTreeRoot" in objects and b"/MarkInfo" in objects
    assert b"/Alt (Contributions by channel)" not in objects  # the charts' text alternative is in French…
    assert objects.count(b"/Alt ") >= 4  # …one per chart (the SVG's <title>)
    assert re.search(rb"/Lang \(fr", objects)
    info = subprocess.run(["/usr/bin/pdfinfo", "-struct", "-"], input=data, capture_output=True).stdout.decode()
    assert "Tagged:          yes" in subprocess.run(["/usr/bin/pdfinfo", "-"], input=data,
                                                  capture_output=True).stdout.decode()
    meta = subprocess.run(["/usr/bin/pdfinfo", "-"], input=data, capture_output=True).stdout.decode()
    assert "Title:           Rapport de consultation — Terres des Confluences" in meta
    assert "A4" in meta
    for tag in ("H1", "H2", "H3", "Table", "TH", "Figure", "L"):
        assert re.search(rf"^\s*{tag}[ :]", info, flags=re.M), tag
    pages = int(re.search(r"Pages:\s+(\d+)", meta).group(1))
    footers = [line for line in pdf_text(data, "-raw").splitlines() if line.endswith(f" / {pages}")]
    assert footers == [f"{n} / {pages}" for n in range(2, pages + 1)]  # the cover has no number


# --- the figures the pages show ----------------------------------------------------------------------------

def test_report_survey_figures_are_the_public_results_page(built):
    rows = page_table(built["results"], "Avez-vous renoncé à des soins depuis un an ?")
    shown = [spaced(" ".join(r)) for r in rows[1:]]
    assert shown == ["Oui 14 56 %", "Non 11 44 %", "Répondants (n) 25 100 %"]
    lines = pdf_lines(built[("report", "pdf")])
    odt = [" ".join(r) for r in odt_rows(built[("report", "odt")])]
    for line in shown:
        assert line in lines, line
        assert line in odt, line
    # 26 answers exist; the release counted 25: the late answer is not in the report.
    assert "Q1 — Avez-vous renoncé à des soins depuis un an ?" in lines


def test_report_participation_is_the_dashboard(built):
    rows = page_table(built["participation"], built["captions"]["channels"])
    lines = pdf_lines(built[("report", "pdf")])
    odt = [" ".join(r) for r in odt_rows(built[("report", "odt")])]
    channel_rows = [spaced(" ".join(cell for cell in r if cell)) for r in rows[1:]]
    assert len(channel_rows) == 7 and "Soutiens 4 3" in channel_rows
    for line in channel_rows:
        assert line in odt, line
        assert line in lines, line
    people = re.search(r"(\d+) personnes ont participé", spaced(text_of(built["participation"]))).group(1)
    assert f"{people} personnes ont participé par les groupes de travail" in " ".join(lines)


def test_report_proposals_are_those_of_the_synthesis_and_outcomes_pages(built):
    rows = page_table(built["axis"], built["captions"]["proposals"])
    lines = pdf_lines(built[("report", "pdf")])
    odt = odt_rows(built[("report", "odt")])
    for title, supports, *_rest in rows[1:]:
        assert any(line.startswith(spaced(title)) and f" {supports} " in f" {line} " for line in lines), title
        assert any(r[:2] == [spaced(title), supports] for r in odt), title
    outcomes = text_of(built["outcomes"])
    assert "3 propositions sont publiées. 1 est retenue." in spaced(outcomes)
    text = " ".join(lines)
    assert "Une permanence de PMI à Saint-Nicolas → Action 1.2 Une permanence de PMI itinérante" in text


def test_action_plan_is_the_public_plan_in_order_with_contents(built):
    plan_page = text_of(built["plan"])
    titles = ["Une navette santé le samedi", "Une permanence de PMI itinérante",
              "Des ateliers cuisine pour les familles"]
    assert all(t in plan_page for t in titles)
    lines = pdf_lines(built[("action-plan", "pdf")])
    contents = [line for line in lines if re.search(r"\. \d+$", line) or re.search(r"\.\s?\d+$", line)]
    assert [n for n in ("1.1", "1.2", "2.1") if any(f"Action {n} —" in c for c in contents)] == ["1.1", "1.2", "2.1"]
    headings = [line for line in lines if re.match(r"^Action \d\.\d — ", line) and not re.search(r"\d+$", line)]
    assert [h.split(" — ")[1] for h in headings] == titles
    doc = odt_of(built[("action-plan", "odt")])
    levels = [(h.getAttrNS(TEXTNS, "outline-level"), str(h)) for h in doc.getElementsByType(text.H)]
    assert [lvl for lvl, h in levels if h.startswith("Action ")] == ["2", "2", "2"]
    assert levels[0][0] == "1" and levels[0][1].startswith("Axe 1 — ")
    assert doc.getElementsByType(text.TableOfContent)


# --- what never appears ------------------------------------------------------------------------------------

def test_no_free_text_draft_or_unreleased_answer_in_any_file(built):
    for key in (("report", "pdf"), ("report", "odt"), ("action-plan", "pdf"), ("action-plan", "odt")):
        content = pdf_text(built[key]) if key[1] == "pdf" else odt_text(built[key])
        for secret in NEVER:
            assert spaced(secret) not in spaced(content), (key, secret)
        assert "Créer un annuaire des professionnels de santé" not in content  # ideas' texts: counted, not printed
        assert " 26 " not in f" {spaced(content)} "


def test_text_typed_by_users_is_printed_as_typed(built):
    """Markup in a title is text (escaped, never interpreted), and a formula-looking title stays words."""
    printed = "".join(pdf_text(built[("report", "pdf")], "-raw").split())  # a narrow cell wraps anywhere
    assert "".join(report_world.MARKUP.split()) in printed
    assert any(row[0] == report_world.MARKUP for row in odt_rows(built[("report", "odt")]))
    doc = odt_of(built[("report", "odt")])
    cells = [c for c in doc.getElementsByType(table.TableCell) if str(c) == report_world.FORMULA]
    assert cells and all(c.getAttrNS(OFFICENS, "value-type") == "string" for c in cells)
    assert all(not c.getAttrNS(TABLENS, "formula") for c in doc.getElementsByType(table.TableCell))
    assert report_world.FORMULA in pdf_text(built[("report", "pdf")])


# --- ODT structure, language, progress ---------------------------------------------------------------------

def test_report_odt_has_outline_headings_header_rows_and_language(built):
    for key in (("report", "odt"), ("action-plan", "odt")):
        with zipfile.ZipFile(io.BytesIO(built[key])) as archive:
            assert archive.read("mimetype") == b"application/vnd.oasis.opendocument.text"
            for part in ("content.xml", "styles.xml", "meta.xml", "META-INF/manifest.xml"):
                minidom.parseString(archive.read(part))  # well-formed, or this raises
    doc = odt_of(built[("report", "odt")])
    headings = {str(h): h.getAttrNS(TEXTNS, "outline-level") for h in doc.getElementsByType(text.H)}
    assert headings["Méthode"] == "1" and headings["Participation"] == "1"
    assert any(level == "2" and name.startswith("Axe 1 — ") for name, level in headings.items())
    assert len(doc.getElementsByType(table.TableHeaderRows)) == len(doc.getElementsByType(table.Table)) >= 6
    meta = doc.xml().decode("utf-8") if isinstance(doc.xml(), bytes) else str(doc.xml())
    assert "<dc:language>fr</dc:language>" in meta
    assert "<dc:title>Rapport de consultation — Terres des Confluences</dc:title>" in meta


def test_progress_is_reported_per_section_then_done(built):
    report = [(done, total) for kind, fmt, done, total in built["progress"] if (kind, fmt) == ("report", "pdf")]
    assert report == [(n, 7) for n in range(1, 8)]
    plan = [(done, total) for kind, fmt, done, total in built["progress"] if (kind, fmt) == ("action-plan", "odt")]
    assert plan == [(n, 4) for n in range(1, 5)]


def test_english_report(built):
    lines = pdf_lines(built[("report", "pdf", "en")])
    for heading in ("Consultation report", "Method", "Participation", "Key figures per axis",
                    "Proposals and what became of them", "Working groups and events"):
        assert heading in lines, heading
    assert "Oui 14 56 %" in lines and "Répondants (n) 25 100 %" not in lines and "Respondents (n) 25 100 %" in lines
    assert re.search(rb"/Lang \(en", pdf_objects(built[("report", "pdf", "en")]))
    assert "Rapport de consultation" in pdf_text(built[("report", "pdf")])


# --- one fiche as a file, for every role -------------------------------------------------------------------

@pytest.fixture
def fiches(app, territory, other_territory):
    axis = territory.current_contract.axes[0]
    return {"published": report_world.fiche(territory, axis, 1, "Une navette santé le samedi", published=True),
            "draft": report_world.fiche(territory, axis, 2, report_world.DRAFT_TITLE, published=False)}


ROLES = ["anonymous", "participant", "observer", "other_coordinator", "coordinator", "admin"]
READERS = {"observer", "coordinator", "admin"}


@pytest.mark.parametrize("role", ROLES)
def test_fiche_file_for_each_role(role, fiches, client, as_role):
    browser = client if role == "anonymous" else as_role(role)
    published, draft = fiches["published"], fiches["draft"]
    response = browser.get(f"/t/{SLUG}/plan/fiches/{published.id}/file.odt")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.oasis.opendocument.text"
    assert 'filename="fiche-action-1.1.odt"' in response.headers["Content-Disposition"]
    assert "Une navette santé le samedi" in odt_text(response.data)
    response = browser.get(f"/t/{SLUG}/plan/fiches/{draft.id}/file.odt")
    if role in READERS:
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
        assert report_world.DRAFT_TITLE in odt_text(response.data)
    else:
        assert response.status_code == 404
    assert browser.get(f"/t/{SLUG}/plan/fiches/{published.id}/file.docx").status_code == 404
    assert db.session.get(type(draft), draft.id).status is FicheStatus.DRAFT


def test_fiche_pdf_linked_from_the_public_page(fiches, client):
    published, draft = fiches["published"], fiches["draft"]
    page = client.get(f"/t/{SLUG}/plan/fiches/{published.id}").get_data(as_text=True)
    link = f"/t/{SLUG}/plan/fiches/{published.id}/file.pdf"
    assert f'href="{link}"' in page
    response = client.get(link)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    lines = pdf_lines(response.data)
    assert "Action 1.1 — Une navette santé le samedi" in lines
    assert any(line.startswith("Total 6 000 € 1 500 € 7 500 €") for line in lines)
    assert client.get(f"/t/{SLUG}/plan/fiches/{draft.id}/file.pdf").status_code == 404


def test_draft_file_linked_from_the_coordinators_fiche_page(fiches, as_role):
    browser = as_role("observer")
    draft = fiches["draft"]
    page = browser.get(f"/t/{SLUG}/manage/plan/fiches/{draft.id}/").get_data(as_text=True)
    assert f'href="/t/{SLUG}/plan/fiches/{draft.id}/file.odt"' in page
    assert f'href="/t/{SLUG}/plan/fiches/{draft.id}/file.pdf"' in page
