"""What each figure of a release counts: the responses behind every answer, and the key a reader knows it by."""
from __future__ import annotations

from collections import defaultdict

from consult.surveys import results
from consult.surveys.answering.answers import OTHER_COMMUNE, other_commune_label
from consult.surveys.models import Question
from consult.surveys.results.data import T
from consult.surveys.releases.register import Key


def key(*conditions: tuple[str, ...]) -> frozenset[tuple[str, ...]]:
    """What a reader knows a figure counts: the respondents meeting every condition, e.g.
    {("Q12", "1"), ("Q3", "1")} for the women who forwent care — the same key in the breakdown of Q3 by
    sex and in that of Q12 by Q3. Keys describe questions and answers, never which responses they hold:
    two figures that happen to count the same people are not linked (that coincidence is itself what
    must stay hidden, e.g. that everyone in a small group gave the same answer)."""
    return frozenset(conditions)


class Answers:
    """The responses behind each answer, read once from the survey's data."""

    def __init__(self, data: results.SurveyData):
        self.data = data
        self.everyone = frozenset(data.responses)
        self._choices: dict[int, tuple[list[tuple[str, str]], list[frozenset[int]], frozenset[int]]] = {}

    def choice(self, question: Question) -> tuple[list[tuple[str, str]], list[frozenset[int]], frozenset[int]]:
        """(categories, responses per category, responses that answered) of a closed question. The key of
        category c is `key((question.code, c))`; of those who answered, `self.answered(question, …)`."""
        if question.id not in self._choices:
            rows = self.data.of(question)
            if question.type is T.COMMUNE:
                communes = results.survey_communes(self.data.survey)
                per_code: dict[str, set[int]] = defaultdict(set)
                for row in rows:
                    if row.text:
                        per_code[row.text].add(row.response_id)
                categories = [(c.insee_code, c.name) for c in communes]
                known = {code for code, _name in categories}
                categories += [(code, other_commune_label() if code == OTHER_COMMUNE else code)
                               for code in sorted(per_code) if code not in known]
                sets = [frozenset(per_code.get(code, ())) for code, _label in categories]
            else:
                per_option: dict[int, set[int]] = defaultdict(set)
                for row in rows:
                    per_option[row.option_id].add(row.response_id)
                choices = question.choices
                categories = [(o.code, o.label) for o in choices]
                sets = [frozenset(per_option.get(o.id, ())) for o in choices]
            self._choices[question.id] = (categories, sets, frozenset().union(*sets))
        return self._choices[question.id]

    def answered(self, question: Question, responses: frozenset[int]) -> Key:
        """What a reader knows of "those who answered": when everyone asked answered, those asked — everyone
        for an unconditional question, those who gave the one answer it depends on for a follow-up."""
        if responses != frozenset(self.data.asked(question)):
            return key(("answered", question.code))
        if not question.condition_code and not question.page.condition_code:
            return key()
        values = list(question.condition_values or [])
        if question.condition_code and not question.page.condition_code and len(values) == 1:
            return key((question.condition_code, str(values[0])))
        return key(("asked", question.code))
