"""The checks tab lets go of a whole county's findings when another tab is shown (issue 18).

On the large county the checks of the whole file are 80,000 findings, some 40 MB: they
are found again when the clerk comes back to the tab, with the same finding selected.
The bound is lowered here so that a new file with a few projects shows the behaviour.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import Qt

from zsdesk.domain.enums import Stage
from zsdesk.domain.records import ProjectData
from zsdesk.store.models import Unit
from zsdesk.store.projects import save_project
from zsdesk.ui import checks_panel

TODAY = dt.date(2026, 6, 15)


def _click_tab(qtbot, window, key: str) -> None:
    """Click the tab's header, as a clerk does."""
    bar = window.tabs.tabBar()
    index = window.tab_keys().index(key)
    qtbot.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(index).center())
    assert window.tabs.currentIndex() == index


def _add_projects(window, names: list[str]) -> None:
    """Projects with no liaison leader and no follow-up: each gets findings."""

    def add(session):
        unit = session.query(Unit).filter_by(name="甲镇").one()
        for name in names:
            data = ProjectData(
                name=name, unit_id=unit.id, stage=Stage.SIGNED,
                dates={Stage.PLANNED: dt.date(2025, 9, 1), Stage.SIGNED: dt.date(2025, 11, 1)},
                planned_investment=Decimal("1200"),
            )
            save_project(session, None, data, TODAY)

    window.context.write(add)


def test_findings_are_let_go_when_another_tab_shows_and_found_again(empty_window, qtbot, monkeypatch):
    monkeypatch.setattr(checks_panel, "KEEP_FINDINGS_HIDDEN", 2)
    window = empty_window
    window.show()
    qtbot.waitExposed(window)
    _add_projects(window, ["云山茶叶精深加工", "磐安药材物流园", "尖山民宿集群"])
    _click_tab(qtbot, window, "checks")
    panel = window.checks_panel
    shown = [f.key for f in panel.model.findings()]
    assert len(shown) > 2 and panel.proxy.rowCount() == len(shown)
    # The clerk picks the third finding, then looks at the projects.
    panel.table.selectRow(2)
    picked = panel.selected().key
    _click_tab(qtbot, window, "projects")
    assert not panel.isVisible()
    assert panel.model.rowCount() == 0  # let go while not shown
    # Back on the tab: the same findings, the same one selected, the summary as before.
    _click_tab(qtbot, window, "checks")
    assert [f.key for f in panel.model.findings()] == shown
    assert panel.selected() is not None and panel.selected().key == picked
    assert "未发现问题" not in panel.summary_label.text()


def test_a_few_findings_stay_while_another_tab_shows(empty_window, qtbot):
    window = empty_window
    window.show()
    qtbot.waitExposed(window)
    _add_projects(window, ["云山茶叶精深加工"])
    _click_tab(qtbot, window, "checks")
    panel = window.checks_panel
    before = [f.key for f in panel.model.findings()]
    assert before and len(before) <= checks_panel.KEEP_FINDINGS_HIDDEN
    _click_tab(qtbot, window, "projects")
    assert [f.key for f in panel.model.findings()] == before
    _click_tab(qtbot, window, "checks")
    assert [f.key for f in panel.model.findings()] == before
