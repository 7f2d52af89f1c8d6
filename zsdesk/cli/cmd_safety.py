"""Data safety from the command line: backups, restore, locked months, the audit trail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import InputError
from ..store import audit, backup, locks
from ..store.concurrency import run_action
from ..store.db import open_ledger
from ..store.server import display_url, is_url
from ..store.settings import county_name
from ..store.units import find_unit, list_units
from .common import add_db, format_table, open_for_reading, parse_month

ORDER = 80


def register(sub) -> None:
    p = sub.add_parser(
        "backup",
        help="备份台账 / back up a ledger",
        description="用SQLite在线备份复制台账（台账打开时也可以）。不给 --out 时存入台账旁的备份文件夹。\n"
        "Make a consistent copy (works while the ledger is open). Without --out, into the backups folder beside it.",
    )
    add_db(p)
    p.add_argument("--out", metavar="FILE", help="备份到此文件（不覆盖已有文件）/ copy to this file (never overwritten)")
    p.set_defaults(run=run_backup)

    p = sub.add_parser(
        "backups",
        help="列出台账的备份 / list a ledger's backups",
        description="列出备份文件夹中的备份：时间、原因、项目数、到位资金最新月份。\n"
        "List the copies in the backups folder with their date, reason and contents.",
    )
    add_db(p)
    p.add_argument("--check", action="store_true", help="逐个做完整性检查 / run SQLite's check on each")
    p.set_defaults(run=run_list)

    p = sub.add_parser(
        "restore",
        help="从备份恢复台账 / restore a ledger from a backup",
        description="先把台账当前状态另存为一份备份，再用所选备份替换台账内容。台账须已关闭。\n"
        "Saves the current state as another copy, then replaces the ledger's content. The ledger must be closed.",
    )
    add_db(p)
    p.add_argument(
        "--from", dest="source", metavar="FILE", required=True,
        help="备份文件，或 zsdesk backups 列表中的序号 / a backup file, or its number in `zsdesk backups`",
    )
    p.set_defaults(run=run_restore)

    p = sub.add_parser(
        "lock-month",
        help="锁定单位的月份 / lock a unit's month",
        description="锁定后，该单位该月的到位资金和落在该月的阶段日期不能再修改，导入也会被拒绝。\n"
        "Funds and stage dates of the unit's month can no longer change; imports into it are refused.",
    )
    add_db(p)
    p.add_argument("--month", metavar="YYYY-MM", required=True, help="月份 / month")
    who = p.add_mutually_exclusive_group(required=True)
    who.add_argument("--unit", metavar="NAME", action="append", help="单位（可多次给出）/ unit (repeatable)")
    who.add_argument("--all", action="store_true", help="所有单位 / every unit")
    p.add_argument("--reason", metavar="TEXT", default="", help="说明 / note")
    p.set_defaults(run=run_lock)

    p = sub.add_parser(
        "unlock-month",
        help="解锁单位的月份（须说明原因）/ unlock a unit's month (with a reason)",
        description="解锁并记录原因。\nUnlock, recording the reason.",
    )
    add_db(p)
    p.add_argument("--month", metavar="YYYY-MM", required=True, help="月份 / month")
    p.add_argument("--unit", metavar="NAME", required=True, help="单位 / unit")
    p.add_argument("--reason", metavar="TEXT", required=True, help="解锁原因 / why")
    p.set_defaults(run=run_unlock)

    p = sub.add_parser(
        "locks",
        help="已锁定的月份及锁定记录 / locked months and their history",
        description="列出已锁定的月份，以及每次锁定、解锁的时间、人员和原因。\n"
        "List the locked months and every lock and unlock with who, when and why.",
    )
    add_db(p)
    p.set_defaults(run=run_locks)

    p = sub.add_parser(
        "audit",
        help="导出修改记录 / export the audit trail",
        description="把一段时间内的修改记录（谁、何时、哪条记录、原值、新值）导出为Excel。\n"
        "Write the changes of a period (who, when, record, old and new value) to .xlsx.",
    )
    add_db(p)
    p.add_argument("--from", dest="start", metavar="YYYY-MM-DD", required=True, help="开始日期 / first day")
    p.add_argument("--to", dest="end", metavar="YYYY-MM-DD", help="结束日期（默认今天）/ last day (default today)")
    p.add_argument("--out", metavar="FILE.xlsx", required=True, help="输出文件 / output file")
    p.set_defaults(run=run_audit)


def _server_snapshot(url: str, out: str | None) -> int:
    """A server's backup: one consistent snapshot copied into a new ledger file."""
    from ..store.copying import snapshot_to_file

    if not out:
        raise InputError(
            "服务器上的台账请用 --out 指定备份文件（例如 --out 县局台账-备份.sqlite）；"
            "整库备份由信息科用 pg_dump 做"
        )
    target = Path(out)
    if target.exists():
        raise InputError(f"备份文件已存在，不会覆盖：{target}")
    source = open_for_reading(url)
    try:
        result = snapshot_to_file(source, target)
    finally:
        source.close()
    print(f"已备份：{target}（{result.total} 条记录，可作为普通台账文件打开）")
    return 0


