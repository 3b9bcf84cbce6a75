"""A property-based run of the API against its own OpenAPI document (Schemathesis): generated requests to every
operation — on the seeded territory half of the time, so that most answers are real documents, not 404s — never
get a server error, a status the document does not list, or a body that breaks its schema."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest_api import API, seeded  # noqa: F401  (the module's seeded app)
from tests.api.world import SLUG

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
