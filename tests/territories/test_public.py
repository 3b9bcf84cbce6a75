"""Public pages of a territory: the current CLS at a glance, its history, and what user text may not inject."""
from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from flask_babel import format_date

from consult.extensions import db
from consult.territories.models import Axis, Contract, ContractPartner, Objective, PartnerKind, Phase
from tests.territories.helpers import page_text

SLUG = "terres-des-confluences"
SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def first_contract(territory):
    """CLS 1 (2019-2022), ended, with its own axis and objective."""
    contract = Contract(territory=territory, generation=1, title="CLS Terres des Confluences 2019-2022",
                        start_date=dt.date(2019, 8, 1), end_date=dt.date(2022, 12, 31), phase=Phase.ENDED,
                        is_current=False, summary="Premier contrat, signé en août 2019.")
    axis = Axis(title="Prévention et promotion de la santé", position=0)
    axis.objectives = [Objective(title="Améliorer le recours au dépistage", position=0)]
    contract.axes = [axis]
    db.session.add(contract)
    db.session.commit()
    return contract


def home(client) -> str:
    response = client.get(f"/t/{SLUG}/")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def long_date(app, day: dt.date) -> str:
    with app.test_request_context("/"):
        return format_date(day, "long")


def test_home_shows_the_current_contract_title_period_and_phase(app, client, territory):
    page = home(client)

    text = html.unescape(page)
    assert "CLS 2 Terres des Confluences 2023-2027" in text
    assert long_date(app, dt.date(2023, 1, 1)) in text
    assert long_date(app, dt.date(2027, 12, 31)) in text
    assert 'class="badge badge-signed"' in page


def test_home_lists_axes_and_objectives_in_order(client, territory):
    text = html.unescape(home(client))

    first = text.index("Favoriser la mise en relation des acteurs (élus, professionnels…)")
    second = text.index("Développer l'essor d'actions complémentaires innovantes")
    assert first < text.index("Accueillir les nouveaux praticiens de santé") < second
    assert "Former les élus aux inégalités de santé" in text


def test_home_lists_signatories_and_partners(client, territory):
    text = html.unescape(home(client))

    assert "ARS Occitanie" in text
    assert "CPTS Quercy Garonne" in text


def test_home_shows_the_commune_count(client, territory):
    page = home(client)

    assert re.search(r"<dd>\s*22\s*</dd>", page)


def test_home_renders_the_presentation_markdown(client, territory):
    page = home(client)

    assert "<strong>rural</strong>" in page
    assert "**rural**" not in page


def test_history_links_to_the_previous_contract(client, territory, first_contract):
    page = home(client)

    assert re.search(rf'<a href="/t/{SLUG}/contracts/1">CLS Terres des Confluences 2019-2022</a>', page)
    assert f'href="/t/{SLUG}/contracts/2"' not in page  # the current contract is not in its own history


def test_previous_contract_page_shows_its_own_axes(client, territory, first_contract):
    response = client.get(f"/t/{SLUG}/contracts/1")

    assert response.status_code == 200
    text = page_text(response)
    assert "CLS Terres des Confluences 2019-2022" in text
    assert "Prévention et promotion de la santé" in text
    assert "Améliorer le recours au dépistage" in text
    assert "Favoriser la mise en relation des acteurs" not in text


def test_unknown_contract_generation_is_404(client, territory):
    assert client.get(f"/t/{SLUG}/contracts/7").status_code == 404


def test_territory_without_contract_still_has_a_home(client, make_territory):
    make_territory("gascogne-toulousaine", "Gascogne Toulousaine", siren="243200417",
                   epci_name="CC de la Gascogne Toulousaine", with_contract=False)

    assert client.get("/t/gascogne-toulousaine/").status_code == 200
    assert client.get("/t/gascogne-toulousaine/axes").status_code == 200


