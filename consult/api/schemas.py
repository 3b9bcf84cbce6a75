"""The JSON Schemas (Draft 2020-12, as OpenAPI 3.1 reads them) of every body the API answers: the
`components/schemas` of its document. Every object lists all its fields and allows no other, so a field added to a
serialiser without being described here fails the tests."""
from __future__ import annotations

REF = "#/components/schemas/"


def ref(name: str) -> dict:
    return {"$ref": REF + name}


def field(kind: str | list[str], description: str, **extra) -> dict:
    return {"type": kind, "description": description, **extra}


def text(description: str) -> dict:
    return field("string", description)


def maybe(kind: str, description: str, **extra) -> dict:
    return field([kind, "null"], description, **extra)


def integer(description: str, **extra) -> dict:
    return field("integer", description, **extra)


def listed(items: dict, description: str) -> dict:
    return {"type": "array", "description": description, "items": items}


def maybe_ref(name: str, description: str) -> dict:
    return {"description": description, "oneOf": [ref(name), {"type": "null"}]}


def obj(description: str, properties: dict, *, optional: tuple[str, ...] = ()) -> dict:
    return {"type": "object", "description": description, "properties": properties,
            "required": [name for name in properties if name not in optional], "additionalProperties": False}


URL = {"type": "string", "format": "uri"}
DATE = "date"
MOMENT = "date-time"


def url(description: str) -> dict:
    return {**URL, "description": description}


def maybe_url(description: str) -> dict:
    return {"type": ["string", "null"], "format": "uri", "description": description}


