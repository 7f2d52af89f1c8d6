"""文件 → 连接县局服务器…: the window opens the bureau's ledger on a PostgreSQL server (issue 15)."""

from __future__ import annotations

import os

from PySide6.QtCore import Qt

from zsdesk.cli.main import main

SHOTS = os.environ.get("ZSDESK_SERVER_SCREENSHOTS")


def _dialog(qtbot, window):
    if SHOTS:
        from PySide6.QtWidgets import QApplication

        from zsdesk.ui.app import register_fonts

        register_fonts(QApplication.instance())  # the bundled Chinese font, as the program starts
    window.connect_server_action.trigger()
    dialog = window.server_dialog
    qtbot.waitExposed(dialog)
    return dialog


def _fill(dialog, cluster, database):
    dialog.host.setText(str(cluster.data))  # the cluster's unix-socket folder
    dialog.port.setValue(cluster.port)
    dialog.database.setText(database)
    dialog.user.setText("zsdesk_test")


def test_connect_to_the_bureau_server_from_a_new_file(qtbot, empty_window, pg_cluster, demo_path, capsys):
    database = pg_cluster.create_database()
    assert main(["server", "init", pg_cluster.url(database), "--from", str(demo_path)]) == 0
    window = empty_window
    assert "项目 0 个" in window.status_label.text()
    assert window.connect_server_action.text().startswith("连接县局服务器")

    dialog = _dialog(qtbot, window)
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)  # nothing filled in yet
    assert dialog.status.text() == "请填写服务器" and dialog.isVisible()

    _fill(dialog, pg_cluster, database)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "连接成功：磐安县"
    if SHOTS:
        dialog.grab().save(os.path.join(SHOTS, "server-dialog.png"))
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)

    ledger = window.context.ledger
    assert ledger.is_server and not ledger.readonly
    assert database in window.windowTitle()
    assert window.location_label.full_text().startswith("postgresql+psycopg://zsdesk_test@/" + database)
    assert "项目 360 个" in window.status_label.text()
    if SHOTS:
        window.resize(1280, 800)
        window.grab().save(os.path.join(SHOTS, "server-window.png"))


def test_a_wrong_database_is_said_and_the_file_stays_open(qtbot, empty_window, pg_cluster):
    window = empty_window
    before = window.context.ledger
    dialog = _dialog(qtbot, window)
    _fill(dialog, pg_cluster, "no_such_ledger")
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text().startswith("连接失败：数据库服务器上没有这个数据库")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert window.context.ledger is before and not before.is_server
    assert "没有这个数据库" in window.last_message_box.text()


def test_the_window_starts_on_a_server_url(qtbot, pg_cluster, demo_path, tmp_path, capsys):
    database = pg_cluster.create_database()
    url = pg_cluster.url(database)
    assert main(["server", "init", url, "--from", str(demo_path)]) == 0
    out = tmp_path / "server.png"
    assert main(["--db", url, "--screenshot", str(out), "--tab", "targets"]) == 0
    assert out.stat().st_size > 20000
    # A server that is not there: one Chinese line, exit 2, as for a missing file.
    capsys.readouterr()
    gone = f"postgresql+psycopg://zsdesk_test@127.0.0.1:{_unused_port()}/zsdesk"
    assert main(["--db", gone, "--screenshot", str(tmp_path / "x.png")]) == 2
    assert "连接不上数据库服务器" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def _unused_port() -> int:
    from tests.pg_support import free_port

    return free_port()
