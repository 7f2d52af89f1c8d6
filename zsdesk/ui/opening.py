"""Window first: the main window is shown as soon as Qt is up, the ledger opens behind it.

``zsdesk --db PATH|URL`` (and the first-run dialog's choice) shows :class:`MainWindow` in
its "正在打开…" state: menus, the tabs' titles, actions that need a ledger disabled. Then,
one group per turn of the event loop, the GUI thread imports SQLAlchemy, the store and the
tabs' modules (:data:`IMPORT_STEPS`); a worker thread (:class:`LedgerOpener`, a QThread)
opens the ledger — for a file without ``PRAGMA quick_check``, which goes on in a thread of
its own with the daily backup (``verify="background"``; every write waits for its
verdict) — and the GUI thread fills the window (:meth:`MainWindow.attach`). No SQLAlchemy
session crosses threads: the worker's one read is closed before it hands the ledger (an
engine, which is thread-safe) over.

A ledger that cannot be opened — damaged, held by another writer, missing, from a newer
zsdesk, a server that does not answer — is said in the window (one Chinese message,
:class:`OpenProblem`), which stays and offers 打开其他台账… A damage the background check
finds after the window was filled is said the same way; the ledger then refuses every
write (nothing was written to it).
"""

from __future__ import annotations

import importlib
from pathlib import Path

from PySide6 import QtCore
from PySide6.QtCore import QEvent, QObject, QThread, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from ..errors import DamagedLedger, KnownError, LedgerLocked, ReadOnlyLocation
from ..store.urls import is_url, shown_location
from .feature_scan import skip_feature_scan

IMPORT_STEPS = (
    ("sqlalchemy", "sqlalchemy.orm"),
    ("zsdesk.store.db", "zsdesk.store.projects", "fcntl", "urllib.parse"),
    ("zsdesk.ui.context", "zsdesk.ui.projects_tab"),
    ("zsdesk.ui.investors_tab", "zsdesk.ui.targets_tab", "zsdesk.ui.events_tab"),
    ("zsdesk.ui.ext_checks", "zsdesk.ui.ext_returns", "zsdesk.ui.ext_safety", "zsdesk.ui.ext_server"),
    ("zsdesk.ui.ext_dashboard",),
)
"""What opening and filling the window import, one group per turn of the event loop, on
the GUI thread before the worker starts: PySide6's import hook is not thread-safe (an
import on a worker thread while the GUI thread ran crashed the interpreter, see
:func:`zsdesk.ui.feature_scan.skip_feature_scan`), so the worker thread imports nothing."""


class LedgerOpener(QThread):
    """Opens one ledger off the GUI thread; ``done`` carries (ledger, None) or (None, error).

    Everything it needs was imported before it starts (:data:`IMPORT_STEPS`)."""

    done = Signal(object, object)

    def __init__(self, location, *, readonly: bool = False, parent: QObject | None = None):
        super().__init__(parent)
        self.setObjectName("ledgerOpener")
        self.location = location
        self.readonly = readonly
        self.ledger = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.ledger = open_now(self.location, self.readonly)
        except BaseException as exc:  # noqa: BLE001 - reported on the GUI thread
            self.error = exc
        self.done.emit(self.ledger, self.error)


def open_now(location, readonly: bool):
    from ..store.db import open_ledger

    return open_ledger(location, readonly=readonly, verify="background")


def _needs_import_to_open(location) -> bool:
    """Whether opening will import more (Alembic to migrate an older file; a server's driver
    when it is missing): then it runs on the GUI thread (see IMPORT_STEPS), after the window
    was shown. A server's driver is imported here, its connection made in the worker."""
    if is_url(location):
        try:  # the driver, imported here; the connection (which can take seconds) in the worker
            importlib.import_module("psycopg")
        except ImportError:
            return True  # the opener says in Chinese that the driver is missing
        return False
    from ..store.db import head_revision
    from ..store.sqlite_file import stored_revision

    try:
        return stored_revision(Path(location).expanduser().absolute(), check=False) != head_revision()
    except KnownError:
        return False  # the worker finds the same problem and says it


