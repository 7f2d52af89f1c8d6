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
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from xml.etree.ElementTree import ParseError

import openpyxl
from defusedxml import DefusedXmlException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from lxml import etree as lxml_etree
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG, FORMULA_TAG, INLINE_STRING, ROW_TAG, WorkSheetParser
from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.functions import iterparse

from ..domain.money import WAN_DECIMALS
from ..domain.quoting import quote
from .problems import Place, RefusedFile

# ---------------------------------------------------------------------------------------
# Writing: every cell goes through zsdesk.cellwriter (kept importable from here)
# ---------------------------------------------------------------------------------------

from ..cellwriter import (  # noqa: E402,F401  (re-exported for the returns modules)
    FORMULA_STARTS,
    STYLES,
    FormSheet,
    get_column_letter,
    new_workbook,
    printable,
    save_atomically,
)


# ---------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------

MAX_MEMBERS = 2_000
MAX_MEMBER_BYTES = 64 * 2**20
"""Uncompressed size of any one part (a sheet, the shared strings). A return of the
large demo's biggest unit (2,500 projects) is a few MiB per part; 5,000 projects with
every free-text field at its 2,000-character limit would not fit, and is not a return
a unit writes."""
MAX_TOTAL_BYTES = 160 * 2**20
MAX_RATIO = 200
"""A part that inflates more than this many times (and beyond 1 MiB) is a zip bomb."""
MAX_SHARED_STRINGS = 400_000
"""Distinct texts in a workbook: a return of 5,000 projects has at most ~40 per
project, hidden copies included."""
DEFAULT_MAX_ROWS = 25_000
"""Rows any worksheet may hold (counted in its XML before it is parsed)."""
_CHUNK = 2**20

_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
"""What no spreadsheet program writes in a workbook's XML, and what entity attacks need:
refused before any parser sees it, whichever parser openpyxl uses (defusedxml, or lxml
when python-docx brought it in)."""
_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_SI_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_TAIL = 64

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"

_FORBIDDEN_XML = "文件中含有XML实体或文档类型声明（Excel不会写这些，可能是恶意构造的文件），拒绝读取"

def _caused_by_forbidden_xml(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, DefusedXmlException):
            return True
        exc = exc.__cause__ or exc.__context__
        seen += 1
    return False


# What openpyxl and the XML parser raise on a file that is not what it claims to be.
DAMAGE = (zipfile.BadZipFile, zlib.error, ParseError, lxml_etree.Error, KeyError, ValueError, TypeError, EOFError, OSError, IndexError, AttributeError)


def check_workbook_file(path: Path, *, max_rows: int = DEFAULT_MAX_ROWS, what: str = "月报") -> str:
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
        raise place.refuse(f"只接受 .xlsx 文件（此文件的扩展名是“{quote(path.suffix) or '无'}”）")
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as raw:
            for block in iter(lambda: raw.read(_CHUNK), b""):
                digest.update(block)
        with zipfile.ZipFile(path) as archive:
            check_members(place, archive, max_rows, what)
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


def check_members(place: Place, archive: zipfile.ZipFile, max_rows: int, what: str) -> None:
    """Every part's size and, before any XML is parsed, what it holds.

    Each member is inflated with a cap whatever its directory entry says, and counted
    on the way: ``<row>`` elements of a worksheet, ``<si>`` entries of the shared
    strings. So a return is bounded by what a unit can have — in bytes, rows and
    texts — in the time it takes to inflate 64 MiB at most, whatever its content.
    """
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise place.refuse(f"压缩包内文件过多（{len(infos)}个），不是正常的{what}")
    names = {info.filename for info in infos}
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise place.refuse("不是Excel工作簿（压缩包中没有工作簿内容）")
    declared = 0
    for info in infos:
        declared += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > MAX_MEMBER_BYTES or declared > MAX_TOTAL_BYTES:
            raise place.refuse(_too_big(info.filename, what))
        if info.file_size > 2**20 and ratio > MAX_RATIO:
            raise place.refuse("文件解压后异常巨大（疑似“压缩炸弹”），拒绝读取")
    total = 0
    for info in infos:
        # The sizes in the directory may lie: inflate with a cap, whatever they say.
        name = info.filename.lower()
        pattern = _ROW_TAG if name.startswith("xl/worksheets/") else _SI_TAG if name.endswith("sharedstrings.xml") else None
        xml = name.endswith((".xml", ".rels"))
        carry = b""
        found = 0
        tail = b""
        size = 0
        with archive.open(info) as member:
            while block := member.read(_CHUNK):
                size += len(block)
                total += len(block)
                if size > max(info.file_size, 0) or size > MAX_MEMBER_BYTES or total > MAX_TOTAL_BYTES:
                    raise place.refuse("文件解压后异常巨大（疑似“压缩炸弹”），拒绝读取")
                if size > 2**20 and size > MAX_RATIO * max(info.compress_size, 1):
                    raise place.refuse("文件解压后异常巨大（疑似“压缩炸弹”），拒绝读取")
                if xml:
                    window = carry + block
                    if _DECLARATION.search(window):
                        raise place.refuse(_FORBIDDEN_XML)
                    carry = window[-16:]
                if pattern is not None:
                    window = tail + block
                    # A tag starting in the last bytes is counted with the next block.
                    cut = max(len(window) - _TAIL, 0)
                    found += sum(1 for match in pattern.finditer(window) if match.start() < cut)
                    tail = window[cut:]
                    _check_counts(place, pattern, found, max_rows, what)
        if pattern is not None:
            found += len(pattern.findall(tail))
            _check_counts(place, pattern, found, max_rows, what)


