"""文件 → 连接县局服务器…: the same main window on the bureau's PostgreSQL ledger.

The dialog asks for the server (host, port, database, user), can test the connection,
and opens the ledger through :meth:`MainWindow.open_file` with a SQLAlchemy URL, so a
server opens exactly where a file opens. libpq reads passwords from ``~/.pgpass`` /
``PGPASSFILE`` itself (the IT office sets it up once per PC); where it finds none, the
dialog shows a password field (echo off) and the password goes to the connection only
(:func:`zsdesk.store.server.remember_password`, this process's memory): never into the
URL, the settings, the recent-servers list or a log.
"""

from __future__ import annotations

from urllib.parse import quote

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
)

from ..errors import KnownError
from .server_lost import connect_triggered


def _tr(text: str) -> str:
    return QCoreApplication.translate("ext_server", text)


def server_url(host: str, port: int, database: str, user: str) -> str:
    """The SQLAlchemy URL of a server; a host starting with / is a unix-socket folder."""
    host, database, user = host.strip(), database.strip(), user.strip()
    who = quote(user, safe="")
    if host.startswith("/"):
        return f"postgresql+psycopg://{who}@/{quote(database, safe='')}?host={host}&port={int(port)}"
    return f"postgresql+psycopg://{who}@{host}:{int(port)}/{quote(database, safe='')}"


