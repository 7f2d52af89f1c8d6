"""Chart labels never collide (issue 13, item 11): the 序时 and 100% labels in every
month (November: 序时 92 % beside 100 %; December: one line), and value labels against
the lines — measured on the text bounding boxes Matplotlib draws."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

from zsdesk.charts.card import card_figure
from zsdesk.charts.ranking import ranking_figure
from zsdesk.domain.enums import Indicator
from zsdesk.domain.periods import YearMonth
from zsdesk.store.chart_data import BY_UNIT, stage_counts
from zsdesk.store.progress_query import load_progress

UNIT = "云山旅游度假区"


def rendered(figure):
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return canvas.get_renderer()


def line_labels(axes):
    return [t for t in axes.texts if t.get_gid() in ("full_label", "schedule_label")]


def figures(ledger, month):
    period = YearMonth(2026, month)
    with ledger.read() as session:
        table = load_progress(session, period)
        stages = stage_counts(session, period, BY_UNIT, UNIT)
    return [
        ranking_figure(table, Indicator.DOMESTIC_FUNDS, "磐安县"),
        ranking_figure(table, Indicator.SIGNED_PROJECTS, "磐安县"),
        card_figure(table, UNIT, stages, "磐安县"),
    ]


@pytest.mark.parametrize("month", [1, 6, 10, 11, 12])
def test_schedule_and_full_labels_never_overlap(demo_ledger, month):
    for figure in figures(demo_ledger, month):
        axes = figure.axes[0]
        renderer = rendered(figure)
        labels = line_labels(axes)
        boxes = [t.get_window_extent(renderer) for t in labels]
        if month == 12:
            assert [t.get_text() for t in labels] == ["100%（序时 100%）"]
            continue
        full, schedule = sorted(labels, key=lambda t: t.get_gid())
        assert full.get_text() == "100%" and schedule.get_text().startswith("序时 ")
        a, b = boxes
        assert not a.overlaps(b), (month, [t.get_text() for t in labels], a, b)
        # and each stays beside its own line: 序时 ends left of its line, 100% starts right of 1.0
        to_display = axes.transData.transform
        schedule_x = to_display((month / 12, 0))[0]
        full_x = to_display((1.0, 0))[0]
        assert schedule.get_window_extent(renderer).x1 <= schedule_x + 0.5
        assert full.get_window_extent(renderer).x0 >= full_x - 0.5


@pytest.mark.parametrize("month", [6, 11])
def test_value_labels_crossed_by_a_line_sit_on_a_box_above_it(demo_ledger, month):
    crossed = 0
    for figure in figures(demo_ledger, month):
        axes = figure.axes[0]
        renderer = rendered(figure)
        lines = [line for line in axes.lines if line.get_gid() in ("full", "schedule")]
        xs = [axes.transData.transform((line.get_xdata()[0], 0))[0] for line in lines]
        values = [t for t in axes.texts if t.get_gid() is None and t.get_text()]
        assert values
        for text in values:
            box = text.get_window_extent(renderer)
            for x, line in zip(xs, lines):
                if box.x0 <= x <= box.x1:
                    crossed += 1
                    patch = text.get_bbox_patch()
                    assert patch is not None, text.get_text()
                    assert patch.get_facecolor()[:3] == (1.0, 1.0, 1.0)
                    assert text.get_zorder() > line.get_zorder()
    assert crossed, "the demo has labels that lines cross: the test looks at them"
