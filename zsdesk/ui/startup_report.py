"""When the window was shown and when the ledger filled it, for the bench.

``ZSDESK_REPORT_START=1 zsdesk --db PATH`` (the frozen program too: bench/ has no other
way into it) prints two lines and quits instead of waiting for the clerk:

    SHOWN <unix time> <CPU seconds> {}      the main window's first paint (mapped, menus laid out)
    FILLED <unix time> <CPU seconds> {...}  the first rows of the current tab's table are in

"Shown" is the first Paint event the main window receives, for zsdesk and for the bare
window it is compared with alike (bench/child.py, bench/frozen_bare.py). Nothing here
runs unless the variable is set.
"""

from __future__ import annotations

import json
import os
import sys
import time

from PySide6.QtCore import QEvent, QObject

ENV = "ZSDESK_REPORT_START"


def wanted() -> bool:
    return os.environ.get(ENV) == "1"


def cpu_seconds() -> float:
    return time.process_time()


def say(word: str, extra: dict | None = None, *, when: float | None = None, cpu: float | None = None) -> None:
    when = time.time() if when is None else when
    cpu = cpu_seconds() if cpu is None else cpu
    sys.stdout.write(f"{word} {when:.6f} {cpu:.6f} {json.dumps(extra or {})}\n")
    sys.stdout.flush()


class PaintWatch(QObject):
    """Notes the moment (wall and CPU) of a widget's first Paint event."""

    def __init__(self, widget):
        super().__init__(widget)
        self.when: float | None = None
        self.cpu: float | None = None
        self.loaded: list[str] = []
        widget.installEventFilter(self)

    def eventFilter(self, obj, event) -> bool:
        if self.when is None and event.type() == QEvent.Type.Paint:
            self.when, self.cpu = time.time(), cpu_seconds()
            # What the window waited for: SQLAlchemy and the store must load after it is
            # shown, and so must PySide's Qt namespace (built whole, 12 ms, when a Qt enum is
            # first named: zsdesk/ui/app.py use_qt_dialogs).
            self.loaded = sorted(m for m in ("sqlalchemy", "zsdesk.store.db", "zsdesk.store.server") if m in sys.modules)
            if "Qt" in vars(sys.modules["PySide6.QtCore"]):
                self.loaded.append("PySide6.QtCore.Qt")
        return False


def qt_dialogs() -> bool:
    """Qt's own (translated) file dialogs are in use (zsdesk/ui/app.py use_qt_dialogs)."""
    from PySide6.QtCore import QCoreApplication, Qt

    return QCoreApplication.testAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs)


def first_rows_shown(window) -> bool:
    """The window shows a ledger and a visible table of its current tab has rows."""
    if getattr(window, "tabs", None) is None or getattr(window, "context", "bare") is None:
        return False  # the ledger is not open yet (the other tabs may still be being built)
    from PySide6.QtWidgets import QAbstractItemView

    tabs = getattr(window, "tabs", None)
    page = tabs.currentWidget() if tabs is not None else None
    if page is None:
        return False
    if any(
        view.isVisible() and view.model() is not None and view.model().rowCount() > 0
        for view in page.findChildren(QAbstractItemView)
    ):
        return True
    # A ledger with nothing in this tab yet (a new file): filled once the window is built
    # and the tab is not loading.
    is_attached = getattr(window, "is_attached", None)
    return bool(callable(is_attached) and is_attached() and not getattr(page, "loading", False))


def wait_painted(app, watch: PaintWatch, timeout: float = 600.0) -> bool:
    deadline = time.perf_counter() + timeout
    while watch.when is None and time.perf_counter() < deadline:
        app.processEvents()
    return watch.when is not None


def wait_filled(app, window, timeout: float = 600.0) -> bool:
    """Run the event loop until the window's first rows are in (False: it could not be opened)."""
    from PySide6.QtWidgets import QAbstractItemView

    deadline = time.perf_counter() + timeout
    while not first_rows_shown(window):
        if time.perf_counter() > deadline or getattr(window, "open_problem", None) is not None:
            return False
        app.processEvents()
        time.sleep(0.0005)
    for view in window.findChildren(QAbstractItemView):
        if view.isVisible():
            view.viewport().repaint()
    return True


def report(app, window) -> int:
    """Print SHOWN and FILLED for ``window`` (already shown, not yet painted), then end."""
    watch = PaintWatch(window)
    wait_painted(app, watch)
    say("SHOWN", {"loaded_before": watch.loaded}, when=watch.when, cpu=watch.cpu)
    filled = wait_filled(app, window)
    say("FILLED", {"filled": filled, "title": window.windowTitle(), "qt_dialogs": qt_dialogs()})
    context = getattr(window, "context", None)
    if context is not None:
        context.close()
    return 0 if filled else 1
