"""What the layout does once per process rather than per request: the footer rendered once per language (and
still in the visitor's language), the territory's menu once per name, language, current entry and role, numbers
below 1,000 written without Babel (as Babel writes them)."""
from __future__ import annotations

from flask_babel import force_locale, format_decimal

from consult.core.layout import CACHE_NAME
from consult.extensions import db
from consult.i18n import format_number


def test_footer_is_in_each_visitor_language_whichever_came_first(app):
    french, english = app.test_client(), app.test_client()
    french.set_cookie("consult_lang", "fr")
    english.set_cookie("consult_lang", "en")
    for _round in range(2):
        fr_page = french.get("/legal").get_data(as_text=True)
        en_page = english.get("/legal").get_data(as_text=True)
        assert 'href="/legal">Mentions légales</a>' in fr_page and 'href="/legal">Legal notice</a>' in en_page
        assert "Legal notice" not in fr_page.split('<footer')[1] and "Mentions" not in en_page.split('<footer')[1]
        assert en_page.count('<footer class="site-footer" role="contentinfo">') == 1
    pieces = app.extensions["consult_caches"][CACHE_NAME]
    assert sorted(key[1] for key in pieces._values if key[0] == "core/footer.html") == ["en", "fr"]


def test_number_filter_writes_what_babel_writes_in_every_language(app):
    with app.test_request_context("/"):
        for language in app.config["LANGUAGES"]:
            with force_locale(language):
                for value in (*range(0, 1000), 1000, 12345, 1234567, -5, 2.5):
                    assert format_number(value) == format_decimal(value), (language, value)
        with force_locale("fr"):
            assert format_number(12345) == "12\u202f345"


def test_territory_menu_follows_the_person_the_page_and_a_new_name(app, client, territory, coordinator, login):
    visitor = app.test_client()
    menu = lambda response: response.get_data(as_text=True).split('<div class="territory-bar">')[1].split("</nav>")[0]  # noqa: E731
    home, surveys = f"/t/{territory.slug}/", f"/t/{territory.slug}/surveys/"
    assert "/manage/" not in menu(visitor.get(home))
    login(coordinator)
    for _round in range(2):
        coordinator_menu, visitor_menu = menu(client.get(home)), menu(visitor.get(home))
        assert f'href="/t/{territory.slug}/manage/">' in coordinator_menu and "/manage/" not in visitor_menu
        assert f'href="/t/{territory.slug}/" aria-current="page"' in visitor_menu
        surveys_menu = menu(visitor.get(surveys))
        assert f'href="/t/{territory.slug}/surveys/" aria-current="page"' in surveys_menu
        assert surveys_menu.count("aria-current") == 1

    territory.name = "Confluences Garonne"
    db.session.commit()
    assert ">Confluences Garonne</a></p>" in menu(visitor.get(home))
