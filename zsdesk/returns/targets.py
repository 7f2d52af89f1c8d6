"""The targets grid of a year (年度目标任务分解表): export, and import with a preview.

One row per unit in the county's order plus the county's own row, one column per
indicator (万元 or 个). The printed grid is what counts on import: the bureau fills
in or corrects the assignments in Excel. An empty cell means "no target"; importing
makes the year's targets of the listed units equal to the grid. The hidden sheet only
says which year and county the grid is for.
"""

from __future__ import annotations

import datetime as dt

import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from .. import __version__
from ..domain.enums import Indicator, Measure
from ..domain.quoting import quote
from ..errors import InputError
from ..store import settings as keys
from ..store.models import CountyTarget, Target, Unit, target_from_base, target_to_base
from .machine import MachineData, read_machine_sheet, write_machine_sheet
from .problems import Place, RefusedFile
from .reader import _cell_text, _fmt
from .xlsx import CellAt, FormSheet, check_workbook_file, count_in, money_in, new_workbook, open_workbook, save_atomically, sheet_rows, text_in

SHEET = "目标任务"
COUNTY_ROW = "全县"
HEADER_ROW = 3
MAX_UNITS = 500


def indicator_header(indicator: Indicator) -> str:
    return f"{indicator.label}（{'万元' if indicator.measure is Measure.MONEY else '个'}）"


HEADERS = ("序号", "单位", *(indicator_header(i) for i in Indicator))


def _check_year(year: int) -> None:
    if not 1900 <= year <= 2999:
        raise InputError(f"年份不合理：{year}")


def export_targets(session: Session, year: int, path: str | os.PathLike) -> Path:
    _check_year(year)
    county = keys.county_name(session)
    units = list(session.execute(select(Unit.id, Unit.name).order_by(Unit.sort_order, Unit.id)))
    values: dict[tuple[int | None, str], int] = {
        (unit_id, indicator): value
        for unit_id, indicator, value in session.execute(
            select(Target.unit_id, Target.indicator, Target.value).where(Target.year == year)
        )
    }
    values.update(
        {
            (None, indicator): value
            for indicator, value in session.execute(
                select(CountyTarget.indicator, CountyTarget.value).where(CountyTarget.year == year)
            )
        }
    )
    workbook = new_workbook()
    sheet = FormSheet(workbook, SHEET, [6, 16, *([14] * len(Indicator))])
    sheet.print_setup(title_rows=f"{HEADER_ROW}:{HEADER_ROW}", freeze=f"C{HEADER_ROW + 1}")
    row = sheet.append(sheet.band({1: sheet.cell(f"{county}{year}年度招商引资目标任务分解表", "title")}), height=30)
    sheet.merge(row, 1, sheet.width)
    half = sheet.width // 2
    row = sheet.append(sheet.band({
        1: sheet.cell("空白表示该单位无此项目标", "subtitle"),
        half + 1: sheet.cell("金额单位：万元", "subtitle_right"),
    }), height=20)
    sheet.merge(row, 1, half)
    sheet.merge(row, half + 1, sheet.width)
    sheet.append([sheet.cell(h, "header") for h in HEADERS], height=45)
    for serial, (unit_id, name) in enumerate([*units, (None, COUNTY_ROW)], start=1):
        county_row = unit_id is None
        cells = [
            sheet.cell("" if county_row else serial, "total_label" if county_row else "center"),
            sheet.cell(name, "total_label" if county_row else "text"),
        ]
        for indicator in Indicator:
            base = values.get((unit_id, indicator.value))
            style = ("total_" if county_row else "") + ("money" if indicator.measure is Measure.MONEY else "count")
            value = target_from_base(indicator, base)
            cells.append(sheet.cell(value if value is not None else None, style))
        sheet.append(cells)
    write_machine_sheet(
        workbook,
        MachineData("targets", {"county": county, "year": str(year), "app_version": __version__}, {}),
    )
    path = Path(path)
    save_atomically(workbook, path)
    return path


@dataclass(frozen=True)
class TargetChange:
    unit: str | None
    """None for the county's own target."""
    indicator: Indicator
    before: Decimal | int | None
    after: Decimal | int | None

    def __str__(self) -> str:
        def show(v):
            return "（无）" if v is None else _fmt(v)

        return f"{self.unit or COUNTY_ROW} {self.indicator.label}：{show(self.before)} → {show(self.after)}"


@dataclass
class TargetsPreview:
    path: Path
    year: int | None = None
    refusal: RefusedFile | None = None
    changes: list[TargetChange] = field(default_factory=list)
    unchanged: int = 0
    findings: list[str] = field(default_factory=list)
    _grid: dict = field(default_factory=dict)

    @property
    def refused(self) -> bool:
        return self.refusal is not None

    def summary(self) -> str:
        if self.refusal:
            return self.refusal.message
        added = sum(c.before is None for c in self.changes)
        removed = sum(c.after is None for c in self.changes)
        return (
            f"{self.year}年目标：新增{added}项、修改{len(self.changes) - added - removed}项、"
            f"删除{removed}项、未变{self.unchanged}项"
        )

    def lines(self) -> list[str]:
        return [*(f"  {c}" for c in self.changes), *(f"  提示：{f}" for f in self.findings)]


def preview_targets(session: Session, path: str | os.PathLike) -> TargetsPreview:
    """Read and check a targets grid and compare it with the file; nothing is written."""
    path = Path(path)
    preview = TargetsPreview(path)
    try:
        _read_grid(session, path, preview)
        _compare(session, preview)
    except RefusedFile as exc:
        preview.refusal = exc
    return preview


