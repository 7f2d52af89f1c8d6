"""Chart builders: what the figures show (bar lengths, order, colours, lines, labels),
the month-by-month and by-stage queries behind them, and every refusal in Chinese."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
import textwrap
import warnings
from decimal import Decimal
from pathlib import Path

import pytest
from matplotlib.colors import to_hex
from sqlalchemy import select

from zsdesk.charts.build import ChartKind, ChartRequest, NothingToChart, build_chart, parse_indicator, unit_cards
from zsdesk.charts.card import card_figure
from zsdesk.charts.common import (
    RATE_ATTRIBUTE,
    RATE_CLIP,
    SCHEDULE_COLOUR,
    STAGE_COLOURS,
    STATUS_COLOURS,
    measure_unit,
)
from zsdesk.charts.export import ExportError, save_figure, save_pdf_pages
from zsdesk.charts.pipeline import GROUP_ATTRIBUTE, STAGE_ATTRIBUTE, pipeline_figure
from zsdesk.charts.ranking import UNIT_ATTRIBUTE, ranking_figure
from zsdesk.charts.trend import trend_figure
from zsdesk.domain.enums import Indicator, Stage, Status
from zsdesk.domain.money import format_percent
from zsdesk.domain.periods import YearMonth
from zsdesk.domain.progress import compute_progress
from zsdesk.errors import InputError
from zsdesk.store.chart_data import (
    BY_INDUSTRY,
    BY_UNIT,
    CHART_STAGES,
    NO_INDUSTRY,
    cumulative_series,
    monthly_actuals,
    stage_counts,
)
from zsdesk.store.models import FundRecord, Project, Target, Unit
from zsdesk.store.progress_query import load_progress
from tests.tools import require_tool

ROOT = Path(__file__).resolve().parents[1]
D = Decimal


def bars_of(axes):
    return [p for p in axes.patches if hasattr(p, UNIT_ATTRIBUTE)]


def line_at(axes, colour):
    return [line for line in axes.lines if to_hex(line.get_color()) == to_hex(colour)]


def texts(figure) -> str:
    return "\n".join(t.get_text() for t in figure.findobj(lambda a: hasattr(a, "get_text")))


# ----------------------------------------------------------------- ranking


@pytest.fixture
def demo_table(demo_ledger, period):
    with demo_ledger.read() as session:
        return load_progress(session, period)


@pytest.mark.parametrize("indicator", list(Indicator))
def test_ranking_bars_are_the_computed_rates_sorted(demo_table, indicator):
    figure = ranking_figure(demo_table, indicator, "磐安县")
    axes = figure.axes[0]
    bars = bars_of(axes)
    ranked = demo_table.ranking(indicator)
    shown = [getattr(b, UNIT_ATTRIBUTE) for b in bars]
    assert shown[: len(ranked)] == [r.unit for r in ranked]
    assert sorted(shown) == sorted(demo_table.units)  # every unit once
    widths = [b.get_width() for b in bars]
    for bar, unit in zip(bars, shown):
        row = demo_table.get(unit, indicator)
        assert bar.get_width() == pytest.approx(float(row.rate or 0), abs=1e-12)
        assert to_hex(bar.get_facecolor()) == to_hex(STATUS_COLOURS[row.status])
    ranked_widths = widths[: len(ranked)]
    assert ranked_widths == sorted(ranked_widths, reverse=True)
    # rank 1 at the top: the y axis is inverted and the first bar has the smallest y
    assert axes.yaxis_inverted()
    assert [b.get_y() for b in bars] == sorted(b.get_y() for b in bars)
    assert [t.get_text() for t in axes.get_yticklabels()] == shown


def test_ranking_labels_percentages_and_title(demo_table, period):
    indicator = Indicator.ZHEJIANG_RETURN_FUNDS
    figure = ranking_figure(demo_table, indicator, "磐安县")
    title = figure.get_suptitle()
    assert "磐安县" in title and indicator.label in title and "截至2026年6月" in title
    shown = texts(figure)
    for row in demo_table.ranking(indicator):
        assert format_percent(row.rate, 1) in shown  # rounded half up: 112.45% → 112.5%
    assert "无实绩" in shown  # 冷水镇: a target, nothing arrived
    assert "完成率（%）" in figure.axes[0].get_xlabel()
    assert "亿元" in shown  # the county's 1.20 / 6.00 亿元


@pytest.mark.parametrize("month", [1, 3, 6, 9, 12])
def test_schedule_line_stands_at_month_over_twelve(demo_ledger, month):
    with demo_ledger.read() as session:
        table = load_progress(session, YearMonth(2026, month))
    axes = ranking_figure(table, Indicator.DOMESTIC_FUNDS, "磐安县").axes[0]
    (schedule,) = line_at(axes, SCHEDULE_COLOUR)
    assert list(schedule.get_xdata()) == pytest.approx([month / 12, month / 12], abs=1e-12)
    assert schedule.get_gid() == "schedule"
    full = [line for line in axes.lines if line.get_gid() == "full"]
    assert [list(line.get_xdata()) for line in full] == [[1.0, 1.0]]


def test_ranking_colours_follow_every_status():
    period = YearMonth(2026, 6)
    units = ["喆镇", "堃乡", "丙街道", "丁园区", "戊局"]
    i = Indicator.SIGNED_PROJECTS
    table = compute_progress(
        period,
        units,
        {("喆镇", i): 12, ("堃乡", i): 6, ("丙街道", i): 2, ("戊局", i): 3},
        {i: 23},
        {("喆镇", i): 10, ("堃乡", i): 10, ("丙街道", i): 10, ("丁园区", i): 10},
        {i: 40},
        indicators=[i],
    )
    figure = ranking_figure(table, i, "测试县", highlight="堃乡")
    axes = figure.axes[0]
    bars = bars_of(axes)
    expected = {
        "喆镇": Status.DONE,
        "堃乡": Status.AHEAD,
        "丙街道": Status.BEHIND,
        "丁园区": Status.NOTHING,
        "戊局": Status.NO_TARGET,
    }
    assert [getattr(b, UNIT_ATTRIBUTE) for b in bars] == list(expected)
    for bar in bars:
        assert to_hex(bar.get_facecolor()) == to_hex(STATUS_COLOURS[expected[getattr(bar, UNIT_ATTRIBUTE)]])
    assert [b.get_width() for b in bars] == pytest.approx([1.2, 0.6, 0.2, 0.0, 0.0])
    labels = {t.get_text(): t for t in axes.get_yticklabels()}
    assert labels["堃乡"].get_fontweight() == "bold"
    assert to_hex(labels["戊局"].get_color()) == to_hex(STATUS_COLOURS[Status.NO_TARGET])
    shown = texts(figure)
    assert "无任务" in shown and "无实绩" in shown and "120.0%" in shown
    legend = [t.get_text() for t in axes.get_legend().get_texts()]
    assert legend == [s.label for s in expected.values()]


def test_rates_above_300_percent_are_cut_and_labelled():
    period = YearMonth(2026, 6)
    i = Indicator.ZHEJIANG_RETURN_FUNDS
    units = ["甲镇", "乙乡", "丙街道"]
    table = compute_progress(
        period, units,
        {("甲镇", i): D("30668.7"), ("乙乡", i): D("1.5"), ("丙街道", i): D("4")},
        {i: D("30674.2")},
        {("甲镇", i): D("100"), ("乙乡", i): D("1"), ("丙街道", i): D("10")},
        {i: D("111")},
        indicators=[i],
    )
    figure = ranking_figure(table, i, "测试县")
    axes = figure.axes[0]
    bars = bars_of(axes)
    assert [getattr(b, UNIT_ATTRIBUTE) for b in bars] == ["甲镇", "乙乡", "丙街道"]
    assert [b.get_width() for b in bars] == pytest.approx([RATE_CLIP, 1.5, 0.4])
    assert [getattr(b, RATE_ATTRIBUTE) for b in bars] == pytest.approx([306.687, 1.5, 0.4])
    assert len([line for line in axes.lines if line.get_gid() == "break"]) == 2  # one bar, two strokes
    shown = texts(figure)
    assert "30668.7%" in shown and "截断" in shown
    assert axes.get_xlim()[1] < RATE_CLIP * 1.2  # the other bars keep their length


# ----------------------------------------------------------------- trend


@pytest.mark.parametrize("indicator", list(Indicator))
def test_cumulative_series_ends_at_the_progress_table(demo_ledger, demo_table, period, indicator):
    with demo_ledger.read() as session:
        county = cumulative_series(session, indicator, period)
        unit = cumulative_series(session, indicator, period, "安文街道")
    assert county.actual == demo_table.county(indicator).actual
    assert county.target == demo_table.county(indicator).target
    assert unit.actual == demo_table.get("安文街道", indicator).actual
    assert unit.target == demo_table.get("安文街道", indicator).target
    assert len(county.cumulative) == period.month
    assert all(a <= b for a, b in zip(county.cumulative, county.cumulative[1:]))
    assert sum(county.monthly, type(county.actual)(0)) == county.actual


def test_monthly_actuals_by_hand(ledger):
    with ledger.begin() as session:
        units = dict(session.execute(select(Unit.name, Unit.id)).all())
        p = Project(code="T1", name="测试一", unit_id=units["甲镇"], planned_investment=D(100),
                    signed_on=dt.date(2026, 3, 9))
        p.funds = [FundRecord(year=y, month=m, amount=D(a)) for y, m, a in
                   [(2025, 12, "5"), (2026, 1, "1.5"), (2026, 3, "2"), (2026, 7, "9")]]
        q = Project(code="T2", name="测试二", unit_id=units["乙乡"], planned_investment=D(100),
                    signed_on=dt.date(2026, 3, 31), foreign_capital=True)
        q.funds = [FundRecord(year=2026, month=3, amount=D("100"))]
        session.add_all([p, q])
    with ledger.read() as session:
        june = YearMonth(2026, 6)
        assert monthly_actuals(session, Indicator.DOMESTIC_FUNDS, june) == {1: D("1.5"), 3: D("2")}
        assert monthly_actuals(session, Indicator.SIGNED_PROJECTS, june) == {3: 2}
        assert monthly_actuals(session, Indicator.SIGNED_PROJECTS, june, "乙乡") == {3: 1}
        series = cumulative_series(session, Indicator.DOMESTIC_FUNDS, june)
    assert series.cumulative == [D("1.5"), D("1.5"), D("3.5"), D("3.5"), D("3.5"), D("3.5")]
    assert series.target is None


def test_trend_bars_schedule_and_target(demo_ledger, period):
    indicator = Indicator.DOMESTIC_FUNDS
    with demo_ledger.read() as session:
        series = cumulative_series(session, indicator, period)
    figure = trend_figure(series, "磐安县")
    axes = figure.axes[0]
    unit = measure_unit(indicator, [series.target, *series.cumulative])
    assert unit == "亿元" and "亿元" in axes.get_ylabel()
    heights = [b.get_height() for b in axes.patches]
    assert heights == pytest.approx([float(v / 10000) for v in series.cumulative])
    (schedule,) = line_at(axes, SCHEDULE_COLOUR)
    target = float(series.target / 10000)
    assert list(schedule.get_xdata()) == list(range(1, 13))
    assert list(schedule.get_ydata()) == pytest.approx([target * m / 12 for m in range(1, 13)])
    levels = [line for line in axes.lines if line is not schedule]
    assert [list(line.get_ydata()) for line in levels] == [pytest.approx([target, target])]
    title = figure.get_suptitle()
    assert "磐安县" in title and indicator.label in title and "截至2026年6月" in title
    assert f"{series.actual / 10000:.2f}" in texts(figure)  # 7.03


def test_trend_of_counts_is_in_units_of_个(demo_ledger, period):
    with demo_ledger.read() as session:
        series = cumulative_series(session, Indicator.SIGNED_PROJECTS, period, "安文街道")
    axes = trend_figure(series, "安文街道").axes[0]
    assert "（个）" in axes.get_ylabel()
    assert [b.get_height() for b in axes.patches] == [float(v) for v in series.cumulative]


# ----------------------------------------------------------------- stages, card, pipeline


def _stage_by_hand(project: Project, day: dt.date) -> Stage | None:
    order = [Stage.TERMINATED, Stage.SUSPENDED, Stage.IN_OPERATION, Stage.UNDER_CONSTRUCTION,
             Stage.LANDED, Stage.SIGNED, Stage.NEGOTIATING, Stage.PLANNED]
    for stage in order:
        reached = project.stage_date(stage)
        if reached is not None and reached <= day:
            if stage in (Stage.IN_OPERATION, Stage.TERMINATED) and reached.year < day.year:
                return None  # finished business of an earlier year
            return stage
    return None


@pytest.mark.parametrize("month", [YearMonth(2026, 6), YearMonth(2026, 2), YearMonth(2025, 9)])
def test_stage_counts_match_the_stage_dates(demo_ledger, month):
    with demo_ledger.read() as session:
        counts = stage_counts(session, month, BY_UNIT)
        by_industry = stage_counts(session, month, BY_INDUSTRY)
        expected_unit: dict = {}
        expected_industry: dict = {}
        for project in session.scalars(select(Project)):
            stage = _stage_by_hand(project, month.last_day)
            if stage is not None:
                key = (project.unit.name, stage)
                expected_unit[key] = expected_unit.get(key, 0) + 1
                key = (project.industry or NO_INDUSTRY, stage)
                expected_industry[key] = expected_industry.get(key, 0) + 1
    assert counts.counts == expected_unit
    assert by_industry.counts == expected_industry
    assert counts.total == sum(expected_unit.values()) > 0


def test_project_without_dates_counts_at_its_stage(ledger, period):
    with ledger.begin() as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.name == "甲镇"))
        session.add(Project(code="X1", name="无日期", unit_id=unit_id, stage=Stage.SIGNED.value,
                            created_at=dt.datetime(2026, 5, 3, 10, 0)))
        session.add(Project(code="X2", name="七月录入", unit_id=unit_id, stage=Stage.SIGNED.value,
                            created_at=dt.datetime(2026, 7, 1, 9, 0)))
    with ledger.read() as session:
        counts = stage_counts(session, period, BY_INDUSTRY, "甲镇")
    assert counts.counts == {(NO_INDUSTRY, Stage.SIGNED): 1}


def test_card_shows_every_indicator_and_projects_by_stage(demo_ledger, demo_table, period):
    unit = "云山旅游度假区"
    with demo_ledger.read() as session:
        stages = stage_counts(session, period, BY_UNIT, unit)
    figure = card_figure(demo_table, unit, stages, "磐安县")
    rates_axes, stage_axes = figure.axes
    rows = demo_table.for_unit(unit)
    assert [t.get_text() for t in rates_axes.get_yticklabels()] == [r.indicator.label for r in rows]
    assert [p.get_width() for p in rates_axes.patches] == pytest.approx([float(r.rate or 0) for r in rows])
    for patch, row in zip(rates_axes.patches, rows):
        assert to_hex(patch.get_facecolor()) == to_hex(STATUS_COLOURS[row.status])
    (schedule,) = line_at(rates_axes, SCHEDULE_COLOUR)
    assert schedule.get_xdata()[0] == pytest.approx(0.5)
    assert [t.get_text() for t in stage_axes.get_xticklabels()] == [s.label for s in CHART_STAGES]
    assert [p.get_height() for p in stage_axes.patches] == [stages.count(unit, s) for s in CHART_STAGES]
    shown = texts(figure)
    ranked = len(demo_table.ranking(Indicator.DOMESTIC_FUNDS))
    domestic = demo_table.get(unit, Indicator.DOMESTIC_FUNDS)
    assert f"第{domestic.rank}名/{ranked}" in shown
    assert unit in figure.get_suptitle() and "截至2026年6月" in figure.get_suptitle()
    assert "项目数（个）" in stage_axes.get_ylabel()


def test_pipeline_stacks_are_the_stage_counts(demo_ledger, period):
    with demo_ledger.read() as session:
        stages = stage_counts(session, period, BY_UNIT)
    figure = pipeline_figure(stages, "磐安县")
    axes = figure.axes[0]
    assert [t.get_text() for t in axes.get_yticklabels()] == stages.groups
    segments = [p for p in axes.patches if hasattr(p, STAGE_ATTRIBUTE)]
    assert len(segments) == len(stages.groups) * len(CHART_STAGES)
    for patch in segments:
        group, stage = getattr(patch, GROUP_ATTRIBUTE), getattr(patch, STAGE_ATTRIBUTE)
        assert patch.get_width() == stages.count(group, stage)
        assert to_hex(patch.get_facecolor()) == to_hex(STAGE_COLOURS[stage])
    ends = {}
    for patch in segments:
        group = getattr(patch, GROUP_ATTRIBUTE)
        ends[group] = max(ends.get(group, 0), patch.get_x() + patch.get_width())
    assert ends == {g: stages.group_total(g) for g in stages.groups}
    assert "按单位" in figure.get_suptitle() and "截至2026年6月" in figure.get_suptitle()
    assert axes.get_xlabel() == "项目数（个）"


# ----------------------------------------------------------------- build: requests and refusals


@pytest.mark.parametrize("kind", list(ChartKind))
def test_every_kind_builds_from_a_request(demo_ledger, period, kind):
    request = ChartRequest(kind, period, Indicator.MOUNTAIN_SEA_FUNDS, unit="尖山镇" if kind is ChartKind.CARD else None)
    with demo_ledger.read() as session:
        figure = build_chart(session, request)
    assert "截至2026年6月" in figure.get_suptitle()
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        figure.savefig(buffer, format="png", dpi=40)
    assert buffer.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_indicator_and_unit_are_refused_in_chinese(demo_ledger, period):
    with pytest.raises(InputError, match="未知的指标“nope”"):
        parse_indicator("nope")
    assert parse_indicator("签约项目") is Indicator.SIGNED_PROJECTS
    with demo_ledger.read() as session, pytest.raises(InputError, match="未知的单位“火星镇”"):
        build_chart(session, ChartRequest(ChartKind.CARD, period, unit="火星镇"))
    with demo_ledger.read() as session, pytest.raises(InputError, match="需要指定单位"):
        build_chart(session, ChartRequest(ChartKind.CARD, period))


def test_a_year_without_targets_is_nothing_to_chart(demo_ledger):
    before = YearMonth(2025, 6)
    for kind in (ChartKind.RANKING, ChartKind.TREND):
        with demo_ledger.read() as session, pytest.raises(NothingToChart, match="没有2025年的目标任务") as caught:
            build_chart(session, ChartRequest(kind, before))
        assert caught.value.exit_status == 1
    with demo_ledger.read() as session:  # projects need no target
        assert build_chart(session, ChartRequest(ChartKind.PIPELINE, before)).get_suptitle()


def test_a_zero_target_is_nothing_to_chart(demo_ledger, period):
    with demo_ledger.begin() as session:
        unit_id = session.scalar(select(Unit.id).where(Unit.name == "玉山镇"))
        for target in session.scalars(select(Target).where(Target.unit_id == unit_id)):
            target.value = 0
    with demo_ledger.read() as session:
        with pytest.raises(NothingToChart, match="玉山镇2026年“引进内资到位资金”的目标任务为0"):
            build_chart(session, ChartRequest(ChartKind.TREND, period, unit="玉山镇"))
        with pytest.raises(NothingToChart, match="玉山镇2026年的目标任务均为0"):
            build_chart(session, ChartRequest(ChartKind.CARD, period, unit="玉山镇"))
        ranking = build_chart(session, ChartRequest(ChartKind.RANKING, period))
        cards, skipped = unit_cards(session, period)
    bars = {getattr(b, UNIT_ATTRIBUTE): b for b in bars_of(ranking.axes[0])}
    assert to_hex(bars["玉山镇"].get_facecolor()) == to_hex(STATUS_COLOURS[Status.NO_TARGET])
    assert skipped == ["玉山镇"] and len(cards) == 17
    assert "玉山镇" not in [unit for unit, _ in cards]


def test_empty_ledger_has_no_projects_to_chart(ledger, period):
    with ledger.read() as session, pytest.raises(NothingToChart, match="没有在手项目"):
        build_chart(session, ChartRequest(ChartKind.PIPELINE, period))


def test_save_refuses_bad_paths_in_chinese(demo_table, tmp_path):
    figure = ranking_figure(demo_table, Indicator.DOMESTIC_FUNDS, "磐安县")
    with pytest.raises(ExportError, match="不支持的输出格式"):
        save_figure(figure, tmp_path / "chart.jpg")
    with pytest.raises(ExportError, match="输出文件夹不存在"):
        save_figure(figure, tmp_path / "missing" / "chart.png")
    (tmp_path / "folder.png").mkdir()
    with pytest.raises(ExportError, match="是一个文件夹"):
        save_figure(figure, tmp_path / "folder.png")
    with pytest.raises(ExportError, match="无法写入文件|没有写入权限"):  # even root cannot create files there
        save_figure(figure, Path("/proc/zsdesk-chart.png"))
    if os.geteuid() != 0:  # root may write anywhere
        locked = tmp_path / "locked"
        locked.mkdir(mode=0o500)
        with pytest.raises(ExportError, match="没有写入权限"):
            save_figure(figure, locked / "chart.png")


def test_all_unit_cards_in_one_pdf(demo_ledger, period, tmp_path):
    with demo_ledger.read() as session:
        cards, skipped = unit_cards(session, period)
    assert skipped == [] and len(cards) == 18
    path = save_pdf_pages([figure for _, figure in cards[:3]], tmp_path / "cards.pdf", "各单位卡片")
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(b"/Type /Page ") >= 3


# ----------------------------------------------------------------- GBK names, no system font

HIDDEN_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig><cachedir>{cache}</cachedir></fontconfig>
"""

