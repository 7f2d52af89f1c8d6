"""The counting rules against a small ledger whose figures are worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest

from zsdesk.domain.enums import Indicator as I
from zsdesk.domain.enums import Stage, Status
from zsdesk.domain.periods import YearMonth
from zsdesk.domain.progress import completion_rate, compute_progress, status_of
from zsdesk.store.models import CountyTarget, FundRecord, Investor, Project, Target, Unit
from zsdesk.store.progress_query import load_progress
from sqlalchemy import select

# Issue 15: the tests that use a ledger fixture run on a SQLite file and on PostgreSQL.
pytestmark = pytest.mark.both_backends

D = Decimal
JUNE = YearMonth(2026, 6)


def _project(units, code, unit, **fields):
    defaults = dict(code=code, name=f"项目{code}", unit_id=units[unit], planned_investment=D(100))
    return Project(**{**defaults, **fields})


def _funds(project, *entries):
    project.funds = [FundRecord(year=y, month=m, amount=D(a)) for y, m, a in entries]
    return project


@pytest.fixture
def worked(ledger):
    with ledger.begin() as s:
        units = dict(s.execute(select(Unit.name, Unit.id)).all())
        s.add_all(
            [
                _funds(
                    _project(units, "P1", "甲镇", zhejiang_return=True, declared=True, planned_investment=D(8000),
                             planned_on=dt.date(2025, 11, 1), signed_on=dt.date(2026, 2, 10), stage=Stage.SIGNED.value),
                    (2025, 12, "77"), (2026, 1, "100"), (2026, 3, "250.5"), (2026, 6, "49.5"), (2026, 7, "1000"),
                ),
                _funds(
                    _project(units, "P2", "甲镇", mountain_sea=True, zhejiang_return=True, declared=False,
                             carried_over=True, planned_investment=D(3000), planned_on=dt.date(2025, 6, 1),
                             signed_on=dt.date(2025, 10, 1), construction_on=dt.date(2026, 3, 1),
                             stage=Stage.UNDER_CONSTRUCTION.value),
                    (2026, 2, "300"),
                ),
                _funds(
                    _project(units, "P3", "乙乡", foreign_capital=True, planned_investment=D(5000),
                             planned_on=dt.date(2026, 3, 1), signed_on=dt.date(2026, 6, 30)),
                    (2026, 4, "500"),
                ),
                _project(units, "P4", "乙乡", planned_on=dt.date(2026, 7, 1)),
                _funds(
                    _project(units, "P5", "丙街道", carried_over=True, planned_investment=D(20000),
                             signed_on=dt.date(2026, 1, 15)),
                    *[(2026, m, "0.1") for m in range(1, 7)],
                ),
                Investor(name="影视甲", industry="文化影视", unit_id=units["丙街道"], registered_on=dt.date(2026, 5, 1)),
                Investor(name="影视乙", industry="文化影视", unit_id=units["丙街道"], registered_on=dt.date(2025, 12, 31)),
                Investor(name="旅游丙", industry="旅游/休闲养生", unit_id=units["甲镇"], registered_on=dt.date(2026, 2, 1)),
                Investor(name="影视丁", industry="文化影视", unit_id=None, registered_on=dt.date(2026, 6, 30)),
            ]
        )
        targets = {
            ("甲镇", I.DOMESTIC_FUNDS): 800, ("甲镇", I.ZHEJIANG_RETURN_FUNDS): 400,
            ("甲镇", I.MOUNTAIN_SEA_FUNDS): 1200, ("乙乡", I.DOMESTIC_FUNDS): 100,
            ("丙街道", I.DOMESTIC_FUNDS): D("1.2"), ("丙街道", I.FILM_CULTURE_FIRMS): 1,
            ("乙乡", I.SIGNED_PROJECTS): 4,
        }
        for (unit, ind), value in targets.items():
            base = int(D(value) * 10000) if ind.measure.value == "money" else value
            s.add(Target(unit_id=units[unit], year=2026, indicator=ind.value, value=base))
        s.add(CountyTarget(year=2026, indicator=I.DOMESTIC_FUNDS.value, value=2000 * 10000))
        s.add(CountyTarget(year=2026, indicator=I.FILM_CULTURE_FIRMS.value, value=4))
    with ledger.read() as s:
        return load_progress(s, JUNE)


def test_funds_count_january_to_the_month(worked):
    # P1: 100 + 250.5 + 49.5 (not Dec 2025, not July); P2: 300; P3 is foreign.
    assert worked.get("甲镇", I.DOMESTIC_FUNDS).actual == D("700")
    assert worked.get("乙乡", I.DOMESTIC_FUNDS).actual == D(0)
    assert worked.get("丙街道", I.DOMESTIC_FUNDS).actual == D("0.6")
    assert worked.county(I.DOMESTIC_FUNDS).actual == D("700.6")


def test_zhejiang_return_needs_declaration(worked):
    assert worked.get("甲镇", I.ZHEJIANG_RETURN_FUNDS).actual == D("400")  # P2 undeclared: zero


def test_mountain_sea(worked):
    assert worked.get("甲镇", I.MOUNTAIN_SEA_FUNDS).actual == D("300")
    assert worked.get("甲镇", I.MOUNTAIN_SEA_FUNDS).rate == D("0.25")
    assert worked.get("甲镇", I.MOUNTAIN_SEA_FUNDS).status is Status.BEHIND


def test_counts(worked):
    # Signed this year: P1 (Feb), P3 (30 June, the last day counts), P5 (carried over).
    assert worked.get("甲镇", I.SIGNED_PROJECTS).actual == 1
    assert worked.get("乙乡", I.SIGNED_PROJECTS).actual == 1
    assert worked.get("丙街道", I.SIGNED_PROJECTS).actual == 1
    # Major: signed this year, not carried over, planned ≥ 5000: P1 and P3 (exactly 5000).
    assert worked.get("甲镇", I.MAJOR_PROJECTS).actual == 1
    assert worked.get("乙乡", I.MAJOR_PROJECTS).actual == 1
    assert worked.get("丙街道", I.MAJOR_PROJECTS).actual == 0
    # Planned this year up to June: P3 only (P4 is July, P1/P2 last year).
    assert worked.county(I.PLANNED_PROJECTS).actual == 1
    # Film firms registered this year: 影视甲 (丙街道) and 影视丁 (no unit, county only).
    assert worked.get("丙街道", I.FILM_CULTURE_FIRMS).actual == 1
    assert worked.county(I.FILM_CULTURE_FIRMS).actual == 2
    assert worked.county(I.FILM_CULTURE_FIRMS).rate == D("0.5")


def test_rates_status_and_schedule(worked):
    row = worked.get("甲镇", I.DOMESTIC_FUNDS)
    assert (row.target, row.rate, row.schedule) == (D(800), D("0.875"), D("0.5"))
    assert row.status is Status.AHEAD
    assert worked.get("甲镇", I.ZHEJIANG_RETURN_FUNDS).status is Status.DONE
    assert worked.get("乙乡", I.DOMESTIC_FUNDS).status is Status.NOTHING
    assert worked.get("丁园区", I.DOMESTIC_FUNDS).status is Status.NO_TARGET
    assert worked.county(I.DOMESTIC_FUNDS).rate == D("0.350300")  # 700.6 / 2000, not the units' sum
    assert worked.county(I.MAJOR_PROJECTS).target is None


def test_ranking(worked):
    ranking = worked.ranking(I.DOMESTIC_FUNDS)
    # 甲镇 700/800 = 87.5 %, 丙街道 0.6/1.2 = 50 %, 乙乡 0 %; 丁园区 has no target.
    assert [(r.unit, r.rank) for r in ranking] == [("甲镇", 1), ("丙街道", 2), ("乙乡", 3)]


def test_unit_filter_keeps_county_rows(ledger, worked):
    with ledger.read() as s:
        table = load_progress(s, JUNE, unit="乙乡")
    assert {r.unit for r in table.rows} == {"乙乡", None}
    assert table.get("乙乡", I.DOMESTIC_FUNDS).rank == 3


def test_ties_share_a_rank():
    units = ["a", "b", "c", "d"]
    actual = {("a", I.SIGNED_PROJECTS): 2, ("b", I.SIGNED_PROJECTS): 1, ("c", I.SIGNED_PROJECTS): 1}
    targets = {("a", I.SIGNED_PROJECTS): 4, ("b", I.SIGNED_PROJECTS): 1, ("c", I.SIGNED_PROJECTS): 1,
               ("d", I.SIGNED_PROJECTS): 2}
    table = compute_progress(YearMonth(2026, 3), units, actual, {}, targets, {}, [I.SIGNED_PROJECTS])
    assert [(r.unit, r.rank) for r in table.ranking(I.SIGNED_PROJECTS)] == [("b", 1), ("c", 1), ("a", 3), ("d", 4)]
    assert table.schedule == D(3) / D(12)


@pytest.mark.parametrize(
    "actual, target, month, status",
    [(0, 5, 6, Status.NOTHING), (5, 5, 1, Status.DONE), (3, 6, 6, Status.AHEAD), (2, 6, 7, Status.BEHIND),
     (3, 0, 6, Status.NO_TARGET), (3, None, 6, Status.NO_TARGET)],
)
def test_status(actual, target, month, status):
    rate = completion_rate(actual, target)
    assert status_of(actual, rate, D(month) / 12) is status
