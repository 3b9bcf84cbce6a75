"""The open-data API against its OpenAPI 3.1 document, on a territory that also holds drafts, proposals awaiting
moderation, a draft fiche and answers given after its survey's release: only what an anonymous visitor may see
comes out, in the shapes the document describes, with its conventions (pages, ETag, CORS, licence, problems); and
a property-based run (Schemathesis) finds no server error and no answer that breaks the document."""
from __future__ import annotations

import html
import json
import re

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openapi_spec_validator import validate
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest_api import API, seeded  # noqa: F401  (the module's seeded app)
from tests.api.world import LATER, SECRETS, SLUG
from tests.conftest import PASSWORD, ROLES

TERRITORY = f"{API}/territories/{SLUG}"
LICENSE_LINK = '<https://www.etalab.gouv.fr/licence-ouverte-open-licence/>; rel="license"'


def test_document_is_a_valid_openapi_3_1_document_describing_every_endpoint(seeded):
    document = seeded.document
    validate(document)
    assert document["openapi"] == "3.1.0"
    assert set(document["paths"]) == set(seeded.urls())
    for template, item in document["paths"].items():
        responses = item["get"]["responses"]
        assert {"200", "304"} <= set(responses), template
        if template != "/openapi.json":
            assert {"400", "404"} <= set(responses), template
    assert all(schema.get("description") for schema in document["components"]["schemas"].values())


def test_every_endpoint_answers_as_its_schema_says(seeded):
    for template, url in seeded.urls().items():
        response = seeded.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "application/json"
        if template == "/openapi.json":
            continue
        body = response.get_json()
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in seeded.validator(template).iter_errors(body)]
        assert errors == [], (url, errors[:5])
        assert body["license"]["spdx"] == "etalab-2.0"
        assert LICENSE_LINK in response.headers.getlist("Link")


def _everything(seeded, **kwargs) -> str:
    return "\n".join(seeded.get(url, **kwargs).get_data(as_text=True) for url in seeded.urls().values())


def test_nothing_private_comes_out(seeded):
    everything = _everything(seeded)
    assert [secret for secret in SECRETS if secret in everything] == []
    assert re.findall(r"[\w.+-]+@[\w-]+\.[\w.]+", everything) == []  # no email address at all
    release = seeded.get(f"{TERRITORY}/surveys/{seeded.ids['survey']}/releases/1").get_json()["data"]
    # The release as made: answers given afterwards are nowhere, not even in the count.
    assert release["responses"] == release["overview"]["responses"] == seeded.released
    assert seeded.get(f"{TERRITORY}/surveys/{seeded.ids['survey']}/releases").get_json()["total"] == 1
    assert release["disclosure"]["k"] == 11 and release["disclosure"]["primary"] == "< 11"
    hidden = [line["count"] for q in release["questions"] if q["distribution"] for line in q["distribution"]["lines"]
              if line["count"]["suppressed"]]
    assert hidden and all(cell["value"] is None for cell in hidden)
    assert all(q["distribution"] is None and q["matrix"] == [] for q in release["questions"] if q["kind"] == "text")
    texts = {q["code"]: q for q in release["questions"]}
    assert texts["Q10"]["answered"] == {"value": seeded.released, "suppressed": None}


def _page_figure(figure: dict, k: int) -> str:
    """How the public results page (in French) writes a figure of the API."""
    if figure["suppressed"] is None:
        return str(figure["value"])
    return "masqué" if figure["suppressed"] == "secondary" else f"< {k}"


def test_release_figures_are_those_of_the_public_results_page(seeded):
    survey = seeded.ids["survey"]
    release = seeded.get(f"{TERRITORY}/surveys/{survey}/releases/1").get_json()["data"]
    page = seeded.get(f"/t/{SLUG}/surveys/{survey}/results/releases/1").get_data(as_text=True)
    compared = 0
    for question in release["questions"]:
        if question["distribution"] is None:
            continue
        section = page.split(f'aria-labelledby="q-{question["code"]}"', 1)[1].split("</tbody>", 1)[0]
        rows = [(html.unescape(label), html.unescape(re.sub(r"<[^>]+>", "", figure))) for label, figure in
                re.findall(r'<tr><th scope="row">(.*?)</th><td class="num">(.*?)</td>', section)]
        expected = [(line["label"], _page_figure(line["count"], release["k"]))
                    for line in question["distribution"]["lines"]]
        assert rows == expected, question["code"]
        compared += len(rows)
    assert compared > 20


