"""A zygote for the kill test: imports zsdesk once, then forks one worker per trial.

Reads commands on stdin, one per line, JSON: ``{"job": "save"|"import", "db": PATH,
"log": PATH, ...}``. For each it forks a child that runs the job until it is killed, and
answers ``pid N`` at once and ``exit STATUS`` once the child is gone. The child is a
zsdesk process like any other (for imports it runs ``zsdesk.cli.main.main`` when the
real importer is available); forking only spares the 0.5 s of imports per trial.

Each job appends a line to its log right after each commit returns, so the test knows
what was certainly committed when the kill came.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from decimal import Decimal
from pathlib import Path

from sqlalchemy import select

from zsdesk.store.backup import backup_before
from zsdesk.store.db import open_ledger
from zsdesk.store.models import FundRecord, ImportRecord, Project, Unit

TODAY = dt.date(2026, 6, 30)
IMPORT_UNIT = "甲镇"
IMPORT_YEAR, IMPORT_MONTH = 2026, 5


def _log(fd: int, text: str) -> None:
    os.write(fd, (text + "\n").encode())


def save_job(db: str, log: int, limit: int | None = None) -> None:
    """What the project editor's 保存 does, through the same store service (save_project):
    a new project with a year of funds, and an edit of another project, in one action."""
    from dataclasses import replace

    from zsdesk.domain.enums import Stage
    from zsdesk.domain.records import ProjectData
    from zsdesk.store.projects import project_data, save_project

    ledger = open_ledger(db)
    _log(log, "open")
    with ledger.read() as s:
        k = len(s.scalars(select(Project.id).where(Project.name.like("KILL-%"))).all())
        unit_id = s.scalar(select(Unit.id).where(Unit.name == "乙乡"))
        marker_id = s.scalar(select(Project.id).where(Project.code == "MARKER"))
    while True:
        k += 1
        _log(log, f"begin {k}")
        with ledger.begin() as s:
            funds = {(2025, month): Decimal(k) for month in range(1, 13)}
            data = ProjectData(
                name=f"KILL-{k}", unit_id=unit_id, dates={Stage.PLANNED: dt.date(2025, 1, 2)},
                planned_investment=Decimal(k), funds=funds,
            )
            save_project(s, None, data, TODAY)
            marker = replace(project_data(s, marker_id), progress_note=f"save {k}", planned_investment=Decimal(k))
            save_project(s, marker_id, marker, TODAY)
        _log(log, f"committed {k}")
        if limit is not None and k >= limit:
            ledger.close()
            raise _Enough


def import_job(db: str, log: int, version: int, limit: int | None = None) -> None:
    """A unit's month replaced in one transaction, after a backup: what an import does."""
    ledger = open_ledger(db)
    _log(log, "open")
    while True:
        _log(log, f"begin {version}")
        backup_before(ledger, "import")
        with ledger.begin() as s:
            unit_id = s.scalar(select(Unit.id).where(Unit.name == IMPORT_UNIT))
            projects = s.scalars(select(Project).where(Project.unit_id == unit_id, Project.code.like("IMP-%")).order_by(Project.code)).all()
            old = s.scalars(
                select(FundRecord).where(
                    FundRecord.project_id.in_([p.id for p in projects]),
                    FundRecord.year == IMPORT_YEAR,
                    FundRecord.month == IMPORT_MONTH,
                )
            ).all()
            for fund in old:
                s.delete(fund)
            s.flush()
            for i, project in enumerate(projects):
                s.add(FundRecord(project_id=project.id, year=IMPORT_YEAR, month=IMPORT_MONTH, amount=Decimal(version * 1000 + i)))
                project.progress_note = f"导入第{version}版"
            s.add(
                ImportRecord(
                    unit_id=unit_id, year=IMPORT_YEAR, month=IMPORT_MONTH, file_name=f"v{version}.xlsx",
                    file_sha256="0" * 64, summary=str(version),
                )
            )
        _log(log, f"committed {version}")
        if limit is not None and version >= limit:
            ledger.close()
            raise _Enough
        version += 1


def cli_job(args: list[str], log: int) -> None:
    """The real command line, run in this process as `zsdesk ARGS` would."""
    from zsdesk.cli.main import main

    _log(log, "open")
    while True:
        status = main(args)
        _log(log, f"exit {status}")


def run(command: dict) -> None:
    log = os.open(command["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    if command["job"] == "save":
        save_job(command["db"], log)
    elif command["job"] == "import":
        import_job(command["db"], log, command["version"])
    else:
        cli_job(command["args"], log)


def warm_up(folder: Path) -> None:
    """One save and one import on a scratch ledger before any fork: the children start with
    zsdesk imported and SQLAlchemy's statement cache filled, as a zsdesk that has been
    running a while has, so the kills land in the work rather than in first-time setup."""
    from zsdesk.store.ledger_setup import create_ledger

    scratch = folder / "warm-up.sqlite"
    ledger = create_ledger(scratch, "预热县", ["甲镇", "乙乡"])
    with ledger.begin() as s:
        unit_id = s.scalar(select(Unit.id).where(Unit.name == "乙乡"))
        s.add(Project(code="MARKER", name="标记", unit_id=unit_id, planned_investment=Decimal(0), planned_on=dt.date(2025, 1, 2)))
        first = s.scalar(select(Unit.id).where(Unit.name == IMPORT_UNIT))
        s.add(Project(code="IMP-000", name="导入", unit_id=first, planned_investment=Decimal(0)))
    ledger.close()
    log = os.open(folder / "warm-up.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    for job in (lambda: save_job(str(scratch), log, 2), lambda: import_job(str(scratch), log, 1, 2)):
        try:
            job()
        except _Enough:
            pass
    os.close(log)


class _Enough(Exception):
    pass


def main() -> None:
    warm_up(Path(sys.argv[1]))
    print("ready", flush=True)
    for line in sys.stdin:
        command = json.loads(line)
        pid = os.fork()
        if pid == 0:
            try:
                run(command)
            except BaseException as exc:  # noqa: BLE001 - reported to the test through the log
                log = os.open(command["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
                os.write(log, f"error {type(exc).__name__}: {exc}\n".encode())
                os._exit(1)
            os._exit(0)
        print(f"pid {pid}", flush=True)
        _, status = os.waitpid(pid, 0)
        print(f"exit {status}", flush=True)


if __name__ == "__main__":
    main()
