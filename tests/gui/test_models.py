"""Every table model passes pytest-qt's model tester, filtered and sorted too."""

from __future__ import annotations

from PySide6.QtCore import Qt

from zsdesk.ui.projects_tab import ProjectFilter


def test_projects_model(demo_window, qtmodeltester):
    tab = demo_window.projects_tab
    qtmodeltester.check(tab.model)
    tab.model.sort(1, Qt.SortOrder.DescendingOrder)
    tab.model.set_project_filter(ProjectFilter(search="项目", stage="signed"))
    assert 0 < tab.model.rowCount() < tab.model.total_count()
    qtmodeltester.check(tab.model)
    tab.model.set_project_filter(ProjectFilter(search="没有这样的项目名"))
    assert tab.model.rowCount() == 0
    qtmodeltester.check(tab.model)


def test_investors_and_events_models(demo_window, qtmodeltester):
    for key in ("investors", "events"):
        tab = demo_window.select_tab(key)
        assert tab.model.rowCount() > 0
        qtmodeltester.check(tab.model)
        tab.model.sort(0, Qt.SortOrder.AscendingOrder)
        qtmodeltester.check(tab.model)


def test_targets_models_in_both_views(demo_window, qtmodeltester):
    tab = demo_window.targets_tab
    for mode in ("targets", "progress"):
        tab.set_mode(mode)
        qtmodeltester.check(tab.model)
        qtmodeltester.check(tab.proxy)
        tab.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        last = tab.proxy.index(tab.proxy.rowCount() - 1, 0)
        assert tab.proxy.headerData(last.row(), Qt.Orientation.Vertical) == "全县"
        tab.table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        last = tab.proxy.index(tab.proxy.rowCount() - 1, 0)
        assert tab.proxy.headerData(last.row(), Qt.Orientation.Vertical) == "全县"
