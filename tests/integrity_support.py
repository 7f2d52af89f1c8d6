"""Ledger files damaged where opening does not look but ``PRAGMA quick_check`` does."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path


def digest(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def fold(path: Path) -> None:
    """Everything in the file itself (no -wal beside it), as a closed ledger leaves it."""
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def damage_quietly(path: Path, table: str = "lock_events") -> None:
    """Overwrite the root page of ``table`` (read by nothing when a ledger opens or its
    window fills) with garbage: the header and schema read fine, quick_check does not."""
    fold(path)
    connection = sqlite3.connect(f"file:{Path(path).as_posix()}?mode=ro", uri=True)
    try:
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        root = connection.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    finally:
        connection.close()
    data = bytearray(Path(path).read_bytes())
    start = (root - 1) * page_size
    data[start : start + page_size] = bytes([0xA5]) * page_size
    Path(path).write_bytes(bytes(data))
