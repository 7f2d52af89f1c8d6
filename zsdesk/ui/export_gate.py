"""The check before a return is exported: fix or explain first.

``confirm_export(window, unit, period)`` is what the return export calls before writing:
it returns the rows of the 审核说明 sheet, or None when the clerk chose to go and fix
(the checks tab then opens on that unit and month) or cancelled.
"""

from __future__ import annotations

from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
)

from ..domain.periods import YearMonth
from ..store.checks_query import ReturnBlocked, gate_for_export
from .checks_panel import LEVEL_COLORS

GO_TO_CHECKS, FORCE, CANCEL = "checks", "force", "cancel"


class ExportGateDialog(QDialog):
    """Lists what stops the return; offers to go and fix it, or (warnings only) to export anyway."""

    def __init__(self, blocked: ReturnBlocked, parent=None):
        super().__init__(parent)
        self.setObjectName("exportGateDialog")
        self.blocked = blocked
        self.choice = CANCEL
        self.setWindowTitle(self.tr("月报未通过审核"))
        self.setMinimumSize(640, 360)
        message = QLabel(blocked.message, self)
        message.setObjectName("exportGateMessage")
        message.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("exportGateList")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.setWordWrap(True)
        for f in blocked.findings:
            item = QListWidgetItem(f"【{f.level.label}】{f.title}：{f.message}")
            item.setForeground(QColor(LEVEL_COLORS[f.level]))
            self.list.addItem(item)
        buttons = QDialogButtonBox(self)
        self.checks_button = QPushButton(
            self.tr("去修改") if blocked.errors else self.tr("去修改或填写说明"), self
        )
        self.checks_button.setObjectName("exportGateChecks")
        self.checks_button.setDefault(True)
        buttons.addButton(self.checks_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.force_button = None
        if not blocked.errors:
            self.force_button = QPushButton(self.tr("仍然导出（未说明的警告写入审核说明）"), self)
            self.force_button.setObjectName("exportGateForce")
            buttons.addButton(self.force_button, QDialogButtonBox.ButtonRole.DestructiveRole)
            self.force_button.clicked.connect(lambda: self._choose(FORCE))
        cancel = buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("exportGateCancel")
        self.checks_button.clicked.connect(lambda: self._choose(GO_TO_CHECKS))
        cancel.clicked.connect(lambda: self._choose(CANCEL))
        hint = QLabel(
            self.tr("错误须修改数据；警告可在“审核”标签页中填写说明，说明会写入月报的“审核说明”表。"), self
        )
        hint.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(self.list, 1)
        layout.addWidget(hint)
        layout.addWidget(buttons)

    def _choose(self, choice: str) -> None:
        self.choice = choice
        if choice == CANCEL:
            self.reject()
        else:
            self.accept()


def confirm_export(window, unit: str, period: YearMonth) -> list[tuple[str, str, str, str]] | None:
    """The 审核说明 rows to export ``unit``'s return with, or None if it must not go out now."""
    with window.context.read() as session:
        try:
            return gate_for_export(session, unit, period)
        except ReturnBlocked as exc:
            blocked = exc
    dialog = ExportGateDialog(blocked, window)
    window.export_gate_dialog = dialog  # tests reach it while it is open
    dialog.exec()
    window.export_gate_dialog = None
    if dialog.choice == FORCE:
        with window.context.read() as session:
            return gate_for_export(session, unit, period, force=True)
    if dialog.choice == GO_TO_CHECKS:
        panel = window.select_tab("checks")
        panel.set_scope(unit, period)
        if blocked.findings:
            panel.select_key(blocked.findings[0].key)
    return None