GBK_SCRIPT = """
import json, logging, os, sys, warnings
import matplotlib
from matplotlib import font_manager

# Matplotlib scans the usual font folders itself: keep only its own fonts (DejaVu),
# so that no Chinese system font (fonts-noto-cjk) can stand in for ours.
data = os.path.realpath(matplotlib.get_data_path())
fm = font_manager.fontManager
fm.ttflist = [f for f in fm.ttflist if os.path.realpath(f.fname).startswith(data)]
fm.afmlist = []
for cached in (getattr(fm, "_findfont_cached", None), getattr(font_manager, "_get_font", None)):
    getattr(cached, "cache_clear", lambda: None)()
if sys.argv[2] == "control":  # what would happen without the bundled font
    import zsdesk.charts.fonts as fonts
    fonts.register_fonts = lambda: None
    import zsdesk.charts.common as common, zsdesk.charts.export as export
    common.register_fonts = export.register_fonts = lambda: None

logs = []
class Handler(logging.Handler):
    def emit(self, record):
        logs.append(record.getMessage())
logging.getLogger("matplotlib").addHandler(Handler(logging.WARNING))

from zsdesk.cli.main import main
out = sys.argv[1]
codes, caught_messages = [], []
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    for kind, unit, suffix in [("ranking", None, "png"), ("ranking", "喆镇", "pdf"), ("card", "堃乡", "svg"),
                               ("pipeline", None, "png"), ("trend", "喆镇", "pdf")]:
        args = ["chart", "--db", sys.argv[3], "--month", "2026-06", "--kind", kind,
                "--indicator", "signed_projects", "--out", f"{out}/{kind}-{unit}.{suffix}"]
        codes.append(main(args + (["--unit", unit] if unit else [])))
print(json.dumps({"codes": codes, "warnings": [str(w.message) for w in caught], "logs": logs,
                  "families": sorted({f.name for f in fm.ttflist})}))
"""