class ServerDialog(QDialog):
    """Host, port, database, user; 测试连接 says in Chinese whether the ledger can be opened."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("serverDialog")
        self.setWindowTitle(_tr("连接县局服务器"))
        self.host = QLineEdit(self)
        self.host.setObjectName("serverHost")
        self.host.setPlaceholderText(_tr("服务器名称或IP地址，例如 192.168.1.10"))
        self.port = QSpinBox(self)
        self.port.setObjectName("serverPort")
        self.port.setRange(1, 65535)
        self.port.setValue(5432)
        self.database = QLineEdit("zsdesk", self)
        self.database.setObjectName("serverDatabase")
        self.user = QLineEdit(self)
        self.user.setObjectName("serverUser")
        self.password = QLineEdit(self)
        self.password.setObjectName("serverPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow(_tr("服务器(&H)："), self.host)
        form.addRow(_tr("端口(&P)："), self.port)
        form.addRow(_tr("数据库(&D)："), self.database)
        form.addRow(_tr("用户名(&U)："), self.user)
        form.addRow(_tr("密码(&W)："), self.password)
        self.password_label = form.labelForField(self.password)
        self._show_password(False)  # asked only when the server wants one and pgpass has none
        self.form = form
        note = QLabel(_tr("密码一般不用填写：由信息科在本机的 pgpass 文件里设置；服务器要求时才在这里输入，不会被保存。"), self)
        note.setWordWrap(True)
        self.status = QLabel("", self)
        self.status.setObjectName("serverStatus")
        self.status.setWordWrap(True)
        buttons = QDialogButtonBox(self)
        self.test_button = QPushButton(_tr("测试连接(&T)"), self)
        self.test_button.setObjectName("serverTest")
        self.test_button.setAutoDefault(False)
        buttons.addButton(self.test_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.connect_button = buttons.addButton(_tr("连接(&C)"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.connect_button.setObjectName("serverConnect")
        self.connect_button.setDefault(True)
        cancel = buttons.addButton(_tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("serverCancel")
        self.test_button.clicked.connect(self.test_connection)
        buttons.accepted.connect(self._accept_if_filled)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(note)
        layout.addWidget(self.status)
        layout.addWidget(buttons)

    def url(self) -> str:
        return server_url(self.host.text(), self.port.value(), self.database.text(), self.user.text())

    def _show_password(self, shown: bool) -> None:
        self.password.setVisible(shown)
        self.password_label.setVisible(shown)

    def asks_password(self) -> bool:
        return not self.password.isHidden()

    def _use_password(self) -> None:
        """The typed password, for this login only, in memory (see the module's note)."""
        from ..store.server import forget_password, remember_password

        if self.asks_password() and self.password.text():
            remember_password(self.url(), self.password.text())
        elif self.asks_password():
            forget_password(self.url())

    def _login(self) -> bool:
        """Log in once; a server that wants a password shows the password field. False
        (and the reason under the form) if the login failed."""
        from ..store.server import PasswordNeeded, ServerLoginFailed, forget_password, login_check

        self._use_password()
        try:
            login_check(self.url())
        except PasswordNeeded:
            self._show_password(True)
            self.password.setFocus()
            self.status.setText(_tr("服务器要求密码：请输入此用户的密码（不会被保存）"))
            return False
        except ServerLoginFailed as exc:
            forget_password(self.url())
            if self.asks_password():
                self.password.clear()
                self.password.setFocus()
            self.status.setText(_tr("连接失败：") + exc.message)
            return False
        return True

    def _missing(self) -> str | None:
        for widget, label in ((self.host, "服务器"), (self.database, "数据库"), (self.user, "用户名")):
            if not widget.text().strip():
                widget.setFocus()
                return _tr(f"请填写{label}")
        return None

    def test_connection(self) -> bool:
        """Open the ledger read-only and close it; the result is shown under the form."""
        missing = self._missing()
        if missing:
            self.status.setText(missing)
            return False
        from ..store.db import open_ledger
        from ..store.settings import county_name

        try:
            if not self._login():
                return False
            ledger = open_ledger(self.url(), readonly=True)
        except KnownError as exc:
            self.status.setText(_tr("连接失败：") + exc.message)
            return False
        try:
            with ledger.read() as session:
                county = county_name(session)
        finally:
            ledger.close()
        self.status.setText(_tr("连接成功：") + (county or _tr("台账")))
        return True

    def _accept_if_filled(self) -> None:
        missing = self._missing()
        if missing:
            self.status.setText(missing)
            return
        try:
            if not self._login():  # a password wanted, or the wrong one: the dialog stays
                return
        except KnownError:
            pass  # anything else is said by the window as it opens the server
        self.accept()


def open_server_dialog(window) -> ServerDialog:
    """Show the dialog (non-modal, so tests drive it); 连接 opens the server in ``window``."""
    dialog = ServerDialog(window)
    window.server_dialog = dialog

    def connect():
        if not window.open_file(dialog.url()):
            dialog.status.setText(_tr("没有打开服务器上的台账（原因见提示）"))

    dialog.accepted.connect(connect)
    dialog.open()
    return dialog


def offer_reconnect(window, exc: KnownError):
    """The one box for a server that went away (a connection lost mid-action, or the server
    down when a tab read): what happened (nothing was written) and 重新连接. A second loss
    while it is open updates the same box; a 重新连接 that finds the server still down says
    so in it and keeps the offer."""
    box = getattr(window, "reconnect_box", None)
    if box is None:
        box = _reconnect_box(window)
    box.setText(exc.message)
    window.last_message_box = box
    if box.answering:  # 重新连接 was clicked and failed: the box closes, then opens again
        box.reopen = True
    elif not box.isVisible():
        box.open()
    return box


def _reconnect_box(window):
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(QMessageBox.Icon.Warning, _tr("与服务器的连接中断"), "", parent=window)
    box.setObjectName("reconnectBox")
    again = box.addButton(_tr("重新连接(&R)"), QMessageBox.ButtonRole.AcceptRole)
    again.setObjectName("reconnectButton")
    later = box.addButton(_tr("稍后"), QMessageBox.ButtonRole.RejectRole)
    later.setObjectName("reconnectLater")
    box.setDefaultButton(again)
    box.reconnect_button = again
    box.answering = box.reopen = False

    def clicked(button):
        if button is not again:
            return
        box.answering = True
        try:
            reconnect(window)
        finally:
            box.answering = False

    def finished(_result):
        # QMessageBox closes on every button, after buttonClicked: a failed 重新连接 asked
        # for the box again (reopen), so it opens again with the new text.
        if box.reopen:
            box.reopen = False
            box.open()

    box.buttonClicked.connect(clicked)
    box.finished.connect(finished)
    window.reconnect_box = box
    return box


def reconnect(window) -> bool:
    """Open the same server again (a typed password is still in memory) and reload every
    tab; open forms stay open with what was typed in them. False (and why) if it fails;
    a server still down keeps the 重新连接 offer."""
    from ..store.db import open_ledger
    from ..store.server import ServerUnreachable, still_unreachable

    old = window.context.ledger
    try:
        new = open_ledger(old.location, readonly=old.readonly)
    except ServerUnreachable:
        offer_reconnect(window, still_unreachable(old.location))
        return False
    except KnownError as exc:
        window.show_error(exc)
        return False
    window.context.set_ledger(new)  # closes the old engine; tabs reload (ledger_changed, data_changed)
    window.statusBar().showMessage(_tr("已重新连接数据库服务器"), 10000)
    return True


class StaffDialog(QDialog):
    """服务器 → 工作人员姓名…: which staff member each database role is, for the audit trail."""

    def __init__(self, window):
        from PySide6.QtWidgets import QAbstractItemView, QTableWidget, QTableWidgetItem

        from ..store.staff import login_roles, staff_names

        super().__init__(window)
        self.setObjectName("staffDialog")
        self.setWindowTitle(_tr("工作人员姓名"))
        self.window_ = window
        with window.context.read() as session:
            self.saved = dict(staff_names(session))
            roles = sorted(set(login_roles(session)) | set(self.saved))
        self.table = QTableWidget(len(roles), 2, self)
        self.table.setObjectName("staffTable")
        self.table.setHorizontalHeaderLabels([_tr("数据库用户名"), _tr("姓名（修改记录里显示）")])
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        for row, role in enumerate(roles):
            item = QTableWidgetItem(role)
            item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
            self.table.setItem(row, 0, item)
            self.table.setItem(row, 1, QTableWidgetItem(self.saved.get(role, "")))
        note = QLabel(
            _tr("每位同事用自己的数据库用户登录；修改记录按这里的姓名记下是谁改的（没有填写的记用户名）。"), self
        )
        note.setWordWrap(True)
        self.status = QLabel("", self)
        self.status.setObjectName("staffStatus")
        self.status.setWordWrap(True)
        from .forms import ok_cancel

        buttons = ok_cancel(self, _tr("保存"), "staffSave")
        buttons.accepted.disconnect()
        buttons.accepted.connect(self.save)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.table)
        layout.addWidget(self.status)
        layout.addWidget(buttons)
        self.resize(520, 360)

    def names(self) -> dict[str, str]:
        return {
            self.table.item(row, 0).text(): (self.table.item(row, 1).text() if self.table.item(row, 1) else "").strip()
            for row in range(self.table.rowCount())
        }

    def save(self) -> bool:
        from ..store.staff import set_staff_name

        changed = {role: name for role, name in self.names().items() if name != self.saved.get(role, "")}

        def action(session):
            for role, name in changed.items():
                set_staff_name(session, role, name)

        try:
            if changed:
                self.window_.context.write(action)
        except KnownError as exc:
            self.status.setText(exc.message)
            return False
        self.accept()
        return True


