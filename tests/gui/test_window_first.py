"""Window first (issue 18 part 1, item 1): ``zsdesk --db PATH`` shows the main window at
once — menus, tabs, "正在打开…", actions that need a ledger disabled — and opens the
ledger behind it; a ledger that cannot be opened is said in that window, which stays and
offers 打开其他台账…; a damage found by the background check is said the same way and
nothing is written to the file."""

from __future__ import annotations

import argparse
import subprocess
import sys

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton

from tests.integrity_support import damage_quietly, digest, fold
from zsdesk.store.filelock import WriterLock
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.ui import app as zapp
from zsdesk.ui.main_window import MainWindow
from zsdesk.ui.opening import open_in_window

WAIT = 30_000


@pytest.fixture
def county(ledger_path):
    create_ledger(ledger_path, "测试县", ["甲镇", "乙乡"]).close()
    fold(ledger_path)
    return ledger_path


@pytest.fixture
def windows(qtbot):
    made = []
    yield made
    for window in made:
        opening = getattr(window, "opening", None)
        if opening is not None and opening.opener is not None:
            opening.opener.wait()
        if window.context is not None:
            window.context.close()
        window.hide()
        window.deleteLater()


def start(qtbot, windows, path) -> MainWindow:
    """What ``zsdesk --db PATH`` does after Qt is up: the window, then the ledger behind it."""
    window = MainWindow()
    qtbot.addWidget(window)
    windows.append(window)
    window.show()
    open_in_window(window, path)
    return window


def actions(window) -> dict[str, QAction]:
    return {a.objectName(): a for a in window.findChildren(QAction) if a.objectName()}


def new_main_windows(before) -> list:
    """The visible main windows made since ``before`` (other tests' windows may linger)."""
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, MainWindow) and w.isVisible() and not any(w is old for old in before)
    ]


def problem_shown(window) -> bool:
    page = getattr(window, "open_problem", None)
    return page is not None and window.pages.currentWidget() is page


def test_zsdesk_db_shows_the_window_first_then_fills_it(county, qtbot, monkeypatch, windows):
    seen = {}

    def event_loop(app):
        [window] = new_main_windows(before)
        windows.append(window)
        seen["title"] = window.windowTitle()
        seen["tabs"] = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        seen["menus"] = [a.text() for a in window.menuBar().actions()]
        seen["enabled"] = {name for name, a in actions(window).items() if a.isEnabled()}
        seen["attached"] = window.is_attached()
        qtbot.waitUntil(window.is_attached, timeout=WAIT)
        return 0

    before = QApplication.topLevelWidgets()
    monkeypatch.setattr(QApplication, "exec", event_loop)
    assert zapp.run_app(argparse.Namespace(db=str(county))) == 0

    assert not seen["attached"] and "正在打开" in seen["title"]
    assert seen["tabs"] == ["项目", "客商", "目标任务", "招商活动"]
    assert seen["menus"] == ["文件(&F)", "编辑(&E)", "查看(&V)", "工具(&T)", "帮助(&H)"]
    assert "newRecordAction" not in seen["enabled"] and "refreshAction" not in seen["enabled"]
    assert "quitAction" in seen["enabled"]

    [window] = windows
    assert "测试县" in window.windowTitle() and "正在打开" not in window.windowTitle()
    assert "单位 2 个" in window.status_label.text()
    assert window.current_tab_key() == "projects" and window.tabs.tabText(0) == "项目"
    assert actions(window)["refreshAction"].isEnabled()
    # the clerk can work: 新建项目 opens an editor
    qtbot.mouseClick(window.projects_tab.new_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: len(window.open_forms()) == 1, timeout=WAIT)
    window.close_open_forms()


