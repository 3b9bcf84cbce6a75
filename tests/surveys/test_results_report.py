"""The public results page as a report (issue 13): the coordinator's key findings first, a table of contents,
plain words, the method last; published results linked while the survey is still open.

Everything runs on one copy of the demo with its first release published (`seed-demo --publish-results`, seeded
once for the run): the survey « Diagnostic local de santé » of Terres des Confluences is still open. Each test
puts back what it changes."""
from __future__ import annotations

import html
import re

import pytest
from markupsafe import escape
from sqlalchemy import delete, select

from consult.core.models import utcnow
from consult.extensions import db
from consult.surveys.models import Survey
from consult.surveys.releases.models import SurveyRelease
from consult.surveys.releases.services import KEY_FINDINGS_MAX
from consult.territories.models import Territory
from tests.conftest import ROLES, app_on_copy, seeded_template

SLUG = "terres-des-confluences"
ACCOUNTS = {
    "participant": ("habitante@example.org", "demo-resident-consult"),
    "observer": ("referente.ars@example.org", "demo-observer-consult"),
    "other_coordinator": ("coordination.aveyron@example.org", "demo-coord-consult"),
    "coordinator": ("coordination.confluences@example.org", "demo-coord-consult"),
    "admin": ("admin@example.org", "demo-admin-consult"),
}
FINDINGS = ("Trois personnes sur dix ont **renoncé à des soins**, surtout à cause des délais.\n\n"
            "- Le médecin traitant manque à Moissac.\n- <script>alert('piège')</script> reste du texte.")


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The published demo on a database of this module (app context pushed)."""
    app = app_on_copy(seeded_template(tmp_path_factory, "--publish-results")[0],
                      tmp_path_factory.mktemp("results-report") / "demo.sqlite3")
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="module")
def survey(demo) -> Survey:
    territory = db.session.scalar(select(Territory).where(Territory.slug == SLUG))
    return db.session.scalar(select(Survey).where(Survey.territory_id == territory.id).order_by(Survey.id))


@pytest.fixture(scope="module")
def clients(demo):
    """One logged-in client per role (each from its own address), and an anonymous one."""
    made = {"anonymous": demo.test_client()}
    for number, (role, (email, password)) in enumerate(ACCOUNTS.items(), start=1):
        client = demo.test_client()
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{number}"
        response = client.post("/account/login", data={"email": email, "password": password})
        assert response.status_code == 302, role
        made[role] = client
    return made


@pytest.fixture
def first_release(survey):
    """Release no. 1, its key findings emptied again after the test."""
    release = stored_release(survey, 1)
    yield release
    release = stored_release(survey, 1)
    release.key_findings = ""
    db.session.commit()


def stored_release(survey, number: int) -> SurveyRelease:
    db.session.expire_all()
    return db.session.scalar(select(SurveyRelease).where(SurveyRelease.survey_id == survey.id,
                                                         SurveyRelease.number == number))


def findings_url(survey, number: int = 1) -> str:
    return f"/t/{SLUG}/manage/surveys/{survey.id}/results/releases/{number}/key-findings"


def public_url(survey, number: int | None = None) -> str:
    return f"/t/{SLUG}/surveys/{survey.id}/results" + (f"/releases/{number}" if number else "")


def text_of(fragment: str) -> str:
    fragment = re.sub(r"<(script|style)\b.*?</\1>", " ", fragment, flags=re.S)
    fragment = re.sub(r"<[^>]+>", " ", fragment)
    return re.sub(r"\s+", " ", html.unescape(fragment)).replace("\u202f", " ").replace("\xa0", " ")


def headings(body: str) -> list[str]:
    """The h2 headings of the page's main content, in order, as text."""
    main = body[body.index("<main"):body.index("</main>")]
    return [text_of(h).strip() for h in re.findall(r"<h2\b[^>]*>(.*?)</h2>", main, flags=re.S)]


# --- key findings ---------------------------------------------------------------------------------------------

def test_coordinator_key_findings_open_the_public_page_escaped_figures_unchanged(clients, survey, first_release):
    before = (first_release.digest, first_release.content, first_release.audit)
    staff = clients["coordinator"].get(f"/t/{SLUG}/manage/surveys/{survey.id}/results").get_data(as_text=True)
    assert findings_url(survey) in staff and "Écrire l’essentiel" in text_of(staff)

    response = clients["coordinator"].post(findings_url(survey), data={"text": FINDINGS})

    assert response.status_code == 302
    release = stored_release(survey, 1)
    assert release.key_findings == FINDINGS
    assert (release.digest, release.content, release.audit) == before   # the figures never change
    body = clients["anonymous"].get(public_url(survey)).get_data(as_text=True)
    assert headings(body)[0] == "L’essentiel"
    essentials = body[body.index('id="essentials"'):body.index('id="toc-title"')]
    assert "<strong>renoncé à des soins</strong>" in essentials and "<li>Le médecin traitant" in essentials
    assert "<script>" not in essentials and "&lt;script&gt;alert(" in essentials
    assert body.index('id="essentials"') < body.index('id="q-Q1"')


