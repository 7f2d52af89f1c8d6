"""The clerk's first day, starting from nothing (no demo county).

The bureau makes its county file and the starter files (services and the command line,
as the bureau's side may); the township clerk starts at the first-run dialog, opens the
starter file, sees the targets the county set, enters three projects with their monthly
funds, an investor with a contact and a visit, and an event, explains the one warning,
exports the June return; the bureau imports it through its window, and the county shows
the same figures and the township's explanation. Keys and clicks where a clerk uses them;
Chinese text is put in with setText (QTest cannot type it).

With ZSDESK_DOC_SCREENSHOTS=1 the screenshots of this run are also written to docs/img/
for the quick-start guide (docs/快速上手.md).
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QFileDialog, QMessageBox, QPushButton

from driving import activate, open_new, press, type_into

from zsdesk.domain.checks import Level
from zsdesk.domain.enums import Indicator, Stage
from zsdesk.domain.periods import YearMonth

TODAY = dt.date(2026, 6, 28)
JUNE = YearMonth(2026, 6)
UNITS = ["尚湖镇", "冷水镇", "安文街道"]
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
WAIT = 20_000


class Shots:
    """Screenshots of the run: always under tmp_path, and into docs/img/ when asked."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.folder.mkdir(parents=True, exist_ok=True)
        self.to_docs = os.environ.get("ZSDESK_DOC_SCREENSHOTS") == "1"
        self.taken: list[Path] = []

    def __call__(self, widget, name: str) -> Path:
        QApplication.processEvents()
        pixmap = widget.grab()
        if pixmap.width() > 1100:
            pixmap = pixmap.scaledToWidth(1100, Qt.TransformationMode.SmoothTransformation)
        path = self.folder / f"{name}.png"
        assert pixmap.save(str(path)), path
        self.taken.append(path)
        if self.to_docs:  # kept small for the repository: 256 colours are plenty for a dialog
            from PIL import Image

            DOCS_IMG.mkdir(parents=True, exist_ok=True)
            with Image.open(path) as image:
                image.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT).save(
                    DOCS_IMG / path.name, optimize=True
                )
        return path


@pytest.fixture
def shots(tmp_path):
    from zsdesk.ui.app import register_fonts

    register_fonts(QApplication.instance())  # the bundled Chinese font, as the program starts
    return Shots(tmp_path / "shots")


def bureau_prepares(folder: Path) -> tuple[Path, Path]:
    """The county file with 尚湖镇's targets and one project the county already holds; the starter files."""
    from cycle_support import signed_project, unit_id
    from zsdesk.cli.main import main
    from zsdesk.store.ledger_setup import create_ledger
    from zsdesk.store.targets import set_target

    folder.mkdir()
    county = folder / "磐安县2026年招商台账.sqlite"
    ledger = create_ledger(county, "磐安县", UNITS)
    with ledger.begin() as s:
        shang = unit_id(s, "尚湖镇")
        set_target(s, shang, 2026, Indicator.DOMESTIC_FUNDS, "3000")
        set_target(s, shang, 2026, Indicator.SIGNED_PROJECTS, "4")
        set_target(s, None, 2026, Indicator.DOMESTIC_FUNDS, "20000")
        signed_project(s, "尚湖老茶厂改造项目", {1: "30"})
    ledger.close()
    assert main(["starter-files", "--db", str(county), "--year", "2026", "--out", str(folder / "起始台账")]) == 0
    starter = folder / "起始台账" / "尚湖镇-2026年起始台账.sqlite"
    assert starter.exists()
    return county, starter


def open_new_editor(qtbot, window, tab_key, editor_class):
    """Ctrl+N on the tab; the editor it opened, as the window the keys go to."""
    _tab, editor = open_new(window, qtbot, tab_key, editor_class)
    return editor


def answer_next_question(qtbot, key, asked: list[str]) -> None:
    """The question box about to open gets ``key`` from the clerk (是(Y), or Enter for its
    default button); what it asked is added to ``asked``. Nothing opened: nothing pressed."""

    def answer():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.isVisible():
            asked.append(box.text())
            qtbot.keyClick(box, key)

    QTimer.singleShot(0, answer)


def press_and_answer(qtbot, key, answer_key, asked: list[str]) -> None:
    """``key`` to the focused widget; a question it opens gets ``answer_key``."""
    answer_next_question(qtbot, answer_key, asked)
    press(qtbot, key)
    QApplication.processEvents()  # no question: the answer is spent here, not on a later box


