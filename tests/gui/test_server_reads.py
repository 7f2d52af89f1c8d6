"""The server goes away while the window only reads (issue 15's 重新连接, for reads): switching
to a tab whose rows are read while the connection is dropped, or while the whole server is
stopped, gives the one Chinese message with 重新连接 — no traceback, no tab left looking
complete — and 重新连接 fills the tab; while the server is still down it says so and keeps
the offer."""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QPushButton
from sqlalchemy import select

from zsdesk.domain.enums import Indicator, Stage
from zsdesk.domain.records import InvestorData, ProjectData
from zsdesk.store import investors as inv
from zsdesk.store import projects as proj
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.models import Project, Unit
from zsdesk.store.targets import set_target
from tests.gui.driving import CTRL, activate
from zsdesk.ui import investors_tab
from zsdesk.ui.project_editor import ProjectEditor
from zsdesk.ui.safety_dialogs import MonthLocksDialog

TODAY = dt.date(2026, 6, 30)
SHOTS = os.environ.get("ZSDESK_SERVER_SCREENSHOTS")


def county_with_records(url):
    """An empty county of two units, then what a clerk entered: one investor, two projects,
    甲镇's target (so the charts have something to draw)."""
    ledger = create_ledger(url, "测试县", ["甲镇", "乙乡"])
    try:
        with ledger.begin() as s:
            unit = s.scalar(select(Unit.id).where(Unit.name == "甲镇"))
            investor = inv.save_investor(s, None, InvestorData(name="浙江青山康养集团"), TODAY)
            s.flush()
            for name, amount in (("云山康养项目", "6000"), ("药谷加工项目", "1200")):
                data = ProjectData(
                    name=name, unit_id=unit, investor_id=investor.id, planned_investment=Decimal(amount),
                    dates={Stage.PLANNED: dt.date(2026, 1, 5)},
                )
                proj.save_project(s, None, data, TODAY)
            set_target(s, unit, 2026, Indicator.DOMESTIC_FUNDS, "5000")
    finally:
        ledger.close()


def visible_boxes(window):
    return [b for b in window.findChildren(QMessageBox) if b.isVisible()]


def click_tab(qtbot, window, key):
    """A click on the tab's title, as a clerk switches tabs."""
    bar = window.tabs.tabBar()
    index = window.tabs.indexOf(window.tab(key))
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert window.current_tab_key() == key
    return window.tab(key)


def names_shown(tab):
    """The 名称 column as the table shows it."""
    model = tab.table.model()
    column = next(i for i in range(model.columnCount()) if model.headerData(i, Qt.Orientation.Horizontal).endswith("名称"))
    return sorted(model.index(row, column).data() for row in range(model.rowCount()))


def the_offer(window):
    boxes = visible_boxes(window)
    assert boxes == [window.reconnect_box], [b.text() for b in boxes]  # one box: no error box beside it
    return window.reconnect_box


def window_on_new_county(window_on, cluster):
    """A window (today TODAY) on a new database of ``cluster`` holding county_with_records;
    the window and the database's name."""
    database = cluster.create_database()
    url = cluster.url(database)
    county_with_records(url)
    window = window_on(url)
    window.set_today(TODAY)
    return window, database


def test_a_connection_dropped_while_a_tab_reads_offers_reconnect_and_the_tab_fills(qtbot, window_on, pg_cluster, monkeypatch):
    window, database = window_on_new_county(window_on, pg_cluster)
    window.show()
    assert window.current_tab_key() == "projects"

    real_rows = investors_tab.investor_rows

    def drop_then_read(session, ids=None):
        session.connection()  # the pool's connection, checked and handed over...
        assert pg_cluster.terminate(database) >= 1  # ...then dropped before the first query
        return real_rows(session, ids)

    monkeypatch.setattr(investors_tab, "investor_rows", drop_then_read)
    tab = click_tab(qtbot, window, "investors")

    box = the_offer(window)
    assert box.text().startswith("与数据库服务器的连接中断了") and "台账的内容没有读出来" in box.text()
    assert box.reconnect_button.text() == "重新连接(&R)"
    assert tab.model.rowCount() == 0  # nothing half read on show
    assert tab.count_label.text() == "没有读出客商：与数据库服务器的连接中断，请点“重新连接”"

    monkeypatch.setattr(investors_tab, "investor_rows", real_rows)
    old = window.context.ledger
    qtbot.mouseClick(box.reconnect_button, Qt.MouseButton.LeftButton)
    assert window.context.ledger is not old
    assert visible_boxes(window) == []
    assert window.statusBar().currentMessage() == "已重新连接数据库服务器"
    assert names_shown(tab) == ["浙江青山康养集团"]
    assert tab.count_label.text() == "显示 1 / 1 个客商"
    projects = click_tab(qtbot, window, "projects")
    assert names_shown(projects) == ["云山康养项目", "药谷加工项目"]


