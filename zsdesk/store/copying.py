"""Copying a whole ledger between any two places: file → server, server → file, file → file.

Every table is copied row for row with its ids (so links between records and the audit
trail stay exactly as they were), in one transaction on the target: a copy that fails
leaves the target as it was. A target that already holds records is refused unless
``replace`` is given. On a server the id sequences are then moved past the copied ids.
:func:`dump` reads every table in a fixed order, so two ledgers can be compared exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Table, func, select

from ..errors import LedgerError
from .db import Ledger
from .models import Base

BATCH = 5000


def tables() -> list[Table]:
    """The ledger's tables, parents before children; month locks last.

    Locks go in after the figures they lock: a file's month-lock triggers would
    otherwise refuse the copied funds of a locked month.
    """
    ordered = list(Base.metadata.sorted_tables)
    locks = [t for t in ordered if t.name == "month_locks"]
    return [t for t in ordered if t.name != "month_locks"] + locks


def _ordered_select(table: Table):
    return select(table).order_by(*table.primary_key.columns)


def dump(ledger: Ledger) -> dict[str, list[tuple]]:
    """Every row of every table, ordered by primary key (for exact comparisons)."""
    result = {}
    with ledger.engine.connect() as connection:
        for table in tables():
            result[table.name] = [tuple(row) for row in connection.execute(_ordered_select(table))]
    return result


def row_counts(connection) -> dict[str, int]:
    return {t.name: connection.execute(select(func.count()).select_from(t)).scalar_one() for t in tables()}


@dataclass
class CopyResult:
    rows: dict[str, int]
    replaced: int

    @property
    def total(self) -> int:
        return sum(self.rows.values())


def copy_ledger(source: Ledger, target: Ledger, *, replace: bool = False) -> CopyResult:
    """Copy every row of ``source`` into ``target`` (both at the program's schema)."""
    if target.readonly:
        raise LedgerError(f"目标台账是以只读方式打开的，不能复制进去：{target.path}")
    order = tables()
    counts: dict[str, int] = {}
    source_connection = source.engine.connect()
    if source.engine.dialect.name == "postgresql":
        # One snapshot of the whole server, however long the copy takes.
        source_connection = source_connection.execution_options(isolation_level="REPEATABLE READ")
    try:
        with source_connection.begin():
            target.check_present()
            with target.engine.begin() as destination:
                existing = sum(row_counts(destination).values())
                if existing and not replace:
                    raise LedgerError(
                        f"目标台账里已有 {existing} 条记录，没有复制。如要用来源整个替换它，请加 --replace：{target.path}"
                    )
                for table in reversed(order):
                    destination.execute(table.delete())
                for table in order:
                    counts[table.name] = 0
                    result = source_connection.execution_options(yield_per=BATCH).execute(_ordered_select(table))
                    for batch in result.partitions(BATCH):
                        rows = [dict(row._mapping) for row in batch]
                        destination.execute(table.insert(), rows)
                        counts[table.name] += len(rows)
                if target.engine.dialect.name == "postgresql":
                    from .server import move_sequences

                    move_sequences(destination, order)
                target.check_present()
    finally:
        source_connection.close()
    return CopyResult(counts, existing)


def snapshot_to_file(source: Ledger, target) -> CopyResult:
    """A new ledger file holding everything ``source`` (a server, or a file) holds: the
    window's 另存副本 and ``zsdesk backup --db URL --out FILE`` on a server. An existing
    file is not overwritten; a copy that fails leaves no file behind."""
    from pathlib import Path

    from .db import open_ledger

    target = Path(target)
    if target.exists():
        raise LedgerError(f"文件已存在，不会覆盖：{target}")
    copy = open_ledger(target, create=True)
    try:
        result = copy_ledger(source, copy)
    except BaseException:
        copy.close()
        target.unlink(missing_ok=True)
        raise
    copy.close()
    return result
