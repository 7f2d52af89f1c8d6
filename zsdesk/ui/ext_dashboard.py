"""Plug-in: the dashboard tab (进度图表) and its actions — Print (Ctrl+P), print every
unit's card, export the chart — in the File menu and beside the pickers."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction, QKeySequence

from .dashboard import DashboardTab
from .server_lost import connect_triggered

TAB_KEY = "dashboard"


def _tr(text: str) -> str:
    return QCoreApplication.translate("Dashboard", text)


def install(window) -> DashboardTab:
    tab = DashboardTab(window)
    window.add_tab(TAB_KEY, tab, _tr("进度图表"))
    window.dashboard_tab = tab

    def on_dashboard(method):
        def run():
            window.select_tab(TAB_KEY)
            return method()

        return run

    print_action = QAction(_tr("打印图表(&P)…"), window)
    print_action.setObjectName("printChartAction")
    print_action.setShortcut(QKeySequence.StandardKey.Print)
    print_action.setToolTip(_tr("打印预览当前图表（A4横向）"))
    connect_triggered(print_action, on_dashboard(tab.print_preview))

    print_all_action = QAction(_tr("打印全部单位卡片…"), window)
    print_all_action.setObjectName("printAllUnitsAction")
    print_all_action.setToolTip(_tr("每个单位一页，合为一份文档，供会议使用"))
    connect_triggered(print_all_action, on_dashboard(tab.print_all_units))

    export_action = QAction(_tr("导出图表(&X)…"), window)
    export_action.setObjectName("exportChartAction")
    export_action.setToolTip(_tr("保存为 PNG、PDF 或 SVG"))
    connect_triggered(export_action, on_dashboard(tab.export_chart))

    actions = [print_action, print_all_action, export_action]
    menu = window.menu("file")
    quit_action = getattr(window, "quit_action", None)
    before = quit_action if quit_action in menu.actions() else None
    if before is not None:
        menu.insertActions(before, actions)
        menu.insertSeparator(before)
    else:
        menu.addSeparator()
        menu.addActions(actions)
    for action in actions:
        tab.add_tool_button(action)

    def enable_for_chart():
        print_action.setEnabled(tab.has_chart() or window.current_tab_key() != TAB_KEY)
        export_action.setEnabled(tab.has_chart() or window.current_tab_key() != TAB_KEY)

    tab.redrawn.connect(enable_for_chart)
    window.tabs.currentChanged.connect(lambda _index: enable_for_chart())
    tab.print_action, tab.print_all_action, tab.export_action = actions
    return tab
