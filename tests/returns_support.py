"""Helpers for the returns tests: database dumps, editing an exported workbook."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import openpyxl

from zsdesk.returns import layout as L

TODAY = dt.date(2026, 11, 27)


def dump(path) -> dict[str, list]:
    """Every row of every table, to compare a database before and after.

    ``path``: a file, or an open Ledger (a file or a server: read through its engine).
    """
    if hasattr(path, "engine"):
        from zsdesk.store.copying import dump as dump_ledger

        return dump_ledger(path)
    with sqlite3.connect(path) as raw:
        tables = [r[0] for r in raw.execute("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'")]
        result = {t: raw.execute(f'SELECT * FROM "{t}" ORDER BY rowid').fetchall() for t in sorted(tables)}
    raw.close()
    return result


def edit(path: Path, out: Path, changes: dict[tuple[str, str], object]) -> Path:
    """Change cells as a clerk would in Excel: {(sheet, 'H5'): value}; saved to ``out``."""
    workbook = openpyxl.load_workbook(path)
    for (sheet, ref), value in changes.items():
        workbook[sheet][ref].value = value
    workbook.save(out)
    return out


def cell(path: Path, sheet: str, ref: str):
    workbook = openpyxl.load_workbook(path)
    return workbook[sheet][ref].value


def project_column(key: str) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(L.PROJECT_COL[key])


def first_row_with_funds(path: Path) -> int:
    """The first project row whose 本月 is not zero."""
    ws = openpyxl.load_workbook(path)[L.PROJECT_SHEET]
    col = L.PROJECT_COL["this_month"]
    for row in range(L.FIRST_DATA_ROW, ws.max_row + 1):
        value = ws.cell(row, col).value
        if isinstance(value, (int, float)) and value > 0:
            return row
    raise AssertionError("no project with funds this month")
