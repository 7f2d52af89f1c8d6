"""连接县局服务器… when the server wants a password and no pgpass file has it (issue 15
item 3): the dialog asks for it with echo off, and it goes to the connection only — never
into the settings, the recent list, the URL shown or the title."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLineEdit

from tests.pg_support import PASSWORD, PASSWORD_USER
from zsdesk.cli.main import main
from zsdesk.store import server

SHOTS = os.environ.get("ZSDESK_SERVER_SCREENSHOTS")


@pytest.fixture
def no_pgpass(tmp_path, monkeypatch):
    """No password anywhere libpq looks: PGPASSFILE names a file that is not there."""
    monkeypatch.setenv("PGPASSFILE", str(tmp_path / "no-pgpass"))
    monkeypatch.delenv("PGPASSWORD", raising=False)
    yield
    server._PASSWORDS.clear()


@pytest.fixture
def clerk_database(pg_cluster, demo_path):
    database = pg_cluster.create_database()
    assert main(["server", "init", pg_cluster.url(database), "--from", str(demo_path)]) == 0
    pg_cluster.login_role(PASSWORD_USER, database)  # the clerk's rights on the tables
    return database


def every_saved_text(tmp_path: Path) -> str:
    """Everything the program wrote under the test's folders (QSettings, XDG data/config)."""
    texts = []
    for path in tmp_path.rglob("*"):
        if path.is_file() and path.stat().st_size < 1_000_000:
            texts.append(path.read_bytes().decode("utf-8", "replace"))
    return "\n".join(texts)


def test_the_dialog_asks_for_the_password_and_keeps_it_nowhere(qtbot, empty_window, pg_cluster, clerk_database, no_pgpass, tmp_path, capsys):
    window = empty_window
    if SHOTS:
        from PySide6.QtWidgets import QApplication

        from zsdesk.ui.app import register_fonts

        register_fonts(QApplication.instance())
    window.connect_server_action.trigger()
    dialog = window.server_dialog
    qtbot.waitExposed(dialog)
    assert not dialog.asks_password()
    dialog.host.setText("127.0.0.1")
    dialog.port.setValue(pg_cluster.port)
    dialog.database.setText(clerk_database)
    dialog.user.setText(PASSWORD_USER)

    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.asks_password()
    assert dialog.status.text() == "服务器要求密码：请输入此用户的密码（不会被保存）"
    assert dialog.password.echoMode() == QLineEdit.EchoMode.Password
    if SHOTS:
        dialog.password.setText("typed")
        dialog.grab().save(os.path.join(SHOTS, "server-password.png"))
        dialog.password.clear()
    assert not window.context.ledger.is_server and window.last_message_box is None

    dialog.password.setText("wrong-password")
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert dialog.status.text().startswith("连接失败：数据库服务器拒绝登录：用户名或密码不对")
    assert dialog.password.text() == "" and server._PASSWORDS == {}

    dialog.password.setText(PASSWORD)
    qtbot.mouseClick(dialog.test_button, Qt.MouseButton.LeftButton)
    assert dialog.status.text() == "连接成功：磐安县"
    qtbot.mouseClick(dialog.connect_button, Qt.MouseButton.LeftButton)
    ledger = window.context.ledger
    assert ledger.is_server and not ledger.readonly
    assert "项目 360 个" in window.status_label.text()
    location = window.location_label
    for shown in (ledger.url, ledger.location, str(ledger.path), window.windowTitle(), window.status_label.text(),
                  location.text(), location.toolTip()):
        assert PASSWORD not in shown
    assert f"{PASSWORD_USER}@127.0.0.1:{pg_cluster.port}/{clerk_database}" in location.full_text()
    # A write goes through on the password typed (the engine's new connections use it).
    window.context.ledger.engine.dispose()
    from zsdesk.store.settings import CLERK_NAME, get_setting, set_setting

    window.context.write(lambda s: set_setting(s, CLERK_NAME, "张丽"))
    with window.context.read() as s:
        assert get_setting(s, CLERK_NAME) == "张丽"
    window.save_state()
    window.close()
    saved = every_saved_text(tmp_path)
    assert clerk_database in saved  # the recent-servers list was written …
    assert PASSWORD not in saved  # … without the password


def test_the_command_line_asks_on_a_terminal_and_says_one_line_otherwise(pg_cluster, clerk_database, no_pgpass, monkeypatch, capsys):
    url = pg_cluster.tcp_url(clerk_database)
    capsys.readouterr()
    assert main(["progress", "--db", url, "--month", "2026-06"]) == 2  # not a terminal
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("错误：数据库服务器要求密码，但没有找到")

    import getpass
    import sys

    asked = []
    monkeypatch.setattr(sys.stdin, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(getpass, "getpass", lambda prompt: asked.append(prompt) or PASSWORD)
    assert main(["progress", "--db", url, "--month", "2026-06"]) == 0
    out = capsys.readouterr().out
    assert "磐安县" in out or "合计" in out
    assert asked == [f"数据库密码（{url}）："]
    assert PASSWORD not in out
