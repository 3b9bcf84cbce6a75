"""Public pages render, in French by default, with the emergency notice in the footer."""
from __future__ import annotations


def test_home_lists_territories_in_french(client, territory):
    response = client.get("/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'lang="fr"' in page
    assert "Terres des Confluences" in page
    assert "appelez le <strong>15</strong>" in page


def test_territory_home_shows_contract_axes_and_partners(client, territory):
    page = client.get("/t/terres-des-confluences/").get_data(as_text=True)
    assert "CLS 2 Terres des Confluences 2023-2027" in page
    assert "Favoriser la mise en relation des acteurs" in page
    assert "Accueillir les nouveaux praticiens de santé" in page
    assert "CPTS Quercy Garonne" in page
    assert "22" in page  # communes of the sample file


def test_unknown_territory_is_404(client):
    assert client.get("/t/inconnu/").status_code == 404
