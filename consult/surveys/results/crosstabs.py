"""Breakdowns: the variables a question can be crossed with, and the cross-tabulations."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.accounts.models import Category
from consult.surveys import permissions
from consult.surveys.answering.answers import OTHER_COMMUNE, other_commune_label
from consult.surveys.models import Channel, Question, Survey
from consult.surveys.results.data import NOT_STATED, T, SurveyData, load


# --- breakdowns ----------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Variable:
    """Something to break results down by: a commune, a demographic question, the channel…"""

    key: str
    label: str
    question: Question | None = None


ROLE_LABELS = {
    "sex": _l("Sex"),
    "age_band": _l("Age band"),
    "occupation": _l("Occupation (PCS)"),
    "finances": _l("Financial situation"),
    "category": _l("Participant category"),
}


def role_label(role: str) -> str:
    """How a breakdown role is named in forms and tables."""
    return str(ROLE_LABELS.get(role, role.replace("_", " ").capitalize()))


def breakdown_variables(survey: Survey) -> list[Variable]:
    """What this survey's results can be broken down by: its commune question, each question with a
    breakdown role (sex, age band, occupation, financial situation, category), the account's category
    for identified surveys without a category question, and the channel."""
    found: list[Variable] = []
    commune = next((q for q in survey.questions if q.type is T.COMMUNE), None)
    if commune is not None:
        found.append(Variable("commune", _("Commune"), commune))
    seen = set()
    for question in survey.questions:
        role = question.breakdown_role
        if role and role not in seen and question.type in (T.SINGLE, T.AGE_BAND, T.YES_NO, T.LIKERT):
            seen.add(role)
            found.append(Variable(role, role_label(role), question))
    if "category" not in seen and permissions.needs_account(survey):
        found.append(Variable("category", role_label("category")))
    found.append(Variable("channel", _("Channel")))
    return found


def can_cross(question: Question, variable: Variable) -> bool:
    """Closed questions other than the commune, never by themselves."""
    return (question.type.is_closed and question.type is not T.COMMUNE
            and (variable.question is None or variable.question.id != question.id))


def crossable_questions(survey: Survey, variables: Sequence[Variable]) -> list[Question]:
    """The questions that at least one of `variables` can break down."""
    return [q for q in survey.questions if any(can_cross(q, v) for v in variables)]


def respondents(question: Question, data: SurveyData) -> int:
    """How many respondents answered a closed question (for a conditional one: among those asked):
    the question's own base, the one a breakdown of it would divide."""
    return data.tally.count(question, "option")


def source_of(variable: Variable) -> str:
    """The tally's name of what a variable groups respondents by (see `tally.Tally.pairs`)."""
    if variable.key == "channel":
        return "chan"
    if variable.question is None:
        return "cat"
    return f"q{variable.question.id}"


def group_keys(data: SurveyData, variable: Variable) -> tuple[dict, list[tuple[str, str]]]:
    """(the tally's group of a response → the group's key, every group in display order, "not stated" last
    except for the channel, which every response has)."""
    not_stated = (NOT_STATED, _("Not stated"))
    if variable.key == "channel":
        return {c.value: c.value for c in Channel}, [(c.value, str(c.label)) for c in Channel]
    if variable.question is None:  # the account's category
        return {c.value: c.value for c in Category}, [(c.value, str(c.label)) for c in Category] + [not_stated]
    question = variable.question
    if question.type is T.COMMUNE:
        communes = data.communes
        return ({c.insee_code: c.insee_code for c in communes} | {OTHER_COMMUNE: OTHER_COMMUNE},
                [(c.insee_code, c.name) for c in communes] + [(OTHER_COMMUNE, other_commune_label()), not_stated])
    return ({o.id: o.code for o in question.choices},
            [(o.code, o.label) for o in question.choices] + [not_stated])


@dataclass(frozen=True)
class CrossTab:
    """Respondents to a closed question, by group of a breakdown variable (exact counts).

    `bases`: respondents of each group who answered the question; a group "not stated" gathers those
    who did not answer the breakdown question. Column totals are the question's overall counts."""

    question: Question
    variable: Variable
    groups: list[tuple[str, str]]      # (key, label)
    columns: list[tuple[str, str]]     # (code, label)
    counts: list[list[int]]
    bases: list[int]
    multiple: bool

    @property
    def column_totals(self) -> list[int]:
        return [sum(row[j] for row in self.counts) for j in range(len(self.columns))]

    @property
    def total(self) -> int:
        return sum(self.bases)


def crosstab(survey: Survey, question: Question, variable: Variable, data: SurveyData | None = None) -> CrossTab:
    """Cross-tabulate a closed question by a breakdown variable."""
    data = data or load(survey)
    tally = data.tally
    group_of, groups = group_keys(data, variable)
    source = source_of(variable)
    columns = question.choices
    column_of = {o.id: n for n, o in enumerate(columns)}
    keys = [key for key, _label in groups]
    index = {key: n for n, key in enumerate(keys)}
    counts = [[0] * len(columns) for _ in groups]
    bases = [0] * len(groups)
    for (group, option), (_responses, rows) in tally.pairs.get((source, question.id), {}).items():
        if group in group_of and option in column_of:
            counts[index[group_of[group]]][column_of[option]] += rows
    for group, n in tally.bases.get((source, question.id), {}).items():
        if group in group_of:
            bases[index[group_of[group]]] += n
    if NOT_STATED in index:  # those who answered the question but not the breakdown's
        rest = index[NOT_STATED]
        per_option = tally.per_option(question)
        for o, j in column_of.items():
            counts[rest][j] = per_option.get(o, 0) - sum(row[j] for row in counts)
        bases[rest] = respondents(question, data) - sum(bases)
    keep = [n for n, key in enumerate(keys) if key != NOT_STATED or bases[n]]
    if variable.key == "commune":  # « another commune » only when someone lives elsewhere
        keep = [n for n in keep if keys[n] != OTHER_COMMUNE or _answered_elsewhere(tally, variable.question)]
    return CrossTab(question, variable, [groups[n] for n in keep], [(o.code, o.label) for o in columns],
                    [counts[n] for n in keep], [bases[n] for n in keep], question.type is T.MULTIPLE)


def _answered_elsewhere(tally, question: Question) -> bool:
    return bool(tally.texts.get(question.id, {}).get(OTHER_COMMUNE))
