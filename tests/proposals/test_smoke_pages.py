"""Every public and coordinator page of proposals renders (a quick check; behaviour is tested elsewhere)."""
from __future__ import annotations

from tests.proposals.conftest import SLUG, add_comment


def test_pages_render(client, login, coordinator, call, proposal, make_user):
    add_comment(proposal, make_user())
    for path in ["/", f"/calls/{call.id}/", f"/{proposal.id}/", f"/calls/{call.id}/similar?title=bus+hopital"]:
        response = client.get(f"/t/{SLUG}/proposals{path}")
        assert response.status_code == 200, (path, response.get_data(as_text=True)[-3000:])
    login(coordinator)
    for path in [f"/calls/{call.id}/new", f"/{proposal.id}/report"]:
        response = client.get(f"/t/{SLUG}/proposals{path}")
        assert response.status_code == 200, (path, response.get_data(as_text=True)[-3000:])
    for path in ["/", "/calls/new", f"/calls/{call.id}/", f"/calls/{call.id}/edit", f"/{proposal.id}/",
                 f"/calls/{call.id}/votes/new"]:
        response = client.get(f"/t/{SLUG}/manage/proposals{path}")
        assert response.status_code == 200, (path, response.get_data(as_text=True)[-3000:])
