"""The one writer of cells for every workbook zsdesk makes.

The return, its hidden sheet, the summary, the targets grid and the audit export all
write their cells here, and nowhere else (``tests/test_cellwriter.py`` checks the
source). What a cell holds is decided once:

* **Text is always text.** A string is stored as a string (``t="s"``), never as a
  formula, whatever it starts with; one that starts with ``= + - @``, a tab or a
  carriage return also gets Excel's quote prefix (``quotePrefix``), so Excel, WPS and
  LibreOffice show it as typed and do not turn it into a formula when the clerk edits
  the cell. The only formulas are the ones zsdesk writes itself through
  :meth:`FormSheet.formula` (its ``SUM`` totals).
* **Characters XML cannot hold** (C0 controls but tab and line ends, U+FFFE, U+FFFF)
  become U+FFFD "�", visibly, by :func:`cell_text` — the same function for the printed
  form and the hidden sheet, so both copies say the same.
* **A cell holds at most 32,767 characters** (Excel's limit). Longer text is refused
  with :class:`CellTextTooLong`, never cut: the per-field limits of
  :mod:`zsdesk.domain.text_limits` keep such text out of the ledger at entry.
* **No floats**: money is Decimal or integer.

Write-only workbooks throughout (rows streamed, memory flat); styles come from
prototype cells, so styling 40,000 cells costs a copy each, not a lookup.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
from collections.abc import Sequence
from copy import copy
from decimal import Decimal
from pathlib import Path

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.properties import PageSetupProperties

from .errors import KnownError

EXCEL_CELL_LIMIT = 32_767
"""Characters a cell can hold in Excel (and that openpyxl silently cuts to)."""

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
REPLACEMENT = "\ufffd"

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Text starting with one of these is what a spreadsheet may take for a formula (or,
for tab and CR, what CSV-injection filters miss): it always gets the quote prefix."""

_SUM = re.compile(r"^=SUM\([A-Z]{1,3}[0-9]{1,7}:[A-Z]{1,3}[0-9]{1,7}\)$")


class CellTextTooLong(KnownError):
    """Text longer than a cell holds reached the writer (entry limits should stop it)."""


def cell_text(text: str) -> str:
    """Text as a cell holds it: characters XML forbids become U+FFFD, visibly."""
    return _ILLEGAL_XML.sub(REPLACEMENT, text)


printable = cell_text  # the name the returns reader has used


def needs_quote(text: str) -> bool:
    return text.startswith(FORMULA_STARTS)


BODY_FONT = "宋体"
TITLE_FONT = "黑体"
MONEY_FORMAT = "#,##0.00##"
COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00%"

_thin = Side(style="thin", color="000000")
_GRID = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_HEAD_FILL = PatternFill("solid", fgColor="E7E6E6")
_TOTAL_FILL = PatternFill("solid", fgColor="F2F2F2")

