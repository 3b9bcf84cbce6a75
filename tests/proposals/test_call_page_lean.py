"""The call page reads the territory's communes from its kept structure (a commune imported is offered in the
filter on the next request), and writes its filter with LeanSelect: the same HTML as WTForms' own <select>."""
from __future__ import annotations

import html

from wtforms.widgets import Select

from consult.extensions import db
from consult.proposals import forms
from consult.core.forms import choices
from consult.territories import services
from consult.territories.models import Commune
from tests.rendering import RenderGuard


def test_commune_imported_is_offered_by_the_call_filter_at_once_and_communes_are_not_read_again(
        app, client, call, coordinator):
    page = f"/t/{call.territory.slug}/proposals/calls/{call.id}/"
    with RenderGuard(app) as guard:
        assert client.get(page).status_code == 200
        assert client.get(page).status_code == 200
        assert not any("FROM communes" in s.sql for s in guard.statements)
    assert "Saint-Essai" not in html.unescape(client.get(page).get_data(as_text=True))

    services.import_communes(coordinator, call.territory,
                             "code_insee;nom;population;annee\n82999;Saint-Essai;120;2021\n".encode())
    db.session.commit()

    commune = db.session.scalar(db.select(Commune).where(Commune.insee_code == "82999"))
    assert f'<option value="{commune.id}">Saint-Essai</option>' in client.get(page).get_data(as_text=True)


def test_filter_selects_are_written_as_wtforms_writes_them(app):
    with app.test_request_context("/?axis=7&public=aidants&sort=newest"):
        from flask import request

        form = forms.FilterForm(request.args)
        form.axis.choices = choices([(0, "Tous les axes"), (7, "Santé <mentale> & « bien-être »"),
                                     (8, "L'accès aux soins")])
        form.objective.choices = choices([(0, "Tous"), (3, "Un objectif")], optgroup="Axe 1 — d'abord")
        form.commune.choices = choices([(0, "Toutes les communes"), (12, "Saint-Nicolas-de-la-Grave")])
        form.public.choices = choices([("", "Tous les publics"), ("aidants", "Aidants")])
        form.status.choices = choices([("", "Tous"), ("awaiting", "En attente")])
        form.validate()
        for field in form:
            if field.type != "SelectField":
                continue
            lean = str(field(class_="input", **{"aria-describedby": "x-hint"}))
            assert lean == str(Select()(field, class_="input", **{"aria-describedby": "x-hint"})), field.name
        assert '<option selected value="7">Santé &lt;mentale&gt; &amp; « bien-être »</option>' in str(form.axis())
        assert '<option selected value="newest">' in str(form.sort())
