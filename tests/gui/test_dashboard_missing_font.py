"""A broken installation (the bundled font missing): the dashboard says so instead of crashing.

Before the wheel carried the fonts, `pip install .` gave exactly this; the dashboard's own
error path then crashed again while clearing a figure it had not yet made (it made one,
which registered the missing font).
"""

from __future__ import annotations

from PySide6.QtCore import Qt

from zsdesk.charts import fonts as chart_fonts


def test_missing_font_is_said_in_the_tab(monkeypatch, window_on, ledger_path, qtbot, tmp_path, capsys):
    from zsdesk.store.ledger_setup import create_ledger

    create_ledger(ledger_path, "测试县", ["甲镇", "乙乡"]).close()
    monkeypatch.setattr(chart_fonts, "CJK_FONT_FILES", (tmp_path / "gone" / "NotoSansSC-Regular-GBK.otf",))
    window = window_on(ledger_path)
    window.show()
    qtbot.waitExposed(window)
    tab = window.tab("dashboard")
    bar = window.tabs.tabBar()
    index = window.tabs.indexOf(tab)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert window.tabs.currentWidget() is tab
    qtbot.waitUntil(lambda: tab.last_error is not None)
    assert tab.message.isVisible()
    assert "bundled font missing" in tab.message.text() and "NotoSansSC-Regular-GBK.otf" in tab.message.text()
    assert not tab.has_chart()
