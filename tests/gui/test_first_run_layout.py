"""The first-run dialog is as tall as what it says: its text at the top, nothing clipped,
at the program's font and at a larger one (14 pt)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QPushButton

from driving import activate

from zsdesk.ui.first_run import FirstRunDialog

CHOICES = ("firstRunStarter", "firstRunNew", "firstRunDemo", "firstRunOpen")
SLACK = 4
"""A few pixels of rounding."""


def assert_nothing_clipped(dialog: FirstRunDialog) -> None:
    inside = dialog.contentsRect()
    for name in CHOICES:
        button = dialog.findChild(QPushButton, name)
        assert button.isVisible()
        assert button.fontMetrics().horizontalAdvance(button.text()) < button.width(), button.text()
        assert button.height() >= button.fontMetrics().height()
        assert inside.contains(button.geometry()), button.text()
    for label in dialog.findChildren(QLabel):
        if not label.isVisible():
            continue
        assert inside.contains(label.geometry()), label.text()
        if label.wordWrap():
            assert label.height() >= label.heightForWidth(label.width()), label.text()
        else:
            assert label.fontMetrics().horizontalAdvance(label.text()) <= label.width(), label.text()
            assert label.height() >= label.fontMetrics().height(), label.text()


@pytest.mark.parametrize("point_size", [10, 14], ids=["program-font", "14pt"])
def test_the_text_starts_at_the_top_and_the_dialog_fits_its_content(qtbot, bundled_font, point_size, tmp_path,
                                                                      monkeypatch):
    bundled_font(point_size)
    dialog = FirstRunDialog()
    qtbot.addWidget(dialog)
    activate(qtbot, dialog)
    QApplication.processEvents()
    margins = dialog.layout().contentsMargins()
    intro = dialog.findChild(QLabel, "firstRunIntro")

    assert intro.text() == "还没有打开过台账。请选择："
    assert intro.y() <= margins.top() + SLACK
    assert intro.height() <= intro.sizeHint().height() + SLACK  # no band of space for the text to float in
    assert dialog.height() <= dialog.sizeHint().height() + SLACK
    assert dialog.findChild(QPushButton, CHOICES[0]).y() <= intro.geometry().bottom() + dialog.layout().spacing() + SLACK
    assert_nothing_clipped(dialog)
    dialog.grab().save(str(tmp_path / f"first-run-{point_size}pt.png"))

    # a file that is no starter file: the refusal is shown under the choices, whole
    notes = tmp_path / "随便一个文件.sqlite"
    notes.write_text("不是台账")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *args, **kwargs: (str(notes), "")))
    qtbot.mouseClick(dialog.findChild(QPushButton, "firstRunStarter"), Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    error = dialog.findChild(QLabel, "firstRunError")
    assert error.isVisible() and error.text()
    assert intro.y() <= margins.top() + SLACK
    assert_nothing_clipped(dialog)
    assert dialog.height() <= dialog.layout().totalHeightForWidth(dialog.width()) + SLACK


@pytest.mark.parametrize("point_size", [10, 14], ids=["program-font", "14pt"])
def test_the_new_ledger_dialog_shows_the_units_example_whole(qtbot, bundled_font, point_size, tmp_path):
    """新建本单位的台账… from the first-run dialog: the units box shows its four-line
    example (每行一个单位，例如： 安文街道 尚湖镇 新城区) whole; at 14 pt the dialog's fixed
    height used to squeeze it to three lines."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QPlainTextEdit

    from zsdesk.ui.ledger_dialogs import NewLedgerDialog

    bundled_font(point_size)
    first = FirstRunDialog()
    qtbot.addWidget(first)
    activate(qtbot, first)
    seen = {}

    def look_and_cancel():
        [dialog] = [w for w in QApplication.topLevelWidgets() if isinstance(w, NewLedgerDialog) and w.isVisible()]
        units = dialog.findChild(QPlainTextEdit, "newLedgerUnits")
        seen["lines"] = len(units.placeholderText().split("\n"))
        seen["room"] = units.viewport().height() - 2 * int(units.document().documentMargin())
        seen["line"] = units.fontMetrics().lineSpacing()
        seen["inside"] = all(
            dialog.rect().contains(w.geometry()) for w in dialog.findChildren(QPlainTextEdit) + dialog.findChildren(QPushButton)
            if w.isVisible() and w.parent() is dialog
        )
        dialog.grab().save(str(tmp_path / f"new-ledger-{point_size}pt.png"))
        dialog.reject()

    QTimer.singleShot(0, look_and_cancel)
    qtbot.mouseClick(first.findChild(QPushButton, "firstRunNew"), Qt.MouseButton.LeftButton)
    assert seen["lines"] == 4
    assert seen["room"] >= seen["lines"] * seen["line"], seen
    assert seen["inside"]
    assert first.isVisible() and first.chosen_path is None  # cancelled: back at the choices
