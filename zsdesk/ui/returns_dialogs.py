"""Dialogs of the Excel returns: export a return, preview an import, pick a month or year,
and the background task that keeps the window responsive while a workbook is written or
read.

Reading and writing workbooks runs in a worker thread with its own read session (the
slow part: openpyxl). Writes to the ledger stay on the GUI thread and go through
``AppContext.write``, the one place writes go through.
"""

from __future__ import annotations

import html

import datetime as dt
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, QObject, Qt, QThread, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTextBrowser,
    QLineEdit,
    QListWidget,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ..domain.periods import YearMonth
from ..domain.quoting import quote
from .forms import ok_cancel

if TYPE_CHECKING:  # for annotations only: openpyxl is imported when a return is read or written
    from ..returns.importer import ReturnPreview
    from ..returns.targets import TargetsPreview

ALL_UNITS = None


class Cancelled(Exception):
    """The user pressed 取消 in a progress dialog."""


class _Worker(QObject):
    progressed = Signal(int, str)
    finished = Signal()

    def __init__(self, work: Callable, cancelled: threading.Event):
        super().__init__()
        self.work = work
        self.cancelled = cancelled
        self.result = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.work(self.report)
        except BaseException as exc:  # handed to the GUI thread, raised or shown there
            self.error = exc
        finally:
            self.finished.emit()

    def report(self, step: int, text: str) -> None:
        """Called by the work between steps; raises Cancelled once the user cancelled."""
        if self.cancelled.is_set():
            raise Cancelled()
        self.progressed.emit(step, text)


class BackgroundTask(QObject):
    """Run ``work(report)`` in a worker thread behind a cancellable progress dialog.

    ``work`` may call ``report(step, text)`` between steps (and stops with
    :class:`Cancelled` when the user cancelled). ``done(result)`` or ``failed(error)``
    is emitted on the GUI thread when the work ends. ``work`` must not touch widgets,
    and reads the ledger with its own session.
    """

    done = Signal(object)
    failed = Signal(object)

    def __init__(self, parent: QWidget, title: str, total: int, work: Callable):
        super().__init__(parent)
        self.setObjectName("backgroundTask")
        self._cancelled = threading.Event()
        self.progress = QProgressDialog(title, self.tr("取消"), 0, max(total, 1), parent)
        self.progress.setObjectName("returnsProgress")
        self.progress.setWindowTitle(title)
        self.progress.setWindowModality(Qt.WindowModality.WindowModal)
        self.progress.setMinimumDuration(400)
        self.progress.setAutoClose(False)
        self.progress.setAutoReset(False)
        self.progress.canceled.connect(self._cancelled.set)
        self._thread = QThread(self)
        self._worker = _Worker(work, self._cancelled)
        self._worker.moveToThread(self._thread)
        self._thread.started.connect(self._worker.run)
        self._worker.progressed.connect(self._on_progress)
        self._worker.finished.connect(self._on_finished)
        self.running = False

    def start(self) -> "BackgroundTask":
        self.running = True
        self.progress.setValue(0)
        self._thread.start()
        return self

    def cancel(self) -> None:
        self._cancelled.set()

    def _on_progress(self, step: int, text: str) -> None:
        self.progress.setLabelText(text)
        self.progress.setValue(step)

    def _on_finished(self) -> None:
        self._thread.quit()
        self._thread.wait()
        self.running = False
        self.progress.reset()
        self.progress.close()
        self.progress.deleteLater()
        if self._worker.error is not None:
            self.failed.emit(self._worker.error)
        else:
            self.done.emit(self._worker.result)


def _month_edit(parent: QWidget, name: str, period: YearMonth, latest: dt.date) -> QDateEdit:
    edit = QDateEdit(parent)
    edit.setObjectName(name)
    edit.setDisplayFormat("yyyy年M月")
    edit.setCalendarPopup(False)
    edit.setMaximumDate(QDate(latest.year, latest.month, 1))
    edit.setMinimumDate(QDate(2000, 1, 1))
    edit.setDate(QDate(period.year, period.month, 1))
    return edit


def _period_of(edit: QDateEdit) -> YearMonth:
    day = edit.date()
    return YearMonth(day.year(), day.month())


