"""The hidden sheet: what an import needs to match a workbook exactly.

Layout (every cell text, so nothing is rounded or reinterpreted by a spreadsheet)::

    zsdesk | return | 1                 format, kind of workbook, format version
    county | 磐安县                       meta: key | value
    …
    digest | <sha256>                    over everything else in the sheet
    #projects | code | name | …          a table's header: '#' + its name, then field names
    projects  | XM-… | …                 its rows: the table's name, then the values
    #end

Values are escaped so that any text survives a trip through Excel's XML: a backslash
doubles, a carriage return and the characters XML cannot hold become ``\\r``, ``\\xHH``.
The digest lets an import tell a damaged or hand-edited hidden sheet from a good one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..cellwriter import EXCEL_CELL_LIMIT, FormSheet, cell_text
from ..domain.text_limits import LONG_TEXT
from ..domain.quoting import quote
from .problems import Place
from .xlsx import sheet_rows

SHEET = "_zsdesk"
FORMAT = "zsdesk"
VERSION = "1"
MAX_FIELDS = 64

_NEEDS_ESCAPE = re.compile("[\\\\\r\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_ESCAPED = re.compile(r"\\(\\|r|x[0-9a-f]{2}|u[0-9a-f]{4})")


def _escape_char(match: re.Match) -> str:
    char = match.group(0)
    if char == "\\":
        return "\\\\"
    if char == "\r":
        return "\\r"
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape(text: str) -> str:
    return _NEEDS_ESCAPE.sub(_escape_char, text)


def _unescape_char(match: re.Match) -> str:
    body = match.group(1)
    if body == "\\":
        return "\\"
    if body == "r":
        return "\r"
    return chr(int(body[1:], 16))


def unescape(text: str) -> str:
    return _ESCAPED.sub(_unescape_char, text) if "\\" in text else text


@dataclass
class Table:
    name: str
    fields: Sequence[str]
    rows: list[list[str]] = field(default_factory=list)

    def dicts(self) -> list[dict[str, str]]:
        return [dict(zip(self.fields, row)) for row in self.rows]


@dataclass
class MachineData:
    kind: str
    meta: dict[str, str]
    tables: dict[str, Table]
    version: str = VERSION

    def table(self, name: str) -> Table:
        return self.tables[name]


def _digest(kind: str, version: str, meta: dict[str, str], tables: Iterable[Table]) -> str:
    hasher = hashlib.sha256()

    def feed(values):
        hasher.update("\x1f".join(values).encode("utf-8", "surrogatepass"))
        hasher.update(b"\x1e")

    feed([FORMAT, kind, version])
    for key, value in meta.items():
        feed([key, value])
    for table in tables:
        feed(["#" + table.name, *table.fields])
        for row in table.rows:
            feed([table.name, *row])
    return hasher.hexdigest()


def write_machine_sheet(workbook, data: MachineData) -> None:
    """Append the hidden sheet (rows are escaped here; callers pass plain text).

    Every value goes through :func:`~zsdesk.cellwriter.cell_text` before the digest is
    taken, exactly as the printed form's cells do, so a character XML cannot hold is
    the same visible U+FFFD on both copies (and what an import stores).
    """
    sheet = FormSheet(workbook, SHEET, hidden=True)

    def clean(value: str) -> str:
        return escape(cell_text(value))

    meta = {key: clean(value) for key, value in data.meta.items()}
    tables = [Table(t.name, list(t.fields), [[clean(v) for v in row] for row in t.rows]) for t in data.tables.values()]
    meta["digest"] = _digest(data.kind, data.version, meta, tables)

    def put(values) -> None:
        sheet.append([sheet.cell(v or None, "plain") for v in values])

    put([FORMAT, data.kind, data.version])
    for key, value in meta.items():
        put([key, value])
    for table in tables:
        put(["#" + table.name, *table.fields])
        name = table.name
        for row in table.rows:
            put([name, *row])
    put(["#end"])


KIND_NAMES = {"return": "月报", "targets": "年度目标任务分解表", "summary": "汇总表"}


def read_machine_sheet(place: Place, workbook, kind: str, limit: int) -> MachineData:
    """Read and verify the hidden sheet; refuse another form, a newer format, a bad digest."""
    wanted = KIND_NAMES[kind]
    if SHEET not in workbook.sheetnames:
        raise place.refuse(f"不是zsdesk导出的{wanted}（缺少隐藏的数据表“{SHEET}”），无法导入")
    where = place.on(SHEET)
    rows = sheet_rows(place, workbook, SHEET, limit, MAX_FIELDS, values_only=True)
    meta: dict[str, str] = {}
    tables: dict[str, Table] = {}
    current: Table | None = None
    head: list[str] | None = None
    ended = False
    for number, values in rows:
        cells = ["" if v is None else str(v) for v in values]
        while cells and cells[-1] == "":
            cells.pop()
        if head is None:
            head = cells
            if len(cells) < 3 or cells[0] != FORMAT:
                raise where.refuse(f"不是zsdesk导出的{wanted}（隐藏数据表的格式标识不对）", row=number)
            if cells[1] != kind:
                other = KIND_NAMES.get(cells[1], quote(cells[1]))
                raise place.refuse(f"这是zsdesk的{other}，不是{wanted}")
            if cells[2] != VERSION:
                raise place.refuse(
                    f"格式版本 {quote(cells[2])} 不受支持（本程序读取版本 {VERSION}）；请用新版zsdesk导入，或请对方用同一版本重新导出"
                )
            continue
        if ended:
            if cells:
                raise where.refuse("隐藏数据表在结束标记之后还有内容（被改动过）", row=number)
            continue
        if not cells:
            continue
        tag = cells[0]
        if tag == "#end":
            ended = True
        elif tag.startswith("#"):
            current = Table(tag[1:], cells[1:])
            if current.name in tables:
                raise where.refuse(f"隐藏数据表中“{quote(current.name)}”出现两次（被改动过）", row=number)
            tables[current.name] = current
        elif current is None:
            if len(cells) > 2:
                raise where.refuse("隐藏数据表的内容无法识别（被改动过）", row=number)
            meta[tag] = cells[1] if len(cells) > 1 else ""
        else:
            if tag != current.name or len(cells) - 1 > len(current.fields):
                raise where.refuse("隐藏数据表的内容无法识别（被改动过）", row=number)
            current.rows.append(cells[1:] + [""] * (len(current.fields) - len(cells) + 1))
    if head is None:
        raise where.refuse(f"隐藏数据表是空的，不是zsdesk导出的{wanted}")
    if not ended:
        raise where.refuse("隐藏数据表不完整（缺少结束标记），文件可能被截断或改动过")
    stated = meta.pop("digest", "")
    if stated != _digest(kind, head[2], meta, tables.values()):
        if any(len(v) >= EXCEL_CELL_LIMIT for t in tables.values() for row in t.rows for v in row):
            # An older zsdesk let openpyxl cut a long text in the hidden copy after the digest.
            raise where.refuse(
                f"有一段文字被截断在{EXCEL_CELL_LIMIT:,}个字符（Excel单元格的上限）：这份{wanted}由旧版zsdesk导出，"
                f"其中的文字超过了字段上限（进展情况、存在问题、备注最多{LONG_TEXT:,}个字）。请填报单位删减后用新版zsdesk重新导出"
            )
        raise where.refuse("隐藏数据表的校验码不符：文件被改动过或已损坏。请对方重新导出月报，不要修改隐藏的数据表")
    # A character XML cannot hold can still arrive escaped (a file from an older zsdesk,
    # or written by hand): it becomes the same visible U+FFFD the printed form shows.
    meta = {key: cell_text(unescape(value)) for key, value in meta.items()}
    for table in tables.values():
        table.rows = [[cell_text(unescape(v)) if "\\" in v else v for v in row] for row in table.rows]
    return MachineData(kind, meta, tables, head[2])
