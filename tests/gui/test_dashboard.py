"""The dashboard tab: charts drawn from the ledger, clicks, redraw on data_changed, a
message instead of a broken chart, printing (offscreen, to PDF, vector) and export."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from matplotlib.colors import to_hex
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QComboBox, QLabel
from sqlalchemy import select

from zsdesk.charts.build import ChartKind
from zsdesk.charts.common import SCHEDULE_COLOUR, STATUS_COLOURS
from zsdesk.charts.ranking import UNIT_ATTRIBUTE
from zsdesk.domain.enums import Indicator, Status
from zsdesk.domain.periods import YearMonth
from zsdesk.store.models import FundRecord, Project, Target, Unit
from zsdesk.store.progress_query import load_progress
from tests.tools import require_tool

JUNE = YearMonth(2026, 6)


@pytest.fixture
def dashboard(demo_window, qtbot):
    window = demo_window
    window.resize(1440, 900)
    window.show()
    qtbot.waitExposed(window)
    tab = window.select_tab("dashboard")
    tab.set_period(JUNE)
    tab.select(kind=ChartKind.RANKING, indicator=Indicator.DOMESTIC_FUNDS, unit=None)
    return tab


def unit_bars(tab):
    return {getattr(p, UNIT_ATTRIBUTE): p for p in tab.figure.axes[0].patches if hasattr(p, UNIT_ATTRIBUTE)}


def progress(tab, period=JUNE):
    with tab.context.read() as session:
        return load_progress(session, period)


def test_the_tab_and_its_actions_are_installed(demo_window):
    tab = demo_window.tab("dashboard")
    assert tab.objectName() == "dashboardTab"
    assert demo_window.tabs.tabText(demo_window.tabs.indexOf(tab)) == "进度图表"
    for name in ("kindPicker", "yearPicker", "monthPicker", "indicatorPicker", "unitPicker"):
        assert isinstance(tab.findChild(QComboBox, name), QComboBox), name
    names = [a.objectName() for a in demo_window.menu("file").actions()]
    for name in ("printChartAction", "printAllUnitsAction", "exportChartAction"):
        assert name in names
    assert tab.print_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Print)
    assert type(tab.canvas).__name__ == "FigureCanvasQTAgg"
    from matplotlib.backends.backend_qtagg import NavigationToolbar2QT

    assert isinstance(tab.toolbar, NavigationToolbar2QT)


def test_the_chart_toolbar_speaks_chinese_and_opens_no_english_dialog(dashboard, qtbot):
    """Seen in a real window: the toolbar's tooltips were Matplotlib's English ("Reset
    original view"), and its 保存/子图/自定义 buttons open English dialogs."""
    import re

    toolbar = dashboard.toolbar
    buttons = [a for a in toolbar.actions() if not a.isSeparator() and a.isVisible()]
    assert set(toolbar._actions) == {"home", "back", "forward", "pan", "zoom"}
    tips = [a.toolTip() for a in buttons if a.toolTip()]
    assert len(tips) == 5 and not any(re.search("[A-Za-z]", tip) for tip in tips), tips
    pan = toolbar.widgetForAction(toolbar._actions["pan"])
    qtbot.mouseClick(pan, Qt.MouseButton.LeftButton)
    assert toolbar.mode == "pan/zoom"  # the button works: Matplotlib's pan mode
    qtbot.mouseClick(pan, Qt.MouseButton.LeftButton)
    assert toolbar.mode == ""


def test_ranking_shows_the_progress_of_every_unit(dashboard):
    tab = dashboard
    assert tab.has_chart() and tab.stack.currentIndex() == 0
    table = progress(tab)
    bars = unit_bars(tab)
    assert set(bars) == set(table.units)
    for unit, bar in bars.items():
        row = table.get(unit, Indicator.DOMESTIC_FUNDS)
        assert bar.get_width() == pytest.approx(float(row.rate))
        assert to_hex(bar.get_facecolor()) == to_hex(STATUS_COLOURS[row.status])
    ticks = [t.get_text() for t in tab.figure.axes[0].get_yticklabels()]
    assert ticks == [r.unit for r in table.ranking(Indicator.DOMESTIC_FUNDS)]
    schedule = [l for l in tab.figure.axes[0].lines if to_hex(l.get_color()) == to_hex(SCHEDULE_COLOUR)]
    assert schedule[0].get_xdata()[0] == pytest.approx(0.5)
    assert "磐安县" in tab.figure.get_suptitle() and "截至2026年6月" in tab.figure.get_suptitle()


def test_pickers_change_the_chart(dashboard):
    tab = dashboard
    tab.indicator_picker.setCurrentIndex(tab.indicator_picker.findData(Indicator.SIGNED_PROJECTS))
    assert Indicator.SIGNED_PROJECTS.label in tab.figure.get_suptitle()
    tab.month_picker.setCurrentIndex(2)  # March: 序时进度 25 %
    assert "截至2026年3月" in tab.figure.get_suptitle()
    schedule = [l for l in tab.figure.axes[0].lines if to_hex(l.get_color()) == to_hex(SCHEDULE_COLOUR)]
    assert schedule[0].get_xdata()[0] == pytest.approx(0.25)
    tab.kind_picker.setCurrentIndex(tab.kind_picker.findData(ChartKind.TREND))
    assert "逐月累计" in tab.figure.get_suptitle()
    assert len(tab.figure.axes[0].patches) == 3  # January to March
    tab.kind_picker.setCurrentIndex(tab.kind_picker.findData(ChartKind.PIPELINE))
    assert tab.grouping_picker.isVisible() and not tab.indicator_picker.isEnabled()
    tab.grouping_picker.setCurrentIndex(1)
    assert "按产业" in tab.figure.get_suptitle()


def test_clicking_a_units_bar_opens_its_card(dashboard, qtbot):
    tab = dashboard
    unit = tab.figure.axes[0].get_yticklabels()[2].get_text()
    bar = unit_bars(tab)[unit]
    x, y = tab.figure.axes[0].transData.transform((bar.get_width() / 2, bar.get_y() + bar.get_height() / 2))
    ratio = tab.canvas.device_pixel_ratio
    point = QPoint(int(x / ratio), int(tab.canvas.height() - y / ratio))
    qtbot.mouseClick(tab.canvas, Qt.MouseButton.LeftButton, pos=point)
    assert tab.kind() is ChartKind.CARD
    assert tab.unit_picker.currentData() == unit
    assert tab.figure.get_suptitle().startswith(unit)
    rates_axes = tab.figure.axes[0]
    assert [t.get_text() for t in rates_axes.get_yticklabels()] == [i.label for i in Indicator]
    table = progress(tab)
    assert [p.get_width() for p in rates_axes.patches] == pytest.approx(
        [float(table.get(unit, i).rate or 0) for i in Indicator]
    )


def test_redraws_when_the_data_change(dashboard, qtbot):
    tab = dashboard
    before = progress(tab).get("冷水镇", Indicator.DOMESTIC_FUNDS)

    def add_funds(session):
        unit_id = session.scalar(select(Unit.id).where(Unit.name == "冷水镇"))
        project = session.scalars(
            select(Project).where(Project.unit_id == unit_id, Project.foreign_capital.is_(False))
        ).first()
        record = session.scalar(
            select(FundRecord).where(FundRecord.project_id == project.id, FundRecord.year == 2026,
                                     FundRecord.month == 6)
        )
        if record is None:
            session.add(FundRecord(project_id=project.id, year=2026, month=6, amount=Decimal("20000")))
        else:
            record.amount += Decimal("20000")

    with qtbot.waitSignal(tab.redrawn, timeout=10000):
        tab.context.write(add_funds)
    after = progress(tab).get("冷水镇", Indicator.DOMESTIC_FUNDS)
    assert after.rate > before.rate
    assert unit_bars(tab)["冷水镇"].get_width() == pytest.approx(float(after.rate))


def test_reload_reads_the_ledger_again(dashboard):
    tab = dashboard
    assert tab._data_cache  # the ranking's figures are kept between redraws
    key = ("progress", JUNE, Indicator.DOMESTIC_FUNDS)
    before = tab._data_cache[key]
    tab.redraw()
    assert tab._data_cache[key] is before  # same data: not read again
    assert tab.reload() and tab.last_redraw_seconds > 0
    assert tab._data_cache[key] is not before and tab._data_cache[key] == before


def test_a_hidden_tab_redraws_when_shown_again(dashboard, qtbot):
    tab = dashboard
    tab.window_.select_tab("projects")
    tab.context.write(lambda s: None)  # data_changed while hidden: nothing drawn yet
    assert tab._stale
    with qtbot.waitSignal(tab.redrawn, timeout=10000):
        tab.window_.select_tab("dashboard")
    assert not tab._stale and tab.has_chart()


def test_select_tab_draws_even_in_a_window_never_shown(demo_window):
    tab = demo_window.tab("dashboard")
    assert tab._stale and not tab.has_chart()
    demo_window.select_tab("dashboard")
    assert tab.has_chart() and len(unit_bars(tab)) == 18


def test_a_message_instead_of_a_broken_chart(dashboard):
    tab = dashboard
    tab.set_period(YearMonth(2025, 6))  # the demo has funds in 2025 but no targets
    assert not tab.has_chart()
    assert tab.stack.currentWidget() is tab.findChild(QLabel, "chartMessage")
    assert "没有2025年的目标任务" in tab.message.text()
    assert not tab.print_action.isEnabled() and not tab.export_action.isEnabled()
    tab.set_period(JUNE)
    assert tab.has_chart() and tab.print_action.isEnabled()
    tab.select(kind=ChartKind.CARD, unit=None)
    assert "请在“单位”中选择一个单位" in tab.message.text()


def test_zero_target_unit_card_is_a_message(dashboard):
    tab = dashboard

    def zero(session):
        unit_id = session.scalar(select(Unit.id).where(Unit.name == "尖山镇"))
        for target in session.scalars(select(Target).where(Target.unit_id == unit_id)):
            target.value = 0

    tab.context.write(zero)
    tab.select(kind=ChartKind.CARD, unit="尖山镇")
    assert not tab.has_chart() and "尖山镇2026年的目标任务均为0" in tab.message.text()
    tab.select(kind=ChartKind.RANKING, unit=None)
    assert to_hex(unit_bars(tab)["尖山镇"].get_facecolor()) == to_hex(STATUS_COLOURS[Status.NO_TARGET])


def test_empty_ledger_says_so(empty_window, qtbot):
    empty_window.show()
    qtbot.waitExposed(empty_window)
    tab = empty_window.select_tab("dashboard")
    assert not tab.has_chart()
    assert "目标任务" in tab.message.text()


def _pdf_text(path) -> str:
    require_tool("pdftotext")
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return "".join(text.split())  # pdftotext's spacing is its own guess


def _pdf_pages(path) -> tuple[int, str]:
    require_tool("pdfinfo")
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    fields = dict(line.split(":", 1) for line in info.splitlines() if ":" in line)
    return int(fields["Pages"]), fields["Page size"].strip()


def test_print_to_pdf_is_vector_a4_landscape_with_a_header(dashboard, tmp_path):
    tab = dashboard
    path = tab.print_to_pdf(tmp_path / "ranking.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF")
    assert b"/Subtype /Image" not in data and b"/Subtype/Image" not in data  # no screen bitmap
    assert len(data) > 20_000  # the bars and outlined labels are there as paths
    text = _pdf_text(path)
    assert "磐安县引进内资到位资金完成率排名（截至2026年6月）" in text  # the header's title
    assert "打印日期" in text and "第1/1页" in text
    pages, size = _pdf_pages(path)
    assert pages == 1 and size.startswith(("841", "842")) and "x 595" in size  # A4 landscape, points


@pytest.fixture
def small_county_window(window_on, ledger_path, qtbot):
    """测试县: targets for 甲镇, 乙乡 and 丙街道, none for 丁园区."""
    from zsdesk.store.ledger_setup import create_ledger

    ledger = create_ledger(ledger_path, "测试县", ["甲镇", "乙乡", "丙街道", "丁园区"])
    with ledger.begin() as session:
        units = dict(session.execute(select(Unit.name, Unit.id)).all())
        for name, value in (("甲镇", 3), ("乙乡", 5), ("丙街道", 2)):
            session.add(Target(unit_id=units[name], year=2026, indicator=Indicator.SIGNED_PROJECTS.value,
                               value=value))
    ledger.close()
    window = window_on(ledger_path)
    window.show()
    qtbot.waitExposed(window)
    tab = window.select_tab("dashboard")
    tab.set_period(JUNE)
    return window


def test_print_all_units_puts_one_card_per_page(small_county_window, tmp_path):
    tab = small_county_window.tab("dashboard")
    path = tab.print_to_pdf(tmp_path / "cards.pdf", all_units=True)
    assert path is not None and path.read_bytes().startswith(b"%PDF")
    assert _pdf_pages(path)[0] == 3
    text = _pdf_text(path)
    for unit in ("甲镇", "乙乡", "丙街道"):
        assert f"{unit}招商引资目标任务完成情况（截至2026年6月）" in text
    assert "丁园区招商" not in text and "第3/3页" in text
    assert "丁园区" in small_county_window.statusBar().currentMessage()  # left out: no target


def test_all_cards_of_the_demo_county(dashboard):
    job = dashboard.all_cards_job()  # building the 18 figures; printing them is tested above
    assert len(job.figures) == 18
    assert [f.get_suptitle().split(" ")[0] for f in job.figures] == progress(dashboard).units
    assert job.county == "磐安县" and "各单位" in job.title


def test_print_preview_opens_on_ctrl_p(dashboard, qtbot):
    tab = dashboard
    tab.window_.select_tab("projects")
    tab.print_action.trigger()  # from another tab: switches to the dashboard first
    dialog = tab.preview_dialog
    assert dialog is not None and dialog.objectName() == "printPreview"
    assert tab.window_.current_tab_key() == "dashboard"
    qtbot.waitUntil(dialog.isVisible, timeout=10000)
    assert "完成率排名" in dialog.windowTitle()
    qtbot.wait(50)
    assert not dialog.grab().isNull()  # painting the pages uses the printer: it must still exist
    dialog.close()  # deleted on close; the printer kept for it is let go then
    qtbot.waitUntil(lambda: tab.preview_dialog is None, timeout=10000)
    assert tab._preview_keep is None


def test_export_png_pdf_svg_and_a_bad_path(dashboard, tmp_path):
    tab = dashboard
    png = tab.export_chart(tmp_path / "排名.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf = tab.export_chart(tmp_path / "排名.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    svg = tab.export_chart(tmp_path / "排名.svg")
    assert ET.parse(svg).getroot().tag.endswith("svg")
    assert tab.export_chart(tmp_path / "missing" / "x.png") is None
    assert "输出文件夹不存在" in tab.window_.last_message_box.text()


def test_printing_to_pdf_says_where_and_prints_the_title_once(dashboard, tmp_path):
    """Issue 13, item 11: a status message names the file; the page header carries the
    title, so the chart drawn under it has none of its own."""
    import matplotlib

    from zsdesk.ui.printing import svg_of

    tab = dashboard
    path = tab.print_to_pdf(tmp_path / "ranking.pdf")
    message = tab.window_.statusBar().currentMessage()
    assert "已打印到PDF文件" in message and str(path) in message
    figure = tab.print_job().figures[0]
    title = figure.get_suptitle()
    with matplotlib.rc_context({"svg.fonttype": "none"}):  # text as <text>, so it can be counted
        svg = bytes(svg_of(figure, 11, 7)).decode("utf-8")
    assert title and title not in svg
    assert figure.get_suptitle() == title and figure._suptitle.get_visible()  # the screen keeps it
    text = _pdf_text(path)
    if text is not None:
        assert text.count("".join(title.split())) == 1
