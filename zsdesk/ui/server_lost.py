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
    ``showEvent``, a picker's change): a server lost while it reads has been told already
    (``connection_lost``, the 重新连接 box), so the ConnectionLost stops here instead of
    reaching Qt's event loop as a traceback. The widget's ``read_failed(exc)``, if it has
    one, shows that it holds nothing rather than something half read."""

    @functools.wraps(method)
    def entry(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except KnownError as exc:
            if not getattr(exc, "offers_reconnect", False):
                raise
            failed = getattr(self, "read_failed", None)
            if callable(failed):
                failed(exc)
            return None

    return entry


def not_read_text(what: str) -> str:
    """What a tab says in place of its figures when the server went away while it read."""
    return QCoreApplication.translate("context", "没有读出%s：与数据库服务器的连接中断，请点“重新连接”") % what
