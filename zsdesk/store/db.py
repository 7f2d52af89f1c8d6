"""Opening a ledger, wherever it is: the one factory, deciding by the location.

A path opens a SQLite file (:mod:`zsdesk.store.file_ledger`, its SQLite particulars in
:mod:`zsdesk.store.sqlite_file`); a URL opens a database server
(:mod:`zsdesk.store.server`). Both are a :class:`~zsdesk.store.core.Ledger`: one
transaction per user action (:meth:`Ledger.begin`), Chinese LedgerErrors for database
errors a user can act on.

The store's imports go one way (tests/test_store_layers.py checks it)::

    db  ->  file_ledger, server          the factory (this module)
            file_ledger -> backup -> filelock
            file_ledger, server -> core -> audit, locks
            sqlite_file -> locks, schema
            audit, locks, filelock -> who -> settings -> models

This module imports the others and none of them imports it. The names other code has
always imported from here (``Ledger``, ``sqlite_engine``, ``copy_database``, ...) still
resolve here.
"""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import inspect

from ..errors import DamagedLedger, KnownError
from .core import Ledger
from .file_ledger import FileLedger, offer_backup as _offer_backup, open_file_ledger
from .schema import MIGRATIONS, _alembic_config, _revision_graph, _script, head_revision, known_revisions
from .schema import current_revision as _engine_revision
from .server import explain_server_error, is_url, open_server, upgrade_server
from .sqlite_file import (
    SQLITE_HEADER,
    IntegrityCheck,
    check_writable_folder,
    copy_database,
    explain_os_error as _explain_os_error,
    explain_sqlite_error,
    sqlite_engine,
)
from .who import reason as _reason

__all__ = [
    "MIGRATIONS",
    "SQLITE_HEADER",
    "FileLedger",
    "IntegrityCheck",
    "Ledger",
    "_alembic_config",
    "_explain_os_error",
    "_reason",
    "_revision_graph",
    "_script",
    "check_writable_folder",
    "copy_database",
    "current_revision",
    "explain_database_error",
    "head_revision",
    "known_revisions",
    "open_ledger",
    "sqlite_engine",
    "table_names",
]


def open_ledger(
    path: str | os.PathLike, *, create: bool = False, readonly: bool = False, verify: str = "now"
) -> Ledger:
    """Open (or with ``create``, make) a ledger file or server at the newest schema.

    Raises a :class:`~zsdesk.errors.LedgerError` with a Chinese message for a missing,
    foreign, damaged, newer or unwritable file; the file is then left as it was. A
    damaged file's error carries ``backup`` (the newest good copy, or None).

    For writing, the file's writer lock is taken (:class:`~zsdesk.store.filelock.LedgerInUse`,
    a LedgerLocked, says who has it) and a backup is taken if none was today. Read-only
    opens take no lock and write nothing.

    ``verify="background"`` (the window's start) leaves a file's ``PRAGMA quick_check``
    and daily backup to a thread of their own instead of waiting for them; the first
    write waits for the verdict (``ledger.integrity``) and a damaged file refuses it.
    """
    if is_url(path):  # a database server: see zsdesk.store.server
        if create:
            upgrade_server(str(path), create=True)
        return open_server(str(path), readonly=readonly)
    return open_file_ledger(path, create=create, readonly=readonly, verify=verify)


def explain_database_error(exc: BaseException, path: Path | None = None) -> KnownError | None:
    """A database or file error the user can act on, as a Chinese KnownError; None for a bug."""
    orig = getattr(exc, "orig", None) or exc
    if not isinstance(exc, OSError) and type(orig).__module__.startswith("psycopg"):
        return explain_server_error(exc, str(path or ""))
    known = explain_sqlite_error(exc, path)
    if isinstance(known, DamagedLedger) and path:
        return _offer_backup(known, Path(path))
    return known


def table_names(ledger: Ledger) -> set[str]:
    return set(inspect(ledger.engine).get_table_names())


def current_revision(ledger: Ledger) -> str | None:
    return _engine_revision(ledger.engine)
