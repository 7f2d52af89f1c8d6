"""The investors tab lets go of a large file's rows while another tab is shown (issue 18),
as the projects tab does: the large county's 5,000 investors (~3 MB) would otherwise sit
under the checks' findings and the dashboard's charts. Back on the tab they are read
again, with the clerk's search and selected investor as left. The bound is lowered here
so that a new file with a few investors shows it.
"""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt

from zsdesk.domain.records import InvestorData
from zsdesk.store.investors import save_investor
from zsdesk.ui import record_tab

from tests.gui.driving import click_tab

TODAY = dt.date(2026, 6, 15)
NAMES = ["杭州云山茶业有限公司", "宁波甬港物流集团", "义乌小商品城控股", "温州瓯江鞋业", "东阳木雕工艺厂"]


def _add_investors(window, names: list[str]) -> None:
    def add(session):
        for name in names:
            save_investor(session, None, InvestorData(name=name), TODAY)

    window.context.write(add)


def _shown_names(tab) -> list[str]:
    model = tab.model
    return sorted(model.data(model.index(row, 0)) for row in range(model.rowCount()))


def _selected_name(tab) -> str:
    index = tab.table.currentIndex()
    return tab.model.data(tab.model.index(index.row(), 0)) if index.isValid() else ""


def _open_tab(qtbot, window):
    window.show()
    qtbot.waitExposed(window)
    _add_investors(window, NAMES)
    tab = window.investors_tab
    click_tab(qtbot, window, "investors")
    assert tab.model.total_count() == len(NAMES)
    return tab


def test_rows_are_let_go_while_hidden_and_come_back_as_left(empty_window, qtbot, monkeypatch):
    monkeypatch.setattr(record_tab, "KEEP_ROWS_HIDDEN", 2)
    window = empty_window
    tab = _open_tab(qtbot, window)
    tab.search.setText("有限")  # not a word of every name: the search filters
    tab.search.setText("集团 ")
    assert _shown_names(tab) == ["宁波甬港物流集团"]
    tab.search.setText("")
    rows = _shown_names(tab)
    row = [tab.model.data(tab.model.index(r, 0)) for r in range(tab.model.rowCount())].index("温州瓯江鞋业")
    rect = tab.table.visualRect(tab.model.index(row, 0))
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert _selected_name(tab) == "温州瓯江鞋业"
    tab.search.setText("瓯江")
    assert _selected_name(tab) == "温州瓯江鞋业"  # a search keeps the selected investor in view

    click_tab(qtbot, window, "events")
    qtbot.waitUntil(lambda: tab.model.total_count() == 0)  # let go while not shown
    _add_investors(window, ["瓯江口新区开发公司"])  # saved meanwhile: not patched into nothing
    assert tab.model.total_count() == 0

    click_tab(qtbot, window, "investors")
    assert tab.model.total_count() == len(NAMES) + 1
    assert tab.search.text() == "瓯江"
    assert _shown_names(tab) == ["温州瓯江鞋业", "瓯江口新区开发公司"]
    assert _selected_name(tab) == "温州瓯江鞋业"
    assert "2 / 6" in tab.count_label.text()
    tab.search.setText("")
    assert _shown_names(tab) == sorted(rows + ["瓯江口新区开发公司"])


def test_a_small_files_rows_stay_and_closing_the_window_keeps_them(empty_window, qtbot, monkeypatch):
    window = empty_window
    tab = _open_tab(qtbot, window)
    click_tab(qtbot, window, "events")
    qtbot.wait(50)
    assert tab.model.total_count() == len(NAMES)  # five rows: under the bound, kept

    monkeypatch.setattr(record_tab, "KEEP_ROWS_HIDDEN", 2)
    click_tab(qtbot, window, "investors")
    window.hide()  # only another tab lets them go
    qtbot.wait(50)
    assert tab.model.total_count() == len(NAMES)


def test_an_investor_saved_while_a_search_is_on_is_filtered_like_the_others(empty_window, qtbot):
    """The search filters by position in the row list: a new row shifts them, and the
    filter made before it must not be read on the longer list (it read past its end, in
    the middle of the model's reset, and the window crashed)."""
    window = empty_window
    tab = _open_tab(qtbot, window)
    tab.search.setText("瓯江")
    assert _shown_names(tab) == ["温州瓯江鞋业"]
    for name in ("台州椒江游艇", "瓯海眼镜城", "丽水瓯江特色小镇"):
        _add_investors(window, [name])  # as the editor saves one: only its row is read again
    assert tab.model.total_count() == len(NAMES) + 3
    assert _shown_names(tab) == ["丽水瓯江特色小镇", "温州瓯江鞋业"]
    assert "2 / 8" in tab.count_label.text()
