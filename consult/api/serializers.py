"""Rows as the open-data API shows them: only the fields the public pages show, never an account, an email,
a contact, a member list, a free-text answer or a live figure. Each function returns plain JSON values."""
from __future__ import annotations

import datetime as dt

from flask import url_for
from flask_babel import gettext as _

from consult.core.disclosure import Cell
from consult.groups.models import Meeting, WorkingGroup
from consult.proposals.models import Proposal
from consult.surveys.releases.content import ReleaseContent
from consult.surveys.releases.models import SurveyRelease
from consult.surveys.results import presentation as p
from consult.surveys.models import Survey
from consult.synthesis.fiches.pages import budget_of
from consult.synthesis.models import Fiche
from consult.territories.models import Axis, Commune, Contract, Objective, Territory

API = "api"


def _url(endpoint: str, **values) -> str:
    return url_for(f"{API}.{endpoint}", **values, _external=True)


def moment(value: dt.datetime | None) -> str | None:
    """A stored (naive UTC) time as RFC 3339 in UTC."""
    return None if value is None else value.replace(microsecond=0).isoformat() + "Z"


def day(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


# --- territories ---------------------------------------------------------------------------------------

def territory(item: Territory) -> dict:
    slug = item.slug
    current = item.current_contract
    return {
        "slug": slug, "name": item.name, "presentation": item.presentation,
        "epcis": [{"name": e.name, "siren": e.siren} for e in item.epcis],
        "current_contract": None if current is None else current.generation,
        "url": _url("territory", slug=slug),
        "links": {name: _url(name, slug=slug) for name in
                  ("communes", "contracts", "axes", "surveys", "proposals", "groups", "meetings", "fiches")},
    }


def commune(item: Commune) -> dict:
    return {"insee_code": item.insee_code, "name": item.name, "population": item.population,
            "population_year": item.population_year, "epci_siren": item.epci.siren if item.epci else None}


def contract(item: Contract, *, with_axes: bool = False) -> dict:
    body = {
        "generation": item.generation, "title": item.title, "summary": item.summary,
        "start_date": day(item.start_date), "end_date": day(item.end_date),
        "phase": item.phase.value, "phase_label": str(item.phase.label), "is_current": item.is_current,
        "signatories": [partner.name for partner in item.signatories],
        "partners": [partner.name for partner in item.other_partners],
        "url": _url("contract", slug=item.territory.slug, generation=item.generation),
    }
    if with_axes:
        body["axes"] = [axis(a) for a in item.active_axes]
    return body


def objective(item: Objective, number: str) -> dict:
    return {"id": item.id, "number": number, "title": item.title, "description": item.description}


def axis(item: Axis) -> dict:
    number = item.number
    return {"id": item.id, "number": number, "title": item.title, "description": item.description,
            "contract": item.contract.generation,
            "objectives": [objective(o, f"{number}.{n}") for n, o in enumerate(item.active_objectives, start=1)]}


def axis_ref(item: Axis | None) -> dict | None:
    return None if item is None else {"id": item.id, "number": item.number, "title": item.title}


def objective_ref(item: Objective | None) -> dict | None:
    return None if item is None else {"id": item.id, "title": item.title}


# --- surveys and their releases ---------------------------------------------------------------------------

def survey(item: Survey, *, public_results: bool) -> dict:
    slug = item.territory.slug
    return {
        "id": item.id, "title": item.title, "status": item.status.value, "status_label": str(item.status.label),
        "mode": item.mode.value, "opens_at": moment(item.opens_at), "closes_at": moment(item.closes_at),
        "introduction": item.introduction, "purpose": item.purpose,
        "results_published": public_results,
        "url": _url("survey", slug=slug, survey_id=item.id),
        "releases_url": _url("releases", slug=slug, survey_id=item.id) if public_results else None,
    }


def release_summary(item: SurveyRelease) -> dict:
    slug = item.survey.territory.slug
    return {
        "number": item.number, "made_on": day(item.made_at.date()), "k": item.k, "responses": item.responses,
        "first_month": day(item.first_month), "last_month": day(item.last_month),
        "url": _url("release", slug=slug, survey_id=item.survey_id, number=item.number),
    }


def figure(cell: Cell) -> dict:
    """A count as the public page shows it: its value, or null and why it is hidden (never the value)."""
    return {"value": cell.value, "suppressed": None} if not cell.hidden else {"value": None, "suppressed": cell.reason.value}


def _share(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def distribution(shown: p.Shown) -> dict:
    return {"base": figure(shown.base), "additive": shown.additive,
            "lines": [{"label": line.label, "count": figure(line.cell), "share": _share(line.share)}
                      for line in shown.lines]}


def _score(score: p.ScoreView) -> dict:
    low = score.low
    return {
        "complete": figure(score.complete), "bands": distribution(score.bands),
        "low": None if low is None else {"label": low.label, "count": figure(low.cell), "share": _share(low.share)},
        "cutoff": score.cutoff, "cutoff_label": score.cutoff_label, "max_percent": score.max_percent,
        "mean_raw": score.mean_raw, "mean_percent": score.mean_percent, "median_percent": score.median_percent,
        "mean_withheld": score.mean_withheld,
    }


def question(view: p.QuestionView) -> dict:
    """One question of a release. Minimum and maximum (one person's answer each) are never in a release; the
    "other" answers written in full never leave the coordinators' pages."""
    info = view.question
    return {
        "code": info.code, "text": info.text, "type": info.type.value, "kind": view.kind,
        "conditional": info.conditional, "answered": figure(view.answered), "multiple": view.multiple,
        "distribution": None if view.shown is None else distribution(view.shown),
        "matrix": [{"row": label, "distribution": distribution(shown)} for label, shown in view.matrix],
        "score": None if view.score is None else _score(view.score),
        "ranking": [{"label": r.label, "ranked": figure(r.ranked), "first": figure(r.first),
                     "first_share": _share(r.first_share), "mean_rank": r.mean_rank, "borda": r.borda}
                    for r in view.ranking],
        "mean": view.mean, "median": view.median, "median_label": view.median_label,
        "mean_withheld": view.mean_withheld,
    }


def breakdown(table: p.TableView) -> dict:
    """A cross-tabulation of the release; a withheld one (no safe way to show it) has no figure at all."""
    withheld = table.withheld
    return {
        "question_code": table.question.code, "question_text": table.question.text,
        "variable": {"key": table.variable.key, "label": table.variable.label},
        "columns": table.columns, "multiple": table.multiple, "withheld": withheld, "merged": list(table.merged),
        "rows": [] if withheld else [
            {"label": row.label, "base": figure(row.base), "hidden": row.hidden,
             "cells": [{"count": figure(cell), "share": _share(share)} for cell, share in row.cells]}
            for row in table.rows],
        "totals": [] if withheld else [{"count": figure(cell), "share": _share(share)} for cell, share in table.totals],
        "grand_total": None if withheld else figure(table.grand_total),
    }


def release(item: SurveyRelease, content: ReleaseContent) -> dict:
    """A release exactly as its public pages show it: overview, every question, every breakdown offered."""
    overview = content.overview
    return {
        **release_summary(item),
        "survey": {"id": item.survey_id, "title": item.survey.title,
                   "url": _url("survey", slug=item.survey.territory.slug, survey_id=item.survey_id)},
        "disclosure": {"k": item.k, "primary": f"< {item.k}",
                       "rule": _("Counts from 1 to %(below)d are hidden (suppressed: primary); groups of fewer than "
                                 "%(k)d respondents are hidden whole (group); other figures are hidden where they "
                                 "would let a hidden one be recomputed, every table of the release taken together "
                                 "(secondary). Zeros are shown. A question is broken down only once %(twice)d "
                                 "people answered it.", below=item.k - 1, k=item.k, twice=2 * item.k)},
        "overview": {"responses": overview.responses, "channels": distribution(overview.channels),
                     "weeks": distribution(overview.weeks), "used_channels": list(overview.used_channels)},
        "questions": [question(view) for view in content.questions],
        "breakdowns": [breakdown(table) for table in content.breakdowns],
        "grouped_communes": list(content.merged),
    }


# --- proposals ---------------------------------------------------------------------------------------------

def proposal(item: Proposal, supports: int) -> dict:
    """A published proposal: what it says, where it stands, how many supports — never who wrote or backed it."""
    status = item.answer_status
    merged = item.merged_into if item.merged_into is not None and item.merged_into.is_public else None
    return {
        "id": item.id, "title": item.title, "body": item.description,
        "call": {"id": item.call.id, "title": item.call.title},
        "axis": axis_ref(item.axis), "objective": objective_ref(item.objective),
        "whole_territory": item.whole_territory, "communes": [c.insee_code for c in item.communes],
        "publics": [public.value for public in item.public_list],
        "published_at": moment(item.published_at), "supports": supports,
        "status": None if status is None else status.value, "status_label": None if status is None else str(status.label),
        "answer": item.answer_text or None, "existing_reference": item.existing_reference or None,
        "answered_at": moment(item.answered_at), "merged_into": None if merged is None else merged.id,
        "url": _url("proposal", slug=item.call.territory.slug, proposal_id=item.id),
    }


# --- working groups, meetings and events --------------------------------------------------------------------

def group(item: WorkingGroup, *, with_meetings: bool = False) -> dict:
    """A working group's public fields: no member, no contact; the number of members as its page gives it."""
    body = {
        "id": item.id, "title": item.title, "axis": axis_ref(item.axis),
        "objectives": [objective_ref(o) for o in item.objectives],
        "mission": item.mission, "audience": item.audience, "facilitators": item.facilitators,
        "status": item.status.value, "status_label": str(item.status.label), "join_mode": item.join_mode.value,
        "capacity": item.capacity, "members": item.member_count, "places_left": item.places_left,
        "signup_opens_at": moment(item.signup_opens_at), "signup_closes_at": moment(item.signup_closes_at),
        "url": _url("group", slug=item.territory.slug, group_id=item.id),
    }
    if with_meetings:
        body["meetings"] = [meeting(m) for m in item.meetings]
    return body


def meeting(item: Meeting) -> dict:
    """A meeting or an event: when, where, what; never the video-call link (only the people expected get it)."""
    return {
        "id": item.id, "kind": item.kind.value, "kind_label": str(item.kind.label), "title": item.title,
        "group": None if item.group is None else {"id": item.group.id, "title": item.group.title},
        "starts_at": moment(item.starts_at), "ends_at": moment(item.ends_at),
        "duration_minutes": item.duration_minutes, "place": item.place, "address": item.address,
        "online": bool(item.online_url), "accessibility": item.accessibility, "agenda": item.agenda,
        "capacity": item.capacity, "places_left": item.places_left, "cancelled": item.cancelled_at is not None,
        "minutes": item.minutes if item.minutes_published_at is not None else None,
        "url": _url("meeting", slug=item.territory.slug, meeting_id=item.id),
    }


# --- fiches actions ---------------------------------------------------------------------------------------

def fiche(item: Fiche) -> dict:
    """A published fiche as the public action plan shows it (indicators without their yearly values, which only
    the plan's followers read; partners without their contact)."""
    budget = budget_of(item)
    return {
        "id": item.id, "number": item.number, "title": item.title, "contract": item.contract.generation,
        "axis": axis_ref(item.axis), "objective": objective_ref(item.objective),
        "status": item.status.value, "status_label": str(item.status.label), "progress": item.progress,
        "general_objective": item.general_objective, "specific_objectives": [str(o) for o in item.specific_objectives],
        "context": item.context, "description": item.description,
        "publics": [str(value) for value in item.publics], "publics_detail": item.publics_detail,
        "whole_territory": item.whole_territory, "communes": [c.insee_code for c in item.communes],
        "starts_on": day(item.starts_on), "ends_on": day(item.ends_on), "ongoing": item.ongoing,
        "calendar": item.calendar,
        "participation_level": None if item.participation_level is None else item.participation_level.value,
        "participation_detail": item.participation_detail,
        "partners": [{"organisation": partner.organisation, "role": partner.role.value} for partner in item.partners],
        "budget": {"funders": [{"funder": name, "operating": op, "investment": inv, "total": total}
                               for name, op, inv, total in budget.funders],
                   "operating": budget.operating, "investment": budget.investment, "total": budget.total},
        "indicators": [{"name": i.name, "kind": i.kind.value, "target": i.target, "unit": i.unit,
                        "source": i.source, "frequency": i.frequency} for i in item.indicators],
        "steps": [{"title": s.title, "state": s.state.value, "due_on": day(s.due_on)} for s in item.steps],
        "published_at": moment(item.published_at),
        "url": _url("fiche", slug=item.contract.territory.slug, fiche_id=item.id),
    }
