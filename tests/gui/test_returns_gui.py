"""The returns in the window: File → 导出月报 / 导入月报 / 汇总表 / 目标任务分解表."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from PySide6.QtCore import QDate
from PySide6.QtWidgets import QFileDialog
from sqlalchemy import func, select

from zsdesk.domain.periods import YearMonth
from zsdesk.returns import export_return
from zsdesk.returns import layout as L
from zsdesk.store.ledger_setup import create_from
from zsdesk.store.models import ImportRecord, Project, Target, Unit
from zsdesk.ui.returns_dialogs import ReturnPreviewDialog, TargetsPreviewDialog

TODAY = dt.date(2026, 11, 27)
WAIT = 120_000


def _count(window, model) -> int:
    with window.context.read() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_the_file_menu_has_the_returns_actions(demo_window):
    names = [a.objectName() for a in demo_window.menu("file").actions()]
    wanted = ["exportReturnAction", "importReturnsAction", "exportSummaryAction", "exportTargetsAction", "importTargetsAction"]
    for name in wanted:
        assert name in names
    assert names.index("importReturnsAction") < names.index("quitAction")
    texts = [a.text() for a in demo_window.menu("file").actions()]
    assert "导出月报(&M)…" in texts and "导入月报(&I)…" in texts


def _units_by_gate(window):
    from zsdesk.store.checks_query import check_exports
    from zsdesk.store.units import unit_names

    with window.context.read() as session:
        return check_exports(session, unit_names(session), YearMonth(2026, 6))


def test_export_one_units_return_from_the_dialog(demo_window, qtbot, tmp_path):
    """A unit whose return passes its checks goes out through the real export gate."""
    ready, _blocked = _units_by_gate(demo_window)
    unit = next(iter(ready))
    returns = demo_window.returns
    dialog = returns.export_return()
    dialog.unit_combo.setCurrentIndex(dialog.unit_combo.findText(unit))
    dialog.month_edit.setDate(QDate(2026, 6, 1))
    assert dialog.target_edit.text().endswith(f"{unit}-2026年6月月报.xlsx")
    target = tmp_path / "one.xlsx"
    dialog.target_edit.setText(str(target))
    with qtbot.waitSignal(returns.finished, timeout=WAIT) as signal:
        dialog.accept()
    assert "已导出 1 份月报" in signal.args[0]
    ws = openpyxl.load_workbook(target)[L.PROJECT_SHEET]
    assert ws["A1"].value == "磐安县招商引资工作月报表(2026年6月)"
    assert ws["A2"].value == f"填报单位：{unit}"
    assert demo_window.statusBar().currentMessage().startswith("已导出")


def test_a_return_that_fails_its_checks_is_not_written(demo_window, qtbot, tmp_path):
    from PySide6.QtCore import QTimer

    _ready, blocked = _units_by_gate(demo_window)
    unit = next(iter(blocked))
    returns = demo_window.returns
    dialog = returns.export_return()
    dialog.unit_combo.setCurrentIndex(dialog.unit_combo.findText(unit))
    dialog.month_edit.setDate(QDate(2026, 6, 1))
    dialog.target_edit.setText(str(tmp_path / "blocked.xlsx"))
    seen = []

    def cancel_the_gate():
        gate = demo_window.export_gate_dialog
        seen.append(gate.list.count())
        gate.reject()

    QTimer.singleShot(0, cancel_the_gate)
    with qtbot.waitSignal(returns.finished, timeout=WAIT) as signal:
        dialog.accept()
    assert signal.args[0] == "未导出月报"
    assert seen and seen[0] > 0
    assert not (tmp_path / "blocked.xlsx").exists()


def test_the_month_cannot_be_in_the_future(demo_window):
    dialog = demo_window.returns.export_return()
    dialog.month_edit.setDate(QDate(2099, 1, 1))
    today = demo_window.today()
    assert dialog.period == YearMonth(today.year, today.month)


def test_export_every_unit_into_a_folder_chosen_in_the_file_dialog(demo_window, qtbot, tmp_path, monkeypatch):
    folder = tmp_path / "returns"
    folder.mkdir()
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(lambda *args, **kwargs: str(folder)))
    returns = demo_window.returns
    returns.gate = lambda window, units, period: {u: [("规则", "记录", "提示", "说明")] for u in units}
    dialog = returns.export_return()
    dialog.unit_combo.setCurrentIndex(0)
    dialog.month_edit.setDate(QDate(2026, 6, 1))
    dialog.browse_button.click()
    assert dialog.target_edit.text() == str(folder)
    with qtbot.waitSignal(returns.finished, timeout=WAIT):
        dialog.accept()
    files = list(folder.glob("*.xlsx"))
    assert len(files) == 18
    assert openpyxl.load_workbook(files[0])[L.EXPLANATION_SHEET]["B4"].value == "规则"


@pytest.fixture
def county_window(window_on, demo_path, tmp_path):
    create_from(tmp_path / "county.sqlite", demo_path).close()
    return window_on(tmp_path / "county.sqlite")


@pytest.fixture
def returns_files(demo_ledger, tmp_path):
    good = tmp_path / "安文街道.xlsx"
    with demo_ledger.read() as session:
        export_return(session, "安文街道", YearMonth(2026, 6), good, today=TODAY)
    bad = tmp_path / "坏的.xlsx"
    workbook = openpyxl.load_workbook(good)
    workbook[L.PROJECT_SHEET]["D3"] = "投资单位"
    workbook.save(bad)
    return good, bad


def test_import_shows_a_preview_per_file_before_writing(county_window, returns_files, qtbot, monkeypatch):
    good, bad = returns_files
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(good), str(bad)], "")))
    returns = county_window.returns
    county_window.returns.import_returns_action.trigger()
    qtbot.waitUntil(lambda: isinstance(returns.dialog, ReturnPreviewDialog), timeout=WAIT)
    dialog = returns.dialog
    assert dialog.preview.file_name == "安文街道.xlsx"
    assert "安文街道 2026年6月：新增项目 20 个，变更 0 个，未变 0 个" in dialog.summary_label.text()
    assert sum(line.startswith("项目“") for line in dialog.section("new").lines) == 20 and not dialog.clears
    assert dialog.import_button.isEnabled()
    assert _count(county_window, Project) == 0  # nothing written while the preview is open
    changes = []
    county_window.context.data_changed.connect(lambda: changes.append(1))
    dialog.accept()
    assert _count(county_window, Project) == 20 and changes
    second = returns.dialog
    assert isinstance(second, ReturnPreviewDialog) and second is not dialog
    assert second.preview.refused
    assert "表头被改动" in second.summary_label.text() and "坏的.xlsx" in second.summary_label.text()
    assert not second.import_button.isVisible() and not second.import_button.isEnabled()
    with qtbot.waitSignal(returns.finished) as signal:
        second.reject()
    assert signal.args[0] == "导入月报：导入 1 个，跳过 0 个，拒绝 1 个"
    assert _count(county_window, ImportRecord) == 1


def test_skipping_a_preview_writes_nothing(county_window, returns_files, qtbot):
    good, _bad = returns_files
    returns = county_window.returns
    returns.import_returns([good])
    qtbot.waitUntil(lambda: isinstance(returns.dialog, ReturnPreviewDialog), timeout=WAIT)
    with qtbot.waitSignal(returns.finished) as signal:
        returns.dialog.reject()
    assert "跳过 1 个" in signal.args[0]
    assert _count(county_window, Project) == 0 and _count(county_window, ImportRecord) == 0


def test_importing_the_same_return_again_says_it_changes_nothing(county_window, returns_files, qtbot):
    good, _bad = returns_files
    returns = county_window.returns
    for round_ in range(2):
        returns.import_returns([good])
        qtbot.waitUntil(lambda: isinstance(returns.dialog, ReturnPreviewDialog), timeout=WAIT)
        dialog = returns.dialog
        with qtbot.waitSignal(returns.finished):
            dialog.accept()
    assert "导入不会改动任何数据" in dialog.summary_label.text()
    assert _count(county_window, ImportRecord) == 1


def test_summary_and_targets_round_trip_in_the_window(demo_window, county_window, qtbot, tmp_path):
    summary = tmp_path / "汇总.xlsx"
    with qtbot.waitSignal(demo_window.returns.finished, timeout=WAIT) as signal:
        demo_window.returns.export_summary(summary, YearMonth(2026, 6))
    assert "已导出汇总表" in signal.args[0]
    assert "汇总" in openpyxl.load_workbook(summary).sheetnames
    grid = tmp_path / "目标.xlsx"
    with qtbot.waitSignal(demo_window.returns.finished, timeout=WAIT):
        demo_window.returns.export_targets(grid, 2026)
    workbook = openpyxl.load_workbook(grid)
    workbook["目标任务"]["C4"] = 12345.5
    workbook.save(grid)
    returns = county_window.returns
    returns.import_targets(grid)
    qtbot.waitUntil(lambda: isinstance(returns.dialog, TargetsPreviewDialog), timeout=WAIT)
    dialog = returns.dialog
    assert dialog.changes.rowCount() == 1
    assert dialog.changes.item(0, 0).text() == "安文街道" and dialog.changes.item(0, 3).text() == "12345.5"
    with qtbot.waitSignal(returns.finished) as signal:
        dialog.accept()
    assert "修改1项" in signal.args[0]
    with county_window.context.read() as session:
        value = session.scalar(
            select(Target.value).join(Unit).where(Unit.name == "安文街道", Target.indicator == "domestic_funds", Target.year == 2026)
        )
    assert value == 123_455_000


def test_a_refused_targets_file_cannot_be_imported(county_window, qtbot, tmp_path):
    junk = tmp_path / "junk.xlsx"
    junk.write_text("x")
    returns = county_window.returns
    returns.import_targets(junk)
    qtbot.waitUntil(lambda: isinstance(returns.dialog, TargetsPreviewDialog), timeout=WAIT)
    assert not returns.dialog.import_button.isEnabled()
    assert "junk.xlsx" in returns.dialog.summary_label.text()


def test_preview_dialog_screenshot(county_window, returns_files, qtbot, tmp_path):
    """Render the preview so a person can look at it (saved next to the test's files)."""
    good, _bad = returns_files
    returns = county_window.returns
    returns.import_returns([good])
    qtbot.waitUntil(lambda: isinstance(returns.dialog, ReturnPreviewDialog), timeout=WAIT)
    image = returns.dialog.grab()
    assert not image.isNull() and image.width() > 300
    image.save(str(Path(tmp_path) / "preview.png"))
    returns.dialog.reject()
