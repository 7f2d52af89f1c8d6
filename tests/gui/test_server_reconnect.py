"""The server drops the connection in the middle of a save (issue 15 item 4): one Chinese
message that offers 重新连接, nothing half-written, the form keeps what was typed, and
after 重新连接 the tabs reload and the same save goes through."""

from __future__ import annotations

import datetime as dt
import os

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from sqlalchemy import select

from tests.gui.driving import CTRL, activate, open_new
from zsdesk.store.db import open_ledger
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.models import Project
from zsdesk.ui import project_editor
from zsdesk.ui.project_editor import ProjectEditor

TODAY = dt.date(2026, 6, 30)
SHOTS = os.environ.get("ZSDESK_SERVER_SCREENSHOTS")


def stored_notes(url):
    """The projects as another program sees them (a connection of its own)."""
    ledger = open_ledger(url, readonly=True)
    try:
        with ledger.read() as s:
            return dict(s.execute(select(Project.name, Project.notes)).all())
    finally:
        ledger.close()


def visible_boxes(window):
    return [b for b in window.findChildren(QMessageBox) if b.isVisible()]


def test_connection_lost_during_a_save_offers_reconnect_and_nothing_is_lost(qtbot, window_on, pg_cluster, monkeypatch):
    if SHOTS:
        from zsdesk.ui.app import register_fonts

        register_fonts(QApplication.instance())
    database = pg_cluster.create_database()
    url = pg_cluster.url(database)
    create_ledger(url, "测试县", ["甲镇", "乙乡"]).close()
    window = window_on(url)
    window.set_today(TODAY)
    window.show()

    _tab, editor = open_new(window, qtbot, "projects", ProjectEditor)
    editor.fields["name"].setText("云山康养项目")
    editor.fields["unit_id"].setCurrentIndex(editor.fields["unit_id"].findText("甲镇"))
    editor.fields["planned_investment"].setText("6000")
    editor.fields["planned_on"].setText("2026-01-15")
    qtbot.keyClick(editor, Qt.Key.Key_S, CTRL)
    assert not editor.isVisible(), editor.error.text()

    # Dropped between two actions: the next one does not notice.
    assert pg_cluster.terminate(database) >= 1
    tab = window.select_tab("projects")
    activate(qtbot, window)
    tab.table.setCurrentIndex(tab.table.model().index(0, 1))
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    (editor,) = [e for e in window.findChildren(ProjectEditor) if e.isVisible()]
    activate(qtbot, editor)
    editor.fields["liaison_leader"].setText("赵县长")
    qtbot.keyClick(editor, Qt.Key.Key_S, CTRL)
    assert not editor.isVisible(), editor.error.text()
    assert visible_boxes(window) == []

    # Dropped during the next save: after the project's UPDATE went to the server.
    real_save = project_editor.save_project

    def save_then_drop(session, *args):
        project = real_save(session, *args)
        session.flush()
        pg_cluster.terminate(database)
        return project

    monkeypatch.setattr(project_editor, "save_project", save_then_drop)
    activate(qtbot, window)
    qtbot.keyClick(tab.table, Qt.Key.Key_Return)
    (editor,) = [e for e in window.findChildren(ProjectEditor) if e.isVisible()]
    activate(qtbot, editor)
    editor.fields["notes"].setPlainText("三季度开工")
    qtbot.keyClick(editor, Qt.Key.Key_S, CTRL)

    boxes = visible_boxes(window)
    assert len(boxes) == 1 and boxes[0] is window.reconnect_box
    assert boxes[0].text().startswith("与数据库服务器的连接中断了") and "没有写入任何内容" in boxes[0].text()
    assert editor.isVisible() and editor.fields["notes"].toPlainText() == "三季度开工"
    assert stored_notes(url) == {"云山康养项目": ""}  # nothing half-written
    if SHOTS:
        window.resize(1100, 700)
        window.grab().save(os.path.join(SHOTS, "server-reconnect-window.png"))
        boxes[0].grab().save(os.path.join(SHOTS, "server-reconnect-box.png"))

    old = window.context.ledger
    monkeypatch.setattr(project_editor, "save_project", real_save)
    qtbot.mouseClick(window.reconnect_box.reconnect_button, Qt.MouseButton.LeftButton)
    assert window.context.ledger is not old and window.context.ledger.is_server
    assert window.statusBar().currentMessage() == "已重新连接数据库服务器"
    assert tab.table.model().rowCount() == 1  # the tabs reloaded from the new connection
    assert visible_boxes(window) == []

    activate(qtbot, editor)  # the form kept the clerk's text: save it again
    qtbot.keyClick(editor, Qt.Key.Key_S, CTRL)
    assert not editor.isVisible(), editor.error.text()
    assert stored_notes(url) == {"云山康养项目": "三季度开工"}
