"""The participation dashboard against the hand-computed world (tests/synthesis/world.py)."""
from __future__ import annotations

from tests.synthesis.world import BASE, row, table, text_of, world  # noqa: F401

URL = f"{BASE}/participation"


def test_contributions_and_people_by_channel(world, as_role):
    page = as_role("observer").get(URL)
    assert page.status_code == 200
    caption = "Contributions and people by channel"
    assert row(page, caption, "Working-group members")[:2] == ["2", "2"]
    assert row(page, caption, "Working-group meetings")[:2] == ["3", "3"]
    assert row(page, caption, "Forums, workshops")[:2] == ["1", "1"]
    assert row(page, caption, "Proposals")[:2] == ["2", "2"]            # the draft is not a contribution
    assert row(page, caption, "Supports")[:2] == ["4", "3"]
    assert row(page, caption, "Comments")[:2] == ["1", "1"]             # the hidden comment is not counted
    assert row(page, caption, "Ideas recorded")[:2] == ["2", "not counted"]
    assert "8 people took part" in text_of(page)


def test_survey_channels_come_from_the_release_only(world, as_role):
    page = as_role("coordinator").get(URL)
    caption = "Responses to “Votre santé à Terres des Confluences” by channel — release no. 1"
    # 14 web and 11 paper in the release; the web response that arrived afterwards is not counted
    assert row(page, caption, "Web")[0] == "14"
    assert row(page, caption, "Paper")[0] == "11"
    assert row(page, caption, "Responses (n)")[0] == "25"


def test_contributions_per_month(world, as_role):
    page = as_role("observer").get(URL)
    caption = "Contributions per month"
    header = table(page, caption)[0]
    assert header[1:] == ["Working-group members (seats taken)", "Working-group meetings (attendance)", "Forums, workshops and public meetings (attendance)",
                          "Proposals", "Supports", "Comments", "Ideas recorded at meetings", "All"]
    assert row(page, caption, "September 2026") == ["2", "0", "0", "0", "0", "0", "0", "2"]
    assert row(page, caption, "October 2026") == ["0", "3", "0", "1", "3", "0", "1", "8"]
    assert row(page, caption, "November 2026") == ["0", "0", "1", "1", "1", "1", "1", "5"]


def test_people_by_category(world, as_role):
    page = as_role("observer").get(URL)
    caption = "People by category"
    # members, group meetings, events, proposals, supports, comments, all (once)
    assert row(page, caption, "Resident") == ["1", "1", "1", "1", "2", "1", "4"]
    assert row(page, caption, "Health professional") == ["0", "1", "0", "1", "0", "0", "2"]
    assert row(page, caption, "Elected official") == ["1", "1", "0", "0", "0", "0", "1"]
    assert row(page, caption, "Association") == ["0", "0", "0", "0", "1", "0", "1"]


def test_communes_per_thousand_inhabitants_least_heard_first(world, as_role):
    page = as_role("observer").get(URL)
    rows = table(page, "People per 1,000 inhabitants")[1:]
    names = [r[0] for r in rows]
    assert names.index("Castelsarrasin") < names.index("Moissac") < names.index("Saint-Nicolas-de-la-Grave") \
        < names.index("Fajolles")
    assert names[-3:] == ["Moissac", "Saint-Nicolas-de-la-Grave", "Fajolles"]   # every other commune: nobody yet
    assert row(page, "People per 1,000", "Moissac")[:3] == ["13,419", "3", "0.2"]
    assert row(page, "People per 1,000", "Saint-Nicolas-de-la-Grave")[:3] == ["2,281", "3", "1.3"]
    assert row(page, "People per 1,000", "Fajolles")[:3] == ["113", "1", "8.8"]
    assert row(page, "People per 1,000", "Castelsarrasin")[:3] == ["14,343", "0", "0"]
    assert "1 person gave no commune." in text_of(page)


def test_contributions_and_people_per_axis(world, as_role):
    page = as_role("observer").get(URL)
    caption = "Contributions and people per axis"
    # members, group meetings, proposals, supports, comments, ideas, people
    assert row(page, caption, "Axis 1") == ["2", "3", "2", "4", "1", "1", "7"]
    assert row(page, caption, "Axis 2") == ["0", "0", "0", "0", "0", "1", "0"]


def test_a_new_release_moves_the_survey_figures(world, as_role):
    from consult.surveys.models import Channel
    from tests.synthesis.world import add_response, when
    from tests.surveys.releasing import release

    for _i in range(10):
        add_response(world.survey, {"Q1": "2"}, Channel.PHONE)
    release(world.survey, now=when(11, 30))
    page = as_role("observer").get(URL)
    caption = "Responses to “Votre santé à Terres des Confluences” by channel — release no. 2"
    assert row(page, caption, "Responses (n)")[0] == "36"
    assert row(page, caption, "Phone")[0] == "< 11"        # protected as in the release (and one more, hidden)
    assert "hidden" in (row(page, caption, "Web")[0], row(page, caption, "Paper")[0])


def test_pages_read_in_french_with_french_numbers(world, as_role, app):
    app.config["BABEL_DEFAULT_LOCALE"] = "fr"
    client = as_role("observer")
    page = client.get(URL)
    assert "Par commune, les moins entendues d’abord" in text_of(page)
    assert row(page, "Personnes pour 1 000 habitants", "Moissac")[:3] == ["13 419", "3", "0,2"]   # the narrow space of French thousands, as the parser reads it
    assert row(page, "Contributions par mois", "octobre 2026")[-1] == "8"
    axis = text_of(client.get(f"{BASE}/axes/{world.axis.id}"))
    assert "Chiffres des questionnaires" in axis and "Publication n° 1 du 1 novembre 2026" in axis
