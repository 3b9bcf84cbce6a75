"""What each figure of a release counts: the responses behind every answer, and the key a reader knows it by."""
from __future__ import annotations

from consult.surveys import results
from consult.surveys.answering.answers import OTHER_COMMUNE, other_commune_label
from consult.surveys.models import Question
from consult.surveys.results.data import T
from consult.surveys.releases.register import Key


def key(*conditions: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """What a reader knows a figure counts: the respondents meeting every condition, e.g.
    {("Q12", "1"), ("Q3", "1")} for the women who forwent care — the same key in the breakdown of Q3 by
    sex and in that of Q12 by Q3. Keys describe questions and answers, never which responses they hold:
    two figures that happen to count the same people are not linked (that coincidence is itself what
    must stay hidden, e.g. that everyone in a small group gave the same answer).

    The set of conditions is kept as a sorted tuple (the same conditions in any order give the same key): a
    register holds one key per figure, ~6,000 at the demo's size, and a frozenset takes 216 bytes where a tuple
    of two takes 56."""
    return tuple(sorted(set(conditions)))


def with_condition(found: tuple[tuple[str, ...], ...], condition: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The key of the respondents counted by `found` who also meet `condition`."""
    return key(*found, condition)


class Answers:
    """How many responses gave each answer, read from the survey's counts (never one object per response)."""

    def __init__(self, data: results.SurveyData):
        self.data = data
        self.tally = data.tally
        self.everyone = data.total
        self._choices: dict[int, tuple[list[tuple[str, str]], list[int], int]] = {}

    def choice(self, question: Question) -> tuple[list[tuple[str, str]], list[int], int]:
        """(categories, responses per category, responses that answered) of a closed question. The key of
        category c is `key((question.code, c))`; of those who answered, `self.answered(question, …)`."""
        if question.id not in self._choices:
            if question.type is T.COMMUNE:
                communes = self.data.communes
                per_code = {code: n for code, n in self.tally.texts.get(question.id, {}).items() if code and n}
                categories = [(c.insee_code, c.name) for c in communes]
                known = {code for code, _name in categories}
                categories += [(code, other_commune_label() if code == OTHER_COMMUNE else code)
                               for code in sorted(per_code) if code not in known]
                counts = [per_code.get(code, 0) for code, _label in categories]
                answered = self.tally.count(question, "filled")
            else:
                per_option = self.tally.per_option(question, responses=True)
                choices = question.choices
                categories = [(o.code, o.label) for o in choices]
                counts = [per_option.get(o.id, 0) for o in choices]
                answered = self.tally.count(question, "option")
            self._choices[question.id] = (categories, counts, answered)
        return self._choices[question.id]

    def answered(self, question: Question, responses: int) -> Key:
        """What a reader knows of "those who answered" (`responses` of them, in the sense of `answered_as`):
        when everyone asked answered, those asked — everyone for an unconditional question, those who gave the
        one answer it depends on for a follow-up."""
        asked = self.data.asked(question)
        if not (responses == asked == self.tally.asked_and_answered(question, answered_as(question))):
            return key(("answered", question.code))
        if not question.condition_code and not question.page.condition_code:
            return key()
        values = list(question.condition_values or [])
        if question.condition_code and not question.page.condition_code and len(values) == 1:
            return key((question.condition_code, str(values[0])))
        return key(("asked", question.code))


def answered_as(question: Question) -> str:
    """Which count of `tally.Tally.count` is "those who answered" this question (as `tally._answered` counts it)."""
    kind = question.type
    if kind is T.COMMUNE:
        return "filled"
    if kind.is_closed:
        return "option"
    if kind in (T.RATING, T.NUMBER):
        return "number"
    if kind is T.DATE:
        return "text"
    if kind is T.RANKING:
        return "rank"
    return "nonblank"
