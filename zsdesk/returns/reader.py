"""Reading a monthly return: the printed form, checked against its hidden sheet.

No database here. :func:`read_return` gives a :class:`ParsedReturn` holding exactly
what the form shows, or raises :class:`~zsdesk.returns.problems.RefusedFile`.

What the form shows wins, and disagreement is refused, by these rules:

* Every project row is matched to the hidden sheet by its 项目编号. A row whose code
  the hidden sheet lacks, a code twice, or a hidden project with no row: refused.
* A printed value the clerk corrected in Excel (a name, a flag, 计划总投资, this month's
  funds) is taken as printed and listed as a correction for the preview.
* 本年累计 must equal the hidden months before this one plus 本月 as printed: a
  corrected figure that the hidden months contradict is refused, never guessed at.
* Totals rows must be the SUM formulas written, or numbers equal to the rows' sum.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from ..domain.enums import EventKind, InvestorType, Stage
from ..domain.money import yuan_to_wan
from ..domain.periods import PeriodError, YearMonth
from ..domain.quoting import quote
from . import layout as L
from . import limits
from .export import form_title
from .machine import MachineData, read_machine_sheet
from .problems import Place, RefusedFile
from .xlsx import (
    CellAt,
    check_workbook_file,
    count_in,
    date_in,
    flag_in,
    money_in,
    open_workbook,
    printable,
    sheet_rows,
    text_in,
)


@dataclass
class ReturnProject:
    code: str
    row: int
    """Row in the project sheet."""
    values: dict
    """Project attributes as they will be stored (Decimal 万元, dates, bools, text)."""
    investor_key: str | None
    """The investor's key among the return's investors; None if none or renamed in Excel."""
    investor_name: str
    months: dict[int, Decimal]
    """Funds arrived per month of the year, up to the return's month (records only)."""
    exported_name: str = ""
    """The name as exported, before any correction in Excel."""


@dataclass
class ReturnInvestor:
    key: str
    values: dict
    unit: str
    """Name of the unit the investor is attributed to ('' for none)."""


@dataclass
class ReturnVisit:
    values: dict
    investor_key: str | None
    investor_name: str
    project_code: str | None
    """A project of this return, or (linked across units) of the county file."""
    project_name: str = ""
    """The linked project's name as exported."""


@dataclass
class ReturnEvent:
    values: dict


@dataclass(frozen=True)
class Correction:
    """A printed value the clerk changed in Excel after export; imported as printed."""

    sheet: str
    row: int
    column: int
    header: str
    before: str
    after: str

    def __str__(self) -> str:
        from openpyxl.utils import get_column_letter

        return (
            f"工作表“{quote(self.sheet)}”第{self.row}行{get_column_letter(self.column)}列（{self.header}）"
            f"在Excel中由“{quote(self.before)}”改为“{quote(self.after)}”"
        )


@dataclass
class ParsedReturn:
    path: Path
    sha256: str
    county: str
    unit: str
    period: YearMonth
    version: str
    exported_at: str
    threshold: str
    projects: list[ReturnProject] = field(default_factory=list)
    investors: dict[str, ReturnInvestor] = field(default_factory=dict)
    visits: list[ReturnVisit] = field(default_factory=list)
    events: list[ReturnEvent] = field(default_factory=list)
    corrections: list[Correction] = field(default_factory=list)

    @property
    def file_name(self) -> str:
        return self.path.name


def read_return(path: str | Path, *, today: dt.date | None = None) -> ParsedReturn:
    """Read and check one return file; :class:`RefusedFile` if it cannot be imported."""
    path = Path(path)
    sha = check_workbook_file(path, max_rows=L.MAX_SHEET_ROWS)
    place = Place(path)
    with open_workbook(path) as workbook:
        machine = read_machine_sheet(place, workbook, "return", limit=2 * L.MAX_PROJECTS + 2 * L.MAX_VISITS + 100)
        parsed = _from_machine(place, machine, sha)
        if parsed.period.is_future(today):
            raise place.refuse(f"月报的月份{parsed.period.chinese}尚未到来")
        _read_project_sheet(place, workbook, parsed)
        _read_visit_sheet(place, workbook, parsed)
    _check_text_limits(place, parsed)
    return parsed


