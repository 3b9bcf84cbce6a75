"""What a release holds (`ReleaseContent`, stored as JSON per language), what its audit found (`Audit`), and
what it was computed from, for an auditor (`Trace`)."""
from __future__ import annotations

from dataclasses import dataclass, field

from consult.core.disclosure import Reason
from consult.surveys.releases.register import Quantities
from consult.surveys.results import presentation as p


@dataclass
class ReleaseContent:
    """What a release shows: the overview, every question, every breakdown offered, who has been heard."""

    overview: p.OverviewView
    questions: list[p.QuestionView]
    variables: list[p.VariableInfo]
    breakdowns: list[p.TableView]
    too_few: list[p.QuestionInfo]         # closed questions answered by fewer than 2k: never broken down
    representativeness: p.RepresentativenessView
    merged: list[str] = field(default_factory=list)   # communes grouped in every breakdown (fewer than k)

    def table(self, code: str, variable: str) -> p.TableView | None:
        return next((t for t in self.breakdowns if t.question.code == code and t.variable.key == variable), None)

    @property
    def offered(self) -> list[p.QuestionInfo]:
        seen: dict[str, p.QuestionInfo] = {}
        for table in self.breakdowns:
            seen.setdefault(table.question.code, table.question)
        order = {q.question.code: n for n, q in enumerate(self.questions)}
        return sorted(seen.values(), key=lambda q: order.get(q.code, 0))


@dataclass
class Audit:
    """What the joint audit found and did (stored with the release, shown to coordinators)."""

    figures: int
    quantities: int
    relations: int
    hidden_per_table: int      # quantities hidden by each table's own protection
    pinned_before: int         # of those, pinned to one value by a reader solving every table together
    hidden_by_audit: int       # quantities the joint audit hid in addition
    pinned_after: int
    narrowed: int              # hidden small counts the attacker narrows below their label's range (not pinned)
    programs: int              # linear and integer programs solved
    withheld_tables: int       # breakdowns left out because nothing could protect them
    seconds: float


@dataclass
class Trace:
    """What a release was computed from, for an auditor: the register's quantities and their final states."""

    quantities: Quantities | None = None
    states: dict[int, Reason] = field(default_factory=dict)
