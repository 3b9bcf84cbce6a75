"""The call page reads the territory's communes from its kept structure (a commune imported is offered in the
filter on the next request), writes its filter with LeanSelect (the same HTML as WTForms' own <select>) and keeps
the filters' HTML per process under everything they show (a renamed axis, a choice made, an error: a new piece),
reads WTForms' own messages once per process and language, and loads only the page's proposals as plain rows."""
from __future__ import annotations

import html

from babel.support import Translations
from wtforms.widgets import Select

from consult.extensions import db
from consult.proposals import forms
from consult.core.forms import choices
from consult.territories import services
from consult.core.layout import FORM_CACHE_NAME
from consult.territories.models import Axis, Commune
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


def _filters(response) -> str:
    return response.get_data(as_text=True).split('<div class="filters-grid">')[1].split("</div>\n      </div>")[0]


def test_filters_kept_per_process_show_each_visitor_their_choice_and_a_renamed_axis_at_once(app, client, call):
    page = f"/t/{call.territory.slug}/proposals/calls/{call.id}/"
    axis = call.axes[0]
    plain = _filters(client.get(page))
    pieces = app.extensions["consult_caches"][FORM_CACHE_NAME]
    built = pieces.builds
    assert _filters(app.test_client().get(page)) == plain  # a second visitor: the same HTML, not built again
    assert pieces.builds == built
    assert f'<option value="{axis.id}">{html.escape(axis.title, quote=True)}</option>' in plain

    chosen = _filters(client.get(f"{page}?axis={axis.id}&sort=newest"))
    assert f'<option selected value="{axis.id}">' in chosen and '<option selected value="newest">' in chosen
    assert f'<option selected value="{axis.id}">' not in _filters(client.get(page))  # the plain piece again
    long_search = _filters(client.get(f"{page}?q={'a' * 201}"))
    assert "aria-invalid" in long_search and 'value="' + "a" * 201 + '"' in long_search
    assert "aria-invalid" not in _filters(client.get(page))
    assert pieces.builds == built + 2

    db.session.get(Axis, axis.id).title = "Bien vieillir à Saint-Nicolas-de-la-Grave"
    db.session.commit()
    renamed = _filters(client.get(page))
    assert f'<option value="{axis.id}">Bien vieillir à Saint-Nicolas-de-la-Grave</option>' in renamed
    english, french = app.test_client(), app.test_client()
    english.set_cookie("consult_lang", "en")
    french.set_cookie("consult_lang", "fr")
    assert "All axes" in _filters(english.get(page)) and "Tous les axes" in _filters(french.get(page))


def test_wtforms_messages_are_read_once_per_language_and_still_translated(app, client, call, monkeypatch):
    loads = []
    real_load = Translations.load

    def counted(*args, **kwargs):
        loads.append(kwargs.get("domain"))
        return real_load(*args, **kwargs)

    monkeypatch.setattr(Translations, "load", counted)
    monkeypatch.setattr("consult.core.forms.WTFormsMessages._catalogues", {})
    page = f"/t/{call.territory.slug}/proposals/calls/{call.id}/?sort=nonsense"
    french = app.test_client()
    french.set_cookie("consult_lang", "fr")
    for _round in range(3):
        assert "N'est pas un choix valide" in html.unescape(french.get(page).get_data(as_text=True))
        assert "Not a valid choice" in html.unescape(client.get(page).get_data(as_text=True))
    assert loads.count("wtforms") == 2  # French and English, once each


def test_a_page_of_proposals_counts_only_its_own_proposals(app, client, call, make_proposal):
    for n in range(15):
        make_proposal(call, title=f"Une navette vers la maison de santé n° {n}")
    page = f"/t/{call.territory.slug}/proposals/calls/{call.id}/?sort=newest"
    with RenderGuard(app) as guard:
        body = client.get(page).get_data(as_text=True)
    listing = next(s.sql for s in guard.statements if "FROM proposal_supports" in s.sql)
    # The counts are taken in the outer statement, over the page's 12 rows, not inside the ordered cut.
    cut = listing.split("JOIN (SELECT", 1)[1].split(") AS page", 1)[0]
    assert "proposal_supports" not in cut and "proposal_comments" not in cut
    assert body.count('class="proposal-card"') == 12 and "15 proposals" in body
    assert "n° 14" in body and "n° 2<" not in body


def test_listing_sql_is_built_once_per_shape_and_its_values_bound(app, client, call, make_proposal):
    from consult.proposals.services import listing

    for n in range(14):
        make_proposal(call, title=f"Une permanence de la CPAM à Lizac n° {n}")
    make_proposal(call, title="Un atelier mémoire à Saint-Nicolas-de-la-Grave")
    page = f"/t/{call.territory.slug}/proposals/calls/{call.id}/"
    listing._page_statement.cache_clear()
    first = client.get(f"{page}?sort=newest").get_data(as_text=True)
    second = client.get(f"{page}?sort=newest&page=2").get_data(as_text=True)
    lizac = client.get(f"{page}?sort=newest&q=permanence+cpam").get_data(as_text=True)
    memory = client.get(f"{page}?sort=newest&q=atelier+memoire").get_data(as_text=True)
    assert listing._page_statement.cache_info().misses == 2  # one shape without keywords, one with two
    assert "n° 13" in first and "n° 1<" in second and "n° 13" not in second
    assert "14 proposals" in lizac and "atelier mémoire" not in lizac
    assert "1 proposal" in memory and "Un atelier mémoire" in memory
