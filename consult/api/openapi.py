"""The OpenAPI 3.1 document of the open-data API: every endpoint, parameter, response and schema. Built from the
list of operations below and the schemas of `consult.api.schemas`; the tests validate it and every real answer
against it."""
from __future__ import annotations

from flask_babel import gettext as _

from consult.api import conventions, schemas
from consult.api.schemas import ref

VERSION = "1.0.0"
# The document's section of each operation (the others are under "territories").
TAGS = {"index": "api", "surveys": "surveys", "survey": "surveys", "releases": "surveys", "release": "surveys",
        "proposals": "proposals", "proposal": "proposals", "groups": "groups", "group": "groups",
        "meetings": "groups", "meeting": "groups", "fiches": "plan", "fiche": "plan"}


def title() -> str:
    return _("Consult open data API")


def _operations() -> list[tuple[str, str, str, str, str, bool]]:
    """(name, path, summary, schema of the 200 body, operation id, paginated) of every endpoint."""
    t = "/territories/{slug}"
    return [
        ("index", "/", _("What the API offers"), "Index", "getIndex", False),
        ("territories", "/territories", _("Every territory"), "TerritoryPage", "listTerritories", True),
        ("territory", t, _("A territory"), "TerritoryDocument", "getTerritory", False),
        ("communes", f"{t}/communes", _("A territory's communes"), "CommunePage", "listCommunes", True),
        ("contracts", f"{t}/contracts", _("A territory's contracts"), "ContractPage", "listContracts", True),
        ("contract", f"{t}/contracts/{{generation}}", _("A contract with its axes and objectives"),
         "ContractDocument", "getContract", False),
        ("axes", f"{t}/axes", _("The axes and objectives of the current contract"), "AxisPage", "listAxes", True),
        ("surveys", f"{t}/surveys", _("A territory's surveys (never drafts)"), "SurveyPage", "listSurveys", True),
        ("survey", f"{t}/surveys/{{survey_id}}", _("A survey and its published releases"), "SurveyDocument",
         "getSurvey", False),
        ("releases", f"{t}/surveys/{{survey_id}}/releases", _("The releases of a survey whose results are published"),
         "ReleaseSummaryPage", "listReleases", True),
        ("release", f"{t}/surveys/{{survey_id}}/releases/{{number}}",
         _("A release: the protected tables of the public results page"), "ReleaseDocument", "getRelease", False),
        ("proposals", f"{t}/proposals", _("Published proposals, with supports, status and answer"), "ProposalPage",
         "listProposals", True),
        ("proposal", f"{t}/proposals/{{proposal_id}}", _("A published proposal"), "ProposalDocument",
         "getProposal", False),
        ("groups", f"{t}/groups", _("Working groups (public fields)"), "GroupPage", "listGroups", True),
        ("group", f"{t}/groups/{{group_id}}", _("A working group and its meetings"), "GroupDocument", "getGroup",
         False),
        ("meetings", f"{t}/meetings", _("Meetings of the working groups and events"), "MeetingPage",
         "listMeetings", True),
        ("meeting", f"{t}/meetings/{{meeting_id}}", _("A meeting or an event"), "MeetingDocument", "getMeeting",
         False),
        ("fiches", f"{t}/fiches", _("Published fiches actions with their indicators"), "FichePage", "listFiches",
         True),
        ("fiche", f"{t}/fiches/{{fiche_id}}", _("A published fiche action"), "FicheDocument", "getFiche", False),
    ]


def resources() -> list[tuple[str, str, str]]:
    """(name, path under /api/v1, summary) of every resource, for the index and the "Open data" page."""
    return [(name, path, summary) for name, path, summary, _body, _id, _paged in _operations()]


def _path_parameters(path: str) -> list[dict]:
    described = {
        "slug": ({"type": "string", "minLength": 1, "maxLength": 80, "pattern": "^[a-z0-9-]+$"},
                 _("The territory's short name, as in its addresses.")),
        "generation": ({"type": "integer", "minimum": 1}, _("The contract's generation (1 for CLS 1…).")),
        "survey_id": ({"type": "integer", "minimum": 1}, _("The survey's id.")),
        "number": ({"type": "integer", "minimum": 1}, _("The release's number.")),
        "proposal_id": ({"type": "integer", "minimum": 1}, _("The proposal's id.")),
        "group_id": ({"type": "integer", "minimum": 1}, _("The working group's id.")),
        "meeting_id": ({"type": "integer", "minimum": 1}, _("The meeting's id.")),
        "fiche_id": ({"type": "integer", "minimum": 1}, _("The fiche's id.")),
    }
    return [{"name": name, "in": "path", "required": True, "description": described[name][1],
             "schema": described[name][0]} for name in described if f"{{{name}}}" in path]


