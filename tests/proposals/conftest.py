"""Factories for calls, proposals, supports and comments on Terres des Confluences."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from consult.core.models import utcnow
from consult.extensions import db
from consult.proposals import similarity
from consult.proposals.models import Call, Comment, Proposal, ProposalState, Support
from consult.territories.models import Axis, Contract, Phase, Territory
from tests.conftest import commune_by_code

SLUG = "terres-des-confluences"
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def english(app):
    """Pages and emails in English: the msgids, so assertions do not depend on the compiled French catalogue."""
    app.config["BABEL_DEFAULT_LOCALE"] = "en"


def open_windows() -> dict:
    """Submission and voting both open now (the requests of the test client use the real clock)."""
    now = utcnow()
    return {"submission_opens_at": now - 10 * DAY, "submission_closes_at": now + 30 * DAY,
            "voting_opens_at": now - 5 * DAY, "voting_closes_at": now + 30 * DAY}


@pytest.fixture
def make_call(app, territory):
    """A call of Terres des Confluences on both axes, open for proposals and supports by default."""

    def factory(*, title="Vos idées pour la santé à Terres des Confluences", support_limit=None,
                residents_only=False, target=None, **windows) -> Call:
        call = Call(territory=target or territory, title=title, support_limit=support_limit,
                    residents_only=residents_only, presentation="Proposez des **actions** pour le CLS 2.",
                    **{**open_windows(), **windows})
        call.axes = list((target or territory).current_contract.axes)
        db.session.add(call)
        db.session.commit()
        return call

    return factory


@pytest.fixture
def call(make_call):
    return make_call()


@pytest.fixture
def make_proposal(app, make_user):
    """A proposal in `call`, published by default, by a new resident unless `author` is given."""

    def factory(call, *, title="Un bus vers l'hôpital de Moissac le samedi", author=None,
                description="Beaucoup d'habitants de Saint-Nicolas-de-la-Grave n'ont pas de voiture "
                            "pour aller aux consultations.",
                state=ProposalState.PUBLISHED, axis=None, objective=None, communes=(), publics="",
                published_at=None) -> Proposal:
        now = utcnow()
        proposal = Proposal(call=call, author=author or make_user(display_name="Josiane d'Auvillar"), title=title,
                            description=description, axis=axis or call.axes[0], objective=objective, state=state,
                            whole_territory=not communes, publics=publics,
                            search_text=similarity.search_document(title, description),
                            submitted_at=now if state is not ProposalState.DRAFT else None,
                            published_at=(published_at or now) if state is ProposalState.PUBLISHED else None)
        proposal.communes = [commune_by_code(code) for code in communes]
        db.session.add(proposal)
        db.session.commit()
        return proposal

    return factory


@pytest.fixture
def proposal(call, make_proposal):
    return make_proposal(call)


def supports_of(proposal) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count(Support.id)).where(Support.proposal_id == proposal.id))


def all_supports() -> int:
    return db.session.scalar(select(func.count(Support.id)))


def reload(model, ident):
    db.session.expire_all()
    return db.session.get(model, ident)


def add_support(proposal, user) -> None:
    db.session.add(Support(proposal_id=proposal.id, user_id=user.id, created_at=utcnow()))
    db.session.commit()


def add_comment(proposal, user, body="Très bonne idée, le bus du mardi ne suffit pas.", parent=None) -> Comment:
    comment = Comment(proposal_id=proposal.id, author_id=user.id, body=body, created_at=utcnow(),
                      parent_id=parent.id if parent else None)
    db.session.add(comment)
    db.session.commit()
    return comment


def served_call(**options) -> Call:
    """For a served app's own database (inside its app context): Terres des Confluences, its current CLS with one
    axis, and a call on it open for proposals and supports; nothing added to the session yet."""
    from tests.conftest import NOW

    territory = Territory(slug=SLUG, name="Terres des Confluences")
    contract = Contract(territory=territory, generation=2, title="CLS 2", start_date=NOW.date(),
                        end_date=NOW.date().replace(year=2030), phase=Phase.SIGNED, is_current=True)
    contract.axes = [Axis(title="Accès aux soins", position=0)]
    return Call(territory=territory, title="Vos idées", axes=contract.axes, **{**open_windows(), **options})
