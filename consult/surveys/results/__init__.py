"""Survey results computed from the stored answers: counts, means, distributions, scores, time series,
cross-tabulations and representativeness — exact figures, as plain dataclasses — and publishing them.

Nothing here hides anything: `presentation` applies disclosure control before a figure is shown, and
`charts` draws it. The parts: `data` (loading, overview), `questions`, `text` (free texts), `crosstabs`,
`representativeness`; their public names are importable from this package.
Every percentage uses as base the respondents who answered the question (for a conditional question,
among those who were asked it). Results are unweighted.
"""
from __future__ import annotations

from consult.surveys.results.data import (  # noqa: F401
    NOT_STATED,
    TEXT_TYPES,
    Overview,
    SurveyData,
    disclosure_threshold,
    load,
    overview,
    pin_disclosure_threshold,
    questionnaire,
    site_threshold,
    survey_communes,
)
from consult.surveys.results.questions import (  # noqa: F401
    Bin,
    ChoiceResult,
    Count,
    DateResult,
    MatrixResult,
    MatrixRow,
    NumericResult,
    QuestionResult,
    RankedItem,
    RankingResult,
    ScoreResult,
    TextResult,
    histogram,
    question_result,
    mean_of,
    median_of,
    score_bands,
    survey_results,
)
from consult.surveys.results.text import (  # noqa: F401
    TextAnswer,
    TextPage,
    text_answers,
    text_questions,
)
from consult.surveys.results.crosstabs import (  # noqa: F401
    ROLE_LABELS,
    CrossTab,
    Variable,
    breakdown_variables,
    can_cross,
    crossable_questions,
    crosstab,
    group_keys,
    respondents,
    source_of,
    role_label,
)
from consult.surveys.results.representativeness import (  # noqa: F401
    UNDER_REPRESENTED_RATIO,
    CommuneShare,
    Representativeness,
    representativeness,
)
