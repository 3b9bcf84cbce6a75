"""Lean answering: a whole submission of the demo questionnaire in few statements, answers in one INSERT, the
survey structure copied once per process and version, and an edit of the structure seen at once, by every app."""
from __future__ import annotations

import html
import random
import re
from collections.abc import Mapping

from flask import Flask, render_template_string
from sqlalchemy import func, select, text

from consult import create_app
from consult.accounts.demo import DEMO_ACCOUNTS
from consult.accounts.models import User
from consult.core.cache import VersionedCache
from consult.extensions import db
from consult.surveys import services
from consult.surveys.answering import answers as answer_rules
from consult.surveys.answering.structure import CACHE_NAME, structure_of
from consult.surveys.building import builder
from consult.surveys.building.questions import QuestionData
from consult.surveys.building.template import TITLE
from consult.surveys.demo import _answers as demo_answers
from consult.surveys.views.public import BLANK_QUESTIONS, blank_question
from consult.surveys.models import Answer, Channel, Question, QuestionType, Response, Survey, SurveyPage
from consult.territories.models import Commune
from tests.conftest import NOW, FreshContextClient, make_config
from tests.rendering import RenderGuard

COORDINATOR = "coordination.confluences@example.org"
PASSWORDS = {email: password for email, password, *_rest in DEMO_ACCOUNTS}
WRITES = ("INSERT", "UPDATE", "DELETE")


def page_form(page, data: Mapping) -> dict:
    """What a browser posts for `page` when the respondent gives the answers `data` (the dict of answers.py)."""
    shown = answer_rules.visible_questions(page, data)
    form: dict = {"page_id": str(page.id), "action": "next", "shown": [q.code for q in shown]}
    for question in shown:
        value = data.get(question.code)
        if value is None:
            continue
        if question.type is QuestionType.RANKING:
            form.update({answer_rules.field_name(question, code): str(rank) for rank, code in enumerate(value, 1)})
        elif question.type is QuestionType.MATRIX:
            form.update({answer_rules.field_name(question, row): column for row, column in value.items()})
        else:
            form[answer_rules.field_name(question)] = value if isinstance(value, list) else str(value)
        if answer_rules.other_key(question) in data:
            form[answer_rules.field_name(question, "other")] = data[answer_rules.other_key(question)]
    return form


def demo_survey() -> Survey:
    return db.session.scalar(select(Survey).where(Survey.title == TITLE))


def plausible_answers(seed: int) -> dict:
    """A resident's answers to the demo questionnaire, as the demo draws them (conditions respected)."""
    survey = demo_survey()
    communes = db.session.scalars(select(Commune).where(Commune.territory_id == survey.territory_id)).all()
    return demo_answers(random.Random(seed), list(communes))


def walk(app: Flask, survey: Survey, data: Mapping) -> list[tuple[str, list[str]]]:
    """Answer the whole survey as a browser does (introduction, start, each page shown then posted, review,
    submit, thanks); return each request with the statements it ran."""
    base = f"/t/{survey.territory.slug}/surveys/{survey.id}/"
    pages = {str(page.id): page for page in structure_of(survey).pages}
    client = app.test_client()
    done: list[tuple[str, list[str]]] = []
    with RenderGuard(app) as guard:
        def request(method: str, url: str, **form):
            response = getattr(client, method)(url, **form)
            done.append((f"{method.upper()} {url}", [s.sql for s in guard.statements]))
            return response

        request("get", base)
        location = request("post", base + "start").headers["Location"]
        while "/page/" in location:
            shown = request("get", location)
            assert shown.status_code == 200
            page = pages[re.search(r'name="page_id" value="(\d+)"', shown.get_data(as_text=True)).group(1)]
            posted = request("post", location, data=page_form(page, data))
            assert posted.status_code == 302, posted.get_data(as_text=True)[:2000]
            location = posted.headers["Location"]
        assert location.endswith("/review")
        request("get", location)
        submitted = request("post", base + "submit")
        assert submitted.headers["Location"].endswith("/thanks")
        request("get", base + "thanks")
    return done


def stored(response_id: int) -> list[tuple]:
    """A response's answer rows, by codes, sorted."""
    rows = db.session.scalars(select(Answer).where(Answer.response_id == response_id)).all()
    return sorted((a.question.code, a.option.code if a.option else None, a.row.code if a.row else None,
                   a.value_text, a.value_number, a.rank) for a in rows)


def expected(survey: Survey, data: Mapping) -> list[tuple]:
    """The rows that storing answers one ORM object at a time gives (`answer_rows`, the way before)."""
    cleaned = services.validate_all(survey, data)
    rows = [a for question in survey.questions for a in answer_rules.answer_rows(question, cleaned)]
    return sorted((a.question.code, a.option.code if a.option else None, a.row.code if a.row else None,
                   a.value_text, a.value_number, a.rank) for a in rows)


