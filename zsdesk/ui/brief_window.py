"""The 简报 window: the brief for the county or a unit and a month, to copy or save as text."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from ..domain.brief import Brief
from ..domain.periods import YearMonth
from ..errors import KnownError
from ..store.brief_query import latest_month, write_brief
from ..store.units import unit_names
from .checks_panel import choose_month, month_choices
from .server_lost import stops_lost_connection


class BriefWindow(QDialog):
    """Non-modal: it stays open beside the main window and follows the data."""

    def __init__(self, window, parent=None):
        super().__init__(parent or window)
        self.setObjectName("briefWindow")
        self.window_ = window
        self.context = window.context
        self.brief: Brief | None = None
        self.last_saved: Path | None = None
        self.setWindowTitle(self.tr("简报"))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(900, 640)

        self.unit_combo = QComboBox(self)
        self.unit_combo.setObjectName("briefUnit")
        self.unit_combo.setMinimumContentsLength(8)
        self.month_combo = QComboBox(self)
        self.month_combo.setObjectName("briefMonth")
        self.month_combo.setMinimumContentsLength(10)
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("briefText")
        self.text.setReadOnly(True)
        font = QFont(self.text.font())
        font.setPointSizeF(max(font.pointSizeF(), 10.5) * 1.15)
        self.text.setFont(font)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.copy_button = QPushButton(self.tr("复制"), self)
        self.copy_button.setObjectName("briefCopy")
        self.copy_button.clicked.connect(self.copy)
        self.save_button = QPushButton(self.tr("另存为文本…"), self)
        self.save_button.setObjectName("briefSave")
        self.save_button.clicked.connect(lambda: self.save_as())
        self.word_button = QPushButton(self.tr("另存为Word…"), self)
        self.word_button.setObjectName("briefSaveWord")
        self.word_button.setToolTip(self.tr("工作回顾全文（GB/T 9704 公文格式），待写的文字以【请填写：…】标出"))
        self.word_button.clicked.connect(lambda: self.save_word())
        self.close_button = QPushButton(self.tr("关闭"), self)
        self.close_button.setObjectName("briefClose")
        self.close_button.clicked.connect(self.close)
        self.status = QLabel(self)
        self.status.setObjectName("briefStatus")

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("范围"), self))
        top.addWidget(self.unit_combo)
        top.addWidget(QLabel(self.tr("截至"), self))
        top.addWidget(self.month_combo)
        top.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.copy_button)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.word_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)

        self._fill_choices()
        self.unit_combo.currentIndexChanged.connect(self.reload)
        self.month_combo.currentIndexChanged.connect(self.reload)
        self.context.data_changed.connect(self.reload)
        self.context.ledger_changed.connect(self._ledger_changed)
        self.reload()

    def _fill_choices(self) -> None:
        with self.context.read() as session:
            names = unit_names(session)
            newest = latest_month(session)
        for combo in (self.unit_combo, self.month_combo):
            combo.blockSignals(True)
            combo.clear()
        self.unit_combo.addItem(self.tr("全县"), None)
        for name in names:
            self.unit_combo.addItem(name, name)
        for month in month_choices(YearMonth.current()):
            self.month_combo.addItem(month.chinese, str(month))
        choose_month(self.month_combo, newest)
        for combo in (self.unit_combo, self.month_combo):
            combo.blockSignals(False)

    def set_scope(self, unit: str | None, month: YearMonth | str) -> None:
        for combo in (self.unit_combo, self.month_combo):
            combo.blockSignals(True)
        self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findData(unit)))
        choose_month(self.month_combo, YearMonth.parse(str(month)))
        for combo in (self.unit_combo, self.month_combo):
            combo.blockSignals(False)
        self.reload()

    def period(self) -> YearMonth:
        return YearMonth.parse(self.month_combo.currentData())

    def unit(self) -> str | None:
        return self.unit_combo.currentData()

    def reload(self) -> None:
        try:
            with self.context.read() as session:
                self.brief = write_brief(session, self.period(), unit=self.unit())
        except KnownError as exc:
            self.brief = None
            self.text.setPlainText(exc.message)
            self._enable()
            return
        self.text.setPlainText(self.brief.text())
        self.setWindowTitle(self.tr("简报 — %s") % self.brief.title)
        self._enable()

    def _enable(self) -> None:
        ok = self.brief is not None
        self.copy_button.setEnabled(ok)
        self.save_button.setEnabled(ok)
        self.word_button.setEnabled(ok and self.brief.has_data)

    @stops_lost_connection
    def _ledger_changed(self) -> None:
        self._fill_choices()
        self.reload()

    def copy(self) -> None:
        if self.brief is None:
            return
        QGuiApplication.clipboard().setText(self.brief.text())
        self.status.setText(self.tr("已复制到剪贴板，可粘贴到 WPS 或 Word 中"))

    def suggested_name(self) -> str:
        who = self.unit() or self.tr("全县")
        return f"{who}招商引资工作简报-{self.period()}.txt"

    def save_as(self, path: str | Path | None = None) -> Path | None:
        """Save the brief as a .txt (UTF-8 with BOM, Windows line ends); ask where if no path."""
        if self.brief is None:
            return None
        if path is None:
            folder = Path(self.context.ledger.path).parent
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("简报另存为文本"), str(folder / self.suggested_name()), self.tr("文本文件 (*.txt)")
            )
            if not chosen:
                return None
            path = chosen
        path = Path(path)
        if not path.suffix:
            path = path.with_suffix(".txt")
        try:
            path.write_bytes(self.brief.file_bytes())
        except OSError as exc:
            self.window_.show_error(KnownError(self.tr("无法保存简报（%s）：%s") % (exc.strerror or exc, path)))
            return None
        self.last_saved = path
        self.status.setText(self.tr("已保存：%s") % path)
        self.window_.statusBar().showMessage(self.tr("已保存简报：%s") % path, 15000)
        return path

    def save_word(self, path: str | Path | None = None) -> Path | None:
        """The review of this scope and month as a Word file (zsdesk/documents), dated today."""
        from ..documents.build import build_review
        from .document_dialog import save_word

        if self.brief is None:
            return None
        try:
            with self.context.read() as session:
                document = build_review(session, self.period(), unit=self.unit())
        except KnownError as exc:
            self.window_.show_error(exc)
            return None
        who = self.unit() or self.tr("全县")
        folder = Path(self.context.ledger.path).parent
        saved = save_word(self, self.window_, document, folder / f"{who}招商引资工作回顾-{self.period()}.docx", path)
        if saved is not None:
            self.last_saved = saved
            self.status.setText(self.tr("已保存：%s") % saved)
        return saved
