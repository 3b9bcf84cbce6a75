"""Results computed from 30 hand-made responses: every figure below was worked out by hand.

The 30 respondents (index i = 0…29):
- commune: Castelsarrasin i 0-19 (20), Moissac 20-23 (4), Saint-Nicolas-de-la-Grave 24-28 (5), Boudou 29 (1);
- channel: web 0-17 (18), paper 18-25 (8), phone 26 (1), workshop 27-29 (3);
- day: 0-11 on Tuesday 6 October 2026 (12), 12-29 on Wednesday 21 October 2026 (18);
- sex (Q12): women 0-17 (18), men 18-28 (11), other 29 (1);
- forwent care (Q3): yes for 0-6, 18, 19, 29 (10: 7 women, 2 men, 1 other), no for the 20 others;
- Q2 (Likert 1-5): 6 × 1, 12 × 2, 7 × 3, 4 × 4, 1 × 5 → mean (6+24+21+16+5)/30 = 2.4, median 2 ("Bon");
- Q4 (reasons, multiple, for the 10 "yes"): cost 6, distance 4, waiting 4, other 2 → 60 %, 40 %, 40 %, 20 %;
- Q5 (rating): 3, 5×6, 6×4, 7×8, 8×7, 9×3, 10 → sum 206, mean 6.8667, median 7, min 3, max 10;
- Q6 (minutes, 20 answers): 5,10,10,15,15,15,20×4,25×2,30×2,45×2,60×2,90,120 → mean 34, median 22.5;
- Q7 (2 items scored 0/1/2, ×4): 12 × (2,2), 12 × (1,1), 4 × (0,1), 2 × (1,0) → raw mean 78/30 = 2.6, % mean 10.4;
- Q8 (ranking, 3 positions): 4 × [mental, access, food], 3 × [access, mental], 2 × [access, housing, food], 1 × [food];
- Q9: 5 occupations; Q10: 23 ideas, two of them about "santé"; Q11 (age): 3, 8, 9, 7, 2, 1.
"""
from __future__ import annotations

import datetime as dt

import pytest

from consult.extensions import db
from consult.surveys.answering import answers as answer_rules
from consult.surveys import results
from consult.surveys.models import Channel, Response, SurveyPage, Question, QuestionType
from tests.surveys.conftest import options, rows

WEEK_1_DAY = dt.date(2026, 10, 6)
WEEK_3_DAY = dt.date(2026, 10, 21)
REASONS = [["1", "2"], ["1"], ["1", "3"], ["2"], ["1", "2", "3"], ["3"], ["1", "autre"], ["2", "3"], ["autre"], ["1"]]
OTHER_REASONS = {6: "Pas de médecin disponible", 8: "Le médecin ne prend plus de nouveaux patients"}
RATINGS = [3] + [5] * 6 + [6] * 4 + [7] * 8 + [8] * 7 + [9] * 3 + [10]
MINUTES = [5, 10, 10, 15, 15, 15, 20, 20, 20, 20, 25, 25, 30, 30, 45, 45, 60, 60, 90, 120]
RANKINGS = [["2", "1", "3"]] * 4 + [["1", "2"]] * 3 + [["1", "4", "3"]] * 2 + [["3"]]
OCCUPATIONS = ["Agricultrice", "Infirmière", "Retraité", "Artisan", "Sans emploi"]
IDEAS = ["Plus de médecins : la santé avant tout", "La SANTÉ mentale des jeunes", "Un bus vers l'hôpital de Moissac"]
YES = [0, 1, 2, 3, 4, 5, 6, 18, 19, 29]


