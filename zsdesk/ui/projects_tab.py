"""The projects tab (first cut: the table and the search box)."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtWidgets import QLineEdit, QTableView, QVBoxLayout, QWidget

from ..domain.enums import Stage
from ..domain.money import format_wan, yuan_to_wan
from ..store.projects import project_rows
from .table_models import RowsModel


class ProjectsTab(QWidget):
    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("projectsTab")
        self.window_ = window
        self.context = window.context
        self.search = QLineEdit(self)
        self.search.setObjectName("projectsSearch")
        self.search.setPlaceholderText(self.tr("搜索项目名称、投资方、联系领导"))
        self.model = RowsModel(
            [self.tr("编号"), self.tr("项目名称"), self.tr("单位"), self.tr("投资方"), self.tr("阶段"),
             self.tr("计划总投资（万元）"), self.tr("本年到位（万元）")],
            self,
        )
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.table = QTableView(self)
        self.table.setObjectName("projectsTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table)
        self.context.data_changed.connect(self.reload)
        self.reload()

    def reload(self) -> None:
        with self.context.read() as session:
            rows = project_rows(session, dt.date.today().year)
        self.model.set_rows(
            [r.id for r in rows],
            [
                (r.code, r.name, r.unit, r.investor, Stage(r.stage).label,
                 format_wan(yuan_to_wan(r.planned_yuan)), format_wan(yuan_to_wan(r.funds_year_yuan)))
                for r in rows
            ],
        )