def test_whole_submission_of_the_demo_questionnaire_runs_few_statements_and_one_insert_of_answers(seeded_demo):
    survey = demo_survey()
    version, before = survey.structure_version, db.session.scalar(select(func.max(Response.id)))
    data = plausible_answers(7)
    want = expected(survey, data)
    first = walk(seeded_demo.app, survey, data)

    # 21 requests (8 pages shown and posted), none over the budget of 12 statements, 64 in all today: the territory,
    # the survey and the respondent's draft are one statement (85 when the territory was read apart, 103 when the
    # survey and the draft were two, 517 before the lean answering).
    assert len(first) == 21
    assert max(len(statements) for _url, statements in first) <= 12
    assert sum(len(statements) for _url, statements in first) <= 64
    everything = [s for _url, statements in first for s in statements]
    assert sum(s.startswith("INSERT INTO answers") for s in everything) == 1
    # Every request reads its territory with the survey and the draft: never the territory alone.
    for url, statements in first:
        territory = [s for s in statements if "FROM territories" in s]
        assert len(territory) == 1 and "surveys" in territory[0] and "survey_drafts" in territory[0], (url, territory)
    # Nothing is read back after a write: the survey, draft and territory stay as the request left them.
    for url, statements in first:
        writes = [i for i, s in enumerate(statements) if s.startswith(WRITES)]
        assert not writes or not any(s.startswith("SELECT") for s in statements[writes[0]:]), url

    db.session.expire_all()
    response = db.session.scalars(select(Response).where(Response.id > before)).one()
    assert response.channel is Channel.WEB
    assert stored(response.id) == want
    assert demo_survey().structure_version == version  # answering does not touch the structure

    # Eight times the responses: every request runs the same statements.
    for round_ in range(3):
        db.session.execute(text("INSERT INTO responses (survey_id, channel, submitted_on, dedupe_key) "
                                f"SELECT survey_id, channel, submitted_on, 'copy{round_}-' || id FROM responses"))
    db.session.commit()
    again = walk(seeded_demo.app, demo_survey(), plausible_answers(8))
    assert [len(statements) for _url, statements in again] == [len(statements) for _url, statements in first]


def test_answers_stored_in_one_insert_are_those_stored_one_by_one_before(seeded_demo):
    survey = demo_survey()
    operator = db.session.scalar(select(User).where(User.email == COORDINATOR))
    for seed in range(6):
        data = plausible_answers(100 + seed)
        want = expected(survey, data)
        if seed % 3:
            response = services.submit_response(survey, data, browser_secret=f"lean-{seed}", now=NOW)
        else:
            response = services.key_in_response(operator, survey, data, channel=Channel.PAPER,
                                                entry_id=f"lean-{seed}", now=NOW)
        db.session.commit()
        assert stored(response.id) == want, seed
        assert len(want) >= 20  # a real questionnaire: matrices, rankings, several choices


def _login(client, email: str) -> None:
    response = client.post("/account/login", data={"email": email, "password": PASSWORDS[email]})
    assert response.status_code == 302


def test_edited_question_is_shown_at_once_by_this_app_and_by_another_on_the_same_database(seeded_demo):
    here = seeded_demo.app
    there = create_app(make_config(SQLALCHEMY_DATABASE_URI=here.config["SQLALCHEMY_DATABASE_URI"]))
    there.test_client_class = FreshContextClient
    survey = demo_survey()
    version = survey.structure_version
    first_page = f"/t/{survey.territory.slug}/surveys/{survey.id}/page/1"
    resident = here.test_client()
    resident.post(f"/t/{survey.territory.slug}/surveys/{survey.id}/start")
    assert "Dans quelle commune habitez-vous ?" in html.unescape(resident.get(first_page).get_data(as_text=True))
    copies = here.extensions["consult_caches"][CACHE_NAME]
    built = copies.builds

    coordinator = there.test_client()
    coordinator.environ_base["REMOTE_ADDR"] = "192.0.2.77"
    _login(coordinator, COORDINATOR)
    question = db.session.scalar(select(Question).where(Question.survey_id == survey.id, Question.code == "Q1"))
    edited = coordinator.post(f"/t/{survey.territory.slug}/manage/surveys/{survey.id}/questions/{question.id}/edit",
                              data={"type": "commune", "text": "Dans quelle commune vivez-vous ?", "required": "y"})
    assert edited.status_code == 302
    db.session.expire_all()
    assert demo_survey().structure_version != version

    shown = html.unescape(resident.get(first_page).get_data(as_text=True))
    assert "Dans quelle commune vivez-vous ?" in shown and "habitez-vous" not in shown
    resident.get(first_page)
    assert copies.builds == built + 1  # read again once, then kept
    with there.app_context():
        db.engine.dispose()


