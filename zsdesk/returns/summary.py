"""The county summary (汇总表): every unit's row per indicator, county totals, ranks.

The figures are those of :func:`~zsdesk.store.progress_query.load_progress`, the one
computation, so the workbook agrees with ``zsdesk progress`` to the last digit. The
first sheet has one row per unit in the county's fixed order; then one sheet per
indicator lists the units by rank, as the bureau prints it for a meeting.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

from sqlalchemy.orm import Session

from .. import __version__
from ..domain.enums import Indicator, Measure
from ..domain.periods import YearMonth
from ..domain.progress import ProgressRow, ProgressTable
from ..errors import InputError
from ..store import settings as keys
from ..store.progress_query import load_progress
from .machine import MachineData, Table, write_machine_sheet
from .xlsx import FormSheet, new_workbook, save_atomically

OVERVIEW_SHEET = "汇总"
COUNTY_LABEL = "全县合计"
BLOCK = ("目标", "完成", "完成率", "排名")
INDICATOR_HEADERS = ("序号", "单位", "年度目标", "本年完成", "完成率", "序时进度", "完成状态", "排名")
INDICATOR_WIDTHS = (6, 18, 14, 14, 11, 11, 12, 7)


def export_summary(
    session: Session, period: YearMonth, path: str | os.PathLike, *, today: dt.date | None = None
) -> Path:
    if period.is_future(today):
        raise InputError(f"{period.chinese}尚未到来，不能导出该月的汇总表")
    table = load_progress(session, period)
    county = keys.county_name(session)
    workbook = new_workbook()
    _overview(workbook, table, county)
    for indicator in Indicator:
        _indicator_sheet(workbook, table, indicator, county)
    machine = MachineData(
        "summary",
        {"county": county, "period": str(period), "app_version": __version__},
        {"rows": Table("rows", ("unit", "indicator", "target", "actual", "rate", "rank"), [
            [r.unit or "", r.indicator.value, _text(r.target), _text(r.actual), _text(r.rate), _text(r.rank)]
            for r in table.rows
        ])},
    )
    write_machine_sheet(workbook, machine)
    path = Path(path)
    save_atomically(workbook, path)
    return path


def _text(value) -> str:
    return "" if value is None else str(value)


def _value(row: ProgressRow, which: str):
    money = row.indicator.measure is Measure.MONEY
    value = row.target if which == "target" else row.actual
    if value is None:
        return "—"
    return Decimal(value) if money else value


def _title(sheet: FormSheet, title: str, left: str, right: str) -> None:
    row = sheet.append(sheet.band({1: sheet.cell(title, "title")}), height=30)
    sheet.merge(row, 1, sheet.width)
    half = sheet.width // 2
    row = sheet.append(
        sheet.band({1: sheet.cell(left, "subtitle"), half + 1: sheet.cell(right, "subtitle_right")}), height=20
    )
    sheet.merge(row, 1, half)
    sheet.merge(row, half + 1, sheet.width)


def _overview(workbook, table: ProgressTable, county: str) -> None:
    indicators = list(Indicator)
    widths = [5, 14] + [11, 11, 8, 5] * len(indicators)
    sheet = FormSheet(workbook, OVERVIEW_SHEET, widths)
    sheet.print_setup(title_rows="3:4", freeze="C5")
    period = table.period
    _title(
        sheet,
        f"{county}招商引资目标任务完成情况汇总表({period.chinese})",
        f"序时进度：{table.schedule * 100:.2f}%",
        "金额单位：万元",
    )
    top = [sheet.cell("序号", "header"), sheet.cell("单位", "header")]
    bottom = [sheet.cell("", "header"), sheet.cell("", "header")]
    for indicator in indicators:
        unit = "万元" if indicator.measure is Measure.MONEY else "个"
        top += [sheet.cell(f"{indicator.label}（{unit}）", "header")] + [sheet.cell("", "header")] * 3
        bottom += [sheet.cell(label, "header") for label in BLOCK]
    first = sheet.append(top, height=32)
    sheet.append(bottom, height=18)
    sheet.merge(first, 1, 1, first + 1)
    sheet.merge(first, 2, 2, first + 1)
    for i in range(len(indicators)):
        sheet.merge(first, 3 + 4 * i, 6 + 4 * i)
    for serial, unit in enumerate([*table.units, None], start=1):
        county_row = unit is None
        cells = [
            sheet.cell("" if county_row else serial, "total_label" if county_row else "center"),
            sheet.cell(COUNTY_LABEL if county_row else unit, "total_label" if county_row else "text"),
        ]
        for indicator in indicators:
            row = table.get(unit, indicator)
            number = "money" if indicator.measure is Measure.MONEY else "count"
            if county_row:
                number = "total_" + number
            cells += [
                sheet.cell(_value(row, "target"), number if row.target is not None else "center"),
                sheet.cell(_value(row, "actual"), number),
                sheet.cell(row.rate, "percent") if row.rate is not None else sheet.cell("—", "center"),
                sheet.cell(row.rank if row.rank else "", "center"),
            ]
        sheet.append(cells)
    sheet.append([])
    note = sheet.append(sheet.band({1: sheet.cell(
        "说明：完成率＝本年完成÷年度目标；排名按完成率，仅在有目标的单位中排；全县目标为县级目标，不一定等于各单位之和。",
        "note",
    )}))
    sheet.merge(note, 1, sheet.width)


def _indicator_sheet(workbook, table: ProgressTable, indicator: Indicator, county: str) -> None:
    sheet = FormSheet(workbook, indicator.short_label, INDICATOR_WIDTHS)
    sheet.print_setup(title_rows="3:3", freeze="C4")
    unit = "万元" if indicator.measure is Measure.MONEY else "个"
    _title(
        sheet,
        f"{county}{indicator.label}完成情况排名({table.period.chinese})",
        f"序时进度：{table.schedule * 100:.2f}%",
        f"单位：{unit}",
    )
    sheet.append([sheet.cell(h, "header") for h in INDICATOR_HEADERS], height=22)
    rows = [table.get(u, indicator) for u in table.units]
    ranked = sorted(rows, key=lambda r: (r.rank is None, r.rank or 0))
    number = "money" if indicator.measure is Measure.MONEY else "count"
    for serial, row in enumerate([*ranked, table.county(indicator)], start=1):
        county_row = row.unit is None
        style = "total_" + number if county_row else number
        sheet.append(
            [
                sheet.cell("" if county_row else serial, "total_label" if county_row else "center"),
                sheet.cell(COUNTY_LABEL if county_row else row.unit, "total_label" if county_row else "text"),
                sheet.cell(_value(row, "target"), style if row.target is not None else "center"),
                sheet.cell(_value(row, "actual"), style),
                sheet.cell(row.rate, "percent") if row.rate is not None else sheet.cell("—", "center"),
                sheet.cell(row.schedule, "percent"),
                sheet.cell(row.status.label, "center"),
                sheet.cell(row.rank if row.rank else "", "center"),
            ]
        )