def test_drafts_unpublished_and_other_territories_answer_404(seeded):
    ids = seeded.ids
    for url in (f"{TERRITORY}/surveys/{ids['draft_survey']}", f"{TERRITORY}/surveys/{ids['unpublished']}/releases",
                f"{TERRITORY}/surveys/{ids['unpublished']}/releases/1", f"{TERRITORY}/surveys/{ids['survey']}/releases/2",
                f"{TERRITORY}/proposals/{ids['pending']}", f"{TERRITORY}/fiches/{ids['draft_fiche']}",
                f"{API}/territories/ouest-aveyron/proposals/{ids['proposal']}",
                f"{API}/territories/ouest-aveyron/fiches/{ids['fiche']}", f"{API}/territories/inconnu"):
        response = seeded.get(url)
        assert response.status_code == 404, url
        assert response.mimetype == "application/problem+json"
    unpublished = seeded.get(f"{TERRITORY}/surveys/{ids['unpublished']}").get_json()["data"]
    assert unpublished["results_published"] is False and unpublished["releases"] == []


@pytest.mark.parametrize("role", ROLES)
def test_the_api_answers_everyone_as_an_anonymous_visitor(seeded, role):
    client = seeded.app.test_client()
    client.environ_base["REMOTE_ADDR"] = f"198.51.100.{ROLES.index(role) + 1}"
    emails = {"participant": "habitante@example.org", "observer": "observatoire@example.org",
              "other_coordinator": "coordination.aveyron@example.org",
              "coordinator": "coordination.confluences@example.org", "admin": "admin@example.org"}
    if role != "anonymous":
        assert client.post("/account/login", data={"email": emails[role], "password": PASSWORD}).status_code == 302
    for resource in ("surveys", "proposals", "fiches"):
        mine = client.get(f"{TERRITORY}/{resource}").get_data(as_text=True)
        assert mine == seeded.get(f"{TERRITORY}/{resource}").get_data(as_text=True)
        assert [secret for secret in SECRETS if secret in mine] == []
    assert client.get(f"{TERRITORY}/fiches/{seeded.ids['draft_fiche']}").status_code == 404


