"""One unit's card: every indicator's completion rate against 序时进度, and its projects
by stage. What a township shows at its own meeting; "print all units" makes one per page.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..domain.enums import Indicator, Status
from ..domain.progress import ProgressRow, ProgressTable
from ..store.chart_data import CHART_STAGES, StageCounts
from .common import (
    FULL_COLOUR,
    LABEL_BOX,
    LABEL_SIZE,
    SCHEDULE_COLOUR,
    STAGE_COLOURS,
    STATUS_COLOURS,
    TEXT_COLOUR,
    VALUE_SIZE,
    as_of,
    bar_length,
    label_full_and_schedule,
    integer_axis,
    mark_clipped,
    measure_unit,
    new_figure,
    percent,
    percent_axis,
    quantity_text,
    set_subtitle,
    set_title,
    style_axes,
)
from .ranking import LEGEND_ORDER

INDICATOR_ATTRIBUTE = "zsdesk_indicator"


def card_figure(
    table: ProgressTable,
    unit: str,
    stages: StageCounts,
    county: str,
    *,
    figure: Figure | None = None,
) -> Figure:
    """``table`` holds every unit's rows (ranks are among all units); ``stages`` the
    unit's projects by stage (grouped by unit)."""
    if figure is None:
        figure = new_figure()
    else:
        figure.clear()
    rows = [table.get(unit, indicator) for indicator in Indicator if _has(table, unit, indicator)]
    units_ranked = {i: len(table.ranking(i)) for i in Indicator}
    set_title(figure, f"{unit} 招商引资目标任务完成情况（{as_of(table.period)}）")
    rates_axes, stages_axes = figure.subplots(1, 2, width_ratios=[3, 2])
    _draw_rates(rates_axes, rows, table, units_ranked, county)
    _draw_stages(stages_axes, stages, unit)
    return figure


def _has(table: ProgressTable, unit: str, indicator: Indicator) -> bool:
    return any(r.unit == unit and r.indicator is indicator for r in table.rows)


def _draw_rates(axes, rows: list[ProgressRow], table: ProgressTable, units_ranked: dict, county: str) -> None:
    style_axes(axes)
    schedule = table.schedule
    set_subtitle(axes, f"{county}　各项指标完成率（序时进度 {percent(schedule)}）", pad=20)
    positions = list(range(len(rows)))
    widths = [bar_length(r.rate) for r in rows]
    bars = axes.barh(positions, widths, height=0.62, color=[STATUS_COLOURS[r.status] for r in rows])
    for bar, row in zip(bars, rows):
        setattr(bar, INDICATOR_ATTRIBUTE, row.indicator)
    mark_clipped(axes, bars, [r.rate for r in rows], 0.62)
    axes.set_yticks(positions, [r.indicator.label for r in rows])
    axes.invert_yaxis()
    right = max([1.0, float(schedule), *widths]) * 1.55
    axes.set_xlim(0, right)
    axes.set_ylim(len(rows) - 0.4, -0.6)
    for position, row, width in zip(positions, rows, widths):
        axes.text(
            width + right * 0.008,
            position,
            _rate_label(row, units_ranked[row.indicator]),
            va="center",
            ha="left",
            fontsize=VALUE_SIZE,
            color=STATUS_COLOURS[row.status] if row.status in (Status.NOTHING, Status.NO_TARGET) else TEXT_COLOUR,
            bbox=LABEL_BOX,
            zorder=4,
        )
    axes.axvline(1.0, color=FULL_COLOUR, linewidth=1.2, zorder=3, gid="full")
    axes.axvline(float(schedule), color=SCHEDULE_COLOUR, linewidth=1.4, linestyle=(0, (5, 3)), zorder=3,
                 gid="schedule")
    label_full_and_schedule(axes, schedule, VALUE_SIZE)
    percent_axis(axes.xaxis)
    axes.xaxis.grid(True, color="#dddddd", linewidth=0.6)
    axes.set_xlabel("完成率（%）", fontsize=LABEL_SIZE)
    present = {r.status for r in rows}
    axes.legend(
        handles=[Patch(color=STATUS_COLOURS[s], label=s.label) for s in LEGEND_ORDER if s in present],
        loc="lower right",
        fontsize=VALUE_SIZE,
        frameon=False,
    )


def _rate_label(row: ProgressRow, ranked: int) -> str:
    if row.status is Status.NO_TARGET:
        return "无任务"
    unit = measure_unit(row.indicator, [row.target, row.actual])
    text = f"{percent(row.rate)}　{quantity_text(row.actual, unit)}/{quantity_text(row.target, unit)}{unit}"
    if row.rank:
        text += f"　第{row.rank}名/{ranked}"
    if row.status is Status.NOTHING:
        text += "　无实绩"
    return text


def _draw_stages(axes, stages: StageCounts, unit: str) -> None:
    style_axes(axes)
    counts = [stages.count(unit, s) for s in CHART_STAGES]
    set_subtitle(axes, f"项目分阶段情况（在手 {sum(counts)} 个）")
    positions = list(range(len(CHART_STAGES)))
    bars = axes.bar(positions, counts, width=0.64, color=[STAGE_COLOURS[s] for s in CHART_STAGES])
    for bar, count in zip(bars, counts):
        axes.annotate(
            str(count),
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=VALUE_SIZE,
        )
    axes.set_xticks(positions, [s.label for s in CHART_STAGES])
    axes.set_ylim(0, max([*counts, 1]) * 1.15)
    integer_axis(axes.yaxis)
    axes.yaxis.grid(True, color="#dddddd", linewidth=0.6)
    axes.set_ylabel("项目数（个）", fontsize=LABEL_SIZE)
    axes.set_xlabel("项目阶段", fontsize=LABEL_SIZE)
