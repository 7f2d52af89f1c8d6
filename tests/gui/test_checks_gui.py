"""The checks tab and the 简报 window on the demo county (pytest-qt)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox

from zsdesk.domain.checks import Level, summary
from zsdesk.domain.periods import YearMonth
from zsdesk.store.brief_query import write_brief
from zsdesk.store.checks_query import run_checks
from zsdesk.store.db import open_ledger
from zsdesk.store.models import FundRecord, Project
from zsdesk.ui.checks_panel import FindingsModel

JUNE = YearMonth(2026, 6)


def expected_findings(path, unit=None, period=JUNE):
    with open_ledger(path, readonly=True) as ledger, ledger.read() as s:
        return run_checks(s, period, unit=unit)


@pytest.fixture
def panel(demo_window, qtbot):
    demo_window.show()
    qtbot.waitExposed(demo_window)
    panel = demo_window.select_tab("checks")
    panel.set_scope("冷水镇", JUNE)
    return panel


def row_of(panel, predicate):
    for row in range(panel.proxy.rowCount()):
        f = panel.model.finding(panel.proxy.mapToSource(panel.proxy.index(row, 0)).row())
        if predicate(f):
            return row, f
    raise AssertionError("no such finding shown")


def test_tab_and_menu(demo_window):
    assert "checks" in demo_window.tab_keys()
    names = {a.objectName() for a in demo_window.menu("tools").actions()}
    assert {"checksAction", "briefAction"} <= names
    assert demo_window.select_tab("checks").objectName() == "checksPanel"


def test_model_passes_the_model_tester(panel, qtmodeltester):
    assert panel.model.rowCount() > 0
    qtmodeltester.check(panel.model)


def test_panel_lists_the_findings_of_a_unit_and_month(panel, demo_path):
    expected = expected_findings(demo_path, "冷水镇")
    assert [f.key for f in panel.model.findings()] == [f.key for f in expected]
    assert panel.proxy.rowCount() == len(expected)
    text = panel.summary_label.text()
    assert "冷水镇" in text and summary(expected) in text and "尚未说明" in text
    first = panel.proxy.index(0, FindingsModel.LEVEL)
    assert first.data() == "警告"  # most serious first; the demo county has no errors
    assert panel.proxy.index(0, FindingsModel.EXPLANATION).data() == "（未说明）"


def test_whole_file_and_level_filter(panel, demo_path):
    panel.set_scope(None, None)
    with open_ledger(demo_path, readonly=True) as ledger, ledger.read() as s:
        whole = run_checks(s)
    assert panel.model.rowCount() == len(whole)
    panel.level_boxes[Level.HINT].setChecked(False)
    shown = panel.visible_findings()
    assert shown and all(f.level is Level.WARNING for f in shown)
    assert len(shown) == sum(1 for f in whole if f.level is Level.WARNING)
    panel.search.setText("冷水镇")
    assert all("冷水镇" in (f.record.unit or "") or "冷水镇" in f.message for f in panel.visible_findings())


def test_double_click_opens_the_project(panel, qtbot):
    row, finding = row_of(panel, lambda f: f.record.opens and f.record.opens[0] == "project")
    index = panel.proxy.index(row, FindingsModel.RECORD)
    panel.table.scrollTo(index)
    rect = panel.table.visualRect(index)
    # Qt 6 item views see a double click only after the press/release of the first click
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    from zsdesk.ui.project_editor import ProjectEditor

    editors = [w for w in panel.window_.findChildren(ProjectEditor, "projectEditor") if w.project_id == finding.record.id]
    assert editors, "the project editor did not open on the finding's project"


def test_open_a_unit_finding_goes_to_the_targets_tab(demo_window, qtbot, demo_path):
    demo_window.show()
    with demo_window.context.ledger.begin() as s:  # the window is the file's one writer
        s.execute(Project.__table__.update().where(Project.unit_id == 1).values(unit_id=2))
    panel = demo_window.select_tab("checks")
    panel.set_scope(None, JUNE)
    _, finding = row_of(panel, lambda f: f.rule == "target_without_projects")
    assert finding.record.key == "unit:安文街道"
    panel.open_finding(finding)
    assert demo_window.current_tab_key() == "targets"


def test_explain_a_warning_and_find_it_after_reopening(panel, qtbot, demo_path, window_on):
    row, finding = row_of(panel, lambda f: f.level is Level.WARNING and not f.explained)
    panel.table.selectRow(row)
    assert panel.explain_button.isEnabled() and not panel.withdraw_button.isEnabled()
    dialog = panel.explain_selected()
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    dialog.edit.setPlainText("好的。。")
    assert not ok.isEnabled() and "已写 2 个字" in dialog.counter.text()
    dialog.edit.setPlainText("该联系领导已由县政府办确定，下周录入")
    dialog.by_edit.setText("张丽")
    assert ok.isEnabled()
    with qtbot.waitSignal(panel.context.data_changed):
        ok.click()
    shown = {f.key: f for f in panel.model.findings()}[finding.key]
    assert shown.explained and shown.acknowledgement.by == "张丽"
    assert "1个已说明" in panel.summary_label.text()
    assert panel.selected().key == finding.key
    row, _ = row_of(panel, lambda f: f.key == finding.key)
    assert panel.proxy.index(row, FindingsModel.EXPLANATION).data() == "该联系领导已由县政府办确定，下周录入"

    # the file keeps it: another window on the same file shows it
    panel.window_.context.close()
    other = window_on(demo_path)
    other_panel = other.select_tab("checks")
    other_panel.set_scope("冷水镇", JUNE)
    again = {f.key: f for f in other_panel.model.findings()}[finding.key]
    assert again.acknowledgement.explanation == "该联系领导已由县政府办确定，下周录入"


def test_withdraw_an_explanation(panel, qtbot, monkeypatch):
    row, finding = row_of(panel, lambda f: f.level is Level.WARNING)
    panel.table.selectRow(row)
    dialog = panel.explain_selected()
    dialog.edit.setPlainText("已提交申报材料，等待审核")
    dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    assert panel.withdraw_button.isEnabled()
    monkeypatch.setattr(panel.window_, "ask", lambda title, question: True)
    assert panel.withdraw_selected()
    assert not {f.key: f for f in panel.model.findings()}[finding.key].explained


def test_errors_cannot_be_explained(panel, demo_path):
    with panel.window_.context.ledger.begin() as s:  # the window is the file's one writer
        from zsdesk.store.models import Unit

        project_id = s.query(Project.id).join(Unit).filter(Unit.name == "冷水镇").first()[0]
        s.query(FundRecord).filter_by(project_id=project_id, year=2026, month=5).delete()
        s.add(FundRecord(project_id=project_id, year=2026, month=5, amount=Decimal(-1)))
    panel.reload()
    row, finding = row_of(panel, lambda f: f.level is Level.ERROR)
    assert row == 0 and finding.rule == "negative_funds"
    panel.table.selectRow(row)
    assert not panel.explain_button.isEnabled()
    assert panel.explain_selected() is None
    assert "须修改" in panel.summary_label.text()


def test_panel_follows_data_changes(panel, qtbot):
    row, finding = row_of(panel, lambda f: f.rule == "no_liaison_leader")
    project_id = finding.record.id

    def give_leader(session):
        session.get(Project, project_id).liaison_leader = "吴建平"

    with qtbot.waitSignal(panel.context.data_changed):
        panel.context.write(give_leader)
    assert finding.key not in {f.key for f in panel.model.findings()}

    # hidden: marked, then reloaded when shown again
    panel.window_.select_tab("projects")
    assert not panel.isVisible()
    panel.context.write(lambda s: setattr(s.get(Project, project_id), "liaison_leader", ""))
    assert finding.key not in {f.key for f in panel.model.findings()}
    panel.window_.select_tab("checks")
    assert finding.key in {f.key for f in panel.model.findings()}


# ---------------------------------------------------------------- the brief window


@pytest.fixture
def brief(demo_window, qtbot):
    from zsdesk.ui.ext_checks import open_brief

    demo_window.show()
    window = open_brief(demo_window)
    qtbot.waitExposed(window)
    window.set_scope(None, JUNE)
    return window


def test_brief_action_opens_one_window(demo_window, qtbot):
    action = next(a for a in demo_window.menu("tools").actions() if a.objectName() == "briefAction")
    action.trigger()
    first = demo_window.brief_window
    assert first is not None and first.isVisible() and first.objectName() == "briefWindow"
    action.trigger()
    assert demo_window.brief_window is first
    # it opens on the newest month with funds (the demo county's data ends in June 2026)
    assert first.period() == JUNE


def test_brief_window_shows_the_brief(brief, demo_path):
    with open_ledger(demo_path, readonly=True) as ledger, ledger.read() as s:
        expected = write_brief(s, JUNE).text()
    assert brief.text.toPlainText() == expected
    assert "（二）工作进展不平衡。" in expected
    brief.set_scope("冷水镇", JUNE)
    assert brief.text.toPlainText().startswith("冷水镇招商引资工作简报（2026年1-6月）")


def test_copy_and_save(brief, tmp_path):
    brief.copy_button.click()
    assert QGuiApplication.clipboard().text() == brief.text.toPlainText()
    saved = brief.save_as(tmp_path / "简报")
    assert saved == tmp_path / "简报.txt"
    assert saved.read_bytes().decode("utf-8-sig").replace("\r\n", "\n") == brief.text.toPlainText()
    assert "已保存" in brief.status.text()


def test_save_into_a_missing_folder_says_so(brief, tmp_path):
    assert brief.save_as(tmp_path / "没有这个文件夹" / "简报.txt") is None
    box = brief.window_.last_message_box
    assert box is not None and "无法保存简报" in box.text()


def test_brief_follows_the_data(brief, qtbot):
    before = brief.text.toPlainText()

    def add_funds(session):
        project = session.query(Project).filter(Project.foreign_capital.is_(False), Project.signed_on.isnot(None)).first()
        session.query(FundRecord).filter_by(project_id=project.id, year=2026, month=6).delete()
        session.add(FundRecord(project_id=project.id, year=2026, month=6, amount=Decimal(50000)))

    with qtbot.waitSignal(brief.context.data_changed):
        brief.context.write(add_funds)
    assert brief.text.toPlainText() != before


def test_brief_for_a_month_with_no_data(brief):
    brief.set_scope(None, "2024-06")
    assert "台账中没有2024年1-6月的招商数据" in brief.text.toPlainText()


# ---------------------------------------------------------------- the export gate


def _on_gate(window, act):
    """Run ``act(dialog)`` once the gate's modal dialog is open; never leave it hanging."""
    from PySide6.QtCore import QTimer

    def run():
        dialog = window.export_gate_dialog
        try:
            assert dialog is not None and dialog.isVisible()
            act(dialog)
        finally:
            if dialog is not None and dialog.isVisible():
                dialog.reject()

    QTimer.singleShot(0, run)


