"""The project editor: every field of a project, its funds and its follow-up log.

Extensions add pages: append to :data:`EDITOR_PAGES` a callable ``(editor) -> (QWidget,
title)``; it is called for every editor opened, after the built-in pages.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QFormLayout, QLabel, QTabWidget, QVBoxLayout, QWidget

from ..store.models import Project

EDITOR_PAGES: list[Callable[["ProjectEditor"], tuple[QWidget, str]]] = []


class ProjectEditor(QDialog):
    def __init__(self, context, project_id: int | None, parent=None):
        super().__init__(parent)
        self.setObjectName("projectEditor")
        self.context = context
        self.project_id = project_id
        self.pages = QTabWidget(self)
        self.pages.setObjectName("projectEditorPages")
        basic = QWidget(self)
        form = QFormLayout(basic)
        name = ""
        if project_id is not None:
            with context.read() as session:
                project = session.get(Project, project_id)
                name = project.name if project else ""
        form.addRow(self.tr("项目名称"), QLabel(name))
        self.pages.addTab(basic, self.tr("基本信息"))
        for page in EDITOR_PAGES:
            widget, title = page(self)
            self.pages.addTab(widget, title)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        layout.addWidget(buttons)
