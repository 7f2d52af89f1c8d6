"""工具 → 月度通报 (and 简报's 另存为Word): a document's text preview and 另存为 Word.

The document is composed by :mod:`zsdesk.documents` (no Qt) from the ledger; this
dialog only picks the month and the date, shows the text and saves the .docx.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from ..documents.model import OfficialDocument
from ..domain.periods import YearMonth
from ..errors import KnownError
from ..store.brief_query import latest_month
from .checks_panel import choose_month, month_choices
from .forms import show_one


def save_word(parent, window, document: OfficialDocument, suggested: Path, path: str | Path | None = None) -> Path | None:
    """Save ``document`` as .docx; ask where (a 另存为 dialog) when no ``path`` is given.

    A path that cannot be written is told in Chinese; nothing is half written.
    """
    from ..documents.docx_writer import write_docx

    if path is None:
        chosen, _ = QFileDialog.getSaveFileName(
            parent, parent.tr("另存为Word文件"), str(suggested), parent.tr("Word文件 (*.docx)")
        )
        if not chosen:
            return None
        path = chosen
    path = Path(path)
    if path.suffix.lower() != ".docx":
        path = path.with_name(path.name + ".docx")
    try:
        return write_docx(document, path)
    except KnownError as exc:
        window.show_error(exc)
        return None


class BulletinDialog(QDialog):
    """The monthly 通报: month, 成文日期, the ranking chart or not; preview; 另存为Word."""

    def __init__(self, window, parent=None):
        super().__init__(parent or window)
        self.setObjectName("bulletinDialog")
        self.window_ = window
        self.context = window.context
        self.document: OfficialDocument | None = None
        self.last_saved: Path | None = None
        self.setWindowTitle(self.tr("月度通报"))
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(900, 640)

        self.month_combo = QComboBox(self)
        self.month_combo.setObjectName("bulletinMonth")
        self.month_combo.setMinimumContentsLength(10)
        self.date_edit = QDateEdit(self)
        self.date_edit.setObjectName("bulletinDate")
        self.date_edit.setDisplayFormat("yyyy年M月d日")
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDate(QDate.currentDate())
        self.chart_box = QCheckBox(self.tr("附排名图"), self)
        self.chart_box.setObjectName("bulletinChart")
        self.chart_box.setToolTip(self.tr("在表1后附引进内资到位资金完成率排名图（按打印尺寸，300 dpi）"))
        self.text = QPlainTextEdit(self)
        self.text.setObjectName("bulletinText")
        self.text.setReadOnly(True)
        self.save_button = QPushButton(self.tr("另存为Word…"), self)
        self.save_button.setObjectName("bulletinSave")
        self.save_button.clicked.connect(lambda: self.save_as())
        self.close_button = QPushButton(self.tr("关闭"), self)
        self.close_button.setObjectName("bulletinClose")
        self.close_button.clicked.connect(self.close)
        self.status = QLabel(self)
        self.status.setObjectName("bulletinStatus")
        self.status.setWordWrap(True)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("截至"), self))
        top.addWidget(self.month_combo)
        top.addWidget(QLabel(self.tr("成文日期"), self))
        top.addWidget(self.date_edit)
        top.addWidget(self.chart_box)
        top.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.text, 1)
        layout.addLayout(buttons)

        self._fill_months()
        self.month_combo.currentIndexChanged.connect(self.reload)
        self.date_edit.dateChanged.connect(self.reload)
        self.context.data_changed.connect(self.reload)
        self.reload()

    def _fill_months(self) -> None:
        with self.context.read() as session:
            newest = latest_month(session)
        self.month_combo.blockSignals(True)
        for month in month_choices(YearMonth.current()):
            self.month_combo.addItem(month.chinese, str(month))
        choose_month(self.month_combo, newest)
        self.month_combo.blockSignals(False)

    def period(self) -> YearMonth:
        return YearMonth.parse(self.month_combo.currentData())

    def signed_on(self) -> dt.date:
        return self.date_edit.date().toPython()

    def compose(self, *, chart: bool = False) -> OfficialDocument:
        from ..documents.build import build_bulletin

        with self.context.read() as session:
            return build_bulletin(session, self.period(), signed_on=self.signed_on(), chart=chart)

    def reload(self) -> None:
        """The preview: the 通报's text (the chart is drawn only when saving)."""
        try:
            self.document = self.compose()
        except KnownError as exc:
            self.document = None
            self.text.setPlainText(exc.message)
            self.save_button.setEnabled(False)
            return
        self.text.setPlainText(self.document.text())
        self.setWindowTitle(self.tr("月度通报 — %s") % self.document.title)
        self.save_button.setEnabled(True)

    def suggested_name(self) -> str:
        return f"全县招商引资工作通报-{self.period()}.docx"

    def save_as(self, path: str | Path | None = None) -> Path | None:
        if self.document is None:
            return None
        folder = Path(self.context.ledger.path).parent
        try:
            document = self.compose(chart=self.chart_box.isChecked())
        except KnownError as exc:
            self.window_.show_error(exc)
            return None
        saved = save_word(self, self.window_, document, folder / self.suggested_name(), path)
        if saved is not None:
            self.last_saved = saved
            self.status.setText(self.tr("已保存：%s") % saved)
        return saved


def open_bulletin(window) -> BulletinDialog:
    """Show the 月度通报 dialog (one per main window, raised if already open)."""
    return show_one(window, "bulletin_dialog", lambda: BulletinDialog(window))
