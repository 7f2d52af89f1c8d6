"""`zsdesk chart`: a progress chart (ranking, trend, unit card, pipeline) as PNG, PDF or SVG.

Exit status: 0 written; 1 nothing to draw (no targets for the year, a zero target, no
projects); 2 a wrong argument (unknown indicator or unit, bad month) or an output file
that cannot be written.
"""

from __future__ import annotations

import argparse

from ..charts.build import BY_INDUSTRY, BY_UNIT, ChartKind, ChartRequest, build_chart, parse_indicator, parse_kind
from ..charts.export import format_of, save_figure
from .common import add_db, add_month, open_for_reading, parse_month

ORDER = 30


def register(sub) -> None:
    parser = sub.add_parser(
        "chart",
        help="进度图表 / a progress chart (PNG, PDF, SVG)",
        description="画出进度图表并保存为 PNG、PDF 或 SVG（A4横向）。\n"
        "Draw a progress chart and save it as PNG, PDF or SVG (A4 landscape).\n"
        "  ranking  各单位完成率排名 / units ranked by completion rate\n"
        "  trend    逐月累计完成与序时进度 / cumulative actual by month against the schedule\n"
        "  card     单位卡片：各项指标完成率与项目阶段 / one unit's card\n"
        "  pipeline 在手项目分阶段 / projects in hand by stage",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_db(parser)
    add_month(parser)
    parser.add_argument(
        "--indicator",
        metavar="ID",
        default="domestic_funds",
        help="指标（标识或中文名，默认 domestic_funds）/ indicator id or Chinese label",
    )
    parser.add_argument("--unit", metavar="NAME", help="单位 / unit (card, a unit's trend, bold in the ranking)")
    parser.add_argument(
        "--kind",
        metavar="KIND",
        help="图表类型 ranking|trend|card|pipeline（默认 ranking；给出 --unit 时默认 card）/ chart kind",
    )
    parser.add_argument(
        "--by",
        choices=[BY_UNIT, BY_INDUSTRY],
        default=BY_UNIT,
        help="项目阶段图按单位或按产业分组 / pipeline grouped by unit or industry",
    )
    parser.add_argument("--out", metavar="FILE", required=True, help="输出文件 .png/.pdf/.svg / output file")
    parser.set_defaults(run=run)


def run(args) -> int:
    format_of(args.out)  # a wrong suffix is refused before any work
    period = parse_month(args.month)
    indicator = parse_indicator(args.indicator)
    if args.kind:
        kind = parse_kind(args.kind)
    else:
        kind = ChartKind.CARD if args.unit else ChartKind.RANKING
    request = ChartRequest(kind, period, indicator, args.unit, args.by)
    ledger = open_for_reading(args.db)
    try:
        with ledger.read() as session:
            figure = build_chart(session, request)
    finally:
        ledger.close()
    path = save_figure(figure, args.out)
    print(f"已保存{kind.label}图：{path}（{figure.get_suptitle()}）")
    return 0