def test_every_change_of_pages_questions_or_options_gives_a_new_version(app, survey, coordinator):
    def version_and_structure():
        db.session.commit()
        db.session.expire_all()
        current = db.session.get(Survey, survey.id)
        return current.structure_version, structure_of(current)

    def question(code: str) -> Question:
        return db.session.scalar(select(Question).where(Question.survey_id == survey.id, Question.code == code))

    def changed(change) -> object:
        version, _copy = version_and_structure()
        change()
        new_version, copy = version_and_structure()
        assert new_version != version, change.__name__
        return copy

    def reword():
        question("Q3").text = "Avez-vous dû renoncer à des soins ?"

    def relabel_option():
        question("Q2").options[0].label = "Excellent"

    def add_option():
        q = question("Q12")
        builder.update_question(coordinator, q, QuestionData(
            type=q.type, text=q.text, options=["Une femme", "Un homme", "Autre ou non précisé", "Je préfère ne pas dire"],
            breakdown_role="sex"))

    def retitle_page():
        builder.update_page(coordinator, db.session.get(SurveyPage, survey.pages[1].id), "Votre moral", "",
                            mental_health=True)

    def move_question():
        builder.move(coordinator, question("Q9"), 1)

    def delete_question():
        builder.delete_question(coordinator, question("Q13"))

    def delete_page():
        page = builder.add_page(coordinator, db.session.get(Survey, survey.id), "Une page en trop")
        db.session.commit()
        builder.delete_page(coordinator, db.session.get(SurveyPage, page.id))

    assert changed(reword).questions[2].text == "Avez-vous dû renoncer à des soins ?"
    assert changed(relabel_option).questions[1].choices[0].label == "Excellent"
    assert [o.label for o in changed(add_option).questions[11].choices][-1] == "Je préfère ne pas dire"
    copy = changed(retitle_page)
    assert (copy.pages[1].title, copy.pages[1].mental_health) == ("Votre moral", True)
    assert [q.code for q in changed(move_question).pages[1].questions] == ["Q7", "Q8", "Q10", "Q9"]
    assert "Q13" not in [q.code for q in changed(delete_question).questions]
    assert len(changed(delete_page).pages) == 3

    # Answering, the survey's own settings and its status leave the structure (and its copies) as they are.
    version, _copy = version_and_structure()
    services.submit_response(db.session.get(Survey, survey.id), {"Q1": "82112", "Q2": "2", "Q3": "2"},
                             browser_secret="abc", now=NOW)
    db.session.get(Survey, survey.id).title = "Votre santé en 2026"
    assert version_and_structure()[0] == version


def test_copies_are_kept_per_version_and_bounded_in_number():
    copies = VersionedCache(size=2)
    built: list[str] = []

    def build(name):
        return lambda: built.append(name) or name

    assert copies.get(1, "a", build("1a")) == "1a"
    assert copies.get(1, "a", build("again")) == "1a"  # same version: kept
    assert copies.get(1, "b", build("1b")) == "1b"  # a new version replaces it
    copies.get(2, "a", build("2a"))
    copies.get(1, "b", build("again"))  # 1 used last: 2 goes first when a third key comes
    copies.get(3, "a", build("3a"))
    assert copies.get(2, "a", build("2a again")) == "2a again"
    assert built == ["1a", "1b", "2a", "3a", "2a again"] and copies.builds == 5


def test_blank_questions_are_what_the_macro_writes_and_rendered_once_per_language_and_wording(seeded_demo):
    """A question nobody has answered yet (how each respondent first sees each page) is kept per process: the kept
    HTML is the question macro's for an empty answer, in each language and wording, and a second respondent's page
    renders none again; an answered question is written afresh with its answer."""
    app, survey = seeded_demo.app, demo_survey()
    first = structure_of(survey).pages[0]
    first_page = f"/t/{survey.territory.slug}/surveys/{survey.id}/page/1"
    kept = []
    for _respondent in range(2):
        client = app.test_client()
        client.set_cookie("consult_lang", "fr")
        client.post(f"/t/{survey.territory.slug}/surveys/{survey.id}/start")
        assert client.get(first_page).status_code == 200
        kept.append(len(app.extensions["consult_caches"][BLANK_QUESTIONS]._values))
    assert kept == [len(answer_rules.visible_questions(first, {}))] * 2  # the second page rendered none again

    answered = plausible_answers(3)
    code = next(q.code for q in first.questions if answered.get(q.code) is not None)
    shown = client.get(first_page).get_data(as_text=True)
    assert client.post(first_page, data={**page_form(first, {code: answered[code]}), "action": "later"}).status_code == 302
    again = client.get(first_page).get_data(as_text=True)
    assert again != shown and (" checked" in again or answered[code] in html.unescape(again))

    questions = [q for page in structure_of(survey).pages for q in page.questions]
    communes = services.commune_choices(survey)
    macro = ('{% from "surveys/macros/questions.html" import question %}'
             "{{ question(q, {}, None, falc=falc, communes=communes) }}")
    for language in ("fr", "en"):
        for falc in (False, True):
            with app.test_request_context("/", headers={"Accept-Language": language}):
                for q in questions:
                    piece = blank_question(q, falc, tuple(communes.items()))
                    assert piece == render_template_string(macro, q=q, falc=falc, communes=communes), q.code
