"""Two staff editing the same record on the bureau's server (issue 15): the second save
gets one Chinese conflict message naming who changed it and when, the first change is
kept, and the second clerk's form stays open with everything typed (and can be copied)."""

from __future__ import annotations

import datetime as dt
import os
import re
from decimal import Decimal
from types import SimpleNamespace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton
from sqlalchemy import select

from tests.gui.driving import CTRL, activate, open_new, open_row
from zsdesk.cli.main import main
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.investors import investor_data
from zsdesk.store.models import AuditEntry, Investor, Project
from zsdesk.ui.investor_editor import InvestorEditor
from zsdesk.ui.project_editor import ProjectEditor

TODAY = dt.date(2026, 6, 30)
SHOTS = os.environ.get("ZSDESK_SERVER_SCREENSHOTS")


@pytest.fixture
def two_staff(window_on, pg_cluster):
    """李四 (the test cluster's own role) and 王五 (a login role of his own), each with a
    window on one new, empty county ledger on the server, on TODAY."""
    database = pg_cluster.create_database()
    url = pg_cluster.url(database)
    create_ledger(url, "测试县", ["甲镇", "乙乡"]).close()
    wang_wu_url = pg_cluster.login_role("wangwu", database)
    assert main(["server", "staff", url, "--role", "wangwu", "--name", "王五"]) == 0
    assert main(["server", "staff", url, "--role", "zsdesk_test", "--name", "李四"]) == 0
    li_si, wang_wu = window_on(url), window_on(wang_wu_url)
    for window in (li_si, wang_wu):
        window.set_today(TODAY)
        window.show()
    return SimpleNamespace(url=url, li_si=li_si, wang_wu=wang_wu)


def editor_of(window, qtbot, name):
    return open_row(window, qtbot, "projects", ProjectEditor, name)


def colleague_saves_first(qtbot, two_staff, tab_key, editor_class, name, field, value):
    """Both open the record — 王五 after refreshing his window (F5), 李四 from his list —
    and 王五 saves ``field`` changed to ``value`` first. 李四's editor, still open, active."""
    wang_wu = two_staff.wang_wu
    activate(qtbot, wang_wu)
    qtbot.keyClick(wang_wu, Qt.Key.Key_F5)
    theirs = open_row(wang_wu, qtbot, tab_key, editor_class, name)
    mine = open_row(two_staff.li_si, qtbot, tab_key, editor_class, name)
    activate(qtbot, theirs)
    theirs.fields[field].setText(value)
    qtbot.keyClick(theirs, Qt.Key.Key_S, CTRL)
    assert not theirs.isVisible(), theirs.error.text()
    activate(qtbot, mine)
    return mine


def boxes(window) -> list:
    return [w for w in window.findChildren(QMessageBox) if w.isVisible()]


def bundled_font_for_screenshots() -> None:
    if SHOTS:
        from zsdesk.ui.app import register_fonts

        register_fonts(QApplication.instance())  # the bundled Chinese font, as the program starts


def test_two_staff_save_the_same_project_one_conflict_message_first_change_kept(qtbot, two_staff, capsys):
    bundled_font_for_screenshots()
    li_si, wang_wu = two_staff.li_si, two_staff.wang_wu
    capsys.readouterr()
    assert main(["server", "staff", two_staff.url]) == 0
    assert capsys.readouterr().out.splitlines() == ["wangwu\t王五", "zsdesk_test\t李四"]
    assert "项目 0 个" in li_si.status_label.text()

    # 李四 enters the project.
    _tab, editor = open_new(li_si, qtbot, "projects", ProjectEditor)
    editor.fields["name"].setText("云山康养项目")
    editor.fields["unit_id"].setCurrentIndex(editor.fields["unit_id"].findText("甲镇"))
    editor.fields["planned_investment"].setText("6000")
    editor.fields["planned_on"].setText("2026-01-15")
    qtbot.keyClick(editor, Qt.Key.Key_S, CTRL)
    assert not editor.isVisible()

    mine = colleague_saves_first(qtbot, two_staff, "projects", ProjectEditor, "云山康养项目", "planned_investment", "6500")

    # 李四 saves second: refused, one message, his form still open as typed.
    mine.fields["notes"].setPlainText("李四的备注：等规划许可")
    mine.fields["liaison_leader"].setText("赵县长")
    mine.pages.setCurrentIndex(2)
    mine.funds_grid.item(0, 2).setText("120.5")  # March's funds
    mine.funds_year.setValue(2025)  # the grid shows 2025 now; the copy still holds 2026's March
    mine.pages.setCurrentIndex(3)
    qtbot.mouseClick(mine.findChild(QPushButton, "addFollowUp"), Qt.MouseButton.LeftButton)
    mine.set_follow_up(0, date="2026-06-20", who="李四", action="走访企业", done=True)
    mine.pages.setCurrentIndex(0)
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
    lines = copied.splitlines()
    for line in (
        "备注：李四的备注：等规划许可", "联系领导：赵县长", "计划总投资（万元）：6000", "谋划：2026-01-15",
        "【到位资金（万元）】", "2026年3月：120.5", "跟踪服务 1：日期 2026-06-20；跟踪人 李四；跟踪内容 走访企业；已办结 是",
    ):
        assert line in lines, copied
    assert "6500" not in copied  # what he typed, not 王五's saved figure

    # The first change is kept; nothing of the second was written.
    with li_si.context.read() as s:
        project = s.query(Project).one()
        assert (project.planned_investment, project.notes, project.liaison_leader, project.version) == (
            Decimal("6500"), "", "", 2,
        )
        who = [(e.field, e.who) for e in s.query(AuditEntry).filter(AuditEntry.action == "update")]
    assert who == [("planned_investment", "王五")]
    assert li_si.context.undo_stack.count() == 1  # only the creation: the refused save left no step


