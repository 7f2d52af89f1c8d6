"""What an official document says, before it is a Word file: blocks of text and tables.

The review and the 通报 are composed into an :class:`OfficialDocument` (pure Python: no
python-docx, no Qt), which the window previews as text (:meth:`OfficialDocument.text`)
and :mod:`zsdesk.documents.docx_writer` writes in the layout of GB/T 9704. Each paragraph
names its role (:class:`Role`); the writer maps a role to one paragraph style.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Sequence
from dataclasses import dataclass, field

from .gbt9704 import (
    ATTACHMENT_LABEL,
    ATTACHMENT_NOTE_PREFIX,
    PLACEHOLDER_CLOSE,
    PLACEHOLDER_OPEN,
    heading_number,
    written_date,
)


class Role(enum.Enum):
    """A paragraph's role; the writer gives each one paragraph style."""

    TITLE = "title"
    RECIPIENT = "recipient"
    BODY = "body"
    HEADING1 = "heading1"
    HEADING2 = "heading2"
    HEADING3 = "heading3"
    ATTACHMENT_NOTE = "attachment_note"
    SIGNATURE = "signature"
    DATE = "date"
    ATTACHMENT_LABEL = "attachment_label"
    ATTACHMENT_TITLE = "attachment_title"
    CAPTION = "caption"
    TABLE_NOTE = "table_note"
    BLANK = "blank"


HEADING_ROLES = (Role.HEADING1, Role.HEADING2, Role.HEADING3)


@dataclass(frozen=True)
class Run:
    text: str
    placeholder: bool = False
    """Prose the bureau must write: shown as 【请填写：…】, highlighted."""
    bold: bool = False


def placeholder(what: str) -> Run:
    return Run(f"{PLACEHOLDER_OPEN}{what}{PLACEHOLDER_CLOSE}", placeholder=True)


@dataclass(frozen=True)
class Paragraph:
    role: Role
    runs: tuple[Run, ...]

    @property
    def text(self) -> str:
        return "".join(run.text for run in self.runs)

    @property
    def placeholders(self) -> list[str]:
        return [run.text for run in self.runs if run.placeholder]


def para(role: Role, *parts: str | Run) -> Paragraph:
    return Paragraph(role, tuple(Run(p) if isinstance(p, str) else p for p in parts if p != ""))


def body(*parts: str | Run) -> Paragraph:
    return para(Role.BODY, *parts)


def heading(level: int, n: int, *parts: str | Run) -> Paragraph:
    """一、… / （一）… / 1.…: the number from GB/T 9704 7.3.3, then the words."""
    role = HEADING_ROLES[level - 1]
    return para(role, heading_number(level, n), *parts)


class Align(enum.Enum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


@dataclass(frozen=True)
class Column:
    title: str
    width_mm: int
    align: Align = Align.CENTER


class RowKind(enum.Enum):
    DATA = "data"
    GROUP = "group"
    """One cell across the table naming what the rows below are (an indicator)."""
    TOTAL = "total"


@dataclass(frozen=True)
class TableRow:
    cells: tuple[str, ...]
    kind: RowKind = RowKind.DATA
    bold: bool = False
    """Set in bold (a unit that has finished its target)."""
    shaded: bool = False
    """Grey ground (a unit with no result): prints in black and white."""


@dataclass
class Table:
    columns: Sequence[Column]
    rows: list[TableRow]
    caption: str = ""
    note: str = ""

    def data_rows(self) -> list[TableRow]:
        return [r for r in self.rows if r.kind is RowKind.DATA]


@dataclass(frozen=True)
class Picture:
    png: bytes
    width_mm: int
    height_mm: int
    caption: str = ""


Block = Paragraph | Table | Picture


@dataclass
class Attachment:
    title: str
    blocks: list[Block]


@dataclass
class OfficialDocument:
    """A 公文-style document: title, 主送机关, body, 附件说明, 署名 and 成文日期, 附件."""

    title: str
    body: list[Block]
    issuer: str
    signed_on: dt.date
    recipient: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    has_data: bool = True
    """False when the month has nothing to report (the document is then a plain sentence)."""

    @property
    def date_text(self) -> str:
        return written_date(self.signed_on)

    def blocks(self) -> list[Block]:
        """Every block in reading order, the title, the 落款 and the 附件 included."""
        out: list[Block] = [para(Role.TITLE, self.title), para(Role.BLANK)]  # 7.3.2: 标题下空一行
        if self.recipient:
            out.append(para(Role.RECIPIENT, self.recipient))
        out += self.body
        if self.attachments:
            out.append(para(Role.BLANK))
            for i, attachment in enumerate(self.attachments, start=1):
                number = f"{i}." if len(self.attachments) > 1 else ""
                prefix = ATTACHMENT_NOTE_PREFIX if i == 1 else ""
                out.append(para(Role.ATTACHMENT_NOTE, prefix + number + attachment.title.replace("\n", "")))
        out += [para(Role.BLANK), para(Role.SIGNATURE, self.issuer), para(Role.DATE, self.date_text)]
        for i, attachment in enumerate(self.attachments, start=1):
            label = ATTACHMENT_LABEL + (str(i) if len(self.attachments) > 1 else "")
            out += [para(Role.ATTACHMENT_LABEL, label), para(Role.BLANK), para(Role.ATTACHMENT_TITLE, attachment.title)]
            out += attachment.blocks
        return out

    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks() if isinstance(b, Paragraph)]

    def tables(self) -> list[Table]:
        return [b for b in self.blocks() if isinstance(b, Table)]

    def placeholders(self) -> list[str]:
        return [text for p in self.paragraphs() for text in p.placeholders]

    def text(self) -> str:
        """The document as plain text, for the window's preview."""
        lines: list[str] = []
        for block in self.blocks():
            if isinstance(block, Paragraph):
                lines.append(_paragraph_text(block))
            elif isinstance(block, Table):
                lines += _table_text(block)
            else:
                lines.append(f"［图：{block.caption}］")
        return "\n".join(lines).rstrip() + "\n"


def _paragraph_text(p: Paragraph) -> str:
    if p.role in (Role.BODY, Role.ATTACHMENT_NOTE) or p.role in HEADING_ROLES:
        return "　　" + p.text
    if p.role in (Role.TITLE, Role.ATTACHMENT_TITLE):
        return "\n".join(line.center(28, "　").rstrip() for line in p.text.split("\n"))
    if p.role in (Role.SIGNATURE, Role.DATE):
        return p.text.rjust(30, "　")
    if p.role is Role.ATTACHMENT_LABEL:
        return "\n" + p.text
    return p.text


def _table_text(table: Table) -> list[str]:
    lines = []
    if table.caption:
        lines.append(table.caption)
    lines.append(" | ".join(c.title for c in table.columns))
    for row in table.rows:
        if row.kind is RowKind.GROUP:
            lines.append(f"〔{row.cells[0]}〕")
        else:
            lines.append(" | ".join(row.cells))
    if table.note:
        lines.append(table.note)
    return lines