def test_the_window_needs_neither_sqlalchemy_nor_the_store_to_be_shown(tmp_path):
    code = (
        "import sys\n"
        "from zsdesk.ui.app import _application\n"
        "app = _application(offscreen=True)\n"
        "from zsdesk.ui.main_window import MainWindow\n"
        "window = MainWindow(); window.show(); app.processEvents()\n"
        "print(window.isVisible(), sorted(m for m in sys.modules if m.startswith(('sqlalchemy', 'zsdesk.store.'))))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 1) == ["True", "[]\n"]


def test_zsdesk_db_paints_its_window_before_sqlalchemy_loads(tmp_path):
    """The real entry point, ``python -m zsdesk --db FILE``: everything the command line does
    before the window (options, the password retry) leaves SQLAlchemy and the store for after
    the first paint. (An ``except PasswordNeeded`` that imported store.server cost every
    start 0.2 s of CPU before the window, unseen by the test above.) So does PySide's Qt
    namespace, built whole (12 ms) the first time a Qt enum is named — a setShortcut, an
    alignment, the native-dialogs attribute — and the attribute is set once it is filled."""
    import json
    import os

    path = tmp_path / "县.sqlite"
    create_ledger(path, "测试县", ["甲镇"]).close()
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", ZSDESK_REPORT_START="1")
    result = subprocess.run(
        [sys.executable, "-m", "zsdesk", "--db", str(path)], capture_output=True, text=True, timeout=120, env=env
    )
    assert result.returncode == 0, result.stderr
    shown = next(line for line in result.stdout.splitlines() if line.startswith("SHOWN "))
    assert json.loads(shown.split(" ", 3)[3]) == {"loaded_before": []}
    filled = next(line for line in result.stdout.splitlines() if line.startswith("FILLED "))
    assert json.loads(filled.split(" ", 3)[3])["filled"] is True
    assert json.loads(filled.split(" ", 3)[3])["qt_dialogs"] is True  # Qt's own, translated file dialogs


def test_a_damage_found_after_the_window_filled_is_said_there_and_nothing_is_written(
    county, tmp_path, qtbot, monkeypatch, windows
):
    damage_quietly(county)
    before = digest(county)
    window = start(qtbot, windows, county)
    qtbot.waitUntil(lambda: problem_shown(window), timeout=WAIT)

    message = window.findChild(type(window.status_label), "openProblemMessage").text()
    assert "已损坏" in message and str(county) in message and "没有找到可用的备份" in message
    assert not actions(window)["newRecordAction"].isEnabled()
    assert digest(county) == before

    # the window stays and opens another ledger
    other = tmp_path / "other.sqlite"
    create_ledger(other, "另一县", ["丙镇"]).close()
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(other), ""))
    button = window.findChild(QPushButton, "openOtherButton")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.context.ledger.path == other and window.pages.currentWidget() is window.tabs, timeout=WAIT)
    assert "另一县" in window.windowTitle()
    assert digest(county) == before


def test_a_file_damaged_where_opening_reads_is_said_in_the_window(county, tmp_path, qtbot, monkeypatch, windows):
    data = bytearray(county.read_bytes())
    for offset in range(4096, min(len(data), 40 * 4096), 97):
        data[offset] = 0xA5
    county.write_bytes(bytes(data))
    before = digest(county)
    window = start(qtbot, windows, county)
    qtbot.waitUntil(lambda: problem_shown(window), timeout=WAIT)
    assert not window.is_attached() and window.isVisible()
    assert "无法打开台账" in window.windowTitle()
    assert "已损坏" in window.open_problem.message.text()
    assert actions(window)["openLedgerAction"].isEnabled()
    assert digest(county) == before


def test_a_file_held_by_another_writer_is_said_and_can_be_opened_read_only(county, qtbot, windows):
    other_writer = WriterLock.acquire(county, clerk="李四")
    try:
        window = start(qtbot, windows, county)
        qtbot.waitUntil(lambda: problem_shown(window), timeout=WAIT)
        message = window.open_problem.message.text()
        assert "李四" in message or "正被" in message or "使用" in message, message
        button = window.findChild(QPushButton, "openReadOnlyButton")
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(window.is_attached, timeout=WAIT)
        assert window.context.ledger.readonly and "只读" in window.windowTitle()
        assert not actions(window)["newRecordAction"].isEnabled()
    finally:
        other_writer.release()


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda path: None, "找不到台账文件"),
        (lambda path: path.write_bytes(b"not a ledger at all"), "不是zsdesk台账文件"),
    ],
)
def test_a_missing_or_foreign_file_is_said_in_the_window(ledger_path, qtbot, windows, make, words):
    make(ledger_path)
    window = start(qtbot, windows, ledger_path)
    qtbot.waitUntil(lambda: problem_shown(window), timeout=WAIT)
    assert words in window.open_problem.message.text()
    assert window.findChild(QPushButton, "openOtherButton").isVisible()


