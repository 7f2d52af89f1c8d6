"""`zsdesk new` and `zsdesk demo`: make ledger files."""

from __future__ import annotations

import re
from pathlib import Path

from ..domain.periods import YearMonth
from ..errors import InputError, LedgerError
from ..store.demo import write_demo
from ..store.ledger_setup import create_from, create_ledger, create_starter, create_starters
from .common import parse_month

ORDER = 10


def register(sub) -> None:
    new = sub.add_parser(
        "new",
        help="新建空台账 / create an empty ledger",
        description="新建空台账：给出县名和单位，或从另一个台账复制县、单位与目标任务。\n"
        "Create an empty ledger from a county and its units, or copy those and the targets from another file.",
    )
    new.add_argument("path", metavar="PATH", help="新台账文件 / new ledger file")
    source = new.add_mutually_exclusive_group(required=True)
    source.add_argument("--county", metavar="NAME", help="县名 / county name (with --units)")
    source.add_argument("--from", dest="source", metavar="OTHER.sqlite", help="从另一个台账复制 / copy from another ledger")
    new.add_argument("--units", metavar="NAME,NAME,…", help="单位名称，逗号分隔 / unit names, comma-separated")
    new.add_argument(
        "--unit", metavar="NAME",
        help="本台账所属单位（乡镇的台账）；与 --from 同用时即起始台账，带上县里已有的该单位项目 / "
        "the unit this file belongs to; with --from, a starter file carrying the unit's projects the county holds",
    )
    new.set_defaults(run=run_new)

    starters = sub.add_parser(
        "starter-files",
        help="生成各单位起始台账 / write each unit's starter file",
        description="县招商局为各单位生成起始台账：县、各单位、目标任务、县里的设置和县里已有的该单位项目，"
        "文件名如“尚湖镇-2026年起始台账.sqlite”。\n"
        "Write one starter file per unit (or the units named) from the county's file.",
    )
    starters.add_argument("--db", required=True, metavar="COUNTY.sqlite|URL", help="县里的台账（文件或服务器）/ the county's ledger")
    starters.add_argument("--year", required=True, type=int, metavar="YYYY", help="年度 / year")
    starters.add_argument("--out", required=True, metavar="DIR", help="输出文件夹 / output folder")
    starters.add_argument("--unit", action="append", metavar="NAME", help="只生成这些单位（可重复）/ only these units (repeatable)")
    starters.set_defaults(run=run_starters)

    demo = sub.add_parser(
        "demo",
        help="生成演示县台账 / write a demo county",
        description="生成确定性的演示县台账（相同参数生成相同内容）。\nWrite a deterministic demo county ledger.",
    )
    demo.add_argument("path", metavar="PATH", help="新台账文件 / new ledger file")
    demo.add_argument("--month", metavar="YYYY-MM", help="数据截至的月份（默认本月）/ data up to this month (default: this month)")
    demo.add_argument("--size", choices=["small", "large"], default="small", help="规模 / size (small, large)")
    demo.set_defaults(run=run_demo)


def _units(text: str | None) -> list[str]:
    if not text:
        raise InputError("请用 --units 给出单位名称，逗号分隔")
    return [u for u in re.split(r"[,，、]", text) if u.strip()]


def _new_path(text: str) -> Path:
    path = Path(text)
    if path.exists():
        raise LedgerError(f"文件已存在，不会覆盖：{path}")
    return path


def run_new(args) -> int:
    path = _new_path(args.path)
    if args.source:
        if args.units:
            raise InputError("--from 与 --units 不能同时使用")
        if args.unit:
            ledger = create_starter(path, args.source, args.unit)
        else:
            ledger = create_from(path, args.source)
    else:
        ledger = create_ledger(path, args.county, _units(args.units), own_unit=args.unit)
    ledger.close()
    print(f"已新建台账：{path}")
    return 0


def run_starters(args) -> int:
    from ..store.server import is_url

    if not is_url(args.db) and not Path(args.db).exists():
        raise LedgerError(f"找不到台账文件：{args.db}")
    paths = create_starters(args.db, args.year, args.out, args.unit)
    for path in paths:
        print(f"已生成起始台账：{path}")
    return 0


def run_demo(args) -> int:
    path = _new_path(args.path)
    period = parse_month(args.month) if args.month else YearMonth.current()
    ledger = write_demo(path, period, args.size)
    ledger.close()
    print(f"已生成演示县台账（{args.size}，截至{period.chinese}）：{path}")
    return 0
