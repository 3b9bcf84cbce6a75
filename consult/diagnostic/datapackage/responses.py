"""The surveys' tables of the data package: each survey's anonymised raw responses (k-anonymous by default, or
pseudonymised) read from the database a batch at a time, and its codebook; their fields described from the
questions, coded answers with the codes they may hold."""
from __future__ import annotations

from collections.abc import Iterator, Mapping

from flask_babel import gettext as _
from sqlalchemy import func, select

from consult.extensions import db
from consult.surveys.answering.answers import SINGLE_VALUE_TYPES
from consult.surveys.exports import anonymity, builders, files
from consult.surveys.exports.records import iter_records
from consult.surveys.models import Channel, Question, QuestionType, Response, Survey, SurveyStatus
from consult.surveys.results import disclosure_threshold
from consult.surveys.services import commune_choices
from consult.diagnostic.datapackage.tables import Field, Table

T = QuestionType
K_ANONYMOUS, PSEUDONYMISED = "k-anonymous", "pseudonymised"
VARIANTS = (K_ANONYMOUS, PSEUDONYMISED)


def packaged_surveys(territory) -> list[Survey]:
    """The territory's surveys that were opened to answers (never a draft), oldest first."""
    return list(db.session.scalars(select(Survey).where(Survey.territory_id == territory.id,
                                                        Survey.status != SurveyStatus.DRAFT).order_by(Survey.id)))


def _codes(pairs) -> str:
    return "; ".join(f"{code} = {label}" for code, label in pairs)


def _question_fields(question: Question, communes: Mapping[str, str], merged: Mapping[str, list[str]]) -> list[Field]:
    """The fields of one question's columns, as `builders.raw_columns` names them."""
    code, kind, text = question.code, question.type, question.text
    title = f"{code} — {text}"
    choices = [(o.code, o.label) for o in question.choices]
    labels = dict(choices)
    groups = [(group, " / ".join(labels.get(c, communes.get(c, c)) for c in codes)) for group, codes in merged.items()]
    fields: list[Field] = []
    if kind in SINGLE_VALUE_TYPES:
        fields.append(Field(code, "string", title, _("Code of the answer: %(codes)s.", codes=_codes(choices + groups)),
                            tuple(c for c, _label in choices) + tuple(g for g, _label in groups)))
    elif kind is T.MULTIPLE:
        for option_code, label in choices:
            fields.append(Field(f"{code}_{option_code}", "integer", f"{code} — {label}",
                                _("%(question)s 1 = chosen, 0 = not chosen, empty = question not answered.",
                                  question=text), (0, 1)))
    elif kind is T.RATING:
        fields.append(Field(code, "integer", title, _("Number from 0 to 10.")))
    elif kind is T.NUMBER:
        fields.append(Field(code, "number", title, _("Number.")))
    elif kind in (T.SHORT_TEXT, T.LONG_TEXT):
        fields.append(Field(code, "string", title, _("Text written by the respondent.")))
    elif kind is T.DATE:
        fields.append(Field(code, "date", title, _("Date (year-month-day).")))
    elif kind is T.COMMUNE:
        known = list(communes.items()) + [(group, _("Other communes: %(names)s", names=label))
                                          for group, label in groups]
        fields.append(Field(code, "string", title, _("INSEE code of the commune: %(codes)s.", codes=_codes(known)),
                            tuple(c for c, _name in known)))
        fields.append(Field(f"{code}_name", "string", f"{code} — {_('Name of the commune.')}",
                            _("Name of the commune.")))
    elif kind is T.RANKING:
        for option_code, label in choices:
            fields.append(Field(f"{code}_{option_code}", "integer", f"{code} — {label}",
                                _("%(question)s Rank given to this item (1 = first); empty = not ranked.",
                                  question=text)))
    elif kind is T.MATRIX:
        for row in question.rows:
            fields.append(Field(f"{code}_{row.code}", "string", f"{code} — {row.label}",
                                _("%(question)s Code of the chosen column: %(codes)s.", question=text,
                                  codes=_codes(choices)), tuple(c for c, _label in choices)))
    if any(o.is_other for o in question.choices):
        fields.append(Field(f"{code}_other_text", "string", f"{code} — {_('Text written for the “other” answer.')}",
                            _("Text written for the “other” answer.")))
    if question.scored:
        fields.append(Field(f"{code}_score_raw", "number", f"{code} — {_('Raw score')}",
                            builders.score_rule(question)))
        fields.append(Field(f"{code}_score_pct", "number", f"{code} — {_('Score as a percentage.')}",
                            _("Score as a percentage.")))
    return fields


