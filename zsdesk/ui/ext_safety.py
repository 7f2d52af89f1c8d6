"""Plugs data safety into the main window: restore from a backup, export the audit trail,
lock and unlock months, a 修改记录 page in the project editor, and the read-only mark."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction

from .server_lost import connect_triggered

READ_ONLY_MARK = "（只读）"


def _tr(text: str) -> str:
    return QCoreApplication.translate("ext_safety", text)


def install(window) -> None:
    from .project_editor import EDITOR_PAGES
    from .safety_dialogs import history_page

    if history_page not in EDITOR_PAGES:
        EDITOR_PAGES.append(history_page)

    restore = _action(window, _tr("从备份恢复(&B)…"), "restoreBackupAction", lambda: open_restore(window))
    export = _action(window, _tr("导出修改记录(&G)…"), "exportAuditAction", lambda: open_audit_export(window))
    file_menu = window.menu("file")
    before = getattr(window, "quit_action", None)
    if before is not None and before in file_menu.actions():
        file_menu.insertAction(before, restore)
        file_menu.insertAction(before, export)
        file_menu.insertSeparator(before)
    else:
        file_menu.addAction(restore)
        file_menu.addAction(export)
    locks = _action(window, _tr("锁定/解锁月份(&M)…"), "monthLocksAction", lambda: open_month_locks(window))
    window.menu("tools").addAction(locks)
    window.safety_actions = {"restore": restore, "export_audit": export, "month_locks": locks}

    window._safety_told = set()
    window.context.ledger_changed.connect(lambda: mark_ledger(window))
    window.context.data_changed.connect(lambda: mark_ledger(window))
    mark_ledger(window)


def _action(window, text: str, name: str, slot) -> QAction:
    action = QAction(text, window)
    action.setObjectName(name)
    connect_triggered(action, slot)
    return action


def mark_ledger(window) -> None:
    """A read-only ledger says so in the title; what the opener noticed goes to the status bar."""
    ledger = window.context.ledger
    title = window.windowTitle()
    if ledger.readonly and READ_ONLY_MARK not in title:
        window.setWindowTitle(_tr(READ_ONLY_MARK) + title)
    for warning in getattr(ledger, "warnings", []):
        key = (id(ledger), warning)
        if key not in window._safety_told:
            window._safety_told.add(key)
            window.statusBar().showMessage(warning, 20000)


SERVER_BACKUPS = (
    "服务器上的台账没有本机的自动备份，也不能在这里从备份恢复：\n"
    "• 整库备份与恢复由县局信息科在服务器上做：pg_dump -Fc zsdesk > zsdesk.dump，恢复用 pg_restore；\n"
    "• 本局自留一份快照：文件 → 另存副本…，或运行 zsdesk backup --db 服务器地址 --out 快照.sqlite，"
    "得到的是普通台账文件，可以打开查看，也可以用 zsdesk copy 再复制回服务器。"
)


def open_restore(window):
    from .safety_dialogs import RestoreDialog

    if getattr(window.context.ledger, "is_server", False):
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(QMessageBox.Icon.Information, _tr("服务器上的台账"), _tr(SERVER_BACKUPS), parent=window)
        box.setObjectName("serverBackupNote")
        box.open()
        window.last_message_box = box
        return box

    dialog = RestoreDialog(window)
    dialog.open()
    return dialog


def open_audit_export(window):
    from .safety_dialogs import AuditExportDialog

    dialog = AuditExportDialog(window)
    dialog.open()
    return dialog


def open_month_locks(window):
    from .safety_dialogs import MonthLocksDialog

    dialog = MonthLocksDialog(window)
    dialog.open()
    return dialog