STYLES: dict[str, dict] = {
    "title": dict(font=Font(name=TITLE_FONT, size=16, bold=True), alignment=Alignment(horizontal="center", vertical="center")),
    "subtitle": dict(font=Font(name=BODY_FONT, size=11), alignment=Alignment(horizontal="left", vertical="center")),
    "subtitle_right": dict(font=Font(name=BODY_FONT, size=11), alignment=Alignment(horizontal="right", vertical="center")),
    "header": dict(
        font=Font(name=BODY_FONT, size=10, bold=True),
        alignment=Alignment(horizontal="center", vertical="center", wrap_text=True),
        border=_GRID,
        fill=_HEAD_FILL,
    ),
    "text": dict(font=Font(name=BODY_FONT, size=10), alignment=Alignment(vertical="center"), border=_GRID),
    "wrap": dict(font=Font(name=BODY_FONT, size=10), alignment=Alignment(vertical="center", wrap_text=True), border=_GRID),
    "center": dict(font=Font(name=BODY_FONT, size=10), alignment=Alignment(horizontal="center", vertical="center"), border=_GRID),
    "money": dict(
        font=Font(name=BODY_FONT, size=10), alignment=Alignment(vertical="center"), border=_GRID, number_format=MONEY_FORMAT
    ),
    "count": dict(
        font=Font(name=BODY_FONT, size=10), alignment=Alignment(vertical="center"), border=_GRID, number_format=COUNT_FORMAT
    ),
    "percent": dict(
        font=Font(name=BODY_FONT, size=10), alignment=Alignment(vertical="center"), border=_GRID, number_format=PERCENT_FORMAT
    ),
    "total_label": dict(
        font=Font(name=BODY_FONT, size=10, bold=True),
        alignment=Alignment(horizontal="center", vertical="center"),
        border=_GRID,
        fill=_TOTAL_FILL,
    ),
    "total_text": dict(font=Font(name=BODY_FONT, size=10, bold=True), border=_GRID, fill=_TOTAL_FILL),
    "total_money": dict(
        font=Font(name=BODY_FONT, size=10, bold=True),
        alignment=Alignment(vertical="center", shrink_to_fit=True),
        border=_GRID,
        fill=_TOTAL_FILL,
        number_format=MONEY_FORMAT,
    ),
    "total_count": dict(
        font=Font(name=BODY_FONT, size=10, bold=True), border=_GRID, fill=_TOTAL_FILL, number_format=COUNT_FORMAT
    ),
    "section": dict(font=Font(name=BODY_FONT, size=11, bold=True), alignment=Alignment(vertical="center")),
    "note": dict(font=Font(name=BODY_FONT, size=10), alignment=Alignment(vertical="center")),
    "footer": dict(font=Font(name=BODY_FONT, size=11), alignment=Alignment(vertical="center")),
    "bold": dict(font=Font(name=BODY_FONT, size=10, bold=True)),
    "heading": dict(font=Font(name=BODY_FONT, size=14, bold=True), alignment=Alignment(horizontal="center")),
    "plain": dict(),
}