def _answer_gate(window, button_name):
    from PySide6.QtWidgets import QPushButton

    _on_gate(window, lambda dialog: dialog.findChild(QPushButton, button_name).click())


def test_export_gate_sends_the_clerk_to_the_checks(demo_window):
    from zsdesk.ui.export_gate import confirm_export

    demo_window.show()
    _answer_gate(demo_window, "exportGateChecks")
    assert confirm_export(demo_window, "冷水镇", JUNE) is None
    panel = demo_window.tabs.currentWidget()
    assert panel.objectName() == "checksPanel" and panel.unit() == "冷水镇" and panel.period() == JUNE
    assert panel.selected() is not None and panel.selected().level is Level.WARNING


def test_export_gate_force_and_explained(demo_window, demo_path):
    from zsdesk.store.checks_query import acknowledge
    from zsdesk.ui.export_gate import confirm_export

    demo_window.show()
    _answer_gate(demo_window, "exportGateForce")
    rows = confirm_export(demo_window, "冷水镇", JUNE)
    assert rows and all(r[3] == "警告：未说明（强制导出）" for r in rows)
    _answer_gate(demo_window, "exportGateCancel")
    assert confirm_export(demo_window, "冷水镇", JUNE) is None
    stops = [f for f in expected_findings(demo_path, "冷水镇") if f.level is Level.WARNING]
    demo_window.context.write(
        lambda s: [acknowledge(s, f.rule, f.record.key, "已核实，情况属实，下月补正") for f in stops]
    )
    rows = confirm_export(demo_window, "冷水镇", JUNE)  # no dialog now
    assert len(rows) == len(stops) and all(r[3].startswith("已核实，情况属实，下月补正") for r in rows)


