"""The comment thread of a proposal: hidden comments follow `can_see_comment`."""
from __future__ import annotations

import pytest

from consult.core.models import utcnow
from tests.conftest import ROLES
from tests.proposals.conftest import SLUG, add_comment

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