def respondent(i: int) -> tuple[dict, Channel, dt.date]:
    """The answers (in the answer format), channel and day of respondent i."""
    commune = "82033" if i < 20 else "82112" if i < 24 else "82169" if i < 29 else "82019"
    channel = (Channel.WEB if i < 18 else Channel.PAPER if i < 26 else Channel.PHONE if i == 26 else Channel.WORKSHOP)
    data = {
        "Q1": commune,
        "Q2": "1" if i < 6 else "2" if i < 18 else "3" if i < 25 else "4" if i < 29 else "5",
        "Q3": "1" if i in YES else "2",
        "Q5": RATINGS[i],
        "Q7": ({"r1": "3", "r2": "3"} if i < 12 else {"r1": "2", "r2": "2"} if i < 24
               else {"r1": "1", "r2": "2"} if i < 28 else {"r1": "2", "r2": "1"}),
        "Q11": "1" if i < 3 else "2" if i < 11 else "3" if i < 20 else "4" if i < 27 else "5" if i < 29 else "6",
        "Q12": "1" if i < 18 else "2" if i < 29 else "3",
    }
    if i in YES:
        n = YES.index(i)
        data["Q4"] = REASONS[n]
        if n in OTHER_REASONS:
            data["Q4.other"] = OTHER_REASONS[n]
    if i < len(MINUTES):
        data["Q6"] = MINUTES[i]
    if i < len(RANKINGS):
        data["Q8"] = RANKINGS[i]
    if i < len(OCCUPATIONS):
        data["Q9"] = OCCUPATIONS[i]
    if i < 23:
        data["Q10"] = IDEAS[i] if i < len(IDEAS) else f"Idée numéro {i}"
    return data, channel, WEEK_1_DAY if i < 12 else WEEK_3_DAY


def add_response(survey, data: dict, channel: Channel = Channel.WEB, day: dt.date = WEEK_1_DAY) -> Response:
    """Store a response the way the services do (answer rows built by answers.answer_rows)."""
    response = Response(survey=survey, channel=channel, submitted_on=day)
    for question in survey.questions:
        response.answers.extend(answer_rules.answer_rows(question, data))
    db.session.add(response)
    return response


def add_thirty(survey) -> None:
    for i in range(30):
        data, channel, day = respondent(i)
        add_response(survey, data, channel, day)
    db.session.commit()


@pytest.fixture
def thirty(survey):
    """The default survey with the 30 responses described above."""
    add_thirty(survey)
    return survey


def result(survey, code: str):
    return results.question_result(survey, next(q for q in survey.questions if q.code == code))


def counts(found) -> list[int]:
    return [c.count for c in found.counts]


# --- overview --------------------------------------------------------------------------------------

def test_overview_counts_responses_and_collection_period(thirty):
    found = results.overview(thirty)

    assert found.responses == 30
    assert (found.first_day, found.last_day) == (WEEK_1_DAY, WEEK_3_DAY)


def test_responses_per_week_include_the_empty_week(thirty):
    found = results.overview(thirty)

    assert found.weeks == [(dt.date(2026, 10, 5), 12), (dt.date(2026, 10, 12), 0), (dt.date(2026, 10, 19), 18)]


def test_responses_per_channel(thirty):
    found = results.overview(thirty)

    assert found.channels == [(Channel.WEB, 18), (Channel.PAPER, 8), (Channel.PHONE, 1), (Channel.WORKSHOP, 3)]


def test_overview_of_a_survey_without_responses(survey):
    found = results.overview(survey)

    assert (found.responses, found.first_day, found.weeks) == (0, None, [])


# --- closed questions ---------------------------------------------------------------------------------

def test_likert_counts_mean_and_median_positions(thirty):
    found = result(thirty, "Q2")

    assert counts(found) == [6, 12, 7, 4, 1]
    assert found.answered == 30
    assert found.mean_position == pytest.approx(2.4)
    assert found.median_position == 2


def test_yes_no_counts(thirty):
    assert counts(result(thirty, "Q3")) == [10, 20]


def test_multiple_choice_counts_each_option_once_per_respondent(thirty):
    found = result(thirty, "Q4")

    assert [(c.label, c.count) for c in found.counts] == [
        ("Le coût", 6), ("La distance", 4), ("Les délais d'attente", 4), ("Autre raison", 2)]
    assert found.answered == 10
    assert found.multiple


def test_conditional_question_is_asked_only_to_those_it_concerns(thirty):
    found = result(thirty, "Q4")

    assert (found.asked, found.answered) == (10, 10)


