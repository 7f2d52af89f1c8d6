"""Property: awkward text and exact amounts survive export and import unchanged."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from returns_support import TODAY
from zsdesk.cellwriter import cell_text
from zsdesk.domain.enums import EventKind, InvestorType, Stage
from zsdesk.domain.money import yuan_to_wan
from zsdesk.domain.periods import YearMonth
from zsdesk.domain.text_limits import limit_of
from zsdesk.returns import export_return, import_returns
from zsdesk.returns import layout as L
from zsdesk.store.db import open_ledger
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.models import Event, FundRecord, Investor, Project, Unit, Visit

PERIOD = YearMonth(2026, 6)

AWKWARD = [
    '"引号"',
    "'单引号",
    "=SUM(A1)",
    "+1",
    "-x",
    "@a",
    "#N/A",
    "#REF!",
    "喆",
    "堃",
    "𠀀𠀁",
    "  前后空格  ",
    "a\r\nb",
    "a\rb",
    "第一行\n第二行",
    "\t制表",
    "反斜杠\\r\\x41\\\\",
    "控制\x01字符\x1f",
    "\ufffe\uffff",
    "TRUE",
    "0012",
    "1e5",
    "",
]


def texts_for(table: str, field: str):
    """Awkward text as long as the field allows (zsdesk.domain.text_limits), no longer."""
    chars = limit_of(table, field).chars
    return st.one_of(
        st.sampled_from(AWKWARD),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=min(30, chars)),
        st.text(st.sampled_from("喆堃𠀀磐安 =+-@\"'\n\r\t\\"), min_size=chars // 4, max_size=chars),
    )


# A name a clerk could save: something visible once the cell writer made it printable.
names = st.one_of(
    st.sampled_from([a for a in AWKWARD if a]), st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=60)
).filter(lambda name: cell_text(name).strip())


def as_cells(value):
    """What a return carries of a stored value: text as the one cell writer writes it
    (characters XML cannot hold become a visible U+FFFD on both copies)."""
    if isinstance(value, str):
        return cell_text(value)
    if isinstance(value, dict):
        return {k: as_cells(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return tuple(as_cells(v) for v in value)
    if isinstance(value, list):
        items = [as_cells(v) for v in value]
        # the snapshot's lists of records are sorted: sort again after the change
        return sorted(items, key=repr) if items and all(isinstance(v, tuple) for v in items) else items
    return value
amounts = st.integers(min_value=0, max_value=10**12).map(yuan_to_wan)
optional_amounts = st.one_of(st.none(), amounts)
dates = st.one_of(st.none(), st.dates(dt.date(2018, 1, 1), dt.date(2026, 6, 30)))
june_days = st.dates(dt.date(2026, 6, 1), dt.date(2026, 6, 30))

projects = st.fixed_dictionaries(
    {
        "name": names,
        "industry": texts_for("projects", "industry"),
        "stage": st.sampled_from([s.value for s in Stage]),
        **{key: dates for key in L.PROJECT_DATE_FIELDS},
        **{key: st.booleans() for key in L.PROJECT_BOOL_FIELDS},
        "declared_amount": optional_amounts,
        "retained_amount": optional_amounts,
        "planned_investment": amounts,
        "registered_capital": optional_amounts,
        **{key: texts_for("projects", key) for key in L.PROJECT_TEXT_FIELDS if key not in ("name", "industry")},
    }
)
funds = st.dictionaries(st.integers(1, 6), amounts.filter(lambda a: a > 0), max_size=6)
investors = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "name": names,
            "kind": st.sampled_from([k.value for k in InvestorType]),
            "home_region": texts_for("investors", "home_region"),
            "industry": texts_for("investors", "industry"),
            "chamber": texts_for("investors", "chamber"),
            "registered_on": dates,
            "film_production": st.booleans(),
            "notable": st.booleans(),
            "notes": texts_for("investors", "notes"),
        }
    ),
)
visits = st.fixed_dictionaries(
    {
        "date": june_days,
        "batches": st.integers(0, 1000),
        "headcount": st.integers(0, 10**6),
        "receiving_leader": texts_for("visits", "receiving_leader"),
        "seen": texts_for("visits", "seen"),
        "outcome": texts_for("visits", "outcome"),
    }
)
events = st.fixed_dictionaries(
    {
        "kind": st.sampled_from([k.value for k in EventKind]),
        "name": names,
        "date": june_days,
        "place": texts_for("events", "place"),
        "firms": st.integers(0, 1000),
        "representatives": st.integers(0, 10**5),
        "intention_projects": st.integers(0, 100),
        "notes": texts_for("events", "notes"),
    }
)
returns = st.lists(st.tuples(projects, funds, investors, st.lists(visits, max_size=2)), min_size=1, max_size=4)


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "empty.sqlite"
    create_ledger(path, "测试县", ["甲镇", "乙乡"]).close()
    return path


def _snapshot(ledger) -> list:
    with ledger.read() as session:
        unit = session.scalar(select(Unit).where(Unit.name == "甲镇"))
        out = []
        for project in session.scalars(select(Project).where(Project.unit_id == unit.id).order_by(Project.code)):
            fields = {key: getattr(project, key) for key in (*L.PROJECT_TEXT_FIELDS, "stage", *L.PROJECT_DATE_FIELDS,
                                                             *L.PROJECT_BOOL_FIELDS, *L.PROJECT_MONEY_FIELDS)}
            investor = project.investor
            fields["investor"] = None if investor is None else {
                k: getattr(investor, k)
                for k in ("name", "kind", "home_region", "industry", "chamber", "registered_on", "film_production",
                          "notable", "notes")
            }
            fields["funds"] = sorted((f.year, f.month, f.amount) for f in project.funds if f.year == 2026 and f.month <= 6)
            out.append((project.code, fields))
        visits = sorted(
            (v.date, v.batches, v.headcount, v.receiving_leader, v.seen, v.outcome,
             v.investor.name if v.investor else None, v.project.code if v.project else None)
            for v in session.scalars(select(Visit).where(Visit.unit_id == unit.id))
        )
        events = sorted(
            (e.kind, e.name, e.date, e.place, e.firms, e.representatives, e.intention_projects, e.notes)
            for e in session.scalars(select(Event).where(Event.unit_id == unit.id))
        )
        return [out, visits, events]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=returns, extra_events=st.lists(events, max_size=2))
def test_awkward_returns_round_trip_exactly(template, rows, extra_events):
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        shutil.copyfile(template, folder / "township.sqlite")
        shutil.copyfile(template, folder / "county.sqlite")
        township = open_ledger(folder / "township.sqlite")
        county = open_ledger(folder / "county.sqlite")
        try:
            with township.begin() as session:
                unit = session.scalar(select(Unit).where(Unit.name == "甲镇"))
                for number, (values, months, investor, visit_rows) in enumerate(rows):
                    owner = Investor(**investor, unit_id=unit.id) if investor else None
                    project = Project(code=f"XM-PROP0-{number:05d}", unit=unit, investor=owner, **values)
                    session.add(project)
                    for month, amount in months.items():
                        session.add(FundRecord(project=project, year=2026, month=month, amount=amount))
                    for visit in visit_rows:
                        session.add(Visit(unit=unit, investor=owner, project=project, **visit))
                for event in extra_events:
                    session.add(Event(unit=unit, **event))
            path = folder / "return.xlsx"
            with township.read() as session:
                export_return(session, "甲镇", PERIOD, path, today=TODAY)
            [outcome] = import_returns(county, [path], today=TODAY)
            assert outcome.status == "imported", outcome.line
            assert outcome.preview.findings == [] or all("已导入过" in f for f in outcome.preview.findings)
            assert as_cells(_snapshot(county)) == as_cells(_snapshot(township))
            [again] = import_returns(county, [path], today=TODAY)
            assert again.status == "unchanged", again.line
        finally:
            township.close()
            county.close()


def test_amounts_are_exact_to_the_yuan(template, tmp_path):
    """Amounts whose float is not exact (0.1 万元, 1 yuan steps) come back to the yuan."""
    shutil.copyfile(template, tmp_path / "t.sqlite")
    shutil.copyfile(template, tmp_path / "c.sqlite")
    township, county = open_ledger(tmp_path / "t.sqlite"), open_ledger(tmp_path / "c.sqlite")
    wanted = [Decimal("0.1"), Decimal("0.0001"), Decimal("12345678.9999"), Decimal("0.3"), Decimal("99999999.0001")]
    with township.begin() as session:
        unit = session.scalar(select(Unit).where(Unit.name == "甲镇"))
        for i, amount in enumerate(wanted):
            project = Project(code=f"XM-EXACT-{i:05d}", name=f"项目{i}", unit=unit, planned_investment=amount)
            session.add(project)
            session.add(FundRecord(project=project, year=2026, month=6, amount=amount))
            session.add(FundRecord(project=project, year=2026, month=2, amount=Decimal("0.2")))
    with township.read() as session:
        export_return(session, "甲镇", PERIOD, tmp_path / "r.xlsx", today=TODAY)
    [outcome] = import_returns(county, [tmp_path / "r.xlsx"], today=TODAY)
    assert outcome.status == "imported"
    with county.read() as session:
        got = {p.name: (p.planned_investment, {f.month: f.amount for f in p.funds}) for p in session.scalars(select(Project))}
    for i, amount in enumerate(wanted):
        assert got[f"项目{i}"] == (amount, {2: Decimal("0.2"), 6: amount})
    township.close()
    county.close()
