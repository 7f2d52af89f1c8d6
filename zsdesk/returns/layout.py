"""The monthly return's form: sheet names, columns, header rows, and the hidden fields.

Export writes from these definitions and import checks against them, so the two
cannot drift apart. Changing a printed header or a hidden field means a new
:data:`~zsdesk.returns.machine.VERSION`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..domain.enums import Stage

PROJECT_SHEET = "项目进展"
TARGET_SHEET = "目标完成"
VISIT_SHEET = "考察对接"
EXPLANATION_SHEET = "审核说明"

TITLE_WORDS = "招商引资工作月报表"
MONEY_UNIT_NOTE = "单位：万元"
UNIT_PREFIX = "填报单位："
HEADER_ROWS = (3, 4)
FIRST_DATA_ROW = 5
TOTAL_LABEL = "合计"
SUBTOTAL_LABEL = "小计"

from .limits import MAX_PROJECTS, MAX_VISITS  # noqa: E402  (one documented cap per return)

MAX_SHEET_ROWS = 2 * MAX_PROJECTS + 2 * MAX_VISITS + 1_100
"""Rows any sheet of a return may hold in its XML (the hidden sheet: projects, their
investors, visits, events; plus blank rows a spreadsheet program writes), checked
before parsing."""
SLACK_ROWS = 40
"""Rows a form may have beyond its data: title, headers, totals, footer, a clerk's note."""


@dataclass(frozen=True)
class Column:
    key: str
    """The field it shows (a Project attribute, or 'serial', 'this_month', 'year_total')."""
    header: str
    width: float
    style: str
    group: str | None = None
    """A label spanning this and the neighbouring columns of the same group (row 3)."""


PROJECT_COLUMNS: tuple[Column, ...] = (
    Column("serial", "序号", 5, "center"),
    Column("code", "项目编号", 15.5, "center"),
    Column("name", "项目名称", 24, "wrap"),
    Column("investor", "投资方", 21, "wrap"),
    Column("industry", "产业类别", 10, "center"),
    Column("stage", "项目阶段", 6.5, "center"),
    Column("planned_investment", "计划总投资", 13.5, "money"),
    Column("this_month", "本月", 11.5, "money", "到位资金"),
    Column("year_total", "本年累计", 12.5, "money", "到位资金"),
    Column("zhejiang_return", "浙商回归", 6, "center", "是否"),
    Column("mountain_sea", "山海协作", 6, "center", "是否"),
    Column("declared", "已申报", 6, "center", "是否"),
    Column("liaison_leader", "联系领导", 8, "center"),
    Column("responsible_unit", "责任单位", 11, "wrap"),
    Column("person_in_charge", "责任人", 7, "center"),
    Column("progress_note", "进展情况", 22, "wrap"),
    Column("problems", "存在问题", 15, "wrap"),
)
PROJECT_COL = {c.key: i for i, c in enumerate(PROJECT_COLUMNS, start=1)}
MONEY_COLUMNS = ("planned_investment", "this_month", "year_total")
FLAG_COLUMNS = ("zhejiang_return", "mountain_sea", "declared")
TEXT_COLUMNS = (
    "name",
    "industry",
    "liaison_leader",
    "responsible_unit",
    "person_in_charge",
    "progress_note",
    "problems",
)


def header_grid(columns: tuple[Column, ...]) -> tuple[list[str | None], list[str | None]]:
    """The two header rows as they appear in the sheet (None under a merged cell)."""
    top: list[str | None] = []
    bottom: list[str | None] = []
    previous_group = None
    for column in columns:
        if column.group:
            top.append(column.group if column.group != previous_group else None)
            bottom.append(column.header)
        else:
            top.append(column.header)
            bottom.append(None)
        previous_group = column.group
    return top, bottom


def header_label(columns: tuple[Column, ...], index: int) -> str:
    """A column's name for messages: '到位资金·本月'."""
    column = columns[index - 1]
    return f"{column.group}·{column.header}" if column.group else column.header


VISIT_COLUMNS: tuple[Column, ...] = (
    Column("serial", "序号", 5, "center"),
    Column("date", "日期", 11, "center"),
    Column("investor", "客商", 24, "wrap"),
    Column("batches", "批次", 6, "count"),
    Column("headcount", "人数", 6, "count"),
    Column("receiving_leader", "接待领导", 9, "center"),
    Column("seen", "考察内容", 22, "wrap"),
    Column("outcome", "对接结果", 18, "wrap"),
    Column("project", "关联项目", 22, "wrap"),
)
EVENT_COLUMNS: tuple[Column, ...] = (
    # Laid over the visit columns of the same sheet, so the widths fit both tables.
    Column("serial", "序号", 5, "center"),
    Column("date", "日期", 11, "center"),
    Column("name", "活动名称", 24, "wrap"),
    Column("firms", "参加企业数", 6, "count"),
    Column("representatives", "企业代表人数", 6, "count"),
    Column("kind", "类型", 9, "center"),
    Column("place", "地点", 22, "wrap"),
    Column("intention_projects", "达成意向项目数", 18, "count"),
    Column("notes", "备注", 22, "wrap"),
)
VISIT_SECTION = "一、考察对接"
EVENT_SECTION = "二、招商活动"

TARGET_HEADERS = ("序号", "指标", "计量单位", "年度目标", "本年完成", "完成率", "序时进度", "完成状态")
TARGET_WIDTHS = (6, 30, 9, 14, 14, 11, 11, 12)

EXPLANATION_HEADERS = ("序号", "审核规则", "记录", "审核提示", "情况说明")
EXPLANATION_WIDTHS = (6, 22, 30, 40, 50)

# --- the hidden sheet's tables --------------------------------------------------------

STAGE_DATE_KEYS = tuple(stage.date_field for stage in Stage)
PROJECT_FIELDS: tuple[str, ...] = (
    "code",
    "name",
    "investor",
    "industry",
    "stage",
    *STAGE_DATE_KEYS,
    "zhejiang_return",
    "mountain_sea",
    "foreign_capital",
    "carried_over",
    "declared",
    "declared_on",
    "declared_amount",
    "retained_amount",
    "planned_investment",
    "registered_capital",
    "liaison_leader",
    "responsible_unit",
    "cooperating_departments",
    "person_in_charge",
    "site",
    "land_status",
    "progress_note",
    "problems",
    "notes",
    *(f"m{m:02d}" for m in range(1, 13)),
)
PROJECT_DATE_FIELDS = (*STAGE_DATE_KEYS, "declared_on")
PROJECT_BOOL_FIELDS = ("zhejiang_return", "mountain_sea", "foreign_capital", "carried_over", "declared")
PROJECT_MONEY_FIELDS = ("declared_amount", "retained_amount", "planned_investment", "registered_capital")
PROJECT_TEXT_FIELDS = (
    "name",
    "industry",
    "liaison_leader",
    "responsible_unit",
    "cooperating_departments",
    "person_in_charge",
    "site",
    "land_status",
    "progress_note",
    "problems",
    "notes",
)
INVESTOR_FIELDS: tuple[str, ...] = (
    "key",
    "name",
    "kind",
    "home_region",
    "industry",
    "chamber",
    "unit",
    "registered_on",
    "film_production",
    "notable",
    "notes",
)
VISIT_FIELDS: tuple[str, ...] = (
    "investor",
    "project",
    "project_name",
    "date",
    "batches",
    "headcount",
    "receiving_leader",
    "seen",
    "outcome",
)
EVENT_FIELDS: tuple[str, ...] = (
    "kind",
    "name",
    "date",
    "place",
    "firms",
    "representatives",
    "intention_projects",
    "notes",
)
