"""The demo's shipped questionnaire, answered on a phone; the staff pages around it, for a coordinator and an observer.

On the phone (375 px) the journey also checks the layout of every page of the questionnaire: the first question in
sight without scrolling, the territory menu a disclosure that opens with the keyboard, and without JavaScript.

The demo data (seed_demo) has the template survey « Diagnostic local de santé — questionnaire habitants » open in
Terres des Confluences, with 30 responses. Selectors are field names (consult/surveys/answers.field_name), ids and
hrefs, not interface wording; where a message matters it comes from the app's own catalogue. Axe runs on every page.
"""
from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from consult.extensions import db
from consult.surveys.demo import IDEAS
from consult.surveys.models import Channel, Draft, Question, Response, Survey
from consult.surveys.building.template import TITLE
from consult.territories.models import territory_by_slug
from tests.browser.helpers import checked_page, follow, in_language, next_button, signed_in

SLUG = "terres-des-confluences"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
COORDINATOR = ("coordination.confluences@example.org", "demo-coord-consult")
OBSERVER = ("referente.ars@example.org", "demo-observer-consult")

IDEA = ("Qu'on ouvre enfin une maison de santé à Castelsarrasin, avec un médecin généraliste l'après-midi "
        "et une infirmière pour les personnes âgées isolées : c'est très difficile d'être soigné·e ici.")
OTHER_REASON = "Trop de papiers à remplir, je n'ai pas osé"
DEMO_IDEAS = re.compile("|".join(re.escape(idea) for idea in IDEAS))  # the free texts of the seeded responses
CHROME = 300  # px: header, menu and the survey's title block end above this on every page (308 px before issue 13)
FOLD = 600  # px of 812: the first question (or the 3114 notice) starts well inside the screen


# --- helpers ---------------------------------------------------------------------------------------------


def template_survey_id(live_server) -> int:
    with live_server.app.app_context():
        territory = territory_by_slug(SLUG)
        ids = db.session.scalars(select(Survey.id).where(Survey.territory_id == territory.id,
                                                         Survey.title == TITLE)).all()
        db.session.remove()
    assert len(ids) == 1, f"the demo should hold exactly one survey titled {TITLE!r}: {ids}"
    return ids[0]


def response_count(live_server, survey_id: int) -> int:
    with live_server.app.app_context():
        count = db.session.scalar(select(func.count(Response.id)).where(Response.survey_id == survey_id))
        db.session.remove()
    return count


def question_id(live_server, survey_id: int, code: str) -> int:
    with live_server.app.app_context():
        found = db.session.scalar(select(Question.id).where(Question.survey_id == survey_id, Question.code == code))
        db.session.remove()
    assert found is not None, code
    return found


def radio(page: Page, code: str, value: str):
    """The radio button or checkbox of question `code` whose option code is `value`."""
    return page.locator(f'input[name="q-{code}"][value="{value}"]')


def expect_page_title(page: Page, title: str) -> None:
    expect(page.locator(".survey-head h1")).to_have_text(title)


def first_question_top(page: Page) -> float:
    """Where the first question starts — or, on a mental-health page, the 3114 notice that comes before it."""
    return page.locator("main :is(.question, .notice-3114)").first.bounding_box()["y"]


def questionnaire_page(page: Page, axe_check, number: int) -> None:
    """Page `number` of 8 as it first shows on the phone: axe, no sideways scroll, where it is in the progress
    bar, and the first question in sight below a short title block."""
    checked_page(page, axe_check)
    expect(page.locator("progress")).to_have_attribute("max", "8")
    expect(page.locator("progress")).to_have_attribute("value", str(number))
    head = page.locator("main .survey-head").bounding_box()
    assert head["y"] + head["height"] < CHROME, f"page {number}: the title block ends at {head} px"
    assert first_question_top(page) < FOLD, f"page {number}: first question at {first_question_top(page)} px"


def territory_menu_opens_with_the_keyboard(page: Page, axe_check) -> None:
    """On a phone the territory menu is closed; Enter on its summary opens it, its links are then reached with
    Tab (axe clean while open); Enter again closes it, and the header stays short."""
    menu = page.locator(".territory-menu")
    surveys_link = menu.locator(f'a[href="/t/{SLUG}/surveys/"]')
    expect(surveys_link).to_be_hidden()
    menu.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(menu).to_have_attribute("open", "")
    expect(surveys_link).to_be_visible()
    expect(surveys_link).to_have_attribute("aria-current", "page")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.closest('.territory-menu nav') !== null")
    checked_page(page, axe_check)  # the open menu is axe clean too
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    expect(surveys_link).to_be_hidden()
    assert page.locator("header").bounding_box()["height"] < 130


