"""The investors tab (first cut: the table)."""

from __future__ import annotations

from PySide6.QtWidgets import QTableView, QVBoxLayout, QWidget
from sqlalchemy import select

from ..store.models import Investor
from .table_models import RowsModel


class InvestorsTab(QWidget):
    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("investorsTab")
        self.context = window.context
        self.model = RowsModel([self.tr("客商名称"), self.tr("来源地"), self.tr("产业")], self)
        self.table = QTableView(self)
        self.table.setObjectName("investorsTable")
        self.table.setModel(self.model)
        QVBoxLayout(self).addWidget(self.table)
        self.context.data_changed.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        with self.context.read() as session:
            rows = session.execute(select(Investor.id, Investor.name, Investor.home_region, Investor.industry)).all()
        self.model.set_rows([r[0] for r in rows], [tuple(r[1:]) for r in rows])
