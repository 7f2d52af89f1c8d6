"""Typing a row of targets with Tab fills the row (issue 13, item 3)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QApplication

from zsdesk.domain.enums import Indicator
from zsdesk.store.targets import target_grid


def focused():
    return QApplication.focusWidget()


def type_keys(qtbot, text: str) -> None:
    """Each key to whatever has the focus, as a keyboard does."""
    for char in text:
        qtbot.keyClick(focused(), char)


def press(qtbot, key) -> None:
    qtbot.keyClick(focused(), key)


def test_tab_moves_to_the_next_cell_and_three_targets_are_saved(empty_window, qtbot, qtlog):
    window = empty_window
    window.set_today(dt.date(2026, 4, 20))
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    tab = window.select_tab("targets")
    tab.set_mode("targets")
    tab.year.setCurrentIndex(tab.year.findData(2026))
    table = tab.table
    first = tab.cell("乙乡", Indicator.DOMESTIC_FUNDS)
    table.setFocus()
    table.setCurrentIndex(first)
    for text in ("120", "30", "15.5"):
        type_keys(qtbot, text)
        press(qtbot, Qt.Key.Key_Tab)
    press(qtbot, Qt.Key.Key_Escape)
    with window.context.read() as session:
        grid = target_grid(session, 2026)
    unit_id = next(uid for uid, name in tab.model.units if name == "乙乡")
    assert grid.get((unit_id, Indicator.DOMESTIC_FUNDS)) == Decimal("120")
    assert grid.get((unit_id, Indicator.ZHEJIANG_RETURN_FUNDS)) == Decimal("30")
    assert grid.get((unit_id, Indicator.MOUNTAIN_SEA_FUNDS)) == Decimal("15.5")
    # what the clerk sees: the three cells of the row, the cursor on the fourth
    assert [tab.cell("乙乡", i).data() for i in list(Indicator)[:3]] == ["120", "30", "15.50"]
    assert table.currentIndex().column() == 3
    assert table.state() != QAbstractItemView.State.EditingState
    assert not [r for r in qtlog.records if "commitData" in r.message]
