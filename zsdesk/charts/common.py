"""What every chart shares: page size, status colours, titles, units of measure.

Figures are sized for A4 landscape at 100 %, so that what the dashboard shows, the
exported file and the printed page are the same drawing.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..domain.enums import Indicator, Measure, Stage, Status
from ..domain.money import YUAN_PER_WAN, format_money, format_wan
from ..domain.periods import YearMonth
from .fonts import register_fonts

A4_LANDSCAPE = (11.69, 8.27)
"""Inches: 297 × 210 mm."""

STATUS_COLOURS: dict[Status, str] = {
    Status.DONE: "#1b7837",  # dark green
    Status.AHEAD: "#7fbf7b",  # light green
    Status.BEHIND: "#f1a340",  # amber
    Status.NOTHING: "#c51b1b",  # red: no bar to colour, so its label is red
    Status.NO_TARGET: "#9e9e9e",  # grey
}
"""Bar colours by status; the greens, amber and grey stay apart in greyscale print too."""

STAGE_COLOURS: dict[Stage, str] = {
    Stage.PLANNED: "#c6dbef",
    Stage.NEGOTIATING: "#9ecae1",
    Stage.SIGNED: "#6baed6",
    Stage.LANDED: "#3182bd",
    Stage.UNDER_CONSTRUCTION: "#08519c",
    Stage.IN_OPERATION: "#08306b",
    Stage.SUSPENDED: "#bdbdbd",
    Stage.TERMINATED: "#737373",
}
"""Blues deepening along the pipeline; greys for the stages off the line."""

SCHEDULE_COLOUR = "#c51b1b"
FULL_COLOUR = "#333333"
TEXT_COLOUR = "#222222"
MUTED_COLOUR = "#666666"

LABEL_BOX = {"facecolor": "white", "edgecolor": "none", "pad": 0.6, "alpha": 0.85}
"""Behind value labels, so that a line crossing them does not strike them through."""

LABEL_SPAN = 0.12
"""A value label's width, generously, as a share of its axis (for :func:`crosses`)."""


def crosses(start: float, axis_length: float, lines, span: float = LABEL_SPAN) -> bool:
    """Whether a label beginning at ``start`` may be crossed by a vertical line at one of
    ``lines``: only then does it get a white box (boxes cost drawing time)."""
    return any(start <= x <= start + axis_length * span for x in lines)


def label_full_and_schedule(axes, schedule, size: float) -> list:
    """The labels above the 100 % line and the 序时进度 line, never one over the other.

    Each stands on the far side of its line: 序时 to the left of its line, 100% to the
    right of its own, so however close the lines (序时 92 % in November) the labels part;
    in December the lines are one and so is the label. Returns the texts drawn.
    """
    top = axes.get_xaxis_transform()
    rate = float(schedule)
    if rate >= 1.0:
        return [axes.text(1.0, 1.0, f"100%（序时 {percent(schedule, 0)}）", transform=top, ha="center",
                          va="bottom", fontsize=size, color=SCHEDULE_COLOUR, gid="schedule_label")]
    gap = (axes.get_xlim()[1] - axes.get_xlim()[0]) * 0.004
    return [
        axes.text(1.0 + gap, 1.0, "100%", transform=top, ha="left", va="bottom", fontsize=size,
                  color=FULL_COLOUR, gid="full_label"),
        axes.text(rate - gap, 1.0, f"序时 {percent(schedule, 0)}", transform=top, ha="right", va="bottom",
                  fontsize=size, color=SCHEDULE_COLOUR, gid="schedule_label"),
    ]


TITLE_SIZE = 16
SUBTITLE_SIZE = 11
LABEL_SIZE = 11
TICK_SIZE = 10.5
VALUE_SIZE = 9.5

YI_THRESHOLD = Decimal(10_000)
"""Money charts switch from 万元 to 亿元 once the largest value reaches 1 亿元."""


def new_figure(figsize: tuple[float, float] = A4_LANDSCAPE) -> Figure:
    """A blank A4-landscape figure with the bundled Chinese font in effect."""
    register_fonts()
    return Figure(figsize=figsize, layout="constrained")


