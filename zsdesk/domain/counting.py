"""What each indicator counts: the counting rules, written once, as data.

The store turns a :class:`CountingRule` into one SQL aggregate; the domain turns the
actual values into completion rates, schedule and ranking (:mod:`zsdesk.domain.progress`).
The return, the charts, the brief and the GUI all read the same numbers from there.

Decisions the guide leaves open, made here and nowhere else:

* Funds count for the year of their month, from January up to and including the
  month asked for. Funds of suspended or terminated projects still count: money that
  arrived, arrived.
* 浙商回归 counts only projects that were declared (已申报); a project that started
  building but was never declared counts zero (已开工未申报, as the review says of the
  ski resort).
* 内资 is every project not flagged 外资.
* A "new" project (大项目) is one signed in the year up to the month's end and not
  carried over from an earlier year.
* A new film and culture firm is an investor of the industry 文化影视 registered in the
  county in the year up to the month's end; of which film production is a flag on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .enums import FILM_CULTURE_INDUSTRY, Indicator

DEFAULT_MAJOR_THRESHOLD_WAN = Decimal(5000)
"""新引进投资规模 N 万元以上: N, unless the file's settings say otherwise."""


@dataclass(frozen=True)
class CountingRule:
    indicator: Indicator
    subject: str
    """'funds' (sum of monthly funds arrived), 'projects' or 'investors' (a count)."""
    required_flags: tuple[str, ...] = ()
    """Project attributes that must be true."""
    excluded_flags: tuple[str, ...] = ()
    """Project attributes that must be false."""
    date_field: str | None = None
    """For counts: the attribute whose date must fall in the year up to the month's end."""
    above_threshold: bool = False
    """Planned investment at least the file's major-project threshold."""
    industry: str | None = None


RULES: dict[Indicator, CountingRule] = {
    rule.indicator: rule
    for rule in (
        CountingRule(Indicator.DOMESTIC_FUNDS, "funds", excluded_flags=("foreign_capital",)),
        CountingRule(
            Indicator.ZHEJIANG_RETURN_FUNDS, "funds", required_flags=("zhejiang_return", "declared")
        ),
        CountingRule(Indicator.MOUNTAIN_SEA_FUNDS, "funds", required_flags=("mountain_sea",)),
        CountingRule(
            Indicator.MAJOR_PROJECTS,
            "projects",
            excluded_flags=("carried_over",),
            date_field="signed_on",
            above_threshold=True,
        ),
        CountingRule(
            Indicator.FILM_CULTURE_FIRMS,
            "investors",
            date_field="registered_on",
            industry=FILM_CULTURE_INDUSTRY,
        ),
        CountingRule(Indicator.PLANNED_PROJECTS, "projects", date_field="planned_on"),
        CountingRule(Indicator.SIGNED_PROJECTS, "projects", date_field="signed_on"),
    )
}