def _release_parts() -> dict:
    share = maybe("number", "Share of the base (0 to 1), null when the count or the base is hidden.",
                  minimum=0, maximum=1)
    return {
        "Figure": obj("A count as the public results page shows it: its value, or null and why it is hidden. A hidden "
                      "figure never carries its value.", {
                          "value": maybe("integer", "The count; null when it is hidden.", minimum=0),
                          "suppressed": {"description": "Why it is hidden: primary (a count from 1 to k-1, shown "
                                                        "“< k”), group (a group of fewer than k respondents, hidden "
                                                        "whole), secondary (hidden so that another hidden figure "
                                                        "cannot be recomputed); null when shown.",
                                         "enum": ["primary", "group", "secondary", None]},
                      }),
        "Line": obj("One answer (or band) of a distribution.", {
            "label": text("The answer as worded when the release was made."),
            "count": ref("Figure"), "share": share}),
        "Distribution": obj("The answers to a question among the respondents who answered it (the base).", {
            "base": ref("Figure"),
            "additive": field("boolean", "Whether the counts add up to the base (false for multiple answers)."),
            "lines": listed(ref("Line"), "One line per answer, in the questionnaire's order.")}),
        "Cell": obj("A cell of a breakdown.", {"count": ref("Figure"), "share": share}),
        "Score": obj("A scored matrix (e.g. the WHO-5 well-being index): bands and the share at or below the cut-off.", {
            "complete": ref("Figure"), "bands": ref("Distribution"),
            "low": {"description": "Respondents at or below the cut-off, when the score has one.",
                    "oneOf": [ref("Line"), {"type": "null"}]},
            "cutoff": maybe("number", "The cut-off, in percent."),
            "cutoff_label": text("What a score at or below the cut-off means."),
            "max_percent": field("number", "The highest score, in percent."),
            "mean_raw": maybe("number", "Mean raw score; null when it would let hidden counts be recomputed."),
            "mean_percent": maybe("number", "Mean score in percent; null likewise."),
            "median_percent": maybe("number", "Median score in percent; null when the base is hidden."),
            "mean_withheld": field("boolean", "Whether a mean exists but is withheld to protect hidden counts.")}),
        "Rank": obj("An item of a ranking question.", {
            "label": text("The item."), "ranked": ref("Figure"), "first": ref("Figure"),
            "first_share": share,
            "mean_rank": maybe("number", "Mean rank among those who ranked it (1 = most important); null when "
                                         "withheld."),
            "borda": maybe("integer", "Borda points; null when withheld.")}),
        "MatrixRow": obj("A row of a matrix question.", {
            "row": text("The row's wording."), "distribution": ref("Distribution")}),
        "Question": obj("One question of a release, as its public page shows it. Free-text answers are never "
                        "published: a text question gives only how many answered.", {
            "code": text("The question's code in the questionnaire (Q1, Q2…)."),
            "text": text("The question as worded when the release was made."),
            "type": text("The question type (single, multiple, likert, rating, number, short_text, long_text, date, "
                         "commune, age_band, yes_no, ranking, matrix)."),
            "kind": text("How its results are shown (choice, numeric, matrix, ranking, date, text)."),
            "conditional": field("boolean", "Whether it was asked only to some respondents."),
            "answered": ref("Figure"),
            "multiple": field("boolean", "Several answers per respondent (shares add up to more than 1)."),
            "distribution": maybe_ref("Distribution", "The answers; null for a matrix, a ranking or a text."),
            "matrix": listed(ref("MatrixRow"), "Each row of a matrix question."),
            "score": maybe_ref("Score", "The score of a scored matrix."),
            "ranking": listed(ref("Rank"), "Each item of a ranking question."),
            "mean": maybe("number", "Mean (position, rating or number); null when withheld or not meaningful."),
            "median": maybe("number", "Median; null when the base is hidden."),
            "median_label": maybe("string", "The median answer of a scale, in words."),
            "mean_withheld": field("boolean", "Whether a mean exists but is withheld to protect hidden counts.")}),
        "BreakdownRow": obj("A group of a breakdown (a commune, an age band…).", {
            "label": text("The group."), "base": ref("Figure"),
            "hidden": field("boolean", "A group of fewer than k respondents: every figure hidden."),
            "cells": listed(ref("Cell"), "One cell per column.")}),
        "Variable": obj("What a breakdown groups respondents by.", {
            "key": text("commune, age_band, sex, category or channel."), "label": text("Its name.")}),
        "Breakdown": obj("A closed question broken down by a variable, protected with the rest of the release.", {
            "question_code": text("The question's code."), "question_text": text("The question's wording."),
            "variable": ref("Variable"), "columns": listed(text("An answer."), "The answers (columns)."),
            "multiple": field("boolean", "Several answers per respondent."),
            "withheld": field("boolean", "No safe way to show it: no figure is given."),
            "merged": listed(text("A commune."), "Communes of fewer than k respondents grouped in one row."),
            "rows": listed(ref("BreakdownRow"), "The groups (empty when withheld)."),
            "totals": listed(ref("Cell"), "Column totals (empty when withheld)."),
            "grand_total": maybe_ref("Figure", "Everyone who answered (null when withheld).")}),
        "Disclosure": obj("The disclosure control the release applies.", {
            "k": integer("The threshold: the smallest count shown.", minimum=1),
            "primary": text("How a count below k reads on the page (“< k”)."),
            "rule": text("The rule, in words.")}),
        "Overview": obj("Responses in all, per week and per channel.", {
            "responses": integer("Respondents in the release.", minimum=0),
            "channels": ref("Distribution"), "weeks": ref("Distribution"),
            "used_channels": listed(text("A channel."), "Channels through which answers came in.")}),
    }


def _summary_fields() -> dict:
    return {
        "number": integer("The release's number (1, 2…).", minimum=1),
        "made_on": field("string", "The day it was made.", format=DATE),
        "k": integer("The disclosure threshold it was made with.", minimum=1),
        "responses": integer("Respondents it counts.", minimum=0),
        "first_month": maybe("string", "First day of the month of the first answer.", format=DATE),
        "last_month": maybe("string", "First day of the month of the last answer.", format=DATE),
        "url": url("The release in this API."),
    }


def _references() -> dict:
    return {
        "AxisRef": obj("An axis of a contract, by reference.", {
            "id": integer("The axis's id."), "number": integer("Its rank among the contract's axes (0 if archived)."),
            "title": text("Its title.")}),
        "ObjectiveRef": obj("An objective of an axis, by reference.", {
            "id": integer("The objective's id."), "title": text("Its title.")}),
        "Objective": obj("An objective of an axis.", {
            "id": integer("The objective's id."), "number": text("« 1.2 »: the axis's number, then its rank."),
            "title": text("Its title."), "description": text("Its description (Markdown).")}),
        "Axis": obj("A strategic axis of a contract with its objectives.", {
            "id": integer("The axis's id."), "number": integer("Its rank among the contract's axes."),
            "title": text("Its title."), "description": text("Its description (Markdown)."),
            "contract": integer("The generation of its contract."),
            "objectives": listed(ref("Objective"), "Its objectives, in order (archived ones left out).")}),
        "Epci": obj("An intercommunality covered by the territory.", {
            "name": text("Its name."), "siren": text("Its SIREN number.")}),
    }


