"""The dashboard tab: the progress charts, embedded as Matplotlib's own example does
(``FigureCanvasQTAgg`` + ``NavigationToolbar2QT``, no pyplot), with pickers for the
chart, year, month, indicator and unit.

The chart redraws when the pickers change and on ``data_changed`` (at once when the
tab is visible, else when it is next shown). Nothing to show — no targets for the
year, a zero target, no projects — puts a Chinese message in place of the chart.
Clicking a unit's bar (or its name) in the ranking opens that unit's card.
"""

from __future__ import annotations

import functools
import time
import traceback
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, Qt, Signal
from PySide6.QtGui import QIcon, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QProgressDialog,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ..charts.build import BY_INDUSTRY, BY_UNIT, Cancelled, ChartKind, ChartRequest, build_chart, unit_cards
from ..domain.enums import Indicator
from ..domain.periods import YearMonth
from ..errors import KnownError
from ..store.chart_data import chart_years, latest_fund_month
from ..store.settings import county_name
from ..store.units import unit_names
from .qsettings import app_settings
from .table_models import release_hidden_tabs
from .server_lost import stops_lost_connection

if TYPE_CHECKING:
    from .printing import PrintJob

# Matplotlib (with NumPy and, for PDF, fontTools) is imported when the chart is first
# needed — the tab shown, a chart printed or exported — not when the window is built:
# bench/ measured it as the largest part of zsdesk's cold start (issue 9).

LAST_FOLDER_KEY = "dashboard/lastFolder"


@functools.cache
def chart_toolbar_class():
    """ChartToolbar: Matplotlib's navigation toolbar (home, pan, zoom, save)."""
    from matplotlib import cbook
    from matplotlib.backends import backend_qt
    from matplotlib.backends.backend_qtagg import NavigationToolbar2QT

    class _IconEngine(backend_qt._IconEngine):
        """Matplotlib's toolbar icons, without asking Qt 6 for the Qt 5 attribute
        AA_UseHighDpiPixmaps (deprecated: the question warns on every icon painted).
        Qt 6 always uses high-DPI pixmaps."""

        def _devicePixelRatio(self):
            return (self.toolbar.devicePixelRatioF() or 1) if self.toolbar else 1

    tr = functools.partial(QCoreApplication.translate, "ChartToolbar")

    class ChartToolbar(NavigationToolbar2QT):
        """Matplotlib's navigation toolbar, in Chinese: home, back, forward, pan, zoom.

        Its own 保存, 子图 and 自定义 buttons open Matplotlib's English dialogs (seen in a
        real window); saving is 导出图表 in the 文件 menu and on the tab, in Chinese."""

        toolitems = [
            (tr("还原"), tr("还原到最初的视图"), "home", "home"),
            (tr("后退"), tr("回到上一个视图"), "back", "back"),
            (tr("前进"), tr("到下一个视图"), "forward", "forward"),
            (None, None, None, None),
            (tr("平移"), tr("平移：按住左键拖动；按住右键拖动缩放"), "move", "pan"),
            (tr("缩放"), tr("框选放大：按住左键框出要放大的区域"), "zoom_to_rect", "zoom"),
        ]

        def _icon(self, name):
            return QIcon(_IconEngine(cbook._get_data_path("images", name), self))

    return ChartToolbar