def test_export_gate_with_an_error_offers_no_force(demo_window, demo_path):
    from zsdesk.store.models import Unit
    from zsdesk.ui.export_gate import confirm_export

    with demo_window.context.ledger.begin() as s:  # the window is the file's one writer
        project_id = s.query(Project.id).join(Unit).filter(Unit.name == "冷水镇").first()[0]
        s.query(FundRecord).filter_by(project_id=project_id, year=2026, month=5).delete()
        s.add(FundRecord(project_id=project_id, year=2026, month=5, amount=Decimal(-1)))
    demo_window.show()
    seen = {}

    def look(dialog):
        seen["force"] = dialog.force_button
        seen["text"] = dialog.blocked[0].message
        dialog.reject()

    _on_gate(demo_window, look)
    assert confirm_export(demo_window, "冷水镇", JUNE) is None
    assert seen["force"] is None and "1个错误" in seen["text"]


def test_export_gate_for_several_units(demo_window, demo_path):
    from zsdesk.store.checks_query import acknowledge
    from zsdesk.store.models import Unit
    from zsdesk.ui.export_gate import confirm_exports

    # 尚湖镇 explained everything; 冷水镇 has an error
    stops = [f for f in expected_findings(demo_path, "尚湖镇") if f.level is Level.WARNING]
    with demo_window.context.ledger.begin() as s:  # the window is the file's one writer
        for f in stops:
            acknowledge(s, f.rule, f.record.key, "已核实，情况属实，下月补正")
        project_id = s.query(Project.id).join(Unit).filter(Unit.name == "冷水镇").first()[0]
        s.query(FundRecord).filter_by(project_id=project_id, year=2026, month=5).delete()
        s.add(FundRecord(project_id=project_id, year=2026, month=5, amount=Decimal(-1)))
    demo_window.show()
    seen = {}

    def skip(dialog):
        seen["force"], seen["skip"] = dialog.force_button, dialog.skip_button.text()
        seen["items"] = [dialog.list.item(i).text() for i in range(dialog.list.count())]
        dialog.skip_button.click()

    _on_gate(demo_window, skip)
    answer = confirm_exports(demo_window, ["冷水镇", "尚湖镇"], JUNE)
    assert list(answer) == ["尚湖镇"] and len(answer["尚湖镇"]) == len(stops)
    assert seen["force"] is None and seen["skip"] == "只导出通过审核的1个单位"
    assert any(t.startswith("【错误】到位资金为负数") for t in seen["items"])

    # without the error, forcing exports both, in the order asked
    with demo_window.context.ledger.begin() as s:
        s.query(FundRecord).filter(FundRecord.amount < 0).delete()
    _answer_gate(demo_window, "exportGateForce")
    answer = confirm_exports(demo_window, ["冷水镇", "尚湖镇"], JUNE)
    assert list(answer) == ["冷水镇", "尚湖镇"]
    assert all(r[3] == "警告：未说明（强制导出）" for r in answer["冷水镇"])
    assert all(r[3].startswith("已核实") for r in answer["尚湖镇"])