def test_other_texts_are_counted(thirty):
    assert result(thirty, "Q4").other_texts == 2


def test_commune_question_counts_every_commune_of_the_territory(thirty):
    found = {c.label: c.count for c in result(thirty, "Q1").counts}

    assert len(found) == 22
    assert (found["Castelsarrasin"], found["Moissac"], found["Saint-Nicolas-de-la-Grave"], found["Boudou"]) == (20, 4, 5, 1)
    assert found["Montaïn"] == 0


def test_age_band_counts(thirty):
    assert counts(result(thirty, "Q11")) == [3, 8, 9, 7, 2, 1]


# --- numbers -----------------------------------------------------------------------------------------

def test_rating_statistics(thirty):
    found = result(thirty, "Q5")

    assert found.answered == 30
    assert found.mean == pytest.approx(206 / 30)
    assert (found.median, found.minimum, found.maximum) == (7, 3, 10)


def test_rating_distribution_has_one_bar_per_value_from_0_to_10(thirty):
    found = result(thirty, "Q5")

    assert [b.label for b in found.bins] == [str(v) for v in range(11)]
    assert [b.count for b in found.bins] == [0, 0, 0, 1, 0, 6, 4, 8, 7, 3, 1]


def test_number_statistics(thirty):
    found = result(thirty, "Q6")

    assert found.answered == 20
    assert (found.mean, found.median, found.minimum, found.maximum) == (34, 22.5, 5, 120)


def test_number_histogram_has_round_bands(thirty):
    found = result(thirty, "Q6")

    assert [(b.label, b.count) for b in found.bins] == [
        ("0–19", 6), ("20–39", 8), ("40–59", 2), ("60–79", 2), ("80–99", 1), ("100–119", 0), ("120–139", 1)]


# --- matrix and scores ---------------------------------------------------------------------------------

def test_matrix_distribution_per_item(thirty):
    found = result(thirty, "Q7")

    assert [(r.label, r.answered, [c.count for c in r.counts]) for r in found.rows] == [
        ("Je me suis senti·e bien et de bonne humeur", 30, [4, 14, 12]),
        ("Je me suis senti·e calme et tranquille", 30, [2, 16, 12]),
    ]


def test_short_scored_scale_has_one_band_per_possible_score(thirty):
    score = result(thirty, "Q7").score

    assert score.complete == 30
    assert score.mean_raw == pytest.approx(2.6)
    assert score.mean_percent == pytest.approx(10.4)
    assert [(b.label, b.count) for b in score.bands] == [("0", 0), ("4", 6), ("8", 12), ("12", 0), ("16", 12)]
    assert score.low == 30  # the cut-off (50) is above the maximum (16): everyone is "low"


WHO5_SCORES = {5: [1] * 5, 10: [2] * 5, 12: [3, 3, 2, 2, 2], 13: [3, 3, 3, 2, 2], 20: [4] * 5, 25: [5] * 5}


@pytest.fixture
def who5(make_survey):
    """A WHO-5 survey: five items scored 0 to 5, ×4, cut-off 50; six complete respondents and one incomplete."""
    items = rows("Bonne humeur", "Calme", "Énergique", "Frais et dispos au réveil", "Vie remplie de choses intéressantes")
    scale = options("Jamais", "De temps en temps", "Moins de la moitié du temps", "Plus de la moitié du temps",
                    "La plupart du temps", "Tout le temps", scores=[0, 1, 2, 3, 4, 5])
    question = Question(code="W1", type=QuestionType.MATRIX, text="Au cours des deux dernières semaines…", scored=True,
                        score_multiplier=4, score_cutoff=50, score_cutoff_label="Bien-être faible",
                        options=items + scale)
    survey = make_survey(pages=[SurveyPage(title="Bien-être", questions=[question])])
    for raw, points in WHO5_SCORES.items():
        add_response(survey, {"W1": {f"r{n}": str(p + 1) for n, p in enumerate(points, start=1)}})
    add_response(survey, {"W1": {"r1": "6", "r2": "6", "r3": "6", "r4": "6"}})  # one item left blank
    db.session.commit()
    return survey