@pytest.fixture
def own_cluster():
    """A cluster of this test's own, to stop and start (the session's one serves others)."""
    from tests.pg_support import Cluster, pg_bin

    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL 未安装（找不到 initdb）")
    cluster = Cluster(bin_dir).start()
    yield cluster
    cluster.stop()


def test_a_stopped_server_offers_reconnect_says_it_is_still_down_and_reconnects_once_started(qtbot, window_on, own_cluster):
    if SHOTS:
        from PySide6.QtWidgets import QApplication

        from zsdesk.ui.app import register_fonts

        register_fonts(QApplication.instance())
    window, _database = window_on_new_county(window_on, own_cluster)
    window.show()
    projects = window.tab("projects")
    assert names_shown(projects) == ["云山康养项目", "药谷加工项目"]
    activate(qtbot, window)
    projects.table.setCurrentIndex(projects.table.model().index(1, 1))
    qtbot.keyClick(projects.table, Qt.Key.Key_Return)  # an editor open when the server stops
    (editor,) = [e for e in window.findChildren(ProjectEditor) if e.isVisible()]
    edited = editor.fields["name"].text()
    other = ({"云山康养项目", "药谷加工项目"} - {edited}).pop()

    own_cluster.halt()
    activate(qtbot, editor)
    editor.fields["liaison_leader"].setText("赵县长")
    qtbot.keyClick(editor, Qt.Key.Key_S, CTRL)  # a write with the server down: the same offer
    box = the_offer(window)
    assert box.text().startswith("与数据库服务器的连接中断了") and "没有写入任何内容" in box.text()
    assert editor.isVisible() and editor.fields["liaison_leader"].text() == "赵县长"
    qtbot.mouseClick(box.findChild(QPushButton, "reconnectLater"), Qt.MouseButton.LeftButton)
    assert visible_boxes(window) == []

    activate(qtbot, window)
    projects.table.setCurrentIndex(projects.table.model().index(0, 1))
    qtbot.keyClick(projects.table, Qt.Key.Key_Return)  # open another project: its editor reads it
    assert the_offer(window) is box
    assert box.text().startswith("与数据库服务器的连接中断了") and "台账的内容没有读出来" in box.text()
    assert [e for e in window.findChildren(ProjectEditor) if e.isVisible()] == [editor]
    qtbot.mouseClick(box.findChild(QPushButton, "reconnectLater"), Qt.MouseButton.LeftButton)

    window.safety_actions["month_locks"].trigger()  # a menu's dialog that reads as it opens
    assert the_offer(window) is box
    assert [d for d in window.findChildren(MonthLocksDialog) if d.isVisible()] == []
    qtbot.mouseClick(box.findChild(QPushButton, "reconnectLater"), Qt.MouseButton.LeftButton)

    tab = click_tab(qtbot, window, "investors")  # the next read offers again
    assert the_offer(window) is box
    assert tab.model.rowCount() == 0
    assert tab.count_label.text().startswith("没有读出客商")
    qtbot.mouseClick(box.findChild(QPushButton, "reconnectLater"), Qt.MouseButton.LeftButton)

    targets = click_tab(qtbot, window, "targets")
    assert the_offer(window) is box
    assert targets.model.units == [] and targets.legend.text().startswith("没有读出目标任务")
    qtbot.mouseClick(box.findChild(QPushButton, "reconnectLater"), Qt.MouseButton.LeftButton)

    dashboard = click_tab(qtbot, window, "dashboard")
    assert the_offer(window) is box
    assert not dashboard.has_chart()
    assert dashboard.message.text().startswith("与数据库服务器的连接中断了")  # the reason, not an empty chart
    qtbot.mouseClick(box.findChild(QPushButton, "reconnectLater"), Qt.MouseButton.LeftButton)

    checks = click_tab(qtbot, window, "checks")
    assert the_offer(window) is box
    assert checks.summary_label.text().startswith("没有读出审核结果")  # no "未发现问题" over checks never run
    if SHOTS:
        window.resize(1100, 700)
        window.grab().save(os.path.join(SHOTS, "server-down-window.png"))
        box.grab().save(os.path.join(SHOTS, "server-down-box.png"))

    old = window.context.ledger
    qtbot.mouseClick(box.reconnect_button, Qt.MouseButton.LeftButton)
    assert the_offer(window) is box  # still down: said in the same box, the offer kept
    assert box.text().startswith("仍然连接不上数据库服务器") and "重新连接" in box.text()
    assert window.context.ledger is old

    if SHOTS:
        box.grab().save(os.path.join(SHOTS, "server-still-down-box.png"))

    own_cluster.resume()
    qtbot.mouseClick(box.reconnect_button, Qt.MouseButton.LeftButton)
    assert visible_boxes(window) == []
    assert window.context.ledger is not old
    assert window.statusBar().currentMessage() == "已重新连接数据库服务器"
    assert checks.summary_label.text().startswith("<b>全部单位")  # the checks ran again
    dashboard = click_tab(qtbot, window, "dashboard")
    assert dashboard.has_chart(), dashboard.message.text()
    targets = click_tab(qtbot, window, "targets")
    assert [name for _id, name in targets.model.units][-2:] == ["甲镇", "乙乡"]
    assert not targets.legend.text().startswith("没有读出")
    investors = click_tab(qtbot, window, "investors")
    assert names_shown(investors) == ["浙江青山康养集团"]
    projects = click_tab(qtbot, window, "projects")
    assert names_shown(projects) == ["云山康养项目", "药谷加工项目"]
    assert "项目 2 个" in window.status_label.text() and "客商 1 家" in window.status_label.text()

    activate(qtbot, editor)  # the form kept what was typed while the server was down
    qtbot.keyClick(editor, Qt.Key.Key_S, CTRL)
    assert not editor.isVisible(), editor.error.text()
    with window.context.read() as s:
        assert {p.name: p.liaison_leader for p in s.scalars(select(Project))} == {edited: "赵县长", other: ""}


