"""Two staff editing the same project on the bureau's server (issue 15): the second save
gets one Chinese conflict message naming who changed it and when, the first change is
kept, and the second clerk's form stays open with everything typed (and can be copied)."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.gui.driving import CTRL, activate, open_new
from zsdesk.cli.main import main
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.models import AuditEntry, Project
from zsdesk.ui.project_editor import ProjectEditor

TODAY = dt.date(2026, 6, 30)
SHOTS = os.environ.get("ZSDESK_SERVER_SCREENSHOTS")


def editor_of(window, qtbot, name):
    """Select the project's row on the projects tab and press Enter: its editor."""
    tab = window.select_tab("projects")
    activate(qtbot, window)
    model = tab.table.model()
    row = next(r for r in range(model.rowCount()) if model.index(r, 1).data() == name or name in str(
        [model.index(r, c).data() for c in range(model.columnCount())]))
    tab.table.setCurrentIndex(model.index(row, 1))
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    (editor,) = [e for e in window.findChildren(ProjectEditor) if e.isVisible() and e.project_id is not None]
    activate(qtbot, editor)
    return editor


def boxes(window) -> list:
    return [w for w in window.findChildren(QMessageBox) if w.isVisible()]


def test_two_staff_save_the_same_project_one_conflict_message_first_change_kept(qtbot, window_on, pg_cluster, capsys):
    if SHOTS:
        from zsdesk.ui.app import register_fonts

        register_fonts(QApplication.instance())  # the bundled Chinese font, as the program starts
    database = pg_cluster.create_database()
    li_si_url = pg_cluster.url(database)
    create_ledger(li_si_url, "测试县", ["甲镇", "乙乡"]).close()  # an empty county ledger on the server
    wang_wu_url = pg_cluster.login_role("wangwu", database)
    assert main(["server", "staff", li_si_url, "--role", "wangwu", "--name", "王五"]) == 0
    assert main(["server", "staff", li_si_url, "--role", "zsdesk_test", "--name", "李四"]) == 0
    capsys.readouterr()
    assert main(["server", "staff", li_si_url]) == 0
    assert capsys.readouterr().out.splitlines() == ["wangwu\t王五", "zsdesk_test\t李四"]

    li_si = window_on(li_si_url)
    wang_wu = window_on(wang_wu_url)
    for window in (li_si, wang_wu):
        window.set_today(TODAY)
        window.show()
    assert "项目 0 个" in li_si.status_label.text()

    # 李四 enters the project.
    _tab, editor = open_new(li_si, qtbot, "projects", ProjectEditor)
    editor.fields["name"].setText("云山康养项目")
    editor.fields["unit_id"].setCurrentIndex(editor.fields["unit_id"].findText("甲镇"))
    editor.fields["planned_investment"].setText("6000")
    editor.fields["planned_on"].setText("2026-01-15")
    qtbot.keyClick(editor, Qt.Key.Key_S, CTRL)
    assert not editor.isVisible()

    # Both open it: 王五 after refreshing his window (F5), 李四 from his list.
    activate(qtbot, wang_wu)
    qtbot.keyClick(wang_wu, Qt.Key.Key_F5)
    theirs = editor_of(wang_wu, qtbot, "云山康养项目")
    mine = editor_of(li_si, qtbot, "云山康养项目")

    # 王五 saves first.
    activate(qtbot, theirs)
    theirs.fields["planned_investment"].setText("6500")
    qtbot.keyClick(theirs, Qt.Key.Key_S, CTRL)
    assert not theirs.isVisible(), theirs.error.text()

    # 李四 saves second: refused, one message, his form still open as typed.
    activate(qtbot, mine)
    mine.fields["notes"].setPlainText("李四的备注：等规划许可")
    mine.fields["liaison_leader"].setText("赵县长")
    qtbot.mouseClick(mine.save_button, Qt.MouseButton.LeftButton)
    assert mine.isVisible()
    message = mine.error.text()
    assert re.fullmatch(r"项目“云山康养项目”已被 王五 于 \d\d:\d\d 修改，您的修改没有保存。请关闭后重新打开再改。", message), message
    assert mine.error.isVisible()
    assert boxes(li_si) == [] and boxes(wang_wu) == []  # the one message is the editor's own
    assert mine.fields["notes"].toPlainText() == "李四的备注：等规划许可"
    assert mine.fields["liaison_leader"].text() == "赵县长"
    assert mine.copy_button.isVisible()
    if SHOTS:
        mine.grab().save(os.path.join(SHOTS, "server-conflict.png"))

    qtbot.mouseClick(mine.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert "备注：李四的备注：等规划许可" in copied and "联系领导：赵县长" in copied and "计划总投资：6000万元" in copied

    # The first change is kept; nothing of the second was written.
    with li_si.context.read() as s:
        project = s.query(Project).one()
        assert (project.planned_investment, project.notes, project.liaison_leader, project.version) == (
            Decimal("6500"), "", "", 2,
        )
        who = [(e.field, e.who) for e in s.query(AuditEntry).filter(AuditEntry.action == "update")]
    assert who == [("planned_investment", "王五")]
    assert li_si.context.undo_stack.count() == 1  # only the creation: the refused save left no step


def test_undo_after_a_colleagues_change_is_refused_and_keeps_their_change(qtbot, window_on, pg_cluster):
    """Ctrl+Z writes the old record back: a save too, so it is refused, naming who changed
    the project since, rather than silently undoing a colleague's work."""
    database = pg_cluster.create_database()
    li_si_url = pg_cluster.url(database)
    create_ledger(li_si_url, "测试县", ["甲镇", "乙乡"]).close()
    wang_wu_url = pg_cluster.login_role("wangwu", database)
    assert main(["server", "staff", li_si_url, "--role", "wangwu", "--name", "王五"]) == 0
    li_si, wang_wu = window_on(li_si_url), window_on(wang_wu_url)
    for window in (li_si, wang_wu):
        window.set_today(TODAY)
        window.show()

    _tab, editor = open_new(li_si, qtbot, "projects", ProjectEditor)
    editor.fields["name"].setText("云山康养项目")
    editor.fields["unit_id"].setCurrentIndex(editor.fields["unit_id"].findText("甲镇"))
    editor.fields["planned_investment"].setText("6000")
    editor.fields["planned_on"].setText("2026-01-15")
    qtbot.keyClick(editor, Qt.Key.Key_S, CTRL)
    mine = editor_of(li_si, qtbot, "云山康养项目")
    mine.fields["liaison_leader"].setText("赵县长")
    qtbot.keyClick(mine, Qt.Key.Key_S, CTRL)
    assert not mine.isVisible()

    activate(qtbot, wang_wu)
    qtbot.keyClick(wang_wu, Qt.Key.Key_F5)
    theirs = editor_of(wang_wu, qtbot, "云山康养项目")
    theirs.fields["planned_investment"].setText("6500")
    qtbot.keyClick(theirs, Qt.Key.Key_S, CTRL)
    assert not theirs.isVisible()

    activate(qtbot, li_si)
    li_si.select_tab("projects").table.setFocus()
    qtbot.keyClick(li_si, Qt.Key.Key_Z, CTRL)  # 李四 undoes his 联系领导
    box = li_si.last_message_box
    assert box is not None and box.isVisible()
    assert re.fullmatch(r"项目“云山康养项目”已被 王五 于 \d\d:\d\d 修改，您的修改没有保存。这一步不能再撤销或重做。", box.text()), box.text()
    with li_si.context.read() as s:
        project = s.query(Project).one()
        assert (project.planned_investment, project.liaison_leader) == (Decimal("6500"), "赵县长")
    assert li_si.context.undo_stack.index() == 2  # the history did not move


def test_two_staff_type_the_same_target_cell_the_second_is_told_and_sees_the_first(qtbot, window_on, pg_cluster):
    from zsdesk.domain.enums import Indicator
    from zsdesk.store.targets import target_grid

    database = pg_cluster.create_database()
    li_si_url = pg_cluster.url(database)
    create_ledger(li_si_url, "测试县", ["甲镇", "乙乡"]).close()
    wang_wu_url = pg_cluster.login_role("wangwu", database)
    assert main(["server", "staff", li_si_url, "--role", "wangwu", "--name", "王五"]) == 0
    li_si, wang_wu = window_on(li_si_url), window_on(wang_wu_url)
    tabs = {}
    for window in (li_si, wang_wu):  # both show the grid with 乙乡's target empty
        window.set_today(dt.date(2026, 4, 20))
        window.show()
        tab = window.select_tab("targets")
        tab.set_mode("targets")
        tab.year.setCurrentIndex(tab.year.findData(2026))
        tabs[window] = tab

    def type_target(window, text):
        activate(qtbot, window)
        tab = tabs[window]
        tab.table.setFocus()
        tab.table.setCurrentIndex(tab.cell("乙乡", Indicator.DOMESTIC_FUNDS))
        for char in text:  # the first key opens the cell's editor, which takes the rest
            qtbot.keyClick(window.focusWidget(), char)
        qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Return)

    type_target(wang_wu, "120")
    type_target(li_si, "150")
    tab = tabs[li_si]
    qtbot.waitUntil(lambda: tab.table.state() != tab.table.State.EditingState)  # the cell's editor committed
    assert re.fullmatch(
        r"目标任务“乙乡 2026年 引进内资到位资金”已被 王五 于 \d\d:\d\d 修改，您的修改没有保存。表格已刷新，请看过现在的数值后再改。",
        tab.error.text(),
    ), tab.error.text()
    assert tab.cell("乙乡", Indicator.DOMESTIC_FUNDS).data() == "120"  # 李四 now sees 王五's value
    with li_si.context.read() as s:
        unit = next(uid for uid, name in tab.model.units if name == "乙乡")
        assert target_grid(s, 2026)[(unit, Indicator.DOMESTIC_FUNDS)] == Decimal("120")
