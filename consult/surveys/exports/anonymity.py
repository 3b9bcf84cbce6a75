"""The k-anonymous variant of the raw export: communes and rare categories merged, then rare values blanked,
until every combination of commune, occupation, age band and sex holds at least k rows.

The algorithm is deterministic (same answers, same k: same file, apart from the row order and pseudonyms)
and works on the combinations only, never on a given response:

1. Communes with fewer than k rows are merged into “Other communes” (if that group is still below k, the
   smallest remaining commune joins it, until it reaches k).
2. While some combination holds fewer than k rows, the next field in the order occupation, age band, sex is
   generalised: its categories with fewer than k rows are merged into one group (age bands: each small band
   into its smaller neighbour, giving wider bands such as “45-59 / 60-74”); then its two smallest groups (age
   bands: the smallest and its smaller neighbour) are merged, again and again, as long as that leaves fewer
   rows in combinations below k — never down to a single group, which would blank the field for everyone.
3. While some combination still holds fewer than k rows, its value is blanked, field by field in the order
   occupation, age band, sex, commune (a blank reads “not stated or withheld”). If the rows left with
   every field blank are still fewer than k, the smallest other combination is blanked with them.

“Not answered” is a value like the others (blank). Only with fewer than k responses in all can a
combination stay below k.
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from babel.lists import format_list
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from consult.extensions import db
from consult.surveys.answering.answers import SINGLE_VALUE_TYPES
from consult.surveys.models import Answer, Question, QuestionType, Response, Survey

OTHER_COMMUNES = "other"
# Answers read per round trip when the combinations are counted.
_STREAMED_ROWS = 1_000
# Generalised in this order after the communes; blanked in this order, the commune last.
ROLES = ("occupation", "age_band", "sex")

Combination = tuple[str | None, ...]


@dataclass(frozen=True)
class QuasiIdentifier:
    """A question whose answer, with the others, can single a respondent out: the commune, or the question
    used in breakdowns as occupation, age band or sex."""

    question: Question
    kind: str  # "commune" or one of ROLES

    @property
    def code(self) -> str:
        return self.question.code


def quasi_identifiers(survey: Survey) -> list[QuasiIdentifier]:
    """The commune question and the first single-answer question of each role, in the order of generalisation."""
    questions = survey.questions
    found = [QuasiIdentifier(q, "commune") for q in questions if q.type is QuestionType.COMMUNE][:1]
    for role in ROLES:
        found += [QuasiIdentifier(q, role) for q in questions
                  if q.breakdown_role == role and q.type in SINGLE_VALUE_TYPES][:1]
    return found


def combinations(survey: Survey, fields: Sequence[QuasiIdentifier]) -> Counter[Combination]:
    """How many responses hold each combination of the fields' answers (None: not answered).

    The fields' answers are streamed in the order of their response, each response's combination counted as soon
    as its answers are read: only the distinct combinations are kept, so the memory does not grow with the number
    of responses. The responses without any of these answers are counted apart."""
    total = db.session.scalar(select(func.count(Response.id)).where(Response.survey_id == survey.id)) or 0
    counts: Counter[Combination] = Counter()
    seen = 0
    if fields:
        position = {f.question.id: i for i, f in enumerate(fields)}
        options = {o.id: o.code for f in fields for o in f.question.options}
        # A Core statement on the session's connection: no ORM row built for each of the answers.
        answers, responses = Answer.__table__.c, Response.__table__.c
        rows = db.session.connection().execute(
            select(answers.response_id, answers.question_id, answers.option_id, answers.value_text)
            .join(Response.__table__, responses.id == answers.response_id)
            .where(responses.survey_id == survey.id, answers.question_id.in_(position))
            .order_by(answers.response_id).execution_options(yield_per=_STREAMED_ROWS))
        current, values = None, [None] * len(fields)
        for response_id, question_id, option_id, text in rows:
            if response_id != current:
                if current is not None:
                    counts[tuple(values)] += 1
                    seen += 1
                current, values = response_id, [None] * len(fields)
            values[position[question_id]] = (options.get(option_id) if option_id else text) or None
        if current is not None:
            counts[tuple(values)] += 1
            seen += 1
    if total > seen:  # responses that answered none of the fields (or came while the answers were read)
        counts[(None,) * len(fields)] += total - seen
    return counts


def combination_of(record_data: Mapping, fields: Sequence[QuasiIdentifier]) -> Combination:
    """A response's combination, from its answers as an export record holds them."""
    return tuple(record_data.get(f.code) or None for f in fields)


def unique_rows(counts: Counter[Combination]) -> int:
    """How many rows are the only one with their combination."""
    return sum(1 for n in counts.values() if n == 1)


def below(counts: Counter[Combination], k: int) -> list[Combination]:
    return [c for c, n in counts.items() if n < k]


def _sort_key(combination: Combination) -> tuple:
    return tuple("" if v is None else v for v in combination)


