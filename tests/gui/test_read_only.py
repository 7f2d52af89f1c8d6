"""Read-only is visible (issue 13, item 11): in a read-only window every editing action
is disabled and editors open read-only; the clerk's own second window is told so."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from sqlalchemy import select

from driving import CTRL, activate, press, type_keys
from zsdesk.domain.enums import Indicator, Stage
from zsdesk.domain.records import ProjectData
from zsdesk.store.db import open_ledger
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.models import Project, Unit
from zsdesk.store.projects import save_project
from zsdesk.store.targets import target_grid
from zsdesk.ui import safety_dialogs
from zsdesk.ui.context import AppContext
from zsdesk.ui.main_window import WRITING_ACTIONS, MainWindow
from zsdesk.ui.project_editor import ProjectEditor

TODAY = dt.date(2026, 4, 20)


@pytest.fixture
def ledger_with_a_project(ledger_path):
    ledger = create_ledger(ledger_path, "测试县", ["甲镇", "乙乡"], own_unit="甲镇")
    with ledger.begin() as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.name == "甲镇"))
        data = ProjectData(name="康养小镇", unit_id=unit_id, planned_investment=Decimal("500"))
        data.dates = {Stage.PLANNED: dt.date(2026, 3, 1)}
        save_project(session, None, data, TODAY)
    ledger.close()
    return ledger_path


@pytest.fixture
def read_only_window(ledger_with_a_project, qtbot):
    context = AppContext(open_ledger(ledger_with_a_project, readonly=True))
    window = MainWindow(context)
    qtbot.addWidget(window)
    window.set_today(TODAY)
    activate(qtbot, window)
    yield window
    context.close()


def test_every_editing_action_is_disabled(read_only_window, qtbot):
    window = read_only_window
    actions = {a.objectName(): a for a in window.findChildren(QAction)}
    present = [name for name in WRITING_ACTIONS if name in actions]
    assert {"newRecordAction", "deleteRecordAction", "importReturnsAction", "importTargetsAction"} <= set(present)
    assert [name for name in present if actions[name].isEnabled()] == []
    for key in ("projects", "investors", "events"):
        tab = window.select_tab(key)
        assert not window.new_action.isEnabled(), key
        assert not tab.new_button.isEnabled(), key
        qtbot.keyClick(tab.table, Qt.Key.Key_N, CTRL)
    assert [e for e in window.findChildren(ProjectEditor) if e.isVisible()] == []
    assert window.open_project(None) is None  # however asked, no new record
    assert "只读" in window.statusBar().currentMessage()
    assert window.open_action.isEnabled() and actions["exportReturnAction"].isEnabled()


def test_an_editor_opens_read_only(read_only_window, qtbot, unsaved_answers):
    window = read_only_window
    tab = window.select_tab("projects")
    tab.table.setFocus()
    tab.table.setCurrentIndex(tab.model.index(0, 0))
    press(qtbot, Qt.Key.Key_Return)
    (editor,) = [e for e in window.findChildren(ProjectEditor) if e.isVisible()]
    activate(qtbot, editor)
    assert editor.windowTitle().startswith("（只读）")
    assert editor.findChild(type(editor.error), "readOnlyNote").text().startswith("台账以只读方式打开")
    assert editor.save_button.isHidden()
    assert editor.cancel_button.text() == "关闭"
    name = editor.fields["name"]
    name.setFocus()
    type_keys(qtbot, "abc")
    assert name.text() == "康养小镇"
    assert not editor.fields["stage"].isEnabled()
    press(qtbot, Qt.Key.Key_S, CTRL)  # Ctrl+S: nothing happens, no refusal after the fact
    assert editor.isVisible() and editor.error.isHidden()
    press(qtbot, Qt.Key.Key_Escape)
    assert not editor.isVisible()
    assert unsaved_answers.asked == []


def test_the_targets_grid_takes_no_typing(read_only_window, qtbot):
    window = read_only_window
    tab = window.select_tab("targets")
    tab.set_mode("targets")
    tab.table.setFocus()
    tab.table.setCurrentIndex(tab.cell("甲镇", Indicator.DOMESTIC_FUNDS))
    type_keys(qtbot, "99")
    press(qtbot, Qt.Key.Key_Return)
    assert "只读" in tab.legend.text()
    with window.context.read() as session:
        assert target_grid(session, 2026) == {}


def test_the_same_clerks_second_window_is_told_so(ledger_with_a_project, window_on, tmp_path, monkeypatch):
    other = tmp_path / "first.sqlite"
    create_ledger(other, "测试县", ["甲镇"]).close()
    window = window_on(other)
    holder = open_ledger(ledger_with_a_project)  # the clerk's first window has it
    asked = []
    monkeypatch.setattr(safety_dialogs, "choose", lambda parent, title, text, options, icon=None: asked.append((title, text)) or "cancel")
    try:
        assert not window.open_file(ledger_with_a_project)
    finally:
        holder.close()
    (title, text), = asked
    assert "另一个窗口" in title
    assert "本机的另一个zsdesk窗口" in text and "别人" not in text


def test_the_checks_tab_takes_no_explanation(read_only_window, qtbot):
    from zsdesk.domain.periods import YearMonth

    panel = read_only_window.select_tab("checks")
    panel.set_scope("甲镇", YearMonth(2026, 4))
    rows = panel.proxy.rowCount()
    assert rows > 0
    for row in range(rows):
        panel.table.selectRow(row)
        assert not panel.explain_button.isEnabled() and not panel.withdraw_button.isEnabled()
