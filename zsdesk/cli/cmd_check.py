"""`zsdesk check`: the check rules (审核) over a file, a unit or a unit's month.

Exit status 1 when an error remains (with ``--strict``, also when a warning has no
explanation: what stops a return). ``--ack RULE KEY --why TEXT`` explains a warning;
``--withdraw RULE KEY`` takes an explanation back; ``--rules`` lists the rules.
"""

from __future__ import annotations

import json

from ..domain.checks import RULES, Finding, Level, blocking, summary
from ..errors import InputError
from ..store.checks_query import acknowledge, run_checks, withdraw
from .common import format_table, open_for_reading, open_for_writing, parse_month

ORDER = 40

LEVEL_CHOICES = [level.value for level in Level]


def register(sub) -> None:
    parser = sub.add_parser(
        "check",
        help="审核台账数据 / check the ledger (审核)",
        description="按审核规则检查台账：错误必须修改；警告可以填写说明后保留；提示仅供参考。\n"
        "Check the ledger: errors must be fixed, warnings may stand with a written explanation, hints are for information.\n"
        "有错误时退出状态为1 / exit status 1 when an error remains.",
    )
    parser.add_argument("--db", metavar="PATH|URL", help="台账文件或服务器地址 / ledger file or server URL")
    parser.add_argument("--unit", metavar="NAME", help="只审核一个单位 / one unit only")
    parser.add_argument(
        "--month", metavar="YYYY-MM", help="只审核该月月报的数据（本年1月至该月）/ the data of that month's return"
    )
    parser.add_argument("--json", action="store_true", help="输出JSON / print JSON")
    parser.add_argument(
        "--level",
        choices=LEVEL_CHOICES,
        default="hint",
        help="只列出该级别及更严重的 / show this level and more serious (error, warning, hint)",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="未说明的警告也算问题（与导出月报的要求相同）/ unexplained warnings also exit 1, as the return export does",
    )
    parser.add_argument(
        "--ack", nargs=2, metavar=("RULE", "KEY"), help="为一条警告填写说明 / explain a warning (with --why)"
    )
    parser.add_argument("--why", metavar="TEXT", help="说明（至少5个字）/ the explanation (5 characters or more)")
    parser.add_argument("--by", metavar="NAME", help="说明人（默认为填报人）/ who explains (default: the clerk setting)")
    parser.add_argument(
        "--withdraw", nargs=2, metavar=("RULE", "KEY"), help="撤回一条说明 / take an explanation back"
    )
    parser.add_argument("--rules", action="store_true", help="列出全部审核规则 / list the rules")
    parser.set_defaults(run=run)


def run(args) -> int:
    if args.rules:
        return _print_rules(args.json)
    if not args.db:
        raise InputError("缺少必需的参数：--db（台账文件）")
    if args.ack and args.withdraw:
        raise InputError("--ack 与 --withdraw 不能同时使用")
    if args.ack:
        return _acknowledge(args)
    if args.why:
        raise InputError("--why 需与 --ack RULE KEY 一起使用")
    if args.withdraw:
        return _withdraw(args)
    period = parse_month(args.month) if args.month else None
    ledger = open_for_reading(args.db)
    try:
        with ledger.read() as session:
            findings = run_checks(session, period, unit=args.unit)
    finally:
        ledger.close()
    shown_levels = LEVEL_CHOICES[: LEVEL_CHOICES.index(args.level) + 1]
    shown = [f for f in findings if f.level.value in shown_levels]
    errors = sum(1 for f in findings if f.level is Level.ERROR)
    stops = blocking(findings)
    if args.json:
        print(
            json.dumps(
                {
                    "unit": args.unit,
                    "month": str(period) if period else None,
                    "errors": errors,
                    "warnings": sum(1 for f in findings if f.level is Level.WARNING),
                    "explained": sum(1 for f in findings if f.explained),
                    "hints": sum(1 for f in findings if f.level is Level.HINT),
                    "blocking": len(stops),
                    "findings": [f.as_json() for f in shown],
                },
                ensure_ascii=False,
                indent=1,
            )
        )
    else:
        scope = (args.unit or "全部单位") + (f" {period.chinese}月报" if period else " 全部数据")
        print(f"审核：{scope}")
        _print_findings(shown)
        print(f"合计：{summary(findings)}")
        if errors:
            print("有错误：请修改数据后再报送。")
        elif stops:
            print(f"有{len(stops)}个警告尚未说明：报送月报前请修改或填写说明（zsdesk check --ack 规则 记录 --why 说明）。")
    if errors or (args.strict and stops):
        return 1
    return 0


def _print_findings(findings: list[Finding]) -> None:
    for level in Level:
        group = [f for f in findings if f.level is level]
        if not group:
            continue
        explained = sum(1 for f in group if f.explained)
        print(f"\n{level.label}（{len(group)}{f'，其中{explained}个已说明' if explained else ''}）")
        for f in group:
            unit = f" {f.record.unit}" if f.record.unit else ""
            print(f"  [{f.rule}] {f.record.key}{unit}")
            print(f"    {f.message}")
            if f.acknowledgement:
                ack = f.acknowledgement
                print(f"    说明：{ack.explanation}（{ack.by or '未署名'} {ack.at:%Y-%m-%d %H:%M}）")
    print()


def _acknowledge(args) -> int:
    if not args.why:
        raise InputError("请用 --why 写明说明，例如 --why \"已提交申报材料，等待省里审核\"")
    rule, key = args.ack
    ledger = open_for_writing(args.db)
    try:
        with ledger.begin() as session:
            ack = acknowledge(session, rule, key, args.why, by=args.by)
    finally:
        ledger.close()
    print(f"已记录说明：{RULES[rule].title} {key}：{ack.explanation}（{ack.by or '未署名'}）")
    return 0


def _withdraw(args) -> int:
    rule, key = args.withdraw
    ledger = open_for_writing(args.db)
    try:
        with ledger.begin() as session:
            removed = withdraw(session, rule, key)
    finally:
        ledger.close()
    if not removed:
        raise InputError(f"没有这条说明：{rule} {key}")
    print(f"已撤回说明：{rule} {key}")
    return 0


def _print_rules(as_json: bool) -> int:
    rules = list(RULES.values())
    if as_json:
        print(json.dumps([{"rule": r.id, "level": r.level.value, "title": r.title} for r in rules], ensure_ascii=False, indent=1))
        return 0
    rows = [[r.id, r.level.label, r.title, "可以" if r.can_acknowledge else ""] for r in rules]
    print(format_table(["规则", "级别", "名称", "可说明"], rows))
    return 0
