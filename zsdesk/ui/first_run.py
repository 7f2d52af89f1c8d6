"""The first start: no file yet, so offer a new ledger, the demo county or a file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QDialog, QFileDialog, QLabel, QPushButton, QVBoxLayout


MIN_WIDTH = 460
"""Wide enough that the four choices read as buttons, not as a narrow column."""


class FirstRunDialog(QDialog):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("firstRunDialog")
        self.setWindowTitle(self.tr("欢迎使用 zsdesk 招商引资台账"))
        self.chosen_path: Path | None = None
        intro = QLabel(self.tr("还没有打开过台账。请选择："), self)
        intro.setObjectName("firstRunIntro")
        starter = QPushButton(self.tr("从县招商局发来的起始台账开始…"), self)
        starter.setObjectName("firstRunStarter")
        starter.clicked.connect(self._starter)
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
        self.error = QLabel(self)
        self.error.setObjectName("firstRunError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #b00020;")
        self.error.hide()
        for widget in (intro, starter, new, demo, existing, self.error):
            layout.addWidget(widget)
        # Extra height goes below the buttons: a fixed resize(460, 260) taller than the
        # content used to centre the text in a band of empty space above the buttons.
        layout.addStretch(1)
        self.setMinimumWidth(MIN_WIDTH)
        self._fit_height(MIN_WIDTH)

    def _fit_height(self, width: int | None = None) -> None:
        """As tall as the content at the dialog's width (the error line wraps)."""
        width = max(width or self.width(), self.minimumSizeHint().width(), MIN_WIDTH)
        height = self.layout().totalHeightForWidth(width)
        self.resize(width, max(height, self.layout().totalSizeHint().height()))

    def _starter(self) -> None:
        """A township starts from the file the bureau sent: its own copy in Documents,
        with who signs the return asked now."""
        from ..errors import KnownError
        from ..store.ledger_setup import starter_info, take_starter
        from .ledger_dialogs import SignOffDialog, documents_folder

        path, _ = QFileDialog.getOpenFileName(
            self, self.tr("选择县招商局发来的起始台账"), str(documents_folder()),
            self.tr("起始台账 (*.sqlite);;所有文件 (*)"),
        )
        if not path:
            return
        try:
            info = starter_info(path)
        except KnownError as exc:
            self._show(exc.message)
            return
        dialog = SignOffDialog(self, title=self.tr("%s的台账：月报的填报人") % info.unit)
        self.sign_off_dialog = dialog
        if not dialog.exec():
            return
        try:
            self.chosen_path = take_starter(path, documents_folder(), dialog.chosen)
        except KnownError as exc:
            self._show(exc.message)
            return
        self.accept()

    def _show(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
        self._fit_height()

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
