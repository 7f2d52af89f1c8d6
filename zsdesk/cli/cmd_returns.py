"""`zsdesk export-return`, `import-returns`, `export-summary`, `export-targets`, `import-targets`."""

from __future__ import annotations

from pathlib import Path

from ..domain.quoting import one_line
from ..errors import InputError
from ..returns import export_return, import_returns, return_file_name
from ..store.units import find_unit, unit_names
from .common import add_db, add_month, open_for_reading, open_for_writing, parse_month

ORDER = 40


def register(sub) -> None:
    export = sub.add_parser(
        "export-return",
        help="导出月报（Excel）/ export the monthly return (.xlsx)",
        description="导出一个单位某月的月报；不给 --unit 时每个单位一个文件，写入 --out-dir 文件夹。\n"
        "导出前先审核：有错误或未说明的警告的单位不导出（退出码1），--force 放过未说明的警告并写入审核说明表。\n"
        "Write the monthly return of a unit; without --unit, one file per unit into --out-dir.\n"
        "Each return is checked first: a unit with errors or unexplained warnings is not exported (exit 1);\n"
        "--force lets unexplained warnings through, listed in the return's 审核说明 sheet.",
    )
    add_db(export)
    add_month(export)
    export.add_argument("--unit", metavar="NAME", help="单位 / unit (default: every unit)")
    export.add_argument(
        "--force", action="store_true", help="未说明的警告也导出（错误不行）/ export despite unexplained warnings (not errors)"
    )
    target = export.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", metavar="FILE.xlsx", help="输出文件（须与 --unit 同用）/ output file (with --unit)")
    target.add_argument("--out-dir", metavar="DIR", help="输出文件夹 / output folder")
    export.set_defaults(run=run_export)

    imp = sub.add_parser(
        "import-returns",
        help="导入各单位月报 / import returns into this ledger",
        description="导入月报：每个文件一行结果；有文件被拒绝时退出码为1，其余文件照常导入。\n"
        "Import returns, a line per file; exit status 1 when any file was refused (the others are imported).",
    )
    add_db(imp)
    imp.add_argument("files", nargs="+", metavar="FILE.xlsx", help="月报文件 / return files")
    imp.set_defaults(run=run_import)

    summary = sub.add_parser(
        "export-summary",
        help="导出全县汇总表 / export the county summary (.xlsx)",
        description="导出各单位各项指标的目标、完成、完成率与排名及全县合计。\n"
        "Write every unit's target, actual, rate and rank per indicator, with the county totals.",
    )
    add_db(summary)
    add_month(summary)
    summary.add_argument("--out", metavar="FILE.xlsx", required=True, help="输出文件 / output file")
    summary.set_defaults(run=run_summary)

    targets_out = sub.add_parser(
        "export-targets",
        help="导出年度目标任务分解表 / export the targets grid of a year",
        description="导出某年各单位各项指标的年度目标（年度目标任务分解表）。\nWrite the targets grid of a year.",
    )
    add_db(targets_out)
    targets_out.add_argument("--year", metavar="YYYY", type=int, required=True, help="年份 / year")
    targets_out.add_argument("--out", metavar="FILE.xlsx", required=True, help="输出文件 / output file")
    targets_out.set_defaults(run=run_export_targets)

    targets_in = sub.add_parser(
        "import-targets",
        help="导入年度目标任务分解表 / import the targets grid",
        description="导入年度目标任务分解表：表中的目标替换本台账该年的目标；被拒绝时退出码为1。\n"
        "Import a targets grid: it replaces the year's targets; exit status 1 when refused.",
    )
    add_db(targets_in)
    targets_in.add_argument("file", metavar="FILE.xlsx", help="目标任务分解表 / targets workbook")
    targets_in.add_argument("--dry-run", action="store_true", help="只预览，不写入 / preview only")
    targets_in.set_defaults(run=run_import_targets)


