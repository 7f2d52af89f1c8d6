"""Helpers shared by the commands: opening the ledger, reading months, printing tables."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from ..domain.periods import PeriodError, YearMonth
from ..errors import InputError, NewerSchema
from ..store.db import Ledger, open_ledger
from ..store.server import is_url


def add_db(parser, required: bool = True) -> None:
    parser.add_argument(
        "--db",
        metavar="PATH|URL",
        required=required,
        help="台账文件，或县局数据库服务器 postgresql+psycopg://用户名@服务器:5432/数据库 / ledger file or server URL",
    )


def add_month(parser, required: bool = True) -> None:
    parser.add_argument("--month", metavar="YYYY-MM", required=required, help="月份 / month, e.g. 2026-06")


def parse_month(text: str, *, allow_future: bool = False) -> YearMonth:
    try:
        period = YearMonth.parse(text)
    except PeriodError as exc:
        raise InputError(str(exc)) from None
    if not allow_future and period.is_future():
        raise InputError(f"月份 {period} 尚未到来")
    return period


def open_for_reading(path: str) -> Ledger:
    """Open read-only; an older file is first migrated (after a copy is kept beside it).

    A server is never migrated here (``zsdesk server upgrade`` does that).
    """
    if is_url(path):
        return open_ledger(path, readonly=True)
    try:
        return open_ledger(path, readonly=True)
    except NewerSchema:
        ledger = open_ledger(path)  # raises NewerSchema again for a newer file
        ledger.close()
        return open_ledger(path, readonly=True)


def open_for_writing(path: str) -> Ledger:
    return open_ledger(path if is_url(path) else Path(path))


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def format_table(headers: list[str], rows: list[list[str]], right: set[int] = frozenset()) -> str:
    """A plain-text table that lines up Chinese (double-width) and ASCII."""
    widths = [max(display_width(str(r[i])) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells):
        parts = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - display_width(str(cell)))
            parts.append(pad + str(cell) if i in right else str(cell) + pad)
        return "  ".join(parts).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)])

