"""Figures of importing a township's existing ledger (issue 16): a 2,500-row workbook
previewed, and imported into an empty ledger file.

Floor: openpyxl alone reading the same file — opened ``read_only`` and every row
iterated (values only). The preview is zsdesk reading the file, finding the header,
parsing every cell and planning every row against the ledger; the import is the same
and then the writes (a backup, then the new projects, investors and monthly funds with
one ORM insert each, through the audit trail's and the locked months' hooks). Re-importing the same file (nothing
to change) is reported beside it.
"""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

from .measure import MEASURED, Figure, Timings, ms, openpyxl_read_all, require, time_runs

ROWS = 2_500
QUICK_ROWS = 200
UNIT = "甲镇"
TODAY = dt.date(2026, 11, 15)
STAGES = (("谋划", 0), ("洽谈中", 1), ("已签约", 2), ("注册", 3), ("在建", 4), ("竣工投产", 5))


def write_ledger(path: Path, rows: int, seed: int = 16) -> None:
    """A township ledger as clerks keep it: a title, '单位：万元', a column per month, a 合计 row."""
    import openpyxl

    rng = random.Random(seed)
    workbook = openpyxl.Workbook(write_only=True)
    ws = workbook.create_sheet("项目台账")
    ws.append([f"{UNIT}2026年招商引资项目台账"])
    ws.append(["填报单位：" + UNIT, None, None, None, "单位：万元"])
    months = [f"{m}月" for m in range(1, 11)]
    ws.append(["序号", "项目名称", "投资方", "产业类别", "项目阶段", "计划总投资", "谋划时间", "在谈时间", "签约时间",
               "落地时间", "开工时间", "投产时间", "是否浙商回归", "是否山海协作", "联系领导", "责任单位", *months])
    for i in range(1, rows + 1):
        word, reached = STAGES[i % len(STAGES)]
        day = dt.date(2025, rng.randint(1, 12), rng.randint(1, 28))
        dates = []
        for step in range(6):
            if step <= reached:
                day = min(day + dt.timedelta(days=rng.randint(5, 40)), dt.date(2026, 10, 28))
                dates.append(f"{day.year}.{day.month}.{day.day}")
            else:
                dates.append(None)
        funds = [rng.randint(1, 500) if reached >= 2 and rng.random() < 0.5 else None for _ in months]
        ws.append([i, f"项目{i:05d}", f"投资企业{rng.randint(1, 400)}", rng.choice(("旅游", "中药材", "工业", "康养")), word,
                   rng.randint(100, 90_000), *dates, rng.choice("√×"), rng.choice("√×"), "王副县长", "县经商局", *funds])
    ws.append(["合计"])
    ws.append(["填报人：张三"])
    workbook.save(path)


def _setup(work: Path, quick: bool):
    read_table, build_plan, apply_plan, Mapping = require(
        "zsdesk.ledger_import", "read_table", "build_plan", "apply_plan", "Mapping"
    )
    from zsdesk.store.ledger_setup import create_ledger

    folder = work / "ledger_import"
    folder.mkdir(parents=True, exist_ok=True)
    source = folder / "台账.xlsx"
    rows = QUICK_ROWS if quick else ROWS
    if not source.exists() or source.stat().st_size == 0 or getattr(_setup, "rows", None) != rows:
        write_ledger(source, rows)
        _setup.rows = rows
    counter = iter(range(10**6))

    def fresh():
        return create_ledger(folder / f"l-{next(counter)}.sqlite", "测试县", [UNIT, "乙乡"])

    def discard(ledger):
        path = ledger.path
        ledger.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)

    return source, rows, fresh, discard, read_table, build_plan, apply_plan, Mapping


def preview_figure(figure: Figure, work: Path, runs: int, quick: bool = False) -> None:
    source, rows, fresh, discard, read_table, build_plan, _apply, Mapping = _setup(work, quick)
    ledger = fresh()
    try:
        def zsdesk_way(_):
            table = read_table(source)
            with ledger.read() as session:
                plan = build_plan(session, table, Mapping(unit=UNIT), today=TODAY)
            if plan.errors or len(plan.with_status("new")) != rows:
                raise AssertionError(f"preview: {plan.summary()} {[str(p) for p in plan.errors[:3]]}")

        ours, floor = Timings(), Timings()
        for _ in range(runs):
            ours += time_runs(zsdesk_way, 1, warmup=0 if ours else 1)
            floor += time_runs(lambda _: openpyxl_read_all([source]), 1, warmup=0 if floor else 1)
    finally:
        discard(ledger)
    figure.record(ours)
    figure.record(floor, floor=True)
    figure.extra.update(rows=rows, file_kb=round(source.stat().st_size / 1024))
    figure.note = "read, header found, every cell parsed, every row planned against an empty ledger; floor: openpyxl read_only, every row"
    figure.status = MEASURED


def import_figure(figure: Figure, work: Path, runs: int, quick: bool = False) -> None:
    source, rows, fresh, discard, read_table, build_plan, apply_plan, Mapping = _setup(work, quick)

    def zsdesk_way(ledger):
        table = read_table(source)
        with ledger.begin() as session:
            plan = build_plan(session, table, Mapping(unit=UNIT), today=TODAY)
            outcome = apply_plan(session, plan, today=TODAY)
        return outcome

    ours, floor = Timings(), Timings()
    for _ in range(runs):
        ours += time_runs(zsdesk_way, 1, setup=fresh, teardown=discard, warmup=0)
        floor += time_runs(lambda _: openpyxl_read_all([source]), 1, warmup=0 if floor else 1)
    again = fresh()
    try:
        outcome = zsdesk_way(again)
        if outcome.created != rows:
            raise AssertionError(f"import: {outcome.plan.summary()}")
        reimport = time_runs(zsdesk_way, 1, setup=lambda: again, warmup=0)
    finally:
        discard(again)
    figure.record(ours)
    figure.record(floor, floor=True)
    figure.extra.update(rows=rows, reimport_unchanged_ms=ms(reimport)[0])
    figure.note = (
        "into an empty ledger file: read, plan (validate_project per row), backup, one insert per table through the "
        "audit-trail and locked-month hooks; "
        "floor: openpyxl read_only, every row; re-importing the same file (nothing to change) in extra"
    )
    figure.status = MEASURED
