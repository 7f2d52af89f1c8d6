"""The checks panel (审核): the findings of the file, or of a unit and month.

Double-click opens the record; a warning can be explained (审核说明) in a dialog; the
list reloads when the data changes (lazily: only when the panel is on screen).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QGuiApplication
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStyle,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..domain.checks import MIN_EXPLANATION_CHARS, Finding, Level, real_characters
from ..domain.periods import YearMonth
from ..errors import KnownError
from ..memory import give_back
from ..store import settings as keys
from ..domain.finding_table import FindingTable
from ..store.checks_query import acknowledge, check_table, withdraw
from ..store.units import unit_names
from .table_models import release_hidden_tabs
from .server_lost import not_read_text, stops_lost_connection


LEVEL_COLORS = {Level.ERROR: "#c62828", Level.WARNING: "#b45309", Level.HINT: "#546e7a"}
EXPLAINED_COLOR = "#2e7d32"
MONTHS_OFFERED = 24
FILTER_AT_ONCE = 5_000
"""Findings filtered on every keystroke of the search; more wait for a pause in the typing."""
SEARCH_PAUSE_MS = 300
KEEP_FINDINGS_HIDDEN = 5_000
"""Findings kept while the tab is not shown (more are found again when it is shown)."""


class FindingsModel(QAbstractTableModel):
    """One row per finding: level, rule, unit, record, message, explanation."""

    LEVEL, RULE, UNIT, RECORD, MESSAGE, EXPLANATION = range(6)

    def __init__(self, parent=None):
        super().__init__(parent)
        self._findings: Sequence[Finding] = []
        self._order: list[int] = []
        """Row → position in ``_findings``, in the chosen sort."""
        self._sort: tuple[int, Qt.SortOrder] = (-1, Qt.SortOrder.AscendingOrder)
        self._headers = [
            self.tr("级别"),
            self.tr("审核规则"),
            self.tr("单位"),
            self.tr("记录"),
            self.tr("问题"),
            self.tr("说明"),
        ]
        style = QApplication.style()
        self._icons = {
            Level.ERROR: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical),
            Level.WARNING: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning),
            Level.HINT: style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxInformation),
        }

    def set_findings(self, findings: Sequence[Finding]) -> None:
        """The findings shown: a FindingTable (what the tab holds) or any sequence; in the
        order last chosen (:meth:`sort`)."""
        self.beginResetModel()
        self._findings = findings if isinstance(findings, FindingTable) else list(findings)
        self._order = self._sorted_order()
        self.endResetModel()

    def findings(self) -> list[Finding]:
        return [self.finding(row) for row in range(self.rowCount())]

    def finding(self, row: int) -> Finding:
        return self._findings[self._order[row]]

    def level_of(self, row: int) -> Level:
        """The row's level, without making its finding when the rows are a table."""
        findings, i = self._findings, self._order[row]
        return findings.level(i) if isinstance(findings, FindingTable) else findings[i].level

    def explained_at(self, row: int) -> bool:
        findings, i = self._findings, self._order[row]
        return findings.explained(i) if isinstance(findings, FindingTable) else findings[i].explained

    def row_of(self, key: tuple[str, str]) -> int | None:
        """The row of the finding of ``key`` (rule, record key); a table is searched by its
        columns, not by making its findings (a county's 80,000 took a second)."""
        findings = self._findings
        if isinstance(findings, FindingTable):
            position = findings.index_of(*key)
        else:
            position = next((i for i, f in enumerate(findings) if f.key == key), None)
        return None if position is None else self._order.index(position)

    # -- sorting: here, not in the proxy --------------------------------------------

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column: one key a row and Python's stable sort. The proxy's own sort
        asked data() twice a comparison — 80,000 findings took seconds on each show of
        the tab; by level, the default, the keys come from the table's columns."""
        self._sort = (column, order)
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_rows = [self._order[i.row()] if i.isValid() else None for i in old]
        self._order = self._sorted_order()
        position = {finding: row for row, finding in enumerate(self._order)}
        new = [QModelIndex() if r is None else self.index(position[r], i.column()) for r, i in zip(old_rows, old)]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    def _sorted_order(self) -> list[int]:
        column, order = self._sort
        count = len(self._findings)
        if column < 0:
            return list(range(count))
        if column == self.LEVEL:
            findings = self._findings
            if isinstance(findings, FindingTable):
                keys = [findings.level(i).severity * 2 + findings.explained(i) for i in range(count)]
            else:
                keys = [f.level.severity * 2 + f.explained for f in findings]
        else:
            keys = [self._text(f, column) for f in self._findings]
        return sorted(range(count), key=keys.__getitem__, reverse=order == Qt.SortOrder.DescendingOrder)

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._findings)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._headers)

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self._headers[section]
        return None

    def _text(self, f: Finding, column: int) -> str:
        if column == self.LEVEL:
            return f.level.label
        if column == self.RULE:
            return f.title
        if column == self.UNIT:
            return f.record.unit or self.tr("全县")
        if column == self.RECORD:
            return f.record.label
        if column == self.MESSAGE:
            return f.message
        if column == self.EXPLANATION:
            if f.acknowledgement is None:
                return self.tr("（未说明）") if f.level is Level.WARNING else ""
            return f.acknowledgement.explanation
        return ""

    def data(self, index: QModelIndex | QPersistentModelIndex, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        column = index.column()
        f = self.finding(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(f, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"{f.title}：{f.message}"
            if f.acknowledgement:
                ack = f.acknowledgement
                tip += "\n" + self.tr("说明：%s（%s %s）") % (ack.explanation, ack.by or "", f"{ack.at:%Y-%m-%d}")
            return tip
        if role == Qt.ItemDataRole.DecorationRole and column == self.LEVEL:
            return self._icons[f.level]
        if role == Qt.ItemDataRole.ForegroundRole and column in (self.LEVEL, self.EXPLANATION):
            color = EXPLAINED_COLOR if f.explained else LEVEL_COLORS[f.level]
            return QBrush(QColor(color))
        return None


class FindingsFilter(QSortFilterProxyModel):
    """Shows the chosen levels and the rows containing the search text."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.levels: set[Level] = set(Level)
        self.text = ""

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        """The view's sort goes to the findings model (FindingsModel.sort); this proxy
        only filters, in the model's order."""
        self.sourceModel().sort(column, order)

    def set_levels(self, levels: set[Level]) -> None:
        self._change(lambda: setattr(self, "levels", set(levels)))

    def set_text(self, text: str) -> None:
        self._change(lambda: setattr(self, "text", text.strip()))

    def _change(self, change) -> None:
        # Qt 6.9 replaced invalidateFilter() with begin/endFilterChange(); older Qt has only the first.
        if hasattr(self, "beginFilterChange"):
            self.beginFilterChange()
            change()
            self.endFilterChange()
        else:
            change()
            self.invalidateFilter()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:
        model = self.sourceModel()
        if model.level_of(source_row) not in self.levels:
            return False
        if not self.text:
            return True
        f = model.finding(source_row)
        haystack = " ".join(model._text(f, c) for c in range(model.columnCount())) + " " + f.record.key + " " + f.rule
        return self.text.lower() in haystack.lower()


class ExplainDialog(QDialog):
    """Write the explanation (审核说明) that lets a warning stand."""

    def __init__(self, finding: Finding, clerk: str = "", parent=None):
        super().__init__(parent)
        self.setObjectName("explainDialog")
        self.finding = finding
        self.setWindowTitle(self.tr("填写审核说明"))
        self.setMinimumWidth(520)
        about = QLabel(self)
        about.setObjectName("explainFinding")
        about.setWordWrap(True)
        about.setTextFormat(Qt.TextFormat.RichText)
        about.setText(f"<b>{_html(finding.title)}</b><br>{_html(finding.message)}")
        self.edit = QPlainTextEdit(self)
        self.edit.setObjectName("explanationEdit")
        self.edit.setTabChangesFocus(True)  # Tab goes on to 说明人, as in the editors' note fields
        self.edit.setPlaceholderText(self.tr("写明这条警告为什么可以保留，例如：已提交申报材料，等待省商务厅审核"))
        if finding.acknowledgement:
            self.edit.setPlainText(finding.acknowledgement.explanation)
        self.by_edit = QLineEdit(clerk if not finding.acknowledgement else finding.acknowledgement.by or clerk, self)
        self.by_edit.setObjectName("explainedByEdit")
        self.counter = QLabel(self)
        self.counter.setObjectName("explanationCounter")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("保存说明"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("取消"))
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(self.tr("说明人"), self.by_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(about)
        layout.addWidget(self.edit)
        layout.addWidget(self.counter)
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self.edit.textChanged.connect(self._count)
        self._count()

    def explanation(self) -> str:
        return self.edit.toPlainText()

    def by(self) -> str:
        return self.by_edit.text().strip()

    def _count(self) -> None:
        n = real_characters(self.explanation())
        enough = n >= MIN_EXPLANATION_CHARS
        self.counter.setText(self.tr("已写 %d 个字（至少 %d 个，标点不算）") % (n, MIN_EXPLANATION_CHARS))
        self.counter.setStyleSheet("" if enough else "color: #b45309;")
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(enough)


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def choose_month(combo, month: YearMonth) -> None:
    """Select ``month`` in a combo of month choices, added at the end when it is older."""
    if combo.findData(str(month)) < 0:
        combo.addItem(month.chinese, str(month))
    combo.setCurrentIndex(combo.findData(str(month)))


def month_choices(today_month: YearMonth, count: int = MONTHS_OFFERED) -> list[YearMonth]:
    months, month = [], today_month
    for _ in range(count):
        months.append(month)
        month = month.previous()
    return months


class ChecksPanel(QWidget):
    """The 审核 tab."""

    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("checksPanel")
        self.window_ = window
        self.context = window.context
        self._dirty = True
        self._released_selection: tuple[str, str] | None = None
        self.explain_dialog: ExplainDialog | None = None

        self.unit_combo = QComboBox(self)
        self.unit_combo.setObjectName("checksUnit")
        self.unit_combo.setMinimumContentsLength(8)
        self.month_combo = QComboBox(self)
        self.month_combo.setObjectName("checksMonth")
        self.month_combo.setMinimumContentsLength(10)
        self.level_boxes: dict[Level, QCheckBox] = {}
        for level, text in ((Level.ERROR, self.tr("错误")), (Level.WARNING, self.tr("警告")), (Level.HINT, self.tr("提示"))):
            box = QCheckBox(text, self)
            box.setObjectName(f"checksShow{level.value.capitalize()}")
            box.setChecked(True)
            box.toggled.connect(self._levels_changed)
            self.level_boxes[level] = box
        self.search = QLineEdit(self)
        self.search.setObjectName("checksSearch")
        self.search.setPlaceholderText(self.tr("搜索项目、单位、规则"))
        self.search.setClearButtonEnabled(True)
        self.refresh_button = QPushButton(self.tr("重新审核"), self)
        self.refresh_button.setObjectName("checksRefresh")
        self.refresh_button.clicked.connect(self.reload)

        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("checksSummary")
        self.summary_label.setTextFormat(Qt.TextFormat.RichText)

        self.model = FindingsModel(self)
        self.proxy = FindingsFilter(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setObjectName("checksTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(FindingsModel.LEVEL, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        for column, width in ((0, 72), (1, 150), (2, 110), (3, 220), (5, 240)):
            header.resizeSection(column, width)
        header.setSectionResizeMode(FindingsModel.MESSAGE, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(self._double_clicked)

        self.detail = QLabel(self)
        self.detail.setObjectName("checksDetail")
        self.detail.setWordWrap(True)
        self.detail.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.detail.setMinimumHeight(48)
        self.detail.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)

        self.open_button = QPushButton(self.tr("打开记录"), self)
        self.open_button.setObjectName("checksOpen")
        self.open_button.clicked.connect(self.open_selected)
        self.explain_button = QPushButton(self.tr("填写说明…"), self)
        self.explain_button.setObjectName("checksExplain")
        self.explain_button.clicked.connect(self.explain_selected)
        self.withdraw_button = QPushButton(self.tr("撤回说明"), self)
        self.withdraw_button.setObjectName("checksWithdraw")
        self.withdraw_button.clicked.connect(self.withdraw_selected)

        top = QHBoxLayout()
        top.addWidget(QLabel(self.tr("单位"), self))
        top.addWidget(self.unit_combo)
        top.addWidget(QLabel(self.tr("月份"), self))
        top.addWidget(self.month_combo)
        top.addSpacing(12)
        for box in self.level_boxes.values():
            top.addWidget(box)
        top.addSpacing(12)
        top.addWidget(self.search, 1)
        top.addWidget(self.refresh_button)
        bottom = QHBoxLayout()
        bottom.addWidget(self.detail, 1)
        bottom.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        bottom.addWidget(self.explain_button, 0, Qt.AlignmentFlag.AlignTop)
        bottom.addWidget(self.withdraw_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary_label)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)

        self._fill_choices()
        self.unit_combo.currentIndexChanged.connect(self._scope_changed)
        self.month_combo.currentIndexChanged.connect(self._scope_changed)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_PAUSE_MS)
        self._search_timer.timeout.connect(self._search_settled)
        self.search.textChanged.connect(self._search_changed)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.context.data_changed.connect(self._data_changed)
        self.context.ledger_changed.connect(self._ledger_changed)
        self._selection_changed()

    # -- scope -----------------------------------------------------------------------

    @stops_lost_connection
    def _fill_choices(self) -> None:
        with self.context.read() as session:
            names = unit_names(session)
            own = keys.own_unit(session)
        self.unit_combo.blockSignals(True)
        self.month_combo.blockSignals(True)
        self.unit_combo.clear()
        self.unit_combo.addItem(self.tr("全部单位"), None)
        for name in names:
            self.unit_combo.addItem(name, name)
        if own in names:
            self.unit_combo.setCurrentIndex(names.index(own) + 1)
        self.month_combo.clear()
        self.month_combo.addItem(self.tr("全部数据"), None)
        for month in month_choices(YearMonth.current()):
            self.month_combo.addItem(month.chinese, str(month))
        self.unit_combo.blockSignals(False)
        self.month_combo.blockSignals(False)

    def set_scope(self, unit: str | None, month: YearMonth | str | None) -> None:
        """Choose the unit (None: all) and the return's month (None: the whole file)."""
        self.unit_combo.blockSignals(True)
        self.month_combo.blockSignals(True)
        self.unit_combo.setCurrentIndex(max(0, self.unit_combo.findData(unit)))
        if month is not None and self.month_combo.findData(str(month)) < 0:
            self.month_combo.addItem(YearMonth.parse(str(month)).chinese, str(month))
        self.month_combo.setCurrentIndex(max(0, self.month_combo.findData(None if month is None else str(month))))
        self.unit_combo.blockSignals(False)
        self.month_combo.blockSignals(False)
        self.reload()

    def unit(self) -> str | None:
        return self.unit_combo.currentData()

    def period(self) -> YearMonth | None:
        data = self.month_combo.currentData()
        return YearMonth.parse(data) if data else None

    # -- loading ---------------------------------------------------------------------

    def reload(self) -> None:
        selected = self.selected()
        kept, self._released_selection = self._released_selection, None
        # The old findings go before the new ones are made (and with them the facts):
        # a whole county's two sets at once would be the tab's peak. So do the rows of
        # the tab this one replaced.
        self.model.set_findings([])
        release_hidden_tabs(self.window_)
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            with self.context.read() as session:
                findings = check_table(session, self.period(), unit=self.unit())
        except KnownError as exc:
            findings = FindingTable()
            self.window_.show_error(exc)
            if getattr(exc, "offers_reconnect", False):
                self.read_failed(exc)  # not "未发现问题" over checks that never ran
                return
        finally:
            QGuiApplication.restoreOverrideCursor()
        self._dirty = False
        self.model.set_findings(findings)
        self._show_summary(findings)
        del findings
        give_back()  # the facts the rules read are gone: their pages go back to the system
        if selected is not None:
            self.select_key(selected.key)
        elif kept is not None:
            self.select_key(kept)
        self._selection_changed()

    def read_failed(self, exc: KnownError) -> None:
        """The server went away while the checks read the ledger: no verdict, only that;
        they run again when the tab is next shown or the data change."""
        self.model.set_findings([])
        self.summary_label.setText(not_read_text(self.tr("审核结果")))
        self._dirty = True
        self._selection_changed()

    def _show_summary(self, findings: FindingTable) -> None:
        """From the table's columns: a county's 80,000 findings are counted, not made."""
        text = findings.summary()
        stops = findings.blocking_count()
        scope = self.unit() or self.tr("全部单位")
        period = self.period()
        scope += " · " + (self.tr("%s月报") % period.chinese if period else self.tr("全部数据"))
        if not len(findings):
            verdict = f"<span style='color:{EXPLAINED_COLOR}'>{self.tr('未发现问题')}</span>"
        elif findings.count_by_level()[Level.ERROR]:
            verdict = f"<span style='color:{LEVEL_COLORS[Level.ERROR]}'>{self.tr('有错误，须修改后才能报送')}</span>"
        elif stops:
            verdict = f"<span style='color:{LEVEL_COLORS[Level.WARNING]}'>" + self.tr(
                "%d个警告尚未说明：报送前请修改或填写说明") % stops + "</span>"
        else:
            verdict = f"<span style='color:{EXPLAINED_COLOR}'>{self.tr('可以报送')}</span>"
        self.summary_label.setText(f"<b>{_html(scope)}</b>　{_html(text)}　{verdict}")

    def _data_changed(self) -> None:
        if self.isVisible():
            self.reload()
        else:
            self._dirty = True

    def _ledger_changed(self) -> None:
        self._fill_choices()
        self._data_changed()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.reload()

    def hideEvent(self, event) -> None:
        """Another tab shown: a whole county's findings (80,000 on the large demo, some
        40 MB with their messages) are let go and found again when this tab is shown;
        a few are kept, as is everything when the window is only minimised."""
        super().hideEvent(event)
        if event.spontaneous() or self.model.rowCount() <= KEEP_FINDINGS_HIDDEN:
            return
        selected = self.selected()
        self._released_selection = selected.key if selected is not None else None
        self.model.set_findings([])
        self._dirty = True
        give_back()

    def _scope_changed(self) -> None:
        self.reload()

    def _levels_changed(self) -> None:
        self.proxy.set_levels({level for level, box in self.level_boxes.items() if box.isChecked()})

    def _search_changed(self, text: str) -> None:
        """Filter now; with more findings than FILTER_AT_ONCE (a county's 80,000 take about
        half a second a pass), once the typing pauses: one pass for a word, not one a key."""
        if self.model.rowCount() <= FILTER_AT_ONCE:
            self._search_timer.stop()
            self.proxy.set_text(text)
        else:
            self._search_timer.start()

    def _search_settled(self) -> None:
        self.proxy.set_text(self.search.text())

    # -- the selected finding --------------------------------------------------------

    def visible_findings(self) -> list[Finding]:
        return [self.model.finding(self.proxy.mapToSource(self.proxy.index(r, 0)).row()) for r in range(self.proxy.rowCount())]

    def selected(self) -> Finding | None:
        rows = self.table.selectionModel().selectedRows() if self.table.selectionModel() else []
        if not rows:
            return None
        return self.model.finding(self.proxy.mapToSource(rows[0]).row())

    def select_key(self, key: tuple[str, str]) -> bool:
        """Select the finding of ``key`` (rule, record key) if it is shown."""
        row = self.model.row_of(key)
        index = self.proxy.mapFromSource(self.model.index(row, 0)) if row is not None else None
        if index is None or not index.isValid():
            return False
        self.table.selectRow(index.row())
        self.table.scrollTo(index)
        return True

    def _selection_changed(self, *args) -> None:
        f = self.selected()
        self.open_button.setEnabled(f is not None and self._can_open(f))
        writable = not self.context.ledger.readonly  # a read-only window takes no explanation
        self.explain_button.setEnabled(writable and f is not None and f.level is Level.WARNING)
        self.explain_button.setText(self.tr("修改说明…") if f is not None and f.explained else self.tr("填写说明…"))
        self.withdraw_button.setEnabled(writable and f is not None and f.explained)
        if f is None:
            self.detail.setText(self.tr("选中一条审核结果查看详情；双击打开相应记录。错误须修改数据；警告可填写说明后保留；提示仅供参考。"))
            return
        text = f"<b>{_html(f.title)}</b>（{f.level.label}，{_html(record_description(f.record))}）：{_html(f.message)}"
        if f.acknowledgement:
            ack = f.acknowledgement
            text += "<br>" + self.tr("说明：%s（%s，%s）") % (_html(ack.explanation), _html(ack.by or self.tr("未署名")), f"{ack.at:%Y-%m-%d %H:%M}")
        self.detail.setText(text)

    def _can_open(self, f: Finding) -> bool:
        return f.record.opens is not None or f.record.kind in ("unit", "target", "county")

    def _double_clicked(self, index) -> None:
        self.open_finding(self.model.finding(self.proxy.mapToSource(index).row()))

    def open_selected(self) -> None:
        f = self.selected()
        if f is not None:
            self.open_finding(f)

    def open_finding(self, f: Finding):
        """Open what the finding points at: the project or investor editor, or the targets tab."""
        if f.record.opens is not None:
            kind, record_id = f.record.opens
            if kind == "project":
                return self.window_.open_project(record_id)
            if kind == "investor":
                return self.window_.open_investor(record_id)
        if f.record.kind in ("unit", "target", "county") and "targets" in self.window_.tab_keys():
            return self.window_.select_tab("targets")
        self.window_.statusBar().showMessage(self.tr("这条记录无法直接打开：%s") % f.record.label, 5000)
        return None

    def explain_selected(self) -> ExplainDialog | None:
        f = self.selected()
        if f is None or f.level is not Level.WARNING:
            return None
        with self.context.read() as session:
            clerk = keys.get_setting(session, keys.CLERK_NAME)
        dialog = ExplainDialog(f, clerk, self)
        dialog.accepted.connect(lambda: self._save_explanation(dialog))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.explain_dialog = dialog
        dialog.open()
        return dialog

    def _save_explanation(self, dialog: ExplainDialog) -> None:
        f = dialog.finding
        text, by = dialog.explanation(), dialog.by()
        try:
            self.context.write(lambda s: acknowledge(s, f.rule, f.record.key, text, by=by))
        except KnownError as exc:
            self.window_.show_error(exc)
            return
        self.reload()  # also when the panel is hidden behind the dialog
        self.select_key(f.key)
        self.window_.statusBar().showMessage(self.tr("已保存说明：%s") % record_description(f.record), 5000)

    def withdraw_selected(self) -> bool:
        f = self.selected()
        if f is None or not f.explained:
            return False
        if not self.window_.ask(self.tr("撤回说明"), self.tr("撤回这条警告的说明？撤回后该单位的月报须重新说明才能报送。")):
            return False
        try:
            self.context.write(lambda s: withdraw(s, f.rule, f.record.key))
        except KnownError as exc:
            self.window_.show_error(exc)
            return False
        self.reload()
        self.select_key(f.key)
        return True


RECORD_KINDS = {
    "project": "项目",
    "investor": "客商",
    "visit": "考察对接",
    "followup": "跟踪服务",
    "unit": "单位",
    "target": "目标任务",
    "county": "全县",
    "event": "招商活动",
}


def record_description(record) -> str:
    """What a clerk calls the record a finding is about: 项目“云山康养小镇”（甲镇）,
    never its stored key (project:XM-…)."""
    kind = RECORD_KINDS.get(record.kind, "")
    if record.kind in ("unit", "county"):
        return f"{kind}“{record.label}”" if record.kind == "unit" else record.label or kind
    text = f"{kind}“{record.label}”" if kind else f"“{record.label}”"
    if record.unit and record.unit not in record.label:
        text += f"（{record.unit}）"
    return text
