"""What the investors and events tabs share: a searchable table with new/open/delete."""

from __future__ import annotations

from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from ..memory import give_back
from .tab_widgets import EmptyHint, SearchField
from .server_lost import not_read_text, stops_lost_connection
from .table_models import (
    KEEP_ROWS_HIDDEN,
    RowListModel,
    another_tab_shown,
    fit_columns,
    select_record,
    selected_record_id,
    set_first_widths,
)


class RecordTab(QWidget):
    """A tab of one kind of record. Subclasses set the names and implement load/open."""

    key = ""
    noun = ""
    """The record's Chinese name: 客商, 招商活动."""

    def __init__(self, window, model: RowListModel):
        super().__init__(window)
        self.setObjectName(f"{self.key}Tab")
        self.main_window = window
        self.context = window.context
        self.model = model
        self.search = SearchField(self, f"{self.key}Search", self._apply_filter)
        self.new_button = QPushButton(self.tr("新建%s") % self.noun, self)
        self.new_button.setObjectName(f"new{self.key[:-1].capitalize()}Button")
        self.new_button.setToolTip(self.tr("新建%s（Ctrl+N）") % self.noun)
        self.new_button.clicked.connect(self.new_record)
        self.bar = QHBoxLayout()
        self.bar.addWidget(self.search, 3)
        self.table = QTableView(self)
        self.table.setObjectName(f"{self.key}Table")
        self.table.setModel(model)
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
        set_first_widths(self.table, model.columns)
        self.table.setSortingEnabled(True)
        self.table.activated.connect(lambda _index: self.open_selected())
        self.empty_hint = EmptyHint(self.table, self.tr("还没有%s。") % self.noun, self.first_step())
        self.count_label = QLabel(self)
        self.count_label.setObjectName(f"{self.key}Count")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 4)
        layout.addLayout(self.bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.count_label)
        self.context.data_changed.connect(self._on_data_changed)
        self._dirty = True
        """Rows not read yet (or stale, or let go while another tab showed): read when
        the tab is shown."""
        self._released_selection: int | None = None

    def finish_bar(self) -> None:
        self.bar.addWidget(self.new_button)
        from .qsettings import app_settings

        state = app_settings().value(f"{self.key}Tab/header")
        self._fitted = state is not None  # the clerk's own widths win
        if state is not None:
            self.table.horizontalHeader().restoreState(state)

    def save_state(self, settings: QSettings) -> None:
        settings.setValue(f"{self.key}Tab/header", self.table.horizontalHeader().saveState())

    # -- to implement ---------------------------------------------------------------

    def first_step(self) -> str:
        """What the empty table says to do first (see :class:`EmptyHint`)."""
        raise NotImplementedError

    def load_rows(self, session, ids=None) -> list:
        raise NotImplementedError

    def accepts(self, row, words: list[str]) -> bool:
        raise NotImplementedError

    # -- data -----------------------------------------------------------------------

    @stops_lost_connection
    def reload(self) -> None:
        selected = self.selected_id()
        if selected is None:
            selected = self._released_selection
        self._released_selection = None
        with self.context.read() as session:
            rows = self.load_rows(session)
        self.model.set_rows(rows)
        self._dirty = False
        self._apply_filter()
        self._fit_once()
        if selected is not None:
            self.select(selected)

    def read_failed(self, exc) -> None:
        """The server went away while the rows were read: an empty table that says so, read
        again when the tab is next shown or the data change (重新连接 changes them)."""
        if self.selected_id() is not None:
            self._released_selection = self.selected_id()
        self.model.set_rows([])
        self._dirty = True
        self.count_label.setText(not_read_text(self.noun))

    def _fit_once(self) -> None:
        """Columns sized to their content the first time there are rows to measure."""
        if getattr(self, "_fitted", False) or self.model.rowCount() == 0:
            return
        fit_columns(self.table, self.model)
        self._fitted = True

    def ensure_loaded(self) -> None:
        if self._dirty:
            self.reload()

    def showEvent(self, event) -> None:
        self.ensure_loaded()
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        """Another tab shown: a large file's rows are let go (the search and the selected
        record are kept) and read again when this tab is shown."""
        super().hideEvent(event)
        if not event.spontaneous():
            QTimer.singleShot(0, self._release_if_hidden)

    def _release_if_hidden(self) -> None:
        if not another_tab_shown(self, self.main_window) or self.model.total_count() <= KEEP_ROWS_HIDDEN:
            return
        self._released_selection = self.selected_id()
        self.model.set_rows([])
        self._dirty = True
        give_back()

    def reload_when_seen(self) -> None:
        """Reload now if the tab shows, else when it is next shown."""
        if self.isVisible():
            self.reload()
        else:
            self._dirty = True

    @stops_lost_connection
    def _on_data_changed(self) -> None:
        touched = self.context.last_touched
        kind = self.key
        if self._dirty:
            self.reload_when_seen()
            return
        if touched is not None and kind not in touched:
            return
        if touched is not None:
            ids = set(touched[kind])
            with self.context.read() as session:
                fresh = self.load_rows(session, sorted(ids))
            selected = self.selected_id()
            self.model.replace_rows(ids, fresh)
            self._apply_filter()
            self._fit_once()
            if selected is not None:
                self.select(selected)
            return
        self.reload_when_seen()

    def _apply_filter(self) -> None:
        """Filter by the search text; the selected record stays selected while it shows."""
        selected = self.selected_id()
        words = self.search.text().casefold().split()
        extra = self.extra_filter()
        if not words and extra is None:
            self.model.set_filter(None)
        else:
            rows = self.model.rows
            ok = [(extra is None or extra(r)) and self.accepts(r, words) for r in rows]
            self.model.set_filter(ok.__getitem__)
        if selected is not None:
            self.select(selected)
        self.count_label.setText(
            self.tr("显示 %d / %d 个%s") % (self.model.rowCount(), self.model.total_count(), self.noun)
        )
        self.refresh_empty_hint()

    def refresh_empty_hint(self) -> None:
        self.empty_hint.refresh(self.model.total_count(), self.main_window.is_read_only())

    def extra_filter(self):
        return None

    # -- selection and actions ------------------------------------------------------

    def selected_id(self) -> int | None:
        return selected_record_id(self.table, self.model)

    def select(self, record_id: int) -> bool:
        return select_record(self.table, self.model, record_id)