class _AfterFirstPaint(QObject):
    """Calls ``then`` once the window has painted itself: a zero timer started after show()
    runs before the window's first Paint event, so the first import step would hold the
    window's first picture back. A window that is not painted (hidden) waits 200 ms at most."""

    def __init__(self, window, then):
        super().__init__(window)
        self.window = window
        self.then = then
        self.fired = False
        window.installEventFilter(self)
        QTimer.singleShot(200, self._fire)

    def eventFilter(self, obj, event) -> bool:
        if not self.fired and event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, self._fire)
        return False

    def _fire(self) -> None:
        if self.fired:
            return
        self.fired = True
        self.window.removeEventFilter(self)
        self.then()


class _Opening(QObject):
    """The staged start: imports one group per event-loop turn, then the worker, then attach."""

    def __init__(self, window, location, readonly: bool):
        super().__init__(window)
        self.window = window
        self.location = location
        self.readonly = readonly
        self.steps = list(IMPORT_STEPS)
        self.opener: LedgerOpener | None = None

    def start(self) -> None:
        _AfterFirstPaint(self.window, self._after_first_paint)

    def _after_first_paint(self) -> None:
        from .app import use_qt_dialogs

        use_qt_dialogs()  # before anything can open a dialog; not before the first paint
        self._next()

    def _next(self) -> None:
        if getattr(self, "abandoned", False):
            return
        if self.steps:
            for name in self.steps.pop(0):
                try:
                    importlib.import_module(name)
                except ImportError:  # a build without that part (fcntl on Windows, ...)
                    pass
            QTimer.singleShot(0, self._next)
            return
        try:
            inline = _needs_import_to_open(self.location)
        except BaseException as exc:  # noqa: BLE001
            self._done(None, exc)
            return
        if inline:
            try:
                ledger = open_now(self.location, self.readonly)
            except BaseException as exc:  # noqa: BLE001
                self._done(None, exc)
                return
            self._done(ledger, None)
            return
        self.opener = LedgerOpener(self.location, readonly=self.readonly, parent=self)
        self.opener.done.connect(self._done)
        self.opener.start()

    def abandon(self) -> None:
        """The window was closed: let the worker finish (a QThread must not be destroyed
        while it runs) and close whatever it opened, releasing the file's lock."""
        self.steps.clear()
        self.abandoned = True
        if self.opener is not None:
            self.opener.wait()
            if self.opener.ledger is not None:
                self.opener.ledger.close()

    def _done(self, ledger, error) -> None:
        if getattr(self, "abandoned", False):
            return
        if self.opener is not None:
            self.opener.wait()
        if getattr(self.window, "opening", None) is self:
            self.window.opening = None
        _opened(self.window, self.location, ledger, error)
        self.deleteLater()


class _DamageRelay(QObject):
    """Carries the background check's verdict of a damaged file to the GUI thread."""

    damaged = Signal(object)


def open_in_window(window, location, *, readonly: bool = False) -> _Opening:
    """Open ``location`` behind ``window`` (a MainWindow with no ledger) and fill it."""
    window.pages.setCurrentWidget(window.tabs)
    for action in window.findChildren(type(window.open_action)):
        if action.objectName() in ("openLedgerAction", "newLedgerAction"):
            action.setEnabled(False)
    window.recent_menu.setEnabled(False)
    window.status_label.setText(window.tr("正在打开…"))
    window.show_location(shown_location(location))
    skip_feature_scan()
    opening = _Opening(window, location, readonly)
    window.opening = opening
    opening.start()
    return opening


def _opened(window, location, ledger, error) -> None:
    if error is not None:
        show_problem(window, error, location)
        return
    from .context import AppContext

    try:
        window.attach(AppContext(ledger), staged=True)
    except BaseException as exc:
        ledger.close()
        window.context = None
        show_problem(window, exc, location)
        return
    watch_integrity(window, ledger)


