"""The demo county of the month under way holds nothing after today.

``zsdesk demo`` writes the county up to the current month; its records were spread up to
the month's last day, so a demo made on 29 November held projects planned and visits made
on the 30th — and the demo's own checks (审核) showed the clerk an error the demo made:
阶段日期在今天之后. The data now ends today while the month is under way.
"""

from __future__ import annotations

import datetime as dt

import pytest

from zsdesk.domain.periods import YearMonth
from zsdesk.store.checks_query import run_checks
from zsdesk.store.demo import build_demo, data_end, write_demo

MID_MONTH = dt.date(2026, 11, 29)
NOVEMBER = YearMonth(2026, 11)
FUTURE_RULES = {"stage_date_future", "visit_in_future", "investor_registered_future", "future_funds"}


def _days(built) -> list[str]:
    days = []
    for p in built.projects:
        days += [v for k, v in p.items() if k.endswith("_on") and v]
    days += [f["date"] for f in built.follow_ups] + [v["date"] for v in built.visits] + [e["date"] for e in built.events]
    days += [i["registered_on"] for i in built.investors if i.get("registered_on")]
    return [d if isinstance(d, str) else d.isoformat() for d in days]


def test_the_month_under_way_ends_today():
    assert data_end(NOVEMBER, MID_MONTH) == MID_MONTH
    assert data_end(NOVEMBER, dt.date(2026, 11, 30)) == dt.date(2026, 11, 30)
    assert data_end(YearMonth(2026, 6), MID_MONTH) == dt.date(2026, 6, 30)  # a past month: whole
    days = _days(build_demo(NOVEMBER, "small", today=MID_MONTH))
    assert days and max(days) <= MID_MONTH.isoformat()
    # without the bound the same demo would reach the 30th: the test could fail
    assert max(_days(build_demo(NOVEMBER, "small", today=dt.date(2026, 11, 30)))) == "2026-11-30"


def test_a_past_months_demo_is_the_same_whatever_the_day():
    june = YearMonth(2026, 6)
    assert _days(build_demo(june, "small", today=MID_MONTH)) == _days(build_demo(june, "small", today=dt.date(2027, 3, 1)))


@pytest.mark.parametrize("today", [MID_MONTH, dt.date(2026, 11, 1)])
def test_the_demos_own_checks_find_nothing_in_the_future(tmp_path, today):
    ledger = write_demo(tmp_path / "demo.sqlite", NOVEMBER, "small", today=today)
    try:
        with ledger.read() as session:
            findings = run_checks(session, today=today)
    finally:
        ledger.close()
    assert findings  # the demo shows the checks at work (hints, warnings) ...
    assert not [f.message for f in findings if f.rule in FUTURE_RULES]  # ... but no day after today
