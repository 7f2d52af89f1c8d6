"""The check before returns are exported: fix or explain first.

The return export calls :func:`confirm_exports` (or :func:`confirm_export` for one unit)
before writing. It gives the rows of each return's 审核说明 sheet, or None when nothing
should be written: the clerk chose to go and fix (the checks tab then opens on the unit
and month) or cancelled. Errors always stop a return; unexplained warnings stop it unless
the clerk chooses to export anyway, and then the sheet lists them as not explained.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication
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
from ..store.checks_query import ReturnBlocked, check_exports
from .checks_panel import LEVEL_COLORS

GO_TO_CHECKS, FORCE, SKIP, CANCEL = "checks", "force", "skip", "cancel"

Rows = list[tuple[str, str, str, str]]


class ExportGateDialog(QDialog):
    """Lists what stops the returns and asks what to do."""

    def __init__(self, blocked: list[ReturnBlocked], ready: int = 0, parent=None):
        super().__init__(parent)
        self.setObjectName("exportGateDialog")
        self.blocked = blocked
        self.choice = CANCEL
        self.setWindowTitle(self.tr("月报未通过审核"))
        self.setMinimumSize(680, 380)
        has_errors = any(b.errors for b in blocked)
        if len(blocked) == 1:
            text = blocked[0].message
        else:
            text = self.tr("%d个单位的月报未通过审核：%s。错误须修改数据，警告须修改或填写说明。") % (
                len(blocked),
                "、".join(b.unit for b in blocked),
            )
        message = QLabel(text, self)
        message.setObjectName("exportGateMessage")
        message.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("exportGateList")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.list.setWordWrap(True)
        for b in blocked:
            for f in b.findings:
                who = f"{b.unit}　" if len(blocked) > 1 else ""
                item = QListWidgetItem(f"{who}【{f.level.label}】{f.title}：{f.message}")
                item.setForeground(QColor(LEVEL_COLORS[f.level]))
                self.list.addItem(item)

        buttons = QDialogButtonBox(self)
        self.checks_button = QPushButton(self.tr("去修改") if has_errors else self.tr("去修改或填写说明"), self)
        self.checks_button.setObjectName("exportGateChecks")
        self.checks_button.setDefault(True)
        buttons.addButton(self.checks_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.checks_button.clicked.connect(lambda: self._choose(GO_TO_CHECKS))
        self.force_button = None
        if not has_errors:
            self.force_button = QPushButton(self.tr("仍然导出（未说明的警告写入审核说明）"), self)
            self.force_button.setObjectName("exportGateForce")
            buttons.addButton(self.force_button, QDialogButtonBox.ButtonRole.DestructiveRole)
            self.force_button.clicked.connect(lambda: self._choose(FORCE))
        self.skip_button = None
        if ready:
            self.skip_button = QPushButton(self.tr("只导出通过审核的%d个单位") % ready, self)
            self.skip_button.setObjectName("exportGateSkip")
            buttons.addButton(self.skip_button, QDialogButtonBox.ButtonRole.ActionRole)
            self.skip_button.clicked.connect(lambda: self._choose(SKIP))
        cancel = buttons.addButton(self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("exportGateCancel")
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


def confirm_exports(window, units: list[str], period: YearMonth) -> dict[str, Rows] | None:
    """Each unit that may be exported now → its 审核说明 rows; None to export nothing.

    Asks the clerk (a modal dialog) only when a return does not pass its checks.
    """
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        with window.context.read() as session:
            ready, blocked = check_exports(session, units, period)
    finally:
        QGuiApplication.restoreOverrideCursor()
    if not blocked:
        return ready
    dialog = ExportGateDialog(list(blocked.values()), len(ready) if len(units) > 1 else 0, window)
    window.export_gate_dialog = dialog  # tests reach it while it is open
    try:
        dialog.exec()
    finally:
        window.export_gate_dialog = None
    if dialog.choice == FORCE:
        with window.context.read() as session:
            forced, still = check_exports(session, list(blocked), period, force=True)
        if still:  # the data changed while the dialog was open
            window.show_error(next(iter(still.values())))
            return None
        return {unit: ready[unit] if unit in ready else forced[unit] for unit in units}
    if dialog.choice == SKIP:
        return ready
    if dialog.choice == GO_TO_CHECKS:
        first = next(iter(blocked.values()))
        panel = window.select_tab("checks")
        panel.set_scope(first.unit, period)
        if first.findings:
            panel.select_key(first.findings[0].key)
    return None


def confirm_export(window, unit: str, period: YearMonth) -> Rows | None:
    """:func:`confirm_exports` for one unit: its 审核说明 rows, or None to not export."""
    answer = confirm_exports(window, [unit], period)
    return None if answer is None else answer[unit]
