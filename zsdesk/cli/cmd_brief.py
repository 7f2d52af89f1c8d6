"""`zsdesk brief`: the paragraphs of the half-year review that hold numbers, from the data."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..store.brief_query import write_brief
from .common import add_db, add_month, open_for_reading, parse_month

ORDER = 45


def register(sub) -> None:
    parser = sub.add_parser(
        "brief",
        help="生成简报（主要数据、工作进展不平衡）/ write the brief from the data",
        description="由台账数据生成工作回顾中带数字的段落：主要数据、工作进展不平衡。\n"
        "Write the paragraphs of the review that hold numbers: main figures, uneven progress.\n"
        "没有该月数据时退出状态为1 / exit status 1 when the month has no data.",
    )
    add_db(parser)
    add_month(parser)
    parser.add_argument("--unit", metavar="NAME", help="一个单位的简报 / the brief of one unit")
    parser.add_argument("--out", metavar="FILE.txt", help="另存为文本文件 / also save as a text file")
    parser.set_defaults(run=run)


def run(args) -> int:
    period = parse_month(args.month)
    ledger = open_for_reading(args.db)
    try:
        with ledger.read() as session:
            brief = write_brief(session, period, unit=args.unit)
    finally:
        ledger.close()
    text = brief.text()
    if args.out:
        out = Path(args.out)
        try:
            out.write_bytes(brief.file_bytes())
        except OSError as exc:
            raise InputError(f"无法保存简报（{exc.strerror or exc}）：{out}") from None
    print(text, end="")
    return 0 if brief.has_data else 1

