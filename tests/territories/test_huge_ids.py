"""An id too large for the database in an address is a 404, on every engine (SQLite overflows at 2**63,
PostgreSQL's integer at 2**31): the app's `<int:…>` converter does not match it (and `get_or_404` refuses it
before asking the database)."""
from __future__ import annotations

import pytest

HUGE = [2**31, 99999999999999999999]
PAGES = [
    "/t/terres-des-confluences/manage/groups/{}/members",
    "/t/terres-des-confluences/proposals/{}/",
    "/t/terres-des-confluences/manage/contracts/{}/axes",
    "/t/terres-des-confluences/manage/plan/fiches/{}/",
    "/t/terres-des-confluences/manage/governance/bodies/{}",
    "/t/terres-des-confluences/manage/synthesis/axes/{}",
]


@pytest.mark.parametrize("ident", HUGE)
@pytest.mark.parametrize("address", PAGES)
def test_a_huge_id_is_not_found(app, client, as_coordinator, address, ident):
    path = address.format(ident)
    assert app.url_map.bind("localhost").match(address.format(1))  # the route exists: only the id is refused
    assert client.get(path).status_code == 404
