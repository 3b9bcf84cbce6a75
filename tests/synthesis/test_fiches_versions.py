"""Versions of a fiche compared side by side: every field with both values, changed fields marked in words."""
from __future__ import annotations

import re

import pytest

from tests.synthesis.fiche_forms import PLAN, fiche_form, fiches


@pytest.fixture
def edited(client, as_coordinator, territory):
    axis = territory.current_contract.active_axes[0]
    client.post(f"{PLAN}/fiches/new", data=fiche_form(axis))
    fiche = fiches()[0]
    client.post(f"{PLAN}/fiches/{fiche.id}/edit", data=fiche_form(axis, **{
        "title": "Former aux Premiers secours en santé mentale", "fundings-0-amount": "7500",
        "partners-1-organisation": "", "indicators-0-id": str(fiche.indicators[0].id)}))
    client.post(f"{PLAN}/fiches/{fiche.id}/edit", data=fiche_form(axis, **{
        "title": "Former aux Premiers secours en santé mentale", "fundings-0-amount": "7500",
        "partners-1-organisation": "", "indicators-0-id": str(fiche.indicators[0].id),
        "priority": "low"}))
    return fiches()[0]


def rows(page: str) -> dict[str, str]:
    """Each row of the comparison table: its field label → the row's HTML."""
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    found = {}
    for row in re.findall(r"<tr class=\"(is-changed|is-same)\">(.*?)</tr>", body, re.S):
        label = re.search(r'<th scope="row">([^<]+)', row[1]).group(1).strip()
        found[label] = row[0]
    return found


def test_compare_marks_the_fields_that_changed_with_both_values(client, edited):
    response = client.get(f"{PLAN}/fiches/{edited.id}/compare?a=1&b=2")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    marks = rows(page)
    assert {label for label, mark in marks.items() if mark == "is-changed"} == {
        "Title of the action", "Lead organisation and partners", "Budget and funding"}
    assert marks["Context and findings"] == "is-same"
    assert "3 fields changed between version 1 and version 2." in page
    assert page.count(">Changed</strong>") == 3                 # said in words, not by colour alone
    assert "Déployer des formations Premiers secours en santé mentale" in page
    assert "Funder — ARS Occitanie" in page                          # a list compared as readable lines
    assert "ARS Occitanie (FIR) — Operating — €6,000 — 2025" in page
    assert "ARS Occitanie (FIR) — Operating — €7,500 — 2025" in page


def test_compare_defaults_to_the_last_two_versions_and_offers_every_version(client, edited):
    page = client.get(f"{PLAN}/fiches/{edited.id}/compare").get_data(as_text=True)

    assert "1 field changed between version 2 and version 3." in page
    assert rows(page)["Priority"] == "is-changed"
    assert page.count('<option value="3"') == 2 and '<select class="input" id="version-a" name="a">' in page


@pytest.mark.parametrize("query", ["a=1&b=9", "a=abc&b=2", "a=99999999999999999999&b=1", "a=-1&b=2"])
def test_unknown_versions_are_a_404_or_the_default(client, edited, query):
    response = client.get(f"{PLAN}/fiches/{edited.id}/compare?{query}")

    assert response.status_code in (200, 404)


def test_the_versions_page_lists_each_save_with_its_author(client, edited, coordinator):
    page = client.get(f"{PLAN}/fiches/{edited.id}/versions").get_data(as_text=True)

    assert all(f"Version {n}" in page for n in (1, 2, 3))
    assert page.count(f"<td>{coordinator.display_name}</td>") == 3
    assert "?a=2&amp;b=3" in page or "a=2&amp;b=3" in page
