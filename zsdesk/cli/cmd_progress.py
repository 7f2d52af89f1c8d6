"""`zsdesk progress`: every unit's target, actual, completion rate and 序时进度."""

from __future__ import annotations

import json

from sqlalchemy import func, select

from ..domain.enums import Measure
from ..domain.money import format_percent, format_wan
from ..domain.periods import YearMonth
from ..errors import InputError
from ..store.models import CountyTarget, FundRecord, Target
from ..store.progress_query import load_progress
from .common import add_db, add_month, format_table, open_for_reading, parse_month

ORDER = 20


def register(sub) -> None:
    parser = sub.add_parser(
        "progress",
        help="各单位目标完成进度 / progress of every unit against its targets",
        description="列出每个单位、每项指标的目标、实绩、完成率和序时进度，以及全县合计。\n"
        "Print target, actual, completion rate and schedule for every unit and indicator, and the county.",
    )
    add_db(parser)
    add_month(parser)
    parser.add_argument("--unit", metavar="NAME", help="只看一个单位 / one unit only")
    parser.add_argument("--json", action="store_true", help="输出JSON / print JSON")
    parser.set_defaults(run=run)


def require_known_year(session, period: YearMonth) -> None:
    """Refuse a year the file knows nothing of (no targets, no funds)."""
    has_targets = session.scalar(select(func.count()).select_from(Target).where(Target.year == period.year))
    has_county = session.scalar(
        select(func.count()).select_from(CountyTarget).where(CountyTarget.year == period.year)
    )
    has_funds = session.scalar(select(func.count()).select_from(FundRecord).where(FundRecord.year == period.year))
    if not (has_targets or has_county or has_funds):
        raise InputError(f"台账中没有{period.year}年的目标任务或到位资金，无法计算{period.chinese}的进度")


def run(args) -> int:
    period = parse_month(args.month)
    ledger = open_for_reading(args.db)
    try:
        with ledger.read() as session:
            require_known_year(session, period)
            table = load_progress(session, period, unit=args.unit)
    finally:
        ledger.close()
    if args.json:
        print(json.dumps(table.as_json(), ensure_ascii=False, indent=1))
        return 0
    rows = []
    for row in table.rows:
        money = row.indicator.measure is Measure.MONEY

        def show(value):
            if value is None:
                return "—"
            return format_wan(value) if money else str(value)

        rows.append(
            [
                row.unit or "全县合计",
                row.indicator.label + ("（万元）" if money else "（个）"),
                show(row.target),
                show(row.actual),
                format_percent(row.rate),
                format_percent(row.schedule),
                row.status.label,
                str(row.rank or ""),
            ]
        )
    print(f"{period.chinese} 目标任务完成进度（序时进度 {format_percent(table.schedule)}）")
    print(format_table(["单位", "指标", "目标", "实绩", "完成率", "序时进度", "状态", "排名"], rows, right={2, 3, 4, 5, 7}))
    return 0
