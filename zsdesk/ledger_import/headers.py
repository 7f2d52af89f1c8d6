"""Finding the header of a ledger sheet: title rows above it, one or two header rows.

Merged header cells read as one value in the first column of the merge and blanks in
the others (openpyxl's read-only mode and CSV carry no merge information), so a top
header row's group name is carried right over the columns whose second row names a
part of it: ``到位资金`` over ``本月`` and ``本年累计`` gives ``到位资金 / 本月`` and
``到位资金 / 本年累计``.
"""

from __future__ import annotations

from dataclasses import dataclass

from .vocabulary import FIELDS, IGNORE, cell_text, guess_field, month_of_header, normal_text, unit_in_title

SEARCHED_ROWS = 20
JOIN = " / "


@dataclass
class Header:
    first_row: int
    """1-based sheet row of the (first) header row."""
    rows: int
    """1 or 2 header rows."""
    columns: list[str]
    """The joined header text of every column ('' for a column with no header)."""
    sheet_unit: str | None = None
    """A money unit stated above the header ('单位：万元')."""
    title: str = ""
    above: str = ""
    """All the text above the header (titles, 填报单位, 截至…), joined."""

    @property
    def data_start(self) -> int:
        """1-based sheet row of the first data row."""
        return self.first_row + self.rows


def _known_words(value) -> int:
    text = normal_text(cell_text(value)).replace(" ", "").replace("\n", "")
    if not text or len(text) > 30:
        return 0
    if month_of_header(text) is not None:
        return 1
    return 1 if guess_field(text) != IGNORE or text in ("序号",) else 0


def _row_score(row: list) -> int:
    return sum(_known_words(v) for v in row)


def _is_subheader(top: list, below: list) -> bool:
    """Whether ``below`` is a second header row under ``top`` rather than the first data row."""
    cells = [(i, v) for i, v in enumerate(below) if v is not None and cell_text(v)]
    if not cells:
        return False
    for _, value in cells:
        if not isinstance(value, str):
            return False
        text = normal_text(value)
        if len(text) > 16:
            return False
    under_blank = any(i >= len(top) or top[i] is None or not cell_text(top[i]) for i, _ in cells)
    words = sum(1 for _, v in cells if month_of_header(normal_text(v)) or _known_words(v) or any(
        w in normal_text(v) for w in ("本月", "累计", "本年", "小计", "合计", "当月", "年度")
    ))
    return under_blank and words >= max(1, len(cells) // 2)


def detect_header(rows: list[list]) -> tuple[int, int]:
    """(first header row, number of header rows), 1-based; (1, 1) when nothing fits better."""
    best_row, best_score = 0, 0
    for index, row in enumerate(rows[:SEARCHED_ROWS]):
        score = _row_score(row)
        if score > best_score:
            best_row, best_score = index, score
    if best_score < 2:
        return 1, 1
    count = 1
    if best_row + 1 < len(rows) and _is_subheader(rows[best_row], rows[best_row + 1]):
        count = 2
    return best_row + 1, count


def join_headers(rows: list[list], first_row: int, count: int) -> list[str]:
    """The header text of every column, a two-row header joined 'top / bottom'."""
    top = list(rows[first_row - 1]) if first_row - 1 < len(rows) else []
    bottom = list(rows[first_row]) if count == 2 and first_row < len(rows) else []
    width = max(len(top), len(bottom))
    top += [None] * (width - len(top))
    bottom += [None] * (width - len(bottom))
    top_text = [_clean(v) for v in top]
    bottom_text = [_clean(v) for v in bottom]
    columns = []
    group = ""
    for i in range(width):
        t, b = top_text[i], bottom_text[i]
        if t:
            group = t if b else ""
        elif b and group:
            t = group  # under a merged group cell
        elif not b:
            group = ""
        if t and b:
            columns.append(f"{t}{JOIN}{b}")
        else:
            columns.append(t or b)
    return columns


def _clean(value) -> str:
    text = cell_text(value).replace("\n", "").replace("\r", "")
    return " ".join(text.split())


def read_header(rows: list[list], first_row: int | None = None, count: int | None = None) -> Header:
    """The header at the given rows, or found when not given."""
    if first_row is None or count is None:
        found_row, found_count = detect_header(rows)
        first_row = first_row or found_row
        count = count or found_count
    columns = join_headers(rows, first_row, count)
    sheet_unit = None
    title = ""
    texts = []
    for row in rows[: first_row - 1]:
        for value in row:
            text = cell_text(value)
            if not text:
                continue
            texts.append(text)
            if not title:
                title = text
            sheet_unit = sheet_unit or unit_in_title(text)
    return Header(first_row, count, columns, sheet_unit, title, " ".join(texts))


__all__ = ["FIELDS", "Header", "detect_header", "join_headers", "read_header"]
