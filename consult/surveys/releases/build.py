"""Building a release's content: every figure the public and observers may read, protected together.

One pass over the survey's answers gives, for each published figure, the set of responses it counts.
Each table is protected on its own first (`consult.core.disclosure`: primary, small groups, secondary),
then the whole register is audited jointly (`disclosure.protect_jointly`) and the views are made from
the final states. What a release holds is plain data (`ReleaseContent`): labels, shown values, the
reason of each hidden figure — never a hidden value.
"""
from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from consult.accounts.models import Category
from consult.core.disclosure import (
    Cell,
    ProtectedCounts,
    Reason,
    Relation,
    protect_counts,
    protect_table,
    share,
    suppress,
)
from consult.surveys import results
from consult.surveys.answering.answers import OTHER_COMMUNE
from consult.surveys.models import Channel, Question
from consult.surveys.results import presentation as p
from consult.surveys.results.data import NOT_STATED, T
from consult.surveys.releases.content import Audit, ReleaseContent, Trace
from consult.surveys.releases.figures import Answers, key, with_condition
from consult.surveys.releases.register import Key, Register

def build(data: results.SurveyData, k: int, *, joint: bool = True, languages: Sequence[str] | None = None,
          trace: Trace | None = None) -> tuple[dict[str, ReleaseContent], Audit]:
    """The protected content of a release of the survey's current answers in every language of the site, or in
    `languages` (labels such as channels, "not stated" or week dates are the platform's words), and the audit's
    figures.

    The figures and their protection are computed once, in the first language; each other language only renders
    the labels again. `joint=False` (a coordinator's preview) stops after each table's own protection, made
    consistent across tables (a figure hidden in one table is hidden in all), without the joint audit's programs.
    """
    languages = list(languages or current_app.config["LANGUAGES"])
    if joint:  # imported only then: the audit loads SciPy and NumPy, which nothing else in a worker needs
        from consult.core.disclosure.audit import protect_jointly
    started = time.perf_counter()
    withheld: set[tuple[str, str]] = set()
    for _attempt in range(3):
        builder = _Builder(data, k, withheld)
        with force_locale(languages[0]):  # its labels serve the first language's content below
            builder.collect()
        quantities = builder.register.quantities()
        if not joint:
            outcome = None
            break
        outcome = protect_jointly(quantities.values, quantities.relations, k, hidden=quantities.hidden,
                                  known=quantities.known, margins=quantities.margins, locked=quantities.locked)
        pinned = {i for i, interval in outcome.intervals.items() if interval.pinned and i not in quantities.locked}
        if not pinned:
            break
        # Figures published elsewhere (locked) still pin something: leave out the breakdowns holding it.
        stuck = {name for name, figures in builder.table_figures.items()
                 if any(quantities.of[f] in pinned for f in figures)}
        if not stuck - withheld:
            break
        withheld |= stuck
    states = outcome.hidden if outcome is not None else quantities.hidden
    if trace is not None:
        trace.quantities, trace.states = quantities, dict(states)
    cells = quantities.cells(states)
    sizes = dict(figures=len(quantities.of), quantities=len(quantities.values), relations=len(quantities.relations),
                 hidden_per_table=len(quantities.hidden))
    # The views need the cells only: the relations (each row and column of every table, ~1 MB at the demo's
    # size, twice: the register's and the quantities') go before the views are built, the peak of a preview.
    del quantities
    builder.register.relations = []
    contents = {}
    with force_locale(languages[0]):
        contents[languages[0]] = builder.views(cells)
    for language in languages[1:]:
        with force_locale(language):
            again = _Builder(data, k, withheld)
            again.collect()
            if again.register.keys != builder.register.keys:  # the same figures, whatever the language
                raise RuntimeError("a release's figures must not depend on the language")
            contents[language] = again.views(cells)
        del again  # one language's builder at a time
    audit = Audit(
        **sizes,
        pinned_before=len(outcome.pinned_before) if outcome else 0,
        hidden_by_audit=len(outcome.mended) + len(outcome.added) if outcome else 0,
        pinned_after=len(pinned) if outcome else 0,
        narrowed=len(outcome.narrowed) if outcome else 0, programs=outcome.programs if outcome else 0,
        withheld_tables=len(withheld), seconds=round(time.perf_counter() - started, 3),
    )
    return contents, audit

# --- the builder ------------------------------------------------------------------------------------

