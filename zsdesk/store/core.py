"""The portable core of an open ledger: an engine, its sessions, one transaction per action.

:class:`Ledger` is what every part of the program holds, whatever is behind it: a SQLite
file (:class:`~zsdesk.store.file_ledger.FileLedger`) or a database server
(:class:`~zsdesk.store.server.ServerLedger`). It knows nothing of either: what is
particular to each (the file's lock, WAL and inode; the server's errors) is in the
subclass, and :func:`zsdesk.store.db.open_ledger` decides which one by the location.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Iterator

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from ..errors import KnownError, LedgerError
from . import audit, locks


class Ledger:
    """An open ledger.

    Writable: its sessions enforce locked months and record the audit trail; a file also
    holds the file's writer lock (``writer_lock``) until :meth:`close`. ``warnings``
    collects what the opener should tell the clerk without stopping (a daily backup that
    failed, a stale lock taken over). ``is_server`` tells a server from a file.
    """

    is_server = False

    def __init__(self, path, engine: Engine, *, readonly: bool = False, writer_lock=None):
        self.path = path
        self.engine = engine
        self.readonly = readonly
        self.writer_lock = writer_lock
        self.warnings: list[str] = []
        self.Session = sessionmaker(engine, expire_on_commit=False)
        if not readonly:
            locks.install(self.Session)
            audit.install(self.Session)
        if writer_lock is not None:
            # A ledger dropped without close() must not keep the file locked.
            self._release = weakref.finalize(self, writer_lock.release)

    @contextlib.contextmanager
    def begin(self) -> Iterator[Session]:
        """One user action: a session in one transaction, committed at the end.

        Raises a Chinese LedgerError for database errors a user can act on (full disk,
        read-only, damaged file, locked month, the file gone); the transaction is rolled
        back either way.
        """
        self.before_write()
        editing = None
        try:
            with self.Session.begin() as session:
                try:
                    yield session
                    session.flush()
                except StaleDataError:
                    editing = session.info.get("zsdesk.editing")
                    raise
                self.check_present()
        except StaleDataError as exc:  # a colleague's save won the race: see store/versions.py
            from .versions import conflict_after_stale

            raise conflict_after_stale(self, editing) from exc
        except DBAPIError as exc:
            known = self.explain(exc)
            if known is None:
                raise
            raise known from exc
        self.after_commit()

    def before_write(self) -> None:
        """What must hold before a transaction starts (a file: still there, found sound)."""

    def after_commit(self) -> None:
        """Housekeeping after a committed action."""

    def check_present(self) -> None:
        """Raise a LedgerError if the ledger is no longer where it was opened."""

    def explain(self, exc: BaseException) -> LedgerError | KnownError | None:
        """A database error as a Chinese KnownError, None for a bug."""
        return None

    @property
    def location(self) -> str:
        """What opens this ledger again: the file's path (a server's URL on a ServerLedger)."""
        return str(self.path)

    def read(self) -> Session:
        """A session for reading (``with ledger.read() as s:``)."""
        return self.Session()

    def close(self) -> None:
        self.engine.dispose()
        if self.writer_lock is not None:
            self.writer_lock.release()

    def __enter__(self) -> "Ledger":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r}{', readonly' if self.readonly else ''})"
