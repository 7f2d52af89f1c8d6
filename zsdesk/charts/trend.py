"""Cumulative actual month by month against the annual target, with the schedule line.

One bar per month elapsed (the cumulative actual from January), the whole year on the
x axis so that the distance still to go shows; the annual target as a level line and
序时进度 as the line rising from zero to the target in December.
"""

from __future__ import annotations

from decimal import Decimal

from matplotlib.figure import Figure

from ..domain.periods import schedule
from ..domain.progress import completion_rate
from ..store.chart_data import CumulativeSeries
from .common import (
    FULL_COLOUR,
    LABEL_BOX,
    LABEL_SIZE,
    SCHEDULE_COLOUR,
    TEXT_COLOUR,
    VALUE_SIZE,
    as_of,
    integer_axis,
    measure_unit,
    new_figure,
    percent,
    quantity_text,
    scaled,
    set_subtitle,
    set_title,
    style_axes,
)

BAR_COLOUR = "#3b73b9"
SCHEDULE_LABEL = "序时进度"
TARGET_LABEL = "年度目标"


def schedule_values(target, months=range(1, 13)) -> list[Decimal]:
    """The schedule line: target × month ÷ 12 for each month, exact."""
    return [Decimal(target) * schedule(m) for m in months]


def trend_figure(series: CumulativeSeries, place: str, *, figure: Figure | None = None) -> Figure:
    """``place`` is the county's name, or the unit's, as the title should say it."""
    if figure is None:
        figure = new_figure()
    else:
        figure.clear()
    indicator, period, target = series.indicator, series.period, series.target
    unit = measure_unit(indicator, [target, *series.cumulative])
    set_title(figure, f"{place} {indicator.label} 逐月累计完成情况（{as_of(period)}）")
    axes = figure.add_subplot()
    style_axes(axes)

    rate = completion_rate(series.actual, target)
    summary = f"累计完成 {quantity_text(series.actual, unit)} {unit}"
    if target:
        summary += f"，年度目标 {quantity_text(target, unit)} {unit}，完成率 {percent(rate)}"
    else:
        summary += "（未下达目标）"
    set_subtitle(axes, f"{summary}　　序时进度 {percent(schedule(period.month))}")

    months = series.months
    heights = [scaled(v, unit) for v in series.cumulative]
    bars = axes.bar(months, heights, width=0.62, color=BAR_COLOUR, label="累计完成", zorder=2)
    for bar, value in zip(bars, series.cumulative):
        axes.annotate(
            quantity_text(value, unit),
            (bar.get_x() + bar.get_width() / 2, bar.get_height()),
            xytext=(0, 3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=VALUE_SIZE,
            color=TEXT_COLOUR,
            bbox=LABEL_BOX,
            zorder=4,
        )
    top = max(heights, default=0.0)
    if target:
        line = [scaled(v, unit) for v in schedule_values(target)]
        axes.plot(range(1, 13), line, color=SCHEDULE_COLOUR, linewidth=1.6, linestyle=(0, (5, 3)),
                  marker="o", markersize=3.5, label=f"{SCHEDULE_LABEL}（目标×月份÷12）", zorder=3)
        level = scaled(target, unit)
        axes.axhline(level, color=FULL_COLOUR, linewidth=1.3, label=TARGET_LABEL, zorder=3)
        axes.annotate(
            f"{TARGET_LABEL} {quantity_text(target, unit)} {unit}",
            (0.5, level),
            xytext=(2, 4),
            textcoords="offset points",
            ha="left",
            va="bottom",
            fontsize=VALUE_SIZE,
            color=FULL_COLOUR,
        )
        top = max(top, level)
    axes.set_ylim(0, top * 1.12 if top else 1)
    axes.set_xlim(0.4, 12.6)
    axes.set_xticks(range(1, 13), [f"{m}月" for m in range(1, 13)])
    axes.set_xlabel(f"{period.year}年", fontsize=LABEL_SIZE)
    axes.set_ylabel(f"{indicator.label}（{unit}）", fontsize=LABEL_SIZE)
    if unit == "个":
        integer_axis(axes.yaxis)
    axes.yaxis.grid(True, color="#dddddd", linewidth=0.6)
    figure.legend(loc="outside lower center", ncols=3, fontsize=VALUE_SIZE, frameon=False)
    return figure
