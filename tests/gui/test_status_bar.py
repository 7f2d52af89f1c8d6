"""The status bar on a ledger kept deep in a clerk's Documents: the path is elided in the
middle and a temporary message is seen whole beside it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QLabel, QSizeGrip, QStatusBar, QWidget

from driving import activate

from zsdesk.store.ledger_setup import create_ledger

DEEP = ("home", "zhangsan", "文档", "2026年招商引资台账", "各乡镇", "安文街道", "2026年上半年", "月报与台账备份")


@pytest.fixture
def deep_ledger(tmp_path):
    folder = tmp_path.joinpath(*DEEP)
    folder.mkdir(parents=True)
    path = folder / "台账.sqlite"
    create_ledger(path, "磐安县", ["尚湖镇", "冷水镇", "安文街道"]).close()
    return path


def settle() -> None:
    """Let the layouts run (a resize or a new maximum width is applied on the event loop)."""
    QApplication.sendPostedEvents()
    QApplication.processEvents()


def message_room(bar: QStatusBar) -> int:
    """The width QStatusBar paints a temporary message in: from x = 6 to 2 px before its
    first visible permanent widget (the permanent widgets are the bar's visible children;
    a temporary message hides the others)."""
    permanent = [
        child
        for child in bar.findChildren(QWidget, options=Qt.FindChildOption.FindDirectChildrenOnly)
        if child.isVisible() and not isinstance(child, QSizeGrip)
    ]
    right = min((child.x() for child in permanent), default=bar.width() - 12) - 2
    return right - 6


def test_a_deep_path_is_elided_and_the_message_is_seen_whole(deep_ledger, window_on, qtbot, monkeypatch, bundled_font):
    bundled_font()
    window = window_on(deep_ledger)
    window.resize(1000, 700)
    activate(qtbot, window)
    settle()
    bar = window.statusBar()
    location = window.findChild(QLabel, "statusLocation")
    full = str(deep_ledger)

    assert bar.width() <= 1000
    assert location.toolTip() == full
    assert "…" in location.text()
    assert location.text().startswith(full[:3]) and location.text().endswith("台账.sqlite")  # the middle goes
    assert location.width() <= 0.4 * bar.width() + 1
    assert location.fontMetrics().horizontalAdvance(location.text()) <= location.contentsRect().width()
    # the path no longer sets how narrow the window may be
    assert bar.minimumSizeHint().width() < location.fontMetrics().horizontalAdvance(full)
    counts = window.findChild(QLabel, "statusCounts")
    assert counts.text() == "磐安县 ｜ 单位 3 个 ｜ 项目 0 个 ｜ 客商 0 家"
    assert counts.fontMetrics().horizontalAdvance(counts.text()) <= counts.contentsRect().width()
    width_before = location.width()

    # 文件 → 另存副本 (Ctrl+Shift+S): the copy beside the ledger
    copy = deep_ledger.with_name("台账-副本.sqlite")
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *args, **kwargs: (str(copy), "")))
    shortcut = window.save_copy_action.shortcut()
    assert not shortcut.isEmpty()
    qtbot.keyClick(window, shortcut[0].key(), shortcut[0].keyboardModifiers())
    assert copy.exists()
    settle()
    message = bar.currentMessage()
    assert message == "已保存副本：台账-副本.sqlite（与台账在同一文件夹）"
    assert message_room(bar) >= bar.fontMetrics().horizontalAdvance(message)
    assert location.isVisible() and "…" in location.text() and location.toolTip() == full

    # a longer message than the bar has left beside the path at its full share: the path gives way
    longer = "已保存简报：2026年上半年安文街道招商引资工作简报（第6期，送县招商局）.docx"
    assert bar.fontMetrics().horizontalAdvance(longer) > bar.width() - width_before - counts.width() - 40
    bar.showMessage(longer)
    settle()
    assert message_room(bar) >= bar.fontMetrics().horizontalAdvance(longer)
    assert location.width() < width_before and location.toolTip() == full

    # the message gone, the location takes its share again
    bar.clearMessage()
    settle()
    assert location.isVisible() and location.width() == width_before
    assert "…" in location.text()


def test_elide_middle_fits_keeps_both_ends_and_wastes_no_room(qapp):
    """The path is elided in Python (no Qt enum before the first paint): what it gives fits
    the width, is the text's start + … + its end, and one more character would not fit."""
    from PySide6.QtWidgets import QLabel

    from zsdesk.ui.status_bar import ELLIPSIS, elide_middle

    metrics = QLabel().fontMetrics()
    for text in ("/home/张丽/文档/2026年招商引资台账/各乡镇/安文街道/台账.sqlite", "postgresql://zsdesk@10.1.2.3/磐安县", "ab"):
        whole = metrics.horizontalAdvance(text)
        assert elide_middle(metrics, text, whole) == text  # fits: whole
        for width in range(0, whole, 5):
            shown = elide_middle(metrics, text, width)
            assert metrics.horizontalAdvance(shown) <= width
            if not shown:
                assert metrics.horizontalAdvance(ELLIPSIS) > width
                continue
            head, _, tail = shown.partition(ELLIPSIS)
            assert text.startswith(head) and text.endswith(tail) and len(head) - len(tail) in (0, 1)
            kept = len(head) + len(tail)
            longer = text[: (kept + 2) // 2] + ELLIPSIS + text[len(text) - (kept + 1 - (kept + 2) // 2):]
            assert metrics.horizontalAdvance(longer) > width or kept + 1 >= len(text)
