"""Plain, agreed wording on the pages residents read, in French and in English (issue 13, point 5).

Through the served demo (its own copy: starting a survey writes a draft), asserting the rendered pages.
"""
from __future__ import annotations

import re

import pytest

SLUG = "terres-des-confluences"
SURVEY = f"/t/{SLUG}/surveys/1"
RESIDENT = ("habitante@example.org", "demo-resident-consult")


def page(client, path: str, language: str) -> str:
    response = client.get(path, headers={"Accept-Language": language})
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def hints(html: str) -> dict[str, str]:
    return dict(re.findall(r'<p class="hint" id="q-(\w+)-hint">([^<]*)</p>', html))


@pytest.mark.parametrize("language", ["fr", "en"])
def test_residents_read_agreed_plain_words(seeded_demo, language):
    client = seeded_demo.app.test_client()
    french = language == "fr"

    # The filters of a call: one "all" per noun, agreed in French (« Toutes les communes », not « Tous »).
    call = page(client, f"/t/{SLUG}/proposals/calls/1/", language)
    for wanted in (["Toutes les communes", "Tous les axes", "Tous les objectifs", "Tous les publics"] if french
                   else ["All communes", "All axes", "All objectives", "All publics"]):
        assert f">{wanted}</option>" in call
    assert ">Tous</option>" not in call and ">All</option>" not in call

    # The survey: a 0–7 days question takes a whole number on a numeric keypad; each hint said once.
    client.post(f"{SURVEY}/start", headers={"Accept-Language": language})
    prevention = page(client, f"{SURVEY}/page/5", language)
    q17 = re.search(r'<input[^>]*id="q-Q17"[^>]*>', prevention).group(0)
    assert 'inputmode="numeric"' in q17
    assert hints(prevention)["Q17"] == ("Un nombre entre 0 et 7." if french else "A number between 0 and 7.")
    assert hints(prevention)["Q14"] == ("Choisissez jusqu'à 3 réponses." if french else "Choose up to 3 answers.")
    assert "au plus" not in prevention and "3,5" not in prevention and "3.5" not in prevention
    page_id = re.search(r'name="page_id" value="(\d+)"', prevention).group(1)
    response = client.post(f"{SURVEY}/page/5", data={"action": "next", "page_id": page_id, "q-Q17": "sept"},
                           follow_redirects=True,
                           headers={"Accept-Language": language})
    assert ("Saisissez un nombre entre 0 et 7." if french
            else "Enter a number between 0 and 7.") in response.get_data(as_text=True)

    # The well-being page: no technical index name for residents; the easy-read version has no point médian.
    wellbeing = page(client, f"{SURVEY}/page/6", language)
    assert "OMS-5" not in wellbeing and "WHO-5" not in wellbeing
    client.post(f"{SURVEY}/falc", data={"next": f"{SURVEY}/page/6"})
    easy = page(client, f"{SURVEY}/page/6", language)
    assert "J'étais calme" in easy.replace("&#39;", "'")
    main = easy[easy.index("<main"):easy.index("</main>")]
    assert "·" not in main

    # The contract's words explained in place, without JavaScript.
    home = page(client, f"/t/{SLUG}/", language).replace("&#39;", "'")
    for question in (["Qu'est-ce qu'un contrat local de santé\u00a0?", "Qu'est-ce qu'un axe\u00a0?"] if french
                     else ["What is a local health contract?", "What is an axis?"]):
        assert f"<summary>{question}</summary>" in home
    plan = page(client, f"/t/{SLUG}/plan/", language).replace("&#39;", "'")
    assert ("Qu'est-ce qu'une fiche action\u00a0?" if french else "What is a fiche action?") in plan

    # The proposal form: no « Markdown » jargon, a plain sentence on bold instead.
    client.post("/account/login", data={"email": RESIDENT[0], "password": RESIDENT[1]})
    form = page(client, f"/t/{SLUG}/proposals/calls/1/new", language)
    assert "Markdown" not in form
    assert ("Pour mettre un mot en gras, écrivez deux étoiles de chaque côté : **mot**." if french
            else "To put a word in bold, write two stars on each side: **word**.") in form
    assert ("Qu'est-ce qu'un axe\u00a0?" if french else "What is an axis?") in form.replace("&#39;", "'")

    # Joining a group, the resident (no structure on her account) reads « Aucune structure », not « aucun ».
    join = next(response.get_data(as_text=True) for number in range(1, 5)
                if (response := client.get(f"/t/{SLUG}/groups/{number}/join",
                                           headers={"Accept-Language": language})).status_code == 200)
    assert ("<dd>Aucune structure</dd>" if french else "<dd>No structure</dd>") in join