def test_a_connection_dropped_while_the_projects_load_in_the_background_leaves_no_first_page_looking_whole(
    qtbot, window_on, pg_cluster, monkeypatch
):
    from zsdesk.ui import projects_tab

    # Two projects load as a large county's fifty thousand do: one first, the rest in a worker.
    monkeypatch.setattr(projects_tab, "LOAD_IN_BACKGROUND_ABOVE", 1)
    monkeypatch.setattr(projects_tab, "FIRST_PAGE", 1)
    window, database = window_on_new_county(window_on, pg_cluster)
    tab = window.tab("projects")
    tab.wait_loaded()
    assert names_shown(tab) == ["云山康养项目", "药谷加工项目"]

    real_iter = projects_tab.iter_project_rows

    def drop_then_iterate(session, year, batch=5000):
        session.connection()
        pg_cluster.terminate(database)
        yield from real_iter(session, year, batch)

    monkeypatch.setattr(projects_tab, "iter_project_rows", drop_then_iterate)
    activate(qtbot, window)
    qtbot.keyClick(window, Qt.Key.Key_F5)  # 查看 → 刷新: the first page now, the rest in the worker
    tab.wait_loaded()

    box = the_offer(window)
    assert box.text().startswith("与数据库服务器的连接中断了") and "台账的内容没有读出来" in box.text()
    assert tab.model.rowCount() == 0  # not the first page alone, looking like every project
    assert tab.count_label.text() == "没有读出项目：与数据库服务器的连接中断，请点“重新连接”"

    monkeypatch.setattr(projects_tab, "iter_project_rows", real_iter)
    qtbot.mouseClick(box.reconnect_button, Qt.MouseButton.LeftButton)
    tab.wait_loaded()
    assert visible_boxes(window) == []
    assert names_shown(tab) == ["云山康养项目", "药谷加工项目"]
    assert tab.count_label.text() == "显示 2 / 2 个项目"
