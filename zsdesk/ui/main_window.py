"""The main window: tabs, menus, the open file, and the door for extensions.

Other parts of the program plug in without editing this file: every module
``zsdesk/ui/ext_*.py`` is imported and its ``install(window)`` called, in name order,
at the end of construction. They use :meth:`MainWindow.add_tab`, :meth:`MainWindow.menu`,
``window.context`` (the ledger, ``write``, ``data_changed``) and :meth:`show_error`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
import sys
import types
from pathlib import Path

from PySide6 import QtCore
from PySide6.QtCore import QByteArray, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QWidget,
)

from ..errors import KnownError
from .qsettings import add_recent_file, app_settings, recent_files, remove_recent_file
from .server_lost import connect_triggered, stops_lost_connection

# SQLAlchemy and the store are imported when a ledger is attached, not with this module:
# the window is shown while they load (window first, see zsdesk/ui/opening.py).

MENU_KEYS = ("file", "edit", "view", "tools", "help")
WRITING_ACTIONS = (
    "newRecordAction",
    "deleteRecordAction",
    "undoAction",
    "redoAction",
    "importReturnsAction",
    "importTargetsAction",
    "monthLocksAction",
    "restoreBackupAction",
)
"""Actions that change the ledger: disabled while it is open read-only."""
LEDGER_FREE_ACTIONS = ("newLedgerAction", "openLedgerAction", "quitAction", "aboutAction")
"""Actions that work with no ledger open (while one opens, or after it could not be)."""
BUREAU_ACTIONS = (
    "starterFilesAction",
    "importReturnsAction",
    "exportSummaryAction",
    "exportTargetsAction",
    "bulletinAction",
    "staffNamesAction",
)
"""The bureau's own work (starter files, importing and consolidating returns, the targets
grid it hands out, the bulletin, staff names on its server): not shown in a township's
own file, whose clerk has none of it to do."""


CORE_TAB_TITLES = (("projects", "项目"), ("investors", "客商"), ("targets", "目标任务"), ("events", "招商活动"))


class MainWindow(QMainWindow):
    """The main window on an open ledger (``MainWindow(context)``, ready at once), or,
    with no context, the window shown while one opens: the menus with only what needs no
    ledger enabled, the tabs' titles, "正在打开…" — :meth:`attach` fills it."""

    def __init__(self, context=None, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("MainWindow")
        self.context = None
        self._tab_keys: dict[str, QWidget] = {}
        self._menus: dict[str, QMenu] = {}
        self._editors: dict = {}
        self._open_forms: list = []
        self._today: dt.date | None = None
        self.last_message_box: QMessageBox | None = None

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("mainTabs")
        self.tabs.setDocumentMode(True)
        self.pages = QStackedWidget(self)  # the tabs; or what stopped a ledger opening
        self.pages.setObjectName("mainPages")
        self.pages.addWidget(self.tabs)
        self.setCentralWidget(self.pages)

        self._build_menus()
        self._build_status_bar()
        self._rebuild_recent_menu()
        self._restore_geometry()
        if context is None:
            self._show_opening_state()
        else:
            self.attach(context)

    def is_attached(self) -> bool:
        """A ledger is open in the window and every tab and menu is built for it."""
        return self.context is not None and getattr(self, "_ready", False)

    def _show_opening_state(self) -> None:
        """Tabs by title, every action that needs a ledger disabled, "正在打开…"."""
        for _key, title in CORE_TAB_TITLES:
            page = QLabel(self.tr("正在打开…"), self)
            page.setObjectName("openingPlaceholder")
            # Centred by style sheet: naming Qt.AlignmentFlag would make PySide build its
            # whole Qt namespace (12 ms) before the first paint.
            page.setStyleSheet("qproperty-alignment: AlignCenter;")
            page.setEnabled(False)
            self.tabs.addTab(page, self.tr(title))
        for action in self.findChildren(QAction):
            if action.menu() is None and action.objectName() not in LEDGER_FREE_ACTIONS:
                action.setEnabled(False)
        self.setWindowTitle(self.tr("正在打开… — zsdesk 招商引资台账"))
        self.status_label.setText(self.tr("正在打开…"))

    def attach(self, context, *, staged: bool = False) -> None:
        """Fill the window from the open ledger of ``context`` (an AppContext).

        ``staged`` (window first): the core tabs now, each extension on a later turn of the
        event loop, so the default tab's first rows show before the others are built;
        :meth:`is_attached` is True once all are in. Without it, all at once.
        """
        if self.context is not None:
            raise RuntimeError("the window already shows a ledger")
        self._ready = False
        self.context = context
        while self.tabs.count():  # the "正在打开…" placeholders
            page = self.tabs.widget(0)
            self.tabs.removeTab(0)
            page.deleteLater()
        self.pages.setCurrentWidget(self.tabs)
        self._wire_undo()
        self._build_core_tabs()
        for action in self.findChildren(QAction):
            if action.menu() is None and action.objectName() not in WRITING_ACTIONS:
                action.setEnabled(True)

        context.data_changed.connect(self._refresh_title)
        context.ledger_changed.connect(self._on_ledger_changed)
        self._refresh_title()
        add_recent_file(context.ledger.path)
        self._rebuild_recent_menu()
        self.apply_read_only()  # a read-only ledger's core tabs refuse edits from the start

        if staged:
            self.installed_extensions = []
            names = self.extension_names()

            def next_extension():
                if self.context is not context:
                    return
                if names:
                    self._install_extension(names.pop(0))
                    QTimer.singleShot(0, next_extension)
                else:
                    self._finish_attach()

            QTimer.singleShot(0, next_extension)
        else:
            self.install_extensions()
            self._finish_attach()

    def _finish_attach(self) -> None:
        self.apply_owner()  # the extensions' actions are in now
        self._restore_last_tab()
        self.context.ledger_changed.connect(self.apply_read_only)
        self.apply_read_only()
        self._ready = True

    # -- the contract for other parts ------------------------------------------------

    def add_tab(self, key: str, widget: QWidget, title: str) -> None:
        """Add a tab; ``key`` is how select_tab, --tab and the saved last tab name it."""
        if key in self._tab_keys:
            raise ValueError(f"tab {key!r} already added")
        self._tab_keys[key] = widget
        self.tabs.addTab(widget, title)

    def today(self) -> dt.date:
        """The date editors check against (no funds for a month that has not come)."""
        return self._today or dt.date.today()

    def set_today(self, day: dt.date | None) -> None:
        """Pretend today is ``day`` (tests, demonstrations); None: the real date."""
        self._today = day
        self.projects_tab.fill_filters(year=self.today().year)
        self.targets_tab.fill_years(year=self.today().year)
        self.context.data_changed.emit()

    def tab(self, key: str) -> QWidget:
        return self._tab_keys[key]

    def tab_keys(self) -> list[str]:
        return list(self._tab_keys)

    def select_tab(self, key: str) -> QWidget:
        widget = self._tab_keys.get(key)
        if widget is None:
            raise KnownError(self.tr("没有“%s”标签页") % key)
        self.tabs.setCurrentWidget(widget)
        ensure_loaded = getattr(widget, "ensure_loaded", None)
        if callable(ensure_loaded):
            ensure_loaded()
        return widget

    def release_hidden_tabs(self) -> None:
        """Let the hidden tabs go of their rows now (issue 18). A tab about to hold much —
        the checks' findings, the dashboard's Matplotlib — asks first: a tab hidden by the
        switch lets go only on the event loop's next turn, after the new tab's first load,
        and the two would otherwise be held at once."""
        for widget in list(getattr(self, "_tab_keys", {}).values()):
            release = getattr(widget, "_release_if_hidden", None)
            if callable(release):  # it lets go only when hidden by another tab (another_tab_shown)
                release()

    def current_tab_key(self) -> str | None:
        current = self.tabs.currentWidget()
        return next((k for k, w in self._tab_keys.items() if w is current), None)

    def menu(self, key: str) -> QMenu:
        return self._menus[key]

    def show_error(self, exc: BaseException) -> QMessageBox:
        """Tell the user about a problem in a message box that does not block.

        A KnownError is the user's problem and is shown as is; anything else is a bug.
        The box is kept in ``last_message_box`` (tests read its text). A server connection
        lost mid-action is told by the one box that offers 重新连接 (ext_server).
        """
        if getattr(exc, "offers_reconnect", False) and hasattr(self, "offer_reconnect"):
            return self.offer_reconnect(exc)
        if isinstance(exc, KnownError):
            box = QMessageBox(QMessageBox.Icon.Warning, self.tr("无法完成"), exc.message, parent=self)
        else:
            box = QMessageBox(
                QMessageBox.Icon.Critical,
                self.tr("内部错误"),
                self.tr("程序出现内部错误（程序缺陷），刚才的操作没有完成，已保存的数据没有受影响。"),
                parent=self,
            )
            box.setDetailedText(f"{type(exc).__name__}: {exc}")
        box.setObjectName("errorBox")
        box.setAttribute(QtCore.Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_message_box = box
        return box

    def ask(self, title: str, question: str) -> bool:
        """A yes/no question (deleting, overwriting). Tests replace this method."""
        answer = QMessageBox.question(self, title, question)
        return answer == QMessageBox.StandardButton.Yes

    def open_project(self, project_id: int | None):
        """Open the project editor on a project (None: a new one); returns the editor."""
        from .project_editor import ProjectEditor

        return self._open_editor("projects", ProjectEditor, project_id)

    def open_investor(self, investor_id: int | None):
        """Open the investor editor on an investor (None: a new one); returns the editor."""
        from .investor_editor import InvestorEditor

        return self._open_editor("investors", InvestorEditor, investor_id)

    def open_event(self, event_id: int | None):
        from .events_tab import EventEditor

        return self._open_editor("events", EventEditor, event_id)

    def _open_editor(self, tab: str, editor_class, record_id):
        if record_id is None and self.is_read_only():
            self.statusBar().showMessage(self.tr("台账以只读方式打开，不能新建"), 5000)
            return None
        key = (tab, record_id)
        editor = self._editors.get(key) if record_id is not None else None
        if editor is not None:
            editor.raise_()
            editor.activateWindow()
            return editor
        try:
            editor = editor_class(self.context, record_id, parent=self, today=self.today())
        except KnownError as exc:  # deleted meanwhile
            self.show_error(exc)
            return None
        editor.setWindowFlag(QtCore.Qt.WindowType.Window, True)
        if record_id is not None:
            self._editors[key] = editor
        self._track_dialog(editor)
        editor.finished.connect(lambda _result, k=key, e=editor: self._editor_closed(k, e))
        editor.show()
        return editor

    def _editor_closed(self, key, editor) -> None:
        if self._editors.get(key) is editor:
            del self._editors[key]
        editor.deleteLater()

    # -- unsaved work --------------------------------------------------------------

    def _track_dialog(self, dialog) -> None:
        """An open form the window asks about before it closes or opens another file."""
        self._open_forms.append(dialog)
        dialog.finished.connect(lambda _result, d=dialog: self._open_forms.remove(d) if d in self._open_forms else None)

    def open_forms(self) -> list:
        """The editors and dialogs open on this ledger, oldest first."""
        return list(self._open_forms)

    def settle_unsaved_work(self) -> bool:
        """Ask 保存 / 不保存 / 取消 for every open form and grid with unsaved changes.

        True when the window may go on (close, open another file): everything was saved or
        discarded. False at the first 取消 or refused save; that form stays in front.
        """
        for form in self.open_forms():
            settle = getattr(form, "settle_unsaved", None)
            if callable(settle) and not settle():
                return False
        for widget in self._tab_keys.values():
            settle = getattr(widget, "settle_unsaved", None)
            if callable(settle) and not settle():
                return False
        return True

    def close_open_forms(self) -> None:
        """Close every open form without asking (settle_unsaved_work has asked)."""
        for form in self.open_forms():
            discard = getattr(form, "discard_and_close", None)
            if callable(discard):
                discard()
            else:
                form.reject()

    def install_extensions(self) -> list[str]:
        """Import every ``zsdesk/ui/ext_*.py`` and call its ``install(window)``."""
        self.installed_extensions = []
        for name in self.extension_names():
            self._install_extension(name)
        return self.installed_extensions

    @staticmethod
    def extension_names() -> list[str]:
        package = Path(__file__).parent
        return sorted(i.name for i in pkgutil.iter_modules([str(package)]) if i.name.startswith("ext_"))

    def _install_extension(self, name: str) -> None:
        module = importlib.import_module(f"{__package__}.{name}")
        module.install(self)
        self.installed_extensions.append(name)

    # -- files ---------------------------------------------------------------------

    def open_file(self, path: str | Path) -> bool:
        """Switch to another ledger file; a problem is shown and the current file kept."""
        # Data safety (zsdesk/ui/safety_dialogs.py): a file another zsdesk holds may be
        # opened read-only, a damaged one restored from its newest good backup.
        if self.context is None:  # nothing open yet (it could not be): open it as at the start
            from .opening import open_in_window

            open_in_window(self, path)
            return True
        from .safety_dialogs import open_ledger_interactively

        switching = Path(path).expanduser().absolute() != Path(self.context.ledger.path).absolute()
        if switching and not self.settle_unsaved_work():
            return False
        ledger = open_ledger_interactively(self, path)
        if ledger is None:
            if not Path(path).exists():
                remove_recent_file(path)
                self._rebuild_recent_menu()
            return False
        if ledger is not self.context.ledger:
            self.close_open_forms()  # they hold records of the file being closed
        self.context.set_ledger(ledger)
        self.pages.setCurrentWidget(self.tabs)  # away from what stopped the last one opening
        add_recent_file(ledger.path)
        self._rebuild_recent_menu()
        return True

    def _choose_and_open(self) -> None:
        folder = str(Path(self.context.ledger.path).parent) if self.context is not None else ""
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("打开台账"), folder, self.tr("台账文件 (*.sqlite *.db);;所有文件 (*)")
        )
        if path:
            self.open_file(path)

    def _new_ledger(self) -> None:
        from .ledger_dialogs import NewLedgerDialog

        dialog = NewLedgerDialog(self)  # the Documents folder, named for the unit and year
        if dialog.exec() and dialog.created_path is not None:
            self.open_file(dialog.created_path)

    def save_copy_as(self, target: str | Path | None = None) -> Path | None:
        if getattr(self.context.ledger, "is_server", False):  # a snapshot into a new file
            from .ext_server import save_server_snapshot

            return save_server_snapshot(self, target)
        if target is None:
            source = Path(self.context.ledger.path)
            suggestion = str(source.with_name(f"{source.stem}-副本{source.suffix}"))
            target, _ = QFileDialog.getSaveFileName(
                self, self.tr("台账另存副本"), suggestion, self.tr("台账文件 (*.sqlite)")
            )
            if not target:
                return None
        target = Path(target)
        if target.absolute() == Path(self.context.ledger.path).absolute():
            self.show_error(KnownError(self.tr("副本不能保存为正在使用的台账文件本身")))
            return None
        try:
            if target.exists():
                target.unlink()
            from ..store.db import copy_database

            copy_database(Path(self.context.ledger.path), target)
        except OSError as exc:
            self.show_error(KnownError(self.tr("无法保存副本（%s）：%s") % (exc.strerror or exc, target)))
            return None
        except Exception as exc:  # sqlite3 errors: full disk, unwritable folder
            self.show_error(KnownError(self.tr("无法保存副本（%s）：%s") % (exc, target)))
            return None
        if target.absolute().parent == Path(self.context.ledger.path).absolute().parent:
            # the suggested place: the clerk knows the folder, the bar has room for the name
            self.statusBar().showMessage(self.tr("已保存副本：%s（与台账在同一文件夹）") % target.name, 5000)
        else:
            self.statusBar().showMessage(self.tr("已保存副本：%s") % target, 5000)
        return target

    def _import_ledger(self) -> None:
        from .ledger_wizard import open_ledger_wizard  # the wizard's modules load when asked for

        open_ledger_wizard(self)

    def _ledger_settings(self) -> None:
        from .ledger_dialogs import LedgerSettingsDialog

        dialog = LedgerSettingsDialog(self.context, self)
        self._track_dialog(dialog)
        dialog.open()
        return dialog

    # -- building ------------------------------------------------------------------

    def _build_menus(self) -> None:
        bar = self.menuBar()
        titles = {
            "file": self.tr("文件(&F)"),
            "edit": self.tr("编辑(&E)"),
            "view": self.tr("查看(&V)"),
            "tools": self.tr("工具(&T)"),
            "help": self.tr("帮助(&H)"),
        }
        for key in MENU_KEYS:
            menu = bar.addMenu(titles[key])
            menu.setObjectName(f"{key}Menu")
            self._menus[key] = menu

        file_menu = self._menus["file"]
        self.new_ledger_action = self._action(self.tr("新建台账(&N)…"), self._new_ledger, "newLedgerAction")
        self.open_action = self._action(
            self.tr("打开台账(&O)…"), self._choose_and_open, "openLedgerAction", QKeySequence.StandardKey.Open
        )
        self.recent_menu = QMenu(self.tr("最近打开的台账(&R)"), self)
        self.recent_menu.setObjectName("recentMenu")
        self.save_copy_action = self._action(
            self.tr("另存副本(&A)…"), lambda: self.save_copy_as(), "saveCopyAction", QKeySequence.StandardKey.SaveAs
        )
        self.settings_action = self._action(self.tr("台账设置(&S)…"), self._ledger_settings, "ledgerSettingsAction")
        self.import_ledger_action = self._action(self.tr("导入已有台账(&L)…"), self._import_ledger, "importLedgerAction")
        self.quit_action = self._action(self.tr("退出(&Q)"), self.close, "quitAction", QKeySequence.StandardKey.Quit)
        file_menu.addAction(self.new_ledger_action)
        file_menu.addAction(self.open_action)
        file_menu.addMenu(self.recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.save_copy_action)
        file_menu.addAction(self.import_ledger_action)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        self.undo_action = self._action(
            self.tr("撤销"), lambda: self.context.history.undo(), "undoAction", QKeySequence.StandardKey.Undo
        )
        self.redo_action = self._action(self.tr("重做"), lambda: self.context.history.redo(), "redoAction")
        self.redo_action.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.undo_action.setEnabled(False)
        self.redo_action.setEnabled(False)
        edit = self._menus["edit"]
        edit.addAction(self.undo_action)
        edit.addAction(self.redo_action)
        edit.addSeparator()
        self.new_action = self._action(self.tr("新建(&N)"), self._new_record, "newRecordAction", QKeySequence.StandardKey.New)
        self.open_record_action = self._action(self.tr("打开(&O)"), self._open_record, "openRecordAction")
        self.delete_action = self._action(self.tr("删除(&D)…"), self._delete_record, "deleteRecordAction", QKeySequence.StandardKey.Delete)
        for action in (self.new_action, self.open_record_action, self.delete_action):
            edit.addAction(action)
        edit.addSeparator()
        self.refresh_action = self._action(self.tr("刷新(&R)"), self.refresh, "refreshAction", QKeySequence.StandardKey.Refresh)
        self._menus["view"].addAction(self.refresh_action)
        self._menus["tools"].addAction(self.settings_action)
        # 月度通报 (the bureau's Word document); 简报 is added by ext_checks
        self.bulletin_action = self._action(self.tr("月度通报(&R)…"), self._open_bulletin, "bulletinAction")
        self._menus["tools"].addAction(self.bulletin_action)

        about = self._action(self.tr("关于 zsdesk(&A)"), self._about, "aboutAction")
        self._menus["help"].addAction(about)

    def _wire_undo(self) -> None:
        stack = self.context.undo_stack
        stack.canUndoChanged.connect(self.undo_action.setEnabled)
        stack.canRedoChanged.connect(self.redo_action.setEnabled)
        stack.undoTextChanged.connect(self._undo_text_changed)
        stack.redoTextChanged.connect(self._redo_text_changed)
        self.context.history.failed.connect(self.show_error)

    def _open_bulletin(self):
        from .document_dialog import open_bulletin

        return open_bulletin(self)

    def _undo_text_changed(self, text: str) -> None:
        self.undo_action.setText(self.tr("撤销 %s") % text if text else self.tr("撤销"))

    def _redo_text_changed(self, text: str) -> None:
        self.redo_action.setText(self.tr("重做 %s") % text if text else self.tr("重做"))

    def _action(self, text, slot, name, shortcut=None) -> QAction:
        action = QAction(text, self)
        action.setObjectName(name)
        if shortcut is not None:
            # setShortcuts, not setShortcut: PySide resolves setShortcut's overloads through
            # its whole Qt namespace, built on first use (12 ms before the first paint).
            standard = isinstance(shortcut, QKeySequence.StandardKey)
            action.setShortcuts(shortcut if standard else [QKeySequence(shortcut)])
        connect_triggered(action, slot)
        return action

    def _rebuild_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = recent_files()
        for index, path in enumerate(files, start=1):
            action = self.recent_menu.addAction(f"&{index} {path}")
            action.setData(path)
            action.triggered.connect(lambda _checked=False, p=path: self.open_file(p))
        self.recent_menu.setEnabled(bool(files))

    def _build_status_bar(self) -> None:
        """Where the ledger is (elided in the middle, whole in its tooltip), then what it
        holds; a temporary message gets the room left of them (zsdesk/ui/status_bar.py)."""
        from .status_bar import ElidedLabel, LocationFitter

        self.location_label = ElidedLabel(self)
        self.location_label.setObjectName("statusLocation")
        self.status_label = QLabel(self)
        self.status_label.setObjectName("statusCounts")
        bar = self.statusBar()
        bar.addPermanentWidget(self.location_label)
        bar.addPermanentWidget(self.status_label)
        self.location_fitter = LocationFitter(bar, self.location_label, beside=(self.status_label,))

    def show_location(self, location: str) -> None:
        """The ledger's path (or server address, without a password) in the status bar."""
        self.location_label.set_full_text(location)
        self.location_fitter.set_shown(bool(location))

    def _build_core_tabs(self) -> None:
        from .events_tab import EventsTab
        from .investors_tab import InvestorsTab
        from .projects_tab import ProjectsTab
        from .targets_tab import TargetsTab

        self.projects_tab = ProjectsTab(self)
        self.add_tab("projects", self.projects_tab, self.tr("项目"))
        self.investors_tab = InvestorsTab(self)
        self.add_tab("investors", self.investors_tab, self.tr("客商"))
        self.targets_tab = TargetsTab(self)
        self.add_tab("targets", self.targets_tab, self.tr("目标任务"))
        self.events_tab = EventsTab(self)
        self.add_tab("events", self.events_tab, self.tr("招商活动"))
        self.tabs.currentChanged.connect(self._update_record_actions)
        self._update_record_actions()

    def _current_tab_call(self, name: str):
        method = getattr(self.tabs.currentWidget(), name, None)
        return method() if callable(method) else None

    def _new_record(self):
        return self._current_tab_call("new_record")

    def _open_record(self):
        return self._current_tab_call("open_selected")

    def _delete_record(self):
        return self._current_tab_call("delete_selected")

    def _update_record_actions(self) -> None:
        widget = self.tabs.currentWidget()
        read_only = self.context.ledger.readonly
        for action, name in (
            (self.new_action, "new_record"),
            (self.open_record_action, "open_selected"),
            (self.delete_action, "delete_selected"),
        ):
            writes = action.objectName() in WRITING_ACTIONS
            action.setEnabled(callable(getattr(widget, name, None)) and not (writes and read_only))

    def is_read_only(self) -> bool:
        return self.context is None or bool(self.context.ledger.readonly)

    def apply_read_only(self) -> None:
        """In a read-only window every action that would change the ledger is disabled
        (and editors open read-only), so nothing is typed in vain."""
        read_only = self.is_read_only()
        stack = self.context.undo_stack
        for action in self.findChildren(QAction):
            name = action.objectName()
            if name not in WRITING_ACTIONS:
                continue
            if read_only:
                action.setEnabled(False)
            elif name == "undoAction":
                action.setEnabled(stack.canUndo())
            elif name == "redoAction":
                action.setEnabled(stack.canRedo())
            elif name not in ("newRecordAction", "deleteRecordAction"):
                action.setEnabled(True)
        for widget in self._tab_keys.values():
            button = getattr(widget, "new_button", None)  # 新建项目 / 新建客商 / 新建招商活动
            if button is not None:
                button.setEnabled(not read_only)
            refresh_hint = getattr(widget, "refresh_empty_hint", None)  # "Ctrl+N …" only where it works
            if callable(refresh_hint):
                refresh_hint()
        self._update_record_actions()

    def refresh(self) -> None:
        """Read everything again (another program may have changed the file)."""
        self.context.data_changed.emit()

    def _about(self) -> None:
        from .. import __version__

        QMessageBox.about(
            self,
            self.tr("关于 zsdesk"),
            self.tr("zsdesk 招商引资台账 %s\n乡镇与县招商局的离线台账。") % __version__,
        )

    # -- title, status, state --------------------------------------------------------

    def ledger_summary(self) -> dict:
        from ..store import settings as keys
        from ..store.units import ledger_counts

        with self.context.read() as session:
            return {
                "county": keys.county_name(session),
                "own_unit": keys.own_unit(session),
                **ledger_counts(session),
            }

    def apply_owner(self, own_unit: str | None = None) -> None:
        """A township's own file shows the township's menus: the bureau's actions
        (:data:`BUREAU_ACTIONS`) are hidden there and shown in the county's file."""
        if own_unit is None:
            own_unit = self.ledger_summary()["own_unit"]
        for action in self.findChildren(QAction):
            if action.objectName() in BUREAU_ACTIONS:
                action.setVisible(not own_unit)

    @stops_lost_connection
    def _refresh_title(self) -> None:
        summary = self.ledger_summary()
        self.apply_owner(summary["own_unit"])  # the file's owner can change (设置 → 本台账属于)
        path = Path(self.context.ledger.path)
        owner = summary["own_unit"] or summary["county"]
        name = self.context.ledger.path if getattr(self.context.ledger, "is_server", False) else path.name
        self.setWindowTitle(self.tr("%s — %s — zsdesk 招商引资台账") % (owner, name))
        self.show_location(name if getattr(self.context.ledger, "is_server", False) else str(path))
        self.status_label.setText(
            self.tr("%s ｜ 单位 %d 个 ｜ 项目 %d 个 ｜ 客商 %d 家")
            % (
                summary["county"] + (f" · {summary['own_unit']}" if summary["own_unit"] else ""),
                summary["units"],
                summary["projects"],
                summary["investors"],
            )
        )

    def _on_ledger_changed(self) -> None:
        self._refresh_title()

    def _restore_geometry(self) -> None:
        settings = app_settings()
        geometry = settings.value("mainWindow/geometry")
        if isinstance(geometry, QByteArray) and not geometry.isEmpty():
            self.restoreGeometry(geometry)
        else:
            available = self.screen().availableGeometry()
            self.resize(min(1440, available.width()), min(900, available.height()))
        state = settings.value("mainWindow/state")
        if isinstance(state, QByteArray) and not state.isEmpty():
            self.restoreState(state)

    def _restore_last_tab(self) -> None:
        settings = app_settings()
        last = settings.value("mainWindow/lastTab")
        if isinstance(last, str) and last in self._tab_keys:
            self.select_tab(last)

    def save_state(self) -> None:
        settings = app_settings()
        settings.setValue("mainWindow/geometry", self.saveGeometry())
        settings.setValue("mainWindow/state", self.saveState())
        key = self.current_tab_key()
        if key:
            settings.setValue("mainWindow/lastTab", key)
        for widget in self._tab_keys.values():
            saver = getattr(widget, "save_state", None)
            if callable(saver):
                saver(settings)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.settle_unsaved_work():
            event.ignore()
            return
        self.close_open_forms()
        self.save_state()
        super().closeEvent(event)
        if event.isAccepted():
            for widget in self._tab_keys.values():
                shutdown = getattr(widget, "shutdown", None)
                if callable(shutdown):
                    shutdown()
            if self.context is not None:
                QTimer.singleShot(0, self.context.close)
            opening = getattr(self, "opening", None)
            if opening is not None:  # closed while a ledger was opening behind it
                opening.abandon()


class _CallableModule(types.ModuleType):
    """``zsdesk.ui.main_window`` is both this module and the function ``main_window(path)``.

    Importing the submodule rebinds the package attribute ``main_window`` to the module,
    hiding the function of the same name; a callable module keeps
    ``zsdesk.ui.main_window(path)`` working whichever of the two the name refers to.
    """

    def __call__(self, path):
        return build_main_window(path)


def build_main_window(path) -> MainWindow:
    """The main window on the ledger at ``path``, for an existing QApplication."""
    from ..store.db import open_ledger
    from .context import AppContext

    context = AppContext(open_ledger(path))
    try:
        return MainWindow(context)
    except BaseException:
        context.close()
        raise


sys.modules[__name__].__class__ = _CallableModule
