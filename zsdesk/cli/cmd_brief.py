"""`zsdesk brief`: the review's figures as text, or the whole review as a Word file."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import InputError
from ..store.brief_query import write_brief
from .common import add_db, add_month, open_for_reading, parse_month

ORDER = 45

FORMATS = (".txt", ".docx")


def register(sub) -> None:
    parser = sub.add_parser(
        "brief",
        help="生成简报或工作回顾（.txt 文本 / .docx Word公文）/ write the brief, or the review as Word",
        description="由台账数据生成工作回顾中带数字的段落：主要数据、工作进展不平衡。\n"
        "--out 以 .docx 结尾时，生成按 GB/T 9704 排版的工作回顾（Word文件，待填写的文字以【请填写：…】标出）。\n"
        "Write the paragraphs of the review that hold numbers; with --out FILE.docx the whole review\n"
        "as a Word file in the layout of GB/T 9704 (the prose to write marked 【请填写：…】).\n"
        "没有该月数据时退出状态为1 / exit status 1 when the month has no data.",
    )
    add_db(parser)
    add_month(parser)
    parser.add_argument("--unit", metavar="NAME", help="一个单位的简报 / the brief of one unit")
    parser.add_argument(
        "--out", metavar="FILE.txt|FILE.docx", help="另存为文本（.txt）或Word（.docx）/ save as text or Word"
    )
    add_document_options(parser)
    parser.set_defaults(run=run)


def add_document_options(parser) -> None:
    parser.add_argument(
        "--date", metavar="YYYY-MM-DD", help="成文日期，默认今天（Word文件）/ the date written at the end, default today"
    )
    parser.add_argument(
        "--issuer", metavar="NAME", help="发文机关署名，默认“县名+招商局”/ the issuing body, default the county's bureau"
    )


def parse_date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InputError(f"日期“{text}”格式不对，应写作 YYYY-MM-DD，例如 2026-07-10") from None


def output_format(path: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise InputError(
            f"不支持的文件格式“{suffix or Path(path).name}”：简报请存为 .txt（文本）或 .docx（Word）"
        )
    return suffix


def run(args) -> int:
    period = parse_month(args.month)
    fmt = output_format(args.out) if args.out else ".txt"
    signed_on = parse_date(args.date)
    if fmt == ".docx":
        return _run_docx(args, period, signed_on)
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


def _run_docx(args, period, signed_on) -> int:
    from ..documents.build import build_review
    from ..documents.docx_writer import write_docx

    ledger = open_for_reading(args.db)
    try:
        with ledger.read() as session:
            document = build_review(session, period, unit=args.unit, issuer=args.issuer, signed_on=signed_on)
    finally:
        ledger.close()
    if not document.has_data:
        print(document.text(), end="")
        return 1
    path = write_docx(document, args.out)
    print(f"已生成工作回顾（Word）：{path}（待填写{len(document.placeholders())}处，以【请填写：…】标出）")
    return 0