def _check_text_limits(place: Place, parsed: ParsedReturn) -> None:
    """Text longer than its field allows is refused here, as in the editors."""
    for project in parsed.projects:
        message = limits.project_too_long({**project.values, "investor": project.investor_name})
        if message:
            where = place.on(L.PROJECT_SHEET) if project.row else place.on("_zsdesk")
            raise where.refuse(
                f"{limits.named('项目', project.values['name'], project.code)}的{message}（在填报单位的zsdesk中删减后重新导出）",
                row=project.row or None,
            )
    for investor in parsed.investors.values():
        message = limits.investor_too_long(investor.values)
        if message:
            raise place.refuse(f"{limits.named('客商', investor.values['name'])}的{message}（在填报单位的zsdesk中删减后重新导出）")
    for visit in parsed.visits:
        message = limits.visit_too_long(visit.values)
        if message:
            raise place.refuse(f"{visit.values['date']}的考察对接记录中，{message}（在填报单位的zsdesk中删减后重新导出）")
    for event in parsed.events:
        message = limits.event_too_long(event.values)
        if message:
            raise place.refuse(f"{limits.named('招商活动', event.values['name'])}的{message}（在填报单位的zsdesk中删减后重新导出）")


# --- the hidden sheet, typed ----------------------------------------------------------

def _from_machine(place: Place, machine: MachineData, sha: str) -> ParsedReturn:
    hidden = place.on("_zsdesk")
    meta = machine.meta
    try:
        period = YearMonth.parse(meta.get("period", ""))
    except PeriodError:
        raise hidden.refuse(f"隐藏数据表中的月份“{quote(meta.get('period'))}”无效") from None
    unit = meta.get("unit", "").strip()
    if not unit:
        raise hidden.refuse("隐藏数据表中没有填报单位")
    declared = meta.get("projects", "")
    if declared.isdigit() and int(declared) > L.MAX_PROJECTS:
        raise place.refuse(
            f"月报中有{int(declared):,}个项目，超过每份月报的上限{L.MAX_PROJECTS:,}个：不是一个单位的正常月报，拒绝导入"
        )
    for name in ("projects", "investors", "visits", "events"):
        if name not in machine.tables:
            raise hidden.refuse(f"隐藏数据表缺少“{name}”部分")
        if meta.get(name) != str(len(machine.tables[name].rows)):
            raise hidden.refuse(f"隐藏数据表中“{name}”的行数与记录的不符，文件不完整")
    parsed = ParsedReturn(
        path=place.path,
        sha256=sha,
        county=meta.get("county", ""),
        unit=unit,
        period=period,
        version=machine.version,
        exported_at=meta.get("exported_at", ""),
        threshold=meta.get("major_threshold", ""),
    )
    for table, wanted in (
        ("projects", L.PROJECT_FIELDS),
        ("investors", L.INVESTOR_FIELDS),
        ("visits", L.VISIT_FIELDS),
        ("events", L.EVENT_FIELDS),
    ):
        if tuple(machine.tables[table].fields) != wanted:
            raise hidden.refuse(f"隐藏数据表中“{table}”的字段与本版本不符")
    try:
        for row in machine.table("investors").dicts():
            investor = _machine_investor(row)
            if investor.key in parsed.investors:
                raise ValueError(f"客商编号 {quote(investor.key)} 重复")
            parsed.investors[investor.key] = investor
        seen: set[str] = set()
        for row in machine.table("projects").dicts():
            project = _machine_project(row, period, parsed.investors)
            if project.code in seen:
                raise place.refuse(f"项目编号 {quote(project.code)} 在隐藏数据表中出现两次")
            seen.add(project.code)
            parsed.projects.append(project)
        for row in machine.table("visits").dicts():
            parsed.visits.append(_machine_visit(row, parsed.investors))
        for row in machine.table("events").dicts():
            parsed.events.append(ReturnEvent(_machine_event(row)))
    except (ValueError, KeyError) as exc:
        raise hidden.refuse(f"隐藏数据表的内容无效（{exc}）") from None
    return parsed