def _read_grid(session: Session, path: Path, preview: TargetsPreview) -> None:
    check_workbook_file(path, what="年度目标任务分解表")
    place = Place(path)
    units = dict(session.execute(select(Unit.name, Unit.id)).all())
    where = place.on(SHEET)
    with open_workbook(path) as workbook:
        machine = read_machine_sheet(place, workbook, "targets", limit=100)
        try:
            preview.year = int(machine.meta.get("year", ""))
            _check_year(preview.year)
        except (ValueError, InputError):
            raise place.on("_zsdesk").refuse("隐藏数据表中的年份无效") from None
        county = keys.get_setting(session, keys.COUNTY_NAME)
        if machine.meta.get("county") and county and machine.meta["county"] != county:
            raise place.refuse(f"这是“{quote(machine.meta['county'])}”的目标任务分解表，而本台账是“{county}”的")
        seen: dict[str, int] = {}
        header_seen = False
        limit = HEADER_ROW + MAX_UNITS + 20
        for number, cells in sheet_rows(place, workbook, SHEET, limit, len(HEADERS)):
            if number < HEADER_ROW:
                continue
            if number == HEADER_ROW:
                for column, wanted in enumerate(HEADERS, start=1):
                    found = _cell_text(cells[column - 1])
                    if found != wanted:
                        raise where.refuse(f"表头被改动：应为“{wanted}”，实为“{quote(found) or '（空）'}”", row=number, column=column)
                header_seen = True
                continue
            if all(c.value is None for c in cells):
                continue
            at = CellAt(where, number, 2, "单位")
            name = text_in(cells[1], at).strip()
            if not name:
                raise at.refuse("单位名称为空")
            if name != COUNTY_ROW and name not in units:
                raise at.refuse(f"单位“{quote(name)}”不是本台账的单位")
            if name in seen:
                raise at.refuse(f"单位“{quote(name)}”出现两次（另见第{seen[name]}行）")
            seen[name] = number
            row_values = {}
            for offset, indicator in enumerate(Indicator):
                column = 3 + offset
                cell_at = CellAt(where, number, column, indicator_header(indicator))
                cell = cells[column - 1]
                if cell.value is None and cell.data_type != "f":
                    row_values[indicator] = None
                elif indicator.measure is Measure.MONEY:
                    row_values[indicator] = money_in(cell, cell_at)
                else:
                    row_values[indicator] = count_in(cell, cell_at)
            preview._grid[None if name == COUNTY_ROW else name] = row_values
        if not header_seen:
            raise where.refuse("表格不完整：缺少表头")
        if not seen:
            raise where.refuse("表中没有任何单位")
        missing = [name for name in units if name not in seen]
        if missing:
            preview.findings.append(f"表中没有{'、'.join(missing)}：这些单位的目标不变")


def _compare(session: Session, preview: TargetsPreview) -> None:
    year = preview.year
    current: dict[tuple[str | None, Indicator], Decimal | int] = {}
    for name, indicator, value in session.execute(
        select(Unit.name, Target.indicator, Target.value).join(Unit, Unit.id == Target.unit_id).where(Target.year == year)
    ):
        if indicator in Indicator._value2member_map_:
            ind = Indicator(indicator)
            current[(name, ind)] = target_from_base(ind, value)
    for indicator, value in session.execute(
        select(CountyTarget.indicator, CountyTarget.value).where(CountyTarget.year == year)
    ):
        if indicator in Indicator._value2member_map_:
            ind = Indicator(indicator)
            current[(None, ind)] = target_from_base(ind, value)
    for unit, values in preview._grid.items():
        for indicator, after in values.items():
            before = current.get((unit, indicator))
            if before == after:
                preview.unchanged += 1
            else:
                preview.changes.append(TargetChange(unit, indicator, before, after))


def apply_targets(session: Session, preview: TargetsPreview) -> TargetsPreview:
    """Write a previewed grid in the caller's transaction (compared again first)."""
    if preview.refusal:
        raise preview.refusal
    fresh = TargetsPreview(preview.path, preview.year, None, [], 0, list(preview.findings), preview._grid)
    _compare(session, fresh)
    units = dict(session.execute(select(Unit.name, Unit.id)).all())
    year = fresh.year
    for change in fresh.changes:
        indicator = change.indicator.value
        if change.unit is None:
            session.execute(delete(CountyTarget).where(CountyTarget.year == year, CountyTarget.indicator == indicator))
            if change.after is not None:
                session.add(CountyTarget(year=year, indicator=indicator, value=target_to_base(change.indicator, change.after)))
        else:
            unit_id = units[change.unit]
            session.execute(
                delete(Target).where(Target.unit_id == unit_id, Target.year == year, Target.indicator == indicator)
            )
            if change.after is not None:
                session.add(
                    Target(unit_id=unit_id, year=year, indicator=indicator, value=target_to_base(change.indicator, change.after))
                )
    # A township's file: its targets now come from this 分解表 (shown read-only with where from).
    from ..store import settings as keys

    if keys.own_unit(session):
        stamp = dt.datetime.now().strftime("%Y-%m-%d %H:%M")
        keys.set_setting(session, keys.TARGETS_FROM, f"{Path(fresh.path).name}（{stamp}）")
    session.flush()
    return fresh


