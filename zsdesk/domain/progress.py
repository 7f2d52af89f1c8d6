"""Completion rate, 序时进度, status and ranking: pure arithmetic on actuals and targets.

Values come in the indicator's own measure: Decimal 万元 for money, int for counts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .enums import Indicator, Status
from .periods import YearMonth, schedule

RATE_QUANTUM = Decimal("0.000001")

Quantity = Decimal | int


@dataclass(frozen=True)
class ProgressRow:
    unit: str | None
    """Unit name; None for the county as a whole."""
    indicator: Indicator
    target: Quantity | None
    actual: Quantity
    rate: Decimal | None
    schedule: Decimal
    status: Status
    rank: int | None = None
    """1 = best completion rate among the units with a target; None for the county."""

    def as_json(self) -> dict:
        def text(value):
            return None if value is None else str(value)

        return {
            "unit": self.unit,
            "indicator": self.indicator.value,
            "target": text(self.target),
            "actual": text(self.actual),
            "rate": text(self.rate),
            "schedule": text(self.schedule.quantize(RATE_QUANTUM, ROUND_HALF_UP)),
            "status": self.status.value,
            "rank": self.rank,
        }


def completion_rate(actual: Quantity, target: Quantity | None) -> Decimal | None:
    """actual ÷ target to six decimals; None when there is no (or a zero) target."""
    if target is None or target == 0:
        return None
    return (Decimal(actual) / Decimal(target)).quantize(RATE_QUANTUM, ROUND_HALF_UP)


def status_of(actual: Quantity, rate: Decimal | None, elapsed: Decimal) -> Status:
    if rate is None:
        return Status.NO_TARGET
    if actual == 0:
        return Status.NOTHING
    if rate >= 1:
        return Status.DONE
    if rate >= elapsed:
        return Status.AHEAD
    return Status.BEHIND


def _row(unit, indicator, target, actual, elapsed) -> ProgressRow:
    rate = completion_rate(actual, target)
    return ProgressRow(unit, indicator, target, actual, rate, elapsed, status_of(actual, rate, elapsed))


@dataclass
class ProgressTable:
    """Every unit's and the county's progress on every indicator for one month."""

    period: YearMonth
    units: list[str]
    rows: list[ProgressRow] = field(default_factory=list)

    @property
    def schedule(self) -> Decimal:
        return schedule(self.period.month)

    def county(self, indicator: Indicator) -> ProgressRow:
        return next(r for r in self.rows if r.unit is None and r.indicator is indicator)

    def get(self, unit: str | None, indicator: Indicator) -> ProgressRow:
        return next(r for r in self.rows if r.unit == unit and r.indicator is indicator)

    def for_unit(self, unit: str | None) -> list[ProgressRow]:
        return [r for r in self.rows if r.unit == unit]

    def ranking(self, indicator: Indicator) -> list[ProgressRow]:
        """Units with a target for the indicator, best rate first."""
        ranked = [r for r in self.rows if r.unit is not None and r.indicator is indicator and r.rank]
        return sorted(ranked, key=lambda r: r.rank)

    def as_json(self) -> list[dict]:
        return [r.as_json() for r in self.rows]


def compute_progress(
    period: YearMonth,
    units: Sequence[str],
    unit_actuals: Mapping[tuple[str, Indicator], Quantity],
    county_actuals: Mapping[Indicator, Quantity],
    unit_targets: Mapping[tuple[str, Indicator], Quantity],
    county_targets: Mapping[Indicator, Quantity],
    indicators: Sequence[Indicator] = tuple(Indicator),
) -> ProgressTable:
    """Build the progress table. Missing actuals are zero; missing targets are 'no target'.

    Units are ranked per indicator by completion rate (ties share a rank, then the next
    rank is skipped: 1, 2, 2, 4), among the units whose target is above zero.
    """
    elapsed = schedule(period.month)
    table = ProgressTable(period, list(units))
    for indicator in indicators:
        zero = Decimal(0) if indicator.measure.value == "money" else 0
        unit_rows = [
            _row(
                unit,
                indicator,
                unit_targets.get((unit, indicator)),
                unit_actuals.get((unit, indicator), zero),
                elapsed,
            )
            for unit in units
        ]
        table.rows.extend(_ranked(unit_rows))
        table.rows.append(
            _row(None, indicator, county_targets.get(indicator), county_actuals.get(indicator, zero), elapsed)
        )
    return table


def _ranked(rows: list[ProgressRow]) -> list[ProgressRow]:
    order = sorted(
        (i for i, r in enumerate(rows) if r.rate is not None),
        key=lambda i: (-rows[i].rate, -rows[i].actual, i),
    )
    ranks: dict[int, int] = {}
    previous_rate, previous_rank = None, 0
    for position, i in enumerate(order, start=1):
        if rows[i].rate != previous_rate:
            previous_rank, previous_rate = position, rows[i].rate
        ranks[i] = previous_rank
    return [
        ProgressRow(**{**r.__dict__, "rank": ranks.get(i)}) if i in ranks else r
        for i, r in enumerate(rows)
    ]