def _date(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _bit(text: str) -> bool:
    if text not in ("0", "1"):
        raise ValueError(f"“{quote(text)}”不是0或1")
    return text == "1"


def _wan(text: str) -> Decimal | None:
    if text == "":
        return None
    if not re.fullmatch(r"-?\d{1,18}", text):
        raise ValueError(f"金额“{quote(text)}”无效")
    return yuan_to_wan(int(text))


def _count(text: str) -> int:
    if not re.fullmatch(r"\d{1,9}", text):
        raise ValueError(f"数字“{quote(text)}”无效")
    return int(text)


def _machine_investor(row: dict) -> ReturnInvestor:
    if not row["key"] or not row["name"]:
        raise ValueError("客商缺少编号或名称")
    kind = InvestorType(row["kind"]).value
    values = {
        "name": row["name"],
        "kind": kind,
        "home_region": row["home_region"],
        "industry": row["industry"],
        "chamber": row["chamber"],
        "registered_on": _date(row["registered_on"]),
        "film_production": _bit(row["film_production"]),
        "notable": _bit(row["notable"]),
        "notes": row["notes"],
    }
    return ReturnInvestor(row["key"], values, row["unit"])


def _machine_project(row: dict, period: YearMonth, investors: dict[str, ReturnInvestor]) -> ReturnProject:
    code = row["code"]
    if not code or len(code) > 32:
        raise ValueError(f"项目编号“{quote(code)}”无效")
    values: dict = {"stage": Stage(row["stage"]).value}
    for key in L.PROJECT_TEXT_FIELDS:
        values[key] = row[key]
    for key in L.PROJECT_DATE_FIELDS:
        values[key] = _date(row[key])
    for key in L.PROJECT_BOOL_FIELDS:
        values[key] = _bit(row[key])
    for key in L.PROJECT_MONEY_FIELDS:
        amount = _wan(row[key])
        if amount is not None and amount < 0:
            raise ValueError(f"项目 {code} 的金额为负")
        values[key] = amount
    if values["planned_investment"] is None:
        values["planned_investment"] = Decimal(0)
    months: dict[int, Decimal] = {}
    for month in range(1, 13):
        amount = _wan(row[f"m{month:02d}"])
        if amount is None:
            continue
        if month > period.month:
            raise ValueError(f"项目 {code} 有{month}月的到位资金，晚于月报月份")
        if amount < 0:
            raise ValueError(f"项目 {code} 的到位资金为负")
        months[month] = amount
    key = row["investor"] or None
    if key is not None and key not in investors:
        raise ValueError(f"项目 {code} 的投资方不在客商表中")
    name = investors[key].values["name"] if key else ""
    return ReturnProject(code, 0, values, key, name, months, exported_name=values["name"])


def _machine_visit(row: dict, investors: dict) -> ReturnVisit:
    key = row["investor"] or None
    if key is not None and key not in investors:
        raise ValueError("考察记录的客商不在客商表中")
    code = row["project"] or None
    values = {
        "date": _date(row["date"]),
        "batches": _count(row["batches"]),
        "headcount": _count(row["headcount"]),
        "receiving_leader": row["receiving_leader"],
        "seen": row["seen"],
        "outcome": row["outcome"],
    }
    if values["date"] is None:
        raise ValueError("考察记录缺少日期")
    name = investors[key].values["name"] if key else ""
    return ReturnVisit(values, key, name, code, row["project_name"])


def _machine_event(row: dict) -> dict:
    values = {
        "kind": EventKind(row["kind"]).value,
        "name": row["name"],
        "date": _date(row["date"]),
        "place": row["place"],
        "firms": _count(row["firms"]),
        "representatives": _count(row["representatives"]),
        "intention_projects": _count(row["intention_projects"]),
        "notes": row["notes"],
    }
    if values["date"] is None:
        raise ValueError("招商活动缺少日期")
    return values


# --- the printed project sheet --------------------------------------------------------

def shown(text: str) -> str:
    """A stored text as the printed form shows it when read back."""
    return printable(text).replace("\r\n", "\n").replace("\r", "\n")


def _fmt(value) -> str:
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


class _Sheet:
    """The cells of one printed sheet, with messages that say where."""

    def __init__(self, place: Place, sheet: str, columns: tuple[L.Column, ...]):
        self.place = place.on(sheet)
        self.sheet = sheet
        self.columns = columns

    def at(self, row: int, column: int, columns: tuple[L.Column, ...] | None = None) -> CellAt:
        return CellAt(self.place, row, column, L.header_label(columns or self.columns, column))

    def refuse(self, reason: str, row: int | None = None, column: int | None = None):
        header = L.header_label(self.columns, column) if column and column <= len(self.columns) else None
        return self.place.refuse(reason, row=row, column=column, header=header)


def _is_number(cell) -> bool:
    return cell.data_type == "f" or (isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool))


def _cell_text(cell) -> str:
    value = cell.value
    return "" if value is None else str(value).strip()