def test_two_staff_save_the_same_investor_the_second_copies_what_he_typed(qtbot, two_staff):
    """The investor editor after a conflict: the form stays as typed, 复制我填写的内容
    appears, and the clipboard gets every field typed, label by label, contacts and visits
    a line each — not the colleague's saved values."""
    bundled_font_for_screenshots()
    li_si, wang_wu = two_staff.li_si, two_staff.wang_wu
    _tab, editor = open_new(li_si, qtbot, "investors", InvestorEditor)
    editor.fields["name"].setText("浙江云山集团")
    qtbot.keyClick(editor, Qt.Key.Key_S, CTRL)
    assert not editor.isVisible(), editor.error.text()

    mine = colleague_saves_first(qtbot, two_staff, "investors", InvestorEditor, "浙江云山集团", "chamber", "温州商会")

    # 李四 fills in the firm, a contact and a visit, and saves second.
    mine.fields["chamber"].setText("台州商会")
    mine.fields["home_region"].setText("杭州")
    mine.fields["notes"].setPlainText("董事长月底来考察")
    qtbot.mouseClick(mine.fields["film_production"], Qt.MouseButton.LeftButton)
    mine.pages.setCurrentIndex(1)
    qtbot.mouseClick(mine.findChild(QPushButton, "add_contactsTable"), Qt.MouseButton.LeftButton)
    mine.set_contact(0, name="张三", title="总经理", phone="13800000000")
    mine.pages.setCurrentIndex(2)
    qtbot.mouseClick(mine.findChild(QPushButton, "add_visitsTable"), Qt.MouseButton.LeftButton)
    mine.set_visit(0, batches=2, headcount=5, seen="云山康养基地")
    assert not mine.copy_button.isVisible()  # offered only after a refused save
    qtbot.mouseClick(mine.save_button, Qt.MouseButton.LeftButton)
    assert mine.isVisible()
    message = mine.error.text()
    assert re.fullmatch(r"客商“浙江云山集团”已被 王五 于 \d\d:\d\d 修改，您的修改没有保存。请关闭后重新打开再改。", message), message
    assert boxes(li_si) == [] and boxes(wang_wu) == []
    assert mine.fields["chamber"].text() == "台州商会" and mine.contacts.rowCount() == 1
    assert mine.copy_button.isVisible()
    if SHOTS:
        mine.pages.setCurrentIndex(0)
        mine.grab().save(os.path.join(SHOTS, "investor-conflict.png"))

    qtbot.mouseClick(mine.copy_button, Qt.MouseButton.LeftButton)
    lines = QApplication.clipboard().text().splitlines()
    for line in (
        "客商名称：浙江云山集团", "来源地：杭州", "所属商会：台州商会", "影视制作企业：是", "备注：董事长月底来考察",
        "联系人 1：姓名 张三；职务 总经理；电话 13800000000",
        f"考察对接 1：日期 {TODAY.isoformat()}；批次 2；人数 5；考察内容 云山康养基地",
    ):
        assert line in lines, "\n".join(lines)
    assert not any("温州商会" in line or "知名企业" in line for line in lines)  # 王五's save; a box not ticked
    assert mine.error.text() == message + "\n已把您填写的内容复制到剪贴板。"

    with li_si.context.read() as s:
        (investor_id,) = [i for i, in s.execute(select(Investor.id))]
        stored = investor_data(s, investor_id)
    assert (stored.chamber, stored.home_region, stored.notes, stored.contacts, stored.visits, stored.version) == (
        "温州商会", "", "", [], [], 2,
    )


def test_undo_after_a_colleagues_change_is_refused_and_keeps_their_change(qtbot, two_staff):
    """Ctrl+Z writes the old record back: a save too, so it is refused, naming who changed
    the project since, rather than silently undoing a colleague's work."""
    li_si, wang_wu = two_staff.li_si, two_staff.wang_wu

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


def test_two_staff_type_the_same_target_cell_the_second_is_told_and_sees_the_first(qtbot, two_staff):
    from zsdesk.domain.enums import Indicator
    from zsdesk.store.targets import target_grid

    li_si, wang_wu = two_staff.li_si, two_staff.wang_wu
    tabs = {}
    for window in (li_si, wang_wu):  # both show the grid with 乙乡's target empty
        window.set_today(dt.date(2026, 4, 20))
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