def _page_parameters() -> list[dict]:
    return [
        {"name": "page", "in": "query", "required": False, "description": _("The page to read (from 1)."),
         "schema": {"type": "integer", "minimum": 1, "maximum": conventions.MAX_PAGE, "default": 1}},
        {"name": "per_page", "in": "query", "required": False,
         "description": _("Items per page (at most %(max)d).", max=conventions.MAX_PER_PAGE),
         "schema": {"type": "integer", "minimum": 1, "maximum": conventions.MAX_PER_PAGE,
                    "default": conventions.PER_PAGE}},
    ]


def _problem(description: str) -> dict:
    return {"description": description, "headers": _shared_headers(),
            "content": {"application/problem+json": {"schema": ref("Problem")}}}


def _shared_headers() -> dict:
    return {"Access-Control-Allow-Origin": {"$ref": "#/components/headers/AccessControlAllowOrigin"}}


def _operation(name: str, summary: str, body: str, operation_id: str, path: str, paged: bool) -> dict:
    headers = {**_shared_headers(), "ETag": {"$ref": "#/components/headers/ETag"},
               "Link": {"$ref": "#/components/headers/Link"}}
    return {
        "operationId": operation_id, "summary": summary, "tags": [TAGS.get(name, "territories")],
        "parameters": _path_parameters(path) + (_page_parameters() if paged else []),
        "responses": {
            "200": {"description": _("The resource, with its licence."), "headers": headers,
                    "content": {"application/json": {"schema": ref(body)}}},
            "304": {"description": _("Not modified: the ETag sent in If-None-Match is still current."),
                    "headers": {"ETag": {"$ref": "#/components/headers/ETag"}}},
            "400": _problem(_("A parameter cannot be read (e.g. a page out of bounds).")),
            "404": _problem(_("No such resource, or not public.")),
        },
    }


def build(*, server: str) -> dict:
    """The OpenAPI 3.1.0 document, its server being this API's base URL."""
    paths = {}
    for name, path, summary, body, operation_id, paged in _operations():
        paths[path] = {"get": _operation(name, summary, body, operation_id, path, paged)}
    paths["/openapi.json"] = {"get": {
        "operationId": "getOpenApiDocument", "summary": _("This document"), "tags": ["api"],
        "responses": {
            "200": {"description": _("The OpenAPI 3.1 document."),
                    "headers": {**_shared_headers(), "ETag": {"$ref": "#/components/headers/ETag"}},
                    "content": {"application/json": {"schema": {"type": "object"}}}},
            "304": {"description": _("Not modified: the ETag sent in If-None-Match is still current.")},
        }}}
    return {
        "openapi": "3.1.0",
        "jsonSchemaDialect": "https://json-schema.org/draft/2020-12/schema",
        "info": {
            "title": title(), "version": VERSION,
            "summary": _("Open data of the Contrats locaux de santé: territories, contracts, survey releases, "
                         "proposals, working groups, fiches actions."),
            "description": _("Read-only, anonymous: only what any visitor of the site may see. Survey figures come "
                             "from releases only, protected by disclosure control (counts below k hidden). "
                             "Listings are paginated with ?page= and ?per_page= and Link headers; every answer has "
                             "an ETag (send If-None-Match to get 304); errors are RFC 9457 problem details; CORS is "
                             "open for GET."),
            "license": {"name": conventions.LICENSE["name"], "identifier": conventions.LICENSE["spdx"]},
        },
        "servers": [{"url": server, "description": _("This instance")}],
        "tags": [{"name": "api", "description": _("The API itself")},
                 {"name": "territories", "description": _("Territories, communes, contracts, axes, objectives")},
                 {"name": "surveys", "description": _("Surveys and their releases")},
                 {"name": "proposals", "description": _("Citizen proposals")},
                 {"name": "groups", "description": _("Working groups, meetings and events")},
                 {"name": "plan", "description": _("The action plan: fiches actions")}],
        "paths": paths,
        "components": {
            "schemas": schemas.components(),
            "headers": {
                "ETag": {"description": _("A fingerprint of the body; send it back in If-None-Match."),
                         "schema": {"type": "string"}},
                "Link": {"description": _("The licence (rel=\"license\") and, for listings, the first, last, "
                                          "previous and next pages."), "schema": {"type": "string"}},
                "AccessControlAllowOrigin": {"description": _("CORS: every origin may read the API."),
                                             "schema": {"type": "string", "const": "*"}},
            },
        },
    }
