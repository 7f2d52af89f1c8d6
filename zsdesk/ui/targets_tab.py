"""The targets tab (目标任务): annual targets typed into a grid of units × indicators,
and the same grid as progress (actual, completion rate, 序时进度) for a chosen month.

The progress numbers come from ``zsdesk.store.progress_query.load_progress``, the one
computation that the return, the charts and the brief use as well.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QSettings, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemDelegate,
    QAbstractItemView,
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QRadioButton,
    QStyledItemDelegate,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..domain.enums import Indicator, Measure, Status
from ..domain.money import format_money, format_percent, format_wan
from ..domain.periods import YearMonth
from ..domain.progress import ProgressRow, ProgressTable
from ..errors import KnownError, ValidationError
from ..store.units import unit_choices
from ..store.progress_query import load_progress
from ..store.projects import project_years
from ..store.versions import RecordConflict
from ..store.targets import assigned_by_county, set_target, target_grid, target_years
from .server_lost import not_read_text, stops_lost_connection
from .table_models import ROW_ID_ROLE, SORT_ROLE

INDICATORS = tuple(Indicator)
COUNTY_LABEL = "全县"
STATUS_COLOURS = {
    Status.DONE: QColor("#a5d6a7"),
    Status.AHEAD: QColor("#dcedc8"),
    Status.BEHIND: QColor("#ffccbc"),
    Status.NOTHING: QColor("#e0e0e0"),
}
COUNTY_BACKGROUND = QColor("#eef3fa")
TARGETS, PROGRESS = "targets", "progress"


def format_quantity(indicator: Indicator, value) -> str:
    """As shown: money by the one rule (format_money), counts as whole numbers."""
    if value is None:
        return ""
    if indicator.measure is Measure.MONEY:
        return format_money(Decimal(value))
    return str(int(value))


def exact_quantity(indicator: Indicator, value) -> str:
    """As typed into a cell: the exact amount, no separators."""
    if value is None:
        return ""
    if indicator.measure is Measure.MONEY:
        return format_wan(Decimal(value)).replace(",", "")
    return str(int(value))


class TargetsModel(QAbstractTableModel):
    """Rows: the units, then the county; columns: the indicators."""

    edit_requested = Signal(object, object, str)
    """(unit id or None for the county, Indicator, text typed)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.mode = TARGETS
        self.units: list[tuple[int, str]] = []
        self.targets: dict = {}
        self.progress: ProgressTable | None = None
        self.accept_edit = lambda unit_id, indicator, text: False
        self.read_only = False
        """A read-only file, or a township's targets from the county: shown, never edited."""

    def set_data(self, units, targets, progress: ProgressTable | None, mode: str) -> None:
        """Show new figures. With the same units and mode the cells change in place
        (dataChanged), never a reset: a reset while a cell's editor commits (Enter, Tab)
        destroys that editor and the view loses its place — Tab reopened the same cell
        and Qt said "commitData called with an editor that does not belong to this view"."""
        units = list(units)
        if units == self.units and mode == self.mode and self.rowCount() > 0:
            self.targets, self.progress = dict(targets), progress
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))
            return
        self.beginResetModel()
        self.units, self.targets, self.progress, self.mode = units, dict(targets), progress, mode
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.units) + 1

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(INDICATORS)

    def unit_at(self, row: int) -> tuple[int | None, str]:
        return self.units[row] if row < len(self.units) else (None, COUNTY_LABEL)

    def progress_row(self, row: int, indicator: Indicator) -> ProgressRow | None:
        if self.progress is None:
            return None
        unit_id, name = self.unit_at(row)
        try:
            return self.progress.get(None if unit_id is None else name, indicator)
        except StopIteration:
            return None

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        unit_id, name = self.unit_at(index.row())
        indicator = INDICATORS[index.column()]
        target = self.targets.get((unit_id, indicator))
        if role == ROW_ID_ROLE:
            return unit_id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        if self.mode == TARGETS:
            if role == Qt.ItemDataRole.DisplayRole:
                return format_quantity(indicator, target)
            if role == Qt.ItemDataRole.EditRole:
                return exact_quantity(indicator, target)
            if role == SORT_ROLE:
                return float(target) if target is not None else -1.0
            if role == Qt.ItemDataRole.BackgroundRole and unit_id is None:
                return QBrush(COUNTY_BACKGROUND)
            if role == Qt.ItemDataRole.ToolTipRole:
                return f"{name} · {indicator.label}（{indicator.measure.label}）"
            return None
        row = self.progress_row(index.row(), indicator)
        if row is None:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            actual = format_quantity(indicator, row.actual)
            return f"{actual}｜{format_percent(row.rate, 1)}" if row.rate is not None else f"{actual}｜无任务"
        if role == SORT_ROLE:
            return float(row.rate) if row.rate is not None else -1.0
        if role == Qt.ItemDataRole.BackgroundRole:
            colour = STATUS_COLOURS.get(row.status)
            return QBrush(colour) if colour is not None else None
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [
                f"{name} · {indicator.label}",
                f"目标：{format_quantity(indicator, row.target) or '无'} {indicator.measure.label}",
                f"实绩：{format_quantity(indicator, row.actual)} {indicator.measure.label}",
                f"完成率：{format_percent(row.rate)}",
                f"序时进度：{format_percent(row.schedule)}",
                f"状态：{row.status.label}",
            ]
            if row.rank:
                lines.append(f"排名：第{row.rank}名")
            return "\n".join(lines)
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(INDICATORS):
            indicator = INDICATORS[section]
            if role == Qt.ItemDataRole.DisplayRole:
                return f"{indicator.short_label}\n（{indicator.measure.label}）"
            if role == Qt.ItemDataRole.ToolTipRole:
                return indicator.label
        if orientation == Qt.Orientation.Vertical and 0 <= section < self.rowCount():
            if role == Qt.ItemDataRole.DisplayRole:
                return self.unit_at(section)[1]
        return None

    def flags(self, index):
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if self.mode == TARGETS and not self.read_only:
            flags |= Qt.ItemFlag.ItemIsEditable
        return flags

    def setData(self, index, value, role=Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or role != Qt.ItemDataRole.EditRole or self.mode != TARGETS:
            return False
        unit_id, _name = self.unit_at(index.row())
        return bool(self.accept_edit(unit_id, INDICATORS[index.column()], str(value if value is not None else "")))


class TargetsProxy(QSortFilterProxyModel):
    """Sorts units by a column; the county row stays last either way."""

    def lessThan(self, left, right) -> bool:
        model = self.sourceModel()
        county = model.rowCount() - 1
        ascending = self.sortOrder() == Qt.SortOrder.AscendingOrder
        if left.row() == county:
            return not ascending
        if right.row() == county:
            return ascending
        return (left.data(SORT_ROLE) or 0) < (right.data(SORT_ROLE) or 0)


class TargetDelegate(QStyledItemDelegate):
    """Esc in a cell that was typed into asks 保存 / 不保存 / 取消, as every editor does."""

    def __init__(self, tab: "TargetsTab"):
        super().__init__(tab)
        self.tab = tab

    def eventFilter(self, editor, event) -> bool:
        if (
            event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Escape
            and self.tab.has_unsaved_changes()
        ):
            from . import forms

            answer = forms.ask_unsaved(self.tab, self.tab.editing_title())
            if answer == forms.CANCEL:
                return True  # go on typing
            if answer == forms.SAVE:
                self.commitData.emit(editor)
                self.closeEditor.emit(editor, QAbstractItemDelegate.EndEditHint.NoHint)
                return True
        return super().eventFilter(editor, event)


class TargetsTab(QWidget):
    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("targetsTab")
        self.main_window = window
        self.context = window.context
        self.model = TargetsModel(self)
        self.model.accept_edit = self.set_target_text
        self.proxy = TargetsProxy(self)
        self.proxy.setSourceModel(self.model)
        self._dirty = True
        self._build()
        from .qsettings import app_settings

        if app_settings().value("targetsTab/mode") == PROGRESS:
            self.progress_radio.setChecked(True)
        self.context.data_changed.connect(self._on_data_changed)
        self.context.ledger_changed.connect(lambda: self.fill_years())
        self.fill_years()
        self.reload()

    def _build(self) -> None:
        self.year = QComboBox(self)
        self.year.setObjectName("targetsYear")
        self.year.currentIndexChanged.connect(self._year_changed)
        self.targets_radio = QRadioButton(self.tr("目标任务（直接在格中录入）"), self)
        self.targets_radio.setObjectName("targetsModeTargets")
        self.progress_radio = QRadioButton(self.tr("完成进度"), self)
        self.progress_radio.setObjectName("targetsModeProgress")
        self.targets_radio.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.targets_radio)
        group.addButton(self.progress_radio)
        self.targets_radio.toggled.connect(lambda _on: self.reload())
        self.month = QComboBox(self)
        self.month.setObjectName("targetsMonth")
        for m in range(1, 13):
            self.month.addItem(self.tr("%d月") % m, m)
        self.month.currentIndexChanged.connect(lambda _i: self.reload())
        self.schedule_label = QLabel(self)
        self.schedule_label.setObjectName("targetsSchedule")
        bar = QHBoxLayout()
        bar.addWidget(QLabel(self.tr("年度"), self))
        bar.addWidget(self.year)
        bar.addSpacing(16)
        bar.addWidget(self.targets_radio)
        bar.addWidget(self.progress_radio)
        bar.addWidget(QLabel(self.tr("截至"), self))
        bar.addWidget(self.month)
        bar.addSpacing(16)
        bar.addWidget(self.schedule_label)
        bar.addStretch(1)

        self.table = QTableView(self)
        self.table.setObjectName("targetsTable")
        self.table.setModel(self.proxy)
        self.table.setItemDelegate(TargetDelegate(self))
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(
            QAbstractItemView.EditTrigger.AnyKeyPressed
            | QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSortingEnabled(True)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 10)
        self.table.verticalHeader().setMinimumWidth(110)

        self.error = QLabel(self)
        self.error.setObjectName("targetsError")
        self.error.setStyleSheet("color: #b00020; font-weight: bold;")
        self.error.hide()
        self.legend = QLabel(self)
        self.legend.setObjectName("targetsLegend")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.error)
        layout.addWidget(self.legend)

    @stops_lost_connection
    def fill_years(self, year: int | None = None) -> None:
        with self.context.read() as session:
            years = set(target_years(session)) | set(project_years(session))
        years.add(self.main_window.today().year)
        current = year if year is not None else self.year.currentData()
        self.year.blockSignals(True)
        self.year.clear()
        for year in sorted(years, reverse=True):
            self.year.addItem(self.tr("%d年") % year, year)
        index = self.year.findData(current if current is not None else self.main_window.today().year)
        self.year.setCurrentIndex(max(index, 0))
        self.year.blockSignals(False)
        self._year_changed()

    def _year_changed(self) -> None:
        year = self.year.currentData()
        if year is None:
            return
        today = self.main_window.today()
        last = today.month if year == today.year else 12
        self.month.blockSignals(True)
        for m in range(1, 13):
            item = self.month.model().item(m - 1)
            item.setEnabled(year < today.year or m <= last if year <= today.year else False)
        self.month.setCurrentIndex(last - 1)
        self.month.blockSignals(False)
        self.reload()

    # -- data -----------------------------------------------------------------------

    @property
    def mode(self) -> str:
        return PROGRESS if self.progress_radio.isChecked() else TARGETS

    def period(self) -> YearMonth:
        return YearMonth(self.year.currentData() or self.main_window.today().year, self.month.currentData() or 12)

    def set_mode(self, mode: str) -> None:
        (self.progress_radio if mode == PROGRESS else self.targets_radio).setChecked(True)

    @stops_lost_connection
    def reload(self) -> None:
        if self.year.currentData() is None:
            return
        period = self.period()
        with self.context.read() as session:
            units = unit_choices(session)
            targets = target_grid(session, period.year)
            progress = load_progress(session, period) if self.mode == PROGRESS else None
            source = assigned_by_county(session)
        self.model.read_only = bool(source) or bool(self.context.ledger.readonly)
        self.targets_radio.setText(
            self.tr("目标任务（县招商局下达，只读）") if source else self.tr("目标任务（直接在格中录入）")
        )
        self.model.set_data(units, targets, progress, self.mode)
        self.month.setEnabled(self.mode == PROGRESS)
        if self.mode == PROGRESS:
            self.schedule_label.setText(
                self.tr("序时进度 %s（%s）") % (format_percent(progress.schedule), period.chinese)
            )
            self.legend.setText(
                self.tr("每格：实绩｜完成率。绿色：已完成；浅绿：快于序时；橙色：慢于序时；灰色：无实绩。悬停看目标、排名。")
            )
        elif self.context.ledger.readonly:
            self.schedule_label.setText("")
            self.legend.setText(self.tr("台账以只读方式打开：目标任务只能查看，不能修改。"))
        elif source:
            self.schedule_label.setText("")
            self.legend.setText(
                self.tr("目标任务由县招商局下达（来自%s），只读；县里调整后发来新的分解表，用“文件 → 导入年度目标任务分解表”更新。")
                % source
            )
        else:
            self.schedule_label.setText("")
            self.legend.setText(
                self.tr("直接在格中输入年度目标（资金为万元，最多4位小数；个数为整数），清空即删除；“全县”行是县的目标，不是各单位之和。")
            )
        self._dirty = False

    def read_failed(self, exc) -> None:
        """The server went away while the grid was read: an empty grid that says so, read
        again when the tab is next shown or the data change (重新连接 changes them)."""
        self.model.set_data([], {}, None, self.mode)
        self.schedule_label.setText("")
        self.legend.setText(not_read_text(self.tr("目标任务")))
        self._dirty = True

    def _on_data_changed(self) -> None:
        touched = self.context.last_touched
        if touched is not None and not ({"projects", "targets", "investors"} & set(touched)):
            return
        if self.isVisible():
            self.reload()
        else:
            self._dirty = True

    def showEvent(self, event) -> None:
        if self._dirty:
            self.reload()
        super().showEvent(event)

    # -- editing --------------------------------------------------------------------

    def set_target_text(self, unit_id: int | None, indicator: Indicator, text: str) -> bool:
        """A target typed into a cell: saved as one undoable change, or refused with a message."""
        year = self.period().year
        name = COUNTY_LABEL if unit_id is None else dict(self.model.units).get(unit_id, "")
        self.error.hide()
        current = self.model.targets.get((unit_id, indicator))
        try:
            from ..domain.validation import target_value

            value = target_value(indicator, text)
            if value == current or (value is None and current is None):
                return True
            self.context.history.change(
                self.tr("修改目标：%s %s") % (name, indicator.short_label),
                "target",
                (unit_id, year, indicator),
                lambda session: set_target(session, unit_id, year, indicator, text, shown=current),
            )
        except ValidationError as exc:
            self.show_error(self.tr("%s · %s：%s") % (name, indicator.short_label, exc.message))
            return False
        except RecordConflict as exc:  # a colleague set this cell meanwhile: show theirs
            self.reload()
            self.show_error(exc.message)
            return False
        except KnownError as exc:
            self.show_error(exc.message)
            return False
        return True

    # -- unsaved: a cell being typed into ---------------------------------------------

    def _open_cell_editor(self):
        if self.table.state() != QAbstractItemView.State.EditingState:
            return None, None
        index = self.table.currentIndex()
        editor = self.table.indexWidget(index) if index.isValid() else None
        return index, editor

    def has_unsaved_changes(self) -> bool:
        """A target typed into a cell and not yet entered (Enter, Tab)."""
        index, editor = self._open_cell_editor()
        if editor is None:
            return False
        typed = editor.text() if hasattr(editor, "text") else ""
        return typed.strip() != (index.data(Qt.ItemDataRole.EditRole) or "").strip()

    def editing_title(self) -> str:
        index = self.table.currentIndex()
        unit = self.proxy.headerData(index.row(), Qt.Orientation.Vertical)
        indicator = INDICATORS[self.proxy.mapToSource(index).column()]
        return self.tr("目标任务：%s · %s") % (unit, indicator.short_label)

    def settle_unsaved(self) -> bool:
        """The window is closing or opening another file: ask about a cell being typed."""
        if not self.has_unsaved_changes():
            return True
        from . import forms

        index, editor = self._open_cell_editor()
        answer = forms.ask_unsaved(self, self.editing_title())
        if answer == forms.CANCEL:
            return False
        if answer == forms.SAVE:
            self.table.commitData(editor)
            if self.error.isVisible():  # refused: the message is under the grid
                return False
        self.table.closeEditor(editor, QAbstractItemDelegate.EndEditHint.RevertModelCache)
        return True

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def cell(self, unit_name: str, indicator: Indicator):
        """The view's index of a unit's (or '全县') cell for an indicator."""
        for row in range(self.proxy.rowCount()):
            source = self.proxy.mapToSource(self.proxy.index(row, 0))
            if self.model.unit_at(source.row())[1] == unit_name:
                return self.proxy.index(row, INDICATORS.index(indicator))
        raise KeyError(unit_name)

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("targetsTab/mode", self.mode)
