"""Dialogs of data safety: opening a locked or damaged file, restoring a backup,
exporting the audit trail, locking months, and a project's change history.

Questions go through :func:`choose` (one place tests answer instead of a person).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain.periods import YearMonth
from ..errors import DamagedLedger, KnownError, LedgerLocked, ReadOnlyLocation
from ..store import audit, backup, locks
from ..store.db import Ledger, open_ledger
from ..store.units import unit_choices, unit_ids
from ..store.settings import county_name


def _tr(text: str) -> str:
    return QCoreApplication.translate("safety_dialogs", text)


# -- questions -----------------------------------------------------------------------------


def choose(parent: QWidget | None, title: str, text: str, options: list[tuple[str, str]], icon=QMessageBox.Icon.Question) -> str | None:
    """Ask with one button per option (key, label); the key chosen, or None if closed.

    Tests replace this function to answer for the clerk.
    """
    box = QMessageBox(icon, title, text, parent=parent)
    box.setObjectName("safetyQuestion")
    buttons = {}
    for key, label in options:
        role = QMessageBox.ButtonRole.RejectRole if key == "cancel" else QMessageBox.ButtonRole.AcceptRole
        buttons[box.addButton(label, role)] = key
    box.exec()
    return buttons.get(box.clickedButton())


def _tell(parent: QWidget | None, exc: KnownError) -> None:
    show_error = getattr(parent, "show_error", None)
    if callable(show_error):
        show_error(exc)  # the main window's non-blocking box (tests read it)
    else:
        box = QMessageBox(QMessageBox.Icon.Warning, _tr("无法打开台账"), exc.message, parent=parent)
        box.setObjectName("errorBox")
        box.exec()


# -- opening a file --------------------------------------------------------------------------


def open_ledger_interactively(parent: QWidget | None, path: str | Path) -> Ledger | None:
    """Open a ledger for writing, asking the clerk what to do when that cannot be done.

    * held by another zsdesk or window (:class:`LedgerLocked`): who and since when; offer
      to open it read-only;
    * a read-only file or folder: offer read-only;
    * damaged (:class:`DamagedLedger`): offer to restore the newest good backup (the
      damaged file is kept in the backups folder), then open the restored file;
    * any other problem: said, and None returned.

    The file already open in ``parent`` (a main window) is returned as it is.
    """
    from ..store.server import is_url

    if is_url(path):  # a database server: no file to restore or open read-only instead
        try:
            return open_ledger(str(path))
        except KnownError as exc:
            _tell(parent, exc)
            return None
    path = Path(path).expanduser().absolute()
    current = getattr(getattr(parent, "context", None), "ledger", None)
    if current is not None and Path(current.path) == path and not current.readonly:
        return current
    try:
        return open_ledger(path)
    except LedgerLocked as exc:
        return _offer_read_only(parent, path, exc, _tr("台账正被使用"))
    except ReadOnlyLocation as exc:
        if not path.is_file():
            _tell(parent, exc)
            return None
        return _offer_read_only(parent, path, exc, _tr("台账不能写入"))
    except DamagedLedger as exc:
        return _offer_restore(parent, path, exc)
    except KnownError as exc:
        _tell(parent, exc)
        return None


def _is_mine(holder) -> bool:
    """Held by this user on this computer (another window of the same clerk)."""
    from ..store.filelock import this_computer, this_user

    return holder.computer == this_computer() and holder.user == this_user()


def _offer_read_only(parent, path: Path, exc: KnownError, title: str) -> Ledger | None:
    holder = getattr(exc, "holder", None)
    if holder is not None and _is_mine(holder):
        # The clerk's own other window, not somebody else: say so, or they go looking.
        title = _tr("台账已在另一个窗口中打开")
        text = _tr("这个台账已在本机的另一个zsdesk窗口中打开（%s，自 %s 起）。\n请切换到那个窗口继续工作；在这里只能以只读方式查看。\n\n%s") % (
            holder.clerk or holder.user,
            f"{holder.since:%Y-%m-%d %H:%M}",
            path,
        )
    elif holder is not None:
        who = f"{holder.clerk}（{_tr('系统用户')} {holder.user}）" if holder.clerk else holder.user
        text = _tr("这个台账正由别人打开，可能正在修改：\n\n    %s\n    %s：%s\n    %s %s\n\n%s") % (
            who,
            _tr("电脑"),
            holder.computer,
            _tr("打开于"),
            f"{holder.since:%Y-%m-%d %H:%M}",
            path,
        )
    elif isinstance(exc, LedgerLocked):
        text = _tr("这个台账正被另一个zsdesk打开：\n%s") % path
    else:
        text = exc.message
    answer = choose(
        parent,
        title,
        text + "\n\n" + _tr("以只读方式打开可以查看、打印和导出，但不能修改。"),
        [("readonly", _tr("只读打开")), ("cancel", _tr("取消"))],
        QMessageBox.Icon.Warning,
    )
    if answer != "readonly":
        return None
    try:
        return open_ledger(path, readonly=True)
    except KnownError as error:
        _tell(parent, error)
        return None


def _offer_restore(parent, path: Path, exc: DamagedLedger) -> Ledger | None:
    good = getattr(exc, "backup", None)
    if good is None:
        _tell(parent, exc)
        return None
    text = _tr("台账文件已损坏，无法打开：\n%s\n\n最近一份完好的备份：\n%s\n（%s）\n\n恢复后，损坏的文件原样保存在备份文件夹中。") % (
        path,
        good.path.name,
        good.describe(),
    )
    answer = choose(
        parent,
        _tr("台账文件已损坏"),
        text,
        [("restore", _tr("用此备份恢复")), ("cancel", _tr("取消"))],
        QMessageBox.Icon.Critical,
    )
    if answer != "restore":
        return None
    try:
        backup.restore_backup(path, good.path)
        return open_ledger(path)
    except KnownError as error:
        _tell(parent, error)
        return None


# -- a small table helper -----------------------------------------------------------------


def _table(parent: QWidget, name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _fill(table: QTableWidget, rows: list[list[str]]) -> None:
    table.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.resizeColumnsToContents()


# -- restore ---------------------------------------------------------------------------------


class RestoreDialog(QDialog):
    """File → 从备份恢复: the copies with their dates and contents; restore one."""

    HEADERS = ["时间", "原因", "项目数", "资金最新月份", "文件"]

    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("restoreDialog")
        self.window_ = window
        self.setWindowTitle(self.tr("从备份恢复"))
        self.copies: list[backup.BackupInfo] = []
        ledger_path = Path(window.context.ledger.path)
        intro = QLabel(
            self.tr("备份保存在：%s\n恢复前，当前台账会先另存为一份备份，不会丢失。") % backup.backup_folder(ledger_path),
            self,
        )
        intro.setWordWrap(True)
        self.table = _table(self, "backupsTable", [self.tr(h) for h in self.HEADERS])
        self.table.itemSelectionChanged.connect(self._update_buttons)
        self.table.doubleClicked.connect(lambda _index: self.restore_selected())
        self.restore_button = QPushButton(self.tr("恢复所选备份…"), self)
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.clicked.connect(self.restore_selected)
        self.backup_button = QPushButton(self.tr("立即备份"), self)
        self.backup_button.setObjectName("backupNowButton")
        self.backup_button.clicked.connect(self.backup_now)
        close = QPushButton(self.tr("关闭"), self)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.backup_button)
        buttons.addStretch(1)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.table)
        layout.addLayout(buttons)
        self.resize(820, 420)
        self.reload()

    def reload(self) -> None:
        self.copies = backup.list_backups(self.window_.context.ledger.path)
        rows = []
        for copy in self.copies:
            rows.append(
                [
                    f"{copy.taken_at:%Y-%m-%d %H:%M:%S}",
                    copy.reason_label,
                    self.tr("无法读取") if copy.projects is None else str(copy.projects),
                    copy.latest_month.chinese if copy.latest_month else "",
                    copy.path.name,
                ]
            )
        _fill(self.table, rows)
        if rows:
            self.table.selectRow(0)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.restore_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    def selected(self) -> backup.BackupInfo | None:
        rows = self.table.selectionModel().selectedRows()
        return self.copies[rows[0].row()] if rows else None

    def backup_now(self) -> None:
        try:
            target = backup.take_backup(self.window_.context.ledger.path, "manual")
        except KnownError as exc:
            self.window_.show_error(exc)
            return
        self.reload()
        self.window_.statusBar().showMessage(self.tr("已备份：%s") % target, 5000)

    def restore_selected(self) -> bool:
        copy = self.selected()
        if copy is None:
            return False
        question = self.tr("用 %s 的备份（%s）替换当前台账的内容吗？\n当前内容会先另存为一份备份。") % (
            f"{copy.taken_at:%Y-%m-%d %H:%M}",
            copy.describe(),
        )
        if choose(self, self.tr("从备份恢复"), question, [("restore", self.tr("恢复")), ("cancel", self.tr("取消"))]) != "restore":
            return False
        if restore_into_window(self.window_, copy.path):
            self.accept()
            return True
        self.reload()
        return False


def restore_into_window(window, source: Path) -> bool:
    """Close the window's ledger, restore ``source`` into it, open it again."""
    context = window.context
    path = Path(context.ledger.path)
    was_readonly = context.ledger.readonly
    context.ledger.close()
    error = None
    try:
        saved = backup.restore_backup(path, source)
    except KnownError as exc:
        error, saved = exc, None
    try:
        ledger = open_ledger(path, readonly=was_readonly)
    except KnownError as exc:
        window.show_error(exc)
        ledger = open_ledger(path, readonly=True)
    context.set_ledger(ledger)
    if error is not None:
        window.show_error(error)
        return False
    message = _tr("已从备份恢复：%s") % source.name
    if saved is not None:
        message += _tr("；恢复前的台账另存为 %s") % saved.name
    window.statusBar().showMessage(message, 10000)
    return True