def _too_big(member: str, what: str) -> str:
    part = "共享字符串表" if member.lower().endswith("sharedstrings.xml") else "其中一部分"
    return (
        f"文件过大：{part}解压后超过{MAX_MEMBER_BYTES // 2**20} MiB（或全部超过{MAX_TOTAL_BYTES // 2**20} MiB），"
        f"超出一份{what}可能的大小，拒绝读取"
    )


def _check_counts(place: Place, pattern, found: int, max_rows: int, what: str) -> None:
    if pattern is _ROW_TAG and found > max_rows:
        raise place.refuse(
            f"工作表的行数超过{max_rows:,}行，超出一份{what}可能有的行数（每份月报最多{_max_projects():,}个项目），拒绝读取"
        )
    if pattern is _SI_TAG and found > MAX_SHARED_STRINGS:
        raise place.refuse(f"文件中的文字条目超过{MAX_SHARED_STRINGS:,}条，超出一份{what}可能有的内容，拒绝读取")


def _max_projects() -> int:
    from .limits import MAX_PROJECTS

    return MAX_PROJECTS


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
    except DefusedXmlException:
        raise place.refuse(_FORBIDDEN_XML) from None
    except DAMAGE as exc:
        if _caused_by_forbidden_xml(exc):  # openpyxl wraps what the parser raised in a ValueError
            raise place.refuse(_FORBIDDEN_XML) from None
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


def _is_blank(row: tuple, values_only: bool) -> bool:
    for item in row:
        value = item if values_only else item.value
        if value is not None and value != "":
            return False
    return True


def sheet_rows(place: Place, workbook, sheet: str, limit: int, width: int, *, values_only: bool = False) -> Iterator[tuple[int, tuple]]:
    """(row number, cells) of a sheet's non-blank rows, at most ``limit`` of them,
    ``width`` cells each; row numbers are the sheet's own.

    Blank rows are not rows: a spacer, a row emptied by hand, or the filler that
    LibreOffice and Excel write after a deletion (an empty row 1048576) are skipped
    and not counted, and the gaps between rows are not filled in (openpyxl's own
    ``iter_rows`` would yield a million empty rows to reach row 1048576). The
    workbook's size was bounded before parsing (:func:`check_workbook_file`), so the
    rows skipped are bounded too. A sheet with more than ``limit`` non-blank rows is
    refused as soon as the bound is passed.

    The sheet's stream is closed by :func:`open_workbook` when the workbook closes.
    """
    if sheet not in workbook.sheetnames:
        raise place.refuse(f"缺少工作表“{quote(sheet)}”（这不是zsdesk导出的格式，或工作表被改名、删除）")
    ws = workbook[sheet]
    where = place.on(sheet)
    iterator = _present_rows(ws, width, values_only)
    streams = getattr(workbook, "_zsdesk_streams", None)
    if streams is not None:
        streams.append(iterator)
    counted = 0
    number = 0
    try:
        while True:
            try:
                number, row = next(iterator)
            except StopIteration:
                return
            except DefusedXmlException:
                raise where.refuse(_FORBIDDEN_XML) from None
            except DAMAGE as exc:
                raise where.refuse(f"文件已损坏，工作表内容无法读取（{type(exc).__name__}）", row=number + 1) from None
            if _is_blank(row, values_only):
                continue
            counted += 1
            if counted > limit:
                raise where.refuse(f"行数超过上限（最多{limit:,}行有内容），不是正常的月报", row=number)
            yield number, row
    finally:
        iterator.close()  # closes the sheet's stream in the zip, even when reading stops early


