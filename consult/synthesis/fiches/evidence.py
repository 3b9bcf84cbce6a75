"""A fiche's evidence: drafting a fiche from an axis's synthesis, adding and removing citations, and quoting them.
Citations are references (a release's question, a proposal, an idea, a tagged text, a working group), checked
to belong to the fiche's territory; their text is read from the source whenever the fiche is shown."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import String, cast, func, literal, null, select, union_all
from sqlalchemy.orm import aliased

from consult.core.db import LARGEST_ID
from consult.core.forms import control_character_error
from consult.errors import InvalidInput, NotFound
from consult.extensions import db
from consult.groups.models import Idea, Meeting, Signup, SignupStatus, WorkingGroup
from consult.proposals.models import Comment, Proposal
from consult.proposals.states import ProposalState
from consult.surveys.models import Survey
from consult.surveys.releases.models import SurveyRelease
from consult.surveys.releases.services import content_of
from consult.surveys.results import presentation
from consult.synthesis.fiches.services import FicheData, PartnerData, create_fiche
from consult.synthesis.models import Citation, CitationKind, Fiche, PartnerRole, TaggedText, TextSource
from consult.synthesis.permissions import can_manage_plan
from consult.territories.models import Axis, Territory
from consult.territories.permissions import require

MAX_ID = LARGEST_ID


@dataclass
class EvidenceRefs:
    """What a writer cites: ids of proposals, ideas, tagged texts and groups, and survey figures as
    (release id, question code)."""

    proposals: list[int] = field(default_factory=list)
    ideas: list[int] = field(default_factory=list)
    tagged_texts: list[int] = field(default_factory=list)
    groups: list[int] = field(default_factory=list)
    figures: list[tuple[int, str]] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.proposals or self.ideas or self.tagged_texts or self.groups or self.figures)


def parse_id(value: str) -> int:
    """A row id typed or sent by a form. Raises InvalidInput for anything but a reasonable positive integer."""
    value = (value or "").strip()
    if not (value.isascii() and value.isdigit()) or len(value) > 10 or not 1 <= int(value) <= MAX_ID:
        raise InvalidInput(_("“%(value)s” is not a valid reference.", value=value[:40]))
    return int(value)


def parse_figure(value: str) -> tuple[int, str]:
    """« <release id>:<question code> ». Raises InvalidInput."""
    release, sep, code = (value or "").partition(":")
    if not sep or not code.strip() or len(code) > 20:
        raise InvalidInput(_("“%(value)s” is not a valid survey figure.", value=(value or "")[:40]))
    return parse_id(release), code.strip()


def refs_from(form) -> EvidenceRefs:
    """The references of a submitted form (a MultiDict): `proposal`, `idea`, `tagged_text`, `group`, `figure`.
    Raises InvalidInput on a malformed value."""
    return EvidenceRefs(
        proposals=[parse_id(v) for v in form.getlist("proposal") if v.strip()],
        ideas=[parse_id(v) for v in form.getlist("idea") if v.strip()],
        tagged_texts=[parse_id(v) for v in form.getlist("tagged_text") if v.strip()],
        groups=[parse_id(v) for v in form.getlist("group") if v.strip()],
        figures=[parse_figure(v) for v in form.getlist("figure") if v.strip()])


def _refused(what: str, ident) -> InvalidInput:
    return InvalidInput(_("%(what)s no. %(id)s is unknown or belongs to another territory: nothing was saved.",
                          what=what, id=ident))


def resolve(territory: Territory, refs: EvidenceRefs) -> list[Citation]:
    """Unsaved citations for `refs`, each checked to exist and to belong to `territory` (a proposal must be
    published; a survey figure's release must be of a survey of the territory and hold that question).
    Raises InvalidInput naming the first reference refused."""
    citations: list[Citation] = []
    for release_id, code in dict.fromkeys(refs.figures):
        release = db.session.get(SurveyRelease, release_id)
        if release is None or release.survey.territory_id != territory.id:
            raise _refused(_("Survey release"), release_id)
        if not any(q.question.code == code for q in content_of(release).questions):
            raise InvalidInput(_("Release no. %(number)d of “%(survey)s” has no question %(code)s: nothing was "
                                 "saved.", number=release.number, survey=release.survey.title, code=code))
        citations.append(Citation(kind=CitationKind.SURVEY_FIGURE, release=release, question_code=code))
    for ident in dict.fromkeys(refs.proposals):
        proposal = db.session.get(Proposal, ident)
        if proposal is None or proposal.territory.id != territory.id or proposal.state is not ProposalState.PUBLISHED:
            raise _refused(_("Proposal"), ident)
        citations.append(Citation(kind=CitationKind.PROPOSAL, proposal=proposal))
    for ident in dict.fromkeys(refs.ideas):
        idea = db.session.get(Idea, ident)
        if idea is None or idea.meeting.territory_id != territory.id:
            raise _refused(_("Idea"), ident)
        citations.append(Citation(kind=CitationKind.IDEA, idea=idea))
    for ident in dict.fromkeys(refs.tagged_texts):
        text = db.session.get(TaggedText, ident)
        if text is None or text.territory_id != territory.id:
            raise _refused(_("Tagged text"), ident)
        citations.append(Citation(kind=CitationKind.TAGGED_TEXT, tagged_text=text))
    for ident in dict.fromkeys(refs.groups):
        group = db.session.get(WorkingGroup, ident)
        if group is None or group.territory_id != territory.id:
            raise _refused(_("Working group"), ident)
        citations.append(Citation(kind=CitationKind.WORKING_GROUP, group=group))
    return citations


def candidate_partners(axis: Axis) -> list[str]:
    """The organisations of the members of the axis's working groups, each once (never a person's name)."""
    structures = db.session.scalars(
        select(Signup.structure).join(WorkingGroup, Signup.group_id == WorkingGroup.id)
        .where(WorkingGroup.axis_id == axis.id, Signup.status == SignupStatus.MEMBER, Signup.structure != "")
        .order_by(Signup.structure))
    seen: dict[str, str] = {}
    for structure in structures:
        seen.setdefault(" ".join(structure.split()).casefold(), " ".join(structure.split()))
    return list(seen.values())


def _same(a: Citation, b: Citation) -> bool:
    keys = ("kind", "release_id", "question_code", "proposal_id", "idea_id", "tagged_text_id", "group_id")
    return all(getattr(a, k) == getattr(b, k) for k in keys)


def _attach(fiche: Fiche, citations: list[Citation]) -> int:
    """Add the citations the fiche does not hold yet, after the others; returns how many were added."""
    db.session.flush()
    for citation in citations:  # relationships to ids, to compare with stored citations
        citation.release_id = citation.release.id if citation.release else None
        citation.proposal_id = citation.proposal.id if citation.proposal else None
        citation.idea_id = citation.idea.id if citation.idea else None
        citation.tagged_text_id = citation.tagged_text.id if citation.tagged_text else None
        citation.group_id = citation.group.id if citation.group else None
    position = max((c.position for c in fiche.citations), default=-1)
    added = 0
    for citation in citations:
        if any(_same(citation, held) for held in fiche.citations):
            continue
        position += 1
        citation.position = position
        fiche.citations.append(citation)
        added += 1
    db.session.flush()
    return added


def draft_from_evidence(actor, axis: Axis, *, title: str = "", objective_id: int | None = None,
                        refs: EvidenceRefs, now: dt.datetime, token: str | None = None) -> Fiche:
    """A draft fiche on `axis` citing `refs`, with the organisations of the axis's working groups as candidate
    partners (the writer removes those who do not take part). Nothing is created if any reference is refused.

    Raises PermissionDenied, InvalidInput (a control character in the title; a reference unknown, unpublished or of another territory; an archived
    axis; an objective of another axis).
    """
    require(can_manage_plan(actor, axis.territory))
    citations = resolve(axis.territory, refs)
    title = (title or "").strip() or _("New fiche — %(axis)s", axis=axis.title)
    if error := control_character_error(title, multiline=False):  # typed outside a Form: the same rule here
        raise InvalidInput(error, field="title")
    data = FicheData(title=title[:250], axis_id=axis.id, objective_id=objective_id,
                     partners=[PartnerData(PartnerRole.PARTNER.value, name) for name in candidate_partners(axis)])
    fiche = create_fiche(actor, axis.contract, data, now=now, token=token)
    if fiche.citations:  # the same form sent twice: the fiche it created already holds its citations
        return fiche
    _attach(fiche, citations)
    return fiche


def add_citations(actor, fiche: Fiche, refs: EvidenceRefs) -> int:
    """Cite more evidence on the fiche (what it already cites is skipped); returns how many were added.
    Raises PermissionDenied, InvalidInput (nothing chosen; a reference refused: nothing added)."""
    require(can_manage_plan(actor, fiche.territory))
    if refs.empty:
        raise InvalidInput(_("Choose what to cite."))
    return _attach(fiche, resolve(fiche.territory, refs))


def remove_citation(actor, fiche: Fiche, citation_id: int) -> None:
    """Stop citing one piece of evidence. Raises PermissionDenied, NotFound."""
    require(can_manage_plan(actor, fiche.territory))
    citation = next((c for c in fiche.citations if c.id == citation_id), None)
    if citation is None:
        raise NotFound(_("This citation does not exist."))
    fiche.citations.remove(citation)
    db.session.flush()


# --- reading citations -----------------------------------------------------------------------------------

@dataclass
class FigureQuote:
    """A survey figure as a fiche quotes it, from its (immutable, protected) release."""

    release: SurveyRelease
    code: str
    text: str
    lines: list[tuple[str, str, str]]     # label, count as shown, share as shown
    answered: str | None

    @property
    def survey(self) -> Survey:
        return self.release.survey


def quote_figure(citation: Citation) -> FigureQuote:
    """The question of a cited release, with its protected lines and shares and the number who answered."""
    release = citation.release
    view = next((q for q in content_of(release).questions if q.question.code == citation.question_code), None)
    if view is None:
        return FigureQuote(release, citation.question_code or "", "", [], None)
    lines = []
    if view.shown is not None:
        lines = [(line.label, presentation.figure(line.cell, release.k), presentation.percent(line.share))
                 for line in view.shown.lines]
    return FigureQuote(release, view.question.code, view.question.text, lines,
                       presentation.figure(view.answered, release.k))


def supports_by_proposal(fiche: Fiche) -> dict[int, int]:
    """The supports of every proposal the fiche cites: as its citations were loaded (`proposal_supports`), else in
    one query."""
    from consult.proposals.models import Support

    cited = [c for c in fiche.citations if c.proposal_id]
    if not cited:
        return {}
    if all(c.proposal_supports is not None for c in cited):
        return {c.proposal_id: c.proposal_supports for c in cited}
    ids = [c.proposal_id for c in cited]
    rows = db.session.execute(select(Support.proposal_id, func.count(Support.id))
                              .where(Support.proposal_id.in_(ids)).group_by(Support.proposal_id))
    return {proposal_id: count for proposal_id, count in rows}


def is_public(citation: Citation) -> bool:
    """Whether the public may read this evidence on its own page: a published proposal, an idea whose meeting's
    minutes are published, a figure of a survey whose results are published. Never a tagged text (it may be a
    free-text answer) nor a working group's page of members."""
    if citation.kind is CitationKind.PROPOSAL:
        return citation.proposal.state is ProposalState.PUBLISHED
    if citation.kind is CitationKind.IDEA:
        return citation.idea.meeting.minutes_published_at is not None
    if citation.kind is CitationKind.SURVEY_FIGURE:
        return citation.release.survey.results_published_at is not None
    return False


