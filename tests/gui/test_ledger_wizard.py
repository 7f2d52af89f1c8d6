"""文件 → 导入已有台账…, driven as a clerk would: from an empty ledger, a messy
two-row-header workbook with an unknown stage word and a bad cell, to the import, the
checks' result, and the same file again next time (the mapping remembered)."""

from __future__ import annotations

import os
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard
from sqlalchemy import select

from tests.ledger_messy import LAST_MONTH, TODAY, layout_merged_cumulative, make_truth
from zsdesk.domain.enums import Stage
from zsdesk.store.models import Project

SHOTS = os.environ.get("ZSDESK_SHOTS")
"""A folder to save the wizard's pages as PNG (for looking at them), when set."""


def _shot(widget, name):
    if SHOTS:
        Path(SHOTS).mkdir(parents=True, exist_ok=True)
        widget.grab().save(str(Path(SHOTS) / f"{name}.png"))


def _click(qtbot, wizard, which):
    button = wizard.button(which)
    assert button.isVisible() and button.isEnabled(), which
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def _messy_file(tmp_path):
    truth = make_truth(9, seed=21)
    path = tmp_path / "乙乡招商项目台账2026年10月.xlsx"
    layout_merged_cumulative(path, truth, "乙乡")
    wb = load_workbook(path)
    ws = wb.active
    rows = {ws.cell(r, 2).value: r for r in range(5, ws.max_row + 1)}
    odd = next(p for p in truth if p.stage is Stage.SIGNED)
    ws.cell(rows[odd.name], 5).value = "搁置中"  # a word only this clerk uses, for 签约
    bad = next(p for p in truth if p.stage is Stage.PLANNED)
    ws.cell(rows[bad.name], 6).value = "很多"
    wb.save(path)
    return path, truth, odd, bad, rows[bad.name]


