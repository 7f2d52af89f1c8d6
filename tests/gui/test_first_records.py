"""The first record saved into an empty list appears in it (issue 13, item 1).

From an empty ledger, driven with keys and clicks: Ctrl+N, type, Ctrl+S / click 保存.
"""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt

from zsdesk.ui.events_tab import EventEditor
from zsdesk.ui.investor_editor import InvestorEditor
from zsdesk.ui.project_editor import ProjectEditor

TODAY = dt.date(2026, 4, 20)
CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def window(empty_window, qtbot):
    empty_window.set_today(TODAY)
    empty_window.show()
    qtbot.waitExposed(empty_window)
    empty_window.activateWindow()
    qtbot.waitUntil(empty_window.isActiveWindow)
    return empty_window


def new_editor(window, qtbot, tab_key, editor_class):
    tab = window.select_tab(tab_key)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(tab.table, Qt.Key.Key_N, CTRL)
    editors = [e for e in window.findChildren(editor_class) if e.isVisible()]
    assert len(editors) == 1, "Ctrl+N opens one editor"
    editor = editors[0]
    editor.activateWindow()
    qtbot.waitUntil(editor.isActiveWindow)
    return tab, editor


def type_into(qtbot, widget, text: str) -> None:
    widget.setFocus()
    qtbot.keyClicks(widget, text)


def type_date(qtbot, widget, text: str) -> None:
    widget.setFocus()
    widget.selectAll()
    qtbot.keyClicks(widget, text)


def test_first_project_into_an_empty_list_appears(window, qtbot):
    tab, editor = new_editor(window, qtbot, "projects", ProjectEditor)
    assert tab.count_label.text().startswith("显示 0 / 0")
    editor.fields["name"].setText("尚湖康养小镇")
    unit = editor.fields["unit_id"]
    unit.setCurrentIndex(unit.findText("甲镇"))
    type_into(qtbot, editor.fields["planned_investment"], "6000")
    type_date(qtbot, editor.fields["planned_on"], "2026-03-02")
    qtbot.keyClick(editor, Qt.Key.Key_S, CTRL)
    assert not editor.isVisible(), editor.error.text()
    assert tab.count_label.text().startswith("显示 1 / 1")
    assert tab.model.rowCount() == 1
    assert tab.model.row_at(0).name == "尚湖康养小镇"

    # the second one goes on top of the first, both shown
    tab, editor = new_editor(window, qtbot, "projects", ProjectEditor)
    editor.fields["name"].setText("第二个项目")
    editor.fields["unit_id"].setCurrentIndex(editor.fields["unit_id"].findText("乙乡"))
    type_into(qtbot, editor.fields["planned_investment"], "100")
    type_date(qtbot, editor.fields["planned_on"], "2026-04-01")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert tab.count_label.text().startswith("显示 2 / 2")
    assert sorted(tab.model.row_at(i).name for i in range(2)) == ["尚湖康养小镇", "第二个项目"]


def test_first_investor_into_an_empty_list_appears(window, qtbot):
    tab, editor = new_editor(window, qtbot, "investors", InvestorEditor)
    assert tab.count_label.text().startswith("显示 0 / 0")
    editor.fields["name"].setText("浙江银来集团")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.isVisible(), editor.error.text()
    assert tab.count_label.text() == "显示 1 / 1 个客商"
    assert tab.model.row_at(0).name == "浙江银来集团"


def test_first_event_into_an_empty_list_appears(window, qtbot):
    tab, editor = new_editor(window, qtbot, "events", EventEditor)
    assert tab.count_label.text().startswith("显示 0 / 0")
    editor.fields["name"].setText("尚湖镇康养产业推介会")
    date = editor.fields["date"]
    type_date(qtbot, date, "2026-04-10")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.isVisible(), editor.error.text()
    assert tab.count_label.text() == "显示 1 / 1 个招商活动"
    assert tab.model.row_at(0).name == "尚湖镇康养产业推介会"
