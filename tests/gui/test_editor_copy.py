"""复制我填写的内容 in the event editor on a ledger file: a save refused because the event
changed since the form was opened (another session saves through the store, as a
colleague's zsdesk does on the server) keeps the form, and the button copies what the
clerk typed, label by label. The investor and project editors' copies are tested with two
staff on the server (test_server_editing.py)."""

from __future__ import annotations

import datetime as dt
import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from tests.gui.driving import activate, open_new, open_row, type_into
from zsdesk.store.investors import event_data, event_rows, save_event
from zsdesk.store.settings import CLERK_NAME, set_setting
from zsdesk.ui.events_tab import EventEditor

TODAY = dt.date(2026, 6, 30)


def test_event_saved_meanwhile_the_clerk_copies_what_he_typed(qtbot, empty_window):
    window = empty_window
    window.set_today(TODAY)
    window.show()
    _tab, editor = open_new(window, qtbot, "events", EventEditor)
    editor.fields["name"].setText("杭州推介会")
    type_into(qtbot, editor.fields["date"], "2026-06-10")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.isVisible(), editor.error.text()

    mine = open_row(window, qtbot, "events", EventEditor, "杭州推介会")
    with window.context.ledger.begin() as s:  # a colleague, 王五, saves the event meanwhile
        set_setting(s, CLERK_NAME, "王五")
        (row,) = event_rows(s)
        theirs = event_data(s, row.id)
        theirs.place = "宁波"
        save_event(s, row.id, theirs, TODAY)

    activate(qtbot, mine)
    kind = mine.fields["kind"]
    kind.setFocus()
    qtbot.keyClick(kind, Qt.Key.Key_Down)  # 推介会 → 洽谈会
    mine.fields["place"].setText("杭州国际博览中心")
    type_into(qtbot, mine.fields["firms"], "12")
    type_into(qtbot, mine.fields["representatives"], "30")
    type_into(qtbot, mine.fields["intention_projects"], "3")
    mine.fields["notes"].setPlainText("签约意向：云山康养项目")
    assert not mine.copy_button.isVisible()
    qtbot.mouseClick(mine.save_button, Qt.MouseButton.LeftButton)

    assert mine.isVisible()
    message = mine.error.text()
    assert re.fullmatch(r"招商活动“杭州推介会”已被 王五 于 \d\d:\d\d 修改，您的修改没有保存。请关闭后重新打开再改。", message), message
    assert mine.copy_button.isVisible()
    assert mine.fields["firms"].text() == "12"  # nothing typed is lost
    qtbot.mouseClick(mine.copy_button, Qt.MouseButton.LeftButton)
    copied = QApplication.clipboard().text()
    assert copied.splitlines() == [
        "活动名称：杭州推介会",
        "类型：洽谈会",
        "日期：2026-06-10",
        "举办单位：（县招商局）",
        "地点：杭州国际博览中心",
        "参会企业数：12",
        "客商代表人数：30",
        "达成意向项目数：3",
        "备注：签约意向：云山康养项目",
    ], copied
    assert mine.error.text() == message + "\n已把您填写的内容复制到剪贴板。"

    with window.context.read() as s:  # the colleague's save kept; nothing of the refused one
        stored = event_data(s, row.id)
    assert (stored.kind.label, stored.place, stored.firms, stored.notes, stored.version) == ("推介会", "宁波", 0, "", 2)
