"""What `seed-volume` does for each territory: accounts, survey responses, a call with proposals, supports and
comments, working groups with members, meetings with registrations — in that order, since each needs the one
before."""
from __future__ import annotations

import datetime as dt
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from consult.accounts.services import hash_password
from consult.core.cli import cli_operator
from consult.core.models import utcnow
from consult.extensions import db
from consult.proposals.models import Call
from consult.surveys.building import builder
from consult.surveys.building.template import TITLE
from consult.surveys.models import Survey, SurveyStatus
from consult.territories.models import Commune, Territory, territory_by_slug
from consult.volume import groups, people, proposals, responses
from consult.volume.bulk import Bulk
from consult.volume.territories import coordinator, make_territory


class VolumeRefused(Exception):
    """What was asked cannot be seeded (the operator reads it on the command line, in English like every CLI)."""


@dataclass(frozen=True)
class Volume:
    """How much to add to each territory."""

    responses: int = 0
    proposals: int = 0
    supports: int = 0
    comments: int = 0
    members: int = 0
    meetings: int = 0


def seed_volume(volume: Volume, *, territories: int = 0, into: str | None = None, seed: int = 1,
                password: str | None = None, now: dt.datetime | None = None,
                report: Callable[[str], None] = lambda _message: None) -> list[Territory]:
    """Add `volume` to `territories` new territories and to the existing territory `into` (its slug); returns
    them. Raises VolumeRefused (unknown slug, a territory without a current contract, supports or comments
    without accounts)."""
    if (volume.proposals or volume.supports or volume.comments) and not volume.members:
        raise VolumeRefused("Proposals, supports and comments need accounts: give --members.")
    now = (now or utcnow()).replace(microsecond=0)
    rng = random.Random(seed)
    # Every account made here shares one hash: scrypt takes ~50 ms, a million accounts would take hours.
    password_hash = hash_password(password or secrets.token_urlsafe(24))
    operator = cli_operator()
    targets = []
    if into:
        territory = territory_by_slug(into)
        if territory is None:
            raise VolumeRefused(f"No territory has the slug « {into} ».")
        if territory.current_contract is None:
            raise VolumeRefused(f"« {into} » has no current contract: axes are needed for proposals and groups.")
        targets.append(territory)
    for _n in range(territories):
        targets.append(make_territory(operator, rng, today=now.date()))
        db.session.commit()
    bulk = Bulk(report=report)
    for territory in targets:
        started = time.perf_counter()
        report(f"{territory.name} ({territory.slug})")
        _fill(bulk, territory, volume, rng, password_hash=password_hash, now=now)
        report(f"  done in {time.perf_counter() - started:.1f} s")
    return targets


def _fill(bulk: Bulk, territory: Territory, volume: Volume, rng: random.Random, *, password_hash: str,
          now: dt.datetime) -> None:
    operator = cli_operator()
    staff = coordinator(territory, password_hash=password_hash, now=now)
    staff_id = staff.id
    places = [(c.id, c.name, c.population) for c in db.session.scalars(
        select(Commune).where(Commune.territory_id == territory.id).order_by(Commune.population.desc()))]
    axes = list(territory.current_contract.active_axes)
    db.session.commit()
    accounts = people.add_accounts(bulk, volume.members, rng, communes=places, password_hash=password_hash,
                                   now=now) if volume.members else []
    if volume.responses:
        survey = _survey(territory, operator)
        db.session.commit()
        responses.add_responses(bulk, survey, volume.responses, rng, today=now.date(), keyed_by_id=staff_id)
    account_ids = [person[0] for person in accounts]
    if volume.proposals or volume.supports or volume.comments:
        call = _call(territory, operator, volume, now=now)
        call_axes = [(axis.id, [o.id for o in axis.active_objectives]) for axis in call.axes] or \
            [(axis.id, [o.id for o in axis.active_objectives]) for axis in axes]
        db.session.commit()
        published = proposals.add_proposals(bulk, call, volume.proposals, rng, authors=account_ids, axes=call_axes,
                                            communes=places, now=now, moderator_id=staff_id)
        if not published:  # supports and comments go to the call's published proposals, old and new
            published = proposals.published_of(call)
        limit = call.support_limit or proposals.support_limit(volume.supports, len(account_ids))
        proposals.add_supports(bulk, call, volume.supports, rng, people=account_ids, published=published,
                               limit=limit, now=now)
        proposals.add_comments(bulk, volume.comments, rng, people=account_ids, published=published, now=now)
    if accounts:
        territory = db.session.get(Territory, territory.id)
        made = groups.add_groups(bulk, territory, operator, rng, axes=list(territory.current_contract.active_axes),
                                 people=accounts, now=now)
        groups.add_meetings(bulk, territory, volume.meetings, rng, groups=made, people=accounts, communes=places,
                            now=now)


def _survey(territory: Territory, operator) -> Survey:
    """The territory's health questionnaire (the shipped template), or a new one, open."""
    survey = db.session.scalar(select(Survey).where(Survey.territory_id == territory.id, Survey.title == TITLE)
                               .order_by(Survey.id))
    if survey is None:
        survey = builder.create_survey(operator, territory, builder.SurveyData(title=TITLE), from_template=True)
    if survey.status is SurveyStatus.DRAFT:
        builder.change_status(operator, survey, "open", now=utcnow())  # test answers go, as when a coordinator opens it
    db.session.flush()
    return survey


def _call(territory: Territory, operator, volume: Volume, *, now: dt.datetime) -> Call:
    """The territory's latest call for proposals, or a new one open to proposals and supports."""
    call = db.session.scalar(select(Call).where(Call.territory_id == territory.id).order_by(Call.id.desc()))
    if call is None:
        call = proposals.open_call(territory, operator, now=now,
                                   support_limit=proposals.support_limit(volume.supports, volume.members))
    return call
