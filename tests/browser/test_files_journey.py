"""A coordinator downloads the diagnostic workbook and the consultation report from the files page, an observer the
workbook only (the data package is not offered to observers) — in Chromium, axe on every page, links followed from
the cockpit and the observers' workspace."""
from __future__ import annotations

import subprocess

import openpyxl
import pytest
from playwright.sync_api import Page, expect

from tests.browser.helpers import checked_page, follow, in_language, signed_in

SLUG = "terres-des-confluences"
# One seeded server for both journeys: each writes only its own export jobs, which the other never reads.
pytestmark = pytest.mark.shared_server


def _build_and_download(page: Page, live_server, axe_check, kind: str, fmt: str, target):
    """Press the kind's button for `fmt` on the files page, land on the job page, download the file there."""
    follow(page, page.locator(f'section[aria-labelledby="kind-{kind}"] button[name="fmt"][value="{fmt}"]'))
    checked_page(page, axe_check)
    link = page.locator("main a.button[download]")
    expect(link).to_be_visible()  # the test app builds jobs at once (Huey's immediate mode)
    with page.expect_download() as download:
        link.click()
    download.value.save_as(target)
    assert download.value.suggested_filename.startswith(f"{SLUG}-{kind}-")
    assert download.value.suggested_filename.endswith(f".{fmt}")
    follow(page, page.get_by_role("link", name=in_language(live_server, "fr", "Back to the files and reports")))
    checked_page(page, axe_check)


def test_coordinator_downloads_the_workbook_and_the_report(page: Page, live_server, axe_check, tmp_path):
    page.set_viewport_size({"width": 375, "height": 812})
    signed_in(page, live_server, "coordination.confluences@example.org", "demo-coord-consult")
    page.goto(live_server(f"/t/{SLUG}/manage/"))
    checked_page(page, axe_check)
    follow(page, page.get_by_role("link", name=in_language(
        live_server, "fr", "Files and reports of the whole territory: workbook, data package, report, action plan")))
    checked_page(page, axe_check)
    expect(page.locator('section[aria-labelledby="kind-datapackage"]')).to_be_visible()

    _build_and_download(page, live_server, axe_check, "workbook", "xlsx", tmp_path / "classeur.xlsx")
    workbook = openpyxl.load_workbook(tmp_path / "classeur.xlsx", read_only=True)
    assert workbook.sheetnames[0] == "Méthode et sources" and "Fiches actions" in workbook.sheetnames

    _build_and_download(page, live_server, axe_check, "report", "pdf", tmp_path / "rapport.pdf")
    text = subprocess.run(["/usr/bin/pdftotext", str(tmp_path / "rapport.pdf"), "-"], capture_output=True,
                          text=True, check=True).stdout
    assert "Rapport de consultation" in text and "Terres des Confluences" in text
    # Both jobs are listed as the coordinator's recent files.
    expect(page.locator('section[aria-labelledby="jobs-title"] tbody tr')).to_have_count(2)
    page.set_viewport_size({"width": 1280, "height": 900})
    checked_page(page, axe_check)


def test_observer_downloads_the_workbook_but_is_not_offered_the_data_package(page: Page, live_server, axe_check,
                                                                             tmp_path):
    page.set_viewport_size({"width": 1280, "height": 900})
    signed_in(page, live_server, "referente.ars@example.org", "demo-observer-consult")
    page.goto(live_server(f"/t/{SLUG}/observe/"))
    checked_page(page, axe_check)
    follow(page, page.get_by_role("link", name=in_language(
        live_server, "fr",
        "The diagnostic workbook, the consultation report and the action plan of the whole territory, to download")))
    checked_page(page, axe_check)
    expect(page.locator('section[aria-labelledby="kind-datapackage"]')).to_have_count(0)
    _build_and_download(page, live_server, axe_check, "workbook", "ods", tmp_path / "classeur.ods")
    assert (tmp_path / "classeur.ods").read_bytes()[:2] == b"PK"
    page.set_viewport_size({"width": 375, "height": 812})
    checked_page(page, axe_check)
    # The data package's address, typed by hand, is refused.
    response = page.request.post(live_server(f"/t/{SLUG}/files/datapackage"), form={"fmt": "zip"})
    assert response.status in (400, 403)

