"""The plan of an import: every row of the sheet, what it would do, and its problems.

:func:`build_plan` reads nothing from disk and writes nothing: it takes a
:class:`~zsdesk.ledger_import.reading.Table` and a :class:`Mapping`, compares each row
with the ledger and returns a :class:`LedgerPlan`. :func:`apply_plan` plans again in the
writing transaction (the ledger may have changed since the preview), takes a backup
and saves the good rows through the project editor's own service
(:func:`zsdesk.store.projects.save_project`, which validates as the editor does), so the
audit trail, locked months and checks treat imported projects like typed ones.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from openpyxl.utils import get_column_letter
from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from ..domain.enums import PIPELINE, STAGE_DATE_FIELDS, Stage
from ..domain.money import format_wan
from ..domain.records import ProjectData
from ..domain.validation import validate_project
from ..errors import InputError, ValidationError
from ..store import settings as keys
from ..store.bulk import insert_in_order
from ..store.models import AuditEntry, FundRecord, ImportRecord, Investor, MonthLock, Project, Unit
from .headers import Header, read_header
from .mapping import Mapping
from .reading import Table
from .vocabulary import (
    FIELD_BY_KEY,
    FUNDS_MONTH_PREFIX,
    IGNORE,
    ValueProblem,
    cell_text,
    field_kind,
    field_label,
    guess_field,
    normal_text,
    parse_date,
    parse_flag,
    parse_industry,
    parse_money,
    parse_stage,
    unit_in_header,
)

STATUS_LABELS = {"new": "新增", "update": "更新", "unchanged": "不变", "refused": "不能导入", "skipped": "跳过"}
_TOTAL_ROW = re.compile(r"^(合\s*计|小\s*计|总\s*计|共\s*计|全\s*部\s*合\s*计|总\s*合\s*计)")
_NOTE_WORDS = ("注", "备注", "说明", "填报人", "审核人", "制表", "联系电话", "填报日期", "单位负责人", "数据来源", "统计")
TEXT_LIMITS = {
    "liaison_leader": 100, "responsible_unit": 100, "cooperating_departments": 300, "person_in_charge": 100,
    "site": 200, "land_status": 200,
}
_COMPARED = (
    "name", "industry", "stage", "planned_investment", "registered_capital", "zhejiang_return", "mountain_sea",
    "foreign_capital", "carried_over", "declared", "declared_on", "declared_amount", "retained_amount",
    "liaison_leader", "responsible_unit", "cooperating_departments", "person_in_charge", "site", "land_status",
    "progress_note", "problems", "notes",
)
_DATE_LABELS = {f: f"{s.label}日期" for s, f in STAGE_DATE_FIELDS.items()}


@dataclass
class Problem:
    sheet: str
    row: int
    column: int | None
    """0-based column index; None for the row as a whole."""
    header: str
    reason: str
    level: str = "error"
    """'error' (the row is not imported) or 'note' (imported; the clerk should know)."""

    @property
    def where(self) -> str:
        text = f"工作表“{self.sheet}”第{self.row}行"
        if self.column is not None:
            text += f"{get_column_letter(self.column + 1)}列"
            if self.header:
                text += f"（{self.header}）"
        return text

    def __str__(self) -> str:
        return f"{self.where}：{self.reason}"


@dataclass
class Column:
    index: int
    header: str
    field: str
    unit: str | None = None
    """For money columns: the unit the amounts are in."""
    month: tuple[int, int] | None = None
    """For a monthly funds column: (year, month)."""

    @property
    def kind(self) -> str:
        return field_kind(self.field)

    @property
    def label(self) -> str:
        text = field_label(self.field)
        if self.unit and self.kind in ("money", "funds_month", "funds_cumulative"):
            text += f"（{self.unit}）"
        return text


@dataclass
class RowPlan:
    row: int
    status: str
    name: str = ""
    code: str = ""
    unit: str = ""
    project_id: int | None = None
    data: ProjectData | None = None
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    """(field label, before, after) of an update."""
    problems: list[Problem] = field(default_factory=list)
    skip_reason: str = ""
    values: list = field(default_factory=list)
    """The row's cells as read."""

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.level == "error"]

    def problems_at(self, column: int) -> list[Problem]:
        return [p for p in self.problems if p.column == column]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class LedgerPlan:
    table: Table
    mapping: Mapping
    header: Header
    columns: list[Column]
    rows: list[RowPlan]
    funds_year: int
    cumulative_month: int | None
    notes: list[str] = field(default_factory=list)
    unit_name: str = ""
    built_in: object = field(default=None, repr=False, compare=False)
    """The transaction the plan was made in: applied in the same one, it is not made again."""

    def with_status(self, status: str) -> list[RowPlan]:
        return [r for r in self.rows if r.status == status]

    @property
    def problems(self) -> list[Problem]:
        return [p for r in self.rows for p in r.problems]

    @property
    def errors(self) -> list[Problem]:
        return [p for r in self.rows for p in r.errors]

    @property
    def changes_anything(self) -> bool:
        return any(r.status in ("new", "update") for r in self.rows)

    def counts(self) -> dict[str, int]:
        return {status: len(self.with_status(status)) for status in STATUS_LABELS}

    def summary(self) -> str:
        c = self.counts()
        return (
            f"新增{c['new']}个项目，更新{c['update']}个，不变{c['unchanged']}个，"
            f"不能导入{c['refused']}行，跳过{c['skipped']}行（合计、说明行）"
        )