@dataclass
class KAnonymity:
    """What the k-anonymous export does to each combination, and why, for the file and its method sheet."""

    k: int
    fields: list[QuasiIdentifier]
    released: dict[Combination, Combination] = field(default_factory=dict)  # original → written
    groups: list[dict[str, list[str]]] = field(default_factory=list)  # per field: group code → merged codes
    blanked: list[int] = field(default_factory=list)  # per field: rows whose value was blanked
    total: int = 0
    unique_before: int = 0
    unique_after: int = 0
    smallest_after: int = 0

    def release(self, combination: Combination) -> Combination:
        """The combination as written; one not seen when the plan was made (a response that came since) is
        blanked entirely."""
        return self.released.get(combination, (None,) * len(self.fields))


def _merge_rare(counts: Mapping[str, int], k: int, order: Sequence[str], *, adjacent: bool) -> list[list[str]]:
    """Groups of codes such that each group present holds at least k rows (when the total allows it).

    Unordered categories: those below k form one group, which takes the smallest others until it reaches
    k. Ordered ones (age bands): the smallest group below k merges into its smaller neighbour, repeatedly."""
    present = [code for code in order if counts.get(code)] + sorted(c for c in counts if c not in order)
    def size(group: list[str]) -> int:
        return sum(counts.get(c, 0) for c in group)

    if adjacent:
        groups = [[code] for code in present]
        while len(groups) > 1 and min(size(g) for g in groups) < k:
            i = min(range(len(groups)), key=lambda j: (size(groups[j]), j))
            neighbours = [j for j in (i - 1, i + 1) if 0 <= j < len(groups)]
            j = min(neighbours, key=lambda n: (size(groups[n]), n))
            low, high = sorted((i, j))
            groups[low:high + 1] = [groups[low] + groups[high]]
        return groups
    rare = sorted((c for c in present if counts[c] < k), key=lambda c: (counts[c], present.index(c)))
    if not rare:
        return [[c] for c in present]
    others = sorted((c for c in present if c not in rare), key=lambda c: (counts[c], present.index(c)))
    merged = list(rare)
    while size(merged) < k and others:
        merged.append(others.pop(0))
    merged.sort(key=present.index)
    return [merged] + [[c] for c in present if c not in merged]


def _rows_below(state: Counter[Combination], k: int) -> int:
    return sum(n for n in state.values() if n < k)


def _next_merge(groups: list[list[str]], sizes: list[int], *, adjacent: bool) -> tuple[int, int] | None:
    """The two groups to merge next: the two smallest, or (ordered) the smallest and its smaller neighbour."""
    if len(groups) < 2:
        return None
    i = min(range(len(groups)), key=lambda n: (sizes[n], n))
    if adjacent:
        j = min((n for n in (i - 1, i + 1) if 0 <= n < len(groups)), key=lambda n: (sizes[n], n))
    else:
        j = min((n for n in range(len(groups)) if n != i), key=lambda n: (sizes[n], n))
    return min(i, j), max(i, j)


def plan_k_anonymity(counts: Counter[Combination], fields: Sequence[QuasiIdentifier], k: int) -> KAnonymity:
    """The recoding and blanking that leave no combination below k (see the module docstring)."""
    plan = KAnonymity(k=k, fields=list(fields), groups=[{} for _f in fields], blanked=[0] * len(fields),
                      total=sum(counts.values()), unique_before=unique_rows(counts))
    # Each original combination is followed through every step.
    current = {c: c for c in counts}
    state = Counter(counts)

    def recoded(change: Callable[[Combination], Combination]) -> Counter[Combination]:
        trial: Counter[Combination] = Counter()
        for combination, n in state.items():
            trial[change(combination)] += n
        return trial

    def apply(change: Callable[[Combination], Combination]) -> None:
        nonlocal state
        for original, now in current.items():
            current[original] = change(now)
        state = recoded(change)

    for index, quasi in enumerate(fields):
        if index and not below(state, k):
            break
        adjacent = quasi.kind == "age_band"

        def code_of(group: list[str], kind=quasi.kind) -> str:
            if len(group) == 1:
                return group[0]
            return OTHER_COMMUNES if kind == "commune" else "+".join(group)

        def replace(mapping: Mapping[str, str], i=index) -> Callable[[Combination], Combination]:
            return lambda c: c[:i] + ((mapping.get(c[i], c[i]) if c[i] is not None else None),) + c[i + 1:]

        marginal: Counter[str] = Counter()
        for combination, n in state.items():
            if combination[index] is not None:
                marginal[combination[index]] += n
        order = [o.code for o in quasi.question.choices]
        groups = _merge_rare(marginal, k, order, adjacent=adjacent)
        apply(replace({c: code_of(g) for g in groups for c in g}))
        # Then, for the fields after the commune, merge further while that leaves fewer rows below k.
        while quasi.kind != "commune" and below(state, k):
            sizes = [sum(marginal.get(c, 0) for c in g) for g in groups]
            # Never down to one group: that would blank the field for everyone, where step 3 blanks only
            # the rows that need it.
            pair = _next_merge(groups, sizes, adjacent=adjacent) if len(groups) > 2 else None
            if pair is None:
                break
            i, j = pair
            merged = sorted(groups[i] + groups[j], key=lambda c: order.index(c) if c in order else len(order))
            change = replace({code_of(groups[i]): code_of(merged), code_of(groups[j]): code_of(merged)})
            if _rows_below(recoded(change), k) >= _rows_below(state, k):
                break
            apply(change)
            groups[i:j + 1] = [merged] + groups[i + 1:j] if not adjacent else [merged]
        plan.groups[index] = {code_of(g): g for g in groups if len(g) > 1}

    # Blank the rare combinations' values, occupation first, the commune last.
    blanking = [i for i, f in enumerate(fields) if f.kind != "commune"] + \
               [i for i, f in enumerate(fields) if f.kind == "commune"]
    for index in blanking:
        rare = set(below(state, k))
        if not rare:
            break
        plan.blanked[index] += sum(n for c, n in state.items() if c in rare and c[index] is not None)
        apply(lambda c, i=index, r=rare: c[:i] + (None,) + c[i + 1:] if c in r else c)
    empty = (None,) * len(fields)
    while fields and 0 < state.get(empty, 0) < k and len(state) > 1:
        smallest = min((c for c in state if c != empty), key=lambda c: (state[c], _sort_key(c)))
        for index, value in enumerate(smallest):
            if value is not None:
                plan.blanked[index] += state[smallest]
        apply(lambda c, s=smallest: empty if c == s else c)
    plan.released = dict(current)
    plan.unique_after = unique_rows(state)
    plan.smallest_after = min(state.values(), default=0)
    return plan