def type_date(qtbot, field, text: str, asked: list[str]) -> None:
    """A stage date typed and left with Tab, as a clerk does; 是(Y) to the offer of moving
    the project to that stage, if the editor makes one."""
    activate(qtbot, field.window())  # the keys go to the editor again once a question has closed
    type_into(qtbot, field, text)
    press_and_answer(qtbot, Qt.Key.Key_Tab, Qt.Key.Key_Y, asked)


def click_page(qtbot, editor, title: str) -> None:
    bar = editor.pages.tabBar()
    index = next(i for i in range(bar.count()) if bar.tabText(i) == title)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert editor.pages.currentIndex() == index


def enter_project(qtbot, window, name, investor, funds: dict[int, str], leader: str, shots=None):
    from zsdesk.ui.project_editor import ProjectEditor

    editor = open_new_editor(qtbot, window, "projects", ProjectEditor)
    f = editor.fields
    assert f["unit_id"].currentText() == "尚湖镇"  # a township's file: its own unit
    f["name"].setText(name)
    qtbot.keyClick(f["name"], Qt.Key.Key_Tab)
    f["investor"].setText(investor)
    f["industry"].setCurrentText("健康")
    type_into(qtbot, f["planned_investment"], "8000")
    assert "请在“阶段与申报”页填写到达“谋划”的日期" in editor.stage_hint.text()
    # the stage page: each date typed; a later stage's date offers to move the project there
    click_page(qtbot, editor, "阶段与申报")
    asked: list[str] = []
    type_date(qtbot, f["planned_on"], "2026-01-10", asked)
    assert asked == [], "the project's own stage: nothing to offer"
    type_date(qtbot, f["negotiating_on"], "2026-02-20", asked)
    type_date(qtbot, f["signed_on"], "2026-03-15", asked)
    assert len(asked) == 2 and "改为“在谈”" in asked[0] and "改为“签约”" in asked[1], asked
    assert f["stage"].currentData() == Stage.SIGNED.value and editor.stage_hint.text() == ""
    f["liaison_leader"].setText(leader)
    f["responsible_unit"].setText("尚湖镇人民政府")
    editor.funds_year.setValue(2026)
    for month, amount in funds.items():
        editor.funds_grid.item(0, month - 1).setText(amount)
    click_page(qtbot, editor, "基本信息")
    if shots:
        shots(editor, "04-项目编辑")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.isVisible(), editor.error.text()


