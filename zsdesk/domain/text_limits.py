"""How long each text field may be: one table for the editors, the importers and the export.

A cell of a workbook holds at most 32,767 characters (Excel's limit; openpyxl cuts
silently beyond it) and the return carries every text twice (the printed form and the
hidden sheet). So text is bounded where it enters — typed in an editor, read from a
return — never cut on the way out:

* free text (进展情况, 存在问题, 备注, 跟踪内容, 考察内容, 对接结果, 情况说明): 2,000 characters,
  about a page of a printed form;
* names: 300 (a project), 200 (an investor, an event);
* short fields (people, units, places, industries): 50–300 as in the table below.

README "文字长度上限" lists the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

LONG_TEXT = 2_000
"""进展情况, 存在问题, 备注 and the other free-text fields."""


@dataclass(frozen=True)
class Limit:
    label: str
    chars: int


LIMITS: dict[str, dict[str, Limit]] = {
    "projects": {
        "name": Limit("项目名称", 300),
        "investor": Limit("投资方名称", 200),
        "industry": Limit("产业类别", 50),
        "liaison_leader": Limit("联系领导", 100),
        "responsible_unit": Limit("责任单位", 100),
        "cooperating_departments": Limit("配合部门", 300),
        "person_in_charge": Limit("责任人", 100),
        "site": Limit("选址", 200),
        "land_status": Limit("用地情况", 200),
        "progress_note": Limit("进展情况", LONG_TEXT),
        "problems": Limit("存在问题", LONG_TEXT),
        "notes": Limit("备注", LONG_TEXT),
    },
    "follow_ups": {
        "who": Limit("跟踪人", 100),
        "action": Limit("跟踪内容", LONG_TEXT),
        "next_step": Limit("下一步", LONG_TEXT),
    },
    "investors": {
        "name": Limit("客商名称", 200),
        "home_region": Limit("来源地", 100),
        "industry": Limit("产业", 50),
        "chamber": Limit("商会", 100),
        "notes": Limit("备注", LONG_TEXT),
    },
    "contacts": {
        "name": Limit("联系人姓名", 100),
        "title": Limit("职务", 100),
        "phone": Limit("联系电话", 100),
    },
    "visits": {
        "receiving_leader": Limit("接待领导", 100),
        "seen": Limit("考察内容", LONG_TEXT),
        "outcome": Limit("对接结果", LONG_TEXT),
    },
    "events": {
        "name": Limit("活动名称", 200),
        "place": Limit("地点", 200),
        "notes": Limit("备注", LONG_TEXT),
    },
    "explanations": {
        "explanation": Limit("情况说明", LONG_TEXT),
    },
}


def limit_of(table: str, field: str) -> Limit | None:
    return LIMITS.get(table, {}).get(field)


def too_long(table: str, field: str, text: str | None) -> str | None:
    """The Chinese message when ``text`` is longer than its field allows, else None."""
    limit = limit_of(table, field)
    if limit is None or text is None or len(text) <= limit.chars:
        return None
    return too_long_message(limit, len(text))


def too_long_message(limit: Limit, length: int) -> str:
    return f"{limit.label}最多{limit.chars:,}个字，现有{length:,}个字，请删减后再保存"
