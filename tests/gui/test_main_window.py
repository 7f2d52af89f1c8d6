"""The main window on the demo county: tabs, menus, extensions, files."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QMenu, QTableView, QWidget

from zsdesk.errors import KnownError
from zsdesk.store.db import open_ledger
from zsdesk.store.projects import project_rows


def test_window_on_the_demo_county(demo_window, demo_path):
    window = demo_window
    assert window.objectName() == "MainWindow"
    assert window.tab_keys()[:3] == ["projects", "investors", "targets"]
    for key in ("file", "edit", "view", "tools", "help"):
        assert isinstance(window.menu(key), QMenu)
    table = window.findChild(QTableView, "projectsTable")
    with open_ledger(demo_path, readonly=True) as ledger, ledger.read() as session:  # the window is the writer
        count = len(project_rows(session, 2026))
    assert count > 100
    window.projects_tab.year_filter.setCurrentIndex(0)  # 全部年份
    assert table.model().rowCount() == count
    assert "磐安县" in window.status_label.text()
    assert demo_path.name in window.windowTitle()


def test_select_tab_and_unknown_tab(demo_window):
    assert demo_window.select_tab("targets").objectName() == "targetsTab"
    assert demo_window.tabs.currentWidget().objectName() == "targetsTab"
    with pytest.raises(KnownError):
        demo_window.select_tab("nothing")


def test_add_tab_from_outside(demo_window):
    widget = QWidget()
    demo_window.add_tab("extra", widget, "额外")
    assert demo_window.select_tab("extra") is widget
    with pytest.raises(ValueError):
        demo_window.add_tab("extra", QWidget(), "again")


def test_write_emits_data_changed_and_updates_status(demo_window, qtbot):
    from zsdesk.store import settings as keys

    with qtbot.waitSignal(demo_window.context.data_changed):
        demo_window.context.write(lambda s: keys.set_setting(s, keys.COUNTY_NAME, "新县名"))
    assert "新县名" in demo_window.status_label.text()


def test_show_error_tells_known_errors_from_bugs(demo_window):
    box = demo_window.show_error(KnownError("台账文件是只读的"))
    assert box.text() == "台账文件是只读的"
    box = demo_window.show_error(ZeroDivisionError("x"))
    assert "内部错误" in box.text()


def test_open_another_file_and_recent_files(demo_window, ledger, qtbot):
    from zsdesk.ui.qsettings import recent_files

    ledger.close()
    with qtbot.waitSignal(demo_window.context.ledger_changed):
        assert demo_window.open_file(ledger.path)
    assert demo_window.context.ledger.path == Path(ledger.path).absolute()
    assert "测试县" in demo_window.status_label.text()
    assert demo_window.findChild(QTableView, "projectsTable").model().rowCount() == 0
    assert recent_files()[0] == str(Path(ledger.path).absolute())
    assert [a.data() for a in demo_window.recent_menu.actions()][:2] == recent_files()[:2]


def test_open_a_file_that_is_not_a_ledger(demo_window, tmp_path):
    bogus = tmp_path / "notes.sqlite"
    bogus.write_text("hello")
    before = demo_window.context.ledger.path
    assert not demo_window.open_file(bogus)
    assert "不是zsdesk台账文件" in demo_window.last_message_box.text()
    assert demo_window.context.ledger.path == before


def test_save_a_copy(demo_window, tmp_path):
    target = demo_window.save_copy_as(tmp_path / "copy.sqlite")
    assert target is not None
    with open_ledger(target) as copy, copy.read() as session:
        assert len(project_rows(session, 2026)) == demo_window.projects_tab.model.total_count()


def test_extensions_are_installed(demo_window, monkeypatch, tmp_path):
    import zsdesk.ui as ui_package

    assert all(name.startswith("ext_") for name in demo_window.installed_extensions)


def test_screenshot_command(demo_path, tmp_path, qapp):
    from zsdesk.cli.main import main

    out = tmp_path / "shot.png"
    assert main(["--db", str(demo_path), "--screenshot", str(out), "--tab", "investors"]) == 0
    from PySide6.QtGui import QImage

    image = QImage(str(out))
    assert (image.width(), image.height()) == (1440, 900)


def test_main_window_function_both_ways(demo_path, qtbot):
    import zsdesk.ui
    from zsdesk.ui import main_window as builder  # the module once imported: callable too

    for build in (zsdesk.ui.main_window, builder):
        window = build(demo_path)
        qtbot.addWidget(window)
        assert window.objectName() == "MainWindow"
        window.context.close()


def test_ledger_settings_dialog_saves_what_the_return_reads(demo_window):
    from zsdesk.store import settings as keys
    from zsdesk.ui.ledger_dialogs import LedgerSettingsDialog

    dialog = LedgerSettingsDialog(demo_window.context, demo_window)
    dialog.fields[keys.CLERK_NAME].setText("李四")
    dialog.fields[keys.REVIEWER].setText("王五")
    dialog.fields[keys.PHONE].setText("0579-1234567")
    dialog.own_unit.setCurrentIndex(dialog.own_unit.findText("尚湖镇"))
    dialog.threshold.setText("3000")
    dialog.accept()
    with demo_window.context.read() as session:
        assert keys.get_setting(session, keys.CLERK_NAME) == "李四"
        assert keys.get_setting(session, keys.REVIEWER) == "王五"
        assert keys.get_setting(session, keys.PHONE) == "0579-1234567"
        assert keys.get_setting(session, keys.OWN_UNIT) == "尚湖镇"
        assert keys.major_threshold(session) == 3000
    assert "尚湖镇" in demo_window.windowTitle()


def test_ledger_settings_refuses_bad_values(demo_window):
    from zsdesk.store import settings as keys
    from zsdesk.ui.ledger_dialogs import LedgerSettingsDialog

    dialog = LedgerSettingsDialog(demo_window.context, demo_window)
    dialog.threshold.setText("-1")
    dialog.accept()
    assert "不能为负数" in dialog.error.text()
    dialog.threshold.setText("5000")
    dialog.fields[keys.COUNTY_NAME].setText("  ")
    dialog.accept()
    assert "县名不能为空" in dialog.error.text()
    with demo_window.context.read() as session:
        assert keys.county_name(session) == "磐安县"


def test_new_ledger_dialog_makes_a_file(qtbot, tmp_path):
    from zsdesk.ui.ledger_dialogs import NewLedgerDialog

    dialog = NewLedgerDialog(folder=tmp_path, year=2026)
    qtbot.addWidget(dialog)
    dialog.county.setText("测试县")
    dialog.units.setPlainText("甲镇\n乙乡")
    assert dialog.own_unit.currentIndex() == -1  # whose file it is: asked, not preselected
    dialog.accept()
    assert "请选择本台账属于哪个单位" in dialog.error.text() and dialog.created_path is None
    dialog.own_unit.setCurrentIndex(dialog.own_unit.findText("乙乡"))
    assert dialog.path.text() == str(tmp_path / "乙乡-2026年台账.sqlite")  # the unit and the year in the name
    dialog.accept()
    assert "请填写填报人" in dialog.error.text() and dialog.created_path is None
    for key, text in (("clerk_name", "张三"), ("reviewer", "李四"), ("phone", "0579-84661234")):
        dialog.sign_off.edits[key].setText(text)
    dialog.units.setPlainText("甲镇\n乙乡\n甲镇")
    dialog.path.setText(str(tmp_path / "new.sqlite"))
    dialog.accept()
    assert "单位名称重复" in dialog.error.text()
    assert dialog.created_path is None
    dialog.units.setPlainText("甲镇\n乙乡")
    assert dialog.own_unit.currentText() == "乙乡"
    dialog.accept()
    assert dialog.created_path == tmp_path / "new.sqlite"
    with open_ledger(dialog.created_path) as ledger, ledger.read() as session:
        from zsdesk.store import settings as keys

        assert keys.get_setting(session, keys.OWN_UNIT) == "乙乡"
        assert keys.get_setting(session, keys.PHONE) == "0579-84661234"


def test_tab_leaves_the_units_box_for_whose_file_it_is(qtbot, tmp_path):
    """Seen in a real window: Tab in 考核单位 typed a tab character and stayed there, so a
    clerk tabbing on to 本台账属于 never got there."""
    from PySide6.QtCore import Qt

    from zsdesk.ui.ledger_dialogs import NewLedgerDialog

    dialog = NewLedgerDialog(folder=tmp_path, year=2026)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.units.setFocus()
    dialog.units.setPlainText("尚湖镇\n冷水镇")
    qtbot.keyClick(dialog.units, Qt.Key.Key_Tab)
    assert dialog.units.toPlainText() == "尚湖镇\n冷水镇"
    assert dialog.own_unit.hasFocus()


def test_a_new_ledger_goes_to_the_documents_folder(qtbot):
    from PySide6.QtCore import QStandardPaths

    from zsdesk.ui.ledger_dialogs import NewLedgerDialog

    dialog = NewLedgerDialog(year=2026)
    qtbot.addWidget(dialog)
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    assert dialog.path.text().startswith(documents) and ".local/share" not in dialog.path.text()


def test_window_state_persists_in_qsettings(window_on, demo_path, qsettings_in_tmp):
    window = window_on(demo_path)
    window.select_tab("investors")
    window.projects_tab.table.setColumnWidth(1, 333)
    window.resize(700, 500)  # the offscreen screen is 800×600
    window.close()
    window.context.close()  # the close deferred by closeEvent: one writer per file (zsdesk.store.filelock)
    assert any(qsettings_in_tmp.rglob("*.ini"))
    again = window_on(demo_path)
    assert again.current_tab_key() == "investors"
    assert again.projects_tab.table.columnWidth(1) == 333
    assert (again.width(), again.height()) == (700, 500)


def test_demo_option_makes_a_fresh_county_in_the_data_folder(qapp, tmp_path, monkeypatch):
    from zsdesk.ui.app import make_demo

    path = make_demo()
    assert path.exists() and path.suffix == ".sqlite"
    with open_ledger(path) as ledger, ledger.read() as session:
        assert len(project_rows(session, 2026)) > 100


def test_run_app_opens_the_last_file(monkeypatch, demo_path, qapp):
    from zsdesk.ui import app as app_module
    from zsdesk.ui.qsettings import add_recent_file

    add_recent_file(demo_path)
    from types import SimpleNamespace

    assert app_module._initial_path(SimpleNamespace(db=None, demo=False)) == demo_path.absolute()


def test_screenshot_of_a_missing_file_is_a_chinese_error(tmp_path, capsys, qapp):
    from zsdesk.cli.main import main

    assert main(["--db", str(tmp_path / "none.sqlite"), "--screenshot", str(tmp_path / "x.png")]) == 2
    assert "找不到台账文件" in capsys.readouterr().err


def test_keyboard_shortcuts(demo_window):
    from PySide6.QtGui import QKeySequence

    assert QKeySequence("Ctrl+Z") in demo_window.undo_action.shortcuts()
    assert QKeySequence("Ctrl+Shift+Z") in demo_window.redo_action.shortcuts()
    assert QKeySequence("Ctrl+N") in demo_window.new_action.shortcuts()
    demo_window.select_tab("targets")
    assert not demo_window.delete_action.isEnabled()  # nothing to delete in the grid
    demo_window.select_tab("projects")
    assert demo_window.delete_action.isEnabled()


def test_first_run_offers_the_demo_county(qtbot):
    from zsdesk.ui.first_run import FirstRunDialog

    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    from PySide6.QtWidgets import QPushButton

    dialog.findChild(QPushButton, "firstRunDemo").click()
    assert dialog.chosen_path is not None and dialog.chosen_path.exists()
    assert dialog.result() == dialog.DialogCode.Accepted
