"""The first day in a new, empty ledger: each record tab says there is nothing yet and how
to add the first, and its search box says whole what it searches, at 1000 px."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QPushButton, QStyle, QStyleOptionFrame, QToolButton

from driving import CTRL, activate
from zsdesk.store.db import open_ledger
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.ui.context import AppContext
from zsdesk.ui.investor_editor import InvestorEditor
from zsdesk.ui.main_window import MainWindow

TODAY = dt.date(2026, 4, 20)
RECORD_TABS = {"projects": "项目", "investors": "客商", "events": "招商活动"}


@pytest.fixture
def township(ledger_path):
    create_ledger(ledger_path, "磐安县", ["尚湖镇", "冷水镇", "安文街道"], own_unit="安文街道").close()
    return ledger_path


@pytest.fixture
def first_day(township, window_on, qtbot, bundled_font):
    bundled_font()
    window = window_on(township)
    window.set_today(TODAY)
    window.resize(1000, 700)
    activate(qtbot, window)
    return window


def click_tab(qtbot, window, title: str):
    bar = window.tabs.tabBar()
    [index] = [i for i in range(bar.count()) if bar.tabText(i) == title]
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    QApplication.processEvents()
    return window.tabs.currentWidget()


def hint_of(tab) -> QLabel:
    return tab.findChild(QLabel, f"{tab.table.objectName()}EmptyHint")


def placeholder_room(field) -> int:
    """Where a line edit paints its placeholder: its contents less the 2 px text margin,
    up to the clear button."""
    option = QStyleOptionFrame()
    field.initStyleOption(option)
    contents = field.style().subElementRect(QStyle.SubElement.SE_LineEditContents, option, field)
    [clear] = field.findChildren(QToolButton)
    return min(contents.right(), clear.x()) - (contents.left() + 2)


def test_each_empty_tab_says_how_to_begin(first_day, qtbot, tmp_path):
    window = first_day
    for key, noun in RECORD_TABS.items():
        tab = click_tab(qtbot, window, noun)
        assert tab is window.tab(key)
        hint = hint_of(tab)
        assert hint.isVisible()
        assert hint.text().startswith(f"还没有{noun}。\n点右上角“新建{noun}”（Ctrl+N）")
        assert tab.new_button.text() == f"新建{noun}"  # the button the hint names is there
        viewport = tab.table.viewport()
        assert viewport.rect().contains(hint.geometry())
        assert hint.heightForWidth(hint.width()) <= hint.height()  # the hint's lines all show
        search = tab.search
        assert search.fontMetrics().horizontalAdvance(search.placeholderText()) <= placeholder_room(search), key
        window.grab().save(str(tmp_path / f"empty-{key}.png"))
    assert "导入已有台账" in hint_of(window.tab("projects")).text()


def test_the_hint_goes_with_the_first_record_and_comes_back_with_undo(first_day, qtbot):
    window = first_day
    tab = click_tab(qtbot, window, "客商")
    hint = hint_of(tab)
    assert hint.isVisible()

    qtbot.keyClick(tab.table, Qt.Key.Key_N, CTRL)
    [editor] = [e for e in window.findChildren(InvestorEditor) if e.isVisible()]
    editor.fields["name"].setText("浙江银来集团")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.isVisible()
    assert tab.model.total_count() == 1
    assert not hint.isVisible()

    # the search that finds nothing is told by the count, not by "还没有客商"
    tab.search.setText("没有这家")
    assert tab.count_label.text() == "显示 0 / 1 个客商" and not hint.isVisible()
    tab.search.clear()

    activate(qtbot, window)
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, CTRL)
    assert tab.model.total_count() == 0
    assert hint.isVisible() and hint.text().startswith("还没有客商。")


def test_a_read_only_empty_ledger_does_not_offer_ctrl_n(township, qtbot, bundled_font):
    bundled_font()
    context = AppContext(open_ledger(township, readonly=True))
    window = MainWindow(context)
    qtbot.addWidget(window)
    try:
        activate(qtbot, window)
        tab = click_tab(qtbot, window, "项目")
        hint = hint_of(tab)
        assert hint.isVisible() and hint.text() == "还没有项目。"
        assert not window.findChild(QPushButton, "newProjectButton").isEnabled()
    finally:
        context.close()


def test_column_titles_are_whole_with_a_larger_font(township, window_on, qtbot, bundled_font):
    """Before there are rows to measure, each column is at least as wide as its title:
    at 14 pt the fixed widths cut 计划总投资(万元) and 联系领导."""
    bundled_font(14)
    window = window_on(township)
    activate(qtbot, window)
    for key, noun in RECORD_TABS.items():
        tab = click_tab(qtbot, window, noun)
        header = tab.table.horizontalHeader()
        metrics = header.fontMetrics()
        for section in range(header.count()):
            title = tab.table.model().headerData(section, Qt.Orientation.Horizontal)
            widest = max(metrics.horizontalAdvance(line) for line in title.split("\n"))
            assert header.sectionSize(section) >= widest + 12, (key, title)  # + the header's margins