@pytest.fixture
def gbk_ledger(tmp_path):
    from zsdesk.store.ledger_setup import create_ledger

    path = tmp_path / "gbk.sqlite"
    ledger = create_ledger(path, "堃喆县", ["喆镇", "堃乡", "赟街道"])
    with ledger.begin() as session:
        units = dict(session.execute(select(Unit.name, Unit.id)).all())
        for n, (unit, target) in enumerate([("喆镇", 4), ("堃乡", 3), ("赟街道", 2)]):
            session.add(Target(unit_id=units[unit], year=2026, indicator=Indicator.SIGNED_PROJECTS.value, value=target))
            for k in range(n + 1):
                session.add(Project(code=f"G{n}{k}", name=f"喆堃项目{n}{k}", unit_id=units[unit], industry="文化影视",
                                    planned_on=dt.date(2026, 1, 5), signed_on=dt.date(2026, 2 + k, 9),
                                    stage=Stage.SIGNED.value))
    ledger.close()
    return path


def _run_hidden(tmp_path, mode: str, db: Path) -> dict:
    conf = tmp_path / "fonts.conf"
    conf.write_text(HIDDEN_FONTCONFIG.format(cache=tmp_path / "fc-cache"), encoding="utf-8")
    out = tmp_path / mode
    out.mkdir()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "FONTCONFIG_FILE": str(conf),
        "FONTCONFIG_PATH": str(tmp_path),
        "MPLCONFIGDIR": str(tmp_path / f"mpl-{mode}"),  # a fresh Matplotlib font cache
        "MPLBACKEND": "Agg",
    }
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(GBK_SCRIPT), str(out), mode, str(db)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["out"] = out
    return result


def test_gbk_only_names_render_without_a_chinese_system_font(tmp_path, gbk_ledger):
    control = _run_hidden(tmp_path, "control", gbk_ledger)
    assert not any("CJK" in f or "Noto" in f for f in control["families"]), control["families"]
    assert any("missing from font" in w for w in control["warnings"]), control  # the test can fail

    result = _run_hidden(tmp_path, "bundled", gbk_ledger)
    assert result["codes"] == [0, 0, 0, 0, 0]
    assert result["warnings"] == [] and result["logs"] == []
    out = result["out"]
    png = (out / "ranking-None.png").read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert png != (control["out"] / "ranking-None.png").read_bytes()
    pdf = (out / "ranking-喆镇.pdf").read_bytes()
    assert b"NotoSansSCGBK" in pdf and b"DejaVu" not in pdf
    require_tool("pdftotext")  # the names are real text, not shapes
    text = subprocess.run(["pdftotext", str(out / "ranking-喆镇.pdf"), "-"], capture_output=True, text=True, check=True)
    assert "喆镇" in text.stdout and "堃乡" in text.stdout and "堃喆县" in text.stdout
