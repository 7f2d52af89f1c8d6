"""openpyxl, the careful way: forms written fast and safely, workbooks read with bounds.

Writing: write-only workbooks (rows streamed, memory flat), styles copied from a
prototype cell instead of being looked up per cell, text always stored as text (a name
that starts with ``=`` is a string with a quote prefix, never a formula), and the file
written beside its target and moved into place only when complete.

Reading: the file is checked as a zip before openpyxl sees it (magic bytes, member
sizes, compression ratios, and every member decompressed with a cap, which also catches
a damaged file), then opened ``read_only`` and read row by row up to a bound.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
import tempfile
import zipfile
import zlib
from collections.abc import Iterator, Sequence
from copy import copy
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.worksheet.properties import PageSetupProperties
from openpyxl.xml.functions import iterparse

from ..domain.money import WAN_DECIMALS
from ..errors import KnownError
from .problems import Place, RefusedFile

# ---------------------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------------------

_ILLEGAL_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
FORMULA_STARTS = ("=", "+", "-", "@")

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
    "plain": dict(),
}


def printable(text: str) -> str:
    """Text as a cell can hold it: characters XML forbids become U+FFFD."""
    return _ILLEGAL_XML.sub("\ufffd", text)


class FormSheet:
    """A write-only sheet laid out as a printed form.

    Column widths and print setup are set before the first row; rows are appended
    as lists of cells made by :meth:`cell`. Styles come from prototype cells, so
    styling 40,000 cells costs a copy each, not a lookup.
    """

    def __init__(self, workbook, title: str, widths: Sequence[float]):
        self.ws = workbook.create_sheet(title)
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

    def cell(self, value, style: str = "text") -> WriteOnlyCell:
        """A styled cell; a str is always stored as text, never as a formula."""
        if isinstance(value, str):
            text = printable(value)
            cell = WriteOnlyCell(self.ws)
            cell._value = text
            cell.data_type = "s"
            cell._style = copy(self._style(style, text.startswith(FORMULA_STARTS)))
            return cell
        if isinstance(value, float):
            raise TypeError("zsdesk writes no floats")
        cell = WriteOnlyCell(self.ws, value)
        cell._style = copy(self._style(style))
        return cell

    def formula(self, text: str, style: str) -> WriteOnlyCell:
        cell = WriteOnlyCell(self.ws, text)
        assert cell.data_type == "f"
        cell._style = copy(self._style(style))
        return cell

    def append(self, cells: Sequence, height: float | None = None) -> int:
        """Write a row; returns its row number."""
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


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------

MAX_MEMBERS = 2_000
MAX_MEMBER_BYTES = 256 * 2**20
MAX_TOTAL_BYTES = 512 * 2**20
MAX_RATIO = 200
"""A part that inflates more than this many times (and beyond 1 MiB) is a zip bomb."""
_CHUNK = 2**20

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

# What openpyxl and the XML parser raise on a file that is not what it claims to be.
DAMAGE = (zipfile.BadZipFile, zlib.error, ParseError, KeyError, ValueError, TypeError, EOFError, OSError, IndexError, AttributeError)


def check_workbook_file(path: Path) -> str:
    """Refuse anything but a sound, reasonably sized .xlsx; return its SHA-256.

    Runs before openpyxl touches the file: an old .xls, a renamed file, a truncated
    or damaged zip and a zip bomb are told apart here, each with its own message.
    """
    path = Path(path)
    place = Place(path)
    if not path.exists():
        raise place.refuse("找不到文件")
    if path.is_dir():
        raise place.refuse("这是一个文件夹，不是Excel文件")
    try:
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise place.refuse(f"无法读取文件（{exc.strerror or exc}）") from None
    suffix = path.suffix.lower()
    if head.startswith(OLE_MAGIC) or (suffix == ".xls" and not head.startswith(ZIP_MAGIC)):
        raise place.refuse("这是旧版Excel（97-2003 .xls）文件或加密的工作簿，请在Excel中“另存为”不加密的 .xlsx 后再导入")
    if not head.startswith(ZIP_MAGIC):
        if len(head) == 0:
            raise place.refuse("文件是空的（0字节）")
        raise place.refuse("不是Excel .xlsx 文件")
    if suffix != ".xlsx":
        raise place.refuse(f"只接受 .xlsx 文件（此文件的扩展名是“{path.suffix or '无'}”）")
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as raw:
            for block in iter(lambda: raw.read(_CHUNK), b""):
                digest.update(block)
        with zipfile.ZipFile(path) as archive:
            _check_members(place, archive)
    except RefusedFile:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise place.refuse(f"文件已损坏或不完整（可能复制时被截断）：{_zip_reason(exc)}") from None
    except OSError as exc:
        raise place.refuse(f"无法读取文件（{exc.strerror or exc}）") from None
    return digest.hexdigest()


def _zip_reason(exc: BaseException) -> str:
    text = str(exc)
    if "CRC" in text:
        return "校验和不符"
    if "not a zip file" in text.lower() or "End-of-central-directory" in text:
        return "压缩包目录缺失"
    return "无法解压"


def _check_members(place: Place, archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise place.refuse(f"压缩包内文件过多（{len(infos)}个），不是正常的月报")
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise place.refuse("不是Excel工作簿（压缩包中没有工作簿内容）")
    declared = 0
    for info in infos:
        declared += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_BYTES or declared > MAX_TOTAL_BYTES or (
            info.file_size > 2**20 and ratio > MAX_RATIO
        ):
            raise place.refuse("文件解压后异常巨大（疑似“压缩炸弹”），拒绝读取")
    total = 0
    for info in infos:
        # The sizes in the directory may lie: inflate with a cap, whatever they say.
        size = 0
        with archive.open(info) as member:
            while block := member.read(_CHUNK):
                size += len(block)
                total += len(block)
                if size > max(info.file_size, 0) or size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
                    raise place.refuse("文件解压后异常巨大（疑似“压缩炸弹”），拒绝读取")
                if size > 2**20 and size > MAX_RATIO * max(info.compress_size, 1):
                    raise place.refuse("文件解压后异常巨大（疑似“压缩炸弹”），拒绝读取")


def _read_size_from_head(self) -> None:
    """ReadOnlyWorksheet._get_size, stopping where the rows begin.

    openpyxl looks for a sheet's <dimension> with 'end' events, which, when the element
    is missing (openpyxl's own write-only files omit it), parses every row of every
    sheet before the workbook is even open: a sheet of a million rows would be read
    whole. <dimension> comes before <sheetData> by the schema, so stopping at the
    start of <sheetData> gives the same answer without reading the rows.
    """
    source = self._get_source()
    try:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == DIMENSION_TAG:
                ref = element.get("ref")
                if ref:
                    self._min_column, self._min_row, self._max_column, self._max_row = SheetDimension(ref=ref).boundaries
                return
            if element.tag == DATA_TAG:
                return
    finally:
        source.close()


ReadOnlyWorksheet._get_size = _read_size_from_head


@contextlib.contextmanager
def open_workbook(path: Path) -> Iterator:
    """A checked workbook opened read-only (streamed, never loaded whole)."""
    place = Place(Path(path))
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False, keep_links=False)
    except DAMAGE as exc:
        raise place.refuse(f"文件已损坏，Excel工作簿结构无法读取（{type(exc).__name__}）") from None
    workbook._zsdesk_streams = []
    try:
        yield workbook
    finally:
        # A refusal half-way through a sheet leaves its row iterator suspended (the
        # exception's traceback keeps it alive): close the sheets' streams now.
        for stream in workbook._zsdesk_streams:
            stream.close()
        workbook.close()


def sheet_rows(place: Place, workbook, sheet: str, limit: int, width: int, *, values_only: bool = False) -> Iterator[tuple[int, tuple]]:
    """(row number, cells) of a sheet, at most ``limit`` rows, ``width`` cells each.

    The sheet's stream is closed by :func:`open_workbook` when the workbook closes.

    A sheet with more rows than ``limit`` is refused as soon as the bound is passed: a
    sheet of a million rows costs the time of ``limit`` rows, not of a million.
    """
    if sheet not in workbook.sheetnames:
        raise place.refuse(f"缺少工作表“{sheet}”（这不是zsdesk导出的格式，或工作表被改名、删除）")
    ws = workbook[sheet]
    where = place.on(sheet)
    iterator = ws.iter_rows(min_row=1, max_row=limit + 1, max_col=width, values_only=values_only)
    streams = getattr(workbook, "_zsdesk_streams", None)
    if streams is not None:
        streams.append(iterator)
    number = 0
    try:
        while True:
            try:
                row = next(iterator)
            except StopIteration:
                return
            except DAMAGE as exc:
                raise where.refuse(f"文件已损坏，工作表内容无法读取（{type(exc).__name__}）", row=number + 1) from None
            number += 1
            if number > limit:
                raise where.refuse(f"行数超过上限（最多{limit}行），不是正常的月报", row=number)
            yield number, row
    finally:
        iterator.close()  # closes the sheet's stream in the zip, even when reading stops early


# --- one cell --------------------------------------------------------------------------

_DECIMAL_STEP = Decimal(1).scaleb(-WAN_DECIMALS)
_FLOAT_NOISE = Decimal("0.0000001")


@dataclass(frozen=True)
class CellAt:
    """A cell and where it is, for messages."""

    place: Place
    row: int
    column: int
    header: str

    def refuse(self, reason: str) -> RefusedFile:
        return self.place.refuse(reason, row=self.row, column=self.column, header=self.header)


def _kind_of_bad(cell) -> str | None:
    """Why a cell cannot hold a number: a formula, an error value, text, a date, a yes/no."""
    value = cell.value
    if cell.data_type == "f":
        return f"是公式“{_short(value)}”，应直接填写数字"
    if cell.data_type == "e":
        return f"是错误值“{value}”，应填写数字"
    if isinstance(value, str):
        return f"是文字“{_short(value)}”，应填写数字"
    if isinstance(value, bool):
        return "是逻辑值，应填写数字"
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return "是日期或时间，应填写数字"
    return None


def _short(value) -> str:
    text = str(value)
    return text if len(text) <= 30 else text[:30] + "…"


def number_in(cell, at: CellAt) -> Decimal | None:
    """A number cell as an exact Decimal; None when empty. Text, formulas, dates refused."""
    if cell.value is None or cell.value == "" and cell.data_type != "f":
        return None
    bad = _kind_of_bad(cell)
    if bad:
        raise at.refuse(bad)
    value = cell.value
    if isinstance(value, int):
        return Decimal(value)
    try:
        exact = Decimal(repr(float(value)))
    except (InvalidOperation, ValueError, OverflowError):
        raise at.refuse(f"不是有效的数字：{_short(value)}") from None
    if not exact.is_finite():
        raise at.refuse("不是有效的数字")
    return exact


def money_in(cell, at: CellAt) -> Decimal:
    """An amount in 万元 (empty = 0): at most four decimals, never negative."""
    value = number_in(cell, at)
    if value is None:
        return Decimal(0)
    rounded = value.quantize(_DECIMAL_STEP)
    if abs(value - rounded) > _FLOAT_NOISE:
        raise at.refuse(f"金额 {value} 的小数位太多：以万元为单位，最多{WAN_DECIMALS}位小数（即精确到元）")
    if rounded < 0:
        raise at.refuse(f"金额不能为负数：{_plain(rounded)}")
    if rounded >= Decimal(10) ** 11:
        raise at.refuse(f"金额大得不合理：{_plain(rounded)} 万元")
    return rounded


def count_in(cell, at: CellAt) -> int:
    """A whole number ≥ 0 (empty = 0)."""
    value = number_in(cell, at)
    if value is None:
        return 0
    if value != value.to_integral_value():
        raise at.refuse(f"应为整数：{_plain(value)}")
    if value < 0:
        raise at.refuse(f"不能为负数：{_plain(value)}")
    if value > 10**9:
        raise at.refuse(f"数字大得不合理：{_plain(value)}")
    return int(value)


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def text_in(cell, at: CellAt) -> str:
    """A text cell as the clerk sees it ('' when empty). A formula is refused."""
    value = cell.value
    if cell.data_type == "f":
        raise at.refuse(f"是公式“{_short(value)}”，应直接填写文字")
    if value is None:
        return ""
    if cell.data_type == "e":
        raise at.refuse(f"是错误值“{value}”")
    if isinstance(value, str):
        return value.replace("\r\n", "\n").replace("\r", "\n")
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (dt.datetime, dt.date)):
        return value.strftime("%Y-%m-%d")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _plain(Decimal(repr(value)))
    return str(value)


def date_in(cell, at: CellAt) -> dt.date | None:
    """A date written as text 'YYYY-MM-DD' (as exported) or as an Excel date."""
    value = cell.value
    if cell.data_type == "f":
        raise at.refuse(f"是公式“{_short(value)}”，应填写日期")
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise at.refuse(f"日期“{_short(value)}”无法识别，应写作 YYYY-MM-DD")


def flag_in(cell, at: CellAt) -> bool:
    """是 / 否 (empty = 否)."""
    text = text_in(cell, at).strip()
    if text in ("", "否"):
        return False
    if text == "是":
        return True
    raise at.refuse(f"应填“是”或“否”，而不是“{_short(text)}”")
