"""The projects tab: every project in one table, searched and filtered as you type."""

from __future__ import annotations

import datetime as dt
from operator import attrgetter
from dataclasses import dataclass

from PySide6.QtCore import QObject, QRunnable, QSettings, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..domain.enums import INDUSTRIES, Stage
from ..domain.money import format_money, yuan_to_wan
from ..store.projects import (
    ProjectRow,
    project_count,
    project_ids_of_investors,
    iter_project_rows,
    project_rows,
    project_years,
)
from ..store import settings as keys
from ..store.units import unit_names
from ..memory import give_back
from .tab_widgets import EmptyHint, SearchField
from .context import explain_failure
from .server_lost import not_read_text, stops_lost_connection
from .table_models import (
    KEEP_ROWS_HIDDEN,
    another_tab_shown,
    BACKGROUND,
    CENTER,
    FONT,
    FOREGROUND,
    RIGHT,
    TOOLTIP,
    Column,
    RowListModel,
    fit_columns,
    select_record,
    selected_record_id,
    set_first_widths,
)

FIRST_PAGE = 300
"""Rows read before the window shows, when the whole table is read in the background."""
LOAD_IN_BACKGROUND_ABOVE = 3000
"""Files with more projects than this load their table in a background thread."""

OVERDUE_BACKGROUND = QColor("#fde2e1")
OVERDUE_FOREGROUND = QColor("#a40e0e")
ENDED_FOREGROUND = QColor("#8a8a8a")
_STAGE_RANK = {stage.value: stage.rank() for stage in Stage}
ENDED_STAGES = frozenset({Stage.SUSPENDED.value, Stage.TERMINATED.value})
OVERDUE_BRUSH = QBrush(OVERDUE_BACKGROUND)
OVERDUE_TEXT_BRUSH = QBrush(OVERDUE_FOREGROUND)
ENDED_BRUSH = QBrush(ENDED_FOREGROUND)
BOLD = QFont()
BOLD.setBold(True)


def _wan(yuan: int | None) -> str:
    return "" if yuan is None else format_money(yuan_to_wan(yuan))


def _flags(row: ProjectRow) -> str:
    parts = []
    if row.zhejiang_return:
        parts.append("浙商回归")
    if row.mountain_sea:
        parts.append("山海协作")
    if row.foreign_capital:
        parts.append("外资")
    if row.carried_over:
        parts.append("结转")
    return "、".join(parts)


def _stage_label(row: ProjectRow) -> str:
    try:
        return Stage(row.stage).label
    except ValueError:
        return row.stage


COLUMNS = [
    Column("code", "项目编号", lambda r: r.code, lambda r: r.code, width=118),
    Column("name", "项目名称", lambda r: r.name, lambda r: r.name, width=186),
    Column("unit", "单位", lambda r: r.unit, lambda r: r.unit, width=84),
    Column("investor", "投资方", lambda r: r.investor, lambda r: r.investor, width=160),
    Column("industry", "产业类别", lambda r: r.industry, lambda r: r.industry, width=100),
    Column("stage", "阶段", _stage_label, lambda r: _STAGE_RANK.get(r.stage, 99), CENTER, width=46),
    Column("planned", "计划总投资(万元)", lambda r: _wan(r.planned_yuan), lambda r: r.planned_yuan or 0, RIGHT, width=108),
    Column("funds", "本年到位(万元)", lambda r: _wan(r.funds_year_yuan or None), lambda r: r.funds_year_yuan or 0, RIGHT, width=98),
    Column("flags", "标记", _flags, _flags, width=128),
    Column("declared", "已申报", lambda r: "是" if r.declared else "", lambda r: bool(r.declared), CENTER, width=48),
    Column("leader", "联系领导", lambda r: r.liaison_leader, lambda r: r.liaison_leader, width=62),
    Column("responsible", "责任单位", lambda r: r.responsible_unit, lambda r: r.responsible_unit, width=84),
    Column("last_follow_up", "最近跟踪", lambda r: r.last_follow_up or "", lambda r: r.last_follow_up or "", CENTER, width=84),
    Column("next_due", "跟踪期限", lambda r: r.next_due or "", lambda r: r.next_due or "9999", CENTER, width=84),
]

