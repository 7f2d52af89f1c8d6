"""The township's explanations (审核说明) as a return carries them to the bureau.

The return's 审核说明 sheet prints, per explained warning: the rule's title, the record as
a person names it, the finding, and the explanation followed by "（who，date）"
(:func:`zsdesk.domain.checks.explanation_rows`). The bureau reads them back here and the
importer stores them against the county's own findings for the unit's month, so the
bureau's checks show the warning as explained by the township instead of （未说明）.
Rows that say the warning went out unexplained (强制导出) are not explanations.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from ..domain.checks import UNEXPLAINED
from . import layout as L
from .problems import Place
from .xlsx import open_workbook, sheet_rows

MAX_ROWS = 2_000
"""A return explains at most a few dozen warnings; more rows than this is not a return."""

_WHO_WHEN = re.compile(r"^(?P<text>.*?)（(?P<by>[^（）]*?)，?(?P<day>\d{4}-\d{2}-\d{2})）$", re.S)


@dataclass(frozen=True)
class ReturnExplanation:
    rule_title: str
    record: str
    message: str
    explanation: str
    by: str
    at: dt.datetime | None


def parse_explanation(text: str) -> tuple[str, str, dt.datetime | None]:
    """'理由（张三，2026-06-28）' → ('理由', '张三', 2026-06-28 00:00)."""
    match = _WHO_WHEN.match(text.strip())
    if not match:
        return text.strip(), "", None
    try:
        day = dt.datetime.fromisoformat(match["day"])
    except ValueError:
        return text.strip(), "", None
    return match["text"].strip(), match["by"].strip(), day


def read_explanations(path: str | Path) -> list[ReturnExplanation]:
    """The explained warnings of a return file (none when it has no 审核说明 sheet)."""
    place = Place(Path(path))
    found: list[ReturnExplanation] = []
    with open_workbook(Path(path)) as workbook:
        if L.EXPLANATION_SHEET not in workbook.sheetnames:
            return found
        width = len(L.EXPLANATION_HEADERS)
        in_rows = False
        for _number, cells in sheet_rows(place, workbook, L.EXPLANATION_SHEET, MAX_ROWS, width, values_only=True):
            texts = ["" if v is None else str(v).strip() for v in cells] + [""] * (width - len(cells))
            if not in_rows:
                in_rows = tuple(texts) == L.EXPLANATION_HEADERS
                continue
            _serial, rule_title, record, message, text = texts[:width]
            if not rule_title or not text or text.endswith(UNEXPLAINED):
                continue
            explanation, by, at = parse_explanation(text)
            if explanation:
                found.append(ReturnExplanation(rule_title, record, message, explanation, by, at))
    return found


def read_reported_targets(path: str | Path) -> dict:
    """The annual targets the return's 目标完成 sheet prints: Indicator → Decimal 万元 or int
    (an indicator printed "—" has no target in the township's file)."""
    from decimal import Decimal, InvalidOperation

    from ..domain.enums import Indicator, Measure

    by_label = {i.label: i for i in Indicator}
    place = Place(Path(path))
    found: dict = {}
    with open_workbook(Path(path)) as workbook:
        if L.TARGET_SHEET not in workbook.sheetnames:
            return found
        for _number, cells in sheet_rows(place, workbook, L.TARGET_SHEET, 60, len(L.TARGET_HEADERS), values_only=True):
            if len(cells) < 4 or not isinstance(cells[1], str) or cells[1].strip() not in by_label:
                continue
            indicator = by_label[cells[1].strip()]
            value = cells[3]
            if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
                found[indicator] = None
                continue
            try:
                number = Decimal(str(value))
            except InvalidOperation:
                continue
            found[indicator] = number if indicator.measure is Measure.MONEY else int(number)
    return found
