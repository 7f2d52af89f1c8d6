"""Reading a township's own spreadsheet into rows of cell values, bounded.

No database and no Qt here. :func:`read_table` gives a :class:`Table` — one sheet as a
list of rows of plain values (text, int, float, datetime, bool, None) — from .xlsx /
.xlsm (openpyxl, read-only, streamed), legacy .xls (xlrd, BIFF) or CSV (UTF-8,
UTF-8 with BOM, GBK/GB18030, detected and named). Anything that cannot be read is a
:class:`LedgerFileRefused` with one Chinese sentence; size and row caps are checked
before the work that they bound.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

MAX_FILE_BYTES = 40 * 2**20
"""A township's ledger is a few hundred KB; 40 MB is far beyond any real one."""
MAX_ROWS = 20_000
"""Rows read from one sheet; a ledger of a township has hundreds, a county's a few thousand."""
MAX_COLUMNS = 120
MAX_EMPTY_RUN = 2_000
"""Consecutive empty rows after which the rest of a sheet is taken as formatting filler."""

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
SAVE_AS_XLSX = "请在Excel或WPS中打开它，选择“文件 → 另存为”，保存类型选“Excel 工作簿（*.xlsx）”，再导入另存的文件"

ENCODING_LABELS = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8（带BOM）", "gb18030": "GBK/GB18030"}


class LedgerFileRefused(InputError):
    """A file that cannot be read as a ledger; nothing of it is written."""

    def __init__(self, path: Path | str, reason: str):
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"文件“{self.path.name}”：{reason}")