def test_the_project_editor_has_a_checks_page(panel, qtbot):
    from PySide6.QtWidgets import QWidget

    from zsdesk.ui.project_checks_page import ProjectChecksPage
    from zsdesk.ui.project_editor import EDITOR_PAGES

    assert sum(1 for page in EDITOR_PAGES if page.__name__ == "project_checks_page") == 1
    _, finding = row_of(panel, lambda f: f.rule == "no_liaison_leader")
    editor = panel.open_finding(finding)
    qtbot.addWidget(editor)
    page = editor.findChild(ProjectChecksPage, "projectChecksPage")
    assert page is not None and not page._loaded  # nothing run until the page is looked at
    pages = editor.findChild(QWidget, "projectEditorPages")
    pages.setCurrentWidget(page)
    assert page._loaded
    assert finding.key in {f.key for f in page.findings}
    assert all(f.record.opens == ("project", finding.record.id) for f in page.findings)
    assert any("【警告】没有联系领导" in page.list.item(i).text() for i in range(page.list.count()))


def test_the_detail_names_the_record_as_a_clerk_does(empty_window, qtbot):
    """Issue 13, item 11: a project with no liaison leader, entered from an empty ledger;
    the checks tab says which project by name, never its stored key (project:XM-…)."""
    import datetime as dt

    from zsdesk.domain.enums import Stage

    window = empty_window
    window.set_today(dt.date(2026, 6, 20))
    window.show()
    qtbot.waitExposed(window)
    editor = window.open_project(None)
    editor.fields["name"].setText("尚湖康养小镇")
    editor.fields["unit_id"].setCurrentIndex(editor.fields["unit_id"].findText("甲镇"))
    editor.fields["planned_investment"].setText("600")
    editor.fields["planned_on"].setText("2026-05-01")
    editor.ask_stage_date = lambda stage: dt.date(2026, 6, 2)  # the calendar's answer
    editor.set_stage(Stage.SIGNED)
    assert editor.save(), editor.error.text()
    panel = window.select_tab("checks")
    panel.set_scope("甲镇", JUNE)
    row, finding = row_of(panel, lambda f: f.record.kind == "project")
    panel.table.selectRow(row)
    shown = panel.detail.text()
    assert "项目“尚湖康养小镇”" in shown
    assert "project:" not in shown and finding.record.key not in shown
    row, unit_finding = row_of(panel, lambda f: f.record.kind == "unit")
    panel.table.selectRow(row)
    assert "单位“甲镇”" in panel.detail.text() and "unit:" not in panel.detail.text()


def test_tab_in_the_explanation_goes_on_to_who_explains(panel, qtbot):
    """As in the editors' note fields: Tab leaves the explanation for 说明人, it types no tab."""
    row, _finding = row_of(panel, lambda f: f.level is Level.WARNING and not f.explained)
    panel.table.selectRow(row)
    dialog = panel.explain_selected()
    qtbot.waitExposed(dialog)
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow)
    dialog.edit.setFocus()
    dialog.edit.setPlainText("联系领导待县政府常务会议确定后补录")
    qtbot.keyClick(dialog.edit, Qt.Key.Key_Tab)
    assert dialog.explanation() == "联系领导待县政府常务会议确定后补录"
    assert dialog.by_edit.hasFocus()
    dialog.reject()