def _check_headers(sheet: _Sheet, rows: dict[int, tuple], columns, first_row: int) -> None:
    top, bottom = L.header_grid(columns)
    for row_number, expected in ((first_row, top), (first_row + 1, bottom)):
        cells = rows.get(row_number, ())
        for column, wanted in enumerate(expected, start=1):
            found = _cell_text(cells[column - 1]) if column <= len(cells) else ""
            if found != (wanted or ""):
                raise sheet.refuse(
                    f"表头被改动：应为“{wanted or '（空）'}”，实为“{quote(found) or '（空）'}”。这不是zsdesk导出的月报格式",
                    row=row_number,
                    column=column,
                )


_SUM = re.compile(r"^=SUM\(([A-Z]{1,3})(\d+):([A-Z]{1,3})(\d+)\)$")


def _check_total(sheet: _Sheet, cell, row: int, column: int, expected, first: int, last: int, money: bool) -> None:
    """A totals cell: the SUM formula over the data rows, or a number equal to their sum."""
    at = sheet.at(row, column)
    if cell.data_type == "f":
        from openpyxl.utils import get_column_letter

        match = _SUM.match(str(cell.value).replace(" ", "").replace("$", "").upper())
        letter = get_column_letter(column)
        if not match or match.group(1) != letter or match.group(3) != letter or int(match.group(2)) > first or int(
            match.group(4)
        ) < last:
            raise at.refuse(f"合计的公式“{quote(cell.value)}”被改动，应为本列各行之和")
        return
    value = money_in(cell, at) if money else count_in(cell, at)
    if value != expected:
        raise at.refuse(f"合计 {_fmt(value)} 与本列各行之和 {_fmt(expected)} 不符")


def _check_title(sheet: _Sheet, head: dict[int, tuple], title: str, unit: str) -> None:
    found = _cell_text(head[1][0]) if head.get(1) else ""
    if found != shown(title).strip():
        raise sheet.refuse(
            f"标题应为“{quote(title, 60)}”，实为“{quote(found, 60)}”：月报的单位或月份在Excel中被改动，或这不是zsdesk导出的月报",
            row=1,
            column=1,
        )
    _check_unit_line(sheet, head, unit)


def _check_unit_line(sheet: _Sheet, head: dict[int, tuple], unit: str) -> None:
    found = _cell_text(head[2][0]) if head.get(2) else ""
    wanted = shown(L.UNIT_PREFIX + unit).strip()
    if found != wanted:
        raise sheet.refuse(f"填报单位应为“{quote(wanted)}”，实为“{quote(found)}”（与隐藏数据不符）", row=2, column=1)