def test_who5_score_counts_complete_respondents_only(who5):
    score = result(who5, "W1").score

    assert score.complete == 6


def test_who5_raw_score_and_percentage(who5):
    score = result(who5, "W1").score

    assert score.mean_raw == pytest.approx(85 / 6)
    assert score.mean_percent == pytest.approx(340 / 6)
    assert score.median_percent == 50  # (48 + 52) / 2
    assert score.max_percent == 100


def test_who5_share_at_or_below_the_cutoff(who5):
    score = result(who5, "W1").score

    assert (score.low, score.cutoff, score.cutoff_label) == (3, 50, "Bien-être faible")  # 20, 40 and 48


def test_who5_bands_are_fifths_split_at_the_cutoff(who5):
    score = result(who5, "W1").score

    assert [(b.label, b.count) for b in score.bands] == [
        ("0–20", 1), ("21–40", 1), ("41–50", 1), ("51–60", 1), ("61–80", 1), ("81–100", 1)]
    assert score.low_bands == 3


def test_raw_scores_are_counted_per_complete_respondent(who5):
    question = who5.questions[0]
    data = results.load(who5)

    found = sorted(data.tally.scores[question.id].items())

    assert found == [(5, 1), (10, 1), (12, 1), (13, 1), (20, 1), (25, 1)]  # percentages 20, 40, 48, 52, 80, 100


# --- ranking ------------------------------------------------------------------------------------------

def test_ranking_orders_items_by_borda_points(thirty):
    found = result(thirty, "Q8")

    assert [(i.label, i.borda) for i in found.items] == [
        ("Accès aux soins", 23), ("Santé mentale", 18), ("Alimentation", 9), ("Logement", 4)]


def test_ranking_mean_rank_and_first_places(thirty):
    found = {i.label: i for i in result(thirty, "Q8").items}

    assert (found["Accès aux soins"].ranked, found["Accès aux soins"].first) == (9, 5)
    assert found["Accès aux soins"].mean_rank == pytest.approx(13 / 9)
    assert found["Santé mentale"].mean_rank == pytest.approx(10 / 7)
    assert (found["Logement"].first, found["Logement"].mean_rank) == (0, 2)


def test_ranking_counts_respondents_and_positions(thirty):
    found = result(thirty, "Q8")

    assert (found.answered, found.positions) == (10, 3)


# --- free texts ----------------------------------------------------------------------------------------

def test_text_question_result_is_only_a_count(thirty):
    found = result(thirty, "Q10")

    assert (found.kind, found.answered) == ("text", 23)


def test_text_search_ignores_case_and_accents(thirty):
    found = results.text_answers(thirty, search="sante")

    assert [a.text for a in found.items] == ["Plus de médecins : la santé avant tout", "La SANTÉ mentale des jeunes"]


def test_text_answers_include_other_texts_with_their_option(thirty):
    found = results.text_answers(thirty, question_code="Q4")

    assert [(a.option_label, a.text) for a in found.items] == [
        ("Autre raison", "Pas de médecin disponible"), ("Autre raison", "Le médecin ne prend plus de nouveaux patients")]


def test_text_answers_come_twenty_per_page(thirty):
    first = results.text_answers(thirty, question_code="Q10")
    second = results.text_answers(thirty, question_code="Q10", page=2)

    assert (first.total, first.pages, len(first.items), len(second.items)) == (23, 2, 20, 3)
    assert second.items[-1].text == "Idée numéro 22"


def test_text_answers_of_every_text_question(thirty):
    assert results.text_answers(thirty).total == 5 + 2 + 23


# --- breakdowns ----------------------------------------------------------------------------------------

def variable(survey, key: str) -> results.Variable:
    return next(v for v in results.breakdown_variables(survey) if v.key == key)


def test_breakdown_variables_offer_what_the_survey_has(thirty):
    assert [v.key for v in results.breakdown_variables(thirty)] == ["commune", "age_band", "sex", "channel"]


