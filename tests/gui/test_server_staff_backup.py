"""On the bureau's server (issue 15 items 2 and 6): the staff-names dialog names who is
behind each database role in the audit trail, and the restore, copy and lock features
say what applies on a server instead of acting on a file."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

from PySide6.QtCore import Qt
from sqlalchemy import select

from zsdesk.domain.enums import Stage
from zsdesk.domain.records import ProjectData
from zsdesk.store import projects as proj
from zsdesk.store.db import open_ledger
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.models import AuditEntry, Project, Unit
from zsdesk.store.staff import staff_names
from zsdesk.ui.safety_dialogs import MonthLocksDialog, RestoreDialog

TODAY = dt.date(2026, 6, 30)
SHOTS = os.environ.get("ZSDESK_SERVER_SCREENSHOTS")


def server_window(window_on, pg_cluster):
    if SHOTS:
        from PySide6.QtWidgets import QApplication

        from zsdesk.ui.app import register_fonts

        register_fonts(QApplication.instance())
    database = pg_cluster.create_database()
    url = pg_cluster.url(database)
    create_ledger(url, "测试县", ["甲镇", "乙乡"]).close()
    window = window_on(url)
    window.show()
    return window, database, url


def test_the_bureau_names_each_database_role_and_the_trail_uses_the_name(qtbot, window_on, pg_cluster):
    window, database, url = server_window(window_on, pg_cluster)
    zhao_liu_url = pg_cluster.login_role("zhaoliu", database)
    assert window.staff_names_action.isEnabled()
    window.staff_names_action.trigger()
    dialog = window.staff_dialog
    qtbot.waitExposed(dialog)
    roles = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert "zhaoliu" in roles and "zsdesk_test" in roles
    row = roles.index("zhaoliu")
    dialog.table.item(row, 1).setText("赵六")
    if SHOTS:
        dialog.grab().save(os.path.join(SHOTS, "server-staff.png"))
    qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    with window.context.read() as s:
        assert ("zhaoliu", "赵六") in staff_names(s)

    zhao_liu = open_ledger(zhao_liu_url)  # 赵六's own program, on his own role
    try:
        with zhao_liu.begin() as s:
            unit = s.scalar(select(Unit.id).where(Unit.name == "甲镇"))
            data = ProjectData(name="云山康养项目", unit_id=unit, planned_investment=Decimal("100"), dates={Stage.PLANNED: TODAY})
            proj.save_project(s, None, data, TODAY)
    finally:
        zhao_liu.close()
    with window.context.read() as s:
        assert {e.who for e in s.scalars(select(AuditEntry).where(AuditEntry.table_name == "projects"))} == {"赵六"}


def test_a_name_changed_in_the_staff_dialog_is_one_entry_of_the_trail_with_old_new_and_who(qtbot, window_on, pg_cluster):
    from zsdesk.store import audit
    from zsdesk.store.staff import set_staff_name

    window, database, url = server_window(window_on, pg_cluster)
    pg_cluster.login_role("wangwu", database)
    with window.context.ledger.begin() as s:  # the bureau's own login already has a name
        set_staff_name(s, "zsdesk_test", "张三")
        set_staff_name(s, "wangwu", "王五")

    def rename(role, name):
        window.staff_names_action.trigger()
        dialog = window.staff_dialog
        qtbot.waitExposed(dialog)
        roles = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
        dialog.table.item(roles.index(role), 1).setText(name)
        qtbot.mouseClick(dialog.save_button, Qt.MouseButton.LeftButton)
        assert not dialog.isVisible(), dialog.status.text()

    def entries():
        with window.context.read() as s:
            found = list(s.scalars(select(AuditEntry).where(AuditEntry.table_name == "staff_names").order_by(AuditEntry.id)))
            return [row[1:] for row in audit.entry_rows(s, found[2:])]  # after the two names set above

    rename("wangwu", "王小五")
    assert entries() == [["张三", "修改", "工作人员姓名", "数据库用户 wangwu", "姓名", "王五", "王小五"]]
    rename("zsdesk_test", "张珊")  # one's own name: the entry names who changed it as they were
    assert entries()[1:] == [["张三", "修改", "工作人员姓名", "数据库用户 zsdesk_test", "姓名", "张三", "张珊"]]
    rename("wangwu", "王小五")  # saved unchanged: nothing recorded
    assert len(entries()) == 2


def test_on_a_file_the_staff_names_are_not_offered(empty_window):
    assert not empty_window.staff_names_action.isEnabled()
    assert "填报人" in empty_window.staff_names_action.toolTip()


def test_restore_copy_and_locks_say_what_applies_on_a_server(qtbot, window_on, pg_cluster, tmp_path):
    window, database, url = server_window(window_on, pg_cluster)
    with window.context.ledger.begin() as s:
        unit = s.scalar(select(Unit.id).where(Unit.name == "甲镇"))
        proj.save_project(s, None, ProjectData(name="云山康养项目", unit_id=unit, planned_investment=Decimal("100"), dates={Stage.PLANNED: TODAY}), TODAY)

    window.safety_actions["restore"].trigger()
    box = window.last_message_box
    assert box.objectName() == "serverBackupNote" and box.isVisible()
    assert "pg_dump -Fc zsdesk > zsdesk.dump" in box.text() and "zsdesk backup --db" in box.text()
    if SHOTS:
        box.grab().save(os.path.join(SHOTS, "server-restore-note.png"))
    assert [d for d in window.findChildren(RestoreDialog) if d.isVisible()] == []
    box.close()

    snapshot = tmp_path / "快照.sqlite"
    assert window.save_copy_as(snapshot) == snapshot
    assert "已保存快照" in window.statusBar().currentMessage()
    with open_ledger(snapshot, readonly=True) as copy, copy.read() as s:
        assert s.scalar(select(Project.name)) == "云山康养项目"
    assert window.save_copy_as(snapshot) is None  # never overwritten
    assert "文件已存在，不会覆盖" in window.last_message_box.text()

    window.safety_actions["month_locks"].trigger()
    (dialog,) = [d for d in window.findChildren(MonthLocksDialog) if d.isVisible()]
    from PySide6.QtWidgets import QLabel

    note = dialog.findChild(QLabel, "serverLockNote")
    assert note is not None and "所有连接它的同事立即生效" in note.text()


def test_on_a_file_the_locks_dialog_has_no_server_note(empty_window):
    from PySide6.QtWidgets import QLabel

    empty_window.safety_actions["month_locks"].trigger()
    (dialog,) = [d for d in empty_window.findChildren(MonthLocksDialog) if d.isVisible()]
    assert dialog.findChild(QLabel, "serverLockNote") is None
