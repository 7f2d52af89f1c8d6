"""GUI test fixtures: QSettings in a temporary folder, the main window on a ledger."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def qsettings_in_tmp(tmp_path, monkeypatch):
    """Every QSettings of the test writes under tmp_path, never the user's own."""
    from PySide6.QtCore import QSettings, QStandardPaths

    folder = tmp_path / "qsettings"
    folder.mkdir()
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
        QSettings.setPath(QSettings.Format.NativeFormat, scope, str(folder))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    QStandardPaths.setTestModeEnabled(True)
    yield folder
    QStandardPaths.setTestModeEnabled(False)


@pytest.fixture
def window_on(qtbot):
    """A factory: the main window on a ledger file, closed after the test."""
    from zsdesk.ui import main_window

    windows = []

    def build(path):
        window = main_window(path)
        qtbot.addWidget(window)
        windows.append(window)
        return window

    yield build
    for window in windows:
        window.context.close()


@pytest.fixture
def demo_window(window_on, demo_path):
    return window_on(demo_path)


@pytest.fixture
def empty_window(window_on, ledger_path):
    from zsdesk.store.ledger_setup import create_ledger

    create_ledger(ledger_path, "测试县", ["甲镇", "乙乡", "丙街道", "丁园区"]).close()
    return window_on(ledger_path)


@pytest.fixture(autouse=True)
def unsaved_answers(monkeypatch):
    """The 保存 / 不保存 / 取消 question, answered from ``answers`` (then 不保存).

    ``asked`` lists what each question was about, so a test can assert that a question
    was (or was not) asked; no test hangs on a modal box nobody answers.
    """
    from types import SimpleNamespace

    from zsdesk.ui import forms

    state = SimpleNamespace(answers=[], asked=[], real=forms.ask_unsaved)

    def ask(parent, what):
        state.asked.append(what)
        return state.answers.pop(0) if state.answers else forms.DISCARD

    monkeypatch.setattr(forms, "ask_unsaved", ask)
    return state


@pytest.fixture
def bundled_font(qapp):
    """A factory: the program's own font (the bundled Chinese one) at ``point_size`` as
    the application's font, as the program sets it at start; the test's font is put back
    afterwards so text widths measured by later tests do not change."""
    from zsdesk.ui.fonts import DEFAULT_POINT_SIZE, register_qt_fonts

    before = qapp.font()

    def use(point_size: float = DEFAULT_POINT_SIZE):
        return register_qt_fonts(qapp, point_size)

    yield use
    qapp.setFont(before)