# -- building the plan -----------------------------------------------------------------------

def plan_columns(header: Header, mapping: Mapping, funds_year: int) -> tuple[list[Column], list[str]]:
    columns: list[Column] = []
    notes: list[str] = []
    seen: dict[str, str] = {}
    for index, text in enumerate(header.columns):
        key = mapping.columns.get(text) if text in mapping.columns else guess_field(text)
        if not text:
            key = mapping.columns.get(text, IGNORE) if text in mapping.columns else IGNORE
        column = Column(index, text, key)
        kind = column.kind
        if kind == "funds_month":
            rest = key[len(FUNDS_MONTH_PREFIX):]
            if "-" in rest:
                year, month = (int(p) for p in rest.split("-"))
            else:
                year, month = funds_year, int(rest)
            column.month = (year, month)
            key = column.field = f"{FUNDS_MONTH_PREFIX}{year}-{month:02d}"
        if kind in ("money", "funds_month", "funds_cumulative"):
            column.unit = mapping.units.get(text) or unit_in_header(text) or header.sheet_unit or "万元"
        if key != IGNORE and key in seen:
            notes.append(f"“{text}”与“{seen[key]}”都对应{field_label(key)}，只导入前一列")
            column.field = IGNORE
        elif key != IGNORE:
            seen[key] = text
        columns.append(column)
    return columns, notes


def _month_in(text: str, year: int) -> int | None:
    """The month a title says the figures run to: '（截至2026年10月底）', '2026年1-10月'."""
    for match in re.finditer(r"(\d{4})\s*年\s*(?:\d{1,2}\s*[-—–至]\s*)?(\d{1,2})\s*月", text or ""):
        if int(match.group(1)) == year and 1 <= int(match.group(2)) <= 12:
            return int(match.group(2))
    return None


def _year_in(text: str) -> int | None:
    match = re.search(r"(20\d{2}|19\d{2})\s*年", text or "")
    return int(match.group(1)) if match else None