def run_export(args) -> int:
    import sys

    from ..store.checks_query import ReturnBlocked, gate_for_export

    period = parse_month(args.month)
    if args.out and not args.unit:
        raise InputError("--out 只能导出一个单位的月报，请同时给出 --unit；导出所有单位请用 --out-dir")
    ledger = open_for_reading(args.db)
    try:
        with ledger.read() as session:
            units = [args.unit] if args.unit else unit_names(session)
            if args.out_dir:
                folder = Path(args.out_dir)
                if folder.exists() and not folder.is_dir():
                    raise InputError(f"不是文件夹：{folder}")
                folder.mkdir(parents=True, exist_ok=True)
            blocked = 0
            for unit in units:
                path = Path(args.out) if args.out else Path(args.out_dir) / return_file_name(unit, period)
                if path.suffix.lower() != ".xlsx":
                    raise InputError(f"输出文件的扩展名应为 .xlsx：{path}")
                find_unit(session, unit)
                try:
                    explanations = gate_for_export(session, unit, period, force=args.force)
                except ReturnBlocked as exc:
                    blocked += 1
                    print(one_line(f"未导出  {exc.message}"), file=sys.stderr)
                    for f in exc.findings:  # checks (issue 6): what stops it, with the rule and key for --ack
                        print(one_line(f"    [{f.level.label}] {f.title}：{f.message}（{f.rule} {f.record.key}）"), file=sys.stderr)
                    continue
                result = export_return(session, unit, period, path, explanations=explanations)
                note = f"，审核说明{len(explanations)}条" if explanations else ""
                print(one_line(f"已导出  {result.path}：{result.unit} {period.chinese}，项目{result.projects}个{note}"))
    finally:
        ledger.close()
    if blocked:
        print(f"{blocked}个单位的月报未通过审核，未导出（zsdesk check 查看；--force 放过未说明的警告）", file=sys.stderr)
        return 1
    return 0


def run_import(args) -> int:
    ledger = open_for_writing(args.db)
    try:
        outcomes = import_returns(ledger, args.files)
    finally:
        ledger.close()
    for outcome in outcomes:
        print(one_line(outcome.line))
        if outcome.status == "imported":
            from ..domain.money import format_wan
            from ..returns.import_report import cleared_projects

            # What was lost comes first, by name with the money (the window's preview does the same).
            for cleared in cleared_projects(outcome.preview):
                months = "、".join(f"{m}月" for m in sorted(cleared.months))
                where = "月报中没有此项目" if not cleared.in_return else "月报中这些月份为空"
                print(one_line(f"        清除：“{cleared.name}”{months}到位资金{format_wan(cleared.amount, places=2)}万元（{where}）"))
            for finding in outcome.preview.findings:
                print(one_line(f"        提示：{finding}"))
    refused = sum(o.status == "refused" for o in outcomes)
    print(f"共{len(outcomes)}个文件：导入{sum(o.status == 'imported' for o in outcomes)}个，"
          f"无变化{sum(o.status == 'unchanged' for o in outcomes)}个，拒绝{refused}个")
    return 1 if refused else 0


def run_summary(args) -> int:
    from ..returns.summary import export_summary

    period = parse_month(args.month)
    ledger = open_for_reading(args.db)
    try:
        with ledger.read() as session:
            path = export_summary(session, period, Path(args.out))
    finally:
        ledger.close()
    print(f"已导出汇总表：{path}")
    return 0


def run_export_targets(args) -> int:
    from ..returns.targets import export_targets

    ledger = open_for_reading(args.db)
    try:
        with ledger.read() as session:
            result = export_targets(session, args.year, Path(args.out))
    finally:
        ledger.close()
    print(f"已导出{args.year}年目标任务分解表：{result}")
    return 0


def run_import_targets(args) -> int:
    from ..returns.targets import apply_targets, preview_targets

    ledger = open_for_writing(args.db)
    try:
        with ledger.begin() as session:
            preview = preview_targets(session, Path(args.file))
            if preview.refusal:
                print(one_line(f"已拒绝  {preview.refusal.message}"))
                return 1
            for line in preview.lines():
                print(one_line(line))
            if args.dry_run:
                session.rollback()
                print("（预览，未写入）")
                return 0
            apply_targets(session, preview)
        print(one_line(f"已导入  {Path(args.file).name}：{preview.summary()}"))
    finally:
        ledger.close()
    return 0