def test_a_file_from_a_newer_zsdesk_is_said_in_the_window(county, qtbot, windows):
    import sqlite3

    raw = sqlite3.connect(county)
    raw.execute("UPDATE alembic_version SET version_num = '9999'")
    raw.commit()
    raw.close()
    window = start(qtbot, windows, county)
    qtbot.waitUntil(lambda: problem_shown(window), timeout=WAIT)
    assert "更新版本" in window.open_problem.message.text()


def test_the_first_run_dialog_leads_to_the_window_first_path(county, qtbot, monkeypatch, windows):
    """No --db and no recent file: the first-run dialog; the file chosen there opens behind
    the window like --db."""
    from PySide6.QtCore import QTimer

    from zsdesk.ui.first_run import FirstRunDialog

    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(county), ""))
    asked = []

    def choose_existing():
        [dialog] = [w for w in QApplication.topLevelWidgets() if isinstance(w, FirstRunDialog) and w.isVisible()]
        asked.append(dialog.windowTitle())
        qtbot.mouseClick(dialog.findChild(QPushButton, "firstRunOpen"), Qt.MouseButton.LeftButton)

    seen = {}

    def event_loop(app):
        [window] = new_main_windows(before)
        windows.append(window)
        seen["opening"] = "正在打开" in window.windowTitle()
        qtbot.waitUntil(window.is_attached, timeout=WAIT)
        return 0

    before = QApplication.topLevelWidgets()
    QTimer.singleShot(0, choose_existing)
    monkeypatch.setattr(QApplication, "exec", event_loop)
    assert zapp.run_app(argparse.Namespace(db=None, demo=False)) == 0
    assert asked == ["欢迎使用 zsdesk 招商引资台账"] and seen["opening"]
    [window] = windows
    assert "测试县" in window.windowTitle()


def test_a_damaged_file_with_a_good_backup_is_restored_from_the_window(county, qtbot, windows):
    from zsdesk.store.db import open_ledger

    open_ledger(county).close()  # the day's backup, taken while the file was sound
    damage_quietly(county)
    damaged = digest(county)
    window = start(qtbot, windows, county)
    qtbot.waitUntil(lambda: problem_shown(window), timeout=WAIT)
    assert "最近一份完好的备份" in window.open_problem.message.text()

    qtbot.mouseClick(window.findChild(QPushButton, "restoreBackupButton"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.pages.currentWidget() is window.tabs, timeout=WAIT)
    ledger = window.context.ledger
    assert ledger.path == county and not ledger.readonly
    ledger.integrity.wait()
    assert ledger.integrity.sound  # the restored file passes the check it failed
    assert "测试县" in window.windowTitle()
    assert digest(county) != damaged


def test_closing_the_window_while_the_ledger_opens_leaves_the_file_free(county, qtbot, windows):
    window = start(qtbot, windows, county)
    window.close()
    qtbot.wait(300)  # whatever was still to run has run
    assert window.context is None
    lock = WriterLock.acquire(county)  # nobody holds the file
    lock.release()


def test_a_server_opens_behind_the_window_and_an_unreachable_one_is_said_there(
    qtbot, windows, pg_cluster, ledger_path
):
    from tests.pg_support import free_port
    from zsdesk.cli.main import main

    create_ledger(ledger_path, "服务器县", ["甲镇"]).close()
    url = pg_cluster.url(pg_cluster.create_database())
    assert main(["server", "init", url, "--from", str(ledger_path)]) == 0
    window = start(qtbot, windows, url)
    qtbot.waitUntil(window.is_attached, timeout=WAIT)
    assert window.context.ledger.is_server and "服务器县" in window.windowTitle()

    gone = f"postgresql+psycopg://zsdesk_test:secret@127.0.0.1:{free_port()}/zsdesk"
    window = start(qtbot, windows, gone)
    assert "zsdesk_test@127.0.0.1" in window.location_label.toolTip()
    assert "secret" not in window.location_label.toolTip()  # the opening line hides a typed password
    qtbot.waitUntil(lambda: problem_shown(window), timeout=WAIT)
    assert "连接不上数据库服务器" in window.open_problem.message.text()
    assert "secret" not in window.open_problem.message.text()
    assert window.findChild(QPushButton, "openReadOnlyButton") is None
