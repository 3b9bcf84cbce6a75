"""The API's seeded app, shared by a module's tests (seeding and the release take most of the time), and helpers
reading its OpenAPI document."""
from __future__ import annotations

import json
from dataclasses import dataclass

import pytest
from flask import Flask
from jsonschema import Draft202012Validator

from consult.extensions import db
from tests.api.world import SLUG, seed
from tests.conftest import build_app, discard_database

API = "/api/v1"


@dataclass
class Seeded:
    app: Flask
    ids: dict[str, int]
    released: int
    document: dict

    def get(self, path: str, **kwargs):
        return self.app.test_client().get(path, **kwargs)

    def urls(self) -> dict[str, str]:
        """Every endpoint of the document (its path template) → an address on the seeded territory."""
        i, t = self.ids, f"{API}/territories/{SLUG}"
        return {
            "/": f"{API}/", "/openapi.json": f"{API}/openapi.json", "/territories": f"{API}/territories",
            "/territories/{slug}": t, "/territories/{slug}/communes": f"{t}/communes",
            "/territories/{slug}/contracts": f"{t}/contracts", "/territories/{slug}/contracts/{generation}":
                f"{t}/contracts/2", "/territories/{slug}/axes": f"{t}/axes",
            "/territories/{slug}/surveys": f"{t}/surveys",
            "/territories/{slug}/surveys/{survey_id}": f"{t}/surveys/{i['survey']}",
            "/territories/{slug}/surveys/{survey_id}/releases": f"{t}/surveys/{i['survey']}/releases",
            "/territories/{slug}/surveys/{survey_id}/releases/{number}": f"{t}/surveys/{i['survey']}/releases/1",
            "/territories/{slug}/proposals": f"{t}/proposals",
            "/territories/{slug}/proposals/{proposal_id}": f"{t}/proposals/{i['proposal']}",
            "/territories/{slug}/groups": f"{t}/groups", "/territories/{slug}/groups/{group_id}":
                f"{t}/groups/{i['group']}",
            "/territories/{slug}/meetings": f"{t}/meetings",
            "/territories/{slug}/meetings/{meeting_id}": f"{t}/meetings/{i['meeting']}",
            "/territories/{slug}/fiches": f"{t}/fiches", "/territories/{slug}/fiches/{fiche_id}":
                f"{t}/fiches/{i['fiche']}",
        }

    def validator(self, template: str) -> Draft202012Validator:
        """Validates the 200 body of `template` against the document, $refs resolved in its components."""
        schema = self.document["paths"][template]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
        return Draft202012Validator({**schema, "components": self.document["components"]},
                                    format_checker=Draft202012Validator.FORMAT_CHECKER)


@pytest.fixture(scope="module")
def seeded():
    """The world of tests/api/world.py on an app of its own, for the module's tests (they only read)."""
    app = build_app()
    with app.app_context():
        world = seed()
        ids = {"survey": world.survey.id, "unpublished": world.unpublished.id, "draft_survey": world.draft_survey.id,
               "proposal": world.proposal.id, "pending": world.pending.id, "group": world.group.id,
               "meeting": world.meeting.id, "fiche": world.fiche.id, "draft_fiche": world.draft_fiche.id}
        released = world.released
        db.session.remove()
        document = json.loads(app.test_client().get(f"{API}/openapi.json").data)
    yield Seeded(app, ids, released, document)
    with app.app_context():
        discard_database()
        db.engine.dispose()
