"""The checks tab lets go of a whole county's findings when another tab is shown (issue 18).

On the large county the checks of the whole file are 80,000 findings, some 40 MB: they
are found again when the clerk comes back to the tab, with the same finding selected.
The bound is lowered here so that a new file with a few projects shows the behaviour.
"""

from __future__ import annotations

import datetime as dt


from zsdesk.ui import checks_panel

from tests.gui.driving import add_signed_projects, click_tab

TODAY = dt.date(2026, 6, 15)


def test_findings_are_let_go_when_another_tab_shows_and_found_again(empty_window, qtbot, monkeypatch):
    monkeypatch.setattr(checks_panel, "KEEP_FINDINGS_HIDDEN", 2)
    window = empty_window
    window.show()
    qtbot.waitExposed(window)
    add_signed_projects(window, ["云山茶叶精深加工", "磐安药材物流园", "尖山民宿集群"], TODAY)
    click_tab(qtbot, window, "checks")
    panel = window.checks_panel
    shown = [f.key for f in panel.model.findings()]
    assert len(shown) > 2 and panel.proxy.rowCount() == len(shown)
    # The clerk picks the third finding, then looks at the projects.
    panel.table.selectRow(2)
    picked = panel.selected().key
    click_tab(qtbot, window, "projects")
    assert not panel.isVisible()
    assert panel.model.rowCount() == 0  # let go while not shown
    # Back on the tab: the same findings, the same one selected, the summary as before.
    click_tab(qtbot, window, "checks")
    assert [f.key for f in panel.model.findings()] == shown
    assert panel.selected() is not None and panel.selected().key == picked
    assert "未发现问题" not in panel.summary_label.text()


def test_a_few_findings_stay_while_another_tab_shows(empty_window, qtbot):
    window = empty_window
    window.show()
    qtbot.waitExposed(window)
    add_signed_projects(window, ["云山茶叶精深加工"], TODAY)
    click_tab(qtbot, window, "checks")
    panel = window.checks_panel
    before = [f.key for f in panel.model.findings()]
    assert before and len(before) <= checks_panel.KEEP_FINDINGS_HIDDEN
    click_tab(qtbot, window, "projects")
    assert [f.key for f in panel.model.findings()] == before
    click_tab(qtbot, window, "checks")
    assert [f.key for f in panel.model.findings()] == before
