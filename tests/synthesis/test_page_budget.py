"""Statements per page of the synthesis, the action plan, governance, outcomes, fiche files and survey management:
every GET page of these areas runs at most 12 statements (BEGIN included), and the same number once its data is
ten times larger (more fiches' parts, axes, citations, texts, proposals, groups, surveys with releases…).

Measured on the demo (`seed-demo`, its own copy) for the roles that read these pages, through the test client."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from consult.extensions import db
from consult.groups.models import Idea, WorkingGroup
from consult.proposals.models import Call, Comment, Proposal, ProposalState
from consult.surveys.releases.models import SurveyRelease
from consult.synthesis.models import (
    Citation,
    CitationKind,
    Fiche,
    FichePartner,
    FollowUpNote,
    Funding,
    Indicator,
    IndicatorValue,
    Step,
    TaggedText,
    TextSource,
)
from consult.territories.models import Axis, Commune, Contract, Objective, territory_by_slug
from tests.core.test_rendering_queries import ACCOUNTS, PASSWORDS, SLUG, page_urls
from tests.rendering import RenderGuard

BUDGET = 12
AREAS = ("consult.synthesis", "consult.diagnostic", "consult.surveys.views.manage", "consult.surveys.views.panel")
ROLES = ["anonymous", "coordinator"]
# Pages still over the budget, with the most they may run (not growing with the data either): an axis's evidence
# gathers ten sources (the attendance summary of `groups.services.stats` alone takes four statements), the annual
# review that summary too.
OVER = {"synthesis.axis": 17, "synthesis.objective": 17, "plan_followup.review": 16}


def _clone(row, **changes):
    """A copy of `row` (its columns but the primary key), with `changes`."""
    mapper = sa_inspect(type(row))
    values = {c.key: getattr(row, c.key) for c in mapper.column_attrs if not c.columns[0].primary_key}
    copy = type(row)(**{**values, **changes})
    db.session.add(copy)
    return copy


def _grow(times: int = 10) -> None:
    """The demo territory's synthesis ten times larger: each fiche's parts, the contract's axes and objectives,
    the evidence (comments, ideas, groups, tagged texts, citations) and the surveys with a release."""
    territory = territory_by_slug(SLUG)
    contract = db.session.scalar(select(Contract).where(Contract.territory_id == territory.id, Contract.is_current))
    axes = db.session.scalars(select(Axis).where(Axis.contract_id == contract.id).order_by(Axis.position)).all()
    first = axes[0]
    for n in range(times):
        axis = _clone(first, title=f"Axe ajouté n° {n + 1}", position=100 + n, archived_at=None)
        for m in range(3):
            db.session.add(Objective(axis=axis, title=f"Objectif {n + 1}.{m + 1}", position=m))
    communes = db.session.scalars(select(Commune).where(Commune.territory_id == territory.id)).all()
    fiches = db.session.scalars(select(Fiche).where(Fiche.contract_id == contract.id)).all()
    published = db.session.scalars(select(Proposal).join(Call).where(
        Call.territory_id == territory.id, Proposal.state == ProposalState.PUBLISHED)).all()
    ideas = db.session.scalars(select(Idea).where(Idea.axis_id.in_([a.id for a in axes]))).all()
    groups = db.session.scalars(select(WorkingGroup).where(WorkingGroup.territory_id == territory.id)).all()
    comments = db.session.scalars(select(Comment).where(Comment.proposal_id.in_([p.id for p in published]))).all()
    for fiche in fiches:
        fiche.communes = list(communes)
        for n in range(times):
            fiche.partners.append(FichePartner(organisation=f"Partenaire n° {n + 1}", position=10 + n,
                                               role=fiche.partners[0].role if fiche.partners else "partner"))
            fiche.fundings.append(Funding(funder=f"Financeur n° {n + 1}", amount=1000 * (n + 1), position=10 + n,
                                          kind=fiche.fundings[0].kind if fiche.fundings else "operating"))
            fiche.steps.append(Step(title=f"Étape n° {n + 1}", position=10 + n))
            fiche.notes.append(FollowUpNote(written_on=dt.date(2026, 1, 1 + n), text=f"Point d'étape n° {n + 1}"))
            indicator = Indicator(kind=fiche.indicators[0].kind if fiche.indicators else "result",
                                  name=f"Indicateur n° {n + 1}", target=10, unit="personnes", source="", frequency="")
            indicator.values = [IndicatorValue(year=2024 + y, value=y) for y in range(3)]
            fiche.indicators.append(indicator)
        for position, proposal in enumerate(published[:times], start=100):
            fiche.citations.append(Citation(kind=CitationKind.PROPOSAL, proposal=proposal, position=position))
        for position, idea in enumerate(ideas[:times], start=200):
            fiche.citations.append(Citation(kind=CitationKind.IDEA, idea=idea, position=position))
        for position, group in enumerate(groups[:times], start=300):
            fiche.citations.append(Citation(kind=CitationKind.WORKING_GROUP, group=group, position=position))
    copies = [_clone(comment, body=f"{comment.body} (bis {n})", parent_id=None)
              for n, comment in enumerate(comments * times)]
    db.session.flush()  # once for all the copies (one per copy was a round trip each on PostgreSQL)
    for copy in copies:
        db.session.add(TaggedText(territory=territory, axis=first, source=TextSource.COMMENT, comment=copy))
    for idea in ideas * (times - 1):
        _clone(idea)
    for group in groups * (times - 1):
        _clone(group, title=f"{group.title} (bis)", member_count=0)
    for proposal in published:
        for n in range(times - 1):
            _clone(proposal, title=f"{proposal.title} (bis {n})", form_token=None) \
                if hasattr(proposal, "form_token") else _clone(proposal, title=f"{proposal.title} (bis {n})")
    release = db.session.scalars(select(SurveyRelease).order_by(SurveyRelease.id)).first()
    if release is not None:
        for n in range(times):
            survey = _clone(release.survey, title=f"Enquête n° {n + 2}")
            _clone(release, survey=survey, content=release.content, audit=release.audit)
    db.session.commit()


def _urls(app) -> list[str]:
    """Every GET page of the areas the route sweep requests, and the evidence of each axis and objective of the
    current contract and the review of each of its years (the sweep takes the first axis, of the former one)."""
    adapter = app.url_map.bind("localhost")
    first: dict[str, str] = {}  # one URL per route (the sweep fills a fiche's routes with three fiches)
    for url in page_urls(app):
        endpoint = adapter.match(url)[0]
        if app.view_functions[endpoint].__module__.startswith(AREAS):
            first.setdefault(endpoint, url)
    urls = list(first.values())
    contract = territory_by_slug(SLUG).current_contract  # the demo's app context is the test's
    axes = [a.id for a in contract.axes]
    objectives = [o.id for a in contract.axes for o in a.objectives]
    years = range(contract.start_date.year, contract.end_date.year + 1)
    db.session.remove()  # its transaction ends before the requests write (logins, audit)
    base = f"/t/{SLUG}/manage"
    return urls + [f"{base}/synthesis/axes/{i}" for i in axes] + [f"{base}/synthesis/objectives/{i}" for i in objectives] \
        + [f"{base}/plan/reviews/{year}" for year in years]


def _counts(app, urls: list[str]) -> dict[tuple[str, str], tuple[int, int]]:
    """(role, URL) → (statements, status) for these pages."""
    found = {}
    for role in ROLES:
        client = app.test_client()
        client.environ_base["REMOTE_ADDR"] = f"192.0.2.{ROLES.index(role) + 20}"
        if role != "anonymous":
            email = ACCOUNTS[role]
            assert client.post("/account/login", data={"email": email, "password": PASSWORDS[email]}).status_code == 302
        with RenderGuard(app) as guard:
            for url in urls if role != "anonymous" else [u for u in urls if "/manage/" not in u]:
                response = client.get(url)
                response.get_data()
                found[(role, url)] = (guard.count, response.status_code)
    return found


def test_pages_of_the_plan_and_synthesis_stay_within_budget_and_do_not_grow(seeded_demo):
    """Every page ≤ 12 statements, the same count with ten times the data; the pages answer as before."""
    app = seeded_demo.app
    db.session.remove()
    urls = _urls(app)
    before = _counts(app, urls)
    adapter = app.url_map.bind("localhost")
    over = {key: value for key, value in before.items()
            if value[0] > OVER.get(adapter.match(key[1])[0], BUDGET)}
    assert not over, over
    assert len(before) > 40 and {status for _count, status in before.values()} <= {200, 302, 403, 404}

    _grow()
    db.session.remove()
    after = _counts(app, list(dict.fromkeys(urls + _urls(app))))  # the same pages, and the axes added
    grown = {key: (count, after[key][0]) for key, (count, _status) in before.items() if after[key][0] != count}
    assert not grown, grown
    assert {key: after[key][1] for key in before} == {key: status for key, (_c, status) in before.items()}
    added = {key: value for key, value in after.items() if key not in before}  # the axes added: within budget too
    assert added and all(count <= OVER["synthesis.axis"] for count, _status in added.values()), added
