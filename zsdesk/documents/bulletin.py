"""The monthly 通报: the county's figures against 序时进度 and the units ranked per indicator.

Everything comes from one :class:`~zsdesk.domain.progress.ProgressTable` (``load_progress``):
the county's rows for 一、总体情况, each indicator's ranking for 二、各单位完成情况 — the first
three and the last three named in the text, as such bulletins do, the units with no result
named, and a table of every unit with the marks of :data:`STATUS_MARKS`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from decimal import Decimal

from ..domain.brief import join_names, months_phrase, yi
from ..domain.enums import Indicator, Measure, Status, UnitKind
from ..domain.progress import ProgressRow, ProgressTable
from .gbt9704 import chinese_number
from .model import Block, OfficialDocument, Picture, body, heading, placeholder
from .progress_tables import LEGEND, indicator_name, measure_word, percent, points_from_schedule, ranked_table

NAMED_AT_EACH_END = 3
"""排名前三位 and 排名后三位."""

RECIPIENTS = (
    ((UnitKind.TOWNSHIP, UnitKind.SUBDISTRICT), "各乡镇（街道）"),
    ((UnitKind.ZONE,), "各区块"),
    ((UnitKind.DEPARTMENT,), "县级有关部门"),
)


def bulletin_title(period) -> str:
    """全县招商引资工作通报（2026年第6期）: one issue a month, numbered by the month."""
    return f"全县招商引资工作通报（{period.year}年第{period.month}期）"


def recipient_line(kinds: Sequence[UnitKind]) -> str:
    """主送机关 from the kinds of unit the file holds (GB/T 9704 7.3.2: ends with ：)."""
    present = set(kinds)
    names = [name for group, name in RECIPIENTS if present & set(group)]
    return "、".join(names) + "：" if names else ""


def quantity_text(indicator: Indicator, value) -> str:
    """In running text: money in 亿元 with two decimals, counts with their word."""
    if indicator.measure is Measure.MONEY:
        return f"{yi(Decimal(value))}亿元"
    return f"{int(value)}{measure_word(indicator)}"


def against_schedule(row: ProgressRow) -> str:
    if row.status is Status.DONE:
        return "已完成年度目标任务"
    if row.status is Status.NOTHING:
        return "尚无实绩"
    word = "快于" if row.status is Status.AHEAD else "慢于"
    return f"{word}序时进度{points_from_schedule(row)}个百分点"


def county_sentence(row: ProgressRow, name: str) -> str:
    text = f"{name}{quantity_text(row.indicator, row.actual)}"
    if row.rate is None:
        return text + "（未下达年度目标任务）"
    return f"{text}，完成年度目标任务{quantity_text(row.indicator, row.target)}的{percent(row.rate)}，{against_schedule(row)}"


def _named(rows: Sequence[ProgressRow]) -> str:
    return "、".join(f"{r.unit}（{percent(r.rate)}）" for r in rows)


def ranking_sentence(rows: Sequence[ProgressRow]) -> str:
    """First three and last three (among units with a result; ties at the cut kept),
    those that finished, how many ahead and behind, 无实绩, and units with no target."""
    ranked = sorted((r for r in rows if r.rank), key=lambda r: r.rank)
    without_target = [r.unit for r in rows if not r.rank]
    if not ranked:
        return "各单位均未下达该项年度目标任务。"
    first = [r for r in ranked if r.rank <= NAMED_AT_EACH_END]
    clauses = [f"承担该项任务的{len(ranked)}家单位中", f"排名前{chinese_number(NAMED_AT_EACH_END)}位的是{_named(first)}"]
    named = {r.unit for r in first}
    with_result = [r for r in ranked if r.status is not Status.NOTHING and r.unit not in named]
    if with_result:
        cut = with_result[-min(NAMED_AT_EACH_END, len(with_result))].rank
        last = [r for r in with_result if r.rank >= cut]
        clauses.append(f"排名后{chinese_number(min(NAMED_AT_EACH_END, len(with_result)))}位的是{_named(last)}")
    done = [r.unit for r in ranked if r.status is Status.DONE]
    ahead = sum(1 for r in ranked if r.status is Status.AHEAD)
    behind = sum(1 for r in ranked if r.status is Status.BEHIND)
    nothing = [r.unit for r in ranked if r.status is Status.NOTHING]
    clauses.append(f"{join_names(done)}已完成年度目标任务" if done else "尚无单位完成年度目标任务")
    clauses.append(f"快于序时进度的{ahead}家，慢于序时进度的{behind}家")
    if nothing:
        clauses.append(f"{join_names(nothing)}还无实绩")
    text = "，".join(clauses[:2]) + "；" + "；".join(clauses[2:]) + "。"
    if without_target:
        text += f"{join_names(without_target)}未下达该项任务。"
    return text


def compose_bulletin(
    table: ProgressTable,
    *,
    issuer: str,
    signed_on: dt.date,
    threshold: Decimal,
    unit_kinds: Sequence[UnitKind] = (),
    chart: Picture | None = None,
) -> OfficialDocument:
    """The 通报 of ``table``'s month; ``chart`` (the 引进内资 ranking) follows its table."""
    period = table.period
    schedule = percent(table.schedule)
    months = months_phrase(period)
    blocks: list[Block] = [body(f"现将{period.year}年{months}全县招商引资工作完成情况通报如下：")]

    blocks.append(heading(1, 1, "总体情况"))
    money = [county_sentence(table.county(i), f"全县{indicator_name(i, threshold)}")
             for i in Indicator if i.measure is Measure.MONEY]
    counts = [county_sentence(table.county(i), indicator_name(i, threshold))
              for i in Indicator if i.measure is Measure.COUNT]
    blocks.append(body(f"截至{period.month}月底，序时进度为{schedule}。" + "；".join(money) + "。"))
    blocks.append(body("；".join(counts) + "。"))

    blocks.append(heading(1, 2, "各单位完成情况"))
    blocks.append(body(f"各单位按完成率排名，详见各表（{LEGEND}；金额单位为万元）。"))
    for n, indicator in enumerate(Indicator, start=1):
        unit_rows = [r for r in table.rows if r.unit is not None and r.indicator is indicator]
        name = indicator_name(indicator, threshold)
        blocks.append(heading(2, n, f"{name}。"))
        blocks.append(body(ranking_sentence(unit_rows)))
        caption = f"表{n}　{name}完成情况（单位：{measure_word(indicator)}）"
        blocks.append(ranked_table(unit_rows, table.county(indicator), caption))
        if chart is not None and indicator is Indicator.DOMESTIC_FUNDS:
            blocks.append(replace(chart, caption=f"图1　各单位{name}完成率排名"))

    blocks.append(heading(1, 3, "下步工作要求"))
    blocks.append(body(placeholder("下步工作要求，如对慢于序时进度和无实绩单位的督促、对重点项目的推进要求")))
    return OfficialDocument(
        bulletin_title(period), blocks, issuer, signed_on, recipient=recipient_line(unit_kinds)
    )