def test_key_findings_too_long_are_refused_next_to_the_field_and_kept_in_the_form(clients, survey, first_release):
    typed = "Les délais d’attente " * (KEY_FINDINGS_MAX // 20)

    response = clients["coordinator"].post(findings_url(survey), data={"text": typed})

    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="text-error"' in page and 'aria-invalid="true"' in page
    assert str(escape(typed.strip()))[:200] in page
    assert stored_release(survey, 1).key_findings == ""


@pytest.mark.parametrize("role", ROLES)
def test_only_the_territory_coordinators_and_admins_write_key_findings(clients, survey, first_release, role):
    form = clients[role].get(findings_url(survey))
    response = clients[role].post(findings_url(survey), data={"text": f"Écrit par {role}"})

    stored = stored_release(survey, 1).key_findings
    if role in ("coordinator", "admin"):
        assert form.status_code == 200 and response.status_code == 302 and stored == f"Écrit par {role}"
    elif role == "anonymous":
        assert form.status_code == response.status_code == 302 and "/account/login" in response.headers["Location"]
        assert stored == ""
    else:
        assert form.status_code == response.status_code == 403 and stored == ""


def test_a_new_release_starts_without_key_findings_and_offers_the_previous_text(clients, survey, first_release):
    first_release.key_findings = FINDINGS
    second = SurveyRelease(survey_id=survey.id, number=2, made_at=first_release.made_at, k=first_release.k,
                           responses=first_release.responses, first_month=first_release.first_month,
                           last_month=first_release.last_month, content=first_release.content,
                           audit=first_release.audit, digest=first_release.digest)
    db.session.add(second)
    db.session.commit()
    try:
        latest = clients["anonymous"].get(public_url(survey)).get_data(as_text=True)
        form = clients["coordinator"].get(findings_url(survey, 2)).get_data(as_text=True)

        assert 'id="essentials"' not in latest and "surtout à cause des délais" not in latest
        assert 'id="essentials"' in clients["anonymous"].get(public_url(survey, 1)).get_data(as_text=True)
        assert "publication n° 1" in text_of(form) and str(escape(FINDINGS)) in form
        assert stored_release(survey, 2).key_findings == ""
    finally:
        db.session.execute(delete(SurveyRelease).where(SurveyRelease.survey_id == survey.id,
                                                       SurveyRelease.number == 2))
        db.session.commit()


# --- the report -----------------------------------------------------------------------------------------------

def test_public_page_is_a_report_contents_first_method_last_in_plain_words(clients, survey):
    body = clients["anonymous"].get(public_url(survey)).get_data(as_text=True)
    page = text_of(body)

    toc = body[body.index('<nav class="toc"'):]
    toc = toc[:toc.index("</nav>")]
    anchors = re.findall(r'href="#([^"]+)"', toc)
    assert len(anchors) >= 4 and all(f'id="{anchor}"' in body for anchor in anchors)
    order = headings(body)
    assert order[0] == "Sur cette page" and order[-1] == "Comment ces résultats ont été obtenus"
    assert order.index("Votre santé") < order.index("Comment ces résultats ont été obtenus")
    assert body.index('id="q-Q27"') < body.index('id="method"') < body.index("Canaux :") < body.index('id="chart-channels')
    for jargon in ("Likert", "Position moyenne", "Borda", "Médiane", "Item"):
        assert jargon not in page, jargon
    assert "Réponse moyenne :" in page and "sur une échelle de 1" in page
    assert body.count("<svg") <= body.count("<table") and body.count('<details class="figures"') >= 20


def test_staff_page_keeps_the_technical_words_and_shares_the_plain_mean(clients, survey):
    page = text_of(clients["coordinator"].get(f"/t/{SLUG}/manage/surveys/{survey.id}/results").get_data(as_text=True))

    assert "Likert" in page and "Réponse moyenne :" in page and "Position moyenne" not in page


# --- links to published results -------------------------------------------------------------------------------

def test_results_are_linked_while_the_survey_is_open_and_only_once_published(clients, survey):
    link = f'href="{public_url(survey)}"'
    pages = [f"/t/{SLUG}/surveys/", f"/t/{SLUG}/surveys/{survey.id}/", f"/t/{SLUG}/"]
    assert survey.is_accepting(utcnow())

    assert all(link in clients["anonymous"].get(path).get_data(as_text=True) for path in pages)

    published, survey.results_published_at = survey.results_published_at, None
    db.session.commit()
    try:
        assert not any(link in clients["anonymous"].get(path).get_data(as_text=True) for path in pages)
    finally:
        survey.results_published_at = published
        db.session.commit()