class _Planner:
    def __init__(self, session: Session, table: Table, mapping: Mapping, today: dt.date):
        self.session, self.table, self.mapping, self.today = session, table, mapping, today
        self.header = read_header(table.rows, mapping.header_row, mapping.header_rows)
        self.funds_year = mapping.funds_year or _year_in(self.header.title) or today.year
        self.columns, notes = plan_columns(self.header, mapping, self.funds_year)
        self.by_field = {c.field: c for c in self.columns if c.field != IGNORE}
        self.month_columns = [c for c in self.columns if c.kind == "funds_month"]
        self.cumulative = self.by_field.get("funds_cumulative")
        self.cumulative_month = None
        self.notes = list(notes)
        if self.cumulative is not None:
            if self.month_columns:
                self.notes.append(
                    f"有逐月到位资金列，“{self.cumulative.header}”只用来核对（与各月之和不符的行会提示）"
                )
            else:
                last = 12 if self.funds_year < today.year else today.month
                self.cumulative_month = mapping.cumulative_month or _month_in(self.header.above, self.funds_year) or last
                self.notes.append(
                    f"“{self.cumulative.header}”是累计数：按截至{self.funds_year}年{self.cumulative_month}月的累计导入，"
                    f"记为{self.cumulative_month}月到位资金（减去本台账该项目{self.funds_year}年此前各月已有的数额）"
                )
        if "name" not in self.by_field:
            raise InputError(
                f"文件“{table.path.name}”：找不到“项目名称”列（表头在第{self.header.first_row}行："
                f"{'、'.join(h for h in self.header.columns if h) or '空'}）。请指定表头所在行或列的对应关系"
            )
        units = dict(session.execute(select(Unit.name, Unit.id)).all())
        self.units = units
        self.default_unit = self._default_unit(units)
        self.locked = {tuple(r) for r in session.execute(select(MonthLock.unit_id, MonthLock.year, MonthLock.month))}
        self.unit_names = {v: k for k, v in units.items()}
        self.by_code: dict[str, int] = {}
        self.by_name: dict[tuple[int, str], list[int]] = {}
        for pid, code, unit_id, name in session.execute(select(Project.id, Project.code, Project.unit_id, Project.name)):
            self.by_code[code] = pid
            self.by_name.setdefault((unit_id, (name or "").strip()), []).append(pid)
        self.investors: dict[str, int] = {}
        for iid, name in session.execute(select(Investor.id, Investor.name).order_by(Investor.id)):
            self.investors.setdefault((name or "").strip(), iid)
        self.seen: dict[tuple, int] = {}
        self._loaded = self._preload()

    def _preload(self) -> list:
        """The unit's projects with their funds and follow-ups, in one query each, kept in
        the session's identity map: comparing 2,500 rows then costs no query per row."""
        from sqlalchemy.orm import selectinload

        if not self.by_code:
            return []
        query = select(Project).options(selectinload(Project.funds), selectinload(Project.follow_ups))
        if self.default_unit is not None:
            query = query.where(Project.unit_id == self.default_unit)
        return list(self.session.scalars(query))

    def _default_unit(self, units: dict[str, int]) -> int | None:
        name = self.mapping.unit
        if name:
            if name not in units:
                known = "、".join(units) or "（无）"
                raise InputError(f"本台账没有单位“{name}”（有：{known}）")
            return units[name]
        if "unit" in self.by_field:
            return None
        own = keys.own_unit(self.session)
        if own and own in units:
            return units[own]
        if len(units) == 1:
            return next(iter(units.values()))
        raise InputError("请指定这些项目属于哪个单位（命令行用 --unit，或在向导中选择），本台账有多个单位")

    def plan(self) -> LedgerPlan:
        rows = []
        for number in range(self.header.data_start, len(self.table.rows) + 1):
            values = list(self.table.rows[number - 1])
            if not any(cell_text(v) for v in values):
                continue
            rows.append(self.row(number, values))
        plan = LedgerPlan(
            self.table, self.mapping, self.header, self.columns, rows, self.funds_year, self.cumulative_month,
            self.notes, self.unit_names.get(self.default_unit, "") if self.default_unit else "",
        )
        if self.table.encoding:
            plan.notes.insert(0, f"CSV文件的编码：{self.table.encoding}")
        return plan

    def problem(self, number: int, column: Column | None, reason: str, level: str = "error") -> Problem:
        return Problem(self.table.sheet, number, column.index if column else None, column.header if column else "", reason, level)

    def cell(self, values: list, column: Column):
        return values[column.index] if column.index < len(values) else None

    def row(self, number: int, values: list) -> RowPlan:
        name_column = self.by_field["name"]
        name = normal_text(cell_text(self.cell(values, name_column))).replace("\n", " ")
        texts = [cell_text(v) for v in values if cell_text(v)]
        plan = RowPlan(number, "new", name=name, values=values)
        first_texts = [normal_text(cell_text(v)).replace(" ", "") for v in values[: max(3, name_column.index + 1)]]
        if any(_TOTAL_ROW.match(t) for t in first_texts if t):
            plan.status, plan.skip_reason = "skipped", "合计/小计行，不导入"
            return plan
        if not name:
            if len(texts) <= 2 or any(normal_text(t).startswith(_NOTE_WORDS) for t in texts[:1]):
                plan.status, plan.skip_reason = "skipped", "说明行（没有项目名称），不导入"
                return plan
            plan.status = "refused"
            plan.problems.append(self.problem(number, name_column, "缺少项目名称"))
            return plan
        if normal_text(name).startswith(("注：", "注:", "说明：", "填报人", "审核人")):
            plan.status, plan.skip_reason = "skipped", "说明行，不导入"
            return plan
        self.fill(plan, number, values)
        return plan

    # -- one project row

    def fill(self, plan: RowPlan, number: int, values: list) -> None:
        parsed: dict[str, object] = {}
        month_funds: dict[tuple[int, int], Decimal | None] = {}
        cumulative: Decimal | None = None
        for column in self.columns:
            if column.field == IGNORE:
                continue
            raw = self.cell(values, column)
            try:
                kind = column.kind
                if kind in ("text", "name", "code", "investor", "unit"):
                    parsed[column.field] = cell_text(raw)
                elif kind == "money":
                    parsed[column.field] = parse_money(raw, column.unit)
                elif kind == "date":
                    day, note = parse_date(raw)
                    parsed[column.field] = day
                    if note:
                        plan.problems.append(self.problem(number, column, note, "note"))
                elif kind == "flag":
                    parsed[column.field] = parse_flag(raw, self.mapping.flags)
                elif kind == "stage":
                    parsed[column.field] = parse_stage(raw, self.mapping.stages)
                elif kind == "industry":
                    industry, note = parse_industry(raw, self.mapping.industries)
                    parsed[column.field] = industry
                    if note:
                        plan.problems.append(self.problem(number, column, note, "note"))
                elif kind == "funds_month":
                    month_funds[column.month] = parse_money(raw, column.unit)
                elif kind == "funds_cumulative":
                    cumulative = parse_money(raw, column.unit)
            except ValueProblem as exc:
                plan.problems.append(self.problem(number, column, str(exc)))
        if plan.errors:
            plan.status = "refused"
            return
        unit_id = self.default_unit
        if "unit" in self.by_field and parsed.get("unit"):
            unit_name = normal_text(parsed["unit"])
            if unit_name not in self.units:
                plan.problems.append(self.problem(number, self.by_field["unit"], f"本台账没有单位“{unit_name}”"))
                plan.status = "refused"
                return
            unit_id = self.units[unit_name]
        if unit_id is None:
            plan.problems.append(self.problem(number, self.by_field.get("unit"), "没有填写所属单位"))
            plan.status = "refused"
            return
        plan.unit = self.unit_names[unit_id]
        code = normal_text(parsed.get("code") or "")
        plan.code = code
        key = ("code", code) if code else ("name", unit_id, plan.name)
        if key in self.seen:
            plan.problems.append(self.problem(number, self.by_field["name"], f"与第{self.seen[key]}行是同一个项目，只导入第{self.seen[key]}行"))
            plan.status = "refused"
            return
        self.seen[key] = number
        project_id = self.by_code.get(code) if code else None
        if project_id is None:
            same = self.by_name.get((unit_id, plan.name), [])
            if len(same) > 1:
                plan.problems.append(self.problem(
                    number, self.by_field["name"], f"本台账中{plan.unit}有{len(same)}个同名项目，无法确定更新哪一个；请在文件中加“项目编号”列"
                ))
                plan.status = "refused"
                return
            project_id = same[0] if same else None
        plan.project_id = project_id
        from ..store.projects import project_data

        before = project_data(self.session, project_id) if project_id is not None else None
        data = _copy(before) if before is not None else ProjectData(name=plan.name, unit_id=unit_id, dates={}, funds={})
        data.follow_ups = None
        data.unit_id = unit_id
        data.name = plan.name
        for key_, value in parsed.items():
            if key_ in ("name", "code", "unit", "investor"):
                continue
            if key_ in STAGE_FIELDS_BY_NAME:
                data.dates[STAGE_FIELDS_BY_NAME[key_]] = value
            elif key_ == "stage":
                if value is not None:
                    data.stage = value
            elif FIELD_BY_KEY[key_].kind == "money" and key_ == "planned_investment":
                data.planned_investment = value if value is not None else Decimal(0)
            elif FIELD_BY_KEY[key_].kind == "text":
                limit = TEXT_LIMITS.get(key_)
                text = str(value)
                if limit and len(text) > limit:
                    plan.problems.append(self.problem(number, self.by_field[key_], f"太长（最多{limit}个字）"))
                setattr(data, key_, text)
            else:
                setattr(data, key_, value)
        if "stage" not in parsed or parsed.get("stage") is None:
            if before is None:
                reached = [s for s in PIPELINE if data.dates.get(s)]
                data.stage = reached[-1] if reached else Stage.PLANNED
        if "investor" in parsed:
            investor = normal_text(parsed["investor"])
            data.investor_id, data.new_investor_name = None, None
            if investor:
                if investor in self.investors:
                    data.investor_id = self.investors[investor]
                else:
                    data.new_investor_name = investor
        funds = dict(data.funds or {})
        year = self.funds_year
        if self.month_columns:
            for month, amount in month_funds.items():
                if amount:
                    funds[month] = amount
                else:
                    funds.pop(month, None)
            if self.cumulative is not None and cumulative is not None:
                total = sum((v for (y, _m), v in funds.items() if y == year), Decimal(0))
                if total != cumulative:
                    plan.problems.append(self.problem(
                        number, self.cumulative,
                        f"累计数{format_wan(cumulative)}万元与各月之和{format_wan(total)}万元不符，按各月导入", "note",
                    ))
        elif self.cumulative is not None:
            month = self.cumulative_month
            earlier = sum((v for (y, m), v in funds.items() if y == year and m < month), Decimal(0))
            amount = (cumulative or Decimal(0)) - earlier
            if amount < 0:
                plan.problems.append(self.problem(
                    number, self.cumulative,
                    f"累计到位资金{format_wan(cumulative or Decimal(0))}万元少于本台账中{year}年1—{month - 1}月已有的"
                    f"{format_wan(earlier)}万元，请核对",
                ))
            elif amount:
                funds[(year, month)] = amount
            else:
                funds.pop((year, month), None)
        data.funds = funds
        if plan.errors:
            plan.status = "refused"
            return
        try:
            validate_project(data, self.today)
        except ValidationError as exc:
            plan.problems.append(self.problem(number, self.column_of(exc.field), str(exc)))
            plan.status = "refused"
            return
        plan.data = data
        plan.changes = self.changes(before, data)
        locked = self.locked_changes(unit_id, before, data)
        if locked:
            plan.problems.append(self.problem(number, locked[0], locked[1]))
            plan.status = "refused"
            return
        if before is None:
            plan.status = "new"
        else:
            plan.status = "update" if plan.changes else "unchanged"

    def column_of(self, field_name: str | None) -> Column | None:
        if not field_name:
            return None
        if field_name.startswith("funds:"):
            year, month = (int(p) for p in field_name[len("funds:"):].split("-"))
            for column in self.month_columns:
                if column.month == (year, month):
                    return column
            return self.cumulative
        return self.by_field.get(field_name) or self.by_field.get("stage")

    def changes(self, before: ProjectData | None, after: ProjectData) -> list[tuple[str, str, str]]:
        if before is None:
            return []
        out = []
        for name in _COMPARED:
            old, new = getattr(before, name), getattr(after, name)
            if isinstance(old, str) and isinstance(new, str):
                old, new = old.strip(), new.strip()
            if old != new:
                out.append((_label(name), _show(old), _show(new)))
        for stage in Stage:
            old, new = before.dates.get(stage), after.dates.get(stage)
            if old != new:
                out.append((_DATE_LABELS[stage.date_field], _show(old), _show(new)))
        old_investor = self._investor_name(before.investor_id)
        new_investor = after.new_investor_name or self._investor_name(after.investor_id)
        if old_investor != new_investor:
            out.append(("投资方", old_investor, new_investor))
        for month in sorted(set(before.funds or {}) | set(after.funds or {})):
            old, new = (before.funds or {}).get(month), (after.funds or {}).get(month)
            if old != new:
                out.append((f"{month[0]}年{month[1]}月到位资金", _show(old), _show(new)))
        return out

    def _investor_name(self, investor_id: int | None) -> str:
        if investor_id is None:
            return ""
        if not hasattr(self, "_investor_names"):
            self._investor_names = {v: k for k, v in self.investors.items()}
        return self._investor_names.get(investor_id, "")

    def locked_changes(self, unit_id: int, before: ProjectData | None, after: ProjectData) -> tuple[Column | None, str] | None:
        if not self.locked:
            return None
        unit = self.unit_names[unit_id]
        old_funds = (before.funds or {}) if before else {}
        for month in sorted(set(old_funds) | set(after.funds or {})):
            if old_funds.get(month) != (after.funds or {}).get(month) and (unit_id, *month) in self.locked:
                return self.column_of(f"funds:{month[0]}-{month[1]:02d}"), _locked(unit, month, "到位资金")
        for stage in Stage:
            old = before.dates.get(stage) if before else None
            new = after.dates.get(stage)
            for day in (old, new):
                if old != new and day is not None and (unit_id, day.year, day.month) in self.locked:
                    return self.by_field.get(stage.date_field), _locked(unit, (day.year, day.month), _DATE_LABELS[stage.date_field])
        return None