def _resources() -> dict:
    territory_links = obj("Where the territory's resources are.", {
        name: url(f"The territory's {name}.") for name in
        ("communes", "contracts", "axes", "surveys", "proposals", "groups", "meetings", "fiches")})
    return {
        "TerritoryLinks": territory_links,
        "Territory": obj("A territory: one or several intercommunalities carrying successive contracts (CLS).", {
            "slug": text("Its short name in addresses."), "name": text("Its name."),
            "presentation": text("Its presentation (Markdown)."), "epcis": listed(ref("Epci"), "Its EPCIs."),
            "current_contract": maybe("integer", "The generation of its current contract."),
            "url": url("The territory in this API."), "links": ref("TerritoryLinks")}),
        "Commune": obj("A commune of the territory.", {
            "insee_code": text("Its INSEE code (code officiel géographique)."), "name": text("Its name."),
            "population": integer("Its population.", minimum=0),
            "population_year": integer("The year of that population."),
            "epci_siren": maybe("string", "The SIREN of its EPCI.")}),
        "Contract": obj("A Contrat local de santé (CLS 1, CLS 2…).", {
            "generation": integer("1 for CLS 1, 2 for CLS 2…", minimum=1), "title": text("Its title."),
            "summary": text("Its summary (Markdown)."),
            "start_date": field("string", "Its start.", format=DATE),
            "end_date": field("string", "Its end.", format=DATE),
            "phase": {"description": "Where it stands.",
                      "enum": ["diagnostic", "elaboration", "signed", "evaluation", "ended"]},
            "phase_label": text("That phase in words."),
            "is_current": field("boolean", "Whether it is the territory's current contract."),
            "signatories": listed(text("An institution."), "Who signed it."),
            "partners": listed(text("An institution."), "Who contributes without signing."),
            "url": url("The contract in this API."),
            "axes": listed(ref("Axis"), "Its axes (in a contract's own document only).")}, optional=("axes",)),
        "ReleaseSummary": obj("A release of a survey's results: a dated snapshot that never changes.",
                              _summary_fields()),
        "SurveyRef": obj("A survey, by reference.", {
            "id": integer("The survey's id."), "title": text("Its title."), "url": url("The survey in this API.")}),
        "Release": obj("A release exactly as its public pages show it: every figure protected together (see "
                       "disclosure), never a live figure, never a free-text answer.", {
            **_summary_fields(), "survey": ref("SurveyRef"), "disclosure": ref("Disclosure"),
            "overview": ref("Overview"), "questions": listed(ref("Question"), "Every question, in order."),
            "breakdowns": listed(ref("Breakdown"), "Every breakdown offered."),
            "grouped_communes": listed(text("A commune."), "Communes grouped in every breakdown (fewer than k).")}),
        "Survey": obj("A survey that is not a draft.", {
            "id": integer("The survey's id."), "title": text("Its title."),
            "status": {"description": "open, closed or archived.", "enum": ["open", "closed", "archived"]},
            "status_label": text("That status in words."),
            "mode": {"description": "anonymous or identified (one response per account).",
                     "enum": ["anonymous", "identified"]},
            "opens_at": maybe("string", "When it opens (UTC).", format=MOMENT),
            "closes_at": maybe("string", "When it closes (UTC).", format=MOMENT),
            "introduction": text("Its introduction (Markdown)."), "purpose": text("What it is for."),
            "results_published": field("boolean", "Whether its releases are public."),
            "url": url("The survey in this API."),
            "releases_url": maybe_url("Its releases, once published."),
            "releases": listed(ref("ReleaseSummary"), "Its releases, the latest first, once published (in a "
                                                      "survey's own document only).")}, optional=("releases",)),
        "CallRef": obj("The call for proposals a proposal answers.", {
            "id": integer("The call's id."), "title": text("Its title.")}),
        "Proposal": obj("A published citizen proposal, with its official answer. Never its author nor who "
                        "supported it.", {
            "id": integer("The proposal's id."), "title": text("Its title."), "body": text("Its text (Markdown)."),
            "call": ref("CallRef"), "axis": ref("AxisRef"), "objective": maybe_ref("ObjectiveRef", "Its objective."),
            "whole_territory": field("boolean", "Whether it concerns the whole territory."),
            "communes": listed(text("An INSEE code."), "The communes it concerns, if not the whole territory."),
            "publics": listed(text("A target public."), "children, young, families, elderly, precarity, "
                                                        "disability, carers, professionals, everyone."),
            "published_at": maybe("string", "When it was published (UTC).", format=MOMENT),
            "supports": integer("How many people support it.", minimum=0),
            "status": {"description": "The official follow-up; null while awaiting an answer.",
                       "enum": ["under_study", "retained", "not_retained", "already_exists", "merged", None]},
            "status_label": maybe("string", "That status in words."),
            "answer": maybe("string", "The official answer."),
            "existing_reference": maybe("string", "Where it already exists (status already_exists)."),
            "answered_at": maybe("string", "When it was answered (UTC).", format=MOMENT),
            "merged_into": maybe("integer", "The proposal it was merged into."),
            "url": url("The proposal in this API.")}),
        "GroupRef": obj("A working group, by reference.", {
            "id": integer("The group's id."), "title": text("Its title.")}),
        "Meeting": obj("A working group's meeting or an event of the territory. Never the video-call link nor who "
                       "takes part.", {
            "id": integer("The meeting's id."),
            "kind": {"description": "group_meeting, or the kind of event.",
                     "enum": ["group_meeting", "forum", "plenary", "workshop", "public_meeting"]},
            "kind_label": text("That kind in words."), "title": text("Its title."),
            "group": maybe_ref("GroupRef", "Its working group; null for an event."),
            "starts_at": field("string", "When it starts (UTC).", format=MOMENT),
            "ends_at": field("string", "When it ends (UTC).", format=MOMENT),
            "duration_minutes": integer("Its duration.", minimum=0), "place": text("Where."),
            "address": text("The place's address."), "online": field("boolean", "Whether it can be joined online."),
            "accessibility": text("Accessibility information."), "agenda": text("Its agenda (Markdown)."),
            "capacity": maybe("integer", "Places of an event (null: no limit)."),
            "places_left": maybe("integer", "Places left (null: no limit)."),
            "cancelled": field("boolean", "Whether it was cancelled."),
            "minutes": maybe("string", "Its minutes (Markdown), once published."),
            "url": url("The meeting in this API.")}),
        "Group": obj("A working group: public fields only, never its members nor their contact details.", {
            "id": integer("The group's id."), "title": text("Its title."), "axis": ref("AxisRef"),
            "objectives": listed(ref("ObjectiveRef"), "The objectives it works on."),
            "mission": text("Its mission (Markdown)."), "audience": text("Who it is for."),
            "facilitators": text("Who facilitates it, as its page says."),
            "status": {"description": "recruiting, active or closed.", "enum": ["recruiting", "active", "closed"]},
            "status_label": text("That status in words."),
            "join_mode": {"description": "open (confirmed at once) or approval (a coordinator accepts).",
                          "enum": ["open", "approval"]},
            "capacity": integer("Its seats.", minimum=0), "members": integer("How many members it has.", minimum=0),
            "places_left": integer("Seats left.", minimum=0),
            "signup_opens_at": maybe("string", "When sign-ups open (UTC).", format=MOMENT),
            "signup_closes_at": maybe("string", "When sign-ups close (UTC).", format=MOMENT),
            "url": url("The group in this API."),
            "meetings": listed(ref("Meeting"), "Its meetings (in a group's own document only).")},
            optional=("meetings",)),
        "Partner": obj("An organisation taking part in a fiche (never its contact).", {
            "organisation": text("Its name."), "role": text("lead, partner or funder…")}),
        "Funder": obj("Planned funding of one funder, in euros.", {
            "funder": text("The funder."), "operating": integer("Operating budget."),
            "investment": integer("Investment budget."), "total": integer("Both.")}),
        "Budget": obj("A fiche's planned budget, in euros.", {
            "funders": listed(ref("Funder"), "Per funder."), "operating": integer("Operating, in all."),
            "investment": integer("Investment, in all."), "total": integer("Everything.")}),
        "Indicator": obj("An evaluation indicator of a fiche, as the public plan shows it (its yearly values are "
                         "read by the plan's followers only).", {
            "name": text("What is measured."), "kind": text("process, result or impact."),
            "target": maybe("number", "The target."), "unit": text("The unit (may be empty)."),
            "source": text("The data source."), "frequency": text("How often it is measured.")}),
        "Step": obj("A step of a fiche.", {
            "title": text("The step."), "state": text("todo, in_progress or done."),
            "due_on": maybe("string", "When it is due.", format=DATE)}),
        "Fiche": obj("A published fiche action of the contract, as the public action plan shows it.", {
            "id": integer("The fiche's id."), "number": text("« 1.2 »: its axis, then its rank."),
            "title": text("Its title."), "contract": integer("The generation of its contract."),
            "axis": ref("AxisRef"), "objective": maybe_ref("ObjectiveRef", "Its objective."),
            "status": text("draft, group_validated, copil_validated, in_progress, done, postponed or abandoned."),
            "status_label": text("That status in words."),
            "progress": maybe("integer", "Percentage of its steps done (null without steps).", minimum=0, maximum=100),
            "general_objective": text("Its general objective."),
            "specific_objectives": listed(text("An objective."), "Its specific objectives, in order."),
            "context": text("Its context (Markdown)."), "description": text("What will be done (Markdown)."),
            "publics": listed(text("A target public."), "Who it is for."), "publics_detail": text("More on them."),
            "whole_territory": field("boolean", "Whether it concerns the whole territory."),
            "communes": listed(text("An INSEE code."), "The communes it concerns, if not the whole territory."),
            "starts_on": maybe("string", "When it starts.", format=DATE),
            "ends_on": maybe("string", "When it ends.", format=DATE),
            "ongoing": field("boolean", "A permanent action."), "calendar": text("Its calendar, in words."),
            "participation_level": maybe("string", "How residents take part."),
            "participation_detail": text("More on it."),
            "partners": listed(ref("Partner"), "Who leads it and who takes part."), "budget": ref("Budget"),
            "indicators": listed(ref("Indicator"), "How it will be measured."),
            "steps": listed(ref("Step"), "Its steps."),
            "published_at": maybe("string", "When it was published (UTC).", format=MOMENT),
            "url": url("The fiche in this API.")}),
        "Resource": obj("A resource of the API.", {
            "name": text("Its name."), "path": text("Its path (a template)."), "description": text("What it gives.")}),
        "Index": obj("What the API offers.", {
            "license": ref("License"), "title": text("The API's name."), "version": text("Its version."),
            "openapi": url("This document."), "documentation": url("The human page about the API."),
            "resources": listed(ref("Resource"), "Its resources."), "territories": url("Where to start.")}),
    }