def test_pagination_links_walk_every_commune_exactly_once(seeded):
    url, seen, pages = f"{TERRITORY}/communes?per_page=7", [], 0
    first = seeded.get(url).get_json()
    while url:
        response = seeded.get(url)
        body = response.get_json()
        seen += [c["insee_code"] for c in body["items"]]
        links = {rel: href for href, rel in re.findall(r'<([^>]+)>; rel="(\w+)"', ",".join(response.headers.getlist("Link")))}
        assert {rel: href for rel, href in body["links"].items() if rel != "self"} == \
            {rel: href for rel, href in links.items() if rel != "license"}
        pages += 1
        url = links.get("next", "").replace("http://localhost", "")
    assert pages == first["pages"] == -(-first["total"] // 7) and pages > 2
    assert len(seen) == len(set(seen)) == first["total"]
    assert seen == sorted(seen)
    last = seeded.get(f"{TERRITORY}/communes?per_page=7&page={pages}").get_json()
    assert "next" not in last["links"] and last["links"]["prev"].endswith(f"page={pages - 1}&per_page=7")


@pytest.mark.parametrize("query", ["page=0", "page=abc", "per_page=101", "per_page=0", "page=-1", "page=1e3",
                                   "per_page=%C2%B2", "page=99999999999999999999"])
def test_bad_page_parameters_are_400_problems(seeded, query):
    response = seeded.get(f"{TERRITORY}/proposals?{query}")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    problem = response.get_json()
    assert problem["status"] == 400 and problem["type"] == "about:blank" and problem["title"] and problem["detail"]


def test_a_page_beyond_the_last_is_empty_with_links_back(seeded):
    body = seeded.get(f"{TERRITORY}/proposals?page=40").get_json()
    assert body["items"] == [] and body["total"] == 3 and body["links"]["prev"].endswith("page=1&per_page=20")


def test_etag_answers_304_when_unchanged(seeded):
    url = f"{TERRITORY}/surveys/{seeded.ids['survey']}/releases/1"
    response = seeded.get(url)
    tag = response.headers["ETag"]
    assert tag.strip('"') and seeded.get(url).headers["ETag"] == tag
    again = seeded.get(url, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == tag
    assert seeded.get(url, headers={"If-None-Match": '"autre"'}).status_code == 200
    # The body depends on the language asked for, and so does its tag.
    english = seeded.get(url, headers={"Accept-Language": "en"})
    assert english.headers["ETag"] != tag and "Accept-Language" in english.headers["Vary"]


def test_cors_on_answers_errors_and_preflight(seeded):
    for response in (seeded.get(f"{API}/territories"), seeded.get(f"{API}/territories/inconnu")):
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert "ETag" in response.headers["Access-Control-Expose-Headers"]
    preflight = seeded.app.test_client().options(f"{TERRITORY}/proposals", headers={
        "Origin": "https://data.example.net", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "If-None-Match"})
    assert preflight.status_code == 200
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "If-None-Match" in preflight.headers["Access-Control-Allow-Headers"]


def test_errors_are_problem_details_under_api_and_pages_elsewhere(seeded):
    client = seeded.app.test_client()
    for method, url, status in (("get", f"{API}/nothing-here", 404), ("post", f"{API}/territories", 405),
                                ("delete", f"{TERRITORY}/proposals/1", 405)):
        response = getattr(client, method)(url)
        assert response.status_code == status and response.mimetype == "application/problem+json", url
        problem = json.loads(response.data)
        assert problem["status"] == status and problem["type"] == "about:blank" and problem["title"] and problem["detail"]
    page = client.get("/t/inconnu/")
    assert page.status_code == 404 and page.mimetype == "text/html"


@pytest.mark.parametrize("path", ["surveys/99999999999999999999", "surveys/2147483648/releases/1",
                                  "surveys/1/releases/9223372036854775808", "proposals/2147483648",
                                  "groups/18446744073709551616", "meetings/2147483648", "fiches/2147483648",
                                  "contracts/99999999999999999999"])
def test_ids_beyond_the_database_range_are_404(seeded, path):
    response = seeded.get(f"{TERRITORY}/{path}")
    assert response.status_code == 404 and response.mimetype == "application/problem+json"


def test_open_data_page_is_linked_from_every_page_and_explains_the_api(seeded):
    home = seeded.get("/").get_data(as_text=True)
    assert 'href="/open-data"' in home
    page = seeded.get("/open-data")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Données ouvertes" in text and "Licence Ouverte" in text
    assert 'href="/api/v1/openapi.json"' in text and "/territories/{slug}/fiches" in text
    assert '<a href="https://www.etalab.gouv.fr/licence-ouverte-open-licence/">' in text and "<code>ETag</code>" in text
    english = seeded.get("/open-data", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "<h1>Open data</h1>" in english


def test_later_answers_are_in_the_database_not_in_the_api(seeded):
    from consult.extensions import db
    from consult.surveys.models import Response

    with seeded.app.app_context():
        stored = db.session.scalar(db.select(db.func.count()).select_from(Response)
                                   .where(Response.survey_id == seeded.ids["survey"]))
    assert stored == seeded.released + LATER
    assert "REPONSE-TARDIVE" not in _everything(seeded)


def test_a_server_error_under_api_is_a_problem_too(seeded, monkeypatch):
    from consult.api import queries

    def broken():
        raise RuntimeError("la base ne répond plus")

    monkeypatch.setattr(queries, "territories", broken)
    monkeypatch.setitem(seeded.app.config, "PROPAGATE_EXCEPTIONS", False)
    response = seeded.get(f"{API}/territories")
    assert response.status_code == 500 and response.mimetype == "application/problem+json"
    assert response.get_json()["status"] == 500 and "la base" not in response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == "*"


# --- a property-based run against the document ---------------------------------------------------------

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::PendingDeprecationWarning")
def test_generated_requests_never_break_the_document(seeded):
    schema = schemathesis.openapi.from_wsgi(f"{API}/openapi.json", seeded.app)
    ids = {"survey_id": seeded.ids["survey"], "proposal_id": seeded.ids["proposal"], "group_id": seeded.ids["group"],
           "meeting_id": seeded.ids["meeting"], "fiche_id": seeded.ids["fiche"], "number": 1, "generation": 2}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(seeded.document["paths"]) - 1  # all but the document itself, which it loaded
    calls = []
    for operation in operations:
        @given(case=operation.as_strategy(), real=st.booleans())
        @settings(max_examples=4, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case, real):
            if real and case.path_parameters:
                case.path_parameters = {**case.path_parameters, "slug": SLUG,
                                        **{name: ids[name] for name in case.path_parameters if name in ids}}
            response = case.call_and_validate(checks=CHECKS)
            calls.append(response.status_code)

        run()
    assert 200 in calls and 404 in calls and not [status for status in calls if status >= 500]