STAGE_FIELDS_BY_NAME = {f: s for s, f in STAGE_DATE_FIELDS.items()}


def _locked(unit: str, month: tuple[int, int], what: str) -> str:
    return f"{unit}{month[0]}年{month[1]}月已锁定（月报已报出），不能导入该月的{what}；如确需修改，请先说明原因解锁该月"


def _label(name: str) -> str:
    return FIELD_BY_KEY[name].label if name in FIELD_BY_KEY else {"stage": "项目阶段"}.get(name, name)


def _show(value) -> str:
    if value is None:
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Stage):
        return value.label
    if isinstance(value, Decimal):
        return format_wan(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if value == "":
        return "（空）"
    try:
        return Stage(value).label
    except ValueError:
        return str(value)


def _copy(data: ProjectData) -> ProjectData:
    from dataclasses import replace

    return replace(data, dates=dict(data.dates), funds=dict(data.funds or {}))


def build_plan(session: Session, table: Table, mapping: Mapping | None = None, *, today: dt.date | None = None) -> LedgerPlan:
    """What importing ``table`` with ``mapping`` would do, without writing anything."""
    plan = _Planner(session, table, mapping or Mapping(), today or dt.date.today()).plan()
    plan.built_in = session.get_transaction()
    return plan


# -- applying it -----------------------------------------------------------------------------

@dataclass
class ImportOutcome:
    plan: LedgerPlan
    created: int = 0
    updated: int = 0
    backup: Path | None = None
    project_ids: list[int] = field(default_factory=list)

    @property
    def wrote(self) -> bool:
        return bool(self.created or self.updated)


def apply_plan(session: Session, plan: LedgerPlan, *, today: dt.date | None = None, by: str | None = None) -> ImportOutcome:
    """Save the plan's good rows in the caller's transaction (planned again first, unless
    the plan was made in this same transaction).

    Nothing to change: nothing written, no backup. Otherwise a backup of the committed
    file first (no copy, no import); changed projects through the editor's own
    :func:`save_project`; new projects (the bulk of a first import) with one insert per
    table, as the returns importer does — each was validated by ``validate_project``
    while planning, and ORM bulk statements pass the audit trail's and the locked
    months' hooks like any other write. Then a record of the import (file name, digest).
    """
    from ..store.backup import backup_before
    from ..store.projects import save_project

    today = today or dt.date.today()
    same = plan.built_in is not None and plan.built_in is session.get_transaction() and plan.built_in.is_active
    fresh = plan if same else build_plan(session, plan.table, plan.mapping, today=today)
    outcome = ImportOutcome(fresh)
    todo = [r for r in fresh.rows if r.status in ("new", "update")]
    if not todo:
        return outcome
    outcome.backup = backup_before(session, "ledger")
    new_rows = [r for r in todo if r.status == "new"]
    if new_rows:
        outcome.project_ids.extend(_insert_new(session, new_rows))
        outcome.created = len(new_rows)
    for row in todo:
        if row.status == "update":
            project = save_project(session, row.project_id, row.data, today)
            outcome.updated += 1
            outcome.project_ids.append(project.id)
    _record(session, fresh, by)
    return outcome


def _insert_new(session: Session, rows: list[RowPlan]) -> list[int]:
    from ..store.codes import new_project_code
    from ..store.projects import project_values, touch

    investors: dict[str, int] = {}
    wanted: dict[str, dict] = {}
    for row in rows:
        name = (row.data.new_investor_name or "").strip()
        if name and name not in wanted:
            wanted[name] = dict(NEW_INVESTOR, name=name, industry=row.data.industry, unit_id=row.data.unit_id)
    if wanted:
        existing = dict(session.execute(select(Investor.name, Investor.id).where(Investor.name.in_(list(wanted)))).all())
        missing = [n for n in wanted if n not in existing]
        if missing:
            existing.update(zip(missing, insert_in_order(session, Investor, [wanted[n] for n in missing])))
        investors = existing
    used = set(session.scalars(select(Project.code)))
    values = []
    for row in rows:
        data = row.data
        code = row.code if row.code and row.code not in used and len(row.code) <= 32 else new_project_code()
        while code in used:
            code = new_project_code()
        used.add(code)
        record = {"code": code}
        record.update(project_values(data))
        for stage in Stage:
            record[stage.date_field] = data.dates.get(stage)
        name = (data.new_investor_name or "").strip()
        record["investor_id"] = investors[name] if name else data.investor_id
        values.append(record)
    ids = insert_in_order(session, Project, values)
    funds = [
        {"project_id": pid, "year": year, "month": month, "amount": amount}
        for pid, row in zip(ids, rows)
        for (year, month), amount in sorted((row.data.funds or {}).items())
        if amount
    ]
    if funds:
        session.execute(insert(FundRecord), funds)
    for pid in ids:
        touch(session, "projects", pid)
    return ids


NEW_INVESTOR = {
    "kind": "private", "home_region": "", "chamber": "", "registered_on": None, "film_production": False,
    "notable": False, "notes": "",
}
"""An investor known only by the name in the ledger (as the editor creates one)."""


def _record(session: Session, plan: LedgerPlan, by: str | None) -> None:
    """The import in the imports register and in the audit trail, with the file's name."""
    from ..store.audit import current_user

    who = by or keys.get_setting(session, keys.CLERK_NAME) or current_user(session)
    units = {r.unit for r in plan.rows if r.status in ("new", "update")}
    unit_id = session.scalar(select(Unit.id).where(Unit.name == sorted(units)[0])) if units else None
    year = plan.funds_year
    month = plan.cumulative_month or max((c.month[1] for c in plan.columns if c.month), default=None)
    if month is None:
        today = dt.date.today()
        month = 12 if year < today.year else today.month
    summary = f"导入已有台账：{plan.summary()}"
    name = plan.table.path.name[:300]
    record = ImportRecord(
        unit_id=unit_id, year=year, month=month, file_name=name, file_sha256=plan.table.sha256, by=who, summary=summary,
    )
    session.add(record)
    session.flush()
    session.execute(
        insert(AuditEntry.__table__),
        [dict(
            at=dt.datetime.now().replace(microsecond=0), who=who, action="insert", table_name="imports",
            record_id=record.id, record_label=f"导入已有台账 {name}"[:300], field="file_name",
            old_value=None, new_value=f"{name}（{summary}）",
        )],
    )


def effective_mapping(plan: LedgerPlan) -> Mapping:
    """The mapping the plan used, every guess written out: save it to reuse next month."""
    from dataclasses import replace

    mapping = replace(plan.mapping)
    mapping.sheet = plan.table.sheet if plan.table.kind != "csv" else None
    # Header rows, funds year and cumulative month stay as the clerk set them (or unset):
    # next month's file may gain a title row, and its cumulative column runs a month further.
    mapping.columns = {c.header: c.field for c in plan.columns if c.header}
    mapping.units = {
        **{c.header: c.unit for c in plan.columns if c.header and c.unit and c.field != IGNORE},
        **plan.mapping.units,
    }
    mapping.unit = plan.mapping.unit or plan.unit_name or None
    return mapping


def findings_of(session: Session, project_ids: list[int], *, today: dt.date | None = None) -> dict[str, int]:
    """The checks' findings on the given projects, counted by level (错误, 警告, 提示)."""
    from ..store.checks_query import run_checks

    wanted = set(project_ids)
    counts = {"error": 0, "warning": 0, "hint": 0}
    for finding in run_checks(session, today=today):
        if finding.record.kind == "project" and finding.record.id in wanted:
            counts[finding.level.value] += 1
    return counts