FLAG_FILTERS = {
    "浙商回归": lambda r: bool(r.zhejiang_return),
    "山海协作": lambda r: bool(r.mountain_sea),
    "外资": lambda r: bool(r.foreign_capital),
    "结转": lambda r: bool(r.carried_over),
    "已申报": lambda r: bool(r.declared),
    "未申报": lambda r: not r.declared,
    "跟踪逾期": None,  # needs today: see ProjectsModel.overdue
}


@dataclass
class ProjectFilter:
    search: str = ""
    unit: str | None = None
    stage: str | None = None
    industry: str | None = None
    flag: str | None = None
    year: int | None = None
    """Only projects already in the ledger that year and not ended before it."""


class ProjectsModel(RowListModel):
    def __init__(self, parent=None):
        super().__init__(COLUMNS, parent)
        self.filter = ProjectFilter()
        self.today = dt.date.today().isoformat()
        self._hay: list[str] = []
        self._base_ok: list[bool] | None = None
        self.overdue_count = 0

    def derive(self, row: ProjectRow) -> str:
        return f"{row.name}\n{row.investor}\n{row.liaison_leader}\n{row.code}".casefold()

    def rows_changed(self) -> None:
        self._hay = self._derived
        self._base_ok = self._base_filter()
        self._accepts = self._accepter()
        dues = filter(None, map(attrgetter("next_due"), self._rows))
        self.overdue_count = sum(map(self.today.__gt__, dues))

    def overdue(self, row: ProjectRow) -> bool:
        return row.next_due is not None and row.next_due < self.today

    def _base_filter(self) -> list[bool] | None:
        """Rows passing every filter but the search text (recomputed when those change).

        One list comprehension per filter: 50,000 rows in a few milliseconds.
        """
        f, rows = self.filter, self._rows
        masks: list[list[bool]] = []
        if f.unit:
            masks.append([r.unit == f.unit for r in rows])
        if f.stage:
            masks.append([r.stage == f.stage for r in rows])
        if f.industry:
            masks.append([r.industry == f.industry for r in rows])
        if f.flag:
            test = FLAG_FILTERS.get(f.flag)
            if test is None:
                today = self.today
                masks.append([r.next_due is not None and r.next_due < today for r in rows])
            else:
                masks.append([bool(test(r)) for r in rows])
        if f.year:
            end, start = f"{f.year}-12-31", f"{f.year}-01-01"
            masks.append(
                [(r.first_date or "") <= end and (r.terminated_on is None or r.terminated_on >= start) for r in rows]
            )
        if not masks:
            return None
        combined = masks[0]
        for mask in masks[1:]:
            combined = [a and b for a, b in zip(combined, mask)]
        return combined

    def _accepter(self):
        words = self.filter.search.casefold().split()
        base, hay = self._base_ok, self._hay
        if not words and base is None:
            return None
        if not words:
            return base.__getitem__
        if len(words) == 1:
            word = words[0]
            ok = [word in h for h in hay]
        else:
            ok = [all(w in h for w in words) for h in hay]
        if base is not None:
            ok = [a and b for a, b in zip(ok, base)]
        return ok.__getitem__

    def set_project_filter(self, project_filter: ProjectFilter) -> None:
        base_changed = (
            project_filter.unit, project_filter.stage, project_filter.industry,
            project_filter.flag, project_filter.year,
        ) != (self.filter.unit, self.filter.stage, self.filter.industry, self.filter.flag, self.filter.year)
        self.filter = project_filter
        if base_changed:
            self._base_ok = self._base_filter()
        self.set_filter(self._accepter())

    extra_roles = frozenset({BACKGROUND, FOREGROUND, FONT, TOOLTIP})

    def extra_data(self, row: ProjectRow, column: Column, role: int):
        overdue = row.next_due is not None and row.next_due < self.today
        if role == BACKGROUND:
            return OVERDUE_BRUSH if overdue else None
        if role == FOREGROUND:
            if overdue and column.key == "next_due":
                return OVERDUE_TEXT_BRUSH
            if row.stage in ENDED_STAGES:
                return ENDED_BRUSH
            return None
        if role == FONT:
            return BOLD if overdue and column.key == "next_due" else None
        if role == TOOLTIP:
            if overdue:
                return f"跟踪服务已逾期：期限 {row.next_due}"
            if column.key in ("name", "investor"):
                return column.text(row)
        return None


