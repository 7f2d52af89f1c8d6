"""The first start: no file yet, so offer a new ledger, the demo county or a file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QLabel, QPushButton, QVBoxLayout


class FirstRunDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("firstRunDialog")
        self.setWindowTitle(self.tr("欢迎使用 zsdesk 招商引资台账"))
        self.chosen_path: Path | None = None
        intro = QLabel(self.tr("还没有打开过台账。请选择："), self)
        new = QPushButton(self.tr("新建本单位的台账…"), self)
        new.setObjectName("firstRunNew")
        new.clicked.connect(self._new)
        demo = QPushButton(self.tr("打开演示县（示例数据）"), self)
        demo.setObjectName("firstRunDemo")
        demo.clicked.connect(self._demo)
        existing = QPushButton(self.tr("打开已有的台账文件…"), self)
        existing.setObjectName("firstRunOpen")
        existing.clicked.connect(self._open)
        layout = QVBoxLayout(self)
        for widget in (intro, new, demo, existing):
            layout.addWidget(widget)
        self.resize(420, 200)

    def _new(self) -> None:
        from .ledger_dialogs import NewLedgerDialog

        dialog = NewLedgerDialog(self)
        if dialog.exec() and dialog.created_path is not None:
            self.chosen_path = dialog.created_path
            self.accept()

    def _demo(self) -> None:
        from .app import make_demo

        self.chosen_path = make_demo()
        self.accept()

    def _open(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("打开台账"), "", self.tr("台账文件 (*.sqlite *.db);;所有文件 (*)")
        )
        if path:
            self.chosen_path = Path(path)
            self.accept()
