"""The ranking: every unit's completion rate on one indicator, best first.

Horizontal bars, so that unit names up to seven characters read level on paper; rank 1
is at the top. Each bar is coloured by the unit's status and labelled with its
percentage; the 100 % line and the 序时进度 line cross all bars. Units without a target
come last, grey, marked 无任务.
"""

from __future__ import annotations

from matplotlib.figure import Figure
from matplotlib.patches import Patch

from ..domain.enums import Indicator, Status
from ..domain.progress import ProgressRow, ProgressTable
from .common import (
    FULL_COLOUR,
    LABEL_BOX,
    LABEL_SIZE,
    MUTED_COLOUR,
    RATE_CLIP,
    SCHEDULE_COLOUR,
    STATUS_COLOURS,
    TEXT_COLOUR,
    VALUE_SIZE,
    as_of,
    bar_length,
    label_full_and_schedule,
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

UNIT_ATTRIBUTE = "zsdesk_unit"
"""Bars and tick labels of a unit carry its name in this attribute (for clicks)."""

LEGEND_ORDER = (Status.DONE, Status.AHEAD, Status.BEHIND, Status.NOTHING, Status.NO_TARGET)


def ranked_rows(table: ProgressTable, indicator: Indicator) -> list[ProgressRow]:
    """Units with a target best first (ties keep the unit order), then those without."""
    ranked = table.ranking(indicator)
    unranked = [r for r in table.rows if r.unit is not None and r.indicator is indicator and not r.rank]
    return ranked + unranked


def ranking_figure(
    table: ProgressTable,
    indicator: Indicator,
    county: str,
    *,
    highlight: str | None = None,
    figure: Figure | None = None,
) -> Figure:
    """Build the ranking of ``table``'s units on ``indicator``.

    ``highlight`` names a unit whose label is set in bold. ``figure`` is drawn into
    (cleared first) instead of a new one, as the dashboard does.
    """
    rows = ranked_rows(table, indicator)
    if figure is None:
        figure = new_figure()
    else:
        figure.clear()
    county_row = table.county(indicator)
    schedule = table.schedule
    unit = measure_unit(indicator, [county_row.target, county_row.actual, *(r.target for r in rows)])

    set_title(figure, f"{county} {indicator.label} 完成率排名（{as_of(table.period)}）")
    axes = figure.add_subplot()
    style_axes(axes)
    county_text = (
        f"全县完成 {quantity_text(county_row.actual, unit)} / 目标 {quantity_text(county_row.target, unit)} {unit}，"
        f"完成率 {percent(county_row.rate)}"
        if county_row.target
        else f"全县完成 {quantity_text(county_row.actual, unit)} {unit}（全县未下达目标）"
    )
    set_subtitle(axes, f"序时进度 {percent(schedule)}　　{county_text}", pad=20)

    positions = list(range(len(rows)))
    widths = [bar_length(r.rate) for r in rows]
    colours = [STATUS_COLOURS[r.status] for r in rows]
    bars = axes.barh(positions, widths, height=0.68, color=colours, edgecolor="none")
    for bar, row in zip(bars, rows):
        setattr(bar, UNIT_ATTRIBUTE, row.unit)
        bar.set_picker(True)
    if mark_clipped(axes, bars, [r.rate for r in rows], 0.68):
        axes.set_title(f"完成率超过{RATE_CLIP:.0%}的条形在{RATE_CLIP:.0%}处截断，数字为实际完成率", loc="right",
                       fontsize=VALUE_SIZE, color=MUTED_COLOUR, pad=20)
    axes.set_yticks(positions, [r.unit for r in rows])
    axes.invert_yaxis()  # rank 1 at the top
    for label, row in zip(axes.get_yticklabels(), rows):
        setattr(label, UNIT_ATTRIBUTE, row.unit)
        label.set_picker(True)
        if row.status is Status.NO_TARGET:
            label.set_color(STATUS_COLOURS[Status.NO_TARGET])
        if row.unit == highlight:
            label.set_fontweight("bold")

    right = max([1.0, float(schedule), *widths]) * 1.16
    axes.set_xlim(0, right)
    axes.set_ylim(len(rows) - 0.4, -0.6)
    for position, row, width in zip(positions, rows, widths):
        start = width + right * 0.006
        axes.text(
            start,
            position,
            _bar_label(row),
            va="center",
            ha="left",
            fontsize=VALUE_SIZE,
            color=STATUS_COLOURS[row.status] if row.status in (Status.NOTHING, Status.NO_TARGET) else TEXT_COLOUR,
            bbox=LABEL_BOX,  # over the 100 % and 序时 lines (zorder 4 > 3), always readable
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
    return figure


def _bar_label(row: ProgressRow) -> str:
    if row.status is Status.NO_TARGET:
        return "无任务"
    text = percent(row.rate)
    if row.status is Status.NOTHING:
        text += "  无实绩"
    return text
