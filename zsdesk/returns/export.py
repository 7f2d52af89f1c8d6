"""Writing the monthly return (月报) of one unit and month.

:func:`export_return` reads the unit's data with a handful of SQL queries (no query per
project), lays it out as the government form of :mod:`.layout`, and appends the hidden
sheet of :mod:`.machine` that lets the bureau import it exactly. The targets sheet
comes from :func:`~zsdesk.store.progress_query.load_progress`, so its figures are those
of ``zsdesk progress``.

Another engineer adds a sheet by passing it in: ``explanations`` (the clerk's written
explanations of check warnings) becomes the sheet 审核说明.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .. import __version__
from ..domain.enums import EventKind, Measure, Stage
from ..domain.money import wan_to_yuan
from ..domain.periods import YearMonth
from ..domain.quoting import quote
from ..errors import InputError
from ..store import settings as keys
from ..store.models import Event, FundRecord, Investor, Project, Unit, Visit
from ..store.progress_query import load_progress
from ..store.units import find_unit
from . import layout as L
from . import limits
from .machine import MachineData, Table, write_machine_sheet
from .xlsx import FormSheet, get_column_letter, new_workbook, save_atomically


@dataclass(frozen=True)
class Explanation:
    """One explained check warning, as the 审核说明 sheet prints it."""

    rule: str
    record: str
    message: str
    explanation: str


@dataclass(frozen=True)
class ExportResult:
    path: Path
    unit: str
    period: YearMonth
    projects: int
    visits: int
    events: int


@dataclass
class ReturnData:
    """Everything one return shows or carries, read from the ledger."""

    county: str
    unit: str
    period: YearMonth
    clerk: str
    reviewer: str
    phone: str
    threshold: str
    projects: list[dict] = field(default_factory=list)
    investors: list[dict] = field(default_factory=list)
    visits: list[dict] = field(default_factory=list)
    events: list[dict] = field(default_factory=list)
    progress: list = field(default_factory=list)
    schedule: Decimal = Decimal(0)


_UNSAFE_FILE_CHARS = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def return_file_name(unit: str, period: YearMonth) -> str:
    """安文街道-2026年6月月报.xlsx (characters a file name cannot hold become _)."""
    return f"{_UNSAFE_FILE_CHARS.sub('_', unit).strip() or '单位'}-{period.chinese}月报.xlsx"


def export_return(
    session: Session,
    unit: str | Unit,
    period: YearMonth,
    path: str | os.PathLike,
    *,
    explanations: Iterable[Explanation | Sequence[str]] | None = None,
    today: dt.date | None = None,
) -> ExportResult:
    """Write the return of ``unit`` for ``period`` to ``path`` (replaced only when complete)."""
    if period.is_future(today):
        raise InputError(f"{period.chinese}尚未到来，不能导出该月的月报")
    unit_row = find_unit(session, unit) if isinstance(unit, str) else unit
    data = collect_return(session, unit_row, period)
    explanations = [_as_explanation(e) for e in explanations] if explanations else []
    _refuse_too_long(data, explanations)
    workbook = new_workbook()
    write_project_sheet(workbook, data, today or dt.date.today())
    write_target_sheet(workbook, data)
    write_visit_sheet(workbook, data)
    if explanations:
        write_explanation_sheet(workbook, data, explanations)
    write_machine_sheet(workbook, machine_data(data, today))
    path = Path(path)
    save_atomically(workbook, path)
    return ExportResult(path, data.unit, period, len(data.projects), len(data.visits), len(data.events))


def _refuse_too_long(data: ReturnData, explanations: list[Explanation]) -> None:
    """Text beyond its field's limit (kept from before the limits, or written by plain
    SQL) is refused before anything is written: a cell is never cut, and a return the
    bureau would refuse is not made."""
    fix = "请在zsdesk中删减后再导出月报"
    for p in data.projects:
        message = limits.project_too_long(p)
        if message:
            raise InputError(f"{limits.named('项目', p['name'], p['code'])}的{message}。{fix}")
    for inv in data.investors:
        message = limits.investor_too_long(inv)
        if message:
            raise InputError(f"{limits.named('客商', inv['name'] or '')}的{message}。{fix}")
    for v in data.visits:
        message = limits.visit_too_long(v)
        if message:
            raise InputError(f"{v['date']}的考察对接记录中，{message}。{fix}")
    for e in data.events:
        message = limits.event_too_long(e)
        if message:
            raise InputError(f"{limits.named('招商活动', e['name'])}的{message}。{fix}")
    for item in explanations:
        message = limits.explanation_too_long(item.explanation)
        if message:
            raise InputError(f"审核说明（{quote(item.record)}）的{message}。{fix}")


def _as_explanation(item) -> Explanation:
    """An Explanation, a (rule, record, message, explanation) row, or an explained
    check finding (``.title``, ``.record.label``, ``.message``, ``.acknowledgement``)."""
    if isinstance(item, Explanation):
        return item
    acknowledgement = getattr(item, "acknowledgement", None)
    if acknowledgement is not None:
        # With who and when ("…（张三，2026-06-28）"): the bureau's import keeps them
        # (zsdesk/returns/explanations.py reads them back).
        from ..domain.checks import explanation_rows

        return Explanation(*explanation_rows([item])[0])
    rule, record, message, explanation = (str(v) for v in item)
    return Explanation(rule, record, message, explanation)


# --- reading the ledger ---------------------------------------------------------------

_PROJECT_COLUMNS = [getattr(Project, name) for name in (
    "id", "code", "investor_id", *L.PROJECT_TEXT_FIELDS, "stage", *L.PROJECT_DATE_FIELDS,
    *L.PROJECT_BOOL_FIELDS, *L.PROJECT_MONEY_FIELDS,
)]


def collect_return(session: Session, unit: Unit, period: YearMonth) -> ReturnData:
    settings = keys.all_settings(session)
    data = ReturnData(
        county=settings.get(keys.COUNTY_NAME, "") or "本县",
        unit=unit.name,
        period=period,
        clerk=settings.get(keys.CLERK_NAME, ""),
        reviewer=settings.get(keys.REVIEWER, ""),
        phone=settings.get(keys.PHONE, ""),
        threshold=settings.get(keys.MAJOR_THRESHOLD, ""),
    )
    projects = [row._asdict() for row in session.execute(
        select(*_PROJECT_COLUMNS).where(Project.unit_id == unit.id).order_by(Project.id)
    )]
    months: dict[int, dict[int, Decimal]] = {}
    for project_id, month, amount in session.execute(
        select(FundRecord.project_id, FundRecord.month, FundRecord.amount)
        .join(Project, Project.id == FundRecord.project_id)
        .where(Project.unit_id == unit.id, FundRecord.year == period.year, FundRecord.month <= period.month)
    ):
        months.setdefault(project_id, {})[month] = amount
    first, last = period.first_day, period.last_day
    visits = [row._asdict() for row in session.execute(
        select(
            Visit.investor_id, Visit.date, Visit.batches, Visit.headcount, Visit.receiving_leader, Visit.seen,
            Visit.outcome, Project.code.label("project_code"), Project.name.label("project_name"),
        )
        .outerjoin(Project, Project.id == Visit.project_id)
        .where(Visit.unit_id == unit.id, Visit.date >= first, Visit.date <= last)
        .order_by(Visit.date, Visit.id)
    )]
    data.events = [row._asdict() for row in session.execute(
        select(
            Event.kind, Event.name, Event.date, Event.place, Event.firms, Event.representatives,
            Event.intention_projects, Event.notes,
        )
        .where(Event.unit_id == unit.id, Event.date >= first, Event.date <= last)
        .order_by(Event.date, Event.id)
    )]
    visit_investors = sorted({v["investor_id"] for v in visits if v["investor_id"] is not None})
    unit_names = dict(session.execute(select(Unit.id, Unit.name)).all())
    condition = or_(
        Investor.unit_id == unit.id,
        Investor.id.in_(select(Project.investor_id).where(Project.unit_id == unit.id)),
        Investor.id.in_(visit_investors),
    )
    investors = [row._asdict() for row in session.execute(
        select(
            Investor.id, Investor.name, Investor.kind, Investor.home_region, Investor.industry, Investor.chamber,
            Investor.unit_id, Investor.registered_on, Investor.film_production, Investor.notable, Investor.notes,
        ).where(condition).order_by(Investor.id)
    )]
    names = {inv["id"]: inv["name"] for inv in investors}
    for inv in investors:
        inv["unit"] = unit_names.get(inv["unit_id"], "")
    for project in projects:
        project["investor_name"] = names.get(project["investor_id"], "")
        project["months"] = months.get(project["id"], {})
    for visit in visits:
        visit["investor_name"] = names.get(visit["investor_id"], "")
    data.projects, data.investors, data.visits = projects, investors, visits
    table = load_progress(session, period, unit=unit.name)
    data.progress = table.for_unit(unit.name)
    data.schedule = table.schedule
    return data


def _this_month(project: dict, period: YearMonth) -> Decimal:
    return project["months"].get(period.month, Decimal(0))


def _year_total(project: dict) -> Decimal:
    return sum(project["months"].values(), Decimal(0))


def _yes(flag: bool) -> str:
    return "是" if flag else "否"


# --- the printed sheets ---------------------------------------------------------------

LINE_HEIGHT = 13.5
"""Points per line of 10-point text."""


def _text_width(text: str) -> float:
    """Width in column units (about one digit) of 10-point text: between what LibreOffice
    prints (a Chinese character about 1.45 units) and Excel with SimSun (about 1.9)."""
    return sum(1.6 if ord(ch) > 0x2E7F else 0.9 for ch in text)


def row_height(columns, values: dict) -> float | None:
    """The height a row of wrapped text needs, or None for one line.

    Neither Excel nor LibreOffice fits the height of a row to its wrapped text when
    it opens a file, so the form sets it: otherwise long names print on top of the
    next row.
    """
    lines = 1
    for column in columns:
        if column.style != "wrap":
            continue
        text = values.get(column.key)
        if not isinstance(text, str) or not text:
            continue
        usable = max(column.width - 0.5, 1.0)
        needed = sum(max(1, math.ceil(_text_width(part) / usable)) for part in text.split("\n"))
        lines = max(lines, needed)
    return None if lines == 1 else min(lines, 30) * LINE_HEIGHT + 2


def form_title(county: str, period: YearMonth) -> str:
    return f"{county}{L.TITLE_WORDS}({period.chinese})"


def _title_rows(sheet: FormSheet, title: str, unit: str, right_note: str) -> None:
    width = sheet.width
    row = sheet.append(sheet.band({1: sheet.cell(title, "title")}), height=30)
    sheet.merge(row, 1, width)
    split = max(2, width // 2)
    row = sheet.append(
        sheet.band({1: sheet.cell(L.UNIT_PREFIX + unit, "subtitle"), split + 1: sheet.cell(right_note, "subtitle_right")}),
        height=20,
    )
    sheet.merge(row, 1, split)
    sheet.merge(row, split + 1, width)


def _header_rows(sheet: FormSheet, columns: tuple[L.Column, ...], first_row: int) -> None:
    top, bottom = L.header_grid(columns)
    sheet.append([sheet.cell(text or "", "header") for text in top], height=18)
    sheet.append([sheet.cell(text or "", "header") for text in bottom], height=28)
    index = 0
    while index < len(columns):
        column = columns[index]
        if column.group:
            end = index
            while end + 1 < len(columns) and columns[end + 1].group == column.group:
                end += 1
            if end > index:
                sheet.merge(first_row, index + 1, end + 1)
            index = end + 1
        else:
            sheet.merge(first_row, index + 1, index + 1, first_row + 1)
            index += 1


def write_project_sheet(workbook, data: ReturnData, today: dt.date) -> None:
    columns = L.PROJECT_COLUMNS
    sheet = FormSheet(workbook, L.PROJECT_SHEET, [c.width for c in columns])
    sheet.print_setup(title_rows=f"{L.HEADER_ROWS[0]}:{L.HEADER_ROWS[1]}", freeze=f"D{L.FIRST_DATA_ROW}")
    _title_rows(sheet, form_title(data.county, data.period), data.unit, L.MONEY_UNIT_NOTE)
    _header_rows(sheet, columns, L.HEADER_ROWS[0])
    cell = sheet.cell
    period = data.period
    for serial, p in enumerate(data.projects, start=1):
        values = {
            "serial": serial,
            "code": p["code"],
            "name": p["name"],
            "investor": p["investor_name"],
            "industry": p["industry"],
            "stage": Stage(p["stage"]).label if p["stage"] in Stage._value2member_map_ else p["stage"],
            "planned_investment": p["planned_investment"] or Decimal(0),
            "this_month": _this_month(p, period),
            "year_total": _year_total(p),
            "zhejiang_return": _yes(p["zhejiang_return"]),
            "mountain_sea": _yes(p["mountain_sea"]),
            "declared": _yes(p["declared"]),
            "liaison_leader": p["liaison_leader"],
            "responsible_unit": p["responsible_unit"],
            "person_in_charge": p["person_in_charge"],
            "progress_note": p["progress_note"],
            "problems": p["problems"],
        }
        sheet.append([cell(values[c.key], c.style) for c in columns], height=row_height(columns, values))
    last = L.FIRST_DATA_ROW + len(data.projects) - 1
    totals = {1: cell(L.TOTAL_LABEL, "total_label")}
    for key in L.MONEY_COLUMNS:
        col = L.PROJECT_COL[key]
        letter = get_column_letter(col)
        if data.projects:
            totals[col] = sheet.formula(f"=SUM({letter}{L.FIRST_DATA_ROW}:{letter}{last})", "total_money")
        else:
            totals[col] = cell(Decimal(0), "total_money")
    row = sheet.append([totals.get(i) or cell("", "total_text") for i in range(1, sheet.width + 1)])
    sheet.merge(row, 1, L.PROJECT_COL["planned_investment"] - 1)
    sheet.append([])
    _footer_row(sheet, data, today)


def _footer_row(sheet: FormSheet, data: ReturnData, today: dt.date) -> None:
    width = sheet.width
    quarter = max(1, width // 4)
    parts = [
        f"填报人：{data.clerk}",
        f"审核人：{data.reviewer}",
        f"联系电话：{data.phone}",
        f"填报日期：{today.year}年{today.month}月{today.day}日",
    ]
    starts = [1 + i * quarter for i in range(4)]
    row = sheet.append(sheet.band({start: sheet.cell(text, "footer") for start, text in zip(starts, parts)}), height=22)
    for i, start in enumerate(starts):
        end = starts[i + 1] - 1 if i < 3 else width
        if end > start:
            sheet.merge(row, start, end)


def _quantity(value, measure: Measure):
    if value is None:
        return "—"
    return value if measure is Measure.COUNT else Decimal(value)


def write_target_sheet(workbook, data: ReturnData) -> None:
    sheet = FormSheet(workbook, L.TARGET_SHEET, L.TARGET_WIDTHS)
    sheet.print_setup(title_rows="3:3", freeze="C4")
    _title_rows(
        sheet,
        f"{data.unit}{data.period.chinese}目标任务完成情况",
        data.unit,
        f"序时进度：{data.schedule * 100:.2f}%",
    )
    sheet.append([sheet.cell(h, "header") for h in L.TARGET_HEADERS], height=22)
    cell = sheet.cell
    for serial, row in enumerate(data.progress, start=1):
        measure = row.indicator.measure
        number_style = "money" if measure is Measure.MONEY else "count"
        sheet.append(
            [
                cell(serial, "center"),
                cell(row.indicator.label, "text"),
                cell(measure.label, "center"),
                cell(_quantity(row.target, measure), number_style if row.target is not None else "center"),
                cell(_quantity(row.actual, measure), number_style),
                cell(row.rate, "percent") if row.rate is not None else cell("—", "center"),
                cell(row.schedule, "percent"),
                cell(row.status.label, "center"),
            ],
            height=20,
        )
    sheet.append([])
    notes = (
        "说明：完成率＝本年完成÷年度目标；序时进度＝月份÷12，完成率低于序时进度为“慢于序时”。",
        "浙商回归到位资金只计已申报项目；资金按到位月份计入当年1月至本月。",
    )
    for note in notes:
        row = sheet.append(sheet.band({1: cell(note, "note")}))
        sheet.merge(row, 1, sheet.width)


def write_visit_sheet(workbook, data: ReturnData) -> None:
    columns = L.VISIT_COLUMNS
    sheet = FormSheet(workbook, L.VISIT_SHEET, [c.width for c in columns])
    sheet.print_setup(title_rows=None, freeze=None)
    _title_rows(sheet, f"{data.unit}考察对接与招商活动情况({data.period.chinese})", data.unit, "")
    cell = sheet.cell
    row = sheet.append(sheet.band({1: cell(L.VISIT_SECTION, "section")}), height=22)
    sheet.merge(row, 1, sheet.width)
    header_row = sheet.append([cell(c.header, "header") for c in columns], height=22)
    for serial, v in enumerate(data.visits, start=1):
        values = {
            "serial": serial,
            "date": v["date"].isoformat(),
            "investor": v["investor_name"],
            "batches": v["batches"],
            "headcount": v["headcount"],
            "receiving_leader": v["receiving_leader"],
            "seen": v["seen"],
            "outcome": v["outcome"],
            "project": v["project_name"] or "",
        }
        sheet.append([cell(values[c.key], c.style) for c in columns], height=row_height(columns, values))
    _subtotal(sheet, columns, ("batches", "headcount"), header_row + 1, len(data.visits))
    sheet.append([])
    row = sheet.append(sheet.band({1: cell(L.EVENT_SECTION, "section")}), height=22)
    sheet.merge(row, 1, sheet.width)
    columns = L.EVENT_COLUMNS
    header_row = sheet.append([cell(c.header, "header") for c in columns], height=30)
    for serial, e in enumerate(data.events, start=1):
        kind = EventKind(e["kind"]).label if e["kind"] in EventKind._value2member_map_ else e["kind"]
        values = {
            "serial": serial,
            "date": e["date"].isoformat(),
            "name": e["name"],
            "firms": e["firms"],
            "representatives": e["representatives"],
            "kind": kind,
            "place": e["place"],
            "intention_projects": e["intention_projects"],
            "notes": e["notes"],
        }
        sheet.append([cell(values[c.key], c.style) for c in columns], height=row_height(columns, values))
    _subtotal(sheet, columns, ("firms", "representatives", "intention_projects"), header_row + 1, len(data.events))


def _subtotal(sheet: FormSheet, columns, keys_: Sequence[str], first: int, count: int) -> None:
    cells = {1: sheet.cell(L.SUBTOTAL_LABEL, "total_label")}
    for index, column in enumerate(columns, start=1):
        if column.key in keys_:
            letter = get_column_letter(index)
            cells[index] = (
                sheet.formula(f"=SUM({letter}{first}:{letter}{first + count - 1})", "total_count")
                if count
                else sheet.cell(0, "total_count")
            )
    sheet.append([cells.get(i) or sheet.cell("", "total_text") for i in range(1, sheet.width + 1)])


def write_explanation_sheet(workbook, data: ReturnData, explanations: list[Explanation]) -> None:
    sheet = FormSheet(workbook, L.EXPLANATION_SHEET, L.EXPLANATION_WIDTHS)
    sheet.print_setup(title_rows="3:3", freeze="A4")
    _title_rows(sheet, f"{data.unit}{data.period.chinese}月报审核说明", data.unit, "")
    sheet.append([sheet.cell(h, "header") for h in L.EXPLANATION_HEADERS], height=22)
    columns = [L.Column(f"c{i}", h, w, "wrap") for i, (h, w) in enumerate(zip(L.EXPLANATION_HEADERS, L.EXPLANATION_WIDTHS))]
    for serial, item in enumerate(explanations, start=1):
        texts = [item.rule, item.record, item.message, item.explanation]
        values = {f"c{i}": text for i, text in enumerate(texts, start=1)}
        sheet.append(
            [sheet.cell(serial, "center"), *(sheet.cell(text, "wrap") for text in texts)],
            height=row_height(columns, values),
        )


# --- the hidden sheet -----------------------------------------------------------------

def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _yuan(value: Decimal | None) -> str:
    return "" if value is None else str(wan_to_yuan(value))


def _bit(flag: bool) -> str:
    return "1" if flag else "0"


def machine_data(data: ReturnData, today: dt.date | None = None) -> MachineData:
    period = data.period
    projects = Table("projects", L.PROJECT_FIELDS)
    for p in data.projects:
        values = {
            "code": p["code"],
            "investor": str(p["investor_id"]) if p["investor_id"] is not None else "",
            "stage": p["stage"],
            **{k: p[k] for k in L.PROJECT_TEXT_FIELDS},
            **{k: _date(p[k]) for k in L.PROJECT_DATE_FIELDS},
            **{k: _bit(p[k]) for k in L.PROJECT_BOOL_FIELDS},
            **{k: _yuan(p[k]) for k in L.PROJECT_MONEY_FIELDS},
            **{f"m{m:02d}": _yuan(p["months"].get(m)) for m in range(1, 13)},
        }
        projects.rows.append([values[f] for f in L.PROJECT_FIELDS])
    investors = Table("investors", L.INVESTOR_FIELDS)
    for inv in data.investors:
        values = {
            **{k: inv[k] or "" for k in ("name", "kind", "home_region", "industry", "chamber", "unit", "notes")},
            "key": str(inv["id"]),
            "registered_on": _date(inv["registered_on"]),
            "film_production": _bit(inv["film_production"]),
            "notable": _bit(inv["notable"]),
        }
        investors.rows.append([values[f] for f in L.INVESTOR_FIELDS])
    visits = Table("visits", L.VISIT_FIELDS)
    for v in data.visits:
        values = {
            "investor": str(v["investor_id"]) if v["investor_id"] is not None else "",
            "project": v["project_code"] or "",
            "project_name": v["project_name"] or "",
            "date": _date(v["date"]),
            "batches": str(v["batches"]),
            "headcount": str(v["headcount"]),
            "receiving_leader": v["receiving_leader"],
            "seen": v["seen"],
            "outcome": v["outcome"],
        }
        visits.rows.append([values[f] for f in L.VISIT_FIELDS])
    events = Table("events", L.EVENT_FIELDS)
    for e in data.events:
        values = {
            "kind": e["kind"],
            "name": e["name"],
            "date": _date(e["date"]),
            "place": e["place"],
            "firms": str(e["firms"]),
            "representatives": str(e["representatives"]),
            "intention_projects": str(e["intention_projects"]),
            "notes": e["notes"],
        }
        events.rows.append([values[f] for f in L.EVENT_FIELDS])
    meta = {
        "county": data.county,
        "unit": data.unit,
        "period": str(period),
        "exported_at": dt.datetime.now().replace(microsecond=0).isoformat() if today is None else today.isoformat(),
        "app_version": __version__,
        "major_threshold": data.threshold,
        "projects": str(len(projects.rows)),
        "investors": str(len(investors.rows)),
        "visits": str(len(visits.rows)),
        "events": str(len(events.rows)),
    }
    return MachineData("return", meta, {t.name: t for t in (projects, investors, visits, events)})


