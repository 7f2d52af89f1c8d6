"""`zsdesk import-ledger`: bring a township's existing Excel / WPS / CSV ledger in."""

from __future__ import annotations

import sys

from ..errors import InputError
from .common import add_db, open_for_writing, parse_month

ORDER = 45
EXIT_OK, EXIT_PROBLEMS = 0, 1


def register(sub) -> None:
    cmd = sub.add_parser(
        "import-ledger",
        help="导入已有的项目台账（Excel、WPS存的.xls、CSV）/ import an existing ledger spreadsheet",
        description="导入乡镇已有的招商项目台账：自动找表头、猜列的含义、读取各种写法的日期、阶段、金额和是否；\n"
        "每一行先核对，能导入的导入，不能导入的逐行列出工作表、行、列和原因（退出码1）。同一文件导入两次，第二次不改动任何数据。\n"
        "Import a township's own ledger (.xlsx, .xlsm, .xls, .csv): header found, columns guessed, values read as clerks\n"
        "type them; rows that cannot be read are listed with sheet, row, column and reason (exit 1).",
    )
    add_db(cmd)
    cmd.add_argument("file", metavar="FILE", help="台账文件 / ledger spreadsheet (.xlsx .xlsm .xls .csv)")
    cmd.add_argument("--unit", metavar="NAME", help="项目所属单位 / the unit the projects belong to")
    cmd.add_argument("--sheet", metavar="NAME", help="工作表（默认第一张）/ sheet (default: the first)")
    cmd.add_argument("--mapping", metavar="MAP.json", help="使用保存的对应关系 / use a saved mapping")
    cmd.add_argument("--save-mapping", metavar="MAP.json", help="保存本次的对应关系以便下次使用 / save the mapping used")
    cmd.add_argument(
        "--cumulative-month", metavar="YYYY-MM",
        help="累计到位资金截至的月份（默认最后一个月）/ the month a cumulative funds column runs to (default: the last)",
    )
    cmd.add_argument("--dry-run", action="store_true", help="只预览，不写入 / preview only, write nothing")
    cmd.set_defaults(run=run_import_ledger)


def run_import_ledger(args) -> int:
    from ..ledger_import import Mapping, apply_plan, build_plan, read_table
    from ..ledger_import.plan import effective_mapping, findings_of

    mapping = Mapping.load(args.mapping) if args.mapping else Mapping()
    if args.unit:
        mapping.unit = args.unit
    if args.sheet:
        mapping.sheet = args.sheet
    if args.cumulative_month:
        period = parse_month(args.cumulative_month)
        mapping.funds_year, mapping.cumulative_month = period.year, period.month
    table = read_table(args.file, mapping.sheet)
    with open_for_writing(args.db) as ledger:
        with ledger.begin() as session:
            plan = build_plan(session, table, mapping)
            if not args.dry_run:
                outcome = apply_plan(session, plan)
                plan = outcome.plan
        _print_plan(plan)
        if args.save_mapping:
            effective_mapping(plan).save(args.save_mapping)
            print(f"对应关系已保存：{args.save_mapping}")
        if args.dry_run:
            print("预览（--dry-run）：没有写入任何数据")
        elif outcome.wrote:
            with ledger.begin() as session:
                counts = findings_of(session, outcome.project_ids)
            print(f"已导入：新增{outcome.created}个项目，更新{outcome.updated}个；导入前的备份：{outcome.backup}")
            print(f"审核：导入的项目有{counts['error']}条错误、{counts['warning']}条警告、{counts['hint']}条提示"
                  "（zsdesk check 查看详情）")
        else:
            print("台账中已是文件里的内容，没有改动")
    for problem in plan.errors:
        print(f"错误：{problem}", file=sys.stderr)
    return EXIT_PROBLEMS if plan.errors else EXIT_OK


def _print_plan(plan) -> None:
    print(f"文件：{plan.table.path.name}（{plan.table.describe()}），表头在第{plan.header.first_row}"
          + (f"—{plan.header.first_row + 1}" if plan.header.rows == 2 else "") + "行")
    mapped = [f"{c.header}→{c.label}" for c in plan.columns if c.field != "ignore"]
    print("列的对应：" + "；".join(mapped))
    for note in plan.notes:
        print(f"说明：{note}")
    print(plan.summary())
    for row in plan.rows:
        if row.status == "update":
            changes = "；".join(f"{label}：{before} → {after}" for label, before, after in row.changes)
            print(f"  第{row.row}行 更新“{row.name}”：{changes}")
        for problem in row.problems:
            if problem.level == "note":
                print(f"  提示：{problem}")


__all__ = ["register", "run_import_ledger", "InputError"]
