"""load_progress reads all indicators in one query per subject (a speed fix from bench/):
it must give exactly what each indicator's own grouped query gives."""

from __future__ import annotations

import pytest

from zsdesk.domain.enums import Indicator
from zsdesk.domain.periods import YearMonth
from zsdesk.store.progress_query import _grouped_actuals, actuals_by_unit, load_progress

# Issue 15: the tests that use a ledger fixture run on a SQLite file and on PostgreSQL.
pytestmark = pytest.mark.both_backends


def _nonzero(by_unit: dict) -> dict:
    return {unit: value for unit, value in by_unit.items() if value}


@pytest.mark.parametrize("period", [YearMonth(2025, 1), YearMonth(2025, 12), YearMonth(2026, 3), YearMonth(2026, 6)])
def test_one_pass_equals_one_query_per_indicator(demo_ledger, period):
    with demo_ledger.read() as session:
        grouped = _grouped_actuals(session, tuple(Indicator), period)
        for indicator in Indicator:
            assert grouped[indicator] == _nonzero(actuals_by_unit(session, indicator, period)), indicator
        assert any(grouped[indicator] for indicator in Indicator)


def test_a_subset_of_indicators(demo_ledger, period):
    chosen = (Indicator.MOUNTAIN_SEA_FUNDS, Indicator.SIGNED_PROJECTS)
    with demo_ledger.read() as session:
        table = load_progress(session, period, indicators=chosen)
        everything = load_progress(session, period)
    assert {row.indicator for row in table.rows} == set(chosen)
    for row in table.rows:
        assert row == everything.get(row.unit, row.indicator)
