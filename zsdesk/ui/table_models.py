"""Table models shared by the tabs: a list model that sorts and filters itself.

Roles beyond Qt's: ROW_ID_ROLE gives the record id of a row, SORT_ROLE the raw value.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt

ROW_ID_ROLE = Qt.ItemDataRole.UserRole + 1
SORT_ROLE = Qt.ItemDataRole.UserRole + 2
DISPLAY = Qt.ItemDataRole.DisplayRole.value
ALIGNMENT = Qt.ItemDataRole.TextAlignmentRole.value
BACKGROUND = Qt.ItemDataRole.BackgroundRole.value
FOREGROUND = Qt.ItemDataRole.ForegroundRole.value
FONT = Qt.ItemDataRole.FontRole.value
TOOLTIP = Qt.ItemDataRole.ToolTipRole.value

KEEP_ROWS_HIDDEN = 3000
"""Rows a tab keeps while another tab is shown; more are let go and read again when the
tab is shown (issue 18: the large county's 50,000 projects, ~40 MB with their search
texts, and its 5,000 investors, ~3 MB, no longer stack under the checks' findings and
the dashboard's Matplotlib)."""

RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
CENTER = Qt.AlignmentFlag.AlignCenter


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    text: Callable[[Any], str]
    """Row → the text shown."""
    sort_key: Callable[[Any], Any]
    """Row → a value that sorts right (never None)."""
    align: Qt.AlignmentFlag = LEFT
    width: int = 100


class RowListModel(QAbstractTableModel):
    """Rows (objects with ``.id``) shown through a filter and a sort of its own.

    Sorting and filtering happen on Python lists, not through QSortFilterProxyModel's
    per-row callbacks: with 50,000 rows those cost a Python call per row and comparison
    (measured 0.1–0.25 s per keystroke, tens of seconds per sort), these cost
    milliseconds. ``sort()`` is the model's own, so a view's header sorts it directly.
    """

    extra_roles: frozenset[int] = frozenset()

    def __init__(self, columns: Sequence[Column], parent=None):
        super().__init__(parent)
        self.columns = list(columns)
        self._roles = frozenset({DISPLAY, ALIGNMENT, ROW_ID_ROLE, SORT_ROLE}) | self.extra_roles
        self._rows: list = []
        self._derived: list = []
        self._order: list[int] = []
        self._view: list[int] = []
        self._accepts: Callable[[int], bool] | None = None
        self._sort_column = -1
        self._sort_order = Qt.SortOrder.AscendingOrder
        self._id_rows: dict[int, int] = {}

    # -- Qt's interface -------------------------------------------------------------

    def rowCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self._view)

    def columnCount(self, parent=QModelIndex()) -> int:
        return 0 if parent.isValid() else len(self.columns)

    def data(self, index: QModelIndex | QPersistentModelIndex, role=DISPLAY):
        # The hot path: a view asks ~10 roles of every visible cell on each paint.
        # Roles arrive as ints; unknown ones return at once.
        if role not in self._roles:
            return None
        position = index.row()
        if position < 0 or position >= len(self._view):
            return None
        row = self._rows[self._view[position]]
        column = self.columns[index.column()]
        if role == DISPLAY:
            return column.text(row)
        if role == ALIGNMENT:
            return column.align
        if role == ROW_ID_ROLE:
            return row.id
        if role == SORT_ROLE:
            return column.sort_key(row)
        return self.extra_data(row, column, role)

    def extra_data(self, row, column: Column, role: int):
        """Colours, tooltips (roles listed in ``extra_roles``): for subclasses."""
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.columns):
            if role == Qt.ItemDataRole.DisplayRole:
                return self.columns[section].title
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return CENTER
        return None

    def sort(self, column: int, order=Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column, self._sort_order = column, order
        self.layoutAboutToBeChanged.emit()
        old = self.persistentIndexList()
        old_ids = [self._rows[self._view[i.row()]].id if i.isValid() else None for i in old]
        self._resort()
        self._refilter()
        new = [self._index_of_id(record_id, i.column()) for record_id, i in zip(old_ids, old)]
        self.changePersistentIndexList(old, new)
        self.layoutChanged.emit()

    # -- rows -----------------------------------------------------------------------

    def derive(self, row):
        """A value kept beside each row (e.g. its search text); for subclasses."""
        return None

    def rows_changed(self) -> None:
        """The row list changed: rebuild what depends on all rows (filters...).

        Here the filter is let go: it is by position in the old list, which new, deleted
        or read-again rows shift (a search left on while a record was added read past its
        end, inside the model's reset, and the view crashed). The tab sets it again."""
        self._accepts = None

    def set_rows(self, rows: Sequence) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._derived = [self.derive(row) for row in self._rows]
        self._id_rows = {row.id: i for i, row in enumerate(self._rows)}
        self.rows_changed()
        self._resort()
        self._refilter()
        self.endResetModel()

    def replace_rows(self, changed_ids, fresh: Sequence) -> None:
        """Take in the rows of ``changed_ids`` as read again; one missing from ``fresh``
        was deleted, one not shown yet is new. The row list stays newest (highest id)
        first. Rows are changed in place, so a save in a table of 50,000 rows costs
        milliseconds, not a rebuild."""
        fresh_by_id = {row.id: row for row in fresh}
        structural = False
        deleted = set()
        for record_id in changed_ids:
            position = self._id_rows.get(record_id)
            if position is None:
                continue
            row = fresh_by_id.pop(record_id, None)
            if row is None:
                deleted.add(position)
            else:
                self._rows[position] = row
                self._derived[position] = self.derive(row)
        if deleted:
            keep = [i for i in range(len(self._rows)) if i not in deleted]
            self._rows = [self._rows[i] for i in keep]
            self._derived = [self._derived[i] for i in keep]
            structural = True
        if fresh_by_id:
            added = sorted(fresh_by_id.values(), key=lambda row: -row.id)
            self._rows = added + self._rows
            self._derived = [self.derive(row) for row in added] + self._derived
            # Only the seam between the new rows and the old ones can be out of order; an
            # empty list before has no seam (the first record saved into an empty list).
            seams = range(min(len(added), len(self._rows) - 1))
            if any(self._rows[i].id < self._rows[i + 1].id for i in seams):
                pairs = sorted(zip(self._rows, self._derived), key=lambda pair: -pair[0].id)
                self._rows = [row for row, _ in pairs]
                self._derived = [derived for _, derived in pairs]
            structural = True
        self.beginResetModel()
        if structural:
            self._id_rows = {row.id: i for i, row in enumerate(self._rows)}
        self.rows_changed()
        self._resort()
        self._refilter()
        self.endResetModel()

    def set_filter(self, accepts: Callable[[int], bool] | None) -> None:
        """Show only rows (by position in the row list) that ``accepts``; None shows all."""
        self.beginResetModel()
        self._accepts = accepts
        self._refilter()
        self.endResetModel()

    def refilter(self) -> None:
        self.beginResetModel()
        self._refilter()
        self.endResetModel()

    def _resort(self) -> None:
        indices = range(len(self._rows))
        if 0 <= self._sort_column < len(self.columns):
            key = self.columns[self._sort_column].sort_key
            keys = [key(row) for row in self._rows]
            self._order = sorted(
                indices, key=keys.__getitem__, reverse=self._sort_order == Qt.SortOrder.DescendingOrder
            )
        else:
            self._order = list(indices)

    def _refilter(self) -> None:
        accepts = self._accepts
        self._view = self._order if accepts is None else [i for i in self._order if accepts(i)]

    # -- lookups --------------------------------------------------------------------

    @property
    def rows(self) -> list:
        return self._rows

    def total_count(self) -> int:
        return len(self._rows)

    def row_at(self, view_row: int):
        return self._rows[self._view[view_row]]

    def id_at(self, view_row: int) -> int:
        return self._rows[self._view[view_row]].id

    def view_row_of(self, record_id: int) -> int | None:
        position = self._id_rows.get(record_id)
        if position is None:
            return None
        try:
            return self._view.index(position)
        except ValueError:
            return None

    def _index_of_id(self, record_id, column: int) -> QModelIndex:
        if record_id is None:
            return QModelIndex()
        row = self.view_row_of(record_id)
        return QModelIndex() if row is None else self.index(row, column)


def selected_record_id(table, model: RowListModel) -> int | None:
    """The id of the row under the table's current index, or None."""
    index = table.currentIndex()
    if not index.isValid() or index.row() >= model.rowCount():
        return None
    return model.id_at(index.row())


def select_record(table, model: RowListModel, record_id: int) -> bool:
    """Make the record's row current and scroll to it; False if it is filtered out."""
    row = model.view_row_of(record_id)
    if row is None:
        return False
    index = model.index(row, max(table.currentIndex().column(), 0))
    table.setCurrentIndex(index)
    table.scrollTo(index)
    return True


FIT_SAMPLE_ROWS = 400
FIT_MAX_WIDTH = 420
FIT_PADDING = 18


def fit_columns(table, model: RowListModel, sample: int = FIT_SAMPLE_ROWS) -> list[int]:
    """Size every column to its content: the widest of its title and the texts of the
    first ``sample`` rows shown (a 50,000-row list is not measured in full), capped so a
    long note cannot push the others off screen. An empty column is as wide as its title.
    Returns the widths set."""
    metrics = table.fontMetrics()
    rows = min(model.rowCount(), sample)
    widths = []
    for column_index, column in enumerate(model.columns):
        width = title_width(table, column)
        for row in range(rows):
            text = column.text(model.row_at(row))
            if text:
                width = max(width, metrics.horizontalAdvance(text) + FIT_PADDING)
        width = min(width, FIT_MAX_WIDTH)
        table.setColumnWidth(column_index, width)
        widths.append(width)
    return widths


def title_width(table, column: Column) -> int:
    """The width ``column``'s title needs in ``table``'s header, its sort arrow included."""
    metrics = table.horizontalHeader().fontMetrics()
    title = max((metrics.horizontalAdvance(line) for line in column.title.split("\n")), default=0)
    return title + FIT_PADDING + 12  # the sort arrow


def set_first_widths(table, columns: Sequence[Column]) -> None:
    """The columns' widths before there are rows to measure: each its own default, but
    never narrower than its title (a larger font would cut "计划总投资(万元)")."""
    for index, column in enumerate(columns):
        table.setColumnWidth(index, max(column.width, title_width(table, column)))


def another_tab_shown(tab, window) -> bool:
    """True when ``tab`` is hidden because another tab of ``window`` is shown: not while
    the whole window is minimised, hidden or being destroyed. Asked on the turn of the
    event loop after the hide (while the window is destroyed nothing but the tab may be
    touched)."""
    from shiboken6 import isValid

    if not (isValid(tab) and isValid(window)):
        return False
    return not tab.isVisible() and window.isVisible()


def release_hidden_tabs(window) -> None:
    """Ask ``window`` (a MainWindow; anything else is left alone) to let its hidden tabs
    go of their rows now: see MainWindow.release_hidden_tabs."""
    release = getattr(window, "release_hidden_tabs", None)
    if callable(release):
        release()
