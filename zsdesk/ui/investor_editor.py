"""The investor editor: the firm, its contacts and its visits."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout


class InvestorEditor(QDialog):
    def __init__(self, context, investor_id: int | None, parent=None):
        super().__init__(parent)
        self.setObjectName("investorEditor")
        self.context = context
        self.investor_id = investor_id
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        QVBoxLayout(self).addWidget(buttons)