# -- audit export ------------------------------------------------------------------------------


class AuditExportDialog(QDialog):
    """File → 导出修改记录: a period, then a workbook."""

    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("auditExportDialog")
        self.window_ = window
        self.setWindowTitle(self.tr("导出修改记录"))
        today = QDate.currentDate()
        self.start = QDateEdit(today.addMonths(-1), self)
        self.start.setObjectName("auditStart")
        self.end = QDateEdit(today, self)
        self.end.setObjectName("auditEnd")
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        form = QFormLayout()
        form.addRow(self.tr("从"), self.start)
        form.addRow(self.tr("到"), self.end)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("导出…"))
        buttons.accepted.connect(self.export)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def export(self, target: str | Path | None = None) -> int | None:
        start = self.start.date().toPython()
        end = self.end.date().toPython()
        if target is None:
            suggestion = str(Path(self.window_.context.ledger.path).with_name(f"修改记录-{start:%Y%m%d}-{end:%Y%m%d}.xlsx"))
            target, _ = QFileDialog.getSaveFileName(self, self.tr("导出修改记录"), suggestion, self.tr("Excel 工作簿 (*.xlsx)"))
            if not target:
                return None
        try:
            with self.window_.context.read() as session:
                count = audit.export_audit(session, start, end, target, county=county_name(session))
        except KnownError as exc:
            self.window_.show_error(exc)
            return None
        self.window_.statusBar().showMessage(self.tr("已导出 %d 条修改记录：%s") % (count, target), 8000)
        self.accept()
        return count


