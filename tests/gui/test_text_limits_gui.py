"""Issue 14 item 3 at entry: text longer than its field allows is refused in the editor,
with the field and the limit named, and nothing is saved. From an empty ledger."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from sqlalchemy import func, select

from zsdesk.domain.text_limits import LIMITS
from zsdesk.store.models import Project
from zsdesk.ui.project_editor import ProjectEditor

TODAY = dt.date(2026, 6, 30)


def _count(window) -> int:
    with window.context.read() as session:
        return session.scalar(select(func.count()).select_from(Project))


def test_a_note_over_two_thousand_characters_is_refused_in_the_editor(empty_window, qtbot, tmp_path):
    window = empty_window
    window.set_today(TODAY)
    window.show()
    window.select_tab("projects")
    window.activateWindow()
    qtbot.keyClick(window.projects_tab, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    if not [e for e in window.findChildren(ProjectEditor) if e.isVisible()]:
        window.new_action.trigger()  # offscreen, a shortcut may not reach a window that is not active
    (editor,) = [e for e in window.findChildren(ProjectEditor) if e.project_id is None and e.isVisible()]
    f = editor.fields
    f["name"].setText("尚湖中药材基地")
    f["unit_id"].setCurrentIndex(f["unit_id"].findText("甲镇"))
    f["planned_investment"].setText("6000")
    f["planned_on"].setText("2026-01-15")
    f["progress_note"].setPlainText("进" * 2_001)  # pasted from a long report
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.isVisible()
    assert editor.error.text() == "进展情况最多2,000个字，现有2,001个字，请删减后再保存"
    assert f["progress_note"].property("invalid") is True
    editor.grab().save(str(tmp_path / "editor-limit.png"))  # looked at while writing this test
    assert _count(window) == 0

    # the one-line fields cannot take more than their limit at all
    f["name"].setText("名" * 400)
    assert len(f["name"].text()) == LIMITS["projects"]["name"].chars

    f["name"].setText("尚湖中药材基地")
    f["progress_note"].setPlainText("进" * 2_000)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: _count(window) == 1)
