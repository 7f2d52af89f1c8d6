"""Driving the window as a clerk does: keys to whatever has the focus, clicks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu

CTRL = Qt.KeyboardModifier.ControlModifier


def focused():
    return QApplication.focusWidget()


def activate(qtbot, widget) -> None:
    widget.show()
    qtbot.waitExposed(widget)
    widget.activateWindow()
    qtbot.waitUntil(widget.isActiveWindow)


def type_keys(qtbot, text: str) -> None:
    """Each key to whatever has the focus, as a keyboard does (ASCII only: Chinese is set)."""
    for char in text:
        qtbot.keyClick(focused(), char)


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    qtbot.keyClick(focused(), key, modifier)


def type_into(qtbot, widget, text: str) -> None:
    """Click into a field, select what it holds and type over it."""
    widget.setFocus()
    if hasattr(widget, "selectAll"):
        widget.selectAll()
    qtbot.keyClicks(widget, text)


def open_new(window, qtbot, tab_key: str, editor_class):
    """Ctrl+N on a tab; the editor it opens, made the active window."""
    tab = window.select_tab(tab_key)
    activate(qtbot, window)
    qtbot.keyClick(tab.table if hasattr(tab, "table") else tab, Qt.Key.Key_N, CTRL)
    editors = [e for e in window.findChildren(editor_class) if e.isVisible()]
    assert len(editors) == 1, "Ctrl+N opens one editor"
    activate(qtbot, editors[0])
    return tab, editors[0]


def shown_items(qtbot, window, key) -> set[str]:
    """Click a menu's title in the menu bar and return the texts the open menu shows."""
    window.show()
    qtbot.waitExposed(window)
    bar = window.menuBar()
    title = bar.actionGeometry(window.menu(key).menuAction()).center()
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=title)
    qtbot.waitUntil(lambda: isinstance(QApplication.activePopupWidget(), QMenu))
    menu = QApplication.activePopupWidget()
    texts = {a.text() for a in menu.actions() if a.isVisible() and not a.isSeparator()}
    qtbot.keyClick(menu, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: QApplication.activePopupWidget() is None)
    return texts


def open_row(window, qtbot, tab_key: str, editor_class, text: str):
    """Select the row that shows ``text`` on a tab and press Enter: the record's editor,
    made the active window."""
    tab = window.select_tab(tab_key)
    activate(qtbot, window)
    model = tab.table.model()
    row = next(
        r for r in range(model.rowCount()) if text in [model.index(r, c).data() for c in range(model.columnCount())]
    )
    tab.table.setCurrentIndex(model.index(row, 1))
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    (editor,) = [e for e in window.findChildren(editor_class) if e.isVisible() and e.windowTitle().endswith(text)]
    activate(qtbot, editor)
    return editor


def click_tab(qtbot, window, key: str) -> None:
    """Click the tab's header, as a clerk does."""
    bar = window.tabs.tabBar()
    index = window.tab_keys().index(key)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert window.tabs.currentIndex() == index


def add_signed_projects(window, names: list[str], today: dt.date, unit_name: str = "甲镇") -> None:
    """Signed projects of ``unit_name`` saved through the store as the editor saves them:
    no liaison leader and no follow-up, so each has findings."""
    from zsdesk.domain.enums import Stage
    from zsdesk.domain.records import ProjectData
    from zsdesk.store.models import Unit
    from zsdesk.store.projects import save_project

    def add(session):
        unit = session.query(Unit).filter_by(name=unit_name).one()
        for name in names:
            data = ProjectData(
                name=name, unit_id=unit.id, stage=Stage.SIGNED,
                dates={Stage.PLANNED: dt.date(2025, 9, 1), Stage.SIGNED: dt.date(2025, 11, 1)},
                planned_investment=Decimal("1200"),
            )
            save_project(session, None, data, today)

    window.context.write(add)
