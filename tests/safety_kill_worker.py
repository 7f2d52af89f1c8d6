"""A zygote for the kill test: imports zsdesk once, then forks one worker per trial.

Reads commands on stdin, one per line, JSON: ``{"job": "save"|"import", "db": PATH,
"log": PATH, ...}``. For each it forks a child that runs the job until it is killed, and
answers ``pid N`` at once and ``exit STATUS`` once the child is gone. The child is a
zsdesk process like any other: saves go through the project editor's store service,
imports through the command line's own entry point (``zsdesk import-returns``, run as
``zsdesk.cli.main.main``); forking only spares the second of imports per trial.

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

from zsdesk.store.db import open_ledger
from zsdesk.store.models import Project, Unit

TODAY = dt.date(2026, 6, 30)


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


def import_job(db: str, log: int, files: list[str], number: int, limit: int | None = None) -> None:
    """``zsdesk import-returns --db DB FILE`` again and again, the two versions of a return
    in turn: each import replaces the unit's months in one transaction, after a backup."""
    from zsdesk.cli.main import main as zsdesk

    _log(log, "open")
    while True:
        _log(log, f"begin {number}")
        status = zsdesk(["import-returns", "--db", db, files[number % 2]])
        if status != 0:
            raise RuntimeError(f"zsdesk import-returns exited {status}")
        _log(log, f"committed {number}")
        if limit is not None and number >= limit:
            raise _Enough
        number += 1


def run(command: dict) -> None:
    log = os.open(command["log"], os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    quiet = os.open(command["log"] + ".out", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    os.dup2(quiet, 1)  # what zsdesk prints must not mix into the answers to the test
    os.dup2(quiet, 2)
    if command["job"] == "save":
        save_job(command["db"], log)
    else:
        import_job(command["db"], log, command["files"], command["number"])


def warm_up(folder: Path, db: str | None, files: list[str]) -> None:
    """A save and imports on scratch ledgers before any fork: the children start with zsdesk
    imported and SQLAlchemy's statement cache filled, as a zsdesk running a while has, so
    the kills land in the work rather than in first-time setup."""
    import shutil

    from zsdesk.store.ledger_setup import create_ledger

    scratch = folder / "warm-up.sqlite"
    ledger = create_ledger(scratch, "预热县", ["甲镇", "乙乡"])
    with ledger.begin() as s:
        unit_id = s.scalar(select(Unit.id).where(Unit.name == "乙乡"))
        s.add(Project(code="MARKER", name="标记", unit_id=unit_id, planned_investment=Decimal(0), planned_on=dt.date(2025, 1, 2)))
    ledger.close()
    log = os.open(folder / "warm-up.log", os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    jobs = [lambda: save_job(str(scratch), log, 2)]
    if db:
        county = folder / "warm-up-county.sqlite"
        shutil.copyfile(db, county)
        jobs.append(lambda: import_job(str(county), log, files, 0, 1))
    saved = os.dup(1)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 1)
    try:
        for job in jobs:
            try:
                job()
            except _Enough:
                pass
    finally:
        # What the warm-up printed sits in sys.stdout's buffer unless the interpreter runs
        # unbuffered (PYTHONUNBUFFERED, -u): flush it into /dev/null now, or it reaches the
        # pipe ahead of "ready" once fd 1 is the pipe again.
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(quiet)
        os.close(log)


class _Enough(Exception):
    pass


def main() -> None:
    setup = json.loads(sys.argv[2]) if len(sys.argv) > 2 else {}
    warm_up(Path(sys.argv[1]), setup.get("db"), setup.get("files", []))
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
