"""The figures the charts need beyond the progress table, as SQL aggregates.

* :func:`monthly_actuals` / :func:`cumulative_series`: an indicator's actual month by
  month (January to the month asked), for the county or one unit, counted by the same
  rules as :func:`~zsdesk.store.progress_query.load_progress` (its last cumulative
  value is the progress table's actual).
* :func:`stage_counts`: projects in hand by the stage they had reached at the month's
  end, grouped by unit or by industry.

Sums and counts happen in the database (one grouped query each); Python only adds up
at most twelve monthly values.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.orm import Session

from ..domain.counting import RULES
from ..domain.enums import INDUSTRIES, Indicator, Measure, Stage
from ..domain.periods import YearMonth
from ..domain.progress import Quantity
from .models import CountyTarget, FundRecord, Investor, Project, Target, Unit, target_from_base
from .progress_query import _in_year_to_date, _project_conditions
from .units import find_unit, unit_names

NO_INDUSTRY = "未填产业"
"""Group label for projects whose industry was left empty."""

BY_UNIT = "unit"
BY_INDUSTRY = "industry"


def _zero(indicator: Indicator) -> Quantity:
    return Decimal(0) if indicator.measure is Measure.MONEY else 0


def monthly_actuals(
    session: Session, indicator: Indicator, period: YearMonth, unit: str | None = None
) -> dict[int, Quantity]:
    """month → the indicator's actual counted in that month alone (months with none are absent)."""
    rule = RULES[indicator]
    unit_id = find_unit(session, unit).id if unit is not None else None
    if rule.subject == "funds":
        query = (
            select(FundRecord.month, func.sum(FundRecord.amount))
            .join(Project, FundRecord.project_id == Project.id)
            .where(FundRecord.year == period.year, FundRecord.month <= period.month)
            .where(*_project_conditions(rule, session))
            .group_by(FundRecord.month)
        )
        if unit_id is not None:
            query = query.where(Project.unit_id == unit_id)
    else:
        model = Project if rule.subject == "projects" else Investor
        column = getattr(model, rule.date_field)
        month = func.extract("month", column)
        query = (
            select(month, func.count(model.id))
            .where(_in_year_to_date(column, period))
            .group_by(month)
        )
        if rule.subject == "projects":
            query = query.where(*_project_conditions(rule, session))
        elif rule.industry:
            query = query.where(Investor.industry == rule.industry)
        if unit_id is not None:
            query = query.where(model.unit_id == unit_id)
    zero = _zero(indicator)
    return {int(m): (value if value is not None else zero) for m, value in session.execute(query)}


@dataclass(frozen=True)
class CumulativeSeries:
    """An indicator's actual, cumulated month by month, against an annual target."""

    indicator: Indicator
    period: YearMonth
    unit: str | None
    """None for the county as a whole."""
    monthly: list[Quantity]
    """Actual of each month, January first, up to ``period.month``."""
    cumulative: list[Quantity]
    target: Quantity | None
    """The annual target (the county's own row for the county); None if none is set."""

    @property
    def months(self) -> list[int]:
        return list(range(1, len(self.monthly) + 1))

    @property
    def actual(self) -> Quantity:
        return self.cumulative[-1]


def cumulative_series(
    session: Session, indicator: Indicator, period: YearMonth, unit: str | None = None
) -> CumulativeSeries:
    by_month = monthly_actuals(session, indicator, period, unit)
    zero = _zero(indicator)
    monthly = [by_month.get(m, zero) for m in range(1, period.month + 1)]
    cumulative, running = [], zero
    for value in monthly:
        running += value
        cumulative.append(running)
    return CumulativeSeries(indicator, period, unit, monthly, cumulative, annual_target(session, indicator, period.year, unit))


def annual_target(session: Session, indicator: Indicator, year: int, unit: str | None = None) -> Quantity | None:
    """The unit's (or with no unit, the county's own) target; None when none is set."""
    if unit is None:
        query = select(CountyTarget.value).where(CountyTarget.year == year, CountyTarget.indicator == indicator.value)
    else:
        query = (
            select(Target.value)
            .join(Unit, Target.unit_id == Unit.id)
            .where(Unit.name == unit, Target.year == year, Target.indicator == indicator.value)
        )
    return target_from_base(indicator, session.scalar(query))


def count_targets(session: Session, year: int) -> int:
    """How many target rows (units' and county's) the year has: 0 means no targets set."""
    units = session.scalar(select(func.count()).select_from(Target).where(Target.year == year))
    county = session.scalar(select(func.count()).select_from(CountyTarget).where(CountyTarget.year == year))
    return (units or 0) + (county or 0)


# Projects by stage ------------------------------------------------------------------

_LATEST_FIRST: tuple[Stage, ...] = (
    Stage.TERMINATED,
    Stage.SUSPENDED,
    Stage.IN_OPERATION,
    Stage.UNDER_CONSTRUCTION,
    Stage.LANDED,
    Stage.SIGNED,
    Stage.NEGOTIATING,
    Stage.PLANNED,
)
"""A project's stage at a day is the latest of these whose date is on or before it."""