def test_crosstab_counts_each_group(thirty):
    question = next(q for q in thirty.questions if q.code == "Q3")

    table = results.crosstab(thirty, question, variable(thirty, "sex"))

    assert [label for _key, label in table.groups] == ["Une femme", "Un homme", "Autre ou non précisé"]
    assert table.counts == [[7, 11], [2, 9], [1, 0]]
    assert table.bases == [18, 11, 1]
    assert (table.column_totals, table.total) == ([10, 20], 30)


def test_crosstab_by_channel(thirty):
    question = next(q for q in thirty.questions if q.code == "Q3")

    table = results.crosstab(thirty, question, variable(thirty, "channel"))

    assert table.counts == [[7, 11], [2, 6], [0, 1], [1, 2]]


def test_crosstab_of_a_multiple_choice_counts_each_option(thirty):
    question = next(q for q in thirty.questions if q.code == "Q4")

    table = results.crosstab(thirty, question, variable(thirty, "sex"))

    assert table.counts == [[5, 3, 3, 1], [0, 1, 1, 1], [1, 0, 0, 0]]
    assert table.bases == [7, 2, 1]


def test_respondents_without_the_breakdown_answer_are_not_stated(thirty):
    add_response(thirty, {"Q1": "82033", "Q2": "2", "Q3": "2"})
    db.session.commit()
    question = next(q for q in thirty.questions if q.code == "Q3")

    table = results.crosstab(thirty, question, variable(thirty, "sex"))

    assert table.groups[-1][0] == results.NOT_STATED
    assert table.counts[-1] == [0, 1]


# --- representativeness --------------------------------------------------------------------------------

def commune_share(survey, name: str) -> results.CommuneShare:
    return next(c for c in results.representativeness(survey).communes if c.commune.name == name)


def test_representativeness_rate_per_thousand_inhabitants(thirty):
    found = results.representativeness(thirty)

    assert (found.respondents, found.population) == (30, 42174)
    assert found.per_thousand == pytest.approx(30_000 / 42174)
    assert commune_share(thirty, "Castelsarrasin").per_thousand == pytest.approx(20_000 / 14343)


def test_representativeness_shares_of_responses_and_population(thirty):
    moissac = commune_share(thirty, "Moissac")

    assert moissac.response_share == pytest.approx(4 / 30)
    assert moissac.population_share == pytest.approx(13419 / 42174)


def test_commune_below_half_the_overall_rate_is_flagged(thirty):
    # Moissac: 4 / 13 419 → 0.30 ‰, below half of 30 / 42 174 (0.36 ‰).
    assert commune_share(thirty, "Moissac").status == "under"


def test_communes_above_half_the_overall_rate_are_not_flagged(thirty):
    assert {commune_share(thirty, n).status for n in ("Castelsarrasin", "Boudou", "Saint-Nicolas-de-la-Grave")} == {"ok"}


def test_communes_without_any_response_are_flagged(thirty):
    found = results.representativeness(thirty)

    assert sum(1 for c in found.communes if c.status == "none") == 18
    assert commune_share(thirty, "Montaïn").status == "none"


def test_identified_survey_breaks_down_by_the_account_category(make_survey, make_user):
    from consult.accounts.models import Category
    from consult.surveys.models import SurveyMode

    survey = make_survey(mode=SurveyMode.IDENTIFIED)
    for category, answer in [(Category.RESIDENT, "1"), (Category.RESIDENT, "2"), (Category.ELECTED, "2")]:
        response = add_response(survey, {"Q1": "82033", "Q2": "2", "Q3": answer})
        response.user_id = make_user(category=category).id
    add_response(survey, {"Q1": "82033", "Q2": "2", "Q3": "1"})  # a paper questionnaire: no account
    db.session.commit()
    question = next(q for q in survey.questions if q.code == "Q3")

    table = results.crosstab(survey, question, variable(survey, "category"))

    by_group = dict(zip([key for key, _label in table.groups], table.counts))
    assert (by_group["resident"], by_group["elected"], by_group[results.NOT_STATED]) == ([1, 1], [0, 1], [1, 0])
