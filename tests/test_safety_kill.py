"""Crash safety: kill a zsdesk process (SIGKILL) at random moments during saves and imports.

After every kill the file must pass ``PRAGMA integrity_check``, every save must be wholly
in or wholly out, every import wholly in or out, the audit trail must match the data, the
backups must all be sound, and the next zsdesk must open the file (taking over the lock
the killed one left). The checks read the file with plain ``sqlite3``, not with zsdesk.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select

from zsdesk.store import backup
from zsdesk.store.db import open_ledger
from zsdesk.store.ledger_setup import create_from, create_ledger
from zsdesk.store.models import FundRecord, Project, Unit

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="the kill test forks its workers (POSIX)")

ROOT = Path(__file__).resolve().parents[1]
WORKER = Path(__file__).with_name("safety_kill_worker.py")
SAVE_TRIALS = 30
IMPORT_TRIALS = 30
EARLY = 0.2
"""The share of kills aimed at the start (forking, opening, taking the lock, the daily backup)."""
YUAN_PER_WAN = 10000


class Zygote:
    """The worker process that forks one zsdesk child per trial."""

    def __init__(self, folder: Path, setup: dict | None = None):
        # Buffered, whatever the developer's environment says: the worker must not rely on it.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
        env["PYTHONPATH"] = str(ROOT)
        self.process = subprocess.Popen(
            [sys.executable, str(WORKER), str(folder), json.dumps(setup or {})],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env,
        )
        if self.process.stdout.readline().strip() != "ready":
            self.close()
            pytest.fail("the kill test's worker did not start")

    def kill_after(self, command: dict, rng: random.Random, span: float) -> tuple[int, str]:
        """Start a child on ``command`` and SIGKILL it at a random moment.

        Returns its wait status and where the kill landed: "opening" (before its log
        said "open"), "in an action" (after "begin", before that action's commit
        returned) or "between actions".

        Mostly within ``span`` seconds after it opened the ledger (its log says "open"), and
        a share of the time while it is still starting and opening.
        """
        log = Path(command["log"])
        lines_before = len(logged(log))
        opened_before = logged(log).count("open")
        self.process.stdin.write(json.dumps(command) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline().split()
        assert answer[0] == "pid", answer
        pid = int(answer[1])
        if rng.random() < EARLY:
            time.sleep(rng.uniform(0.0, 0.15))
        else:
            deadline = time.monotonic() + 60
            while logged(log).count("open") == opened_before and time.monotonic() < deadline:
                time.sleep(0.002)
            time.sleep(rng.uniform(0.0, span))
        os.kill(pid, signal.SIGKILL)  # the child never ends by itself: it is alive here
        answer = self.process.stdout.readline().split()
        assert answer[0] == "exit", answer
        mine = logged(log)[lines_before:]
        if "open" not in mine:
            landed = "opening"
        elif mine[-1].startswith("begin"):
            landed = "in an action"
        else:
            landed = "between actions"
        return int(answer[1]), landed

    def close(self):
        self.process.stdin.close()
        self.process.stdout.close()
        self.process.wait(timeout=30)


@pytest.fixture
def zygote(tmp_path):
    started = []

    def start(setup: dict | None = None) -> Zygote:
        folder = tmp_path / f"worker-{len(started)}"
        folder.mkdir()
        started.append(Zygote(folder, setup))
        return started[-1]

    yield start
    for z in started:
        z.close()


def logged(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def last_committed(log: Path) -> int | None:
    done = [int(line.split()[1]) for line in logged(log) if line.startswith("committed")]
    return done[-1] if done else None


def assert_sound(db: Path) -> sqlite3.Connection:
    raw = sqlite3.connect(db)  # read-write: replays the WAL the killed process left
    assert raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
    return raw


def assert_backups_sound(db: Path) -> int:
    copies = backup.list_backups(db, check=True)
    assert all(c.good for c in copies), [c.path.name for c in copies if not c.good]
    return len(copies)


def test_kill_during_saves(tmp_path, zygote):
    zygote = zygote()
    db = tmp_path / "saves.sqlite"
    ledger = create_ledger(db, "测试县", ["甲镇", "乙乡"])
    with ledger.begin() as s:
        unit = s.scalar(select(Unit.id).where(Unit.name == "乙乡"))
        s.add(Project(code="MARKER", name="标记项目", unit_id=unit, planned_investment=Decimal(0), planned_on=dt.date(2025, 1, 2)))
    ledger.close()
    log = tmp_path / "saves.log"
    rng = random.Random(20260630)
    landings = Counter()
    commits = {"committed": 0, "committed but not yet reported": 0}
    previous = 0
    for trial in range(SAVE_TRIALS):
        status, landed = zygote.kill_after({"job": "save", "db": str(db), "log": str(log)}, rng, 0.3)
        landings[landed] += 1
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (status, logged(log)[-3:])
        raw = assert_sound(db)
        try:
            codes = [r[0] for r in raw.execute("SELECT name FROM projects WHERE name LIKE 'KILL-%'")]
            n = len(codes)
            assert sorted(codes) == sorted(f"KILL-{k}" for k in range(1, n + 1))
            for k, count, low, high in raw.execute(
                "SELECT CAST(substr(p.name, 6) AS INTEGER), count(f.id), min(f.amount), max(f.amount) "
                "FROM projects p LEFT JOIN fund_records f ON f.project_id = p.id WHERE p.name LIKE 'KILL-%' GROUP BY p.id"
            ):
                assert (count, low, high) == (12, k * YUAN_PER_WAN, k * YUAN_PER_WAN), f"save {k} is half in"
            note, planned = raw.execute("SELECT progress_note, planned_investment FROM projects WHERE code = 'MARKER'").fetchone()
            assert (note, planned) == ((f"save {n}", n * YUAN_PER_WAN) if n else ("", 0))
            audited = raw.execute(
                "SELECT count(*) FROM audit_log WHERE table_name = 'projects' AND field = 'name' AND new_value LIKE 'KILL-%'"
            ).fetchone()[0]
            assert audited == n  # the trail went in and out with the data
        finally:
            raw.close()
        known = max(last_committed(log) or 0, previous)
        assert known <= n <= known + 1, (known, n)  # a reported commit is never lost
        commits["committed"] += n - previous
        commits["committed but not yet reported"] += n - known
        previous = n
    print(f"\nkill during saves: {SAVE_TRIALS} trials, kills landed {dict(landings)}, saves {commits}")
    assert landings["in an action"] >= SAVE_TRIALS // 2 and previous >= 10
    ledger = open_ledger(db)
    assert ledger.writer_lock.took_over is not None  # the last killed one's lock
    ledger.close()


UNIT = "尚湖镇"


def _unit_funds(raw: sqlite3.Connection) -> frozenset:
    return frozenset(
        raw.execute(
            "SELECT p.code, f.year, f.month, f.amount FROM fund_records f JOIN projects p ON p.id = f.project_id "
            "JOIN units u ON u.id = p.unit_id WHERE u.name = ? AND f.year = 2026",
            (UNIT,),
        ).fetchall()
    )


def _two_versions(demo_path: Path, folder: Path) -> tuple[list[Path], list[frozenset], list[str]]:
    """尚湖镇's June return as sent, and as corrected (every month's funds changed); the
    funds a county file holds after importing each (the second after the first); their digests."""
    import hashlib
    import shutil

    from zsdesk.domain.periods import YearMonth
    from zsdesk.returns import export_return, import_returns

    june, today = YearMonth(2026, 6), dt.date(2026, 7, 3)
    files = [folder / "尚湖镇-6月-第1版.xlsx", folder / "尚湖镇-6月-第2版.xlsx"]
    source = open_ledger(demo_path)
    try:
        with source.read() as s:
            export_return(s, UNIT, june, files[0], today=today)
        with source.begin() as s:
            for fund in s.scalars(
                select(FundRecord).join(Project).join(Unit).where(Unit.name == UNIT, FundRecord.year == 2026)
            ):
                fund.amount += Decimal("1.25")
        with source.read() as s:
            export_return(s, UNIT, june, files[1], today=today)
    finally:
        source.close()
    county = folder / "expected.sqlite"
    create_from(county, demo_path).close()
    expected = []
    ledger = open_ledger(county)
    try:
        for path in files:
            [outcome] = import_returns(ledger, [path], today=today)
            assert outcome.status == "imported"
            raw = sqlite3.connect(county)
            expected.append(_unit_funds(raw))
            raw.close()
    finally:
        ledger.close()
    assert expected[0] and expected[1] and expected[0] != expected[1]
    digests = [hashlib.sha256(p.read_bytes()).hexdigest() for p in files]
    return files, expected, digests


def _check_import_state(raw: sqlite3.Connection, expected: list[frozenset], digests: list[str]) -> int:
    """The number of imports in the file; fails unless the unit's funds are wholly one version's."""
    from zsdesk.store.audit import stored_text

    funds = _unit_funds(raw)
    imports = [r[0] for r in raw.execute("SELECT file_sha256 FROM imports ORDER BY id")]
    if not imports:
        assert funds == frozenset(), "funds without their import record"
        return 0
    version = (len(imports) - 1) % 2
    assert imports[-1] == digests[version]
    assert funds == expected[version], f"the unit's funds are not wholly version {version + 1}: the import is half in"
    for fund_id, amount, recorded in raw.execute(
        "SELECT f.id, f.amount, (SELECT a.new_value FROM audit_log a WHERE a.table_name = 'fund_records' "
        "AND a.record_id = f.id AND a.field = 'amount' ORDER BY a.id DESC LIMIT 1) "
        "FROM fund_records f JOIN projects p ON p.id = f.project_id JOIN units u ON u.id = p.unit_id WHERE u.name = ?",
        (UNIT,),
    ):
        assert recorded == stored_text(Decimal(amount) / YUAN_PER_WAN), f"fund {fund_id}: the trail does not match"
    return len(imports)


def test_kill_during_imports(tmp_path, demo_path, zygote):
    """``zsdesk import-returns`` killed at random moments, two versions of a return in turn."""
    files, expected, digests = _two_versions(demo_path, tmp_path)
    db = tmp_path / "county.sqlite"
    create_from(db, demo_path).close()
    open_ledger(db).close()  # today's backup
    zygote = zygote({"db": str(db), "files": [str(f) for f in files]})
    log = tmp_path / "imports.log"
    rng = random.Random(20260531)
    landings = Counter()
    counts = {"imports committed": 0, "committed but not yet reported": 0}
    done = 0
    for trial in range(IMPORT_TRIALS):
        command = {"job": "import", "db": str(db), "log": str(log), "files": [str(f) for f in files], "number": done}
        status, landed = zygote.kill_after(command, rng, 1.5)
        landings[landed] += 1
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL, (status, logged(log)[-3:])
        raw = assert_sound(db)
        try:
            now = _check_import_state(raw, expected, digests)
        finally:
            raw.close()
        last = last_committed(log)
        known = max(done, 0 if last is None else last + 1)
        assert known <= now <= known + 1, (known, now)  # a reported import is never lost
        counts["imports committed"] += now - done
        counts["committed but not yet reported"] += now - known
        done = now
        backups = assert_backups_sound(db)
    print(f"\nkill during imports: {IMPORT_TRIALS} trials, kills landed {dict(landings)}, {counts}, {backups} backups kept")
    assert landings["in an action"] >= IMPORT_TRIALS // 2 and done >= 5
    open_ledger(db).close()
