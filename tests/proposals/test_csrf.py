"""Every proposal form carries a CSRF token; a post without it is refused and stores nothing."""
from __future__ import annotations

import re

import pytest

from consult.accounts.models import User
from consult.accounts.services import hash_password
from consult.core.models import utcnow
from consult.extensions import db
from consult.proposals import similarity
from consult.proposals.models import Call, Proposal, ProposalState
from tests.conftest import NOW, PASSWORD
from tests.proposals.conftest import SLUG, open_windows, supports_of


@pytest.fixture
def site(csrf_app, make_territory):
    territory = make_territory()
    resident = User(email="habitante.montech@example.org", display_name="Habitante de Montech",
                    password_hash=hash_password(PASSWORD), privacy_consent_at=NOW, email_confirmed_at=NOW)
    call = Call(territory=territory, title="Vos idées", axes=list(territory.current_contract.axes), **open_windows())
    proposal = Proposal(call=call, author=resident, title="Un bus vers l'hôpital", description="Le samedi.",
                        axis=territory.current_contract.axes[0], state=ProposalState.PUBLISHED, published_at=utcnow(),
                        search_text=similarity.search_document("Un bus vers l'hôpital"))
    db.session.add_all([resident, call, proposal])
    db.session.commit()
    client = csrf_app.test_client()
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/account/login", data={"email": resident.email, "password": PASSWORD, "csrf_token": token})
    return client, proposal


def test_support_without_token_is_refused(site):
    client, proposal = site

    response = client.post(f"/t/{SLUG}/proposals/{proposal.id}/support")

    assert response.status_code == 400
    assert supports_of(proposal) == 0


def test_support_with_the_page_token_is_accepted(site):
    client, proposal = site
    page = client.get(f"/t/{SLUG}/proposals/{proposal.id}/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    client.post(f"/t/{SLUG}/proposals/{proposal.id}/support", data={"csrf_token": token})

    assert supports_of(proposal) == 1


def test_every_post_form_of_the_proposal_page_has_a_token(site):
    client, proposal = site
    page = client.get(f"/t/{SLUG}/proposals/{proposal.id}/").get_data(as_text=True)

    forms = re.findall(r'<form method="post".*?</form>', page, flags=re.S)

    assert forms and all('name="csrf_token"' in form for form in forms)