def watch_integrity(window, ledger) -> None:
    """Tell the window when the background check finds the file damaged."""
    integrity = getattr(ledger, "integrity", None)
    if integrity is None:
        return
    relay = _DamageRelay(window)
    relay.damaged.connect(lambda exc: report_damage(window, ledger, exc))
    window.damage_relay = relay
    integrity.on_damage.append(relay.damaged.emit)
    if integrity.done and integrity.error is not None:  # found before the callback was in place
        integrity.on_damage.remove(relay.damaged.emit)
        report_damage(window, ledger, integrity.error)


def report_damage(window, ledger, exc: DamagedLedger) -> None:
    """The file the window shows is damaged: no write from now on; say so in the window."""
    if window.context is None or window.context.ledger is not ledger:
        return  # another file is open by now
    ledger.readonly = True  # nothing is written to a damaged file (writes also wait for the verdict)
    window.apply_read_only()
    show_problem(window, exc, ledger.location)


class OpenProblem(QWidget):
    """What stopped a ledger opening, in the window: one message and what the clerk can do."""

    def __init__(self, window, error: BaseException, location, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("openProblem")
        self.error = error
        self.location = location
        if isinstance(error, KnownError):
            text = error.message
        else:
            text = self.tr("程序出现内部错误（程序缺陷），台账没有打开，文件没有受影响。（%s: %s）") % (
                type(error).__name__,
                error,
            )
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        damaged = isinstance(error, DamagedLedger)
        title = QLabel(self.tr("台账文件已损坏，不能修改") if damaged else self.tr("无法打开台账"), self)
        title.setObjectName("openProblemTitle")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        title.setFont(font)
        self.message = QLabel(text, self)
        self.message.setObjectName("openProblemMessage")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(QtCore.Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        self.open_other = QPushButton(self.tr("打开其他台账…"), self)
        self.open_other.setObjectName("openOtherButton")
        self.open_other.clicked.connect(window._choose_and_open)
        buttons.addWidget(self.open_other)
        self.read_only = None
        file = not is_url(location)
        if file and isinstance(error, (LedgerLocked, ReadOnlyLocation)) and Path(location).is_file():
            self.read_only = QPushButton(self.tr("以只读方式打开"), self)
            self.read_only.setObjectName("openReadOnlyButton")
            self.read_only.clicked.connect(lambda: open_in_window(window, location, readonly=True))
            buttons.addWidget(self.read_only)
        self.restore = None
        good = getattr(error, "backup", None)
        if file and isinstance(error, DamagedLedger) and good is not None:
            self.restore = QPushButton(self.tr("用最近的完好备份恢复"), self)
            self.restore.setObjectName("restoreBackupButton")
            self.restore.clicked.connect(lambda: _restore(window, Path(location), good))
            buttons.addWidget(self.restore)
        buttons.addStretch(1)
        for widget in (title, self.message):
            layout.addWidget(widget)
        layout.addLayout(buttons)
        layout.addStretch(2)
        layout.setContentsMargins(48, 24, 48, 24)


def show_problem(window, error: BaseException, location) -> OpenProblem:
    old = getattr(window, "open_problem", None)
    if old is not None:
        window.pages.removeWidget(old)
        old.deleteLater()
    page = OpenProblem(window, error, location, window.pages)
    window.pages.addWidget(page)
    window.pages.setCurrentWidget(page)
    window.open_problem = page
    for action in window.findChildren(type(window.open_action)):
        if action.objectName() in ("openLedgerAction", "newLedgerAction"):
            action.setEnabled(True)
    window._rebuild_recent_menu()
    if window.context is None:
        window.setWindowTitle(window.tr("无法打开台账 — zsdesk 招商引资台账"))
        window.status_label.setText(window.tr("无法打开"))
        window.show_location(shown_location(location))
    return page


def _restore(window, path: Path, good) -> None:
    """Put the newest good backup in place of the damaged file (kept beside the backups)."""
    from ..store import backup

    if window.context is not None:  # the damage was found after the window was filled
        window.context.ledger.close()
    try:
        backup.restore_backup(path, good.path)
    except KnownError as exc:
        show_problem(window, exc, path)
        return
    if window.context is None:
        open_in_window(window, path)
    else:
        window.open_file(path)