class ExportReturnDialog(QDialog):
    """Which unit and month, and where to: a file for one unit, a folder for all."""

    def __init__(self, parent: QWidget, units: list[str], period: YearMonth, today: dt.date, *, unit: str | None = None,
                 folder: Path | None = None, sign_off: dict[str, str] | None = None):
        from .ledger_dialogs import SignOffFields

        super().__init__(parent)
        self.setObjectName("exportReturnDialog")
        self.setWindowTitle(self.tr("导出月报"))
        self.folder = folder or Path.home()
        self.unit_combo = QComboBox(self)
        self.unit_combo.setObjectName("unitCombo")
        self.unit_combo.addItem(self.tr("全部单位（每个单位一个文件）"), ALL_UNITS)
        for name in units:
            self.unit_combo.addItem(name, name)
        if unit in units:
            self.unit_combo.setCurrentIndex(units.index(unit) + 1)
        self.month_edit = _month_edit(self, "monthEdit", period, today)
        self.target_edit = QLineEdit(self)
        self.target_edit.setObjectName("targetEdit")
        self.target_edit.setMinimumWidth(360)
        self.browse_button = QPushButton(self.tr("选择…"), self)
        self.browse_button.setObjectName("browseButton")
        self.browse_button.clicked.connect(self.choose_target)
        target_row = QHBoxLayout()
        target_row.addWidget(self.target_edit, 1)
        target_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow(self.tr("填报单位："), self.unit_combo)
        form.addRow(self.tr("月份："), self.month_edit)
        self.target_label = QLabel(self)
        form.addRow(self.target_label, target_row)
        # Who signs the return: confirmed at every export, remembered in the file's settings.
        self.sign_off = SignOffFields(self, form, sign_off)
        self.sign_off_values: dict[str, str] = {}
        self.error = QLabel(self)
        self.error.setObjectName("exportError")
        self.error.setStyleSheet("color: #b00020;")
        self.error.setWordWrap(True)
        self.error.hide()
        self.buttons = ok_cancel(self, self.tr("导出"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.unit_combo.currentIndexChanged.connect(self._suggest_target)
        self.month_edit.dateChanged.connect(self._suggest_target)
        self._suggest_target()

    @property
    def unit(self) -> str | None:
        return self.unit_combo.currentData()

    def accept(self) -> None:
        from ..errors import ValidationError

        try:
            self.sign_off_values = self.sign_off.values()
        except ValidationError as exc:
            self.error.setText(exc.message)
            self.error.show()
            self.sign_off.edits[exc.field].setFocus()
            return
        super().accept()

    @property
    def period(self) -> YearMonth:
        return _period_of(self.month_edit)

    @property
    def target(self) -> Path:
        return Path(self.target_edit.text().strip())

    def _suggest_target(self) -> None:
        from ..returns import return_file_name

        if self.unit is ALL_UNITS:
            self.target_label.setText(self.tr("保存到文件夹："))
            self.target_edit.setText(str(self.folder))
        else:
            self.target_label.setText(self.tr("保存为："))
            self.target_edit.setText(str(self.folder / return_file_name(self.unit, self.period)))

    def choose_target(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        if self.unit is ALL_UNITS:
            chosen = QFileDialog.getExistingDirectory(self, self.tr("选择保存月报的文件夹"), str(self.target))
        else:
            chosen, _ = QFileDialog.getSaveFileName(
                self, self.tr("月报保存为"), str(self.target), self.tr("Excel 工作簿 (*.xlsx)")
            )
        if chosen:
            self.target_edit.setText(chosen)


class PeriodDialog(QDialog):
    """A month (for the summary) or a year (for the targets grid)."""

    def __init__(self, parent: QWidget, title: str, today: dt.date, *, year_only: bool = False,
                 period: YearMonth | None = None):
        super().__init__(parent)
        self.setObjectName("periodDialog")
        self.setWindowTitle(title)
        self.year_only = year_only
        form = QFormLayout()
        if year_only:
            self.year_spin = QSpinBox(self)
            self.year_spin.setObjectName("yearSpin")
            self.year_spin.setRange(2000, 2999)
            self.year_spin.setValue((period or YearMonth.of(today)).year)
            form.addRow(self.tr("年份："), self.year_spin)
        else:
            self.month_edit = _month_edit(self, "monthEdit", period or YearMonth.of(today), today)
            form.addRow(self.tr("月份："), self.month_edit)
        buttons = ok_cancel(self, self.tr("确定"))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    @property
    def period(self) -> YearMonth:
        return _period_of(self.month_edit)

    @property
    def year(self) -> int:
        return self.year_spin.value() if self.year_only else self.period.year


def _table(parent: QWidget, name: str, headers: list[str], rows: list[list[str]]) -> QTableWidget:
    table = QTableWidget(len(rows), len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    for r, row in enumerate(rows):
        for c, text in enumerate(row):
            table.setItem(r, c, QTableWidgetItem(text))
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


MAX_LISTED = 500
"""Rows a preview lists (a first import of a large unit has thousands of new projects)."""


class ReturnPreviewDialog(QDialog):
    """What importing one return would do, before anything is written: 导入 or 取消.

    It leads with what is removed or cleared, then what changes (and the unit's totals
    before → after), then what is new (zsdesk/returns/import_report.py); sections wrap
    their lines, so nothing needs sideways scrolling. When anything would be cleared,
    Enter means 取消, not 导入.
    """

    def __init__(self, parent: QWidget, preview: ReturnPreview, position: tuple[int, int] = (1, 1)):
        from ..returns.import_report import clears_anything, report

        super().__init__(parent)
        self.setObjectName("returnPreviewDialog")
        self.preview = preview
        number, total = position
        self.setWindowTitle(self.tr("导入月报预览（%1/%2）").replace("%1", str(number)).replace("%2", str(total)))
        self.resize(760, 620)
        layout = QVBoxLayout(self)
        self.file_label = QLabel(self.tr("文件：%s") % quote(preview.file_name, 80), self)
        self.file_label.setObjectName("fileLabel")
        self.file_label.setWordWrap(True)
        layout.addWidget(self.file_label)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("summaryLabel")
        self.summary_label.setWordWrap(True)
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.summary_label)
        self.sections = report(preview)
        self.clears = (not preview.refused) and clears_anything(preview)
        if preview.refused:
            self.summary_label.setText(self.tr("此文件不能导入，台账不会有任何改动：\n%s") % preview.refusal.message)
            self.summary_label.setStyleSheet("color: #b00020;")
        else:
            text = self.tr("%1 %2：新增项目 %3 个，变更 %4 个，未变 %5 个；到位资金变动 %6 处。")
            for key, value in (
                ("%1", quote(preview.unit)),
                ("%2", preview.period.chinese),
                ("%3", str(len(preview.new))),
                ("%4", str(len(preview.changed))),
                ("%5", str(len(preview.unchanged))),
                ("%6", str(preview.funds_changed)),
            ):
                text = text.replace(key, value)
            if preview.already_imported:
                text += self.tr("\n此文件已导入过，台账中的数据与它相同，导入不会改动任何数据。")
            if self.clears:
                text += self.tr("\n注意：导入会清除本台账中的数据，请先看下面第一部分。")
            self.summary_label.setText(text)
        self.report_view = QTextBrowser(self)
        self.report_view.setObjectName("reportView")
        self.report_view.setLineWrapMode(QTextBrowser.LineWrapMode.WidgetWidth)
        self.report_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.report_view.setHtml(self._html())
        layout.addWidget(self.report_view, 1)
        buttons = QDialogButtonBox(self)
        self.import_button = buttons.addButton(self.tr("导入"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("importButton")
        self.skip_button = buttons.addButton(
            self.tr("关闭") if preview.refused else self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole
        )
        self.skip_button.setObjectName("skipButton")
        self.import_button.setEnabled(not preview.refused)
        self.import_button.setVisible(not preview.refused)
        safe = preview.refused or self.clears
        for button in (self.import_button, self.skip_button):
            button.setAutoDefault(False)
        (self.skip_button if safe else self.import_button).setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        if safe:
            self.skip_button.setFocus()

    def section(self, key: str):
        return next((s for s in self.sections if s.key == key), None)

    def _html(self) -> str:
        numbers = "一二三四五"
        parts = []
        for i, section in enumerate(self.sections):
            colour = "#b00020" if section.warn else "#202020"
            title = section.title if section.key == "refused" else f"{numbers[i]}、{section.title}"
            parts.append(f'<h3 style="color:{colour}; margin-bottom:2px">{html.escape(title)}</h3>')
            items = section.lines[:MAX_LISTED]
            if len(section.lines) > MAX_LISTED:
                items.append(self.tr("……另有 %s 条未列出") % (len(section.lines) - MAX_LISTED))
            parts.append("".join(f'<p style="margin:1px 0">{html.escape(line)}</p>' for line in items))
        return "".join(parts)


class TargetsPreviewDialog(QDialog):
    """What importing a targets grid would change: 导入 or 取消."""

    def __init__(self, parent: QWidget, preview: TargetsPreview):
        super().__init__(parent)
        self.setObjectName("targetsPreviewDialog")
        self.setWindowTitle(self.tr("导入年度目标任务分解表"))
        self.preview = preview
        self.resize(640, 480)
        layout = QVBoxLayout(self)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("summaryLabel")
        self.summary_label.setWordWrap(True)
        layout.addWidget(self.summary_label)
        if preview.refused:
            self.summary_label.setText(self.tr("此文件不能导入，台账不会有任何改动：\n%s") % preview.refusal.message)
            self.summary_label.setStyleSheet("color: #b00020;")
            rows = []
        else:
            self.summary_label.setText(preview.summary())
            rows = [
                [c.unit or self.tr("全县"), c.indicator.label, _show(c.before), _show(c.after)] for c in preview.changes
            ]
        self.changes = _table(self, "changesTable", [self.tr("单位"), self.tr("指标"), self.tr("原目标"), self.tr("新目标")], rows)
        layout.addWidget(self.changes, 1)
        self.findings = QListWidget(self)
        self.findings.setObjectName("findingsList")
        for finding in preview.findings:
            self.findings.addItem(finding)
        layout.addWidget(self.findings)
        buttons = QDialogButtonBox(self)
        self.import_button = buttons.addButton(self.tr("导入"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.import_button.setObjectName("importButton")
        self.import_button.setEnabled(not preview.refused and bool(preview.changes))
        cancel = buttons.addButton(self.tr("关闭") if preview.refused else self.tr("取消"), QDialogButtonBox.ButtonRole.RejectRole)
        cancel.setObjectName("skipButton")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)


def _show(value) -> str:
    from ..returns.reader import _fmt

    return "（无）" if value is None else _fmt(value)
