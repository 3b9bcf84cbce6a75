"""The comment thread of a proposal: hidden comments follow `can_see_comment`; loading it costs the same
number of queries whatever the number of comments, and none runs while the page renders."""
from __future__ import annotations

import pytest

from consult.core.models import utcnow
from tests.conftest import ROLES
from tests.proposals.conftest import SLUG, add_comment
from tests.rendering import RenderGuard

HIDDEN_TEXT = "Un commentaire masqué par la modération"


@pytest.mark.parametrize("role", ROLES)
def test_hidden_comment_text_is_shown_to_those_who_may_see_it(as_role, make_user, proposal, role):
    client = as_role(role)
    comment = add_comment(proposal, make_user(display_name="Gérard d'Auvillar"), body=HIDDEN_TEXT)
    comment.hidden_at = utcnow()
    add_comment(proposal, make_user(), body="Une réponse visible", parent=comment)

    page = client.get(f"/t/{SLUG}/proposals/{proposal.id}/").get_data(as_text=True)

    allowed = role in {"coordinator", "admin"}  # can_see_comment: moderators of the territory
    assert (HIDDEN_TEXT in page) is allowed
    assert ("This comment was hidden by the moderators." in page) is not allowed
    assert ("Gérard d&#39;Auvillar" in page) is allowed
    assert "Une réponse visible" in page


def _thread(proposal, make_user, comments: int) -> None:
    """`comments` top-level comments by different people, each with a reply by someone else; one hidden."""
    for n in range(comments):
        comment = add_comment(proposal, make_user(), body=f"Commentaire n° {n}")
        add_comment(proposal, make_user(), body=f"Réponse n° {n}", parent=comment)
        if n == 0:
            comment.hidden_at = utcnow()


def _queries(app, client, proposal) -> tuple[int, list]:
    with RenderGuard(app) as guard:
        response = client.get(f"/t/{SLUG}/proposals/{proposal.id}/")
        assert response.status_code == 200
        return guard.count, guard.while_rendering


@pytest.mark.parametrize("role", ["anonymous", "participant", "coordinator"])
def test_comment_thread_costs_the_same_queries_with_one_or_eight_comments(app, as_role, make_user, call,
                                                                          make_proposal, role):
    client = as_role(role)
    one, eight = make_proposal(call, title="Une maison de santé à Lafrançaise"), make_proposal(call)
    _thread(one, make_user, 1)
    _thread(eight, make_user, 8)

    count_one, rendering_one = _queries(app, client, one)
    count_eight, rendering_eight = _queries(app, client, eight)

    assert rendering_one == [] and rendering_eight == []
    assert count_one == count_eight


@pytest.mark.parametrize("role", ROLES)
def test_report_link_follows_can_report(as_role, make_user, proposal, role):
    client = as_role(role)
    comment = add_comment(proposal, make_user())

    page = client.get(f"/t/{SLUG}/proposals/{proposal.id}/").get_data(as_text=True)

    report = f"/t/{SLUG}/proposals/{proposal.id}/report?comment={comment.id}"
    assert (report in page) is (role != "anonymous")  # can_report: anyone logged in