def _read_project_sheet(place: Place, workbook, parsed: ParsedReturn) -> None:
    columns = L.PROJECT_COLUMNS
    sheet = _Sheet(place, L.PROJECT_SHEET, columns)
    limit = L.FIRST_DATA_ROW + len(parsed.projects) + L.SLACK_ROWS
    by_code = {p.code: p for p in parsed.projects}
    seen: dict[str, int] = {}
    head: dict[int, tuple] = {}
    total_row = None
    sums = {key: Decimal(0) for key in L.MONEY_COLUMNS}
    last_data_row = L.FIRST_DATA_ROW - 1
    code_col = L.PROJECT_COL["code"]
    checked = False

    def check_head() -> None:
        # Rows that are blank are not read: a header row emptied by hand is refused here.
        _check_title(sheet, head, form_title(parsed.county, parsed.period), parsed.unit)
        _check_headers(sheet, head, columns, L.HEADER_ROWS[0])

    for number, cells in sheet_rows(place, workbook, L.PROJECT_SHEET, limit, len(columns)):
        if number < L.FIRST_DATA_ROW:
            head[number] = cells
            continue
        if not checked:
            check_head()
            checked = True
        if total_row is not None:
            # The footer (who filled it in, who checked it) is text; a project row or a
            # figure below the totals would be printed but not imported: refuse it.
            if _cell_text(cells[code_col - 1]) or any(_is_number(c) for c in cells):
                raise sheet.refuse(f"“{L.TOTAL_LABEL}”行之后还有项目或数字：项目行应在合计行之前", row=number)
            continue
        if _cell_text(cells[0]) == L.TOTAL_LABEL:
            total_row = number
            for key in L.MONEY_COLUMNS:
                col = L.PROJECT_COL[key]
                _check_total(sheet, cells[col - 1], number, col, sums[key], L.FIRST_DATA_ROW, last_data_row, True)
            continue
        if all(cell.value is None for cell in cells):
            continue  # a blank row inserted in Excel changes nothing
        code = text_in(cells[code_col - 1], sheet.at(number, code_col)).strip()
        if not code:
            raise sheet.refuse(
                "这一行没有项目编号：新项目请在zsdesk中录入后重新导出月报，不要直接在Excel里添加", row=number, column=code_col
            )
        project = by_code.get(code)
        if project is None:
            raise sheet.refuse(
                f"项目编号“{quote(code)}”不在本月报的隐藏数据中（编号被改动，或这一行是在Excel中添加的）", row=number, column=code_col
            )
        if code in seen:
            raise sheet.refuse(f"项目编号“{quote(code)}”在表中出现两次（另见第{seen[code]}行）", row=number, column=code_col)
        seen[code] = number
        project.row = number
        amounts = _read_project_row(sheet, cells, number, project, parsed)
        for key, amount in amounts.items():
            sums[key] += amount
        last_data_row = number
    if not checked:
        check_head()
    if total_row is None:
        raise sheet.refuse(f"找不到“{L.TOTAL_LABEL}”行：表格不完整，或在Excel中被改动")
    missing = [p for p in parsed.projects if p.code not in seen]
    if missing:
        names = "、".join(f"{quote(p.code)} {quote(p.exported_name)}" for p in missing[:3])
        more = f"等{len(missing)}个项目" if len(missing) > 3 else ""
        raise sheet.refuse(
            f"项目 {names}{more} 在本月报中被删除（表中没有它的行）。月报里不能删除项目："
            "请用导出的原文件，或在Excel中撤销删除后再报送；项目确实不再跟踪的，请在zsdesk中将其阶段改为中止或终止，再重新导出月报"
        )


def _read_project_row(sheet: _Sheet, cells, number: int, project: ReturnProject, parsed: ParsedReturn) -> dict:
    values = project.values

    def cell(key):
        return cells[L.PROJECT_COL[key] - 1]

    def at(key) -> CellAt:
        return sheet.at(number, L.PROJECT_COL[key])

    def corrected(key, before, after) -> None:
        column = L.PROJECT_COL[key]
        parsed.corrections.append(
            Correction(sheet.sheet, number, column, L.header_label(L.PROJECT_COLUMNS, column), _fmt(before), _fmt(after))
        )

    for key in L.TEXT_COLUMNS:
        text = text_in(cell(key), at(key))
        if text != shown(values[key]):
            corrected(key, shown(values[key]), text)
            values[key] = text
    if not values["name"].strip():
        raise at("name").refuse("项目名称不能为空")
    text = text_in(cell("investor"), at("investor"))
    if text != shown(project.investor_name):
        corrected("investor", shown(project.investor_name), text)
        project.investor_key = None
        project.investor_name = text.strip()
    label = text_in(cell("stage"), at("stage")).strip()
    try:
        stage = Stage.from_label(label)
    except ValueError:
        choices = "、".join(s.label for s in Stage)
        raise at("stage").refuse(f"项目阶段“{quote(label)}”无法识别，应为：{choices}") from None
    if stage.value != values["stage"]:
        corrected("stage", Stage(values["stage"]).label, stage.label)
        values["stage"] = stage.value
    planned = money_in(cell("planned_investment"), at("planned_investment"))
    if planned != values["planned_investment"]:
        corrected("planned_investment", values["planned_investment"], planned)
        values["planned_investment"] = planned
    for key in L.FLAG_COLUMNS:
        flag = flag_in(cell(key), at(key))
        if flag != values[key]:
            corrected(key, values[key], flag)
            values[key] = flag
    month = parsed.period.month
    this_month = money_in(cell("this_month"), at("this_month"))
    year_total = money_in(cell("year_total"), at("year_total"))
    earlier = sum((v for m, v in project.months.items() if m < month), Decimal(0))
    if year_total != earlier + this_month:
        raise at("year_total").refuse(
            f"本年累计到位资金 {_fmt(year_total)} 与隐藏数据中1至{month - 1}月的到位资金 {_fmt(earlier)} "
            f"加本月 {_fmt(this_month)} 不符（应为 {_fmt(earlier + this_month)}）。"
            "如在Excel中更正了本月金额，请同时更正本年累计；更正以前月份的金额，请在zsdesk中修改后重新导出"
            if month > 1
            else f"本年累计到位资金 {_fmt(year_total)} 与本月 {_fmt(this_month)} 不符（1月份两者应相等）"
        )
    exported = project.months.get(month, Decimal(0))
    if this_month != exported:
        corrected("this_month", exported, this_month)
        if this_month:
            project.months[month] = this_month
        else:
            project.months.pop(month, None)
    return {"planned_investment": planned, "this_month": this_month, "year_total": year_total}


