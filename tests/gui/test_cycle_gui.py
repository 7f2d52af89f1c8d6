"""The month's cycle in the window, from a township's own file (never the demo county)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from driving import open_new

from zsdesk.store.ledger_setup import create_ledger

UNITS = ["尚湖镇", "冷水镇", "安文街道"]


@pytest.fixture
def township_window(window_on, tmp_path):
    path = tmp_path / "尚湖镇-2026年台账.sqlite"
    create_ledger(path, "磐安县", UNITS, own_unit="尚湖镇").close()
    window = window_on(path)
    window.show()
    window.activateWindow()
    return window


def test_a_new_event_in_a_townships_file_is_the_townships_and_its_return_carries_it(qtbot, township_window):
    from zsdesk.domain.periods import YearMonth
    from zsdesk.store.checks_query import run_checks
    from zsdesk.ui.events_tab import EventEditor

    window = township_window
    editor = open_new(window, qtbot, "events", EventEditor)[1]
    assert editor.fields["unit_id"].currentText() == "尚湖镇"  # not （县招商局）
    editor.fields["name"].setText("尚湖镇康养项目洽谈会")
    editor.fields["date"].setText("2026-06-10")
    qtbot.mouseClick(editor.findChild(QPushButton, "saveButton"), Qt.MouseButton.LeftButton)
    assert not editor.isVisible(), editor.error.text()
    with window.context.read() as session:
        findings = run_checks(session, YearMonth(2026, 6), unit="尚湖镇", today=dt.date(2026, 6, 30))
    assert not [f for f in findings if f.rule == "event_not_in_return"]
    tab = window.tab("events")
    assert tab.model.total_count() == 1
    assert tab.model.row_at(0).unit == "尚湖镇"


def test_a_preview_that_clears_money_leads_with_it_and_enter_means_cancel(qtbot, window_on, tmp_path, monkeypatch):
    from decimal import Decimal

    from PySide6.QtWidgets import QFileDialog
    from cycle_support import JUNE, TODAY, county_with_projects
    from returns_support import dump
    from zsdesk.returns.export import export_return
    from zsdesk.store.ledger_setup import create_starter
    from zsdesk.store.models import Project
    from zsdesk.store.projects import delete_project, set_funds
    from zsdesk.ui.returns_dialogs import ReturnPreviewDialog

    county = county_with_projects(tmp_path)
    township = create_starter(tmp_path / "尚湖镇.sqlite", county, "尚湖镇")
    with township.begin() as s:
        ids = {p.name: p.id for p in s.query(Project)}
        delete_project(s, ids["尚湖老茶厂改造项目"])
        set_funds(s, ids["尚湖康养小镇项目"], 2026, 6, Decimal("60.5"), TODAY)
    out = tmp_path / "尚湖镇-2026年6月月报.xlsx"
    with township.read() as s:
        export_return(s, "尚湖镇", JUNE, out, today=TODAY)
    township.close()
    before = dump(county)
    window = window_on(county)
    window.show()
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(out)], "")))
    window.returns.import_returns_action.trigger()
    qtbot.waitUntil(lambda: isinstance(window.returns.dialog, ReturnPreviewDialog), timeout=10_000)
    dialog = window.returns.dialog
    assert dialog.clears
    assert dialog.skip_button.text() == "取消" and dialog.skip_button.isDefault()
    assert not dialog.import_button.isDefault()
    shown = dialog.report_view.toPlainText()
    first = shown.index("一、将清除或删除")
    assert first < shown.index("二、将变更") < shown.index("三、将新增")
    assert "“尚湖老茶厂改造项目”" in shown[first:shown.index("二、将变更")]
    assert "50.00万元" in shown[first:shown.index("二、将变更")]
    assert dialog.report_view.horizontalScrollBarPolicy() == Qt.ScrollBarPolicy.ScrollBarAlwaysOff
    dialog.grab().save(str(tmp_path / "preview.png"))
    with qtbot.waitSignal(window.returns.finished):
        qtbot.keyClick(dialog, Qt.Key.Key_Return)  # the tired clerk presses Enter
    assert not dialog.isVisible()
    window.context.close()
    assert dump(county) == before  # nothing imported, nothing lost


def test_the_bureau_makes_starter_files_from_the_file_menu(qtbot, window_on, tmp_path):
    from cycle_support import county_with_projects
    from zsdesk.store import settings as keys
    from zsdesk.store.db import open_ledger
    from zsdesk.ui.ledger_dialogs import StarterFilesDialog

    county = county_with_projects(tmp_path)
    window = window_on(county)
    window.show()
    action = window.findChild(type(window.returns.starter_files_action), "starterFilesAction")
    assert action in window.menu("file").actions()
    action.trigger()
    dialog = window.returns.dialog
    assert isinstance(dialog, StarterFilesDialog)
    dialog.units.item(1).setCheckState(Qt.CheckState.Unchecked)  # 冷水镇 not now
    dialog.year.setValue(2026)
    dialog.folder.setText(str(tmp_path / "起始台账"))
    with qtbot.waitSignal(window.returns.finished) as done:
        qtbot.mouseClick(dialog.findChild(QPushButton, "starterMake"), Qt.MouseButton.LeftButton)
    assert done.args[0].startswith("已生成 2 个起始台账")
    made = sorted(p.name for p in (tmp_path / "起始台账").iterdir())
    assert made == ["安文街道-2026年起始台账.sqlite", "尚湖镇-2026年起始台账.sqlite"]
    with open_ledger(tmp_path / "起始台账" / "尚湖镇-2026年起始台账.sqlite", readonly=True) as ledger, ledger.read() as s:
        assert keys.get_setting(s, keys.OWN_UNIT) == "尚湖镇"


def test_a_townships_file_makes_no_starter_files(township_window):
    township_window.returns.starter_files_action.trigger()
    assert "起始台账由县招商局用全县的台账生成" in township_window.last_message_box.text()


def test_a_townships_dashboard_opens_on_its_own_card(township_window):
    from zsdesk.charts.build import ChartKind

    tab = township_window.select_tab("dashboard")
    assert tab.unit_picker.currentText() == "尚湖镇"
    assert tab.kind_picker.currentData() == ChartKind.CARD
    assert "请在“单位”中选择一个单位" not in (tab.last_error.message if tab.last_error else "")


def test_a_new_investor_in_a_townships_file_is_brought_in_by_the_township(qtbot, township_window):
    from zsdesk.ui.investor_editor import InvestorEditor

    editor = open_new(township_window, qtbot, "investors", InvestorEditor)[1]
    assert editor.fields["unit_id"].currentText() == "尚湖镇"


def test_the_export_dialog_asks_who_signs_and_remembers_it(qtbot, township_window, tmp_path):
    from PySide6.QtCore import QDate
    from PySide6.QtWidgets import QDialogButtonBox

    from zsdesk.store import settings as keys

    window = township_window
    window.set_today(dt.date(2026, 6, 28))
    returns = window.returns
    returns.gate = lambda _window, units, _period: {u: [] for u in units}
    returns.export_return_action.trigger()
    dialog = returns.dialog
    dialog.month_edit.setDate(QDate(2026, 6, 1))
    dialog.target_edit.setText(str(tmp_path / "june.xlsx"))
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and "请填写填报人" in dialog.error.text()  # refused: the return would go out unsigned
    assert not (tmp_path / "june.xlsx").exists()
    dialog.sign_off.edits["clerk_name"].setText("张三")
    dialog.sign_off.edits["reviewer"].setText("李四")
    qtbot.keyClicks(dialog.sign_off.edits["phone"], "0579-84661234")
    with qtbot.waitSignal(returns.finished, timeout=20_000):
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert (tmp_path / "june.xlsx").exists()
    with window.context.read() as session:
        assert [keys.get_setting(session, k) for k in (keys.CLERK_NAME, keys.REVIEWER, keys.PHONE)] == [
            "张三", "李四", "0579-84661234"]
    returns.export_return_action.trigger()
    assert returns.dialog.sign_off.edits["reviewer"].text() == "李四"  # remembered for next month


def test_a_townships_projects_list_opens_on_its_own_unit(window_on, tmp_path):
    path = tmp_path / "尚湖镇-2026年台账.sqlite"
    create_ledger(path, "磐安县", UNITS, own_unit="尚湖镇").close()
    tab = window_on(path).select_tab("projects")
    assert tab.unit_filter.currentText() == "尚湖镇"
    # The county's file keeps every unit in view.
    county = tmp_path / "磐安县.sqlite"
    create_ledger(county, "磐安县", UNITS).close()
    assert window_on(county).select_tab("projects").unit_filter.currentText() == "全部单位"