CHART_STAGES: tuple[Stage, ...] = (*reversed(_LATEST_FIRST[2:]), Stage.SUSPENDED, Stage.TERMINATED)
"""Stages in the order charts show them: the pipeline, then 中止, 终止."""


@dataclass
class StageCounts:
    """Number of projects in each stage, per group (a unit or an industry)."""

    period: YearMonth
    by: str
    """BY_UNIT or BY_INDUSTRY."""
    groups: list[str]
    counts: dict[tuple[str, Stage], int] = field(default_factory=dict)

    def count(self, group: str, stage: Stage) -> int:
        return self.counts.get((group, stage), 0)

    def group_total(self, group: str) -> int:
        return sum(self.count(group, s) for s in CHART_STAGES)

    def stage_total(self, stage: Stage) -> int:
        return sum(self.count(g, stage) for g in self.groups)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _stage_as_of(day: dt.date):
    """SQL: the stage a project had reached on ``day`` and the date it reached it.

    From the stage dates; a project with no stage date at all (typed in without them)
    is taken at its current stage from the day it was entered.
    """
    columns = {stage: getattr(Project, stage.date_field) for stage in _LATEST_FIRST}
    no_dates = and_(*(c.is_(None) for c in columns.values()))
    entered = and_(no_dates, Project.created_at < dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
    stage = case(
        *((columns[s] <= day, s.value) for s in _LATEST_FIRST),
        (entered, Project.stage),
        else_=None,
    )
    reached = case(*((columns[s] <= day, columns[s]) for s in _LATEST_FIRST), else_=None)
    return stage, reached


def stage_counts(
    session: Session, period: YearMonth, by: str = BY_UNIT, unit: str | None = None
) -> StageCounts:
    """Projects in hand at the end of ``period``, counted by stage and grouped ``by``.

    In hand: every project conceived by then, except those that went into operation or
    were terminated before this year (finished business of earlier years); the ones
    that did so this year are counted at 投产 / 终止. With ``unit``, only its projects.
    """
    if by not in (BY_UNIT, BY_INDUSTRY):
        raise ValueError(by)
    day = period.last_day
    stage, reached = _stage_as_of(day)
    as_of = (
        select(Project.unit_id.label("unit_id"), Project.industry.label("industry"), stage.label("stage"), reached.label("reached"))
    )
    if unit is not None:
        as_of = as_of.where(Project.unit_id == find_unit(session, unit).id)
    as_of = as_of.subquery()
    finished = (Stage.IN_OPERATION.value, Stage.TERMINATED.value)
    group = as_of.c.unit_id if by == BY_UNIT else as_of.c.industry
    query = (
        select(group, as_of.c.stage, func.count())
        .where(as_of.c.stage.is_not(None))
        .where(
            or_(
                as_of.c.stage.not_in(finished),
                as_of.c.reached.is_(None),
                as_of.c.reached >= YearMonth(period.year, 1).first_day,
            )
        )
        .group_by(group, as_of.c.stage)
    )
    rows = session.execute(query).all()
    if by == BY_UNIT:
        names = dict(session.execute(select(Unit.id, Unit.name)).all())
        groups = unit_names(session) if unit is None else [unit]
        label = lambda key: names.get(key, "未指定单位")  # noqa: E731
    else:
        seen = {key or NO_INDUSTRY for key, _, _ in rows}
        groups = [i for i in INDUSTRIES if i in seen] + sorted(seen - set(INDUSTRIES) - {NO_INDUSTRY})
        groups += [NO_INDUSTRY] if NO_INDUSTRY in seen else []
        label = lambda key: key or NO_INDUSTRY  # noqa: E731
    result = StageCounts(period, by, list(groups))
    for key, stage_value, n in rows:
        name = label(key)
        if name not in result.groups:
            result.groups.append(name)
        try:
            stage_member = Stage(stage_value)
        except ValueError:  # a stage value this version does not know: not drawn
            continue
        result.counts[(name, stage_member)] = result.counts.get((name, stage_member), 0) + n
    return result



# Periods the dashboard offers --------------------------------------------------------


def chart_years(session: Session) -> list[int]:
    """Years the ledger has targets or funds for, oldest first."""
    years: set[int] = set()
    for model in (Target, CountyTarget, FundRecord):
        years.update(y for y in session.scalars(select(model.year).distinct()) if y is not None)
    return sorted(years)


def latest_fund_month(session: Session, not_after: YearMonth) -> YearMonth | None:
    """The latest month with funds recorded, not after ``not_after``; None if none."""
    key = func.max(FundRecord.year * 100 + FundRecord.month)
    latest = session.scalar(select(key).where(FundRecord.year * 100 + FundRecord.month <= not_after.key))
    return None if latest is None else YearMonth(latest // 100, latest % 100)