def test_the_clerks_first_day_from_nothing_to_the_county(qtbot, tmp_path, monkeypatch, window_on, shots, unsaved_answers):
    from cycle_support import unit_id
    from zsdesk.store import settings as keys
    from zsdesk.store.checks_query import run_checks
    from zsdesk.store.db import open_ledger
    from zsdesk.store.progress_query import load_progress
    from zsdesk.ui import forms
    from zsdesk.ui.checks_panel import ExplainDialog
    from zsdesk.ui.events_tab import EventEditor
    from zsdesk.ui.first_run import FirstRunDialog
    from zsdesk.ui.investor_editor import InvestorEditor
    from zsdesk.ui.ledger_dialogs import SignOffDialog
    from zsdesk.ui.returns_dialogs import ReturnPreviewDialog

    monkeypatch.setenv("HOME", str(tmp_path / "home"))  # Documents is the clerk's, here under tmp_path
    county, starter = bureau_prepares(tmp_path / "县招商局")

    # -- the clerk's first start: the starter file the bureau sent ----------------------
    first = FirstRunDialog()
    qtbot.addWidget(first)
    first.show()
    shots(first, "01-首次启动")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(starter), "")))
    seen_sign_off = []

    def sign_off():
        dialog = first.findChild(SignOffDialog)
        seen_sign_off.append(dialog)
        edits = dialog.fields.edits
        edits["clerk_name"].setText("张三")
        edits["reviewer"].setText("李四")
        qtbot.keyClicks(edits["phone"], "0579-84661234")
        shots(dialog, "02-填报人")
        qtbot.mouseClick(dialog.findChild(QPushButton, "okButton"), Qt.MouseButton.LeftButton)

    QTimer.singleShot(0, sign_off)
    qtbot.mouseClick(first.findChild(QPushButton, "firstRunStarter"), Qt.MouseButton.LeftButton)
    assert seen_sign_off and first.result() == first.DialogCode.Accepted
    mine = first.chosen_path
    assert mine.name == "尚湖镇-2026年台账.sqlite" and mine.parent.name == "Documents"
    assert starter.exists()  # the file as it came stays as it came

    window = window_on(mine)
    window.set_today(TODAY)
    window.resize(1280, 800)
    window.show()
    window.activateWindow()
    assert "尚湖镇" in window.windowTitle()

    # -- the targets are the county's, shown read-only with where they came from -------
    targets = window.select_tab("targets")
    targets.year.setCurrentIndex(targets.year.findData(2026))
    assert "由县招商局下达" in targets.legend.text() and "磐安县2026年招商台账.sqlite" in targets.legend.text()
    cell = targets.cell("尚湖镇", Indicator.DOMESTIC_FUNDS)
    assert cell.data().replace(",", "").startswith("3000")
    assert not (cell.flags() & Qt.ItemFlag.ItemIsEditable)
    targets.table.setCurrentIndex(cell)
    qtbot.keyClicks(targets.table, "12000")  # a clerk trying to type over it changes nothing
    qtbot.keyClick(targets.table, Qt.Key.Key_Return)
    with window.context.read() as s:
        assert load_progress(s, JUNE).get("尚湖镇", Indicator.DOMESTIC_FUNDS).target == Decimal(3000)
    shots(window, "03-目标任务")

    # -- three projects through the editor; the first appears in the empty list -------
    projects = window.select_tab("projects")
    projects.year_filter.setCurrentIndex(0)
    assert projects.model.total_count() == 1  # the project the county already held
    enter_project(qtbot, window, "尚湖康养小镇项目", "杭州康养投资有限公司", {3: "120.5", 6: "300.25"}, "王县长", shots)
    assert projects.model.total_count() == 2
    assert any(projects.model.row_at(r).name == "尚湖康养小镇项目" for r in range(projects.model.rowCount()))
    enter_project(qtbot, window, "尚湖中药材加工项目", "浙江本草药业有限公司", {5: "80"}, "陈副县长")
    enter_project(qtbot, window, "尚湖民宿集群项目", "上海山居文旅有限公司", {6: "12"}, "")  # no leader yet
    assert projects.model.total_count() == 4
    shots(window, "05-项目列表")

    # -- an investor with a contact and a visit --------------------------------------
    investor = open_new_editor(qtbot, window, "investors", InvestorEditor)
    assert investor.fields["unit_id"].currentText() == "尚湖镇"
    investor.fields["name"].setText("宁波海创文旅集团有限公司")
    investor.fields["home_region"].setText("宁波")
    investor.set_contact(investor.add_contact(), name="林总", title="总经理", phone="13900000000")
    investor.set_visit(investor.add_visit(), date="2026-06-12", batches="1", headcount="4",
                       receiving_leader="尚湖镇镇长", seen="考察尚湖民宿地块", outcome="有投资意向")
    qtbot.mouseClick(investor.save_button, Qt.MouseButton.LeftButton)
    assert not investor.isVisible(), investor.error.text()

    # -- an event, the township's own by default ------------------------------------
    event = open_new_editor(qtbot, window, "events", EventEditor)
    assert event.fields["unit_id"].currentText() == "尚湖镇"
    event.fields["name"].setText("尚湖镇康养产业洽谈会")
    type_into(qtbot, event.fields["date"], "2026-06-18")
    type_into(qtbot, event.fields["firms"], "12")
    type_into(qtbot, event.fields["representatives"], "20")
    type_into(qtbot, event.fields["intention_projects"], "2")
    # Esc on the changed form: the real question, and Enter takes its default, 保存
    monkeypatch.setattr(forms, "ask_unsaved", unsaved_answers.real)
    asked: list[str] = []
    press_and_answer(qtbot, Qt.Key.Key_Escape, Qt.Key.Key_Return, asked)
    assert len(asked) == 1 and "有尚未保存的修改" in asked[0], asked
    assert not event.isVisible(), event.error.text()
    assert window.select_tab("events").model.rowCount() == 1

    # -- checks: one warning, explained ----------------------------------------------
    panel = window.select_tab("checks")
    panel.set_scope("尚湖镇", JUNE)
    warnings = [f for f in panel.model.findings() if f.level is not Level.HINT]
    assert [(f.rule, f.record.label) for f in warnings] == [("no_liaison_leader", "尚湖民宿集群项目")]
    row = next(r for r in range(panel.proxy.rowCount())
               if panel.model.finding(panel.proxy.mapToSource(panel.proxy.index(r, 0)).row()).rule == "no_liaison_leader")
    rect = panel.table.visualRect(panel.proxy.index(row, 1))
    qtbot.mouseClick(panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseClick(panel.explain_button, Qt.MouseButton.LeftButton)
    explain = panel.findChild(ExplainDialog)
    explain.edit.setPlainText("联系领导待县政府常务会议确定后补录")
    assert explain.by_edit.text() == "张三"
    with qtbot.waitSignal(window.context.data_changed):
        qtbot.mouseClick(explain.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert "1个已说明" in panel.summary_label.text()
    shots(window, "06-审核与说明")

    # -- export the June return, signed off -------------------------------------------
    returns = window.returns
    out_folder = tmp_path / "U盘"
    out_folder.mkdir()
    returns.export_return_action.trigger()
    dialog = returns.dialog
    assert dialog.unit == "尚湖镇"
    dialog.month_edit.setDate(QDate(2026, 6, 1))
    assert dialog.sign_off.edits["clerk_name"].text() == "张三"
    assert dialog.sign_off.edits["phone"].text() == "0579-84661234"
    dialog.target_edit.setText(str(out_folder / "尚湖镇-2026年6月月报.xlsx"))
    shots(dialog, "07-导出月报")
    with qtbot.waitSignal(returns.finished, timeout=WAIT) as done:
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)
    assert "已导出 1 份月报" in done.args[0]
    workbook = out_folder / "尚湖镇-2026年6月月报.xlsx"
    with window.context.read() as s:
        township = load_progress(s, JUNE)
    window.context.close()

    # -- the bureau imports it through its window ------------------------------------
    bureau = window_on(county)
    bureau.set_today(TODAY)
    bureau.resize(1280, 800)
    bureau.show()
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", staticmethod(lambda *a, **k: ([str(workbook)], "")))
    bureau.returns.import_returns_action.trigger()
    qtbot.waitUntil(lambda: isinstance(bureau.returns.dialog, ReturnPreviewDialog), timeout=WAIT)
    preview = bureau.returns.dialog
    assert not preview.clears and preview.import_button.isDefault()
    assert len(preview.section("new").lines) >= 3
    assert any("审核说明1条" in line for line in preview.section("notes").lines)
    shots(preview, "08-导入预览")
    with qtbot.waitSignal(bureau.returns.finished, timeout=WAIT) as imported:
        qtbot.mouseClick(preview.import_button, Qt.MouseButton.LeftButton)
    assert "导入 1 个" in imported.args[0]

    # -- the county shows the same figures and the township's explanation ------------
    with bureau.context.read() as s:
        county_progress = load_progress(s, JUNE)
        findings = run_checks(s, JUNE, unit="尚湖镇", today=TODAY)
    for indicator in (Indicator.DOMESTIC_FUNDS, Indicator.SIGNED_PROJECTS):
        ours, theirs = county_progress.get("尚湖镇", indicator), township.get("尚湖镇", indicator)
        assert (ours.actual, ours.target) == (theirs.actual, theirs.target), indicator
    assert county_progress.get("尚湖镇", Indicator.DOMESTIC_FUNDS).actual == Decimal("542.75")  # 30+120.5+300.25+80+12
    assert county_progress.get("尚湖镇", Indicator.SIGNED_PROJECTS).actual == 4
    explained = next(f for f in findings if f.rule == "no_liaison_leader")
    assert explained.explained and explained.acknowledgement.by == "尚湖镇·张三"
    county_panel = bureau.select_tab("checks")
    county_panel.set_scope("尚湖镇", JUNE)
    from zsdesk.ui.checks_panel import FindingsModel

    texts = [county_panel.proxy.index(r, FindingsModel.EXPLANATION).data() for r in range(county_panel.proxy.rowCount())]
    assert "联系领导待县政府常务会议确定后补录" in texts and "（未说明）" not in texts
    row = texts.index("联系领导待县政府常务会议确定后补录")
    rect = county_panel.table.visualRect(county_panel.proxy.index(row, 1))
    qtbot.mouseClick(county_panel.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert "尚湖镇·张三" in county_panel.detail.text()
    shots(bureau, "09-县里的审核")
    bureau.context.close()
    with open_ledger(county, readonly=True) as ledger, ledger.read() as s:
        assert keys.get_setting(s, "reported_targets:尚湖镇:2026")
        assert unit_id(s, "尚湖镇")
