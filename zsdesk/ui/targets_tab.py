"""The targets tab (first cut: this year's progress from load_progress)."""

from __future__ import annotations

from PySide6.QtWidgets import QTableView, QVBoxLayout, QWidget

from ..domain.enums import Indicator
from ..domain.money import format_percent
from ..domain.periods import YearMonth
from ..store.progress_query import load_progress
from .table_models import RowsModel


class TargetsTab(QWidget):
    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("targetsTab")
        self.context = window.context
        self.model = RowsModel([self.tr("单位")] + [i.short_label for i in Indicator], self)
        self.table = QTableView(self)
        self.table.setObjectName("targetsTable")
        self.table.setModel(self.model)
        QVBoxLayout(self).addWidget(self.table)
        self.context.data_changed.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        period = YearMonth.current()
        with self.context.read() as session:
            table = load_progress(session, period)
        names = table.units + [None]
        rows = [
            tuple([name or self.tr("全县")] + [format_percent(table.get(name, i).rate) for i in Indicator])
            for name in names
        ]
        self.model.set_rows(list(range(len(rows))), rows)
