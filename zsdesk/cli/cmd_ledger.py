"""`zsdesk new` and `zsdesk demo`: make ledger files."""

from __future__ import annotations

import re
from pathlib import Path

from ..domain.periods import YearMonth
from ..errors import InputError, LedgerError
from ..store.demo import write_demo
from ..store.ledger_setup import create_from, create_ledger
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
    new.add_argument("--unit", metavar="NAME", help="本台账所属单位（乡镇的台账）/ the unit this file belongs to")
    new.set_defaults(run=run_new)

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
        ledger = create_from(path, args.source, own_unit=args.unit)
    else:
        ledger = create_ledger(path, args.county, _units(args.units), own_unit=args.unit)
    ledger.close()
    print(f"已新建台账：{path}")
    return 0


def run_demo(args) -> int:
    path = _new_path(args.path)
    period = parse_month(args.month) if args.month else YearMonth.current()
    ledger = write_demo(path, period, args.size)
    ledger.close()
    print(f"已生成演示县台账（{args.size}，截至{period.chinese}）：{path}")
    return 0