def territory_menu_opens_without_javascript(browser, live_server, path: str) -> None:
    """A <details> needs no JavaScript: the menu opens and its links work in a browser with JavaScript off."""
    context = browser.new_context(java_script_enabled=False, viewport=PHONE, locale="fr-FR")
    try:
        bare = context.new_page()
        bare.goto(live_server(path))
        bare_menu = bare.locator(".territory-menu")
        expect(bare_menu.locator(f'a[href="/t/{SLUG}/groups/"]')).to_be_hidden()
        bare_menu.locator("summary").click()
        expect(bare_menu.locator(f'a[href="/t/{SLUG}/groups/"]')).to_be_visible()
        with bare.expect_navigation():
            bare_menu.locator(f'a[href="/t/{SLUG}/groups/"]').click()
        assert bare.url == live_server(f"/t/{SLUG}/groups/")
    finally:
        context.close()


# --- 1. a resident answers the shipped questionnaire on a phone ------------------------------------------

def test_resident_completes_the_template_survey_on_a_phone(page: Page, live_server, axe_check, browser):
    survey_id = template_survey_id(live_server)
    before = response_count(live_server, survey_id)
    base = f"/t/{SLUG}/surveys/{survey_id}/"
    page.set_viewport_size(PHONE)

    page.goto(live_server(base))
    checked_page(page, axe_check)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diagnostic local de santé")
    territory_menu_opens_with_the_keyboard(page, axe_check)
    follow(page, page.locator(f'form[action="{base}start"] button[type="submit"]'))

    # 1/8 — Votre commune
    questionnaire_page(page, axe_check, 1)
    assert page.url.endswith(f"{base}page/1")
    expect_page_title(page, "Votre commune")
    page.select_option('select[name="q-Q1"]', "82112")  # Moissac
    follow(page, next_button(page))

    # 2/8 — Votre santé (Q2 required)
    questionnaire_page(page, axe_check, 2)
    expect_page_title(page, "Votre santé")
    radio(page, "Q2", "2").check()  # Bon
    radio(page, "Q3", "1").check()  # Oui
    radio(page, "Q4", "2").check()
    follow(page, next_button(page))

    # 3/8 — Votre accès aux soins: "yes" to Q7 opens Q8 on the same page, with its "other, please specify"
    questionnaire_page(page, axe_check, 3)
    expect_page_title(page, "Votre accès aux soins")
    radio(page, "Q5", "1").check()  # Oui, a médecin traitant
    radio(page, "Q6", "3").check()
    radio(page, "Q7", "1").check()  # Oui, renoncé à des soins
    expect(page.locator('[name="q-Q8"]')).to_have_count(0)
    for row, value in (("r1", "2"), ("r2", "4"), ("r3", "4"), ("r4", "5"), ("r5", "3")):
        page.check(f'input[name="q-Q9-{row}"][value="{value}"]')
    radio(page, "Q10", "2").check()
    radio(page, "Q11", "1").check()
    follow(page, next_button(page))
    checked_page(page, axe_check)
    assert page.url.endswith(f"{base}page/3"), "the page comes back with the question that appeared"
    expect(page.locator('main .notice[role="status"]')).to_be_visible()
    expect(page.locator('[name="q-Q8"]')).to_have_count(7)
    expect(radio(page, "Q7", "1")).to_be_checked()
    expect(page.locator('input[name="q-Q9-r4"][value="5"]')).to_be_checked()
    radio(page, "Q8", "3").check()  # Les délais
    radio(page, "Q8", "autre").check()
    page.fill('input[name="q-Q8-other"]', OTHER_REASON)
    follow(page, next_button(page))

    # 4/8 — Vous déplacer
    questionnaire_page(page, axe_check, 4)
    expect_page_title(page, "Vous déplacer")
    radio(page, "Q12", "2").check()
    radio(page, "Q12", "4").check()
    radio(page, "Q13", "3").check()
    follow(page, next_button(page))

    # 5/8 — Prévention et cadre de vie
    questionnaire_page(page, axe_check, 5)
    expect_page_title(page, "Prévention et cadre de vie")
    for value in ("1", "4", "6"):
        radio(page, "Q14", value).check()
    radio(page, "Q15", "1").check()
    radio(page, "Q16", "6").check()
    expect(page.locator('input[name="q-Q17"]')).to_have_attribute("inputmode", "numeric")
    page.fill('input[name="q-Q17"]', "3")
    follow(page, next_button(page))

    # 6/8 — Votre bien-être: the WHO-5 matrix, every row
    questionnaire_page(page, axe_check, 6)
    expect_page_title(page, "Votre bien-être")
    expect(page.locator(".notice-3114")).to_have_count(2)
    who5 = {"r1": "2", "r2": "3", "r3": "4", "r4": "3", "r5": "2"}
    for row, value in who5.items():
        page.check(f'input[name="q-Q18-{row}"][value="{value}"]')
    radio(page, "Q19", "1").check()
    radio(page, "Q20", "3").check()
    follow(page, next_button(page))

    # 7/8 — Vos priorités: three ranks, and a long text with accents and apostrophes
    questionnaire_page(page, axe_check, 7)
    expect_page_title(page, "Vos priorités")
    page.select_option('select[name="q-Q21-1"]', "1")  # L'accès aux médecins et aux soins
    page.select_option('select[name="q-Q21-2"]', "2")  # La santé mentale
    page.select_option('select[name="q-Q21-6"]', "3")  # Le bien vieillir
    page.fill('textarea[name="q-Q22"]', IDEA)
    follow(page, next_button(page))

    # 8/8 — Pour mieux vous connaître
    questionnaire_page(page, axe_check, 8)
    expect_page_title(page, "Pour mieux vous connaître")
    radio(page, "Q23", "1").check()
    radio(page, "Q24", "3").check()
    radio(page, "Q25", "5").check()
    radio(page, "Q26", "3").check()
    radio(page, "Q27", "3").check()
    follow(page, next_button(page))

    # Review: the answers, in words
    checked_page(page, axe_check)
    assert page.url.endswith(f"{base}review")
    review = page.locator("main")
    expect(review).to_contain_text("Moissac")
    expect(review).to_contain_text(OTHER_REASON)
    expect(review).to_contain_text(IDEA)
    expect(review).to_contain_text("Je me suis senti·e calme et tranquille")
    expect(review).to_contain_text("Plus de la moitié du temps")
    expect(review).to_contain_text("Le bien vieillir")
    expect(page.locator(".review-page")).to_have_count(8)
    expect(page.locator(f'a[href="{base}page/7#question-Q22"]')).to_have_count(1)

    submit = page.locator(f'form[action="{base}submit"] button[type="submit"]')
    expect(submit).to_be_visible()
    follow(page, submit)
    checked_page(page, axe_check)
    assert page.url.endswith(f"{base}thanks")
    expect(page.get_by_role("heading", level=1)).to_be_visible()

    with live_server.app.app_context():
        assert db.session.scalar(select(func.count(Response.id)).where(Response.survey_id == survey_id)) == before + 1
        assert db.session.scalar(select(func.count(Draft.id)).where(Draft.survey_id == survey_id)) == 0
        newest = db.session.scalars(select(Response).where(Response.survey_id == survey_id)
                                    .order_by(Response.id.desc())).first()
        assert newest.channel is Channel.WEB
        cells = {answer.row.code: answer.option.code for answer in newest.answers
                 if answer.question.code == "Q18" and answer.row is not None}
        assert cells == who5, cells
        texts = {answer.question.code: answer.value_text for answer in newest.answers if answer.value_text}
        assert texts.get("Q22") == IDEA
        assert OTHER_REASON in texts.values(), texts
        ranks = {answer.option.code: answer.rank for answer in newest.answers if answer.question.code == "Q21"}
        assert ranks == {"1": 1, "2": 2, "6": 3}, ranks
        db.session.remove()

    territory_menu_opens_without_javascript(browser, live_server, base)