def test_wizard_from_an_empty_ledger_to_the_import_and_again(empty_window, qtbot, tmp_path, qtmodeltester):
    window = empty_window
    if SHOTS:  # the bundled font, as zsdesk's start-up registers it, so the pictures show Chinese
        from PySide6.QtWidgets import QApplication

        from zsdesk.ui.fonts import register_qt_fonts

        register_qt_fonts(QApplication.instance())
    window.set_today(TODAY)
    path, truth, odd, bad, bad_row = _messy_file(tmp_path)
    window.import_ledger_action.trigger()  # 文件 → 导入已有台账…
    wizard = window.ledger_wizard
    qtbot.waitExposed(wizard)

    # 1. the file, its sheet, the unit
    page = wizard.file_page
    page.path_edit.setText(str(path))
    assert page.sheet_combo.currentText() == "台账"
    assert page.unit_combo.currentText() == "甲镇"
    qtbot.keyClick(page.unit_combo, Qt.Key.Key_Down)
    assert page.unit_combo.currentText() == "乙乡"
    _shot(wizard, "1-file")
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)  # the file is read in a worker thread
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.header_page)

    # 2. the header: found under the two title rows, two rows joined
    page = wizard.header_page
    assert wizard.currentPage() is page
    assert (page.row_spin.value(), page.count_spin.value()) == (3, 2)
    assert "到位资金（万元） / 本年累计" in page.joined.text()
    _shot(wizard, "2-header")
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)

    # 3. columns: guessed; the clerk leaves 牵头单位 out and states the cumulative month
    page = wizard.columns_page
    fields = {header: combo for header, combo, _ in page.combos}
    assert fields["行业"].currentData() == "industry"
    assert fields["到位资金（万元） / 本年累计"].currentData() == "funds_cumulative"
    assert fields["总投资额（亿元）"].currentData() == "planned_investment"
    units = {header: unit for header, _, unit in page.combos}
    assert units["总投资额（亿元）"].currentText() == "亿元"
    fields["牵头单位"].setFocus()
    qtbot.keyClick(fields["牵头单位"], Qt.Key.Key_Home)
    assert fields["牵头单位"].currentData() == "ignore"
    assert page.month_spin.value() == LAST_MONTH  # from the title: （截至2026年10月底）
    qtbot.keyClick(page.month_spin, Qt.Key.Key_Up)
    qtbot.keyClick(page.month_spin, Qt.Key.Key_Down)
    assert page.month_spin.value() == LAST_MONTH
    _shot(wizard, "3-columns")
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)

    # 4. values: the unknown stage word is marked and mapped by the clerk
    page = wizard.values_page
    rows = {(kind, word): combo for kind, word, combo in page.combos}
    assert rows[("阶段", "已签约")].currentData() == "signed"
    assert rows[("阶段", "洽谈中")].currentData() == "negotiating"
    assert rows[("是/否", "√")].currentData() is True
    odd_combo = rows[("阶段", "搁置中")]
    assert odd_combo.currentData() == "ignore"
    for _ in range(3):  # 忽略 → 谋划 → 在谈 → 签约
        qtbot.keyClick(odd_combo, Qt.Key.Key_Down)
    assert odd_combo.currentData() == "signed"
    _shot(wizard, "4-values")
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)

    # 5. preview: every row, the bad cell marked where it is
    page = wizard.preview_page
    model = page.view.model()
    qtmodeltester.check(model)
    statuses = [model.index(r, 1).data() for r in range(model.rowCount())]
    assert statuses.count("新增") == len(truth) - 1 and statuses.count("不能导入") == 1
    assert statuses.count("跳过") == 3
    r = next(r for r in range(model.rowCount()) if model.index(r, 0).data() == str(bad_row))
    c = model.heads.index("总投资额（亿元）")
    assert model.index(r, c).data() == "很多"
    assert model.index(r, c).data(Qt.ItemDataRole.BackgroundRole).color().name() == "#f8c8c8"
    assert "“很多”不是金额" in model.index(r, c).data(Qt.ItemDataRole.ToolTipRole)
    assert "新增8个项目" in page.summary.text() and "截至2026年10月的累计" in page.summary.text()
    assert f"工作表“台账”第{bad_row}行F列（总投资额（亿元））" in page.problems.toPlainText()
    _shot(wizard, "5-preview")
    _click(qtbot, wizard, QWizard.WizardButton.CommitButton)

    # 6. the result, with the checks
    page = wizard.result_page
    assert wizard.currentPage() is page
    text = page.label.text()
    assert "已导入：新增8个项目，更新0个" in text and "审核结果：导入的项目有" in text and "1行没有导入" in text
    _shot(wizard, "6-result")
    _click(qtbot, wizard, QWizard.WizardButton.FinishButton)

    with window.context.read() as session:
        stored = {p.name: p for p in session.scalars(select(Project))}
        assert set(stored) == {p.name for p in truth} - {bad.name}
        for p in truth:
            if p is bad:
                continue
            got = stored[p.name]
            assert got.unit.name == "乙乡"
            assert Stage(got.stage) is p.stage
            assert got.planned_investment == p.planned
            assert got.responsible_unit == ""  # the column the clerk left out
            assert got.liaison_leader == p.liaison_leader
            funds = {(f.year, f.month): f.amount for f in got.funds}
            assert funds == ({(2026, LAST_MONTH): p.cumulative} if p.cumulative else {})
    qtbot.waitUntil(lambda: window.projects_tab.model.rowCount() == len(truth) - 1)

    # next time: the remembered mapping (牵头单位 still left out, 搁置中 still 签约) → nothing changes
    window.import_ledger_action.trigger()
    wizard = window.ledger_wizard
    wizard.file_page.path_edit.setText(str(path))
    qtbot.keyClick(wizard.file_page.unit_combo, Qt.Key.Key_Down)
    _click(qtbot, wizard, QWizard.WizardButton.NextButton)
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.header_page)
    for _ in range(3):
        _click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.preview_page
    assert "不变8个" in wizard.preview_page.summary.text()
    _click(qtbot, wizard, QWizard.WizardButton.CommitButton)
    assert "没有改动" in wizard.result_page.label.text()


def test_a_file_that_cannot_be_read_keeps_the_clerk_on_the_first_page(empty_window, qtbot, tmp_path):
    window = empty_window
    wps = tmp_path / "台账.et"
    wps.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100)
    window.import_ledger_action.trigger()
    wizard = window.ledger_wizard
    wizard.file_page.path_edit.setText(str(wps))
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.NextButton), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: wizard.file_page.task is not None and not wizard.file_page.task.running)
    assert wizard.currentPage() is wizard.file_page
    assert "另存为" in wizard.file_page.error_label.text() and ".et" in wizard.file_page.error_label.text()
