"""`flask seed-demo` loads real territories, accounts and an answered survey, and is idempotent."""
from __future__ import annotations

from sqlalchemy import func, select

from consult.accounts.models import User
from consult.extensions import db
from consult.surveys.models import Channel, Response, Survey, SurveyStatus
from consult.territories.models import Commune, Contract, Territory


def counts() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Territory, Commune, Contract, User, Survey, Response))


def test_seed_demo_loads_the_sample_territories_and_is_idempotent(seeded_demo):
    result = seeded_demo.seeding  # seed-demo on an empty database
    assert result.exit_code == 0, result.output
    assert "admin@example.org" in result.output
    first = counts()
    assert first[:4] == (2, 22 + 29, 3, 5 + 24)  # demo accounts, then working-group members
    again = seeded_demo.app.test_cli_runner().invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert counts() == first


def test_demo_survey_is_open_with_responses_on_every_channel(demo):
    survey = db.session.scalar(select(Survey))
    assert survey.status is SurveyStatus.OPEN
    channels = set(db.session.scalars(select(Response.channel).distinct()))
    assert channels == set(Channel)
    assert db.session.scalar(select(func.count(Response.id))) == 320


def test_terres_des_confluences_has_its_four_real_axes(demo):
    territory = db.session.scalar(select(Territory).where(Territory.slug == "terres-des-confluences"))
    titles = [a.title for a in territory.current_contract.active_axes]
    assert titles[0].startswith("Redimensionner le volet santé")
    assert len(titles) == 4
    assert [c.generation for c in territory.contracts] == [2, 1]
