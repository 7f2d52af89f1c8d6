"""The projects tab lets go of a large file's rows while another tab is shown (issue 18).

On the large county that is 50,000 rows and their search texts (~40 MB) that would
otherwise stay under the checks' findings and the dashboard's charts. Back on the tab
the rows are read again (first page at once, the rest in the background) and the clerk
finds the table as left: the same sort, the same filters and search, the same project
selected. The bounds are lowered here so a new file with a few projects shows it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QPoint, Qt

from zsdesk.ui import projects_tab as projects_module
from zsdesk.ui.projects_tab import COLUMNS

from tests.gui.driving import add_signed_projects, click_tab

TODAY = dt.date(2026, 6, 15)
NAMES = ["云山茶叶园", "磐安药材物流园", "尖山民宿集群", "东阳木雕产业园", "横店影视基地", "南马花园小镇", "千祥工业园"]
NAME_COLUMN = [c.key for c in COLUMNS].index("name")


def _shown_names(tab) -> list[str]:
    model = tab.model
    return [model.data(model.index(row, NAME_COLUMN)) for row in range(model.rowCount())]


def _selected_name(tab) -> str:
    index = tab.table.currentIndex()
    return tab.model.data(tab.model.index(index.row(), NAME_COLUMN)) if index.isValid() else ""


def test_rows_are_let_go_while_hidden_and_come_back_as_left(empty_window, qtbot, monkeypatch):
    monkeypatch.setattr(projects_module, "KEEP_ROWS_HIDDEN", 2)
    monkeypatch.setattr(projects_module, "LOAD_IN_BACKGROUND_ABOVE", 2)  # back: a first page, then a worker
    monkeypatch.setattr(projects_module, "FIRST_PAGE", 1)
    window = empty_window
    window.show()
    qtbot.waitExposed(window)
    add_signed_projects(window, NAMES, TODAY)
    add_signed_projects(window, ["乙乡花园酒店"], TODAY, unit_name="乙乡")
    tab = window.projects_tab
    click_tab(qtbot, window, "projects")
    qtbot.waitUntil(lambda: not tab.loading, timeout=10_000)
    assert tab.model.total_count() == len(NAMES) + 1

    # The clerk sorts by name (a click on its header), picks 甲镇, searches 园, clicks a row.
    header = tab.table.horizontalHeader()
    x = header.sectionViewportPosition(NAME_COLUMN) + header.sectionSize(NAME_COLUMN) // 2
    qtbot.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(x, header.height() // 2))
    tab.unit_filter.setCurrentIndex(tab.unit_filter.findData("甲镇"))
    tab.search.setText("园")
    before = _shown_names(tab)
    assert before == sorted(n for n in NAMES if "园" in n)  # sorted, filtered, 乙乡's left out
    row = before.index("南马花园小镇")
    rect = tab.table.visualRect(tab.model.index(row, NAME_COLUMN))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert _selected_name(tab) == "南马花园小镇"
    count_text = tab.count_label.text()

    click_tab(qtbot, window, "checks")
    qtbot.waitUntil(lambda: tab.released)
    assert tab.model.total_count() == 0  # let go while not shown
    # A project saved meanwhile is not patched into the empty table...
    add_signed_projects(window, ["白云物流园"], TODAY)
    assert tab.model.total_count() == 0

    # ...and is there when the clerk comes back: same sort, filters, search and selection.
    click_tab(qtbot, window, "projects")
    qtbot.waitUntil(lambda: not tab.loading, timeout=10_000)
    assert not tab.released
    assert tab.model.total_count() == len(NAMES) + 2
    assert _shown_names(tab) == sorted(before + ["白云物流园"])
    assert tab.search.text() == "园" and tab.unit_filter.currentData() == "甲镇"
    assert header.sortIndicatorSection() == NAME_COLUMN
    assert _selected_name(tab) == "南马花园小镇"
    assert tab.count_label.text() != count_text and "6 / 9" in tab.count_label.text()


def test_a_small_files_rows_stay_while_another_tab_shows(empty_window, qtbot):
    window = empty_window
    window.show()
    qtbot.waitExposed(window)
    add_signed_projects(window, NAMES[:3], TODAY)
    tab = window.projects_tab
    click_tab(qtbot, window, "projects")
    before = _shown_names(tab)
    click_tab(qtbot, window, "checks")
    qtbot.wait(50)
    assert not tab.released and _shown_names(tab) == before
    click_tab(qtbot, window, "projects")
    assert _shown_names(tab) == before


def _projects_shown(qtbot, window, monkeypatch):
    """The projects tab shown with NAMES, the bound lowered so that they are let go."""
    monkeypatch.setattr(projects_module, "KEEP_ROWS_HIDDEN", 2)
    window.show()
    qtbot.waitExposed(window)
    add_signed_projects(window, NAMES, TODAY)
    click_tab(qtbot, window, "projects")
    return window.projects_tab


def test_the_window_closing_keeps_the_rows(empty_window, qtbot, monkeypatch):
    """Only another tab lets them go: hiding the whole window does not."""
    window = empty_window
    tab = _projects_shown(qtbot, window, monkeypatch)
    window.hide()
    qtbot.wait(50)
    assert not tab.released and tab.model.total_count() == len(NAMES)


def test_the_checks_and_the_charts_let_the_rows_go_before_they_load(empty_window, qtbot, monkeypatch):
    """A hidden tab lets go on the event loop's next turn; the checks tab and the charts
    tab, shown straight from the projects tab, ask for it first (MainWindow.
    release_hidden_tabs): the rows and the findings, or Matplotlib, are never held at once."""
    from zsdesk.ui import checks_panel, dashboard

    window = empty_window
    tab = _projects_shown(qtbot, window, monkeypatch)
    qtbot.waitUntil(lambda: not tab.loading, timeout=10_000)
    assert tab.model.total_count() == len(NAMES)

    rows_when_loading = []
    real_check_table, real_build_chart = checks_panel.check_table, dashboard.build_chart

    def check_table(*args, **kwargs):
        rows_when_loading.append(("checks", tab.model.total_count()))
        return real_check_table(*args, **kwargs)

    def build_chart(*args, **kwargs):
        rows_when_loading.append(("charts", tab.model.total_count()))
        return real_build_chart(*args, **kwargs)

    monkeypatch.setattr(checks_panel, "check_table", check_table)
    monkeypatch.setattr(dashboard, "build_chart", build_chart)
    click_tab(qtbot, window, "checks")
    assert rows_when_loading == [("checks", 0)]
    click_tab(qtbot, window, "projects")
    qtbot.waitUntil(lambda: not tab.loading and tab.model.total_count() == len(NAMES), timeout=10_000)
    click_tab(qtbot, window, "dashboard")
    assert rows_when_loading[-1] == ("charts", 0)