def _no_file_backups(url: str) -> None:
    raise InputError(
        f"服务器上的台账没有文件备份：用 zsdesk backup --db URL --out 文件 取一份快照，"
        f"或由信息科用 pg_dump / pg_restore（{display_url(url)}）"
    )


def run_backup(args) -> int:
    if is_url(args.db):
        return _server_snapshot(args.db, args.out)
    source = Path(args.db)
    _require_ledger(source)
    if args.out:
        target = backup.copy_to(source, args.out)
    else:
        target = backup.take_backup(source, "manual")
    print(f"已备份：{target}")
    return 0


def _require_ledger(path: Path) -> None:
    """Refuse what is not a sound ledger before copying it (opening read-only checks it)."""
    open_for_reading(str(path)).close()


def run_list(args) -> int:
    if is_url(args.db):
        _no_file_backups(args.db)
    copies = backup.list_backups(args.db, check=args.check)
    folder = backup.backup_folder(args.db)
    if not copies:
        print(f"还没有备份（备份文件夹：{folder}）")
        return 0
    rows = []
    for number, copy in enumerate(copies, 1):
        rows.append(
            [
                str(number),
                f"{copy.taken_at:%Y-%m-%d %H:%M:%S}",
                copy.reason_label,
                "损坏" if copy.good is False else ("?" if copy.projects is None else str(copy.projects)),
                copy.latest_month.chinese if copy.latest_month else "",
                copy.path.name,
            ]
        )
    print(f"备份文件夹：{folder}")
    print(format_table(["序号", "时间", "原因", "项目数", "资金最新月份", "文件"], rows, right={0, 3}))
    print("恢复：zsdesk restore --db 台账 --from 序号或文件")
    return 0


def run_restore(args) -> int:
    if is_url(args.db):
        _no_file_backups(args.db)
    source = backup.find_backup(args.db, args.source)
    saved = backup.restore_backup(args.db, source)
    print(f"已从备份恢复：{source}")
    if saved is not None:
        print(f"恢复前的台账已另存为：{saved}")
    return 0


def _units(session, args):
    if args.all:
        return list_units(session)
    return [find_unit(session, name) for name in args.unit]


def run_lock(args) -> int:
    period = parse_month(args.month)
    ledger = open_ledger(args.db)
    try:
        def lock_them(session):
            units = _units(session, args)
            for unit in units:
                locks.lock_month(session, unit.id, period, reason=args.reason)
            return "、".join(u.name for u in units)

        names = run_action(ledger, lock_them)
    finally:
        ledger.close()
    print(f"已锁定{period.chinese}：{names}")
    return 0


def run_unlock(args) -> int:
    period = parse_month(args.month)
    ledger = open_ledger(args.db)
    try:
        def unlock_it(session):
            unit = find_unit(session, args.unit)
            locks.unlock_month(session, unit.id, period, args.reason)
            return unit

        unit = run_action(ledger, unlock_it)
    finally:
        ledger.close()
    print(f"已解锁{unit.name}{period.chinese}（原因：{args.reason.strip()}）")
    return 0


def run_locks(args) -> int:
    ledger = open_for_reading(args.db)
    try:
        with ledger.read() as session:
            names = {u.id: u.name for u in list_units(session)}
            locked = [
                [names.get(m.unit_id, str(m.unit_id)), f"{m.year}-{m.month:02d}", f"{m.locked_at:%Y-%m-%d %H:%M}", m.locked_by]
                for m in locks.locked_months(session)
            ]
            events = [
                [
                    f"{e.at:%Y-%m-%d %H:%M}",
                    "锁定" if e.action == locks.LOCK else "解锁",
                    names.get(e.unit_id, str(e.unit_id)),
                    f"{e.year}-{e.month:02d}",
                    e.by,
                    e.reason,
                ]
                for e in locks.lock_events(session)
            ]
    finally:
        ledger.close()
    if locked:
        print(format_table(["单位", "月份", "锁定时间", "锁定人"], locked))
    else:
        print("没有锁定的月份")
    if events:
        print()
        print(format_table(["时间", "操作", "单位", "月份", "人员", "原因"], events))
    return 0


def _date(text: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{what}“{text}”不是日期，请写成 2026-06-30 的形式") from None


def run_audit(args) -> int:
    start = _date(args.start, "开始日期")
    end = _date(args.end, "结束日期") if args.end else dt.date.today()
    ledger = open_for_reading(args.db)
    try:
        with ledger.read() as session:
            count = audit.export_audit(session, start, end, args.out, county=county_name(session))
    finally:
        ledger.close()
    print(f"已导出 {count} 条修改记录：{args.out}")
    return 0