# -- month locks ------------------------------------------------------------------------------------


class MonthLocksDialog(QDialog):
    """Edit → 锁定月份: lock a unit's month (or every unit's), unlock with a reason; the history."""

    def __init__(self, window, period: YearMonth | None = None):
        super().__init__(window)
        self.setObjectName("monthLocksDialog")
        self.window_ = window
        self.setWindowTitle(self.tr("锁定月份"))
        today = window.today() if hasattr(window, "today") else dt.date.today()
        period = period or YearMonth.of(today).previous()  # the month whose return just went out
        self.unit = QComboBox(self)
        self.unit.setObjectName("lockUnit")
        self.unit.addItem(self.tr("全部单位"), None)
        with window.context.read() as session:
            for unit_id, name in unit_choices(session):
                self.unit.addItem(name, unit_id)
        self.year = QSpinBox(self)
        self.year.setObjectName("lockYear")
        self.year.setRange(2000, 2100)
        self.year.setValue(period.year)
        self.month = QSpinBox(self)
        self.month.setObjectName("lockMonth")
        self.month.setRange(1, 12)
        self.month.setValue(period.month)
        self.month.setSuffix(self.tr(" 月"))
        self.reason = QLineEdit(self)
        self.reason.setObjectName("lockReason")
        self.reason.setPlaceholderText(self.tr("解锁必须说明原因；锁定可不填"))
        when = QHBoxLayout()
        when.addWidget(self.year)
        when.addWidget(self.month)
        when.addStretch(1)
        form = QFormLayout()
        form.addRow(self.tr("单位"), self.unit)
        form.addRow(self.tr("月份"), when)
        form.addRow(self.tr("原因"), self.reason)
        self.lock_button = QPushButton(self.tr("锁定"), self)
        self.lock_button.setObjectName("lockButton")
        self.lock_button.clicked.connect(self.lock)
        self.unlock_button = QPushButton(self.tr("解锁…"), self)
        self.unlock_button.setObjectName("unlockButton")
        self.unlock_button.clicked.connect(self.unlock)
        self.message = QLabel(self)
        self.message.setObjectName("lockMessage")
        self.message.setWordWrap(True)
        self.locked_table = _table(self, "lockedMonthsTable", [self.tr(h) for h in ("单位", "月份", "锁定时间", "锁定人")])
        self.events_table = _table(self, "lockEventsTable", [self.tr(h) for h in ("时间", "操作", "单位", "月份", "人员", "原因")])
        buttons = QHBoxLayout()
        buttons.addWidget(self.lock_button)
        buttons.addWidget(self.unlock_button)
        buttons.addStretch(1)
        close = QPushButton(self.tr("关闭"), self)
        close.clicked.connect(self.accept)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        if getattr(window.context.ledger, "is_server", False):
            note = QLabel(
                self.tr("这是县局服务器上的台账：锁定和解锁对所有连接它的同事立即生效，并记下操作人的姓名。"),
                self,
            )
            note.setObjectName("serverLockNote")
            note.setWordWrap(True)
            layout.addWidget(note)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.message)
        layout.addWidget(QLabel(self.tr("已锁定的月份"), self))
        layout.addWidget(self.locked_table)
        layout.addWidget(QLabel(self.tr("锁定与解锁记录"), self))
        layout.addWidget(self.events_table)
        self.resize(720, 560)
        self.reload()

    def period(self) -> YearMonth:
        return YearMonth(self.year.value(), self.month.value())

    def _units(self, session) -> list[int]:
        unit_id = self.unit.currentData()
        if unit_id is not None:
            return [unit_id]
        return unit_ids(session)

    def _write(self, action, done: str) -> bool:
        try:
            self.window_.context.write(action)
        except KnownError as exc:
            self.message.setText(exc.message)
            self.message.setStyleSheet("color: #b00020;")
            return False
        self.message.setText(done)
        self.message.setStyleSheet("")
        self.reload()
        return True

    def lock(self) -> bool:
        period, reason = self.period(), self.reason.text()

        def action(session):
            for unit_id in self._units(session):
                locks.lock_month(session, unit_id, period, reason=reason)

        return self._write(action, self.tr("已锁定%s：%s") % (period.chinese, self.unit.currentText()))

    def unlock(self) -> bool:
        period, reason = self.period(), self.reason.text()

        def action(session):
            for unit_id in self._units(session):
                if locks.is_locked(session, unit_id, period) or self.unit.currentData() is not None:
                    locks.unlock_month(session, unit_id, period, reason)

        return self._write(action, self.tr("已解锁%s：%s") % (period.chinese, self.unit.currentText()))

    def reload(self) -> None:
        with self.window_.context.read() as session:
            names = dict(unit_choices(session))
            locked = [
                [names.get(m.unit_id, ""), f"{m.year}-{m.month:02d}", f"{m.locked_at:%Y-%m-%d %H:%M}", m.locked_by]
                for m in locks.locked_months(session)
            ]
            events = [
                [
                    f"{e.at:%Y-%m-%d %H:%M}",
                    self.tr("锁定") if e.action == locks.LOCK else self.tr("解锁"),
                    names.get(e.unit_id, ""),
                    f"{e.year}-{e.month:02d}",
                    e.by,
                    e.reason,
                ]
                for e in reversed(locks.lock_events(session))
            ]
        _fill(self.locked_table, locked)
        _fill(self.events_table, events)


