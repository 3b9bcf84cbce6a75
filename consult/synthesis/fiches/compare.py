"""Two versions of a fiche side by side: every field with both values as readable lines, and whether it changed."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_babel import format_currency, format_date, format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from consult.synthesis.models import (
    FicheVersion,
    FundingKind,
    IndicatorKind,
    ParticipationLevel,
    PartnerRole,
    Priority,
    TargetPublic,
)

# The fields of a version (`versions.snapshot`), in the order of the fiche (FICHE_ACTION.md §A.2), with the
# labels real fiches use.
FIELDS: list[tuple[str, object]] = [
    ("title", _l("Title of the action")),
    ("axis", _l("Strategic axis")),
    ("objective", _l("Objective of the contract")),
    ("general_objective", _l("General objective")),
    ("specific_objectives", _l("Specific objectives")),
    ("context", _l("Context and findings")),
    ("description", _l("Description and implementation")),
    ("steps", _l("Steps")),
    ("partners", _l("Lead organisation and partners")),
    ("elected_referent", _l("Elected referent")),
    ("publics", _l("Target publics")),
    ("publics_detail", _l("Target publics, details")),
    ("whole_territory", _l("Whole territory")),
    ("communes", _l("Communes concerned")),
    ("starts_on", _l("Starts on")),
    ("ends_on", _l("Ends on")),
    ("ongoing", _l("Permanent action")),
    ("calendar", _l("Calendar")),
    ("means", _l("Human and technical means")),
    ("fundings", _l("Budget and funding")),
    ("indicators", _l("Evaluation indicators")),
    ("expected_results", _l("Expected results")),
    ("participation_level", _l("Participation of residents")),
    ("participation_detail", _l("Participation of residents, details")),
    ("programme_links", _l("Links with the PRS, PTSM and other programmes")),
    ("priority", _l("Priority")),
    ("governance_body", _l("Governance body")),
]


@dataclass(frozen=True)
class ComparedField:
    """One field of two versions: each side as lines of text, and whether they differ."""

    key: str
    label: str
    before: list[str]
    after: list[str]

    @property
    def changed(self) -> bool:
        return self.before != self.after


def euros(amount: int | float | None) -> str:
    """An amount in whole euros, as the reader's locale writes it (« 6 000 € », « €6,000 »)."""
    pattern = get_locale().currency_formats["standard"].pattern.split(";")[0].replace(".00", "")
    return format_currency(amount or 0, "EUR", format=pattern, currency_digits=False)


def _label(kind, value) -> str:
    try:
        return kind(value).label
    except ValueError:
        return str(value)


def _date(value: str | None) -> str:
    return format_date(dt.date.fromisoformat(value), "long") if value else ""


def _number(value) -> str:
    return "" if value is None else format_decimal(value)


def lines(key: str, value, communes: dict[str, str] | None = None) -> list[str]:
    """A field's value as lines a person reads (lists one line per item; empty values no line)."""
    if value is None or value == "" or value == []:
        return []
    if key == "specific_objectives":
        return [f"{n}. {text}" for n, text in enumerate(value, 1)]
    if key == "partners":
        return [" — ".join(filter(None, [_label(PartnerRole, p["role"]), p["organisation"], p.get("contact")]))
                for p in value]
    if key == "fundings":
        return [" — ".join(filter(None, [f["funder"], _label(FundingKind, f["kind"]), euros(f["amount"]),
                                         str(f["year"]) if f.get("year") else ""])) for f in value]
    if key == "indicators":
        return [" — ".join(filter(None, [
            _label(IndicatorKind, i["kind"]), i["name"],
            _("target: %(target)s %(unit)s", target=_number(i["target"]), unit=i.get("unit") or "").strip()
            if i.get("target") is not None else "",
            i.get("source"), i.get("frequency")])) for i in value]
    if key == "steps":
        return [" — ".join(filter(None, [s["title"], _date(s.get("due_on"))])) for s in value]
    if key == "publics":
        return [_label(TargetPublic, v) for v in value]
    if key == "communes":
        names = communes or {}
        return [f"{names[code]} ({code})" if code in names else code for code in value]
    if key in ("whole_territory", "ongoing"):
        return [_("Yes") if value else _("No")]
    if key in ("starts_on", "ends_on"):
        return [_date(value)]
    if key == "participation_level":
        return [_label(ParticipationLevel, value)]
    if key == "priority":
        return [_label(Priority, value)]
    return [line for line in str(value).splitlines() if line.strip()] or [str(value)]


def compare(a: FicheVersion, b: FicheVersion, communes: dict[str, str] | None = None) -> list[ComparedField]:
    """Every field of versions `a` (before) and `b` (after), in the fiche's order; `communes` names INSEE codes."""
    return [ComparedField(key, str(label), lines(key, a.content.get(key), communes),
                          lines(key, b.content.get(key), communes)) for key, label in FIELDS]
