"""Stage and dates as one thing; Qt's own widgets in Chinese (issue 13, item 8)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import QCoreApplication, QLocale, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from driving import activate, open_new, press, type_into
from zsdesk.domain.enums import Stage
from zsdesk.ui.forms import DateQuestion
from zsdesk.ui.project_editor import ProjectEditor

TODAY = dt.date(2026, 11, 20)  # the ledger's work is in spring; today is November


@pytest.fixture
def editor(empty_window, qtbot):
    empty_window.set_today(TODAY)
    activate(qtbot, empty_window)
    _tab, editor = open_new(empty_window, qtbot, "projects", ProjectEditor)
    editor.fields["name"].setText("尚湖康养小镇")
    editor.fields["unit_id"].setCurrentIndex(editor.fields["unit_id"].findText("甲镇"))
    type_into(qtbot, editor.fields["planned_investment"], "6000")
    return editor


def test_no_silent_date_and_the_error_points_at_the_field(editor, qtbot):
    planned = editor.fields[Stage.PLANNED.date_field]
    assert planned.text() == ""
    assert "请在“阶段与申报”页填写到达“谋划”的日期" in editor.stage_hint.text()
    assert not editor.save()
    assert "谋划" in editor.error.text()
    assert planned.property("invalid") is True
    assert editor.pages.currentIndex() == 1 and planned.hasFocus()


def test_picking_a_stage_asks_its_date_on_a_sensible_month_and_names_the_missing(editor, qtbot):
    type_into(qtbot, editor.fields[Stage.PLANNED.date_field], "2026-04-03")
    seen = {}

    def answer():
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, DateQuestion)
        calendar = dialog.calendar
        seen.update(
            question=dialog.question.text(),
            page=(calendar.yearShown(), calendar.monthShown()),
            monday=calendar.firstDayOfWeek() == Qt.DayOfWeek.Monday,
            chinese=calendar.locale().language() == QLocale.Language.Chinese,
        )
        buttons = dialog.findChild(QDialogButtonBox)
        qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    QTimer.singleShot(50, answer)
    editor.set_stage(Stage.SIGNED)
    assert "签约" in seen["question"] and "尚缺更早阶段的日期：在谈" in seen["question"]
    assert seen["page"] == (2026, 4), "opens on the project's month, not today's November"
    assert seen["monday"] and seen["chinese"]
    assert editor.fields[Stage.SIGNED.date_field].text() == "2026-04-03"
    assert editor.stage_hint.text() == "尚缺更早阶段的日期：在谈"


def test_a_later_stage_date_offers_to_move_the_stage(editor, qtbot, monkeypatch):
    asked = []
    monkeypatch.setattr(editor, "confirm", lambda title, text: asked.append(text) or True)
    type_into(qtbot, editor.fields[Stage.PLANNED.date_field], "2026-03-01")
    press(qtbot, Qt.Key.Key_Tab)
    assert asked == [], "the project's own stage: nothing to offer"
    type_into(qtbot, editor.fields[Stage.NEGOTIATING.date_field], "2026-05-06")
    press(qtbot, Qt.Key.Key_Tab)
    assert len(asked) == 1 and "改为“在谈”" in asked[0]
    assert editor.fields["stage"].currentData() == Stage.NEGOTIATING.value
    assert editor.save()


def test_the_calendar_pops_up_on_a_sensible_month_and_esc_closes_only_it(editor, qtbot, unsaved_answers, monkeypatch):
    offers = []
    monkeypatch.setattr(editor, "confirm", lambda title, text: offers.append(text) or False)
    type_into(qtbot, editor.fields[Stage.PLANNED.date_field], "2026-04-03")
    field = editor.fields[Stage.SIGNED.date_field]
    field.setFocus()
    press(qtbot, Qt.Key.Key_F4)
    popup = field.popup
    qtbot.waitUntil(popup.isVisible)
    assert (popup.yearShown(), popup.monthShown()) == (2026, 4)
    assert popup.firstDayOfWeek() == Qt.DayOfWeek.Monday
    qtbot.keyClick(QApplication.focusWidget() or popup, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not popup.isVisible())
    assert editor.isVisible() and unsaved_answers.asked == []
    # a click on a day fills the field
    field.show_calendar()
    popup.clicked.emit(popup.selectedDate().addDays(2))
    assert field.text() == "2026-04-05" and not popup.isVisible()
    assert len(offers) == 1 and "签约" in offers[0]  # a picked date offers the stage too
    assert editor.fields["stage"].currentData() == Stage.PLANNED.value  # declined


def test_qt_own_words_are_chinese():
    from zsdesk.ui.app import _application

    app = _application(offscreen=True)
    assert QLocale().name() == "zh_CN"
    assert app.testAttribute(Qt.ApplicationAttribute.AA_DontUseNativeDialogs)
    assert QCoreApplication.translate("QFileDialog", "Look in:") != "Look in:"
    from PySide6.QtWidgets import QFileDialog, QLabel

    dialog = QFileDialog(None, "打开台账", "/", "台账文件 (*.sqlite)")  # what getOpenFileName shows
    labels = {name: dialog.findChild(QLabel, name).text() for name in ("lookInLabel", "fileNameLabel", "fileTypeLabel")}
    assert labels == {"lookInLabel": "查找范围(&L)：", "fileNameLabel": "文件名称(&N)：", "fileTypeLabel": "文件类型(&T)："}
    assert QCoreApplication.translate("QAbstractFileIconProvider", "Folder") == "文件夹"
    dialog.deleteLater()
    box = QMessageBox(QMessageBox.Icon.Question, "t", "q", QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Cancel)
    texts = {b.text().replace("&", "") for b in box.buttons()}
    assert any("取消" in t for t in texts), texts


def test_settings_errors_point_at_the_field(empty_window, qtbot):
    activate(qtbot, empty_window)
    dialog = empty_window._ledger_settings()
    activate(qtbot, dialog)
    threshold = dialog.threshold
    type_into(qtbot, threshold, "abc")
    press(qtbot, Qt.Key.Key_Return)
    assert dialog.isVisible()
    assert "大项目门槛" in dialog.error.text()
    assert threshold.property("invalid") is True and threshold.hasFocus()
    type_into(qtbot, threshold, "3000")
    press(qtbot, Qt.Key.Key_Return)
    assert not dialog.isVisible()