@dataclass
class Table:
    """One sheet of a ledger file as plain values; ``rows[0]`` is the sheet's row 1."""

    path: Path
    sheet: str
    sheets: list[str]
    rows: list[list]
    kind: str
    """'xlsx', 'xls' or 'csv'."""
    sha256: str
    encoding: str | None = None
    """For CSV: the encoding found, as the clerk reads it (e.g. 'GBK/GB18030')."""
    notes: list[str] = field(default_factory=list)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def describe(self) -> str:
        if self.kind == "csv":
            return f"CSV文件，编码 {self.encoding}"
        return f"{'旧版Excel（.xls）' if self.kind == 'xls' else 'Excel'}工作表“{self.sheet}”"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def check_file(path: Path) -> tuple[str, bytes]:
    """Refuse what is not there, too big, or a kind zsdesk does not read; the kind and head."""
    path = Path(path)
    if not path.exists():
        raise LedgerFileRefused(path, "找不到文件")
    if path.is_dir():
        raise LedgerFileRefused(path, "这是一个文件夹，不是表格文件")
    try:
        size = path.stat().st_size
        with open(path, "rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise LedgerFileRefused(path, f"无法读取文件（{exc.strerror or exc}）") from None
    if size == 0:
        raise LedgerFileRefused(path, "文件是空的（0字节）")
    if size > MAX_FILE_BYTES:
        raise LedgerFileRefused(
            path, f"文件太大（{size / 2**20:.1f} MB，上限 {MAX_FILE_BYTES // 2**20} MB），不像是一个单位的项目台账"
        )
    suffix = path.suffix.lower()
    if suffix in (".et", ".ett"):
        raise LedgerFileRefused(path, f"这是WPS表格专用格式（{suffix}），zsdesk读不了。{SAVE_AS_XLSX}")
    if suffix in (".xlsx", ".xlsm"):
        if head.startswith(OLE_MAGIC):
            raise LedgerFileRefused(path, f"工作簿设置了打开密码（已加密），zsdesk无法读取。请去掉密码：{SAVE_AS_XLSX}时不设密码")
        if not head.startswith(ZIP_MAGIC):
            raise LedgerFileRefused(path, "文件不是有效的Excel工作簿（可能已损坏，或只是改了扩展名）")
        return "xlsx", head
    if suffix == ".xls":
        if head.startswith(ZIP_MAGIC):
            return "xlsx", head  # an .xlsx renamed .xls: read it as what it is
        if not head.startswith(OLE_MAGIC):
            raise LedgerFileRefused(path, "文件不是有效的旧版Excel（.xls）工作簿（可能是网页或文本文件改了扩展名）")
        return "xls", head
    if suffix in (".csv", ".txt"):
        return "csv", head
    if head.startswith(OLE_MAGIC):
        raise LedgerFileRefused(path, f"无法识别的文件类型“{path.suffix or '无扩展名'}”（可能是WPS或加密的表格）。{SAVE_AS_XLSX}")
    raise LedgerFileRefused(path, f"只能导入 .xlsx、.xlsm、.xls 或 .csv 文件（此文件是“{path.suffix or '无扩展名'}”）")


def sheet_names(path: str | Path) -> list[str]:
    """The sheets of a workbook (['CSV'] for a CSV file), for the clerk to choose from."""
    return read_table(path, names_only=True).sheets


def read_table(path: str | Path, sheet: str | None = None, *, names_only: bool = False) -> Table:
    """One sheet (the first when ``sheet`` is None) as rows of plain values."""
    path = Path(path)
    kind, _head = check_file(path)
    sha = _sha256(path)
    if kind == "xlsx":
        table = _read_xlsx(path, sheet, names_only)
    elif kind == "xls":
        table = _read_xls(path, sheet, names_only)
    else:
        table = _read_csv(path)
    table.sha256 = sha
    table.rows = _trimmed(table.rows)
    return table


def _is_empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _trimmed(rows: list[list]) -> list[list]:
    out = []
    for row in rows:
        row = list(row[:MAX_COLUMNS])
        while row and _is_empty(row[-1]):
            row.pop()
        out.append(row)
    while out and not out[-1]:
        out.pop()
    return out


class _RowCollector:
    """Rows with the caps applied: too many rows refused, a long empty tail cut off."""

    def __init__(self, path: Path, sheet: str):
        self.path, self.sheet = path, sheet
        self.rows: list[list] = []
        self.empty_run = 0

    def add(self, values) -> bool:
        """Keep a row; False when the rest of the sheet is filler and reading can stop."""
        empty = all(_is_empty(v) for v in values)
        if empty:
            self.empty_run += 1
            if self.empty_run > MAX_EMPTY_RUN:
                return False
        else:
            self.empty_run = 0
        if len(self.rows) >= MAX_ROWS and not empty:
            raise LedgerFileRefused(
                self.path, f"工作表“{self.sheet}”超过{MAX_ROWS}行，不像是一个单位的项目台账；请只保留项目台账那张表再导入"
            )
        if len(self.rows) < MAX_ROWS:
            self.rows.append(list(values))
        return True


def _read_xlsx(path: Path, sheet: str | None, names_only: bool) -> Table:
    import openpyxl

    from ..returns.problems import Place, RefusedFile
    from ..returns.xlsx import check_members  # the bounds of the return importer, zip bombs included

    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" not in names:
                raise LedgerFileRefused(path, "不是Excel工作簿（压缩包中没有工作簿内容）")
            check_members(Place(path), archive, MAX_ROWS, "台账")
    except RefusedFile as exc:
        raise LedgerFileRefused(path, exc.reason) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, OSError):
        raise LedgerFileRefused(path, "文件已损坏或不完整（可能复制时被截断），无法解压") from None
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged workbook
        raise LedgerFileRefused(path, f"文件已损坏，Excel工作簿结构无法读取（{type(exc).__name__}）") from None
    try:
        sheets = [ws.title for ws in workbook.worksheets]
        if not sheets:
            raise LedgerFileRefused(path, "工作簿中没有工作表")
        chosen = _choose(path, sheets, sheet)
        table = Table(path, chosen, sheets, [], "xlsx", "")
        if names_only:
            return table
        collector = _RowCollector(path, chosen)
        try:
            for values in workbook[chosen].iter_rows(max_col=MAX_COLUMNS, values_only=True):
                if not collector.add(values):
                    break
        except LedgerFileRefused:
            raise
        except Exception as exc:
            raise LedgerFileRefused(path, f"工作表“{chosen}”内容无法读取，文件可能已损坏（{type(exc).__name__}）") from None
        table.rows = collector.rows
        return table
    finally:
        workbook.close()