# --- the printed visits and events ----------------------------------------------------

def _read_visit_sheet(place: Place, workbook, parsed: ParsedReturn) -> None:
    if L.VISIT_SHEET not in workbook.sheetnames:
        if parsed.visits or parsed.events:
            raise place.refuse(f"缺少工作表“{L.VISIT_SHEET}”，而隐藏数据中有本月的考察对接或招商活动")
        return
    reader = _VisitSheetReader(place, parsed)
    limit = len(parsed.visits) + len(parsed.events) + L.SLACK_ROWS
    for number, cells in sheet_rows(place, workbook, L.VISIT_SHEET, limit, len(L.VISIT_COLUMNS)):
        reader.row(number, cells)
    reader.finish()


class _VisitSheetReader:
    """The visits block, then the events block, each: section line, header, rows, 小计."""

    def __init__(self, place: Place, parsed: ParsedReturn):
        self.parsed = parsed
        self.visit_sheet = _Sheet(place, L.VISIT_SHEET, L.VISIT_COLUMNS)
        self.event_sheet = _Sheet(place, L.VISIT_SHEET, L.EVENT_COLUMNS)
        self.phase = "start"
        self.head: dict[int, tuple] = {}
        self.count = 0
        self.first = 0
        self.sums: dict[str, int] = {}

    def row(self, number: int, cells) -> None:
        first = _cell_text(cells[0])
        phase = self.phase
        if phase == "start":
            self.head[number] = cells
            if first == L.VISIT_SECTION:
                _check_unit_line(self.visit_sheet, self.head, self.parsed.unit)
                self.phase = "visit_header"
        elif phase in ("visit_header", "event_header"):
            sheet = self.visit_sheet if phase == "visit_header" else self.event_sheet
            for column, spec in enumerate(sheet.columns, start=1):
                found = _cell_text(cells[column - 1])
                if found != spec.header:
                    raise sheet.refuse(f"表头被改动：应为“{spec.header}”，实为“{quote(found) or '（空）'}”", row=number, column=column)
            self.phase = "visits" if phase == "visit_header" else "events"
            self.count, self.first, self.sums = 0, number + 1, {}
        elif phase in ("visits", "events"):
            visits = phase == "visits"
            sheet = self.visit_sheet if visits else self.event_sheet
            records = self.parsed.visits if visits else self.parsed.events
            if first == L.SUBTOTAL_LABEL:
                if self.count < len(records):
                    what = "考察对接" if visits else "招商活动"
                    raise sheet.refuse(
                        f"{what}记录比隐藏数据中少{len(records) - self.count}条（在Excel中被删除了？）", row=number
                    )
                for column, spec in enumerate(sheet.columns, start=1):
                    if spec.style == "count":
                        _check_total(sheet, cells[column - 1], number, column, self.sums.get(spec.key, 0),
                                     self.first, number - 1, False)
                self.phase = "between" if visits else "done"
                return
            if all(cell.value is None for cell in cells):
                return
            if self.count >= len(records):
                what = "考察对接" if visits else "招商活动"
                raise sheet.refuse(f"{what}记录比导出时多：新记录请在zsdesk中录入后重新导出月报", row=number)
            serial = cells[0].value
            if serial != self.count + 1:
                raise sheet.refuse(
                    f"序号应为 {self.count + 1}，实为“{quote(_cell_text(cells[0]))}”（行被插入、删除或调换了顺序？）",
                    row=number,
                    column=1,
                )
            if visits:
                self._visit(number, cells, records[self.count])
            else:
                self._event(number, cells, records[self.count])
            self.count += 1
        elif phase in ("between", "done"):
            if _is_number(cells[0]) or any(_is_number(c) for c in cells[1:]):
                raise self.visit_sheet.refuse(f"“{L.SUBTOTAL_LABEL}”行之后还有记录或数字：记录行应在小计行之前", row=number)
            if phase == "between" and first == L.EVENT_SECTION:
                self.phase = "event_header"

    def _compare(self, sheet: _Sheet, number: int, column: int, before, after) -> None:
        if after != before:
            self.parsed.corrections.append(
                Correction(sheet.sheet, number, column, sheet.columns[column - 1].header, _fmt(before), _fmt(after))
            )

    def _date(self, sheet: _Sheet, number: int, cells, column: int):
        day = date_in(cells[column - 1], sheet.at(number, column))
        if day is None or YearMonth.of(day) != self.parsed.period:
            raise sheet.at(number, column).refuse(f"日期应在{self.parsed.period.chinese}之内")
        return day

    def _visit(self, number: int, cells, visit: ReturnVisit) -> None:
        sheet = self.visit_sheet
        col = {c.key: i for i, c in enumerate(sheet.columns, start=1)}
        values = visit.values
        day = self._date(sheet, number, cells, col["date"])
        self._compare(sheet, number, col["date"], values["date"], day)
        values["date"] = day
        for key in ("batches", "headcount"):
            amount = count_in(cells[col[key] - 1], sheet.at(number, col[key]))
            self._compare(sheet, number, col[key], values[key], amount)
            values[key] = amount
            self.sums[key] = self.sums.get(key, 0) + amount
        for key in ("receiving_leader", "seen", "outcome"):
            text = text_in(cells[col[key] - 1], sheet.at(number, col[key]))
            if text != shown(values[key]):
                self._compare(sheet, number, col[key], shown(values[key]), text)
                values[key] = text
        text = text_in(cells[col["investor"] - 1], sheet.at(number, col["investor"]))
        if text != shown(visit.investor_name):
            self._compare(sheet, number, col["investor"], shown(visit.investor_name), text)
            visit.investor_key, visit.investor_name = None, text.strip()
        text = text_in(cells[col["project"] - 1], sheet.at(number, col["project"]))
        exported = visit.project_name if visit.project_code else ""
        if text != shown(exported):
            self._compare(sheet, number, col["project"], shown(exported), text)
            visit.project_code = self._project_named(sheet, number, col["project"], text.strip())

    def _project_named(self, sheet: _Sheet, number: int, column: int, name: str) -> str | None:
        if not name:
            return None
        matches = {p.code for p in self.parsed.projects if name in (p.values["name"].strip(), p.exported_name.strip())}
        if len(matches) != 1:
            why = "不是本月报中的项目" if not matches else "与本月报中的多个项目同名"
            raise sheet.at(number, column).refuse(f"关联项目“{quote(name)}”{why}")
        return matches.pop()

    def _event(self, number: int, cells, event: ReturnEvent) -> None:
        sheet = self.event_sheet
        col = {c.key: i for i, c in enumerate(sheet.columns, start=1)}
        values = event.values
        day = self._date(sheet, number, cells, col["date"])
        self._compare(sheet, number, col["date"], values["date"], day)
        values["date"] = day
        for key in ("firms", "representatives", "intention_projects"):
            amount = count_in(cells[col[key] - 1], sheet.at(number, col[key]))
            self._compare(sheet, number, col[key], values[key], amount)
            values[key] = amount
            self.sums[key] = self.sums.get(key, 0) + amount
        for key in ("name", "place", "notes"):
            text = text_in(cells[col[key] - 1], sheet.at(number, col[key]))
            if text != shown(values[key]):
                self._compare(sheet, number, col[key], shown(values[key]), text)
                values[key] = text
        if not values["name"].strip():
            raise sheet.at(number, col["name"]).refuse("活动名称不能为空")
        label = text_in(cells[col["kind"] - 1], sheet.at(number, col["kind"])).strip()
        try:
            kind = EventKind.from_label(label)
        except ValueError:
            choices = "、".join(k.label for k in EventKind)
            raise sheet.at(number, col["kind"]).refuse(f"活动类型“{quote(label)}”无法识别，应为：{choices}") from None
        if kind.value != values["kind"]:
            self._compare(sheet, number, col["kind"], EventKind(values["kind"]).label, kind.label)
            values["kind"] = kind.value

    def finish(self) -> None:
        if self.phase != "done":
            raise self.visit_sheet.refuse("表格不完整：找不到考察对接或招商活动部分的“小计”行（被改动过？）")


__all__ = ["ParsedReturn", "ReturnProject", "ReturnInvestor", "ReturnVisit", "ReturnEvent", "Correction", "read_return",
           "RefusedFile"]