def _conventions() -> dict:
    return {
        "License": obj("The licence of every answer: Etalab's Licence Ouverte 2.0.", {
            "name": text("Its name."), "spdx": text("Its SPDX identifier."), "url": url("Its text.")}),
        "Links": {"type": "object", "description": "Links to the pages of a listing (the same as the Link header).",
                  "properties": {rel: url(f"The {rel} page.") for rel in ("self", "first", "last", "prev", "next")},
                  "required": ["self", "first", "last"], "additionalProperties": False},
        "Problem": {"type": "object", "description": "An error, as RFC 9457 problem details.",
                    "properties": {"type": text("A URI naming the problem (about:blank)."),
                                   "title": text("A short summary."),
                                   "status": integer("The HTTP status."),
                                   "detail": text("What happened.")},
                    "required": ["type", "title", "status"]},
    }


# Lists and documents of each resource: (schema of the page, schema of an item).
PAGES = ("Territory", "Commune", "Contract", "Axis", "Survey", "ReleaseSummary", "Proposal", "Group", "Meeting", "Fiche")
DOCUMENTS = ("Territory", "Contract", "Survey", "Release", "Proposal", "Group", "Meeting", "Fiche")


def _envelopes() -> dict:
    found = {}
    for name in PAGES:
        found[f"{name}Page"] = obj(f"A page of {name} items, with where the other pages are.", {
            "license": ref("License"), "items": listed(ref(name), "The items of this page."),
            "page": integer("This page's number.", minimum=1), "per_page": integer("Items per page.", minimum=1),
            "total": integer("Items in all pages.", minimum=0), "pages": integer("Number of pages.", minimum=1),
            "links": ref("Links")})
    for name in DOCUMENTS:
        found[f"{name}Document"] = obj(f"One {name}.", {"license": ref("License"), "data": ref(name)})
    return found


def components() -> dict:
    """Every schema, by name."""
    return {**_conventions(), **_references(), **_release_parts(), **_resources(), **_envelopes()}
