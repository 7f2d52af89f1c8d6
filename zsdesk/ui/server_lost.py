"""A server that went away while the window reads: where the error stops.

:meth:`zsdesk.ui.context.AppContext.read` turns a lost or unreachable server into one
ConnectionLost and announces it (``connection_lost``: the one 重新连接 box). The methods Qt
calls that read (a slot of ``data_changed``, ``showEvent``, a picker's change) carry
:func:`stops_lost_connection`, so that error ends there rather than in Qt's event loop as a
traceback, and the widget shows that it holds nothing rather than something half read.
No SQLAlchemy here: the main window imports this before a ledger is open.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QCoreApplication

from ..errors import KnownError

T = TypeVar("T")


def stops_lost_connection(method: Callable[..., T]) -> Callable[..., T | None]:
    """For a method that reads the ledger and is called by Qt (a slot of ``data_changed``,
    ``showEvent``, a picker's change, a menu action): a server lost while it reads has been
    told already (``connection_lost``, the 重新连接 box), so the ConnectionLost stops here
    instead of reaching Qt's event loop as a traceback. The widget's ``read_failed(exc)``
    (of a method's ``self``), if it has one, shows that it holds nothing rather than
    something half read."""

    @functools.wraps(method)
    def entry(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except KnownError as exc:
            if not getattr(exc, "offers_reconnect", False):
                raise
            failed = getattr(args[0], "read_failed", None) if args else None
            if callable(failed):
                failed(exc)
            return None

    return entry


def connect_triggered(action, slot: Callable[[], object]) -> None:
    """``action`` runs ``slot()`` (no arguments) when triggered; what the slot opens may read
    the ledger (a dialog, a print preview), so a lost server stops at it."""
    entry = stops_lost_connection(slot)
    action.triggered.connect(lambda _checked=False: entry())


def not_read_text(what: str) -> str:
    """What a tab says in place of its figures when the server went away while it read."""
    return QCoreApplication.translate("context", "没有读出%s：与数据库服务器的连接中断，请点“重新连接”") % what
