"""Plugs the checks (审核) tab and the 简报 window into the main window."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence

from .server_lost import connect_triggered


def _tr(text: str) -> str:
    return QCoreApplication.translate("ext_checks", text)


def install(window) -> None:
    from .checks_panel import ChecksPanel
    from .project_checks_page import project_checks_page
    from .project_editor import EDITOR_PAGES

    if project_checks_page not in EDITOR_PAGES:  # one page, however many windows
        EDITOR_PAGES.append(project_checks_page)

    panel = ChecksPanel(window)
    window.add_tab("checks", panel, _tr("审核"))
    window.checks_panel = panel
    window.brief_window = None

    check_action = QAction(_tr("审核(&C)"), window)
    check_action.setObjectName("checksAction")
    check_action.setShortcut(QKeySequence("F7"))
    connect_triggered(check_action, lambda: show_checks(window))
    brief_action = QAction(_tr("简报(&B)…"), window)
    brief_action.setObjectName("briefAction")
    connect_triggered(brief_action, lambda: open_brief(window))
    tools = window.menu("tools")
    tools.addAction(check_action)
    tools.addAction(brief_action)


def show_checks(window):
    panel = window.select_tab("checks")
    panel.reload()
    return panel


def open_brief(window):
    """Show the 简报 window (one per main window, raised if already open)."""
    from .brief_window import BriefWindow
    from .forms import show_one

    return show_one(window, "brief_window", lambda: BriefWindow(window))