def _choose(path: Path, sheets: list[str], sheet: str | None) -> str:
    if sheet is None:
        return sheets[0]
    if sheet not in sheets:
        raise LedgerFileRefused(path, f"没有名为“{sheet}”的工作表（有：{'、'.join(sheets)}）")
    return sheet


def _read_xls(path: Path, sheet: str | None, names_only: bool) -> Table:
    try:
        import xlrd
    except ImportError:  # pragma: no cover - xlrd is a dependency
        raise LedgerFileRefused(path, f"此版本不能读取旧版 .xls 文件。{SAVE_AS_XLSX}") from None
    try:
        book = xlrd.open_workbook(str(path), on_demand=True)
    except xlrd.XLRDError as exc:
        if "encrypt" in str(exc).lower():
            raise LedgerFileRefused(path, f"工作簿设置了密码（已加密），zsdesk无法读取。请去掉密码：{SAVE_AS_XLSX}时不设密码") from None
        raise LedgerFileRefused(path, f"旧版Excel文件无法读取（{exc}）。{SAVE_AS_XLSX}") from None
    except Exception as exc:
        raise LedgerFileRefused(path, f"旧版Excel文件已损坏，无法读取（{type(exc).__name__}）") from None
    try:
        sheets = book.sheet_names()
        chosen = _choose(path, sheets, sheet)
        table = Table(path, chosen, sheets, [], "xls", "")
        if names_only:
            return table
        ws = book.sheet_by_name(chosen)
        collector = _RowCollector(path, chosen)
        for r in range(ws.nrows):
            values = [_xls_value(cell, book.datemode, xlrd) for cell in ws.row_slice(r, 0, MAX_COLUMNS)]
            if not collector.add(values):
                break
        table.rows = collector.rows
        return table
    finally:
        book.release_resources()


def _xls_value(cell, datemode: int, xlrd):
    kind = cell.ctype
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_DATE:
        try:
            return xlrd.xldate_as_datetime(cell.value, datemode)
        except Exception:
            return cell.value
    if kind == xlrd.XL_CELL_BOOLEAN:
        return bool(cell.value)
    if kind == xlrd.XL_CELL_ERROR:
        return "#错误"
    if kind == xlrd.XL_CELL_NUMBER and float(cell.value).is_integer():
        return int(cell.value)
    return cell.value


def decode_text(path: Path, raw: bytes) -> tuple[str, str]:
    """Text of a CSV and the encoding's label; refused when none fits."""
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw.decode("utf-8-sig"), ENCODING_LABELS["utf-8-sig"]
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16"), "UTF-16"
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding), ENCODING_LABELS[encoding]
        except UnicodeDecodeError:
            continue
    raise LedgerFileRefused(path, "无法识别文件的文字编码（不是UTF-8，也不是GBK/GB18030）；请在Excel或WPS中另存为 .xlsx 后再导入")


def _read_csv(path: Path) -> Table:
    raw = path.read_bytes()
    if b"\x00" in raw[:4096] and not raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise LedgerFileRefused(path, f"这不是文本格式的CSV文件。{SAVE_AS_XLSX}")
    text, label = decode_text(path, raw)
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=",\t;")
        delimiter = dialect.delimiter
    except csv.Error:
        delimiter = ","
    collector = _RowCollector(path, "CSV")
    try:
        for values in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
            if not collector.add([v if v.strip() else None for v in values]):
                break
    except csv.Error as exc:
        raise LedgerFileRefused(path, f"CSV文件格式有误（{exc}）") from None
    return Table(path, "CSV", ["CSV"], collector.rows, "csv", "", encoding=label)


def excel_serial_date(value: float | int) -> dt.date:
    """An Excel (1900 system) serial day number as a date."""
    return dt.date(1899, 12, 30) + dt.timedelta(days=int(value))