# --- 2. the coordinator's pages, then a paper questionnaire keyed in --------------------------------------

def test_coordinator_visits_the_survey_pages_and_keys_in_a_paper_questionnaire(page: Page, live_server, axe_check):
    survey_id = template_survey_id(live_server)
    q2 = question_id(live_server, survey_id, "Q2")
    manage = f"/t/{SLUG}/manage/surveys/"
    builder = f"{manage}{survey_id}/"
    results = f"{builder}results"
    page.set_viewport_size(DESKTOP)
    signed_in(page, live_server, *COORDINATOR)

    page.goto(live_server(manage))
    axe_check(page)
    follow(page, page.locator(f'main a[href="{builder}"]'))
    axe_check(page)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Diagnostic local de santé")

    follow(page, page.locator(f'main a[href="{builder}settings"]'))
    axe_check(page)
    expect(page.locator("main form")).not_to_have_count(0)

    page.goto(live_server(builder))
    axe_check(page)
    follow(page, page.locator(f'main a[href="{builder}questions/{q2}/edit"]'))
    axe_check(page)
    expect(page.locator("main form")).not_to_have_count(0)

    page.goto(live_server(f"{builder}entry"))
    axe_check(page)
    page.goto(live_server(results))
    axe_check(page)

    page.goto(live_server(f"{results}/breakdowns?question=Q2&by=commune"))
    axe_check(page)
    expect(page.locator('select[name="question"]')).to_have_value("Q2")
    expect(page.locator('select[name="by"]')).to_have_value("commune")
    expect(page.locator("main table")).not_to_have_count(0)

    page.goto(live_server(f"{results}/representativeness"))
    axe_check(page)
    expect(page.locator("main table")).not_to_have_count(0)

    page.goto(live_server(f"{results}/texts"))
    axe_check(page)
    expect(page.locator("main")).to_contain_text(DEMO_IDEAS)

    page.goto(live_server(f"{builder}export/"))
    axe_check(page)
    expect(page.locator(f'main a[href^="{builder}export/responses"]')).not_to_have_count(0)
    # The k-anonymous file through its form: free texts ticked, the CSV button.
    page.locator("#k-anonymous-texts").check()
    with page.expect_download() as download:
        page.locator(f'main button[formaction="{builder}export/responses-k-anonymous.csv"]').click()
    assert "-responses-k-anonymous-" in download.value.suggested_filename
    assert download.value.url.endswith("responses-k-anonymous.csv?texts=1")

    page.goto(live_server(f"/t/{SLUG}/surveys/{survey_id}/print"))
    axe_check(page)
    expect(page.locator("body")).to_contain_text("Diagnostic local de santé")

    # Key in a paper questionnaire: only the required questions.
    before = response_count(live_server, survey_id)
    page.goto(live_server(f"{builder}entry"))
    axe_check(page)
    expect(page.locator("#channel")).to_have_value(Channel.PAPER.value)
    page.select_option('select[name="q-Q1"]', "82112")
    radio(page, "Q2", "3").check()
    radio(page, "Q5", "2").check()
    radio(page, "Q7", "2").check()
    follow(page, page.locator("main form.entry-form button[type=submit]"))
    axe_check(page)
    assert page.url.startswith(live_server(f"{builder}entry"))
    recorded = in_language(live_server, "fr", "Questionnaire recorded (%(count)d so far). Enter the next one.",
                           count=before + 1)
    expect(page.locator(".flashes .notice-success")).to_have_text(recorded)

    assert response_count(live_server, survey_id) == before + 1
    with live_server.app.app_context():
        newest = db.session.scalars(select(Response).where(Response.survey_id == survey_id)
                                    .order_by(Response.id.desc())).first()
        assert newest.channel is Channel.PAPER
        answered = {answer.question.code for answer in newest.answers}
        assert answered == {"Q1", "Q2", "Q5", "Q7"}, answered
        db.session.remove()


# --- 3. the observer sees the results, not the individual free texts -------------------------------------

def test_observer_sees_results_but_not_free_texts(page: Page, live_server, axe_check):
    survey_id = template_survey_id(live_server)
    results = f"/t/{SLUG}/manage/surveys/{survey_id}/results"
    signed_in(page, live_server, *OBSERVER)

    response = page.goto(live_server(results))
    axe_check(page)
    assert response.status == 200
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    expect(page.locator(f'main a[href^="{results}/texts"]')).to_have_count(0)
    expect(page.locator("main")).not_to_contain_text(DEMO_IDEAS)  # no individual free text for observers

    response = page.goto(live_server(f"{results}/texts"))
    axe_check(page)
    assert response.status == 403
    expect(page.locator("body")).not_to_contain_text(DEMO_IDEAS)
