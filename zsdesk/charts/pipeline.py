"""The pipeline: projects in hand by stage, one stacked bar per unit or per industry.

"意向项目抓签约，签约项目抓落地，落地项目抓开工，开工项目抓投产": the stacks read left
to right along the pipeline, blues deepening, with 中止 and 终止 in grey at the end.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from ..domain.enums import Stage
from ..domain.periods import YearMonth
from ..store.chart_data import BY_UNIT, CHART_STAGES, StageCounts
from .common import (
    LABEL_SIZE,
    STAGE_COLOURS,
    TEXT_COLOUR,
    VALUE_SIZE,
    as_of,
    integer_axis,
    new_figure,
    set_subtitle,
    set_title,
    style_axes,
)

DARK_STAGES = {Stage.LANDED, Stage.UNDER_CONSTRUCTION, Stage.IN_OPERATION, Stage.TERMINATED}
"""Stages whose colour is dark enough for white numbers."""

GROUP_ATTRIBUTE = "zsdesk_group"
STAGE_ATTRIBUTE = "zsdesk_stage"


def pipeline_title(place: str, by: str, period: YearMonth) -> str:
    grouping = "按单位" if by == BY_UNIT else "按产业"
    return f"{place} 在手项目分阶段情况（{grouping}，{as_of(period)}）"


def pipeline_figure(stages: StageCounts, place: str, *, figure: Figure | None = None) -> Figure:
    if figure is None:
        figure = new_figure()
    else:
        figure.clear()
    set_title(figure, pipeline_title(place, stages.by, stages.period))
    axes = figure.add_subplot()
    style_axes(axes)
    totals = "　".join(f"{s.label} {stages.stage_total(s)}" for s in CHART_STAGES)
    set_subtitle(axes, f"共 {stages.total} 个：{totals}")

    groups = stages.groups
    positions = list(range(len(groups)))
    left = [0] * len(groups)
    segments = []
    for stage in CHART_STAGES:
        counts = [stages.count(g, stage) for g in groups]
        bars = axes.barh(positions, counts, left=left, height=0.66, color=STAGE_COLOURS[stage],
                         label=stage.label, edgecolor="white", linewidth=0.5)
        for bar, group, count in zip(bars, groups, counts):
            setattr(bar, GROUP_ATTRIBUTE, group)
            setattr(bar, STAGE_ATTRIBUTE, stage)
        segments.append((stage, bars, counts))
        left = [a + b for a, b in zip(left, counts)]
    widest = max([*left, 1])
    for stage, bars, counts in segments:
        ink = "white" if stage in DARK_STAGES else TEXT_COLOUR
        for bar, count in zip(bars, counts):
            if count and count >= widest * 0.035:  # a number only where it fits
                axes.text(bar.get_x() + bar.get_width() / 2, bar.get_y() + bar.get_height() / 2, str(count),
                          ha="center", va="center", fontsize=VALUE_SIZE - 1, color=ink)
    for position, total in zip(positions, left):
        axes.text(total + widest * 0.008, position, str(total), va="center", ha="left",
                  fontsize=VALUE_SIZE, color=TEXT_COLOUR)
    axes.set_yticks(positions, groups)
    axes.invert_yaxis()
    axes.set_xlim(0, widest * 1.08)
    integer_axis(axes.xaxis)
    axes.xaxis.grid(True, color="#dddddd", linewidth=0.6)
    axes.set_xlabel("项目数（个）", fontsize=LABEL_SIZE)
    figure.legend(loc="outside lower center", ncols=len(CHART_STAGES), fontsize=VALUE_SIZE, frameon=False)
    return figure