class _Builder:
    def __init__(self, data: results.SurveyData, k: int, withheld: set[tuple[str, str]]):
        self.data, self.k, self.withheld = data, k, withheld
        self.survey = data.survey
        self.sets = Answers(data)
        self.register = Register()
        self.table_figures: dict[tuple[str, str], range] = {}
        self.overall: dict[int, tuple[range, int]] = {}   # a closed question's figures, by question id
        self.omitted = 0

    # Each `_…` method adds a table to the register and a step that builds its view from the final cells.

    def collect(self) -> None:
        self.total = self._figure(self.sets.everyone, key(), locked=True)
        self._overview()
        self.question_steps = [self._question(q) for q in self.survey.questions]
        self._breakdowns()
        self._representativeness()

    def views(self, cells: Sequence[Cell]) -> ReleaseContent:
        questions = [step(cells) for step in self.question_steps]
        tables = [step(cells) for step in self.table_steps]
        return ReleaseContent(
            overview=self.overview_step(cells), questions=questions, variables=self.variables,
            breakdowns=[t for t in tables if t is not None], too_few=self.too_few,
            representativeness=self.representativeness_step(cells), merged=self.merged,
        )

    # --- adding tables

    def _figure(self, value: int, key: Key, *, locked: bool = False) -> int:
        return self.register.add([value], [key], [Cell(value)], locked=[0] if locked else ())[0]

    def _distribution(self, counts: Sequence[int], keys: Sequence[Key], base: int | None, base_key: Key, *,
                      additive: bool = True) -> tuple[list[int], int]:
        """A list of counts over a base (protected as `protect_counts` does); returns (figures, base figure)."""
        base_value = base if base is not None else sum(counts)
        protected = protect_counts(counts, self.k, total=base_value, additive=additive)
        n = len(counts)
        figures = self.register.add(
            [*counts, base_value], [*keys, base_key], [*protected.cells, protected.total],
            relations=[Relation(tuple(range(n)), n, additive)] if counts else [],
            margins=[n], known=[i for i, c in enumerate(counts) if c == 0 and base_value == 0],
        )
        return figures[:n], figures[n]

    @staticmethod
    def _shown(labels: Sequence[str], figures: Sequence[int], base: int, cells: Sequence[Cell], *,
               additive: bool = True) -> p.Shown:
        base_cell = cells[base]
        return p.Shown([p.Line(label, cells[f], share(cells[f], base_cell)) for label, f in zip(labels, figures)],
                       base_cell, additive)

    def _overview(self) -> None:
        facts = results.overview(self.survey, self.data)
        channels = [n for _c, n in facts.channels]
        weeks = [n for _day, n in facts.weeks]
        channel_figures, channel_base = self._distribution(
            channels, [key(("channel", c.value)) for c, _n in facts.channels], facts.responses, key())
        week_figures, week_base = self._distribution(
            weeks, [key(("week", day.isoformat())) for day, _n in facts.weeks], facts.responses, key())

        def step(cells):
            return p.OverviewView(
                facts.responses, _month(facts.first_day), _month(facts.last_day),
                self._shown([p.format_week(day) for day, _n in facts.weeks], week_figures, week_base, cells),
                self._shown([str(c.label) for c, _n in facts.channels], channel_figures, channel_base, cells),
                [day for day, _n in facts.weeks], [str(c.label) for c, n in facts.channels if n])
        self.overview_step = step

    def _question(self, question: Question):
        info = p.QuestionInfo.of(question)
        result = results.question_result(self.survey, question, self.data)
        view = p.QuestionView(info, result.kind, Cell(None))
        if isinstance(result, results.ChoiceResult):
            categories, counts, answered = self.sets.choice(question)
            figures, base = self._distribution(counts, [key((question.code, c)) for c, _l in categories],
                                               answered, self.sets.answered(question, answered),
                                               additive=result.additive)
            self.overall[question.id] = (figures, base)

            def step(cells):
                view.shown = self._shown([label for _code, label in categories], figures, base, cells,
                                         additive=result.additive)
                view.answered, view.multiple = view.shown.base, result.multiple
                if result.mean_position is not None:
                    _stats(view, result.mean_position, result.median_position)
                    labels = [label for _code, label in categories]
                    if view.median is not None:
                        low, high = int(view.median // 1), int(-(-view.median // 1))
                        view.median_label = labels[low - 1] if low == high else f"{labels[low - 1]} – {labels[high - 1]}"
                return view
            return step
        if isinstance(result, (results.NumericResult, results.DateResult)):
            pairs = ([(b.label, b.count) for b in result.bins] if isinstance(result, results.NumericResult)
                     else [(c.label, c.count) for c in result.months])
            answered = self.sets.tally.count(question, "number" if result.kind == "numeric" else "text")
            figures, base = self._distribution(
                [c for _l, c in pairs], [key((question.code, "band", str(n))) for n in range(len(pairs))],
                result.answered, self.sets.answered(question, answered) if answered == result.answered else None)

            def step(cells):
                view.shown = self._shown([label for label, _c in pairs], figures, base, cells)
                view.answered = view.shown.base
                if isinstance(result, results.NumericResult):
                    _stats(view, result.mean, result.median)
                return view
            return step
        if isinstance(result, results.MatrixResult):
            return self._matrix(question, result, view)
        if isinstance(result, results.RankingResult):
            return self._ranking(question, result, view)
        texts = self.sets.tally.count(question, "nonblank")
        figure = self.register.add([result.answered],
                                   [self.sets.answered(question, texts) if texts == result.answered else None],
                                   [p._count(result.answered, self.k)])[0]

        def step(cells):
            view.answered = cells[figure]
            return view
        return step

    def _matrix(self, question: Question, result: results.MatrixResult, view: p.QuestionView):
        lines = []
        for item, row in zip(question.rows, result.rows):
            keys = [key((question.code, item.code, c.code)) for c in question.choices]
            lines.append((row.label, [c.label for c in row.counts],
                          self._distribution([c.count for c in row.counts], keys, row.answered,
                                             key((question.code, item.code, "answered")))))
        score = self._score(result.score) if result.score is not None else None

        def step(cells):
            view.columns = [label for _code, label in result.columns]
            view.matrix = [(label, self._shown(labels, figures, base, cells)) for label, labels, (figures, base) in lines]
            view.answered = Cell(result.answered) if not 0 < result.answered < self.k else Cell(None, Reason.PRIMARY)
            if score is not None:
                view.score = score(cells)
            return view
        return step

    def _score(self, score: results.ScoreResult):
        n = len(score.bands)
        values, relations = p.score_figures(score)
        protected = suppress(values, relations, self.k, margins=range(n, len(values)))
        figures = self.register.add(values, [None] * len(values), protected, relations=relations,
                                    margins=range(n, len(values)))

        def step(cells):
            complete = cells[figures[n]]
            shown = p.Shown([p.Line(b.label, cells[f], share(cells[f], complete))
                             for b, f in zip(score.bands, figures[:n])], complete)
            low = (p.Line(score.cutoff_label, cells[figures[n + 1]], share(cells[figures[n + 1]], complete))
                   if score.low is not None else None)
            withheld = any(cells[f].hidden for f in figures)
            return p.ScoreView(
                complete=complete, bands=shown, low=low, cutoff=score.cutoff, cutoff_label=score.cutoff_label,
                max_percent=score.max_percent, mean_raw=None if withheld else score.mean_raw,
                mean_percent=None if withheld else score.mean_percent,
                median_percent=score.median_percent if not complete.hidden else None,
                mean_withheld=withheld and score.mean_percent is not None)
        return step

    def _ranking(self, question: Question, result: results.RankingResult, view: p.QuestionView):
        items = result.items
        answered = self.sets.tally.count(question, "rank")
        base_key = self.sets.answered(question, answered) if answered == result.answered else None
        firsts, base = self._distribution([i.first for i in items],
                                          [key((question.code, "first", i.label)) for i in items],
                                          result.answered, base_key)
        seen, seen_base = self._distribution([i.ranked for i in items],
                                             [key((question.code, "ranked", i.label)) for i in items],
                                             result.answered, base_key, additive=False)

        def step(cells):
            view.positions = result.positions
            view.answered = cells[base]
            for item, f, s in zip(items, firsts, seen):
                safe = not any(0 < c < self.k for c in item.rank_counts) and not cells[f].hidden and not cells[s].hidden
                view.ranking.append(p.RankView(item.label, cells[s], cells[f], share(cells[f], cells[base]),
                                               item.mean_rank if safe else None, item.borda if safe else None))
            view.mean_withheld = any(r.mean_rank is None and r.ranked.value != 0 for r in view.ranking)
            return view
        return step

    # --- breakdowns

    def _breakdowns(self) -> None:
        variables = results.breakdown_variables(self.survey)
        self.variables = [p.VariableInfo(v.key, v.label) for v in variables]
        crossable = results.crossable_questions(self.survey, variables)
        offered, too_few = p.breakdown_questions(self.data, crossable, self.k)
        self.too_few = [p.QuestionInfo.of(q) for q in too_few]
        self.merged: list[str] = []
        groups = {v.key: self._groups(v) for v in variables}
        self.table_steps = []
        for question in offered:
            for variable in variables:
                if not results.can_cross(question, variable):
                    continue
                if (question.code, variable.key) in self.withheld:
                    self.table_steps.append(_withheld(question, variable))
                else:
                    self.table_steps.append(self._crosstab(question, variable, groups[variable.key]))

    def _groups(self, variable: results.Variable) -> list[tuple[str, frozenset | None, tuple[str, str]]]:
        """(label, the tally's groups it gathers, condition) of each group of a variable, "not stated" last (None:
        everyone in no other group); the same for every question. Communes with fewer than k respondents in the
        whole survey are one group, in every table."""
        if variable.key == "channel":
            found = [(str(c.label), frozenset({c.value}), ("channel", c.value)) for c in Channel]
            return [*found, (_("Not stated"), frozenset(), ("channel", NOT_STATED))]
        if variable.question is None:  # the account's category
            found = [(str(c.label), frozenset({c.value}), ("category", c.value)) for c in Category]
            code = "category"
        else:
            code = variable.question.code
            categories, counts, _answered = self.sets.choice(variable.question)
            if variable.question.type is T.COMMUNE:
                # « Another commune » is a category like a commune (merged when small), never an omitted one.
                known = {c.insee_code for c in self.data.communes} | {OTHER_COMMUNE}
                pairs = [(c, label, n) for (c, label), n in zip(categories, counts) if c in known]
                kept = [(label, frozenset({c}), (code, c)) for c, label, n in pairs if n >= self.k]
                small = [(c, label) for c, label, n in pairs if 0 < n < self.k]
                self.merged = [label for _c, label in small]
                found = kept + ([(_("Other communes (grouped)"), frozenset(c for c, _l in small), (code, p.MERGED))]
                                if small else [])
                self.omitted = sum(1 for _c, _label, n in pairs if not n)
            else:
                found = [(label, frozenset({o.id}), (code, c))
                         for (c, label), o in zip(categories, variable.question.choices)]
        return [*found, (_("Not stated"), None, (code, NOT_STATED))]

    def _crosstab(self, question: Question, variable: results.Variable,
                  groups: list[tuple[str, frozenset | None, tuple[str, str]]]):
        categories, totals, answered = self.sets.choice(question)
        multiple = question.type is T.MULTIPLE
        answered_key = self.sets.answered(question, answered)
        source = results.source_of(variable)
        pairs = self.sets.tally.pairs.get((source, question.id), {})
        group_bases = self.sets.tally.bases.get((source, question.id), {})
        options = [o.id for o in question.choices]
        rows = []
        for label, members, condition in groups:
            if members is None:  # everyone else: what the other groups leave of each answer
                stated = rows
                cells = [total - sum(r[1][j] for r in stated) for j, total in enumerate(totals)]
                base = answered - sum(r[2] for r in stated)
            else:
                cells = [sum(pairs.get((m, o), (0, 0))[0] for m in members) for o in options]
                base = sum(group_bases.get(m, 0) for m in members)
            rows.append((label, cells, base, condition))
        not_stated = len(groups) - 1
        rows = [r for n, r in enumerate(rows) if n != not_stated or r[2]]
        counts = [list(cells) for _label, cells, _base, _c in rows]
        bases = [base for _label, _cells, base, _c in rows]
        overall_figures, overall_base = self.overall[question.id]
        values, state = self.register.values, self.register.states
        published = ProtectedCounts([Cell(None, state[f]) if f in state else Cell(values[f]) for f in overall_figures],
                                    Cell(None, state[overall_base]) if overall_base in state else Cell(values[overall_base]))
        table = protect_table(counts, self.k, row_totals=bases, rows_additive=not multiple, published=published)
        name = (question.code, variable.key)
        if table.withheld:
            return _withheld(question, variable)
        n_rows, n_cols = len(rows), len(categories)
        cell_keys = [key((question.code, c), condition) for _l, _cells, _b, condition in rows for c, _label in categories]
        flat_values = [v for r in counts for v in r] + bases + list(totals) + [answered]
        keys = (cell_keys + [with_condition(answered_key, condition) for _l, _c, _b, condition in rows]
                + [key((question.code, c)) for c, _label in categories] + [answered_key])
        flat_cells = ([c for r in table.cells for c in r] + list(table.row_totals) + list(table.column_totals)
                      + [table.grand_total])

        def cell(i: int, j: int) -> int:
            return i * n_cols + j
        row_total = [n_rows * n_cols + i for i in range(n_rows)]
        col_total = [n_rows * n_cols + n_rows + j for j in range(n_cols)]
        grand = n_rows * n_cols + n_rows + n_cols
        relations = [Relation(tuple(cell(i, j) for i in range(n_rows)), col_total[j]) for j in range(n_cols)]
        relations.append(Relation(tuple(row_total), grand))
        relations += [Relation(tuple(cell(i, j) for j in range(n_cols)), row_total[i], not multiple) for i in range(n_rows)]
        relations.append(Relation(tuple(col_total), grand, not multiple))
        known = [cell(i, j) for i in range(n_rows) for j in range(n_cols) if counts[i][j] == 0 and
                 (bases[i] == 0 or totals[j] == 0)]
        figures = self.register.add(flat_values, keys, flat_cells, relations=relations, known=known,
                                    margins=[*row_total, *col_total, grand])
        self.table_figures[name] = figures
        labels = [label for label, _cells, _base, _c in rows]
        merged, omitted = (self.merged, self.omitted) if variable.key == "commune" else ([], 0)
        small = [0 < b < self.k for b in bases]

        def step(cells):
            grand_cell = cells[figures[grand]]
            shown_rows = []
            for i, label in enumerate(labels):
                base = cells[figures[row_total[i]]]
                row = [(cells[figures[cell(i, j)]], share(cells[figures[cell(i, j)]], base)) for j in range(n_cols)]
                shown_rows.append(p.GroupRow(label, base, row, small[i]))
            totals = [(cells[figures[c]], share(cells[figures[c]], grand_cell)) for c in col_total]
            return p.TableView(p.QuestionInfo.of(question), p.VariableInfo(variable.key, variable.label),
                               [label for _c, label in categories], shown_rows, totals, grand_cell, multiple,
                               list(merged), omitted)
        return step

    # --- representativeness

    def _representativeness(self) -> None:
        facts = results.representativeness(self.survey, self.data)
        question = facts.question
        code = question.code if question is not None else "commune"
        keys = [key((code, c.commune.insee_code)) for c in facts.communes]
        counts = [c.respondents for c in facts.communes]
        n = len(counts)
        values = [*counts, facts.respondents, facts.without_commune, self.sets.everyone]
        relations = [Relation(tuple(range(n)), n), Relation((n, n + 1), n + 2)]
        # With nobody outside the territory's communes, those who gave one are everyone: never hidden.
        locked = [n + 2] + ([n] if facts.without_commune == 0 else [])
        protected = suppress(values, relations, self.k, locked=locked, margins=[n, n + 2])
        figures = self.register.add(values, [*keys, key((code, "territory")), key((code, "elsewhere")), key()],
                                    protected, relations=relations, margins=[n, n + 2], locked=locked)

        def step(cells):
            return p.representativeness_view(facts, [cells[f] for f in figures[:n]], cells[figures[n]],
                                             cells[figures[n + 1]])
        self.representativeness_step = step

def _withheld(question: Question, variable: results.Variable):
    """A breakdown that cannot be shown without giving a small count away: named, with no figure."""
    def step(_cells):
        return p.TableView(p.QuestionInfo.of(question), p.VariableInfo(variable.key, variable.label),
                           [o.label for o in question.choices], [], [], Cell(None, Reason.SECONDARY),
                           question.type is T.MULTIPLE, [], 0, withheld=True)
    return step

def _stats(view: p.QuestionView, mean: float | None, median: float | None) -> None:
    """A mean only when every count it summarises is shown; a median when its base is."""
    view.median = median if not view.answered.hidden else None
    if not view.answered.hidden and not view.shown.any_hidden:
        view.mean = mean
    else:
        view.mean_withheld = mean is not None

def _month(day: dt.date | None) -> dt.date | None:
    """The first day of the month: a release says in which months answers were collected, not which day."""
    return day.replace(day=1) if day else None
