"""Printing charts on A4 landscape, sharp on paper.

Each page is a header (the chart's title, the county, the date printed), the chart and
a page number. The chart goes onto the printer's painter as vectors: Matplotlib writes
the figure as SVG (text as outlines, so no font is needed on the printer side) and
QSvgRenderer draws that SVG with the printer's own painter — no screen bitmap. The
figure is first resized to the printable area, so its layout is made for the paper.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from matplotlib.figure import Figure
from PySide6.QtCore import QByteArray, QMarginsF, QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QFontDatabase, QFontMetricsF, QPageLayout, QPageSize, QPainter, QPen
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtSvg import QSvgRenderer

from ..charts.fonts import register_fonts
from ..errors import KnownError
from ..resources import CJK_FONT_FAMILY, CJK_FONT_FILES

MARGIN_MM = 12.0
HEADER_TITLE_PT = 13.0
HEADER_TEXT_PT = 9.5
HEADER_GAP_MM = 4.0


@dataclass
class PrintJob:
    """What goes on paper: one figure per page, and what the header says."""

    figures: list[Figure]
    county: str
    title: str
    """The document's name (the print queue, the PDF's title)."""
    printed_on: dt.date = field(default_factory=dt.date.today)
    _svgs: dict = field(default_factory=dict, repr=False)

    def svg(self, index: int, width_in: float, height_in: float) -> QByteArray:
        """Page ``index``'s figure as SVG for a chart area of that size (kept: a preview
        repaints its pages, the SVGs stay the same)."""
        key = (index, round(width_in, 3), round(height_in, 3))
        if key not in self._svgs:
            self._svgs[key] = svg_of(self.figures[index], width_in, height_in)
        return self._svgs[key]


def a4_landscape_printer(mode: QPrinter.PrinterMode = QPrinter.PrinterMode.HighResolution) -> QPrinter:
    printer = QPrinter(mode)
    layout = QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4),
        QPageLayout.Orientation.Landscape,
        QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
        QPageLayout.Unit.Millimeter,
    )
    printer.setPageLayout(layout)
    return printer


def pdf_printer(path: str | Path) -> QPrinter:
    """A printer that writes a PDF file (what "print to PDF" and the tests use)."""
    printer = a4_landscape_printer()
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(path))
    return printer


def _font(point_size: float, bold: bool = False) -> QFont:
    if CJK_FONT_FAMILY not in QFontDatabase.families():
        for path in CJK_FONT_FILES:
            QFontDatabase.addApplicationFont(str(path))
    font = QFont()
    font.setFamilies([CJK_FONT_FAMILY])
    font.setPointSizeF(point_size)
    font.setBold(bold)
    return font


_EMPTY_GLYPH = re.compile(rb'<path id="([^"]+)"(?: transform="[^"]*")?\s*/>')


def _drop_empty_glyphs(svg: bytes) -> bytes:
    """Remove the outline-less glyphs (spaces) Matplotlib defines as ``<path>`` with no
    ``d``, and their uses: they draw nothing, and QSvgRenderer warns about each."""
    empty = _EMPTY_GLYPH.findall(svg)
    if not empty:
        return svg
    svg = _EMPTY_GLYPH.sub(b"", svg)
    names = b"|".join(re.escape(name) for name in set(empty))
    return re.sub(rb'<use xlink:href="#(?:' + names + rb')"[^>]*/>', b"", svg)


def svg_of(figure: Figure, width_in: float, height_in: float) -> QByteArray:
    """The figure laid out for ``width_in`` × ``height_in`` inches, as SVG bytes
    (text as outlines: the printout needs no font)."""
    register_fonts()
    figure.set_size_inches(width_in, height_in)
    buffer = io.BytesIO()
    # The page's header prints the title (render), so the chart goes without its own:
    # the title once, not twice.
    title = getattr(figure, "_suptitle", None)
    shown = title is not None and title.get_visible()
    if shown:
        title.set_visible(False)
    try:
        figure.savefig(buffer, format="svg")
    finally:
        if shown:
            title.set_visible(True)
    return QByteArray(_drop_empty_glyphs(buffer.getvalue()))


def _header_heights(printer: QPrinter) -> tuple[float, float]:
    """Heights (device pixels) of the header and the footer on this printer's pages."""
    mm = printer.resolution() / 25.4
    title = QFontMetricsF(_font(HEADER_TITLE_PT, bold=True), printer).height()
    text = QFontMetricsF(_font(HEADER_TEXT_PT), printer).height()
    return title + 1.5 * mm + HEADER_GAP_MM * mm, text + 2 * mm


