"""Progress rows (from ``load_progress``) as the documents' tables and words.

Money is Decimal 万元 all the way: 万元 with two decimals in tables, 亿元 with two decimals
in running text, rates as percentages with two decimals — never a float. The marks of
the four states print in black and white: a symbol in the 进度 column, bold for a unit
that has finished, a grey ground for a unit with no result.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from ..domain.enums import Indicator, Measure, Status
from ..domain.money import format_percent, format_wan, normalize
from ..domain.progress import ProgressRow
from .model import Align, Column, RowKind, Table, TableRow

STATUS_MARKS: dict[Status, str] = {
    Status.DONE: "★",
    Status.AHEAD: "▲",
    Status.BEHIND: "△",
    Status.NOTHING: "○",
    Status.NO_TARGET: "—",
}
"""Symbols of GB 2312 (every government font has them), distinct in black and white."""

LEGEND = "★已完成年度目标任务，▲快于序时进度，△慢于序时进度，○无实绩，—未下达任务"

COUNTED_IN = {
    Indicator.MAJOR_PROJECTS: "家",
    Indicator.FILM_CULTURE_FIRMS: "家",
    Indicator.PLANNED_PROJECTS: "个",
    Indicator.SIGNED_PROJECTS: "个",
}
"""What a count indicator counts in: firms (家) or projects (个), as the review writes."""

NO_VALUE = "—"


def indicator_name(indicator: Indicator, threshold: Decimal) -> str:
    """The indicator as the documents name it: 大项目 with the file's threshold."""
    if indicator is Indicator.MAJOR_PROJECTS:
        return f"新引进投资规模{format(normalize(threshold), 'f')}万元以上企业"
    return indicator.label


def measure_word(indicator: Indicator) -> str:
    return "万元" if indicator.measure is Measure.MONEY else COUNTED_IN[indicator]


def table_quantity(indicator: Indicator, value) -> str:
    """A target or actual in a table: 万元 with two decimals, or a whole count."""
    if value is None:
        return NO_VALUE
    if indicator.measure is Measure.MONEY:
        return format_wan(Decimal(value), places=2)
    return str(int(value))


def percent(rate: Decimal | None) -> str:
    """0.274707 → 27.47%; no target → —."""
    return format_percent(rate, 2)


def points_from_schedule(row: ProgressRow) -> Decimal:
    """How far the rate stands from 序时进度, in percentage points (two decimals, ≥ 0)."""
    return (abs(row.rate - row.schedule) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)


def status_cell(row: ProgressRow) -> str:
    return STATUS_MARKS[row.status] + (row.status.label if row.status is not Status.NO_TARGET else "无任务")


def progress_row(row: ProgressRow, *, first: str, rank_first: bool = False) -> TableRow:
    """One unit (or the county, as a total) in a progress table."""
    rank = str(row.rank) if row.rank else NO_VALUE
    numbers = (
        table_quantity(row.indicator, row.target),
        table_quantity(row.indicator, row.actual),
        percent(row.rate),
    )
    if rank_first:
        cells = (rank, first, *numbers, status_cell(row))
    else:
        cells = (first, *numbers, rank, status_cell(row))
    return TableRow(
        cells,
        kind=RowKind.TOTAL if row.unit is None else RowKind.DATA,
        bold=row.status is Status.DONE and row.unit is not None,
        shaded=row.status is Status.NOTHING and row.unit is not None,
    )


RANKED_COLUMNS = (
    Column("排名", 13),
    Column("单位", 37, Align.LEFT),
    Column("年度目标", 29, Align.RIGHT),
    Column("累计完成", 29, Align.RIGHT),
    Column("完成率", 22, Align.RIGHT),
    Column("进度", 26),
)
"""The 通报's table of one indicator: 156 mm, the type area's width."""

UNIT_ORDER_COLUMNS = (
    Column("单位", 37, Align.LEFT),
    Column("年度目标", 29, Align.RIGHT),
    Column("累计完成", 29, Align.RIGHT),
    Column("完成率", 22, Align.RIGHT),
    Column("排名", 13),
    Column("进度", 26),
)
"""The review's 附件: every unit in the file's order under each indicator."""


def ranked_table(rows: Sequence[ProgressRow], county: ProgressRow | None, caption: str) -> Table:
    """Units best first (rank), those without a target after them, the county last."""
    ranked = sorted((r for r in rows if r.rank), key=lambda r: r.rank)
    unranked = [r for r in rows if not r.rank]
    out = [progress_row(r, first=r.unit, rank_first=True) for r in ranked + unranked]
    if county is not None:
        out.append(progress_row(county, first="全县", rank_first=True))
    return Table(RANKED_COLUMNS, out, caption=caption)


def attachment_table(
    unit_rows: dict[Indicator, Sequence[ProgressRow]],
    county_rows: dict[Indicator, ProgressRow] | None,
    note: str,
    threshold: Decimal,
) -> Table:
    """Every indicator as a group of rows: each unit's target, actual, rate, rank."""
    out: list[TableRow] = []
    for indicator in Indicator:
        name = indicator_name(indicator, threshold)
        out.append(TableRow((f"{name}（{measure_word(indicator)}）",), kind=RowKind.GROUP))
        for row in unit_rows.get(indicator, ()):
            out.append(progress_row(row, first=row.unit))
        if county_rows is not None and indicator in county_rows:
            out.append(progress_row(county_rows[indicator], first="全县"))
    return Table(UNIT_ORDER_COLUMNS, out, note=note)
