"""From a request (kind, month, indicator, unit) to a finished figure, with every
refusal a Chinese message: the one door the command line and the dashboard both use.

Data come from :func:`~zsdesk.store.progress_query.load_progress` (the one computation
of rates, schedule and rank) and :mod:`zsdesk.store.chart_data`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from ..domain.enums import Indicator, _Labelled
from ..domain.periods import YearMonth
from ..errors import InputError, KnownError
from ..store.chart_data import BY_INDUSTRY, BY_UNIT, count_targets, cumulative_series, stage_counts
from ..store.progress_query import load_progress
from ..store.settings import county_name
from ..store.units import find_unit, unit_names

if TYPE_CHECKING:
    from matplotlib.figure import Figure

# The builders (and with them Matplotlib) are imported when a chart is built, not with
# this module: the window imports ChartKind and ChartRequest at start-up for its pickers.


class ChartKind(_Labelled):
    RANKING = ("ranking", "单位排名")
    TREND = ("trend", "逐月累计")
    CARD = ("card", "单位卡片")
    PIPELINE = ("pipeline", "项目阶段")


class NothingToChart(InputError):
    """The request is well-formed but the ledger holds nothing to draw (no targets,
    a zero target, no projects): exit status 1, a message in the tab."""

    exit_status = 1


class Cancelled(KnownError):
    """The user cancelled a long piece of work."""

    exit_status = 1


@dataclass(frozen=True)
class ChartRequest:
    kind: ChartKind
    period: YearMonth
    indicator: Indicator = Indicator.DOMESTIC_FUNDS
    unit: str | None = None
    """For a card or a unit's trend: the unit; for the ranking, the unit set in bold;
    for the pipeline, only that unit's projects (by industry)."""
    by: str = BY_UNIT
    """Pipeline grouping: BY_UNIT or BY_INDUSTRY."""


def parse_indicator(text: str) -> Indicator:
    """An indicator from its identifier or Chinese label; a Chinese InputError if unknown."""
    try:
        return Indicator.parse(text)
    except ValueError:
        known = "、".join(f"{i.value}（{i.label}）" for i in Indicator)
        raise InputError(f"未知的指标“{text}”。可选：{known}") from None


def parse_kind(text: str) -> ChartKind:
    try:
        return ChartKind.parse(text)
    except ValueError:
        known = "、".join(f"{k.value}（{k.label}）" for k in ChartKind)
        raise InputError(f"未知的图表类型“{text}”。可选：{known}") from None


def build_chart(
    session: Session, request: ChartRequest, *, figure: Figure | None = None, cache: dict | None = None
) -> Figure:
    """The figure ``request`` asks for, drawn into ``figure`` if given.

    ``cache``, if given, keeps the figures read from the ledger between calls (the
    dashboard passes one and empties it when the data change), so that switching
    between charts of the same month does not read the ledger again.

    Raises InputError for an unknown unit, NothingToChart when there is nothing to show.
    """
    from .card import card_figure
    from .pipeline import pipeline_figure
    from .ranking import ranking_figure
    from .trend import trend_figure

    memo = _Memo(session, cache)
    unit = request.unit.strip() if request.unit else None
    if unit is not None:
        unit = memo.get(("unit", unit), lambda: find_unit(session, unit).name)
    county = memo.get(("county",), lambda: county_name(session))
    period = request.period
    kind = request.kind
    if kind is ChartKind.PIPELINE:
        by = BY_INDUSTRY if unit is not None else request.by
        stages = memo.stages(period, by, unit)
        if not stages.total:
            raise NothingToChart(f"{unit or county}截至{period.chinese}没有在手项目，无法作项目阶段图")
        return pipeline_figure(stages, unit or county, figure=figure)
    memo.get(("targets", period.year), lambda: require_targets(session, period))
    indicator = request.indicator
    if kind is ChartKind.RANKING:
        table = memo.progress(period, indicator)
        if not table.ranking(indicator):
            raise NothingToChart(
                f"{period.year}年没有单位下达“{indicator.label}”的目标任务（或目标均为0），无法排名"
            )
        return ranking_figure(table, indicator, county, highlight=unit, figure=figure)
    if kind is ChartKind.TREND:
        series = memo.get(("series", period, indicator, unit), lambda: cumulative_series(session, indicator, period, unit))
        if not series.target:
            who = unit or f"{county}（全县）"
            raise NothingToChart(
                f"{who}{period.year}年“{indicator.label}”的目标任务为0或未下达，无法对照目标作逐月累计图"
            )
        return trend_figure(series, unit or county, figure=figure)
    if kind is ChartKind.CARD:
        if unit is None:
            raise InputError("单位卡片需要指定单位（命令行用 --unit 单位名称）")
        table = memo.progress(period)
        require_unit_targets(table, unit)
        return card_figure(table, unit, memo.stages(period, BY_UNIT, None), county, figure=figure)
    raise AssertionError(kind)


class _Memo:
    """Reads from the ledger, kept in ``cache`` when one is given."""

    def __init__(self, session: Session, cache: dict | None):
        self.session = session
        self.cache = cache

    def get(self, key, compute):
        if self.cache is None:
            return compute()
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]

    def progress(self, period: YearMonth, indicator: Indicator | None = None):
        """The progress table of every indicator, or of one (a full one kept serves too)."""
        if self.cache is not None and ("progress", period, None) in self.cache:
            return self.cache[("progress", period, None)]
        indicators = tuple(Indicator) if indicator is None else (indicator,)
        return self.get(("progress", period, indicator), lambda: load_progress(self.session, period, indicators=indicators))

    def stages(self, period: YearMonth, by: str, unit: str | None):
        return self.get(("stages", period, by, unit), lambda: stage_counts(self.session, period, by, unit))


def require_targets(session: Session, period: YearMonth) -> None:
    if not count_targets(session, period.year):
        raise NothingToChart(
            f"台账中没有{period.year}年的目标任务，无法计算{period.chinese}的完成率。请先录入{period.year}年的目标任务"
        )


def require_unit_targets(table, unit: str) -> None:
    if not any(r.rate is not None for r in table.for_unit(unit)):
        raise NothingToChart(f"{unit}{table.period.year}年的目标任务均为0或未下达，无法计算完成率")


def unit_cards(
    session: Session, period: YearMonth, progress: Callable[[int, int], bool] | None = None
) -> tuple[list[tuple[str, Figure]], list[str]]:
    """One card per unit with a target, in the units' order, for "print all units".

    Returns the cards and the names of the units left out (no target above zero).
    One progress computation and one stage query serve every card. ``progress(done,
    total)`` is called before each card; if it returns False, Cancelled is raised.
    """
    from .card import card_figure

    require_targets(session, period)
    table = load_progress(session, period)
    stages = stage_counts(session, period, BY_UNIT)
    county = county_name(session)
    cards, skipped = [], []
    names = unit_names(session)
    for done, unit in enumerate(names):
        if progress is not None and not progress(done, len(names)):
            raise Cancelled("已取消")
        if any(r.rate is not None for r in table.for_unit(unit)):
            cards.append((unit, card_figure(table, unit, stages, county)))
        else:
            skipped.append(unit)
    if not cards:
        raise NothingToChart(f"{period.year}年没有任何单位下达了目标任务，无法打印单位卡片")
    return cards, skipped


__all__ = [
    "BY_INDUSTRY",
    "BY_UNIT",
    "Cancelled",
    "ChartKind",
    "ChartRequest",
    "NothingToChart",
    "build_chart",
    "parse_indicator",
    "parse_kind",
    "unit_cards",
]