def chart_size_inches(printer: QPrinter) -> tuple[float, float]:
    """The size a figure is laid out for on this printer's pages, header and footer aside."""
    resolution = printer.resolution()
    page = printer.pageLayout().paintRectPixels(resolution)
    header, footer = _header_heights(printer)
    return page.width() / resolution, (page.height() - header - footer) / resolution


def prepare(job: PrintJob, printer: QPrinter, progress: Callable[[int, int], bool] | None = None) -> bool:
    """Lay out every page's figure for ``printer`` ahead of painting (the slow part).

    ``progress(done, total)`` is called before each page; returning False cancels, and
    prepare returns False.
    """
    width, height = chart_size_inches(printer)
    total = len(job.figures)
    for index in range(total):
        if progress is not None and not progress(index, total):
            return False
        job.svg(index, width, height)
    if progress is not None:
        progress(total, total)
    return True


def render(printer: QPrinter, job: PrintJob) -> None:
    """Paint every page of ``job`` on ``printer`` (a real printer, a preview or a PDF)."""
    printer.setDocName(job.title)
    painter = QPainter()
    if not painter.begin(printer):
        target = printer.outputFileName()
        raise KnownError(f"无法打印：打印机不可用或无法写入 {target}" if target else "无法打印：打印机不可用")
    try:
        resolution = printer.resolution()
        page = printer.pageLayout().paintRectPixels(resolution)
        area = QRectF(0, 0, page.width(), page.height())
        width, height = chart_size_inches(printer)
        mm = resolution / 25.4
        total = len(job.figures)
        for index, figure in enumerate(job.figures):
            if index:
                printer.newPage()
            top = _draw_header(painter, area, figure.get_suptitle() or job.title, job, mm)
            bottom = _draw_footer(painter, area, index + 1, total, mm)
            chart = QRectF(area.left(), top, area.width(), bottom - top)
            svg = QSvgRenderer(job.svg(index, width, height))
            svg.setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
            svg.render(painter, chart)
    finally:
        painter.end()


def _draw_header(painter: QPainter, area: QRectF, title: str, job: PrintJob, mm: float) -> float:
    """Title on the left, county and date printed on the right, a rule under; returns
    the y where the chart may begin."""
    painter.setPen(QPen(Qt.GlobalColor.black))
    painter.setFont(_font(HEADER_TITLE_PT, bold=True))
    title_height = QFontMetricsF(painter.font(), painter.device()).height()
    painter.drawText(QRectF(area.left(), area.top(), area.width() * 0.7, title_height),
                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, title)
    painter.setFont(_font(HEADER_TEXT_PT))
    info = f"{job.county}　打印日期：{job.printed_on.year}年{job.printed_on.month}月{job.printed_on.day}日"
    painter.drawText(QRectF(area.left() + area.width() * 0.5, area.top(), area.width() * 0.5, title_height),
                     Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, info)
    rule = area.top() + title_height + 1.5 * mm
    painter.setPen(QPen(Qt.GlobalColor.darkGray, 0.3 * mm))
    painter.drawLine(QPointF(area.left(), rule), QPointF(area.right(), rule))
    return rule + HEADER_GAP_MM * mm


def _draw_footer(painter: QPainter, area: QRectF, number: int, total: int, mm: float) -> float:
    painter.setPen(QPen(Qt.GlobalColor.darkGray))
    painter.setFont(_font(HEADER_TEXT_PT))
    height = QFontMetricsF(painter.font(), painter.device()).height()
    box = QRectF(area.left(), area.bottom() - height, area.width(), height)
    painter.drawText(box, Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignVCenter,
                     f"zsdesk 招商引资台账　第 {number} / {total} 页")
    return box.top() - 2 * mm


def print_to_pdf(job: PrintJob, path: str | Path) -> Path:
    """Print ``job`` into a PDF file, as the print dialog's "save as PDF" would."""
    path = Path(path)
    if not path.parent.is_dir():
        raise KnownError(f"输出文件夹不存在：{path.parent}")
    render(pdf_printer(path), job)
    if not path.is_file() or path.stat().st_size == 0:
        raise KnownError(f"无法写入文件：{path}")
    return path

