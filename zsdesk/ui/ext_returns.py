"""File menu actions for the Excel returns: export the monthly return, import returns
(a preview per file before anything is written), export the county summary, export and
import the targets grid.

Nothing here blocks the window for long: workbooks are written and read in a worker
thread (:class:`~zsdesk.ui.returns_dialogs.BackgroundTask`); the ledger is written on
the GUI thread through ``context.write``, one transaction per file.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog

from ..domain.periods import YearMonth
from ..errors import KnownError
from ..store import settings as keys
from ..store.units import unit_names
from .qsettings import app_settings
from .returns_dialogs import (
    ALL_UNITS,
    BackgroundTask,
    Cancelled,
    ExportReturnDialog,
    PeriodDialog,
    ReturnPreviewDialog,
    TargetsPreviewDialog,
)
from .server_lost import connect_triggered

FOLDER_KEY = "returns/lastFolder"
XLSX_FILTER = "Excel 工作簿 (*.xlsx);;所有文件 (*)"


def install(window) -> None:
    window.returns = ReturnsActions(window)


class ReturnsActions(QObject):
    """The returns' menu actions and what they do; one per main window."""

    finished = Signal(str)
    """A job ended; the text says how (also shown in the status bar)."""

    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("returnsActions")
        self.window = window
        self.task: BackgroundTask | None = None
        self.dialog = None
        """The dialog waiting for the user (tests drive it through its methods)."""
        self.previews: list = []
        self.outcomes: list[tuple[str, str]] = []
        self.gate = None
        """``(window, units, period) -> {unit: 审核说明 rows} | None``: the check before an
        export (None: :func:`zsdesk.ui.export_gate.confirm_exports`; tests replace it)."""
        self.export_return_action = self._action(self.tr("导出月报(&M)…"), "exportReturnAction", self.export_return)
        self.import_returns_action = self._action(self.tr("导入月报(&I)…"), "importReturnsAction", self.import_returns)
        self.export_summary_action = self._action(self.tr("导出汇总表…"), "exportSummaryAction", self.export_summary)
        self.export_targets_action = self._action(
            self.tr("导出年度目标任务分解表…"), "exportTargetsAction", self.export_targets
        )
        self.import_targets_action = self._action(
            self.tr("导入年度目标任务分解表…"), "importTargetsAction", self.import_targets
        )
        self.starter_files_action = self._action(
            self.tr("生成各单位起始台账…"), "starterFilesAction", self.make_starter_files
        )
        menu = window.menu("file")
        before = getattr(window, "quit_action", None)
        actions = [
            self.starter_files_action,
            self.export_return_action,
            self.import_returns_action,
            self.export_summary_action,
            self.export_targets_action,
            self.import_targets_action,
        ]
        if before is not None and before in menu.actions():
            menu.insertSeparator(before)
            for action in actions:
                menu.insertAction(before, action)
            menu.insertSeparator(before)
        else:
            menu.addSeparator()
            menu.addActions(actions)

    def _action(self, text: str, name: str, slot) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(name)
        connect_triggered(action, slot)
        return action

    # -- helpers -----------------------------------------------------------------------

    @property
    def context(self):
        return self.window.context

    def folder(self) -> Path:
        saved = app_settings().value(FOLDER_KEY)
        if saved and Path(str(saved)).is_dir():
            return Path(str(saved))
        return Path(self.context.ledger.path).parent

    def remember_folder(self, path: Path) -> None:
        app_settings().setValue(FOLDER_KEY, str(path if path.is_dir() else path.parent))

    def today(self):
        return self.window.today()

    def _busy(self) -> bool:
        if self.task is not None and self.task.running:
            self.window.show_error(KnownError(self.tr("上一项导出或导入还没有完成，请稍候")))
            return True
        return False

    def _run(self, title: str, total: int, work, done) -> BackgroundTask:
        self.task = BackgroundTask(self.window, title, total, work)
        self.task.done.connect(done)
        self.task.failed.connect(self._failed)
        return self.task.start()

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, Cancelled):
            self._finish(self.tr("已取消"))
            return
        self.window.show_error(error)
        self._finish(self.tr("未完成：%s") % (error.message if isinstance(error, KnownError) else type(error).__name__))

    def _finish(self, text: str) -> None:
        self.dialog = None
        self.window.statusBar().showMessage(text, 10000)
        self.finished.emit(text)

    # -- export the monthly return -----------------------------------------------------

    def make_starter_files(self):
        """The bureau hands each unit its starter file (起始台账); only from the county's file."""
        from .ledger_dialogs import StarterFilesDialog, documents_folder

        with self.context.read() as session:
            units = unit_names(session)
            own = keys.own_unit(session)
        if own:
            self.window.show_error(KnownError(
                self.tr("这是%s的台账：起始台账由县招商局用全县的台账生成") % own))
            return None
        dialog = StarterFilesDialog(self.window, units, self.today().year, documents_folder() / self.tr("起始台账"))
        dialog.county_file = Path(self.context.ledger.path)
        dialog.accepted.connect(lambda: self._finish(
            self.tr("已生成 %1 个起始台账：%2").replace("%1", str(len(dialog.written)))
            .replace("%2", str(dialog.written[0].parent) if dialog.written else "")))
        self.dialog = dialog
        dialog.open()
        return dialog

    def export_return(self) -> ExportReturnDialog | None:
        """Open the export dialog; on 导出 the returns are written in the background."""
        if self._busy():
            return None
        with self.context.read() as session:
            units = unit_names(session)
            own = keys.own_unit(session) or None
            sign_off = {k: keys.get_setting(session, k) for k in (keys.CLERK_NAME, keys.REVIEWER, keys.PHONE)}
        dialog = ExportReturnDialog(
            self.window, units, YearMonth.of(self.today()), self.today(), unit=own, folder=self.folder(),
            sign_off=sign_off,
        )
        dialog.accepted.connect(lambda: self._confirmed(dialog, sign_off, units))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _confirmed(self, dialog, before: dict[str, str], units: list[str]) -> None:
        """Remember who signs (when changed), then export."""
        chosen = dialog.sign_off_values
        if chosen != before:
            def remember(session):
                for key, value in chosen.items():
                    keys.set_setting(session, key, value)

            try:
                self.context.write(remember)
            except KnownError as exc:
                self.window.show_error(exc)
                return
        self._start_export(dialog.unit, dialog.period, dialog.target, units)

    def _start_export(self, unit: str | None, period: YearMonth, target: Path, units: list[str]) -> None:
        from ..returns import export_return, return_file_name

        if not str(target) or str(target) == ".":
            self.window.show_error(KnownError(self.tr("请选择保存位置")))
            return
        chosen = units if unit is ALL_UNITS else [unit]
        if self.gate is None:
            from .export_gate import confirm_exports as gate
        else:
            gate = self.gate
        allowed = gate(self.window, chosen, period)
        if not allowed:
            self._finish(self.tr("未导出月报"))
            return
        chosen = [name for name in chosen if name in allowed]
        if unit is ALL_UNITS:
            target.mkdir(parents=True, exist_ok=True)
        elif target.suffix.lower() != ".xlsx":
            target = target.with_name(target.name + ".xlsx")
        ledger, today = self.context.ledger, self.today()

        def work(report):
            written = []
            with ledger.read() as session:
                for step, name in enumerate(chosen):
                    report(step, self.tr("正在导出 %s 的月报…") % name)
                    path = target / return_file_name(name, period) if unit is ALL_UNITS else target
                    written.append(
                        export_return(session, name, period, path, explanations=allowed[name], today=today)
                    )
            return written

        def done(written):
            self.remember_folder(target)
            self._finish(self.tr("已导出 %d 份月报：%s") % (len(written), target))

        self._run(self.tr("导出月报"), len(chosen), work, done)

    # -- import returns ----------------------------------------------------------------

    def import_returns(self, paths: list[str | Path] | None = None) -> BackgroundTask | None:
        """Choose files; each is read and previewed in the background, then shown."""
        if self._busy():
            return None
        if paths is None:
            chosen, _ = QFileDialog.getOpenFileNames(
                self.window, self.tr("选择要导入的月报"), str(self.folder()), self.tr(XLSX_FILTER)
            )
            paths = chosen
        paths = [Path(p) for p in paths]
        if not paths:
            return None
        if self.context.ledger.readonly:
            self.window.show_error(KnownError(self.tr("台账以只读方式打开，不能导入")))
            return None
        self.remember_folder(paths[0])
        ledger, today = self.context.ledger, self.today()

        def work(report):
            from ..returns import preview_return

            previews = []
            for step, path in enumerate(paths):
                report(step, self.tr("正在读取 %s…") % path.name)
                with ledger.read() as session:
                    previews.append(preview_return(session, path, today=today))
            return previews

        def done(previews):
            self.previews = list(previews)
            self.outcomes = []
            self._next_preview()

        return self._run(self.tr("读取月报"), len(paths), work, done)

    def _next_preview(self) -> None:
        if not self.previews:
            imported = sum(status == "imported" for _, status in self.outcomes)
            refused = sum(status == "refused" for _, status in self.outcomes)
            skipped = len(self.outcomes) - imported - refused
            self._finish(self.tr("导入月报：导入 %1 个，跳过 %2 个，拒绝 %3 个")
                         .replace("%1", str(imported)).replace("%2", str(skipped)).replace("%3", str(refused)))
            return
        total = len(self.outcomes) + len(self.previews)
        preview = self.previews.pop(0)
        dialog = ReturnPreviewDialog(self.window, preview, (len(self.outcomes) + 1, total))
        dialog.accepted.connect(lambda: self._apply(preview))
        dialog.rejected.connect(lambda: self._skip(preview))
        self.dialog = dialog
        dialog.open()

    def _skip(self, preview) -> None:
        self.outcomes.append((preview.file_name, "refused" if preview.refused else "skipped"))
        self._next_preview()

    def _apply(self, preview) -> None:
        from ..returns import apply_return

        try:
            self.context.write(lambda session: apply_return(session, preview))
        except KnownError as exc:
            self.window.show_error(exc)
            self.outcomes.append((preview.file_name, "refused"))
        else:
            self.outcomes.append((preview.file_name, "imported"))
        self._next_preview()

    # -- the county summary ------------------------------------------------------------

    def export_summary(self, path: str | Path | None = None, period: YearMonth | None = None):
        """Ask month and file (unless given), then write the summary in the background."""
        if self._busy():
            return None
        if period is None:
            dialog = PeriodDialog(self.window, self.tr("导出汇总表"), self.today())
            if dialog.exec() != PeriodDialog.DialogCode.Accepted:
                return None
            period = dialog.period
        if path is None:
            with self.context.read() as session:
                county = keys.county_name(session)
            suggestion = self.folder() / f"{county}-{period.chinese}汇总表.xlsx"
            path, _ = QFileDialog.getSaveFileName(self.window, self.tr("汇总表保存为"), str(suggestion), self.tr(XLSX_FILTER))
            if not path:
                return None
        path = Path(path)
        ledger, today = self.context.ledger, self.today()

        def work(report):
            from ..returns.summary import export_summary

            report(0, self.tr("正在导出汇总表…"))
            with ledger.read() as session:
                return export_summary(session, period, path, today=today)

        def done(written):
            self.remember_folder(path)
            self._finish(self.tr("已导出汇总表：%s") % written)

        return self._run(self.tr("导出汇总表"), 1, work, done)

    # -- the targets grid --------------------------------------------------------------

    def export_targets(self, path: str | Path | None = None, year: int | None = None):
        if self._busy():
            return None
        if year is None:
            dialog = PeriodDialog(self.window, self.tr("导出年度目标任务分解表"), self.today(), year_only=True)
            if dialog.exec() != PeriodDialog.DialogCode.Accepted:
                return None
            year = dialog.year
        if path is None:
            suggestion = self.folder() / f"{year}年度目标任务分解表.xlsx"
            path, _ = QFileDialog.getSaveFileName(
                self.window, self.tr("目标任务分解表保存为"), str(suggestion), self.tr(XLSX_FILTER)
            )
            if not path:
                return None
        path = Path(path)
        ledger = self.context.ledger

        def work(report):
            from ..returns.targets import export_targets

            report(0, self.tr("正在导出目标任务分解表…"))
            with ledger.read() as session:
                return export_targets(session, year, path)

        def done(written):
            self.remember_folder(path)
            self._finish(self.tr("已导出%d年目标任务分解表：%s") % (year, written))

        return self._run(self.tr("导出年度目标任务分解表"), 1, work, done)

    def import_targets(self, path: str | Path | None = None):
        if self._busy():
            return None
        if path is None:
            path, _ = QFileDialog.getOpenFileName(
                self.window, self.tr("选择年度目标任务分解表"), str(self.folder()), self.tr(XLSX_FILTER)
            )
            if not path:
                return None
        path = Path(path)
        ledger = self.context.ledger

        def work(report):
            from ..returns.targets import preview_targets

            report(0, self.tr("正在读取 %s…") % path.name)
            with ledger.read() as session:
                return preview_targets(session, path)

        def done(preview):
            dialog = TargetsPreviewDialog(self.window, preview)
            dialog.accepted.connect(lambda: self._apply_targets(preview))
            dialog.rejected.connect(lambda: self._finish(self.tr("未导入目标任务分解表")))
            self.dialog = dialog
            dialog.open()

        return self._run(self.tr("读取目标任务分解表"), 1, work, done)

    def _apply_targets(self, preview) -> None:
        from ..returns.targets import apply_targets

        try:
            fresh = self.context.write(lambda session: apply_targets(session, preview))
        except KnownError as exc:
            self.window.show_error(exc)
            self._finish(self.tr("未导入目标任务分解表"))
            return
        self._finish(self.tr("已导入：%s") % fresh.summary())



