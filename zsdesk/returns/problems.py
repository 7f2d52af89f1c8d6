"""A workbook refused on import: the message names file, sheet, row and column."""

from __future__ import annotations

from pathlib import Path

from openpyxl.utils import get_column_letter

from ..domain.quoting import one_line, quote
from ..errors import InputError


class RefusedFile(InputError):
    """A workbook that cannot be imported. Nothing of it is written.

    ``where`` is the place in the file as the clerk sees it in Excel: sheet, row number
    and column letter (with the column's header), so the clerk can find and fix it.
    """

    def __init__(
        self,
        path: str | Path,
        reason: str,
        *,
        sheet: str | None = None,
        row: int | None = None,
        column: int | None = None,
        header: str | None = None,
    ):
        self.path = Path(path)
        self.reason = reason
        self.sheet = sheet
        self.row = row
        self.column = column
        self.header = header
        # One line whatever the file holds: the reasons quote file text through
        # quote(); the file name and anything missed are escaped here.
        super().__init__(one_line(f"文件“{self.path.name}”{self.where}：{reason}"))

    @property
    def where(self) -> str:
        parts = []
        if self.sheet:
            parts.append(f"工作表“{quote(self.sheet)}”")
        if self.row:
            parts.append(f"第{self.row}行")
        if self.column:
            letter = get_column_letter(self.column)
            parts.append(f"{letter}列" + (f"（{self.header}）" if self.header else ""))
        return "".join(parts)


class Place:
    """Where a reader is in a workbook, to build :class:`RefusedFile` errors briefly."""

    def __init__(self, path: Path, sheet: str | None = None):
        self.path = path
        self.sheet = sheet

    def on(self, sheet: str) -> "Place":
        return Place(self.path, sheet)

    def refuse(self, reason: str, row: int | None = None, column: int | None = None, header: str | None = None):
        return RefusedFile(self.path, reason, sheet=self.sheet, row=row, column=column, header=header)
