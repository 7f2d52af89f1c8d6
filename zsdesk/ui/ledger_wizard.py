"""文件 → 导入已有台账…: a wizard that brings a township's own spreadsheet in.

Pages: the file, its sheet and the unit → the header rows (found, adjustable) → each
column's field (guessed, editable, 忽略) → the words of stages, industries and flags →
a preview of every row, problems marked in their cells → the import, then the checks'
result. All reading and planning is :mod:`zsdesk.ledger_import` (no Qt there); the one
write goes through ``AppContext.write``. The mapping used is remembered per file-name
pattern (digits replaced), so next month's file starts from this month's choices.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from ..domain.enums import INDUSTRIES, Stage
from ..errors import KnownError
from ..ledger_import import Mapping, apply_plan, build_plan, read_table, sheet_names
from ..ledger_import.headers import read_header
from ..ledger_import.plan import effective_mapping, findings_of
from ..ledger_import.vocabulary import (
    FIELDS, FUNDS_MONTH_PREFIX, IGNORE, IGNORE_LABEL, ValueProblem, cell_text, field_kind, field_label,
    guess_field, guess_industry, guess_stage, normal_text, parse_flag,
)
from ..store import settings as keys
from ..store.units import unit_names
from .qsettings import app_settings

SETTINGS_PREFIX = "ledgerImport/mappings/"
FOLDER_KEY = "ledgerImport/lastFolder"
FILE_FILTER = "表格文件 (*.xlsx *.xlsm *.xls *.csv);;所有文件 (*)"
PREVIEW_ROWS = 15
ERROR_BRUSH = QBrush(QColor("#f8c8c8"))
NOTE_BRUSH = QBrush(QColor("#fff2b3"))
STATUS_BRUSHES = {
    "new": QBrush(QColor("#d8f0d8")), "update": QBrush(QColor("#d6e6fa")), "refused": ERROR_BRUSH,
    "skipped": QBrush(QColor("#e6e6e6")), "unchanged": QBrush(QColor("#ffffff")),
}


def file_pattern(path: str | Path) -> str:
    """A file name with its digits folded: '甲镇台账2026年10月.xlsx' → '甲镇台账#年#月.xlsx'."""
    name = Path(path).name
    return re.sub(r"\d+", "#", name)


def remembered_mapping(path: str | Path) -> Mapping | None:
    text = app_settings().value(SETTINGS_PREFIX + file_pattern(path))
    if not text:
        return None
    try:
        return Mapping.from_json(str(text))
    except KnownError:
        return None


def remember_mapping(path: str | Path, mapping: Mapping) -> None:
    settings = app_settings()
    settings.setValue(SETTINGS_PREFIX + file_pattern(path), mapping.to_json())
    settings.sync()


def open_ledger_wizard(window) -> "LedgerImportWizard":
    wizard = LedgerImportWizard(window)
    window.ledger_wizard = wizard
    wizard.open()
    return wizard


class LedgerImportWizard(QWizard):
    """The wizard; its state (table, mapping, plan) lives here, its pages show and edit it."""

    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("ledgerImportWizard")
        self.window_ = window
        self.context = window.context
        self.setWindowTitle(self.tr("导入已有台账"))
        self.setWizardStyle(QWizard.WizardStyle.ClassicStyle)
        self.setButtonText(QWizard.WizardButton.NextButton, self.tr("下一步(&N) >"))
        self.setButtonText(QWizard.WizardButton.BackButton, self.tr("< 上一步(&B)"))
        self.setButtonText(QWizard.WizardButton.CommitButton, self.tr("导入(&I)"))
        self.setButtonText(QWizard.WizardButton.FinishButton, self.tr("完成"))
        self.setButtonText(QWizard.WizardButton.CancelButton, self.tr("取消"))
        self.resize(1100, 700)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)  # after the import there is nothing to cancel
        self.table = None
        self.mapping = Mapping()
        self.plan = None
        self.outcome = None
        self.findings: dict[str, int] = {}
        self.file_page = FilePage(self)
        self.header_page = HeaderPage(self)
        self.columns_page = ColumnsPage(self)
        self.values_page = ValuesPage(self)
        self.preview_page = PreviewPage(self)
        self.result_page = ResultPage(self)
        for page in (self.file_page, self.header_page, self.columns_page, self.values_page, self.preview_page, self.result_page):
            self.addPage(page)

    @property
    def path(self) -> Path:
        return Path(self.file_page.path_edit.text().strip())

    def header(self):
        return read_header(self.table.rows, self.mapping.header_row, self.mapping.header_rows)


class FilePage(QWizardPage):
    def __init__(self, wizard: LedgerImportWizard):
        super().__init__()
        self.wizard_ = wizard
        self.setTitle(self.tr("第1步：选择台账文件"))
        self.setSubTitle(self.tr("可以导入 Excel（.xlsx、.xlsm）、WPS或旧版Excel存的 .xls，以及 CSV 文件。"))
        self.path_edit = QLineEdit()
        self.path_edit.setObjectName("ledgerFileEdit")
        browse = QPushButton(self.tr("浏览(&W)…"))
        browse.setObjectName("browseButton")
        browse.clicked.connect(self.browse)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(browse)
        self.sheet_combo = QComboBox()
        self.sheet_combo.setObjectName("sheetCombo")
        self.unit_combo = QComboBox()
        self.unit_combo.setObjectName("unitCombo")
        self.error_label = QLabel()
        self.error_label.setObjectName("fileError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #b00020")
        form = QFormLayout(self)
        form.addRow(self.tr("文件："), row)
        form.addRow(self.tr("工作表："), self.sheet_combo)
        form.addRow(self.tr("项目所属单位："), self.unit_combo)
        form.addRow(self.error_label)
        self.path_edit.textChanged.connect(self.load_sheets)
        self.task = None
        self._read_for = None

    def initializePage(self) -> None:
        with self.wizard_.context.read() as session:
            names = unit_names(session)
            own = keys.own_unit(session)
        self.unit_combo.clear()
        self.unit_combo.addItems(names)
        if own in names:
            self.unit_combo.setCurrentText(own)

    def browse(self) -> None:
        folder = str(app_settings().value(FOLDER_KEY) or "")
        path, _ = QFileDialog.getOpenFileName(self, self.tr("选择台账文件"), folder, FILE_FILTER)
        if path:
            app_settings().setValue(FOLDER_KEY, str(Path(path).parent))
            self.path_edit.setText(path)

    def load_sheets(self) -> None:
        self.sheet_combo.clear()
        self.error_label.clear()
        path = Path(self.path_edit.text().strip())
        if not path.is_file():
            return
        try:
            self.sheet_combo.addItems(sheet_names(path))
        except KnownError as exc:
            self.error_label.setText(str(exc))

    def validatePage(self) -> bool:
        """The file is read in a worker thread (behind a cancellable progress dialog); the
        wizard moves on when it has been read, or shows why it cannot be."""
        wizard = self.wizard_
        path = wizard.path
        if not str(path) or not path.name:
            self.error_label.setText(self.tr("请选择要导入的台账文件"))
            return False
        sheet = self.sheet_combo.currentText() or None
        sheet = sheet if sheet != "CSV" else None
        key = (str(path), sheet)
        if self._read_for == key and wizard.table is not None:
            mapping = remembered_mapping(path) or Mapping()
            mapping.sheet = sheet
            mapping.unit = self.unit_combo.currentText() or None
            wizard.mapping = mapping
            self.error_label.clear()
            return True
        if self.task is not None and self.task.running:
            return False
        from .returns_dialogs import BackgroundTask

        def work(report):
            report(0, f"正在读取 {path.name}…")
            return read_table(path, sheet)

        self.task = BackgroundTask(self, self.tr("读取台账文件"), 1, work)
        self.task.done.connect(lambda table: self._read(key, table))
        self.task.failed.connect(self._failed)
        self.task.start()
        return False

    def _read(self, key, table) -> None:
        self.wizard_.table = table
        self._read_for = key
        self.wizard_.next()

    def _failed(self, error) -> None:
        from .returns_dialogs import Cancelled

        self.wizard_.table = None
        self._read_for = None
        if isinstance(error, Cancelled):
            return
        if isinstance(error, KnownError):
            self.error_label.setText(str(error))
        else:
            raise error


class HeaderPage(QWizardPage):
    def __init__(self, wizard: LedgerImportWizard):
        super().__init__()
        self.wizard_ = wizard
        self.setTitle(self.tr("第2步：表头所在的行"))
        self.setSubTitle(self.tr("标题行会跳过。已自动找到表头，如不对请调整（合并的两行表头会连起来，如“到位资金 / 本年累计”）。"))
        self.row_spin = QSpinBox()
        self.row_spin.setObjectName("headerRowSpin")
        self.row_spin.setRange(1, 50)
        self.count_spin = QSpinBox()
        self.count_spin.setObjectName("headerCountSpin")
        self.count_spin.setRange(1, 2)
        self.grid = QTableWidget()
        self.grid.setObjectName("headerPreview")
        self.grid.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.joined = QLabel()
        self.joined.setObjectName("joinedHeaders")
        self.joined.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("表头从第几行开始："), self.row_spin)
        form.addRow(self.tr("表头占几行："), self.count_spin)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.grid, 1)
        layout.addWidget(self.joined)
        self.row_spin.valueChanged.connect(self.show_header)
        self.count_spin.valueChanged.connect(self.show_header)

    def initializePage(self) -> None:
        wizard = self.wizard_
        header = read_header(wizard.table.rows, wizard.mapping.header_row, wizard.mapping.header_rows)
        rows = wizard.table.rows[: max(PREVIEW_ROWS, header.data_start + 3)]
        width = max((len(r) for r in rows), default=0)
        self.grid.setRowCount(len(rows))
        self.grid.setColumnCount(width)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                self.grid.setItem(r, c, QTableWidgetItem(cell_text(value)))
        for spin in (self.row_spin, self.count_spin):
            spin.blockSignals(True)
        self.row_spin.setMaximum(max(1, len(wizard.table.rows)))
        self.row_spin.setValue(header.first_row)
        self.count_spin.setValue(header.rows)
        for spin in (self.row_spin, self.count_spin):
            spin.blockSignals(False)
        self.show_header()

    def show_header(self) -> None:
        first, count = self.row_spin.value(), self.count_spin.value()
        for r in range(self.grid.rowCount()):
            in_header = first <= r + 1 < first + count
            for c in range(self.grid.columnCount()):
                item = self.grid.item(r, c)
                if item is None:
                    item = QTableWidgetItem("")
                    self.grid.setItem(r, c, item)
                item.setBackground(QBrush(QColor("#cfe2ff")) if in_header else QBrush())
        header = read_header(self.wizard_.table.rows, first, count)
        self.joined.setText(self.tr("表头：") + "｜".join(h for h in header.columns if h))

    def validatePage(self) -> bool:
        self.wizard_.mapping.header_row = self.row_spin.value()
        self.wizard_.mapping.header_rows = self.count_spin.value()
        return True


def _field_choices(header_text: str) -> list[tuple[str, str]]:
    choices = [(IGNORE, IGNORE_LABEL)] + [(f.key, f.label) for f in FIELDS]
    guessed = guess_field(header_text)
    if guessed.startswith(FUNDS_MONTH_PREFIX):
        choices.insert(1, (guessed, field_label(guessed)))
    choices += [(f"{FUNDS_MONTH_PREFIX}{m:02d}", f"{m}月到位资金") for m in range(1, 13) if f"{FUNDS_MONTH_PREFIX}{m:02d}" != guessed]
    return choices


class ColumnsPage(QWizardPage):
    def __init__(self, wizard: LedgerImportWizard):
        super().__init__()
        self.wizard_ = wizard
        self.setTitle(self.tr("第3步：每一列对应什么"))
        self.setSubTitle(self.tr("已按表头猜出对应的字段，可以修改；不需要的列选“（忽略）”。金额按表头写的单位换算成万元。"))
        self.grid = QTableWidget(0, 4)
        self.grid.setObjectName("columnMapping")
        self.grid.setHorizontalHeaderLabels([self.tr("表头"), self.tr("对应字段"), self.tr("金额单位"), self.tr("第一行的值")])
        self.grid.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.grid.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.grid.setColumnWidth(1, 180)
        self.year_spin = QSpinBox()
        self.year_spin.setObjectName("fundsYearSpin")
        self.year_spin.setRange(2000, 2100)
        self.month_spin = QSpinBox()
        self.month_spin.setObjectName("cumulativeMonthSpin")
        self.month_spin.setRange(1, 12)
        self.month_spin.setSuffix(self.tr(" 月"))
        form = QFormLayout()
        form.addRow(self.tr("到位资金的年份："), self.year_spin)
        form.addRow(self.tr("累计到位资金截至："), self.month_spin)
        layout = QVBoxLayout(self)
        layout.addWidget(self.grid, 1)
        layout.addLayout(form)
        self.combos: list[tuple[str, QComboBox, QComboBox]] = []

    def initializePage(self) -> None:
        wizard = self.wizard_
        header = wizard.header()
        plan_columns = self._columns(header)
        first_data = wizard.table.rows[header.data_start - 1] if header.data_start - 1 < len(wizard.table.rows) else []
        self.grid.setRowCount(0)
        self.combos = []
        for column in plan_columns:
            if not column.header:
                continue
            row = self.grid.rowCount()
            self.grid.insertRow(row)
            self.grid.setItem(row, 0, QTableWidgetItem(column.header))
            combo = QComboBox()
            combo.setObjectName(f"fieldCombo{row}")
            for key, label in _field_choices(column.header):
                combo.addItem(label, key)
            index = combo.findData(wizard.mapping.columns.get(column.header, guess_field(column.header)))
            combo.setCurrentIndex(max(index, 0))
            self.grid.setCellWidget(row, 1, combo)
            unit = QComboBox()
            unit.addItems(["万元", "亿元", "元"])
            unit.setCurrentText(column.unit or header.sheet_unit or "万元")
            self.grid.setCellWidget(row, 2, unit)

            def follow(_index=0, combo=combo, unit=unit):
                unit.setEnabled(field_kind(combo.currentData()) in ("money", "funds_month", "funds_cumulative"))

            combo.currentIndexChanged.connect(follow)
            follow()
            value = first_data[column.index] if column.index < len(first_data) else None
            self.grid.setItem(row, 3, QTableWidgetItem(cell_text(value)))
            self.combos.append((column.header, combo, unit))
        from ..ledger_import.plan import _month_in, _year_in

        today = wizard.window_.today()
        year = wizard.mapping.funds_year or _year_in(header.title) or today.year
        self.year_spin.setValue(year)
        self.month_spin.setValue(
            wizard.mapping.cumulative_month or _month_in(header.above, year) or (12 if year < today.year else today.month)
        )

    def _columns(self, header):
        from ..ledger_import.plan import plan_columns

        columns, _ = plan_columns(header, self.wizard_.mapping, self.wizard_.mapping.funds_year or 2000)
        return columns

    def validatePage(self) -> bool:
        mapping = self.wizard_.mapping
        mapping.columns = {header: combo.currentData() for header, combo, _ in self.combos}
        mapping.units = {
            header: unit.currentText()
            for header, combo, unit in self.combos
            if field_kind(combo.currentData()) in ("money", "funds_month", "funds_cumulative")
        }
        mapping.funds_year = self.year_spin.value()
        mapping.cumulative_month = self.month_spin.value()
        if "name" not in mapping.columns.values():
            self.wizard_.window_.statusBar().showMessage(self.tr("请把一列对应为“项目名称”"), 5000)
            return False
        return True


class ValuesPage(QWizardPage):
    """The words of the stage, industry and flag columns, each mapped (guessed, editable)."""

    def __init__(self, wizard: LedgerImportWizard):
        super().__init__()
        self.wizard_ = wizard
        self.setTitle(self.tr("第4步：阶段、产业和“是/否”的写法"))
        self.setSubTitle(self.tr("文件里出现的每种写法对应到zsdesk的阶段、产业类别和是/否；对应不上的标为红色，请选择。"))
        self.grid = QTableWidget(0, 3)
        self.grid.setObjectName("valueMapping")
        self.grid.setHorizontalHeaderLabels([self.tr("类别"), self.tr("文件中的写法"), self.tr("对应为")])
        self.grid.horizontalHeader().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        layout = QVBoxLayout(self)
        layout.addWidget(self.grid)
        self.combos: list[tuple[str, str, QComboBox]] = []

    def _distinct(self, kind: str) -> list[str]:
        wizard = self.wizard_
        header = wizard.header()
        indexes = [i for i, h in enumerate(header.columns) if h and field_kind(wizard.mapping.columns.get(h, IGNORE)) == kind]
        seen: dict[str, None] = {}
        for row in wizard.table.rows[header.data_start - 1:]:
            for i in indexes:
                text = normal_text(cell_text(row[i] if i < len(row) else None)).replace(" ", "")
                if text:
                    seen.setdefault(text, None)
        return list(seen)[:200]

    def initializePage(self) -> None:
        mapping = self.wizard_.mapping
        self.grid.setRowCount(0)
        self.combos = []
        for word in self._distinct("stage"):
            combo = QComboBox()
            combo.addItem(IGNORE_LABEL, IGNORE)
            for stage in Stage:
                combo.addItem(stage.label, stage.value)
            chosen = mapping.stages.get(word) or (guess_stage(word).value if guess_stage(word) else None)
            self._add("阶段", word, combo, chosen)
        for word in self._distinct("industry"):
            combo = QComboBox()
            combo.setEditable(True)
            combo.addItem(word, word)
            for industry in INDUSTRIES:
                combo.addItem(industry, industry)
            self._add("产业", word, combo, mapping.industries.get(word) or guess_industry(word) or word, unknown_ok=True)
        for word in self._distinct("flag"):
            combo = QComboBox()
            combo.addItem("是", True)
            combo.addItem("否", False)
            try:
                chosen = mapping.flags.get(word, parse_flag(word))
            except ValueProblem:
                chosen = None
            self._add("是/否", word, combo, chosen)

    def _add(self, kind: str, word: str, combo: QComboBox, chosen, unknown_ok: bool = False) -> None:
        row = self.grid.rowCount()
        self.grid.insertRow(row)
        self.grid.setItem(row, 0, QTableWidgetItem(kind))
        item = QTableWidgetItem(word)
        index = combo.findData(chosen) if chosen is not None else -1
        if index < 0 and not unknown_ok:
            item.setBackground(ERROR_BRUSH)
            item.setToolTip(self.tr("对应不上，请选择"))
            if kind == "阶段":
                combo.setCurrentIndex(0)
        else:
            combo.setCurrentIndex(max(index, 0))
        self.grid.setItem(row, 1, item)
        combo.setObjectName(f"valueCombo{row}")
        self.grid.setCellWidget(row, 2, combo)
        self.combos.append((kind, word, combo))

    def validatePage(self) -> bool:
        mapping = self.wizard_.mapping
        for kind, word, combo in self.combos:
            if kind == "阶段":
                mapping.stages[word] = combo.currentData()
            elif kind == "产业":
                value = combo.currentText().strip()
                if value and value != word:
                    mapping.industries[word] = value
            else:
                mapping.flags[word] = bool(combo.currentData())
        return True


class PlanModel(QAbstractTableModel):
    """Every row of the plan: 行, 状态, the mapped cells, 变更/问题; problems coloured in their cells."""

    def __init__(self, plan, parent=None):
        super().__init__(parent)
        self.plan = plan
        self.columns = [c for c in plan.columns if c.field != IGNORE]
        self.heads = ["行", "状态", *(c.header for c in self.columns), "变更 / 问题"]

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.plan.rows)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.heads)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.heads):
            return self.heads[section]
        return None

    def _remark(self, row) -> str:
        if row.status == "skipped":
            return row.skip_reason
        parts = [f"{label}：{before} → {after}" for label, before, after in row.changes]
        parts += [p.reason for p in row.problems if p.column is None or p.level == "error"]
        return "；".join(parts)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self.plan.rows[index.row()]
        column = index.column()
        inner = self.columns[column - 2] if 2 <= column < len(self.heads) - 1 else None
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return str(row.row)
            if column == 1:
                return row.status_label
            if inner is not None:
                return cell_text(row.values[inner.index] if inner.index < len(row.values) else None)
            return self._remark(row)
        if role == Qt.ItemDataRole.BackgroundRole:
            if column == 1:
                return STATUS_BRUSHES[row.status]
            if inner is not None:
                problems = row.problems_at(inner.index)
                if any(p.level == "error" for p in problems):
                    return ERROR_BRUSH
                if problems:
                    return NOTE_BRUSH
        if role == Qt.ItemDataRole.ToolTipRole:
            if inner is not None:
                reasons = [p.reason for p in row.problems_at(inner.index)]
                return "\n".join(reasons) or None
            if column == len(self.heads) - 1:
                return self._remark(row) or None
        return None


class PreviewPage(QWizardPage):
    def __init__(self, wizard: LedgerImportWizard):
        super().__init__()
        self.wizard_ = wizard
        self.setTitle(self.tr("第5步：预览"))
        self.setSubTitle(self.tr("每一行将要做什么；红色的格子读不出来（鼠标停在格子上看原因），这些行不导入，其余的行照常导入。"))
        self.setCommitPage(True)
        self.summary = QLabel()
        self.summary.setObjectName("previewSummary")
        self.summary.setWordWrap(True)
        self.view = QTableView()
        self.view.setObjectName("previewTable")
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.problems = QPlainTextEdit()
        self.problems.setObjectName("previewProblems")
        self.problems.setReadOnly(True)
        self.problems.setMaximumHeight(110)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.problems)
        self.model = None

    def initializePage(self) -> None:
        wizard = self.wizard_
        try:
            with wizard.context.read() as session:
                wizard.plan = build_plan(session, wizard.table, wizard.mapping, today=wizard.window_.today())
        except KnownError as exc:
            wizard.plan = None
            self.summary.setText(str(exc))
            self.view.setModel(None)
            self.problems.clear()
            self.completeChanged.emit()
            return
        plan = wizard.plan
        self.model = PlanModel(plan, self)
        self.view.setModel(self.model)
        self.view.resizeColumnsToContents()
        lines = [f"{plan.table.path.name}（{plan.table.describe()}）：{plan.summary()}", *plan.notes]
        self.summary.setText("\n".join(lines))
        self.problems.setPlainText("\n".join(str(p) for p in plan.problems))
        self.completeChanged.emit()

    def isComplete(self) -> bool:
        return self.wizard_.plan is not None

    def validatePage(self) -> bool:
        wizard = self.wizard_
        plan = wizard.plan
        if plan is None:
            return False
        today = wizard.window_.today()
        try:
            wizard.outcome = wizard.context.write(lambda session: apply_plan(session, plan, today=today))
            if wizard.outcome.wrote:
                with wizard.context.read() as session:
                    wizard.findings = findings_of(session, wizard.outcome.project_ids, today=today)
        except KnownError as exc:
            self.summary.setText(self.tr("没有导入：") + str(exc))
            return False
        remember_mapping(wizard.path, effective_mapping(wizard.outcome.plan))
        return True


class ResultPage(QWizardPage):
    def __init__(self, wizard: LedgerImportWizard):
        super().__init__()
        self.wizard_ = wizard
        self.setTitle(self.tr("导入结果"))
        self.label = QLabel()
        self.label.setObjectName("resultLabel")
        self.label.setWordWrap(True)
        save = QPushButton(self.tr("保存对应关系(&S)…"))
        save.setObjectName("saveMappingButton")
        save.clicked.connect(self.save_mapping)
        row = QHBoxLayout()
        row.addWidget(save)
        row.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label)
        layout.addLayout(row)
        layout.addStretch(1)

    def initializePage(self) -> None:
        wizard = self.wizard_
        outcome = wizard.outcome
        if outcome is None:
            return
        lines = []
        if outcome.wrote:
            lines.append(f"已导入：新增{outcome.created}个项目，更新{outcome.updated}个。导入前已备份：{outcome.backup.name}")
            f = wizard.findings
            lines.append(f"审核结果：导入的项目有{f.get('error', 0)}条错误、{f.get('warning', 0)}条警告、{f.get('hint', 0)}条提示"
                         "（工具 → 审核 查看详情）。")
        else:
            lines.append("台账中已是文件里的内容，没有改动。")
        refused = outcome.plan.with_status("refused")
        if refused:
            lines.append(f"{len(refused)}行没有导入（见预览中红色的格子），修改文件后可再导入：已导入的行不会重复。")
        self.label.setText("\n".join(lines))

    def save_mapping(self, path: str | None = None) -> None:
        wizard = self.wizard_
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, self.tr("保存对应关系"), "", "对应关系 (*.json)")
        if path:
            try:
                effective_mapping(wizard.outcome.plan).save(path)
            except KnownError as exc:
                self.label.setText(self.label.text() + "\n" + str(exc))


__all__ = ["LedgerImportWizard", "PlanModel", "file_pattern", "open_ledger_wizard"]
