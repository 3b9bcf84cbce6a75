"""French by default, English complete, a remembered switch, Accept-Language honoured."""
from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

CATALOGS = Path(__file__).resolve().parents[2] / "translations"


def lang_of(response) -> str:
    page = response.get_data(as_text=True)
    return page.split('<html lang="')[1].split('"')[0]


def test_french_is_the_default(client):
    response = client.get("/")
    assert lang_of(response) == "fr"
    assert "Territoires" in response.get_data(as_text=True)


def test_accept_language_is_honoured(client):
    response = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert lang_of(response) == "en"
    assert "Territories" in response.get_data(as_text=True)


def test_language_switch_is_remembered(client):
    response = client.get("/language/en?next=/privacy")
    assert response.status_code == 302
    assert response.headers["Location"] == "/privacy"
    assert lang_of(client.get("/privacy")) == "en"
    assert lang_of(client.get("/")) == "en"
    client.get("/language/fr")
    assert lang_of(client.get("/", headers={"Accept-Language": "en"})) == "fr"


def test_language_switch_never_redirects_off_site(client):
    response = client.get("/language/en?next=//evil.example")
    assert response.headers["Location"] == "/"


def test_unknown_language_is_ignored(client):
    client.get("/language/de")
    assert lang_of(client.get("/")) == "fr"


def test_french_catalog_is_complete():
    with (CATALOGS / "fr" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle)
    missing = [m.id for m in catalog if m.id and not (all(m.string) if isinstance(m.string, tuple) else m.string)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert missing == []
    assert fuzzy == []


def test_catalogs_cover_every_message_in_the_template():
    with (CATALOGS / "messages.pot").open("rb") as handle:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    for language in ("fr", "en"):
        with (CATALOGS / language / "LC_MESSAGES" / "messages.po").open("rb") as handle:
            ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
        assert template - ids == set(), language


def test_numbers_and_dates_follow_the_locale(client, territory):
    french = client.get("/t/terres-des-confluences/").get_data(as_text=True)
    assert "1 janvier 2023" in french or "1er janvier 2023" in french
    english = client.get("/t/terres-des-confluences/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "January 1, 2023" in english


def test_a_moment_kept_per_process_is_written_in_each_language_and_zone_asked(app):
    """format_moment keeps each writing per process: the language and the time zone are part of what is kept."""
    from datetime import UTC, datetime

    from flask_babel import force_locale

    from consult.i18n import format_moment

    moment = datetime(2026, 11, 12, 14, 0, tzinfo=UTC)  # 15 h 00 in Paris (winter time)
    with app.test_request_context("/"):
        for _round in range(2):
            with force_locale("fr"):
                assert format_moment(moment) == "jeudi 12 novembre 2026 à 15 h 00"
                assert format_moment(moment, "short") == "12/11/2026 15:00"
            with force_locale("en"):
                assert format_moment(moment) == "Thursday, November 12, 2026 at 3:00\u202fPM"
        app.config["BABEL_DEFAULT_TIMEZONE"] = "America/Cayenne"
        try:
            from flask_babel import refresh

            refresh()
            with force_locale("fr"):
                assert format_moment(moment) == "jeudi 12 novembre 2026 à 11 h 00"
        finally:
            app.config["BABEL_DEFAULT_TIMEZONE"] = "Europe/Paris"
            refresh()


def test_templates_translate_as_jinja_newstyle_gettext_does(app):
    """The templates' `_`, `ngettext`, `pgettext`, `npgettext` are called directly (not through Jinja's wrappers),
    with the same rules: values escaped, the translation not, always formatted, `num` and `context` given."""
    from jinja2 import Environment

    from consult.i18n import request_translations

    source = ('{{ _("Open to people whose commune is in %(territory)s.", territory=name) }}|{{ _("100%% free") }}|'
              '{{ gettext("Supports") }}|{{ ngettext("%(num)d support", "%(num)d supports", n) }}|'
              '{{ ngettext("%(num)d comment", "%(num)d comments", 1) }}|{{ pgettext("vote", "Open") }}|'
              '{{ npgettext("vote", "%(num)d pick", "%(num)d picks", n) }}')
    reference = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    reference.install_gettext_callables(
        gettext=lambda s: request_translations().ugettext(s),
        ngettext=lambda s, p, n: request_translations().ungettext(s, p, n), newstyle=True,
        pgettext=lambda c, s: request_translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: request_translations().unpgettext(c, s, p, n))
    from flask_babel import force_locale

    with app.test_request_context("/"):
        for language in ("fr", "en"):
            with force_locale(language):
                for values in ({"name": "<Saint-Nicolas & « la Grave »>", "n": 3}, {"name": "Lizac", "n": 1}):
                    ours = app.jinja_env.from_string(source).render(**values)
                    assert ours == reference.from_string(source).render(**values), language
                    assert "&lt;Saint-Nicolas &amp; « la Grave »&gt;" in ours or "Lizac" in ours
        with force_locale("fr"):
            assert "3 soutiens" in app.jinja_env.from_string(source).render(name="x", n=3)


LOCALE_DATA_PROBE = """
import datetime as dt, json, pickle
import babel.core
from babel import localedata
from flask_babel import force_locale, format_date, format_datetime, format_decimal, format_percent
import wsgi

written = {}
with wsgi.app.test_request_context("/"):
    for language in ("fr", "en"):
        with force_locale(language):
            written[language] = [format_decimal(1234567.5), format_percent(0.256), format_date(dt.date(2026, 11, 12), "full"),
                                 format_datetime(dt.datetime(2026, 11, 12, 14, 0), "short")]
global_loaded = babel.core._global_data is not None
kept_units = {language: "unit_patterns" in dict(localedata._cache[language]) for language in ("fr", "en")}
# Babel's own reading of the same locales (its parent lookup loads the global data): the same data, the parts left
# out read again when asked for.
same = {}
for language in ("fr", "en"):
    ours = localedata._cache.pop(language)
    theirs = getattr(localedata.load, "__wrapped__", localedata.load)(language)
    same[language] = all(pickle.dumps(ours[key]) == pickle.dumps(theirs[key]) for key in theirs) \
        and sorted(ours) == sorted(theirs)
print(json.dumps({"written": written, "global_loaded": global_loaded, "kept_units": kept_units, "same": same}))
"""


def test_numbers_and_dates_are_written_without_babels_global_data(tmp_path):
    from tests.core.test_imports import started

    probe = started(tmp_path, LOCALE_DATA_PROBE)
    assert probe["written"]["fr"] == ["1\u202f234\u202f567,5", "26\u00a0%", "jeudi 12 novembre 2026", "12/11/2026 15:00"]
    assert probe["written"]["en"] == ["1,234,567.5", "26%", "Thursday, November 12, 2026", "11/12/26, 3:00\u202fPM"]
    assert probe["global_loaded"] is False  # 2.5 MB a worker no longer holds
    assert probe["kept_units"] == {"fr": False, "en": False}  # nor the names of units, currencies, zones… (~1.2 MB)
    assert probe["same"] == {"fr": True, "en": True}  # read as Babel reads them, the parts left out when asked for


def test_the_site_languages_have_no_parent_but_root_in_babel():
    """The shortcut of `read_locale_data_alone` holds only for locales whose parent is root."""
    from babel.core import get_global

    assert {language: get_global("parent_exceptions").get(language) for language in ("fr", "en")} == \
        {"fr": None, "en": None}
