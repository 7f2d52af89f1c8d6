"""The one place data goes in and out of the open ledger for the window.

Tabs, editors and charts never call each other when data changes: every write runs
through :meth:`AppContext.write` (one transaction, one user action) and is announced
with the one ``data_changed`` signal, which every view listens to (Anki's
``CollectionOp`` / ``operation_did_execute``). Every read goes through :meth:`AppContext.read`,
which tells a server that went away (dropped, stopped, unreachable) the same way a write
does: one ConnectionLost, announced by ``connection_lost`` (the window offers 重新连接).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TypeVar

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from ..errors import KnownError
from ..store.concurrency import run_action
from ..store.db import Ledger, explain_database_error
from ..store.projects import TOUCHED

T = TypeVar("T")


class AppContext(QObject):
    """The open ledger, its undo history and the signals views listen to."""

    data_changed = Signal()
    """Something in the ledger changed: reload what you show."""
    ledger_changed = Signal()
    """Another ledger file was opened (``ledger`` is now a different file)."""
    connection_lost = Signal(object)
    """The server went away during a write or a read (the exception, a ConnectionLost):
    nothing was written; the window offers to reconnect (zsdesk/ui/ext_server.py)."""

    def __init__(self, ledger: Ledger, parent: QObject | None = None):
        super().__init__(parent)
        self.ledger = ledger
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setObjectName("undoStack")
        self.last_touched: dict[str, set] | None = None
        """What the last write changed, by kind ('projects': ids, ...), when its services said
        so; None when unknown (then views reload everything)."""
        self._precise = 0
        from .undo import History

        self.history = History(self, self.undo_stack)

    def write(self, action: Callable[[Session], T]) -> T:
        """Run ``action(session)`` in one transaction, commit, announce ``data_changed``.

        A database problem the user can act on (locked, read-only, full, removed file)
        comes out as a Chinese KnownError; the transaction is rolled back either way.
        """
        touched = None

        def body(session: Session) -> T:
            nonlocal touched
            outcome = action(session)
            touched = session.info.pop(TOUCHED, None)
            return outcome

        try:
            # On a server, run again when another writer's deadlock or serialization
            # failure rolled it back (the file has one writer: one run).
            result = run_action(self.ledger, body)
        except DBAPIError as exc:
            known = explain_failure(self.ledger, exc)
            if known is None:
                raise
            self._lost(known)
            raise known from exc
        except KnownError as exc:
            lost = as_lost(self.ledger, exc)
            self._lost(lost)
            if lost is exc:
                raise
            raise lost from exc
        self.last_touched = touched if self._precise else None
        try:
            self.data_changed.emit()
        finally:
            self.last_touched = None
        return result

    def _lost(self, exc: KnownError) -> None:
        if getattr(exc, "offers_reconnect", False):
            self.connection_lost.emit(exc)

    @contextlib.contextmanager
    def precise(self):
        """Writes inside this block report exactly what they touched (``last_touched``).

        Only for actions made of the store services, which record every record they
        change; any other write leaves ``last_touched`` None so views reload in full.
        """
        self._precise += 1
        try:
            yield
        finally:
            self._precise -= 1

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading: ``with context.read() as session: ...``.

        A database error the user can act on comes out as a Chinese KnownError; a server
        gone away (dropped mid-read, stopped, unreachable) as a ConnectionLost that
        ``connection_lost`` has announced (the one 重新连接 box). A method Qt calls that
        reads stops it with :func:`zsdesk.ui.server_lost.stops_lost_connection`.
        """
        ledger = self.ledger
        try:
            with ledger.read() as session:
                yield session
        except Exception as exc:  # a driver's own error too (a read through its cursor)
            known = explain_failure(ledger, exc, reading=True)
            if known is None:
                raise
            self._lost(known)
            raise known from exc

    def set_ledger(self, ledger: Ledger) -> None:
        """Switch to another file: the old one is closed, the undo history cleared."""
        old, self.ledger = self.ledger, ledger
        self.undo_stack.clear()
        self.last_touched = None
        if old is not None and old is not ledger:
            old.close()
        self.ledger_changed.emit()
        self.data_changed.emit()

    def close(self) -> None:
        if self.ledger is not None:
            self.ledger.close()


def explain_failure(ledger: Ledger, exc: BaseException, *, reading: bool = False) -> KnownError | None:
    """A database error of ``ledger`` as the window tells it: a Chinese KnownError (None for
    a bug or anything else), a server that went away always as the ConnectionLost that
    offers 重新连接. Safe in a worker thread (the projects tab's loader): no Qt."""
    if not (isinstance(exc, DBAPIError) or type(exc).__module__.split(".")[0] in ("psycopg", "sqlite3")):
        return None  # the projects tab's loader reads through the driver's own cursor
    known = explain_database_error(exc, ledger.path)
    return None if known is None else as_lost(ledger, known, reading=reading)


def as_lost(ledger: Ledger, known: KnownError, *, reading: bool = False) -> KnownError:
    """On an open server, "unreachable" means it went away after it was opened (stopped,
    the network cut): the same offer as a connection dropped mid-action."""
    from ..store.server import ConnectionLost, ServerUnreachable, connection_lost

    if not getattr(ledger, "is_server", False) or not isinstance(known, ServerUnreachable):
        return known
    if isinstance(known, ConnectionLost) and not reading:
        return known
    return connection_lost(ledger.location, reading=reading)