class FormSheet:
    """A write-only sheet: column widths and print setup first, then rows of cells
    made by :meth:`cell` (values) and :meth:`formula` (zsdesk's own totals)."""

    def __init__(self, workbook, title: str, widths: Sequence[float] = (), *, hidden: bool = False):
        self.ws = workbook.create_sheet(title)
        if hidden:
            self.ws.sheet_state = "hidden"
        self.width = len(widths)
        self._styles: dict[tuple[str, bool], object] = {}
        self.rows_written = 0
        for index, width in enumerate(widths, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = width

    def _style(self, name: str, quoted: bool = False):
        key = (name, quoted)
        style = self._styles.get(key)
        if style is None:
            proto = WriteOnlyCell(self.ws)
            for attr, value in STYLES[name].items():
                setattr(proto, attr, value)
            if quoted:
                proto.quotePrefix = True
            style = self._styles[key] = proto._style
        return style

    def cell(self, value, style: str = "text"):
        """A styled cell; a str is always stored as text, never as a formula."""
        if value is None:
            if style == "plain":
                return None
            cell = WriteOnlyCell(self.ws)
            cell._style = copy(self._style(style))
            return cell
        if isinstance(value, str):
            text = cell_text(value)
            if len(text) > EXCEL_CELL_LIMIT:
                raise CellTextTooLong(
                    f"一段文字有{len(text):,}个字符，超过Excel单元格的上限{EXCEL_CELL_LIMIT:,}个，无法写入工作簿"
                    f"（开头：“{text[:20]}…”）。请先在zsdesk中缩短它"
                )
            quoted = needs_quote(text)
            if style == "plain" and not quoted and not text.startswith("#"):
                return text  # a bare str that openpyxl cannot take for a formula or an error code: cheapest
            cell = WriteOnlyCell(self.ws)
            cell._value = text
            cell.data_type = "s"
            cell._style = copy(self._style(style, quoted))
            return cell
        if isinstance(value, float):
            raise TypeError("zsdesk writes no floats")
        if not isinstance(value, (int, Decimal, dt.date, dt.datetime, dt.time)):
            raise TypeError(f"no cell for {type(value).__name__}")
        if style == "plain":
            return value
        cell = WriteOnlyCell(self.ws, value)
        cell._style = copy(self._style(style))
        return cell

    def formula(self, text: str, style: str) -> WriteOnlyCell:
        """zsdesk's own totals: ``=SUM(A5:A9)`` and nothing else."""
        if not _SUM.match(text):
            raise ValueError(f"zsdesk writes SUM totals only, not {text!r}")
        cell = WriteOnlyCell(self.ws, text)
        assert cell.data_type == "f"
        cell._style = copy(self._style(style))
        return cell

    def row(self, values: Sequence, style: str = "text", height: float | None = None) -> int:
        """A row of plain values, each through :meth:`cell`."""
        return self.append([self.cell(v, style) for v in values], height)

    def append(self, cells: Sequence, height: float | None = None) -> int:
        """Write a row of cells made here; returns its row number."""
        for item in cells:
            if isinstance(item, str) and (needs_quote(item) or _ILLEGAL_XML.search(item)):
                raise ValueError("raw text reached append(): make it with cell()")
            if isinstance(item, float):
                raise TypeError("zsdesk writes no floats")
        self.rows_written += 1
        if height is not None:
            self.ws.row_dimensions[self.rows_written].height = height
        self.ws.append(list(cells))
        return self.rows_written

    def merge(self, row: int, first_col: int, last_col: int, last_row: int | None = None) -> None:
        self.ws.merged_cells.add(
            f"{get_column_letter(first_col)}{row}:{get_column_letter(last_col)}{last_row or row}"
        )

    def band(self, row_cells: dict[int, object]) -> list:
        """A full-width row from {column: cell}; the gaps filled with empty cells."""
        return [row_cells.get(col) for col in range(1, self.width + 1)]

    def print_setup(self, title_rows: str | None, freeze: str | None) -> None:
        """A4 landscape, one page wide, header rows on every page, page numbers."""
        ws = self.ws
        ws.page_setup.paperSize = 9  # A4
        ws.page_setup.orientation = "landscape"
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
        ws.page_margins.top = 0.5
        ws.page_margins.bottom = 0.6
        ws.page_margins.header = 0.2
        ws.page_margins.footer = 0.25
        ws.oddFooter.center.text = "第 &P 页，共 &N 页"
        ws.oddFooter.center.size = 9
        if title_rows:
            ws.print_title_rows = title_rows
        if freeze:
            ws.freeze_panes = freeze


def new_workbook():
    return openpyxl.Workbook(write_only=True)


def default_file_mode() -> int:
    """The mode a plain ``open(path, "w")`` gives a new file: 0666 less the process's umask."""
    mask = os.umask(0o022)
    os.umask(mask)
    return 0o666 & ~mask


def save_atomically(workbook, path: Path) -> None:
    """Write beside the target, then move into place: never half a file at ``path``."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise KnownError(f"文件夹不存在：{folder}")
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.stem}-", suffix=".xlsx.part", dir=folder)
    except OSError as exc:
        raise KnownError(f"无法在文件夹中写入文件（{exc.strerror or exc}）：{folder}") from None
    try:
        # mkstemp makes the file 0600 for its own privacy; the finished return is the user's
        # ordinary file, readable as their umask says (a colleague's account on the same PC).
        if hasattr(os, "fchmod"):
            os.fchmod(handle, default_file_mode())
    finally:
        os.close(handle)
    try:
        workbook.save(temp)
        os.replace(temp, path)
    except PermissionError:
        raise KnownError(f"无法写入“{path.name}”：文件正被其他程序（如Excel）打开，或没有写入权限") from None
    except OSError as exc:
        raise KnownError(f"无法写入“{path.name}”（{exc.strerror or exc}）") from None
    finally:
        with contextlib.suppress(OSError):
            os.unlink(temp)
