"""What the tables and the checks hold is compact and still exactly the file's (issue 18).

The projects table's rows and the checks' facts keep one object for equal values
(store/projects.py ``_compact``, store/checks_query.py ``project_facts(shared=...)``):
the values must be those the database gives, and equal ones must really be shared.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest

from zsdesk.domain.checks import run_rules
from zsdesk.store import checks_query
from zsdesk.store.projects import ProjectRow, _rows_sql, iter_project_rows, project_rows

pytestmark = pytest.mark.both_backends

TODAY = dt.date(2026, 11, 27)


def _plain_rows(session, year: int) -> list[ProjectRow]:
    """The rows as the driver gives them, one new object per value."""
    cursor = session.connection().connection.driver_connection.execute(_rows_sql(session, year, "", ""))
    try:
        return [ProjectRow._make(row) for row in cursor]
    finally:
        cursor.close()


def test_the_projects_table_holds_the_files_values_once_each(demo_ledger):
    with demo_ledger.read() as session:
        plain = _plain_rows(session, 2026)
        compact = project_rows(session, 2026)
        batched = [row for batch in iter_project_rows(session, 2026, batch=7) for row in batch]
    assert len(plain) > 50
    assert compact == plain and batched == plain
    # Equal texts and days are one object across the rows (across batches too).
    for rows in (compact, batched):
        by_unit = defaultdict(set)
        by_day = defaultdict(set)
        for row in rows:
            by_unit[row.unit].add(id(row.unit))
            if row.first_date:
                by_day[row.first_date].add(id(row.first_date))
        assert len(by_unit) > 1 and all(len(ids) == 1 for ids in by_unit.values())
        assert any(len(rows_) > 1 for rows_ in [[r for r in rows if r.first_date == d] for d in by_day])
        assert all(len(ids) == 1 for ids in by_day.values())
    # The driver's own rows do not share them (what the compacting saves).
    units = defaultdict(set)
    for row in plain:
        units[row.unit].add(id(row.unit))
    assert any(len(ids) > 1 for ids in units.values())


def test_shared_facts_give_the_same_findings(demo_ledger, monkeypatch):
    with demo_ledger.read() as session:
        facts = checks_query.load_facts(session, today=TODAY)
        acks = checks_query.acknowledgements(session)
        shared_findings = run_rules(facts, acks)
        original = checks_query.project_facts

        def unshared(p, unit_names, total, shared=None):
            return original(p, unit_names, total, None)

        monkeypatch.setattr(checks_query, "project_facts", unshared)
        plain_facts = checks_query.load_facts(session, today=TODAY)
        plain_findings = run_rules(plain_facts, acks)
    assert facts.projects == plain_facts.projects and len(facts.projects) > 50
    assert shared_findings == plain_findings and len(shared_findings) > 10
    # A project's findings under its own key share one reference.
    refs = defaultdict(set)
    for finding in shared_findings:
        if finding.record.key.startswith("project:"):
            refs[finding.record.key].add(id(finding.record))
    assert refs and all(len(ids) == 1 for ids in refs.values())
    assert any(
        sum(1 for f in shared_findings if f.record.key == key) > 1 for key in refs
    ), "no project with two findings: the sharing was not exercised"
    # Leaders' names are one object across the facts.
    leaders = defaultdict(set)
    for p in facts.projects:
        if p.liaison_leader:
            leaders[p.liaison_leader].add(id(p.liaison_leader))
    assert leaders and all(len(ids) == 1 for ids in leaders.values())


def test_findings_come_in_the_order_of_one_sort_by_the_whole_key(demo_ledger):
    """run_rules sorts in stable passes (no key tuple per finding): the order must be the
    one sort by (severity, unit's place, rule, record key) gives."""
    with demo_ledger.read() as session:
        facts = checks_query.load_facts(session, today=TODAY)
        findings = run_rules(facts, checks_query.acknowledgements(session))
    order = {u.name: i for i, u in enumerate(facts.units)}
    expected = sorted(
        findings, key=lambda f: (f.level.severity, order.get(f.record.unit, len(order)), f.rule, f.record.key)
    )
    assert len({f.level for f in findings}) > 1 and len({f.record.unit for f in findings}) > 1
    assert [f.key for f in findings] == [f.key for f in expected]


def test_stage_dates_read_as_the_dict_they_replace(demo_ledger):
    from zsdesk.domain.checks import StageDates
    from zsdesk.domain.enums import STAGE_DATE_FIELDS, Stage

    with demo_ledger.read() as session:
        facts = checks_query.load_facts(session, today=TODAY)
        from zsdesk.store.models import Project

        projects = {p.id: p for p in session.query(Project)}
    checked = 0
    for p in facts.projects:
        row = projects[p.id]
        as_dict = {s: getattr(row, f) for s, f in STAGE_DATE_FIELDS.items() if getattr(row, f) is not None}
        assert isinstance(p.dates, StageDates)
        assert dict(p.dates.items()) == as_dict
        assert all(p.date(s) == as_dict.get(s) for s in Stage)
        checked += len(as_dict)
    assert checked > len(facts.projects)  # projects with several dates were read
    assert StageDates.of({Stage.SIGNED: dt.date(2026, 1, 5)}).get(Stage.SIGNED) == dt.date(2026, 1, 5)
    assert StageDates.of({}).get(Stage.PLANNED, "none") == "none"


@pytest.mark.file_only
def test_projects_are_found_by_id_in_either_order(demo_ledger):
    """CheckFacts.project finds by bisection when the ids ascend (as load_facts reads
    them) and by a dict otherwise; a project's findings share one reference either way."""
    with demo_ledger.read() as session:
        facts = checks_query.load_facts(session, today=TODAY)
    projects = facts.projects
    assert [p.id for p in projects] == sorted(p.id for p in projects)
    shuffled = checks_query.load_facts.__globals__["CheckFacts"](period=facts.period, today=TODAY)
    shuffled.projects = list(reversed(projects))
    for each in (facts, shuffled):
        for p in projects:
            assert each.project(p.id) is p
            assert each.ref(p) is each.ref(p) and each.ref(p).opens == ("project", p.id)
        assert each.project(max(p.id for p in projects) + 1) is None and each.project(None) is None