class DashboardTab(QWidget):
    """The charts tab (``dashboardTab``)."""

    redrawn = Signal()
    """A chart (or the message instead of one) has just been drawn."""

    def __init__(self, window):
        super().__init__(window)
        self.setObjectName("dashboardTab")
        self.window_ = window
        self.context = window.context
        self.last_error: KnownError | None = None
        self.last_redraw_seconds: float | None = None
        self.preview_dialog = None
        self._preview_keep = None
        self._stale = True
        self._filling = False
        self._data_cache: dict = {}
        """What the charts read from the ledger, kept until the data change."""
        self._layouts: dict = {}
        """Constrained-layout results by what decides them (see ``_draw``)."""

        self.kind_picker = self._combo("kindPicker", [(self.tr(k.label), k) for k in ChartKind])
        self.year_picker = self._combo("yearPicker", [])
        self.month_picker = self._combo("monthPicker", [(self.tr("%d月") % m, m) for m in range(1, 13)])
        self.indicator_picker = self._combo("indicatorPicker", [(i.label, i) for i in Indicator])
        self.unit_picker = self._combo("unitPicker", [])
        self.grouping_picker = self._combo(
            "groupingPicker", [(self.tr("按单位"), BY_UNIT), (self.tr("按产业"), BY_INDUSTRY)]
        )
        self.grouping_label = QLabel(self.tr("分组"), self)

        self._figure = self._canvas = self._toolbar = None
        """Matplotlib's figure, canvas and toolbar: made by _ensure_canvas when first needed."""
        self.message = QLabel(self)
        self.message.setObjectName("chartMessage")
        self.message.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("font-size: 15px; color: #555; padding: 40px;")

        chart_page = QWidget(self)
        chart_layout = QVBoxLayout(chart_page)
        chart_layout.setContentsMargins(0, 0, 0, 0)
        self._chart_layout = chart_layout
        self.stack = QStackedWidget(self)
        self.stack.setObjectName("chartStack")
        self.stack.addWidget(chart_page)
        self.stack.addWidget(self.message)

        self.pickers = QHBoxLayout()
        for label, picker in (
            (self.tr("图表"), self.kind_picker),
            (self.tr("年份"), self.year_picker),
            (self.tr("月份"), self.month_picker),
            (self.tr("指标"), self.indicator_picker),
            (self.tr("单位"), self.unit_picker),
        ):
            self.pickers.addWidget(QLabel(label, self))
            self.pickers.addWidget(picker)
        self.pickers.addWidget(self.grouping_label)
        self.pickers.addWidget(self.grouping_picker)
        self.pickers.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(self.pickers)
        layout.addWidget(self.stack, 1)

        self.fill_pickers()
        for picker in (self.kind_picker, self.year_picker, self.month_picker, self.indicator_picker,
                       self.unit_picker, self.grouping_picker):
            picker.currentIndexChanged.connect(self._picker_changed)
        self.context.data_changed.connect(self._data_changed)
        self.context.ledger_changed.connect(self._ledger_changed)
        self._show_relevant_pickers()

    # -- pickers ---------------------------------------------------------------------

    # -- the canvas, made when first needed --------------------------------------------

    def _ensure_canvas(self) -> None:
        if self._canvas is not None:
            return
        release_hidden_tabs(self.window_)  # before Matplotlib comes in (~26 MB)
        from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg

        from ..charts.common import new_figure

        figure = new_figure()
        canvas = FigureCanvasQTAgg(figure)
        canvas.setObjectName("chartCanvas")
        canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        canvas.mpl_connect("pick_event", self._on_pick)
        toolbar = chart_toolbar_class()(canvas, self, coordinates=False)  # x, y of a bar chart tell a clerk nothing
        toolbar.setObjectName("chartToolbar")
        self._figure, self._canvas, self._toolbar = figure, canvas, toolbar
        self._chart_layout.addWidget(toolbar)
        self._chart_layout.addWidget(canvas, 1)

    @property
    def figure(self):
        self._ensure_canvas()
        return self._figure

    @property
    def canvas(self):
        self._ensure_canvas()
        return self._canvas

    @property
    def toolbar(self):
        self._ensure_canvas()
        return self._toolbar

    def _combo(self, name: str, items: list[tuple[str, object]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        for text, data in items:
            combo.addItem(text, data)
        return combo

    def add_tool_button(self, action) -> QToolButton:
        """Put an action (print, export) at the end of the pickers row."""
        button = QToolButton(self)
        button.setDefaultAction(action)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.pickers.addWidget(button)
        return button

    @stops_lost_connection
    def fill_pickers(self) -> None:
        """Years and units from the open ledger; the latest month with funds by default."""
        self._filling = True
        try:
            today = YearMonth.current()
            with self.context.read() as session:
                years = [y for y in chart_years(session) if y <= today.year] or [today.year]
                latest = latest_fund_month(session, today) or today
                units = unit_names(session)
                from ..store import settings as keys

                own = keys.own_unit(session)
            first_fill = self.unit_picker.count() == 0
            chosen_unit = self.unit_picker.currentData()
            if first_fill and own in units:
                chosen_unit = own  # a township's file opens on its own unit
            self.year_picker.clear()
            for year in years:
                self.year_picker.addItem(self.tr("%d年") % year, year)
            year = latest.year if latest.year in years else years[-1]
            self.year_picker.setCurrentIndex(years.index(year))
            self.month_picker.setCurrentIndex((latest.month if latest.year == year else 12) - 1)
            self.unit_picker.clear()
            self.unit_picker.addItem(self.tr("全县"), None)
            for name in units:
                self.unit_picker.addItem(name, name)
            if chosen_unit in units:
                self.unit_picker.setCurrentIndex(units.index(chosen_unit) + 1)
            if first_fill and own in units:
                self.kind_picker.setCurrentIndex(self.kind_picker.findData(ChartKind.CARD))
        finally:
            self._filling = False

    def set_period(self, period: YearMonth) -> None:
        index = self.year_picker.findData(period.year)
        if index < 0:
            self.year_picker.addItem(self.tr("%d年") % period.year, period.year)
            index = self.year_picker.count() - 1
        self._filling = True
        try:
            self.year_picker.setCurrentIndex(index)
            self.month_picker.setCurrentIndex(period.month - 1)
        finally:
            self._filling = False
        self.redraw()

    def select(self, *, kind: ChartKind | None = None, indicator: Indicator | None = None,
               unit: str | None | bool = False) -> None:
        """Set several pickers at once and draw once (``unit=None`` is the county)."""
        self._filling = True
        try:
            if kind is not None:
                self.kind_picker.setCurrentIndex(self.kind_picker.findData(kind))
            if indicator is not None:
                self.indicator_picker.setCurrentIndex(self.indicator_picker.findData(indicator))
            if unit is not False:
                self.unit_picker.setCurrentIndex(max(0, self.unit_picker.findData(unit)))
        finally:
            self._filling = False
        self._show_relevant_pickers()
        self.redraw()

    def period(self) -> YearMonth:
        return YearMonth(self.year_picker.currentData(), self.month_picker.currentData())

    def kind(self) -> ChartKind:
        # A combo box hands str enums back as plain str: make them members again.
        return ChartKind(self.kind_picker.currentData())

    def request(self) -> ChartRequest:
        return ChartRequest(
            kind=self.kind(),
            period=self.period(),
            indicator=Indicator(self.indicator_picker.currentData()),
            unit=self.unit_picker.currentData(),
            by=self.grouping_picker.currentData(),
        )

    def _show_relevant_pickers(self) -> None:
        kind = self.kind()
        self.indicator_picker.setEnabled(kind in (ChartKind.RANKING, ChartKind.TREND))
        pipeline = kind is ChartKind.PIPELINE
        self.grouping_picker.setVisible(pipeline)
        self.grouping_label.setVisible(pipeline)
        self.grouping_picker.setEnabled(pipeline and self.unit_picker.currentData() is None)

    def _picker_changed(self) -> None:
        if self._filling:
            return
        self._show_relevant_pickers()
        self.redraw()

    # -- drawing ---------------------------------------------------------------------

    def _data_changed(self) -> None:
        if self.isVisible():
            self.reload()
        else:
            self._data_cache.clear()
            self._stale = True

    def reload(self) -> bool:
        """Read the ledger again and redraw: what ``data_changed`` does to a visible tab
        (and what the benchmark times as "dashboard redraw")."""
        self._data_cache.clear()
        return self.redraw()

    def _ledger_changed(self) -> None:
        self._data_cache.clear()
        self.fill_pickers()
        self._data_changed()

    def ensure_loaded(self) -> None:
        """Draw now if nothing is drawn yet or the data changed since (MainWindow.select_tab
        calls this, so a window never shown — a screenshot, a benchmark — gets its chart)."""
        if self._stale:
            self.redraw()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.redraw()

    def redraw(self) -> bool:
        """Draw the chart the pickers ask for; False (and a message) if there is none."""
        started = time.perf_counter()
        self._stale = False
        request = self.request()
        try:
            if request.period.is_future():
                raise KnownError(self.tr("%s 尚未到来，没有可画的数据") % request.period.chinese)
            if request.kind is ChartKind.CARD and request.unit is None:
                raise KnownError(self.tr("请在“单位”中选择一个单位，查看它的单位卡片（或在排名图中点击它的条形）"))
            with self.context.read() as session:
                build_chart(session, request, figure=self.figure, cache=self._data_cache)
        except KnownError as exc:
            self._show_message(exc)
            shown = False
        except Exception as exc:  # a bug: say so in the tab rather than take the window down
            traceback.print_exc()
            self._show_message(KnownError(self.tr("图表出现内部错误（程序缺陷）：%s: %s") % (type(exc).__name__, exc)))
            shown = False
        else:
            self.last_error = None
            self.stack.setCurrentIndex(0)
            self._draw()
            shown = True
        self.last_redraw_seconds = time.perf_counter() - started
        self.redrawn.emit()
        return shown

    def _draw(self) -> None:
        """Render the canvas, reusing a constrained layout computed before when nothing
        that decides it has changed.

        Constrained layout measures every label on each draw, a good part of a redraw's
        time. What it computes depends only on the canvas size, the chart kind, the
        texts at the edges (title, unit names and other fixed tick labels, legends) and
        the axis limits; for the same of those, the axes' positions are set as last
        time and the layout engine is skipped.
        """
        figure = self.figure
        key = self._layout_key()
        known = self._layouts.get(key)
        if known is None:
            figure.set_layout_engine("constrained")
            self.canvas.draw()
            self._layouts[key] = (
                [ax.get_position(original=True).frozen() for ax in figure.axes],
                [ax.get_position(original=False).frozen() for ax in figure.axes],
                figure._suptitle.get_position() if figure._suptitle else None,
            )
            if len(self._layouts) > 64:
                self._layouts.pop(next(iter(self._layouts)))
            return
        originals, actives, suptitle = known
        figure.set_layout_engine("none")
        for ax, original, active in zip(figure.axes, originals, actives):
            ax._set_position(original, which="original")
            ax._set_position(active, which="active")
        if suptitle is not None and figure._suptitle:
            figure._suptitle.set_position(suptitle)
        self.canvas.draw()

    def _layout_key(self) -> tuple:
        figure = self.figure

        def fixed(labels):
            return tuple(t.get_text() for t in labels)

        axes = tuple(
            (
                tuple(ax.get_position(original=True).bounds),
                fixed(ax.get_xticklabels()),
                fixed(ax.get_yticklabels()),
                tuple(round(v, 9) for v in (*ax.get_xlim(), *ax.get_ylim())),
                ax.get_title(loc="left"),
                ax.get_xlabel(),
                ax.get_ylabel(),
                ax.get_legend() is not None and fixed(ax.get_legend().get_texts()),
            )
            for ax in figure.axes
        )
        legends = tuple(fixed(legend.get_texts()) for legend in figure.legends)
        size = (self.canvas.width(), self.canvas.height(), figure.dpi)
        return (self.kind(), size, figure.get_suptitle(), axes, legends)

    def _show_message(self, exc: KnownError) -> None:
        self.last_error = exc
        # Not self.figure: that would make the canvas, which may be what just failed (a
        # bundled font missing), and raise again inside this error path.
        if self._figure is not None:
            self._figure.clear()
        self.message.setText(exc.message)
        self.stack.setCurrentWidget(self.message)

    def read_failed(self, exc: KnownError) -> None:
        """The server went away while the pickers were filled: its message in place of a
        chart, drawn again once the data change (重新连接 changes them)."""
        self._show_message(exc)
        self._stale = True

    def has_chart(self) -> bool:
        return self.last_error is None and not self._stale

    def _on_pick(self, event) -> None:
        from ..charts.ranking import UNIT_ATTRIBUTE

        unit = getattr(event.artist, UNIT_ATTRIBUTE, None)
        if unit and self.toolbar.mode == "" and self.kind() is ChartKind.RANKING:
            self.open_card(unit)

    def open_card(self, unit: str) -> None:
        """Show ``unit``'s card (what a click on its bar does)."""
        self.select(kind=ChartKind.CARD, unit=unit)

    # -- printing and export ---------------------------------------------------------

    def _figure_for_paper(self):
        """The current chart built anew at A4 size (the canvas's own figure has the
        window's size and the toolbar's zoom)."""
        request = self.request()
        if request.kind is ChartKind.CARD and request.unit is None:
            raise KnownError(self.tr("请先在“单位”中选择一个单位"))
        with self.context.read() as session:
            figure = build_chart(session, request, cache=self._data_cache)
            county = county_name(session)
        return figure, county

    def print_job(self) -> PrintJob:
        from .printing import PrintJob

        figure, county = self._figure_for_paper()
        return PrintJob([figure], county, figure.get_suptitle())

    def all_cards_job(self) -> PrintJob | None:
        """Every unit's card, one per page; None if cancelled."""
        from .printing import PrintJob

        period = self.period()
        progress = self._progress(self.tr("正在生成各单位卡片…"))
        try:
            with self.context.read() as session:
                cards, skipped = unit_cards(session, period, progress=lambda done, total: self._step(progress, done, total))
                county = county_name(session)
        except Cancelled:
            return None
        finally:
            progress.close()
        if skipped:
            self.window_.statusBar().showMessage(
                self.tr("以下单位%d年没有目标任务，未打印卡片：%s") % (period.year, "、".join(skipped)), 10000
            )
        return PrintJob([figure for _, figure in cards], county,
                        self.tr("%s 各单位目标任务完成情况（截至%s）") % (county, period.chinese))

    def _progress(self, text: str) -> QProgressDialog:
        dialog = QProgressDialog(text, self.tr("取消"), 0, 100, self)
        dialog.setObjectName("chartProgress")
        dialog.setWindowTitle(self.tr("请稍候"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(300)
        return dialog

    @staticmethod
    def _step(dialog: QProgressDialog, done: int, total: int) -> bool:
        dialog.setMaximum(total)
        dialog.setValue(done)
        QCoreApplication.processEvents()
        return not dialog.wasCanceled()

    def print_preview(self, job: PrintJob | None = None):
        """Open the print preview (A4 landscape) of ``job`` (default: the chart shown)."""
        from PySide6.QtPrintSupport import QPrintPreviewDialog

        from .printing import a4_landscape_printer, prepare

        try:
            job = job or self.print_job()
        except KnownError as exc:
            self.window_.show_error(exc)
            return None
        printer = a4_landscape_printer()
        progress = self._progress(self.tr("正在排版…"))
        try:
            if not prepare(job, printer, lambda done, total: self._step(progress, done, total)):
                return None
        finally:
            progress.close()
        dialog = QPrintPreviewDialog(printer, self)
        dialog.setObjectName("printPreview")
        dialog.setWindowTitle(self.tr("打印预览 — %s") % job.title)
        dialog.paintRequested.connect(lambda target: self._render(target, job))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.resize(1100, 800)
        # The dialog does not own the printer: keep it (and the job) alive as long as the dialog.
        self._preview_keep = (printer, job)
        dialog.destroyed.connect(self._preview_closed)
        dialog.open()
        self.preview_dialog = dialog
        return dialog

    def _preview_closed(self) -> None:
        self.preview_dialog = None
        self._preview_keep = None

    def _render(self, printer, job: PrintJob) -> None:
        from .printing import render

        try:
            render(printer, job)
        except KnownError as exc:
            self.window_.show_error(exc)
            return
        from PySide6.QtPrintSupport import QPrinter

        # The preview paints on screen through the same call; only a file says it was written.
        if printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and printer.outputFileName():
            self.tell_written(printer.outputFileName(), len(job.figures))

    def print_all_units(self):
        job = self._all_cards_or_error()
        return self.print_preview(job) if job else None

    def _all_cards_or_error(self) -> PrintJob | None:
        try:
            return self.all_cards_job()
        except KnownError as exc:
            self.window_.show_error(exc)
            return None

    def print_to_pdf(self, path: str | Path, *, all_units: bool = False) -> Path | None:
        """Print the chart (or every unit's card) straight into a PDF file."""
        from .printing import print_to_pdf

        bar = self.window_.statusBar()
        bar.clearMessage()
        try:
            job = self.all_cards_job() if all_units else self.print_job()
            written = print_to_pdf(job, path) if job else None
        except KnownError as exc:
            self.window_.show_error(exc)
            return None
        if written is not None:
            self.tell_written(written, len(job.figures), also=bar.currentMessage())
        return written

    def tell_written(self, path: str | Path, pages: int, also: str = "") -> None:
        """Say where the printout went (a PDF is not visible until one looks for it);
        ``also``: what the job said meanwhile (units left out), kept in the message."""
        text = self.tr("已打印到PDF文件（%d页）：%s") % (pages, path)
        self.window_.statusBar().showMessage(f"{text}。{also}" if also else text, 15000)

    def export_chart(self, path: str | Path | None = None) -> Path | None:
        """Save the chart shown as PNG, PDF or SVG (A4 landscape); asks where if no path."""
        from ..charts.export import save_figure

        settings = app_settings()
        if path is None:
            folder = settings.value(LAST_FOLDER_KEY) or str(Path(self.context.ledger.path).parent)
            try:
                suggestion = self._figure_for_paper()[0].get_suptitle()
            except KnownError as exc:
                self.window_.show_error(exc)
                return None
            suggestion = suggestion.replace("/", "-").replace(" ", "") or "chart"
            path, _ = QFileDialog.getSaveFileName(
                self,
                self.tr("导出图表"),
                str(Path(folder) / f"{suggestion}.png"),
                self.tr("PNG 图片 (*.png);;PDF 文件 (*.pdf);;SVG 矢量图 (*.svg)"),
            )
            if not path:
                return None
        try:
            figure, _county = self._figure_for_paper()
            saved = save_figure(figure, path)
        except KnownError as exc:
            self.window_.show_error(exc)
            return None
        settings.setValue(LAST_FOLDER_KEY, str(Path(saved).parent))
        self.window_.statusBar().showMessage(self.tr("已导出图表：%s") % saved, 5000)
        return saved