class _LoaderSignals(QObject):
    loaded = Signal(int, object)
    failed = Signal(int, object)


class _RowsLoader(QRunnable):
    """Reads the whole table in a worker thread, with a session of its own.

    It reads in batches and stops between two batches once a newer load replaced it.
    """

    def __init__(self, ledger, year: int, generation: int):
        super().__init__()
        self.ledger, self.year, self.generation = ledger, year, generation
        self.cancelled = False
        self.signals = _LoaderSignals()

    def run(self) -> None:
        rows: list = []
        try:
            with self.ledger.read() as session:
                for batch in iter_project_rows(session, self.year):
                    if self.cancelled:
                        return
                    rows.extend(batch)
        except Exception as exc:  # noqa: BLE001 - reported in the GUI thread
            if not self.cancelled:
                known = explain_failure(self.ledger, exc, reading=True)
                self._emit(self.signals.failed, known or exc)
            return
        if not self.cancelled:
            self._emit(self.signals.loaded, rows)

    def _emit(self, signal, value) -> None:
        try:
            signal.emit(self.generation, value)
        except RuntimeError:  # the window closed meanwhile
            pass


class ProjectsTab(QWidget):
    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("projectsTab")
        self.main_window = window
        self.context = window.context
        self.model = ProjectsModel(self)
        self.model.today = window.today().isoformat()
        self.loading = False
        self.released = False
        """The rows were let go while another tab was shown (read again when shown)."""
        self._released_selection: int | None = None
        self._generation = 0
        self._loaders: list[_RowsLoader] = []
        self._build()
        self.context.data_changed.connect(self._on_data_changed)
        self.context.ledger_changed.connect(self._on_ledger_changed)
        self.fill_filters()
        self.reload()

    # -- building -------------------------------------------------------------------

    def _build(self) -> None:
        self.search = SearchField(self, "projectsSearch", self._apply_filter)
        # short enough to be read whole at the window's narrowest (the filters beside it)
        self.search.setPlaceholderText(self.tr("搜索名称、投资方、领导、编号"))
        self.search.setToolTip(self.tr("按项目名称、投资方、联系领导或项目编号搜索；空格隔开几个词，须都含有"))

        def combo(name: str, width: int) -> QComboBox:
            box = QComboBox(self)
            box.setObjectName(name)
            box.setMinimumContentsLength(width)
            box.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
            box.currentIndexChanged.connect(self._apply_filter)
            return box

        self.unit_filter = combo("projectsUnitFilter", 8)
        self.stage_filter = combo("projectsStageFilter", 5)
        self.industry_filter = combo("projectsIndustryFilter", 8)
        self.flag_filter = combo("projectsFlagFilter", 6)
        self.year_filter = QComboBox(self)
        self.year_filter.setObjectName("projectsYearFilter")
        self.year_filter.currentIndexChanged.connect(self._year_changed)
        self.year_filter.setToolTip(
            self.tr("“本年到位”按所选年度计算；只列出该年底前已入库、且未在该年之前终止的项目")
        )

        self.new_button = QPushButton(self.tr("新建项目"), self)
        self.new_button.setObjectName("newProjectButton")
        self.new_button.setToolTip(self.tr("新建项目（Ctrl+N）"))
        self.new_button.clicked.connect(self.new_record)

        bar = QHBoxLayout()
        bar.addWidget(self.search, 3)
        for label, box in (
            (self.tr("单位"), self.unit_filter),
            (self.tr("阶段"), self.stage_filter),
            (self.tr("产业"), self.industry_filter),
            (self.tr("标记"), self.flag_filter),
            (self.tr("年度"), self.year_filter),
        ):
            bar.addWidget(QLabel(label, self))
            bar.addWidget(box)
        bar.addWidget(self.new_button)

        self.table = QTableView(self)
        self.table.setObjectName("projectsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        header.setSortIndicatorShown(True)
        set_first_widths(self.table, COLUMNS)
        self.table.setSortingEnabled(True)
        self.table.activated.connect(lambda index: self.open_selected())

        self.empty_hint = EmptyHint(
            self.table,
            self.tr("还没有项目。"),
            self.tr("点右上角“新建项目”（Ctrl+N）登记第一个项目；已有Excel台账的，可用“文件 → 导入已有台账”导入。"),
        )
        self.count_label = QLabel(self)
        self.count_label.setObjectName("projectsCount")
        legend = QLabel(self.tr("粉红底色：跟踪服务已逾期；灰字：中止或终止"), self)
        legend.setObjectName("projectsLegend")
        bottom = QHBoxLayout()
        bottom.addWidget(self.count_label)
        bottom.addStretch(1)
        bottom.addWidget(legend)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 4)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addLayout(bottom)
        self._restore_header()

    @stops_lost_connection
    def fill_filters(self, year: int | None = None) -> None:
        """The filter choices from the file; ``year`` selects that year."""
        with self.context.read() as session:
            units = unit_names(session)
            years = sorted(set(project_years(session)) | {self.main_window.today().year}, reverse=True)
            own_unit = keys.own_unit(session)
        self._filling = True
        try:
            first_fill = self.unit_filter.count() == 0
            self._set_items(self.unit_filter, self.tr("全部单位"), [(u, u) for u in units])
            if first_fill and own_unit in units:
                # A township's file opens on its own projects, as its other pickers do.
                self.unit_filter.setCurrentIndex(self.unit_filter.findData(own_unit))
            self._set_items(self.stage_filter, self.tr("全部阶段"), [(s.label, s.value) for s in Stage])
            self._set_items(self.industry_filter, self.tr("全部产业"), [(i, i) for i in INDUSTRIES])
            self._set_items(self.flag_filter, self.tr("全部标记"), [(f, f) for f in FLAG_FILTERS])
            current = year if year is not None else self.year_filter.currentData()
            self.year_filter.blockSignals(True)
            self.year_filter.clear()
            self.year_filter.addItem(self.tr("全部年份"), None)
            for each in years:
                self.year_filter.addItem(self.tr("%d年") % each, each)
            index = self.year_filter.findData(current if current is not None else self.main_window.today().year)
            self.year_filter.setCurrentIndex(max(index, 0))
            self.year_filter.blockSignals(False)
        finally:
            self._filling = False
        self._apply_filter()

    @staticmethod
    def _set_items(box: QComboBox, everything: str, items) -> None:
        current = box.currentData()
        box.blockSignals(True)
        box.clear()
        box.addItem(everything, None)
        for text, data in items:
            box.addItem(text, data)
        box.setCurrentIndex(max(box.findData(current), 0) if current is not None else 0)
        box.blockSignals(False)

    # -- data -----------------------------------------------------------------------

    def funds_year(self) -> int:
        year = self.year_filter.currentData()
        return year if year is not None else self.main_window.today().year

    @stops_lost_connection
    def reload(self) -> None:
        """Read the table again: at once for a small file; for a large one the newest
        rows at once and the rest in a worker thread, started after they are painted."""
        self._cancel_loaders()
        self._generation += 1
        year = self.funds_year()
        with self.context.read() as session:
            count = project_count(session)
            if count <= LOAD_IN_BACKGROUND_ABOVE:
                rows = project_rows(session, year)
            else:
                rows = project_rows(session, year, limit=FIRST_PAGE)
        self.loading = count > LOAD_IN_BACKGROUND_ABOVE
        self._take_rows(rows)
        if self.loading:
            generation = self._generation
            QTimer.singleShot(0, lambda: self._load_in_background(year, generation))
        self._update_count()

    def _cancel_loaders(self) -> None:
        for loader in self._loaders:
            loader.cancelled = True
        self._loaders = []

    def _load_in_background(self, year: int, generation: int) -> None:
        if generation != self._generation:
            return
        loader = _RowsLoader(self.context.ledger, year, generation)
        loader.setAutoDelete(False)
        loader.signals.loaded.connect(self._background_loaded)
        loader.signals.failed.connect(self._background_failed)
        self._loaders.append(loader)
        QThreadPool.globalInstance().start(loader)

    def _background_loaded(self, generation: int, rows) -> None:
        self._loaders = [loader for loader in self._loaders if loader.generation != generation]
        if generation != self._generation:
            return
        self.loading = False
        self._take_rows(rows)
        del rows  # the worker's list: only the model's copy stays
        self._update_count()
        give_back()  # what the worker's read left free in its arena

    def _background_failed(self, generation: int, exc) -> None:
        self._loaders = [loader for loader in self._loaders if loader.generation != generation]
        if generation == self._generation:
            self.loading = False
            if getattr(exc, "offers_reconnect", False):
                self.read_failed(exc)  # the first page alone must not look like every project
            else:
                self._update_count()
            self.main_window.show_error(exc)

    def read_failed(self, exc) -> None:
        """The server went away while the rows were read: an empty table that says so (not
        the first page looking like all of them), read again once the data change or the
        tab is shown again (重新连接 changes them)."""
        if self.selected_id() is not None:
            self._released_selection = self.selected_id()
        self._cancel_loaders()
        self._generation += 1
        self.loading = False
        self.released = True
        self.model.set_rows([])
        self.count_label.setText(not_read_text(self.tr("项目")))

    def shutdown(self) -> None:
        """The window is closing: stop reading before the file is closed."""
        self._cancel_loaders()
        self._generation += 1
        QThreadPool.globalInstance().waitForDone(3000)

    def wait_loaded(self, timeout_ms: int = 30000) -> None:
        """Block until a background load has been taken in (tools and tests)."""
        from PySide6.QtCore import QCoreApplication, QDeadlineTimer

        deadline = QDeadlineTimer(timeout_ms)
        while self.loading and not deadline.hasExpired():
            QThreadPool.globalInstance().waitForDone(50)
            QCoreApplication.processEvents()

    def _take_rows(self, rows) -> None:
        # The one selected before the rows were let go, until every row is back (the
        # view makes the first row of a first page current meanwhile).
        selected = self._released_selection
        if selected is None:
            selected = self.selected_id()
        self.model.today = self.main_window.today().isoformat()
        self.model.set_rows(rows)
        self._fit_once()
        if selected is not None:
            self.select_project(selected)
        if not self.loading:  # every row is in: it was found now or it is gone
            self._released_selection = None

    # -- letting go while another tab is shown ------------------------------------------

    def hideEvent(self, event) -> None:
        """Another tab shown: a large file's rows are let go (the filters, the sort and
        the selected project are kept) and read again when this tab is shown. Minimising,
        hiding or closing the window keeps them. Decided on the next turn of the event
        loop: while the window is being destroyed nothing but this tab may be touched."""
        super().hideEvent(event)
        if not event.spontaneous():
            QTimer.singleShot(0, self._release_if_hidden)

    def _release_if_hidden(self) -> None:
        if another_tab_shown(self, self.main_window) and (
            self.model.total_count() > KEEP_ROWS_HIDDEN or self.loading
        ):
            self.release_rows()

    def release_rows(self) -> None:
        selected = self.selected_id()
        if selected is not None:
            self._released_selection = selected
        self._cancel_loaders()
        self._generation += 1
        self.loading = False
        self.released = True
        self.model.set_rows([])
        give_back()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.released:
            self.released = False
            self.reload()

    @stops_lost_connection
    def _on_data_changed(self) -> None:
        """Refresh only the projects a write touched, when it says which; else reload."""
        if self.released:
            if self.isVisible():  # let go because the server went away (read_failed)
                self.released = False
                self.reload()
            return  # read again, whole, when the tab is shown
        touched = self.context.last_touched
        if touched is None or self.loading:
            self.reload()
            return
        project_ids = set(touched.get("projects", ()))
        investor_ids = set(touched.get("investors", ()))
        if not project_ids and not investor_ids:
            return  # targets, events: nothing shown here changed
        with self.context.read() as session:
            if investor_ids:  # a renamed investor shows in its projects' rows
                project_ids |= set(project_ids_of_investors(session, investor_ids))
            fresh = project_rows(session, self.funds_year(), ids=sorted(project_ids))
        selected = self.selected_id()
        self.model.replace_rows(project_ids, fresh)
        self._fit_once()
        if selected is not None:
            self.select_project(selected)
        self._update_count()

    def _on_ledger_changed(self) -> None:
        self.fill_filters()

    def _year_changed(self) -> None:
        if getattr(self, "_filling", False):
            return
        self._apply_filter()
        self.reload()

    def _apply_filter(self) -> None:
        if getattr(self, "_filling", False):
            return
        selected = self.selected_id()
        self.model.set_project_filter(
            ProjectFilter(
                search=self.search.text(),
                unit=self.unit_filter.currentData(),
                stage=self.stage_filter.currentData(),
                industry=self.industry_filter.currentData(),
                flag=self.flag_filter.currentData(),
                year=self.year_filter.currentData(),
            )
        )
        if selected is not None:
            self.select_project(selected)
        self._update_count()

    def _update_count(self) -> None:
        shown, total = self.model.rowCount(), self.model.total_count()
        text = self.tr("显示 %d / %d 个项目") % (shown, total)
        overdue = self.model.overdue_count
        if overdue:
            text += self.tr("，跟踪逾期 %d 个") % overdue
        if self.loading:
            text += self.tr("（正在读取全部项目…）")
        self.count_label.setText(text)
        self.refresh_empty_hint()

    def refresh_empty_hint(self) -> None:
        self.empty_hint.refresh(self.model.total_count(), self.main_window.is_read_only())

    # -- selection and actions ------------------------------------------------------

    def selected_id(self) -> int | None:
        return selected_record_id(self.table, self.model)

    def select_project(self, project_id: int) -> bool:
        return select_record(self.table, self.model, project_id)

    def new_record(self):
        return self.main_window.open_project(None)

    def open_selected(self):
        project_id = self.selected_id()
        if project_id is None:
            return None
        return self.main_window.open_project(project_id)

    def delete_selected(self) -> bool:
        project_id = self.selected_id()
        if project_id is None:
            return False
        row = self.model.row_at(self.table.currentIndex().row())
        if not self.main_window.ask(
            self.tr("删除项目"),
            self.tr("确定删除项目“%s”（%s）吗？\n它的到位资金和跟踪记录一并删除。可用“撤销”（Ctrl+Z）恢复。")
            % (row.name, row.code),
        ):
            return False
        from ..store.projects import delete_project

        try:
            self.context.history.change(
                self.tr("删除项目“%s”") % row.name, "project", project_id,
                lambda session: delete_project(session, project_id),
            )
        except Exception as exc:  # noqa: BLE001 - a KnownError is the user's, the rest a bug
            self.main_window.show_error(exc)
            return False
        return True

    # -- state ----------------------------------------------------------------------

    def _restore_header(self) -> None:
        from .qsettings import app_settings

        state = app_settings().value("projectsTab/header")
        self._fitted = state is not None  # the clerk's own widths win
        if state is not None:
            self.table.horizontalHeader().restoreState(state)

    def _fit_once(self) -> None:
        """Columns sized to their content the first time there are rows to measure."""
        if getattr(self, "_fitted", False) or self.model.rowCount() == 0:
            return
        fit_columns(self.table, self.model)
        self._fitted = True

    def save_state(self, settings: QSettings) -> None:
        settings.setValue("projectsTab/header", self.table.horizontalHeader().saveState())