# -- a project's history (a page of the project editor) ----------------------------------------


class HistoryPage(QWidget):
    """修改记录: every change of the project and its funds and follow-ups, newest first."""

    HEADERS = ["时间", "修改人", "操作", "类别", "记录", "字段", "原值", "新值"]

    def __init__(self, editor):
        super().__init__(editor)
        self.setObjectName("historyPage")
        self.editor = editor
        self.table = _table(self, "historyTable", [self.tr(h) for h in self.HEADERS])
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.empty = QLabel(self.tr("保存后这里显示修改记录。"), self)
        self.empty.setObjectName("historyEmpty")
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty)
        layout.addWidget(self.table)
        saved = getattr(editor, "saved", None)
        if saved is not None:
            saved.connect(lambda _project_id: self.reload())
        self.reload()

    def reload(self) -> None:
        project_id = getattr(self.editor, "project_id", None)
        rows: list[list[str]] = []
        if project_id is not None:
            with self.editor.context.read() as session:
                entries = audit.history(session, "projects", project_id)
                rows = audit.entry_rows(session, list(reversed(entries)))
        _fill(self.table, rows)
        for column, width in ((4, 220), (6, 160), (7, 160)):
            if self.table.columnWidth(column) > width:
                self.table.setColumnWidth(column, width)
        self.empty.setVisible(project_id is None)
        self.table.setVisible(project_id is not None)


def history_page(editor) -> tuple[QWidget, str]:
    """For :data:`zsdesk.ui.project_editor.EDITOR_PAGES`."""
    return HistoryPage(editor), _tr("修改记录")
