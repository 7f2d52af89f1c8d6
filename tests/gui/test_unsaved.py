"""Nothing discarded without a question (issue 13, item 2).

Every editor knows when it holds unsaved changes; Esc, ✕, 取消, closing the main window
and opening another file ask 保存 / 不保存 / 取消; Esc on an open drop-down closes only it.
From an empty ledger, with keys and clicks.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import func, select

from driving import CTRL, activate, focused, open_new, press, type_into, type_keys
from zsdesk.domain.enums import Indicator
from zsdesk.store import settings as keys
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.models import Contact, Event, Investor, Project
from zsdesk.store.targets import target_grid
from zsdesk.ui import forms
from zsdesk.ui.events_tab import EventEditor
from zsdesk.ui.investor_editor import InvestorEditor
from zsdesk.ui.project_editor import ProjectEditor

TODAY = dt.date(2026, 4, 20)


@pytest.fixture
def window(empty_window, qtbot):
    empty_window.set_today(TODAY)
    activate(qtbot, empty_window)
    return empty_window


def count(window, model) -> int:
    with window.context.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_esc_with_no_changes_closes_without_a_question(window, qtbot, unsaved_answers):
    _tab, editor = open_new(window, qtbot, "projects", ProjectEditor)
    press(qtbot, Qt.Key.Key_Escape)
    assert not editor.isVisible()
    assert unsaved_answers.asked == []


def test_esc_with_a_typed_name_asks_and_cancel_keeps_the_work(window, qtbot, unsaved_answers):
    _tab, editor = open_new(window, qtbot, "projects", ProjectEditor)
    editor.fields["name"].setText("尚湖康养小镇")
    type_into(qtbot, editor.fields["planned_investment"], "6000")
    unsaved_answers.answers[:] = [forms.CANCEL]
    press(qtbot, Qt.Key.Key_Escape)
    assert unsaved_answers.asked == ["新建项目"]
    assert editor.isVisible()
    assert editor.fields["name"].text() == "尚湖康养小镇"
    assert editor.fields["planned_investment"].text() == "6000"

    unsaved_answers.answers[:] = [forms.DISCARD]
    qtbot.mouseClick(editor.cancel_button, Qt.MouseButton.LeftButton)  # 取消 asks too
    assert len(unsaved_answers.asked) == 2
    assert not editor.isVisible()
    assert count(window, Project) == 0


def test_the_close_button_with_a_contact_typed_asks_and_saves(window, qtbot, unsaved_answers):
    _tab, editor = open_new(window, qtbot, "investors", InvestorEditor)
    editor.fields["name"].setText("浙江银来集团")
    editor.pages.setCurrentIndex(1)
    qtbot.mouseClick(editor.findChild(type(editor.save_button), "add_contactsTable"), Qt.MouseButton.LeftButton)
    editor.set_contact(0, name="王经理", phone="13800000000")
    unsaved_answers.answers[:] = [forms.SAVE]
    editor.close()  # the window's ✕
    assert unsaved_answers.asked == ["新建客商"]
    assert not editor.isVisible()
    assert count(window, Investor) == 1
    assert count(window, Contact) == 1
    assert window.investors_tab.count_label.text() == "显示 1 / 1 个客商"


def test_a_save_refused_keeps_the_editor_open_with_the_error(window, qtbot, unsaved_answers):
    _tab, editor = open_new(window, qtbot, "events", EventEditor)
    type_into(qtbot, editor.fields["firms"], "12")  # but no name
    unsaved_answers.answers[:] = [forms.SAVE]
    press(qtbot, Qt.Key.Key_Escape)
    assert editor.isVisible()
    assert "活动名称" in editor.error.text()
    assert count(window, Event) == 0


def test_esc_on_an_open_drop_down_closes_only_the_drop_down(window, qtbot, unsaved_answers):
    _tab, editor = open_new(window, qtbot, "projects", ProjectEditor)
    editor.fields["name"].setText("尚湖康养小镇")
    combo = editor.fields["industry"]
    combo.setFocus()
    qtbot.keyClick(combo, Qt.Key.Key_Down, Qt.KeyboardModifier.AltModifier)  # opens the list
    qtbot.waitUntil(lambda: combo.view().isVisible())
    press(qtbot, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not combo.view().isVisible())
    assert editor.isVisible()
    assert unsaved_answers.asked == []
    assert editor.fields["name"].text() == "尚湖康养小镇"


def test_closing_the_main_window_asks_for_an_open_editor(window, qtbot, unsaved_answers):
    _tab, editor = open_new(window, qtbot, "projects", ProjectEditor)
    editor.fields["name"].setText("尚湖康养小镇")
    editor.fields["unit_id"].setCurrentIndex(editor.fields["unit_id"].findText("甲镇"))
    type_into(qtbot, editor.fields["planned_investment"], "6000")
    type_into(qtbot, editor.fields["planned_on"], "2026-03-02")
    unsaved_answers.answers[:] = [forms.CANCEL]
    assert not window.close()
    assert window.isVisible() and editor.isVisible()
    unsaved_answers.answers[:] = [forms.SAVE]
    assert window.close()
    assert unsaved_answers.asked == ["新建项目", "新建项目"]
    with window.context.read() as session:
        assert session.scalars(select(Project.name)).all() == ["尚湖康养小镇"]


def test_opening_another_file_asks_and_cancel_stays(window, qtbot, unsaved_answers, tmp_path):
    other = tmp_path / "other.sqlite"
    create_ledger(other, "另一县", ["戊镇"]).close()
    _tab, editor = open_new(window, qtbot, "events", EventEditor)
    editor.fields["name"].setText("推介会")
    unsaved_answers.answers[:] = [forms.CANCEL]
    assert not window.open_file(other)
    assert window.context.ledger.path.name == "ledger.sqlite"
    assert editor.isVisible()
    unsaved_answers.answers[:] = [forms.DISCARD]
    assert window.open_file(other)
    assert not editor.isVisible(), "an editor of the old file does not stay open on the new one"
    assert window.context.ledger.path.name == "other.sqlite"


def test_settings_dialog_asks_on_esc(window, qtbot, unsaved_answers):
    dialog = window._ledger_settings()
    activate(qtbot, dialog)
    dialog.fields[keys.CLERK_NAME].setText("李娜")
    unsaved_answers.answers[:] = [forms.SAVE]
    press(qtbot, Qt.Key.Key_Escape)
    assert unsaved_answers.asked == ["台账设置"]
    assert not dialog.isVisible()
    with window.context.read() as session:
        assert keys.get_setting(session, keys.CLERK_NAME) == "李娜"


def test_a_target_being_typed_is_asked_about_when_the_window_closes(window, qtbot, unsaved_answers):
    tab = window.select_tab("targets")
    tab.set_mode("targets")
    table = tab.table
    table.setFocus()
    table.setCurrentIndex(tab.cell("甲镇", Indicator.DOMESTIC_FUNDS))
    type_keys(qtbot, "250")
    assert tab.has_unsaved_changes()
    unsaved_answers.answers[:] = [forms.SAVE]
    assert window.close()
    assert unsaved_answers.asked == ["目标任务：甲镇 · " + Indicator.DOMESTIC_FUNDS.short_label]
    with window.context.read() as session:
        grid = target_grid(session, 2026)
    assert Decimal("250") in grid.values()


def test_the_real_question_is_in_chinese_and_its_escape_is_cancel(window, qtbot, unsaved_answers):
    _tab, editor = open_new(window, qtbot, "events", EventEditor)
    editor.fields["name"].setText("推介会")
    seen = {}

    def answer():
        box = QApplication.activeModalWidget()
        assert isinstance(box, QMessageBox)
        seen["buttons"] = sorted(b.text() for b in box.buttons())
        seen["text"] = box.text()
        qtbot.keyClick(box, Qt.Key.Key_Escape)

    QTimer.singleShot(50, answer)
    assert unsaved_answers.real(editor, editor.unsaved_title()) == forms.CANCEL
    assert seen["buttons"] == sorted(["保存", "不保存", "取消"])
    assert "新建招商活动" in seen["text"] and "尚未保存" in seen["text"]


def test_esc_in_a_typed_target_cell_asks(window, qtbot, unsaved_answers):
    tab = window.select_tab("targets")
    tab.set_mode("targets")
    table = tab.table
    table.setFocus()
    table.setCurrentIndex(tab.cell("乙乡", Indicator.SIGNED_PROJECTS))
    type_keys(qtbot, "12")
    unsaved_answers.answers[:] = [forms.CANCEL]
    press(qtbot, Qt.Key.Key_Escape)
    assert tab.has_unsaved_changes() and focused().text() == "12"  # still typing
    unsaved_answers.answers[:] = [forms.DISCARD]
    press(qtbot, Qt.Key.Key_Escape)
    assert not tab.has_unsaved_changes()
    with window.context.read() as session:
        assert target_grid(session, 2026) == {}
    type_keys(qtbot, "7")  # the cell again, typed over
    unsaved_answers.answers[:] = [forms.SAVE]
    press(qtbot, Qt.Key.Key_Escape)
    assert len(unsaved_answers.asked) == 3 and unsaved_answers.asked[0].startswith("目标任务：乙乡")
    with window.context.read() as session:
        assert list(target_grid(session, 2026).values()) == [7]
    assert tab.cell("乙乡", Indicator.SIGNED_PROJECTS).data() == "7"


def test_esc_in_an_untouched_target_cell_asks_nothing(window, qtbot, unsaved_answers):
    tab = window.select_tab("targets")
    tab.set_mode("targets")
    tab.table.setFocus()
    tab.table.setCurrentIndex(tab.cell("甲镇", Indicator.SIGNED_PROJECTS))
    press(qtbot, Qt.Key.Key_F2)
    press(qtbot, Qt.Key.Key_Escape)
    assert unsaved_answers.asked == [] and not tab.has_unsaved_changes()
