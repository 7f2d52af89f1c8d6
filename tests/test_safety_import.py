"""The real import of returns and data safety: a backup before it, locked months refused, its trail."""

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import func, select

from zsdesk.cli.main import main
from zsdesk.domain.periods import YearMonth
from zsdesk.returns import export_return
from zsdesk.store import backup, locks
from zsdesk.store.db import open_ledger
from zsdesk.store.ledger_setup import create_from
from zsdesk.store.models import AuditEntry, FundRecord, ImportRecord, Project, Unit

UNIT = "尚湖镇"
JUNE = YearMonth(2026, 6)
TODAY = dt.date(2026, 7, 3)


@pytest.fixture
def county_and_return(demo_path, tmp_path):
    """A county file made from the demo (units and targets, no projects), and 尚湖镇's June return."""
    county = tmp_path / "county.sqlite"
    create_from(county, demo_path).close()
    path = tmp_path / "尚湖镇-2026年6月月报.xlsx"
    ledger = open_ledger(demo_path, readonly=True)
    with ledger.read() as session:
        export_return(session, UNIT, JUNE, path, today=TODAY)
    ledger.close()
    return county, path


def dump(path):
    raw = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return [raw.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in ("projects", "fund_records", "imports", "audit_log")]
    finally:
        raw.close()


def test_an_import_is_preceded_by_a_backup_and_recorded_in_the_trail(county_and_return, capsys):
    county, path = county_and_return
    before = dump(county)
    assert main(["import-returns", "--db", str(county), str(path)]) == 0
    imports = [c for c in backup.list_backups(county) if c.reason == "import"]
    assert len(imports) == 1
    assert dump(imports[0].path)[:3] == before[:3]  # the state just before the import
    with open_ledger(county, readonly=True) as ledger, ledger.read() as s:
        funds = s.scalar(select(func.count()).select_from(FundRecord))
        audited = s.scalar(
            select(func.count()).select_from(AuditEntry).where(
                AuditEntry.table_name == "fund_records", AuditEntry.action == "insert", AuditEntry.field == "amount"
            )
        )
        projects = s.scalar(select(func.count()).select_from(Project))
        audited_projects = s.scalar(
            select(func.count()).select_from(AuditEntry).where(
                AuditEntry.table_name == "projects", AuditEntry.action == "insert", AuditEntry.field == "code"
            )
        )
    assert funds > 0 and audited == funds and audited_projects == projects
    capsys.readouterr()
    assert main(["import-returns", "--db", str(county), str(path)]) == 0  # unchanged: no write, no copy
    assert len([c for c in backup.list_backups(county, contents=False) if c.reason == "import"]) == 1


def test_an_import_into_a_locked_month_is_refused_until_unlocked(county_and_return, capsys):
    county, path = county_and_return
    assert main(["lock-month", "--db", str(county), "--month", "2026-06", "--unit", UNIT]) == 0
    before = dump(county)
    capsys.readouterr()
    assert main(["import-returns", "--db", str(county), str(path)]) == 1
    out = capsys.readouterr().out
    assert "已锁定" in out and "拒绝1个" in out
    assert dump(county) == before
    assert not [c for c in backup.list_backups(county, contents=False) if c.reason == "import"]
    assert main(["unlock-month", "--db", str(county), "--month", "2026-06", "--unit", UNIT, "--reason", "补报6月"]) == 0
    assert main(["import-returns", "--db", str(county), str(path)]) == 0
    with open_ledger(county, readonly=True) as ledger, ledger.read() as s:
        assert s.scalar(select(func.count()).select_from(ImportRecord)) == 1


def test_a_june_return_that_corrects_a_locked_may_is_refused_whole(demo_path, county_and_return, tmp_path, capsys):
    """A return carries the year's months; the importer checks the return's own month, the
    central lock catches a change it brings to an earlier, locked month."""
    county, path = county_and_return
    assert main(["import-returns", "--db", str(county), str(path)]) == 0
    assert main(["lock-month", "--db", str(county), "--month", "2026-05", "--unit", UNIT]) == 0
    source = open_ledger(demo_path)
    with source.begin() as s:
        fund = s.scalars(
            select(FundRecord).join(Project).join(Unit).where(Unit.name == UNIT, FundRecord.year == 2026, FundRecord.month == 5)
        ).first()
        fund.amount += 7
    with source.read() as s:
        export_return(s, UNIT, JUNE, tmp_path / "corrected.xlsx", today=TODAY)
    source.close()
    before = dump(county)
    capsys.readouterr()
    status = main(["import-returns", "--db", str(county), str(tmp_path / "corrected.xlsx")])
    captured = capsys.readouterr()
    assert status == 2 and f"{UNIT}2026年5月已锁定" in captured.err and "不能修改到位资金（项目“" in captured.err
    assert dump(county)[:3] == before[:3]  # nothing of it went in