def test_archived_axis_and_objective_are_hidden_everywhere_public(client, territory, first_contract):
    current = territory.current_contract
    current.axes[1].archived_at = dt.datetime(2026, 3, 2, 9, 30)
    current.axes[0].objectives[1].archived_at = dt.datetime(2026, 3, 2, 9, 30)
    first_contract.axes[0].archived_at = dt.datetime(2026, 3, 2, 9, 30)
    db.session.commit()

    for path in (f"/t/{SLUG}/", f"/t/{SLUG}/axes", f"/t/{SLUG}/contracts/2", f"/t/{SLUG}/contracts/1"):
        text = page_text(client.get(path))
        assert "Développer l'essor d'actions complémentaires innovantes" not in text, path
        assert "Former les élus aux inégalités de santé" not in text, path
        assert "Prévention et promotion de la santé" not in text, path
    assert "Accueillir les nouveaux praticiens de santé" in page_text(client.get(f"/t/{SLUG}/axes"))


def test_home_counts_only_active_axes(client, territory):
    territory.current_contract.axes[1].archived_at = dt.datetime(2026, 3, 2, 9, 30)
    db.session.commit()

    page = home(client)

    assert re.search(r"<dd>\s*1\s*</dd>", page)


# --- what typed text may not inject ------------------------------------------------------------------

def test_script_in_the_presentation_is_removed(client, territory):
    territory.presentation = f"Bienvenue à L'Isle-Jourdain.\n\n{SCRIPT}\n\n<img src=x onerror=alert(1)>"
    db.session.commit()

    page = home(client)

    assert "Bienvenue à L'Isle-Jourdain." in html.unescape(page)
    assert "<script>" not in page
    assert "onerror" not in page


def test_javascript_link_in_the_presentation_is_not_a_link(client, territory):
    territory.presentation = ("[Prendre rendez-vous](javascript:alert(1)) ou "
                              "[le site de l'ARS](https://www.occitanie.ars.sante.fr/)")
    db.session.commit()

    page = home(client)

    assert "javascript:" not in page.lower()
    assert re.search(r"<a[^>]*>Prendre rendez-vous</a>", page)
    assert not re.search(r"<a[^>]*href=[^>]*>Prendre rendez-vous</a>", page)
    assert re.search(r'<a href="https://www.occitanie.ars.sante.fr/"[^>]*>le site de l\'ARS</a>', html.unescape(page))


def test_raw_html_link_with_javascript_in_the_summary_is_neutralised(client, territory):
    territory.current_contract.summary = 'Voir <a href="javascript:alert(1)" onclick="alert(2)">le bilan</a>.'
    db.session.commit()

    page = home(client)

    assert "javascript:" not in page.lower()
    assert "onclick" not in page
    assert "le bilan" in page


def test_html_in_axis_and_objective_titles_is_escaped(client, territory):
    axis = territory.current_contract.axes[0]
    axis.title = f"Santé mentale {SCRIPT}"
    axis.objectives[0].title = '<img src=x onerror="alert(2)">Dépistage'
    axis.description = f"Description {SCRIPT} et [lien](javascript:alert(3))"
    db.session.commit()

    for path in (f"/t/{SLUG}/", f"/t/{SLUG}/axes"):
        page = client.get(path).get_data(as_text=True)
        assert SCRIPT not in page, path
        assert "<img" not in page, path
        assert "javascript:" not in page.lower(), path
    axes_page = client.get(f"/t/{SLUG}/axes").get_data(as_text=True)
    assert "Santé mentale &lt;script&gt;alert(1)&lt;/script&gt;" in axes_page


def test_html_in_partner_names_is_escaped(client, territory):
    contract = territory.current_contract
    contract.partners = [ContractPartner(kind=PartnerKind.SIGNATORY, name=f"ARS {SCRIPT}", position=0),
                         ContractPartner(kind=PartnerKind.PARTNER, name='<b onmouseover="alert(1)">CPAM</b>',
                                         position=0)]
    db.session.commit()

    page = home(client)

    assert SCRIPT not in page
    assert "<b onmouseover" not in page
    assert "ARS &lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_html_in_titles_is_escaped_on_the_manage_page(client, territory, as_coordinator):
    contract = territory.current_contract
    contract.axes[0].title = f"Santé mentale {SCRIPT}"
    contract.axes[0].objectives[0].title = f"Objectif {SCRIPT}"
    db.session.commit()

    page = client.get(f"/t/{SLUG}/manage/contracts/{contract.id}/axes").get_data(as_text=True)

    assert SCRIPT not in page
    assert "Santé mentale &lt;script&gt;" in page

