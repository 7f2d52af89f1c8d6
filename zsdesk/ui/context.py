"""The one place data goes in and out of the open ledger for the window.

Tabs, editors and charts never call each other when data changes: every write runs
through :meth:`AppContext.write` (one transaction, one user action) and is announced
with the one ``data_changed`` signal, which every view listens to (Anki's
``CollectionOp`` / ``operation_did_execute``).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
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
    """The server dropped the connection during a write (the exception, a ConnectionLost):
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
            known = explain_database_error(exc, self.ledger.path)
            if known is None:
                raise
            self._lost(known)
            raise known from exc
        except KnownError as exc:
            self._lost(exc)
            raise
        self.last_touched = touched if self._precise else None
        try:
            self.data_changed.emit()
        finally:
            self.last_touched = None
        return result

    def _lost(self, exc: KnownError) -> None:
        from ..store.server import ConnectionLost

        if isinstance(exc, ConnectionLost):
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

    def read(self) -> Session:
        """A session for reading: ``with context.read() as session: ...``."""
        return self.ledger.read()

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