def _fields(survey: Survey, communes: Mapping[str, str], plan: anonymity.KAnonymity | None) -> dict[str, Field]:
    merged: dict[str, dict[str, list[str]]] = {}
    if plan is not None:
        merged = {quasi.code: groups for quasi, groups in zip(plan.fields, plan.groups)}
    fields = [
        Field("pseudonym", "string", _("Pseudonym"), _("Random pseudonym of the row, drawn again for each file: it "
                                                       "identifies nothing and cannot be matched with another file. "
                                                       "Rows are in random order.")),
        Field("channel", "string", _("Channel"), _("How the response was collected: %(codes)s.",
                                                   codes=_codes((c.value, c.label) for c in Channel)),
              tuple(c.value for c in Channel)),
        Field("submitted_week", "date", _("Week"), _("Week the response was submitted or keyed in, as the date of "
                                                     "its Monday (no day, no time).")),
    ]
    for question in survey.questions:
        fields += _question_fields(question, communes, merged.get(question.code, {}))
    return {f.name: f for f in fields}


def _response_count(survey: Survey) -> int:
    return db.session.scalar(select(func.count(Response.id)).where(Response.survey_id == survey.id)) or 0


def responses_table(survey: Survey, *, variant: str, texts: bool) -> Table:
    """The survey's responses, one row per response in random order: the k-anonymous rows (k = the survey's
    threshold) or the pseudonymised ones; free texts only when `texts`."""
    communes = commune_choices(survey)
    if variant == K_ANONYMOUS:
        k = disclosure_threshold(survey)
        plan = files.k_anonymous_plan(survey, threshold=k)

        def rows() -> Iterator[list]:
            return files.k_anonymous_rows(survey, plan, texts=texts)

        fields = _fields(survey, communes, plan)
        description = _(
            "One row per response, in random order, k-anonymous with k = %(k)d: communes and rare answers of "
            "%(fields)s are merged, then values left blank, until every combination of these fields holds at least "
            "%(k)d rows. No account, name, day or database id.", k=k,
            fields=anonymity.field_names(plan.fields) if plan.fields else _("none in this survey"))
    else:
        plan = None
        left_out = set() if texts else builders.free_text_columns(survey)
        columns = [c for c in builders.raw_columns(survey, communes) if c.name not in left_out]

        def rows() -> Iterator[list]:
            return builders.raw_rows(survey, iter_records(survey), communes, columns=columns)

        fields = _fields(survey, communes, None)
        description = _("One row per response, in random order, pseudonymised: no account, name, day or database id. "
                        "Still personal data: a combination of answers can single someone out.")
    if not texts:
        description += " " + _("Free texts are left out.")

    names = _column_names(survey, communes, plan, texts=texts)

    def data_rows() -> Iterator[list]:
        produced = rows()
        # The fields were described from the columns the builder writes: its header must name the same.
        if next(produced) != names:
            raise RuntimeError(f"The columns of survey {survey.id}'s responses differ from their description.")
        yield from produced

    return Table(name=f"survey-{survey.id}-responses",
                 title=_("Responses to “%(survey)s”", survey=survey.title), description=description,
                 fields=[fields[name] for name in names], rows=data_rows, count=_response_count(survey))


def _column_names(survey: Survey, communes: Mapping[str, str], plan, *, texts: bool) -> list[str]:
    """The columns the rows will have (what the builders write, without reading a row)."""
    left_out = set() if texts else builders.free_text_columns(survey)
    if plan is not None:
        left_out |= {f"{quasi.code}_other_text" for quasi in plan.fields}
    return [c.name for c in builders.raw_columns(survey, communes) if c.name not in left_out]


CODEBOOK_FIELDS = ("question", "element", "column", "code", "label", "falc_label", "type", "required", "shown_when",
                   "score", "notes")


def codebook_table(survey: Survey) -> Table:
    """The codebook of the survey's responses: every column and code, with the questions' wording and rules."""
    communes = commune_choices(survey)
    titles = builders.codebook_header()
    fields = [Field(name, "string", title) for name, title in zip(CODEBOOK_FIELDS, titles)]
    count = sum(1 for _row in builders.codebook_rows(survey, communes)) - 1

    def rows() -> Iterator[list]:
        produced = builders.codebook_rows(survey, communes)
        next(produced)
        yield from produced

    return Table(name=f"survey-{survey.id}-codebook", title=_("Codebook of “%(survey)s”", survey=survey.title),
                 description=_("Every column and code of the responses table, with the questions' wording, "
                               "conditions and score rules."), fields=fields, rows=rows, count=count)


def survey_tables(territory, *, variant: str, texts: bool) -> list[Table]:
    """For each survey opened to answers: its responses, then its codebook."""
    tables: list[Table] = []
    for survey in packaged_surveys(territory):
        tables += [responses_table(survey, variant=variant, texts=texts), codebook_table(survey)]
    return tables