def open_staff_dialog(window) -> StaffDialog:
    dialog = StaffDialog(window)
    window.staff_dialog = dialog
    dialog.open()
    return dialog


def save_server_snapshot(window, target=None):
    """文件 → 另存副本 on a server: one consistent snapshot into a new ledger file."""
    from pathlib import Path

    from PySide6.QtWidgets import QFileDialog

    from ..store.copying import snapshot_to_file

    if target is None:
        target, _ = QFileDialog.getSaveFileName(
            window, _tr("服务器台账另存为快照文件"), _tr("县局台账-快照.sqlite"), _tr("台账文件 (*.sqlite)")
        )
        if not target:
            return None
    target = Path(target)
    try:
        result = snapshot_to_file(window.context.ledger, target)
    except KnownError as exc:
        window.show_error(exc)
        return None
    window.statusBar().showMessage(_tr("已保存快照：%s（%d 条记录，可作为普通台账文件打开）") % (target, result.total), 10000)
    return target


def install(window) -> None:
    window.offer_reconnect = lambda exc: offer_reconnect(window, exc)
    window.context.connection_lost.connect(window.offer_reconnect)
    action = QAction(_tr("连接县局服务器(&C)…"), window)
    action.setObjectName("connectServerAction")
    action.triggered.connect(lambda: open_server_dialog(window))
    file_menu = window.menu("file")
    anchor = getattr(window, "open_action", None)
    actions = file_menu.actions()
    if anchor is not None and anchor in actions and actions.index(anchor) + 1 < len(actions):
        file_menu.insertAction(actions[actions.index(anchor) + 1], action)
    else:
        file_menu.addAction(action)
    window.connect_server_action = action
    staff = QAction(_tr("工作人员姓名(&U)…"), window)
    staff.setObjectName("staffNamesAction")
    connect_triggered(staff, lambda: open_staff_dialog(window))
    actions = file_menu.actions()
    after = actions.index(action) + 1
    if after < len(actions):
        file_menu.insertAction(actions[after], staff)
    else:
        file_menu.addAction(staff)
    window.staff_names_action = staff

    def server_only():
        on_server = bool(getattr(window.context.ledger, "is_server", False))
        staff.setEnabled(on_server and not window.context.ledger.readonly)
        staff.setToolTip("" if on_server else _tr("只用于县局服务器上的台账；台账文件的修改记录记填报人"))

    window.context.ledger_changed.connect(server_only)
    server_only()
