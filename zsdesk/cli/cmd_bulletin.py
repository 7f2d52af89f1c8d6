"""`zsdesk bulletin`: the monthly 通报 as a Word file in the layout of GB/T 9704."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from .cmd_brief import add_document_options, parse_date
from .common import add_db, add_month, open_for_reading, parse_month

ORDER = 46


def register(sub) -> None:
    parser = sub.add_parser(
        "bulletin",
        help="生成月度通报（Word）/ write the monthly bulletin (通报) as a Word file",
        description="生成全县招商引资工作通报：全县完成情况与序时进度，各单位按指标排名（前三位、后三位、无实绩），\n"
        "按 GB/T 9704 排版的Word文件。\n"
        "Write the monthly 通报: the county's figures against the schedule and every unit ranked per\n"
        "indicator, as a Word file in the layout of GB/T 9704.\n"
        "该年没有目标任务时退出状态为1 / exit status 1 when the year has no targets.",
    )
    add_db(parser)
    add_month(parser)
    parser.add_argument("--out", metavar="FILE.docx", required=True, help="Word文件 / the .docx to write")
    parser.add_argument(
        "--chart", action="store_true", help="附引进内资完成率排名图 / add the ranking chart of 引进内资"
    )
    add_document_options(parser)
    parser.set_defaults(run=run)


def run(args) -> int:
    from ..documents.build import build_bulletin
    from ..documents.docx_writer import write_docx

    period = parse_month(args.month)
    if Path(args.out).suffix.lower() != ".docx":
        raise InputError(f"通报只能存为Word文件：请用 .docx 结尾的文件名（而不是“{Path(args.out).name}”）")
    signed_on = parse_date(args.date)
    ledger = open_for_reading(args.db)
    try:
        with ledger.read() as session:
            document = build_bulletin(session, period, issuer=args.issuer, signed_on=signed_on, chart=args.chart)
    finally:
        ledger.close()
    path = write_docx(document, args.out)
    print(f"已生成{document.title}（Word）：{path}")
    return 0