def released_data(data: Mapping, plan: KAnonymity) -> dict:
    """A record's answers with its combination as written in the k-anonymous file."""
    released = dict(data)
    for quasi, value in zip(plan.fields, plan.release(combination_of(data, plan.fields))):
        if value is None:
            released.pop(quasi.code, None)
        else:
            released[quasi.code] = value
    return released


def field_label(quasi: QuasiIdentifier) -> str:
    return {"commune": _("commune"), "occupation": _("occupation"), "age_band": _("age band"),
            "sex": _("sex")}[quasi.kind]


def group_label(quasi: QuasiIdentifier, codes: Iterable[str], communes: Mapping[str, str]) -> str:
    """“Other communes: Angeville, Lafitte”, or the labels of merged answers joined by “ / ”."""
    if quasi.kind == "commune":
        return _("Other communes: %(names)s", names=", ".join(communes.get(c, c) for c in codes))
    labels = {o.code: o.label for o in quasi.question.choices}
    return " / ".join(labels.get(c, c) for c in codes)


def field_names(fields: Sequence[QuasiIdentifier]) -> str:
    """“commune, occupation, age band and sex”, in the interface's language."""
    return format_list([field_label(f) for f in fields], locale=get_locale() or "fr")


def anonymisation_rows(plan: KAnonymity, communes: Mapping[str, str], *, texts: bool):
    """Header, then what the k-anonymous file merged, blanked and left out, and the rule it follows."""
    yield [_("Item"), _("Value")]
    yield [_("File"), _("Pseudonymised responses made k-anonymous: rows in random order, a random pseudonym per "
                        "row, no account, day or database id.")]
    yield [_("Threshold (k)"), plan.k]
    yield [_("Fields protected together"),
           ", ".join(f"{f.code} ({field_label(f)})" for f in plan.fields) or _("none in this survey")]
    yield [_("Rows unique on these fields in the pseudonymised file"), plan.unique_before]
    yield [_("Rows unique on these fields in this file"), plan.unique_after]
    yield [_("Smallest combination in this file (rows)"), plan.smallest_after]
    for quasi, groups, blanked in zip(plan.fields, plan.groups, plan.blanked):
        for code, merged in groups.items():
            yield [_("Merged in %(column)s as “%(code)s”", column=quasi.code, code=code),
                   group_label(quasi, merged, communes)]
        yield [_("Values withheld (blank) in %(column)s", column=quasi.code), blanked]
    yield [_("Free texts"), _("included (asked for when downloading)") if texts else
           _("left out (text questions and “other” answers)")]
    yield [_("Method"), _(
        "1. Communes with fewer than k rows are merged into “Other communes” (the smallest others join that group "
        "until it reaches k). 2. While a combination of the fields holds fewer than k rows, the rare answers of "
        "occupation, then age band (into wider bands), then sex are merged the same way, then their smallest "
        "groups two by two as long as that leaves fewer rows below k. 3. The values of any combination still "
        "below k are then left blank, occupation first and the commune last. A blank cell means not stated or withheld.")]
