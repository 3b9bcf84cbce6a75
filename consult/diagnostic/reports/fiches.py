"""Fiches actions as report blocks: one fiche as its public page shows it, and the « livre des fiches actions »,
every published fiche of the current contract in axis and objective order."""
from __future__ import annotations

import datetime as dt

from flask_babel import gettext as _
from sqlalchemy import select

from consult.diagnostic.reports.consultation import _lang, day, month, number
from consult.diagnostic.reports.document import Block, Bullets, Contents, Document, Facts, Heading, Paragraph, Prose, Table
from consult.extensions import db
from consult.surveys.results import presentation
from consult.synthesis.fiches import pages
from consult.synthesis.fiches.compare import euros
from consult.synthesis.models import Fiche, TargetPublic
from consult.territories.models import Territory


def _when(fiche: Fiche) -> str:
    if not fiche.starts_on and not fiche.ends_on and not fiche.ongoing:
        return fiche.calendar or "—"
    text = month(fiche.starts_on)
    if fiche.ongoing:
        text += " — " + _("permanent")
    elif fiche.ends_on:
        text += " — " + month(fiche.ends_on)
    return text.strip(" —") if not fiche.starts_on else text


def _public(value: str) -> str:
    return TargetPublic(value).label if value in TargetPublic.__members__.values() else value


def fiche_blocks(fiche: Fiche, *, level: int = 1, new_page: bool = False) -> list[Block]:
    """One fiche: its heading, key facts, why, what, for whom and with whom, budget and indicators."""
    blocks: list[Block] = [
        Heading(level, f"{_('Action %(number)s', number=fiche.number)} — {fiche.title}", new_page=new_page),
        Facts([
            (_("Axis"), _("Axis %(n)d — %(title)s", n=fiche.axis.number, title=fiche.axis.title)),
            (_("Objective of the contract"), fiche.objective.title if fiche.objective else "—"),
            (_("Status"), str(fiche.status.label) + ("" if fiche.is_published else " · " + _("Not shown to the public"))),
            (_("Who leads it"), ", ".join(p.organisation for p in fiche.leads) or "—"),
            (_("Where"), _("The whole territory") if fiche.whole_territory
             else ", ".join(c.name for c in fiche.communes) or "—"),
            (_("When"), _when(fiche)),
            (_("Progress"), _("%(percent)s done", percent=presentation.percent(fiche.progress / 100))
             if fiche.progress is not None else _("No steps yet")),
        ]),
    ]
    sub = level + 1
    if fiche.general_objective or fiche.context:
        blocks.append(Heading(sub, _("Why")))
        if fiche.general_objective:
            blocks.append(Paragraph(fiche.general_objective))
        if fiche.context:
            blocks.append(Prose(fiche.context))
    if fiche.specific_objectives or fiche.description or fiche.steps:
        blocks.append(Heading(sub, _("What will be done")))
        if fiche.specific_objectives:
            blocks.append(Bullets([str(item) for item in fiche.specific_objectives], numbered=True))
        if fiche.description:
            blocks.append(Prose(fiche.description))
        if fiche.steps:
            blocks.append(Table(_("Steps of action %(number)s", number=fiche.number), [_("Step"), _("Due"), _("State")],
                                [[s.title, month(s.due_on), str(s.state.label)] for s in fiche.steps]))
    blocks.append(Heading(sub, _("For whom, with whom")))
    publics = ", ".join(_public(v) for v in fiche.publics) or "—"
    if fiche.publics_detail:
        publics += " — " + fiche.publics_detail
    pairs = [(_("For"), publics), (_("With"), ", ".join(p.organisation for p in fiche.partners) or "—")]
    if fiche.participation_level:
        pairs.append((_("Participation of residents"), str(fiche.participation_level.label)
                      + (" — " + fiche.participation_detail if fiche.participation_detail else "")))
    blocks.append(Facts(pairs))
    blocks.append(Heading(sub, _("Budget")))
    budget = pages.budget_of(fiche)
    if budget.funders:
        blocks.append(Table(_("Planned budget of action %(number)s per funder", number=fiche.number),
                            [_("Funder"), _("Operating"), _("Investment"), _("Total")],
                            [[name, euros(op), euros(inv), euros(total)] for name, op, inv, total in budget.funders],
                            [_("Total"), euros(budget.operating), euros(budget.investment), euros(budget.total)],
                            numeric=frozenset({1, 2, 3})))
    else:
        blocks.append(Paragraph(_("No funding planned yet.")))
    blocks.append(Heading(sub, _("How it will be measured")))
    if fiche.indicators:
        blocks.append(Table(_("Evaluation indicators of action %(number)s", number=fiche.number),
                            [_("Indicator"), _("Kind"), _("Target"), _("Data source"), _("Frequency")],
                            [[i.name, str(i.kind.label),
                              (number(i.target) + (f" {i.unit}" if i.unit else "")) if i.target is not None else "",
                              i.source, i.frequency] for i in fiche.indicators], numeric=frozenset({2})))
    else:
        blocks.append(Paragraph(_("No indicator yet.")))
    return blocks


def _load(fiche_ids: list[int]) -> dict[int, Fiche]:
    if not fiche_ids:
        return {}
    return {f.id: f for f in db.session.scalars(select(Fiche).where(Fiche.id.in_(fiche_ids))
                                                .options(*pages.document_options())).unique()}


def fiche_document(fiche: Fiche, *, now: dt.datetime) -> Document:
    """One fiche as a document of its own."""
    return Document(
        title=f"{_('Action %(number)s', number=fiche.number)} — {fiche.title}", subtitle=fiche.territory.name,
        lang=_lang(), made_on=now.date(),
        cover=[(_("Territory"), fiche.territory.name), (_("Contract"), fiche.contract.title), (_("Date"), day(now))],
        blocks=fiche_blocks(fiche, level=0)[1:], compact=True).anchored()  # the cover carries its title


def action_plan(territory: Territory, *, now: dt.datetime, progress=None) -> Document:
    """Every published fiche of the current contract, by axis then objective, after a table of contents."""
    contract = territory.current_contract
    document = Document(
        title=_("Action plan"), subtitle=territory.name, lang=_lang(), made_on=now.date(),
        cover=[(_("Territory"), territory.name), (_("Contract"), contract.title if contract else "—"),
               (_("Date"), day(now))], blocks=[Contents()])
    plan = [p for p in pages.plan_of(contract, published_only=True) if p.count] if contract else []
    if not plan:
        document.blocks.append(Paragraph(_("No fiche action is published yet.")))
    fiches = _load([f.id for axis_plan in plan for group in axis_plan.groups for f in group.fiches])
    total = sum(axis_plan.count for axis_plan in plan)
    done = 0
    for axis_plan in plan:
        axis = axis_plan.axis
        document.blocks.append(Heading(1, _("Axis %(n)d — %(title)s", n=axis.number, title=axis.title),
                                       new_page=True))
        for group in axis_plan.groups:
            if group.objective is not None:
                document.blocks.append(Paragraph(_("Objective: %(title)s", title=group.objective.title)))
            for fiche in group.fiches:
                document.blocks.extend(fiche_blocks(fiches[fiche.id], level=2, new_page=done > 0 and
                                                    fiche is not axis_plan.groups[0].fiches[0]))
                done += 1
                if progress is not None:
                    progress(done, total)
    if progress is not None and not total:
        progress(1, 1)
    return document.anchored()
