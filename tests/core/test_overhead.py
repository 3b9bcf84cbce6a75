"""The per-request work made cheaper (issue 15) keeps its behaviour: the templates' catalogue, found once per
request, still follows the language of each request and `force_locale`."""
from __future__ import annotations

from flask import render_template_string
from flask_babel import force_locale


def test_pages_follow_each_requests_language_in_turn(client, territory):
    """One request in English, the next in French, then English again: nothing kept from one request to the next."""
    for language, words in (("en", "Log in"), ("fr", "Se connecter"), ("en", "Log in")):
        client.set_cookie("consult_lang", language)
        page = client.get(f"/t/{territory.slug}/")
        assert page.status_code == 200
        assert f'<html lang="{language}">' in page.get_data(as_text=True)
        assert f">{words}</a>" in page.get_data(as_text=True)


def test_templates_follow_force_locale_inside_a_request(app):
    """An email in its recipient's language is rendered with force_locale in a request of another language."""
    with app.test_request_context("/", headers={"Accept-Language": "fr"}):
        template = "{{ _('Log in') }} / {{ ngettext('%(num)d response', '%(num)d responses', 2) }}"
        before = render_template_string(template)
        with force_locale("en"):
            forced = render_template_string(template)
        after = render_template_string(template)
    assert before == after == "Se connecter / 2 réponses"
    assert forced == "Log in / 2 responses"


def test_template_strings_without_values_keep_their_escaped_percent_and_markup(app):
    """A translation with no value put in is shown as it is, except `%%`, which is a percent sign (Jinja's newstyle
    rule): a string without `%` is no longer formatted, one with `%%` still is."""
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        shown = render_template_string("{{ _('Half of them: 50 %%') }}|{{ _('Log in') }}|{{ _('<b>') }}")
    assert shown == "Half of them: 50 %|Log in|<b>"
