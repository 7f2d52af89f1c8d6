"""What an import preview says, in the order a tired clerk must read it.

First what the import removes or clears (which projects, which months, how much money),
then what it changes (before → after, and the unit's indicator totals before → after),
then what is new, then the remaining notes. Plain data and Chinese sentences only: the
window lays the sections out (zsdesk/ui/returns_dialogs.py), the command line prints them.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from ..domain.money import format_wan
from .importer import FundChange, ReturnPreview


@dataclass
class Section:
    key: str
    """'removed', 'changed', 'new' or 'notes'."""
    title: str
    lines: list[str] = field(default_factory=list)
    warn: bool = False
    """Shown in red: something the county holds is lost."""


@dataclass
class ClearedProject:
    code: str
    name: str
    months: list[int]
    amount: Decimal
    in_return: bool


def _wan(value: Decimal | None) -> str:
    return f"{format_wan(value or Decimal(0), places=2)}万元"


def _months(months: list[int]) -> str:
    months = sorted(months)
    runs, start = [], months[0]
    for a, b in zip(months, months[1:] + [None]):
        if b != a + 1:
            runs.append(f"{start}月" if start == a else f"{start}–{a}月")
            start = b
    return "、".join(runs)


def _shown(value) -> str:
    if value is None or value == "":
        return "（空）"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return format_wan(value, places=2)
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "label"):
        return value.label
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def cleared_projects(preview: ReturnPreview) -> list[ClearedProject]:
    """Projects that lose money: the ones the return lacks first (by name), then months
    the return leaves empty for projects it has."""
    by_code: dict[str, list[FundChange]] = defaultdict(list)
    for change in preview.fund_changes:
        if change.after is None:
            by_code[change.code].append(change)
    cleared = [
        ClearedProject(code, changes[0].name, [c.month for c in changes], sum((c.before for c in changes), Decimal(0)),
                       changes[0].in_return)
        for code, changes in by_code.items()
    ]
    return sorted(cleared, key=lambda c: (c.in_return, -c.amount, c.name))


def clears_anything(preview: ReturnPreview) -> bool:
    """True when importing removes data the county holds: funds cleared, visits or events removed."""
    return bool(cleared_projects(preview) or preview.visits_removed or preview.events_removed)


def report(preview: ReturnPreview) -> list[Section]:
    if preview.refused:
        return [Section("refused", "此文件不能导入，台账不会有任何改动", [preview.refusal.message], warn=True)]
    unit, period = preview.unit, preview.period
    removed = Section("removed", f"将清除或删除（{unit}在本台账中已有的数据）", warn=True)
    cleared = cleared_projects(preview)
    lacking = [c for c in cleared if not c.in_return]
    if lacking:
        total = sum((c.amount for c in lacking), Decimal(0))
        removed.lines.append(
            f"本台账中有{len(lacking)}个{unit}的项目不在此月报中，它们{period.year}年1至{period.month}月的到位资金"
            f"共{_wan(total)}将被清除（项目本身保留）："
        )
        removed.lines += [f"　“{c.name}”（{c.code}）：{_months(c.months)}，{_wan(c.amount)}" for c in lacking]
    elsewhere = [c for c in cleared if c.in_return]
    if elsewhere:
        removed.lines.append("月报中没有填写以下月份的到位资金，本台账中的金额将被清除：")
        removed.lines += [f"　“{c.name}”：{_months(c.months)}，{_wan(c.amount)}" for c in elsewhere]
    absent_without_money = [name for code, name in preview.absent if code not in {c.code for c in lacking}]
    if absent_without_money:
        removed.lines.append(
            "不在此月报中、但没有到位资金可清除的项目（保留不变）：" + "、".join(f"“{n}”" for n in absent_without_money)
        )
    if preview.visits_removed:
        removed.lines.append(f"删除本台账中{unit}{period.chinese}的考察对接{preview.visits_removed}条（由月报中的代替）")
    if preview.events_removed:
        removed.lines.append(f"删除本台账中{unit}{period.chinese}的招商活动{preview.events_removed}条（由月报中的代替）")
    if not removed.lines:
        removed.lines.append("没有要清除或删除的数据。")
        removed.warn = False

    changed = Section("changed", "将变更")
    for indicator, before, after in preview.totals:
        if before != after:
            shown = (_wan(before), _wan(after)) if isinstance(after, Decimal) else (f"{before}个", f"{after}个")
            changed.lines.append(f"{unit}“{indicator.label}”（1至{period.month}月）：{shown[0]} → {shown[1]}")
    for plan in preview.changed:
        parts = [f"{label} {_shown(b)} → {_shown(a)}" for label, b, a in plan.details]
        months = [c for c in preview.fund_changes if c.code == plan.code]
        parts += [
            f"{c.month}月到位资金 {_wan(c.before) if c.before is not None else '（无）'} → "
            f"{_wan(c.after) if c.after is not None else '清除'}"
            for c in months
        ]
        if parts:
            changed.lines.append(f"“{plan.name}”：" + "；".join(parts))
        elif plan.changes:
            changed.lines.append(f"“{plan.name}”：" + "、".join(plan.changes))
    if not changed.lines:
        changed.lines.append("已有项目没有变动。")

    new = Section("new", "将新增")
    new_codes = {p.code for p in preview.new}
    amounts = {p.code: sum(p.months.values(), Decimal(0)) for p in preview.parsed.projects if p.code in new_codes}
    for plan in preview.new:
        new.lines.append(f"项目“{plan.name}”（{plan.code}），1至{period.month}月到位资金{_wan(amounts.get(plan.code))}")
    if preview.visits_added:
        new.lines.append(f"考察对接{preview.visits_added}条")
    if preview.events_added:
        new.lines.append(f"招商活动{preview.events_added}条")
    if preview.investors_added:
        new.lines.append(f"客商{preview.investors_added}家")
    if not new.lines:
        new.lines.append("没有新增的数据。")

    notes = Section("notes", "其他提示", list(preview.findings) or ["无"])
    return [removed, changed, new, notes]


__all__ = ["ClearedProject", "Section", "cleared_projects", "clears_anything", "report"]