def citations_by_kind(fiche: Fiche, *, public: bool = False) -> dict[CitationKind, list[Citation]]:
    """The fiche's citations grouped by kind, in the order they were added; `public` keeps only what `is_public`."""
    kinds = ((CitationKind.SURVEY_FIGURE, CitationKind.PROPOSAL, CitationKind.IDEA) if public else tuple(CitationKind))
    grouped: dict[CitationKind, list[Citation]] = {kind: [] for kind in kinds}
    for citation in fiche.citations:
        if citation.kind in grouped and (not public or is_public(citation)):
            grouped[citation.kind].append(citation)
    return grouped


def citable(fiche: Fiche) -> dict[str, list[tuple[str, str]]]:
    """What the citation form offers for a fiche, as (value, label) pairs per kind: the published proposals, ideas
    and tagged texts of its axis, the territory's working groups, and the questions of each survey's latest
    release. Two queries whatever their number: the four lists in one, the releases in the other."""
    from consult.synthesis.sources import latest_releases

    territory, axis = fiche.territory, fiche.axis
    rank = func.row_number().over

    def part(kind: str, ident, a, b, c, order):
        return select(literal(kind, String).label("kind"), ident.label("id"), a.label("a"), b.label("b"), c.label("c"),
                      rank(order_by=order).label("rank"))

    none = null().cast(String)
    comment_proposal = aliased(Proposal)
    lists = union_all(
        part("proposal", Proposal.id, Proposal.title, none, none, Proposal.title)
        .where(Proposal.axis_id == axis.id, Proposal.state == ProposalState.PUBLISHED),
        part("idea", Idea.id, Meeting.title, Idea.text, none, (Meeting.starts_at.desc(), Idea.id))
        .join(Meeting, Idea.meeting_id == Meeting.id)
        .where(Idea.axis_id == axis.id, Meeting.territory_id == territory.id),
        part("tagged_text", TaggedText.id, cast(TaggedText.source, String), comment_proposal.title, Meeting.title,
             TaggedText.id)
        .outerjoin(Comment, Comment.id == TaggedText.comment_id)
        .outerjoin(comment_proposal, comment_proposal.id == Comment.proposal_id)
        .outerjoin(Meeting, Meeting.id == TaggedText.meeting_id)
        .where(TaggedText.axis_id == axis.id),
        part("group", WorkingGroup.id, WorkingGroup.title, none, none, WorkingGroup.title)
        .where(WorkingGroup.territory_id == territory.id))
    found: dict[str, list[tuple[str, str]]] = {"proposal": [], "idea": [], "tagged_text": [], "group": []}
    for kind, ident, a, b, c, _rank in sorted(db.session.execute(lists), key=lambda row: (row.kind, row.rank)):
        if kind == "idea":
            label = f"{a} — {b}"[:160]
        elif kind == "tagged_text":
            label = _tagged_label(ident, TextSource(a), b, c)
        else:
            label = a
        found[kind].append((str(ident), label))
    figures: list[tuple[str, str]] = []
    for release in latest_releases(territory).values():
        for view in content_of(release).questions:
            figures.append((f"{release.id}:{view.question.code}",
                            f"{release.survey.title} — {view.question.code} {view.question.text}"[:160]))
    return {**found, "figure": figures}


def _tagged_label(ident: int, source, proposal_title: str | None, meeting_title: str | None) -> str:
    if source is TextSource.SURVEY_ANSWER:
        return _("Free-text survey answer no. %(id)d", id=ident)
    if source is TextSource.COMMENT:
        return _("Comment on “%(title)s”", title=proposal_title) if proposal_title is not None else str(ident)
    return _("Minutes excerpt — %(meeting)s", meeting=meeting_title) if meeting_title is not None else str(ident)


def tagged_label(text: TaggedText) -> str:
    """A tagged text named without quoting a survey answer (record-level data): its source and number."""
    return _tagged_label(text.id, text.source, text.comment.proposal.title if text.comment else None,
                         text.meeting.title if text.meeting else None)