def _present_rows(ws: ReadOnlyWorksheet, width: int, values_only: bool) -> Iterator[tuple[int, tuple]]:
    """The rows written in the sheet's XML, as (number, cells ``width`` wide)."""
    with ws._get_source() as source:
        parser = _RowParser(
            source,
            ws._shared_strings,
            data_only=ws.parent.data_only,
            epoch=ws.parent.epoch,
            date_formats=ws.parent._date_formats,
            timedelta_formats=ws.parent._timedelta_formats,
        )
        for number, cells in parser.rows():
            yield number, ws._get_row(cells, 1, width, values_only)


_T_TAG = "{%s}t" % SHEET_MAIN_NS
_R_TAG = "{%s}r" % SHEET_MAIN_NS


def _inline_text(node) -> str:
    """An inline string's text, as ``openpyxl.cell.text.Text.from_tree(node).content``
    gives it (the plain ``<t>`` and the ``<t>`` of each rich-text run; phonetic runs
    left out), without building openpyxl's descriptor objects for every cell."""
    plain = None
    runs = []
    for child in node:
        if child.tag == _T_TAG:
            plain = child.text
        elif child.tag == _R_TAG:
            text = None
            for part in child:
                if part.tag == _T_TAG:
                    text = part.text
            if text is not None:
                runs.append(text)
    if plain is not None:
        runs.insert(0, plain)
    return "".join(runs)


class _RowParser(WorkSheetParser):
    """openpyxl's sheet parser, the rows only, parsed by lxml.

    openpyxl streams a read-only sheet through defusedxml's iterparse, whose element
    handlers are Python; the import of a return spent a third of its time there and
    another third building a ``Text`` object per inline-string cell. lxml parses in C
    (python-docx depends on it, so it is always installed). Entities cannot reach it:
    :func:`check_members` refused any ``<!DOCTYPE`` or ``<!ENTITY`` in the file before
    this runs, and the parser neither loads a DTD, resolves entities nor goes online.
    Cells are read by openpyxl's own ``parse_cell`` (numbers, dates by style, shared
    strings, booleans, formulas), an inline string's text by :func:`_inline_text`.
    """

    def rows(self) -> Iterator[tuple[int, list[dict]]]:
        events = lxml_etree.iterparse(
            self.source,
            events=("end",),
            tag=ROW_TAG,
            resolve_entities=False,
            load_dtd=False,
            no_network=True,
            remove_comments=True,
            remove_pis=True,
        )
        for _event, element in events:
            yield self.parse_row(element)
            # Keep the tree from growing: the row and the rows before it are done.
            element.clear()
            parent = element.getparent()
            while element.getprevious() is not None:
                del parent[0]

    def parse_cell(self, element):
        if element.get("t") != "inlineStr" or self.rich_text or element.find(FORMULA_TAG) is not None:
            return super().parse_cell(element)
        style_id = element.get("s", 0)
        if style_id:
            style_id = int(style_id)
        coordinate = element.get("r")
        if coordinate:
            row, column = coordinate_to_tuple(coordinate)
            self.col_counter = column
        else:
            self.col_counter += 1
            row, column = self.row_counter, self.col_counter
        child = element.find(INLINE_STRING)
        if child is None:
            return {"row": row, "column": column, "value": None, "data_type": "inlineStr", "style_id": style_id}
        return {"row": row, "column": column, "value": _inline_text(child), "data_type": "s", "style_id": style_id}


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
        return f"是错误值“{_short(value)}”，应填写数字"
    if isinstance(value, str):
        return f"是文字“{_short(value)}”，应填写数字"
    if isinstance(value, bool):
        return "是逻辑值，应填写数字"
    if isinstance(value, (dt.datetime, dt.date, dt.time, dt.timedelta)):
        return "是日期或时间，应填写数字"
    return None


def _short(value) -> str:
    return quote(value, 30)


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
        raise at.refuse(f"是错误值“{_short(value)}”")
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