def as_of(period: YearMonth) -> str:
    """'截至2026年6月', as every chart title says it."""
    return f"截至{period.chinese}"


def set_title(figure: Figure, title: str) -> None:
    figure.suptitle(title, fontsize=TITLE_SIZE, fontweight="bold", color=TEXT_COLOUR)


def set_subtitle(axes, text: str, *, pad: float = 10) -> None:
    """A smaller line under the figure title, left-aligned over the axes.

    ``pad`` (points) leaves room for marks written just above the axes.
    """
    axes.set_title(text, loc="left", fontsize=SUBTITLE_SIZE, color=MUTED_COLOUR, pad=pad)


def percent(rate: Decimal | None, places: int = 1) -> str:
    """0.4109 → '41.1%'; None → '—'."""
    if rate is None:
        return "—"
    value = (Decimal(rate) * 100).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)
    return f"{value:.{places}f}%"


RATE_CLIP = 3.0
"""Bars of rates above 300 % stop there, broken, with the true percentage beside them:
one unit at 30,000 % (a tiny target) would otherwise flatten every other bar."""

RATE_ATTRIBUTE = "zsdesk_rate"
"""Rate bars carry the exact completion rate (as float) in this attribute."""


def bar_length(rate: Decimal | None) -> float:
    """How long a rate's bar is drawn: the rate, or RATE_CLIP for one above it."""
    if rate is None:
        return 0.0
    return min(float(rate), RATE_CLIP)


def mark_clipped(axes, bars, rates, height: float) -> bool:
    """Tag each bar with its rate; draw a white break across the bars cut at RATE_CLIP.

    Returns whether any bar was cut.
    """
    clipped = False
    for bar, rate in zip(bars, rates):
        setattr(bar, RATE_ATTRIBUTE, None if rate is None else float(rate))
        if rate is not None and float(rate) > RATE_CLIP:
            clipped = True
            middle = bar.get_y() + bar.get_height() / 2
            for offset in (0.0, 0.05):
                x = RATE_CLIP * 0.9 + offset
                axes.plot([x - 0.03, x + 0.03], [middle + height / 2, middle - height / 2],
                          color="white", linewidth=2.2, solid_capstyle="butt", gid="break", zorder=3)
    return clipped


def percent_axis(axis) -> None:
    """Tick labels as whole percents of a 0–1 scale."""
    axis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x * 100:.0f}%"))


def measure_unit(indicator: Indicator, values=()) -> str:
    """The unit shown on an axis: '个' for counts; '亿元' for large money, else '万元'."""
    if indicator.measure is Measure.COUNT:
        return "个"
    largest = max((abs(Decimal(v)) for v in values if v is not None), default=Decimal(0))
    return "亿元" if largest >= YI_THRESHOLD else "万元"


def scaled(value, unit: str) -> float:
    """A value in the indicator's own measure → a float for plotting in ``unit``.

    Floats here only place marks on the drawing; every number printed as text comes
    from the exact value (see :func:`quantity_text`).
    """
    if value is None:
        return 0.0
    if unit == "亿元":
        return float(Decimal(value) / YUAN_PER_WAN)
    return float(value)


def quantity_text(value, unit: str) -> str:
    """An exact quantity as text in ``unit``: '7.03' 亿元, '8,957.9' 万元, '12' 个."""
    if value is None:
        return "—"
    if unit == "亿元":
        yi = (Decimal(value) / YUAN_PER_WAN).quantize(Decimal("0.01"), ROUND_HALF_UP)
        return f"{yi:,.2f}"
    if unit == "万元":
        return format_money(Decimal(value))
    return f"{int(value):,}"


def indicator_with_unit(indicator: Indicator, unit: str) -> str:
    return f"{indicator.label}（{unit}）"


def integer_axis(axis) -> None:
    """Only whole numbers on an axis of counts."""
    axis.set_major_locator(MaxNLocator(integer=True))


def style_axes(axes) -> None:
    """Quiet frame: no top/right spines, light grid behind the bars."""
    axes.spines["top"].set_visible(False)
    axes.spines["right"].set_visible(False)
    axes.tick_params(labelsize=TICK_SIZE, colors=TEXT_COLOUR)
    axes.set_axisbelow(True)
