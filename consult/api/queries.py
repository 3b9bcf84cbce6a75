"""What an anonymous visitor may read, as queries: each statement keeps what the capability's own predicate
allows for an anonymous user (`ANONYMOUS`), and each loader checks that predicate again before answering."""
from __future__ import annotations

from flask_login import AnonymousUserMixin
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload, selectinload

from consult.core.db import LARGEST_ID
from consult.extensions import db
from consult.groups.models import Meeting, WorkingGroup
from consult.proposals.models import Call, Proposal, ProposalState
from consult.proposals.permissions import can_see_proposal
from consult.surveys.models import Survey, SurveyStatus
from consult.surveys.permissions import can_read_results, can_see_survey
from consult.surveys.releases.models import SurveyRelease
from consult.surveys.releases.services import get_release
from consult.synthesis.models import Fiche, Indicator
from consult.synthesis.permissions import can_see_fiche
from consult.territories.models import Axis, Commune, Contract, Territory
from consult.territories.services import contract_page

# Who the API answers: nobody logged in, whatever cookie the request carries.
ANONYMOUS = AnonymousUserMixin()


def _in_range(ident: int) -> bool:
    return 0 < ident <= LARGEST_ID


def territories() -> Select:
    return select(Territory).order_by(Territory.name, Territory.id).options(selectinload(Territory.epcis),
                                                                           selectinload(Territory.contracts))


def territory(slug: str, options=()) -> Territory | None:
    """Every territory is public (its home page is). `options` load what the resource shows with it: most
    resources only need the territory's row."""
    if "\x00" in slug or len(slug) > 80:
        return None
    return db.session.scalars(select(Territory).where(Territory.slug == slug).options(*options)).first()


def territory_summary():
    """Loader options for a territory's own resource: its EPCIs and contracts (which one is current)."""
    return (selectinload(Territory.epcis), selectinload(Territory.contracts))


def territory_contracts():
    """Loader options for the resources read from a territory's contracts: partners, axes and objectives."""
    return (selectinload(Territory.contracts).options(*contract_page()),)


def communes(place: Territory) -> Select:
    return (select(Commune).where(Commune.territory_id == place.id).order_by(Commune.insee_code)
            .options(joinedload(Commune.epci)))


def contracts(place: Territory) -> Select:
    return (select(Contract).where(Contract.territory_id == place.id).order_by(Contract.generation.desc())
            .options(*contract_page()))


def contract(place: Territory, generation: int) -> Contract | None:
    return next((c for c in place.contracts if c.generation == generation), None)


def current_axes(place: Territory) -> list[Axis]:
    """The axes of the current contract, as the public "Axes and objectives" page lists them (archived left out)."""
    current = place.current_contract
    return current.active_axes if current else []


def surveys(place: Territory) -> Select:
    return (select(Survey).where(Survey.territory_id == place.id, Survey.status != SurveyStatus.DRAFT)
            .order_by(Survey.id.desc()))


def survey(place: Territory, ident: int) -> Survey | None:
    if not _in_range(ident):
        return None
    found = db.session.get(Survey, ident)
    if found is None or found.territory_id != place.id or not can_see_survey(ANONYMOUS, found):
        return None
    return found


def survey_visible(item: Survey) -> bool:
    return can_see_survey(ANONYMOUS, item)


def results_public(item: Survey) -> bool:
    """Whether anyone may read the survey's releases (published results)."""
    return can_read_results(ANONYMOUS, item)


def releases(item: Survey) -> Select:
    """The survey's releases, the latest first (the caller checked `results_public`)."""
    return (select(SurveyRelease).where(SurveyRelease.survey_id == item.id)
            .order_by(SurveyRelease.number.desc()))


def release(item: Survey, number: int) -> SurveyRelease | None:
    if not results_public(item) or not _in_range(number):
        return None
    return get_release(item, number)


def _proposal_options():
    return (joinedload(Proposal.call), joinedload(Proposal.axis).joinedload(Axis.contract).selectinload(Contract.axes),
            joinedload(Proposal.objective), joinedload(Proposal.merged_into), selectinload(Proposal.communes))


def proposals(place: Territory) -> Select:
    return (select(Proposal).join(Call).where(Call.territory_id == place.id, Proposal.state == ProposalState.PUBLISHED)
            .order_by(Proposal.published_at.desc(), Proposal.id.desc()).options(*_proposal_options()))


def proposal(place: Territory, ident: int) -> Proposal | None:
    if not _in_range(ident):
        return None
    found = db.session.get(Proposal, ident, options=_proposal_options())
    if found is None or found.call.territory_id != place.id or not can_see_proposal(ANONYMOUS, found):
        return None
    return found


def proposal_visible(item: Proposal) -> bool:
    return can_see_proposal(ANONYMOUS, item)


def _group_options():
    return (joinedload(WorkingGroup.territory), joinedload(WorkingGroup.axis).joinedload(Axis.contract)
            .selectinload(Contract.axes), selectinload(WorkingGroup.objectives))


def groups(place: Territory) -> Select:
    """Every working group of the territory (each has a public page, closed ones too)."""
    return (select(WorkingGroup).where(WorkingGroup.territory_id == place.id)
            .order_by(WorkingGroup.title, WorkingGroup.id).options(*_group_options()))


def group(place: Territory, ident: int) -> WorkingGroup | None:
    if not _in_range(ident):
        return None
    found = db.session.get(WorkingGroup, ident, options=(*_group_options(), selectinload(WorkingGroup.meetings)))
    return found if found is not None and found.territory_id == place.id else None


def meetings(place: Territory) -> Select:
    """Every meeting and event of the territory (each has a public page; cancelled ones say so)."""
    return (select(Meeting).where(Meeting.territory_id == place.id).order_by(Meeting.starts_at, Meeting.id)
            .options(joinedload(Meeting.group), joinedload(Meeting.territory)))


def meeting(place: Territory, ident: int) -> Meeting | None:
    if not _in_range(ident):
        return None
    found = db.session.get(Meeting, ident, options=(joinedload(Meeting.group),))
    return found if found is not None and found.territory_id == place.id else None


def _fiche_options():
    return (joinedload(Fiche.contract).selectinload(Contract.axes), joinedload(Fiche.axis), joinedload(Fiche.objective),
            selectinload(Fiche.partners), selectinload(Fiche.fundings), selectinload(Fiche.indicators)
            .selectinload(Indicator.values), selectinload(Fiche.steps), selectinload(Fiche.communes))


def fiches(place: Territory) -> Select:
    """The published fiches of every contract of the territory (drafts never)."""
    return (select(Fiche).join(Contract).where(Contract.territory_id == place.id, Fiche.published_at.is_not(None))
            .order_by(Contract.generation.desc(), Fiche.axis_id, Fiche.rank, Fiche.id).options(*_fiche_options()))


def fiche(place: Territory, ident: int) -> Fiche | None:
    if not _in_range(ident):
        return None
    found = db.session.get(Fiche, ident, options=_fiche_options())
    if found is None or found.contract.territory_id != place.id or not can_see_fiche(ANONYMOUS, found):
        return None
    return found


def fiche_visible(item: Fiche) -> bool:
    return can_see_fiche(ANONYMOUS, item)
