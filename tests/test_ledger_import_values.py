"""The value parsers of the ledger import, header finding, and files refused quickly."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from zsdesk.domain.enums import Stage
from zsdesk.ledger_import import LedgerFileRefused, read_table
from zsdesk.ledger_import import reading
from zsdesk.ledger_import.headers import detect_header, join_headers
from zsdesk.ledger_import.vocabulary import (
    ValueProblem, guess_field, parse_date, parse_flag, parse_money, parse_stage,
)


@pytest.mark.parametrize("typed, day, noted", [
    ("2026-3-5", dt.date(2026, 3, 5), False),
    ("2026.3.5", dt.date(2026, 3, 5), False),
    ("2026/3/5", dt.date(2026, 3, 5), False),
    ("2026年3月5日", dt.date(2026, 3, 5), False),
    ("２０２６年３月５日", dt.date(2026, 3, 5), False),
    ("20260305", dt.date(2026, 3, 5), False),
    ("2026年3月", dt.date(2026, 3, 1), True),
    ("2026.03", dt.date(2026, 3, 1), True),
    (46086, dt.date(2026, 3, 5), False),  # an Excel serial number
    (dt.datetime(2026, 3, 5, 14, 30), dt.date(2026, 3, 5), False),
    ("2026-03-05 00:00:00", dt.date(2026, 3, 5), False),
    ("", None, False),
    ("/", None, False),
])
def test_dates_as_clerks_type_them(typed, day, noted):
    got, note = parse_date(typed)
    assert got == day
    assert bool(note) is noted


@pytest.mark.parametrize("typed", ["2026-2-30", "明年", "2026.13", True, 3.5, "1900-01-01"])
def test_dates_that_are_not(typed):
    with pytest.raises(ValueProblem):
        parse_date(typed)


@pytest.mark.parametrize("typed, unit, wan", [
    (1200, "万元", Decimal(1200)),
    ("1,234.5", "万元", Decimal("1234.5")),
    ("１，２３４．５", "万元", Decimal("1234.5")),
    (1.25, "亿元", Decimal(12_500)),
    ("3.5亿", "万元", Decimal(35_000)),
    ("800万", "亿元", Decimal(800)),
    ("12,345,678", "元", Decimal("1234.5678")),
    ("5000元", "万元", Decimal("0.5")),
    (0.1, "亿元", Decimal(1000)),  # 0.1 as a float is not 0.1: read as typed
    ("—", "万元", None),
    (None, "万元", None),
])
def test_money_exactly(typed, unit, wan):
    got = parse_money(typed, unit)
    assert got == wan
    assert got is None or isinstance(got, Decimal)


@pytest.mark.parametrize("typed, unit", [("一百", "万元"), ("12.5", "元"), ("-5", "万元"), (True, "万元"), ("1e400", "万元")])
def test_money_refused(typed, unit):
    with pytest.raises(ValueProblem):
        parse_money(typed, unit)


@pytest.mark.parametrize("typed, flag", [
    ("是", True), ("否", False), ("√", True), ("×", False), ("Y", True), ("n", False), ("1", True), (0, False),
    (None, False), ("", False), ("已申报", True), ("未申报", False),
])
def test_flags(typed, flag):
    assert parse_flag(typed) is flag


@pytest.mark.parametrize("word, stage", [
    ("谋划", Stage.PLANNED), ("储备", Stage.PLANNED), ("在谈", Stage.NEGOTIATING), ("洽谈中", Stage.NEGOTIATING),
    ("意向", Stage.NEGOTIATING), ("已签约", Stage.SIGNED), ("注册", Stage.LANDED), ("在建", Stage.UNDER_CONSTRUCTION),
    ("竣工投产", Stage.IN_OPERATION), ("暂停", Stage.SUSPENDED), ("终止", Stage.TERMINATED),
])
def test_stage_words(word, stage):
    assert parse_stage(word) is stage


def test_unknown_stage_word_is_a_problem_unless_mapped():
    with pytest.raises(ValueProblem, match="搁置"):
        parse_stage("搁置")
    assert parse_stage("搁置", {"搁置": "suspended"}) is Stage.SUSPENDED


@pytest.mark.parametrize("header, field", [
    ("项目名称", "name"), ("投资主体", "investor"), ("企业名称", "investor"), ("产业类别", "industry"), ("行业", "industry"),
    ("项目进度", "stage"), ("总投资额（亿元）", "planned_investment"), ("计划总投资\n（万元）", "planned_investment"),
    ("签约日期", "signed_on"), ("开工时间", "construction_on"), ("是否浙商回归", "zhejiang_return"),
    ("项目编号", "code"), ("序号", "ignore"), ("到位资金 / 本月", "ignore"), ("到位资金 / 本年累计", "funds_cumulative"),
    ("3月", "funds_month:03"), ("2026年3月", "funds_month:2026-03"), ("2026年到位资金 / 11月", "funds_month:2026-11"),
    ("注册资本(万元)", "registered_capital"), ("项目进展", "progress_note"), ("", "ignore"),
])
def test_fields_guessed_from_headers(header, field):
    assert guess_field(header) == field


def test_two_row_header_with_a_merged_group_is_joined():
    rows = [
        ["某镇招商项目台账"],
        ["单位：万元"],
        ["序号", "项目名称", "到位资金", None, "签约时间"],
        [None, None, "本月", "本年累计", None],
        [1, "灵江影视基地", 10, 110, "2026-3-5"],
    ]
    assert detect_header(rows) == (3, 2)
    assert join_headers(rows, 3, 2) == ["序号", "项目名称", "到位资金 / 本月", "到位资金 / 本年累计", "签约时间"]


def test_a_first_data_row_is_not_taken_for_a_second_header():
    rows = [["项目名称", "投资方", "项目阶段"], ["灵江影视基地", "颐高集团", "签约"]]
    assert detect_header(rows) == (1, 1)


# --- files refused, each with one Chinese sentence -------------------------------------------

def test_wps_et_file_says_how_to_save_as_xlsx(tmp_path):
    path = tmp_path / "台账.et"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(LedgerFileRefused, match=r"WPS表格专用格式（\.et）.*另存为.*Excel 工作簿（\*\.xlsx）"):
        read_table(path)


def test_encrypted_xlsx_says_to_remove_the_password(tmp_path):
    path = tmp_path / "加密.xlsx"  # Excel writes a password-protected .xlsx as an OLE file
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600)
    with pytest.raises(LedgerFileRefused, match="设置了打开密码.*去掉密码"):
        read_table(path)


def test_too_big_refused_before_reading(tmp_path, monkeypatch):
    monkeypatch.setattr(reading, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "big.csv"
    path.write_text("项目名称\n" + "某项目\n" * 500, encoding="utf-8")
    with pytest.raises(LedgerFileRefused, match="文件太大"):
        read_table(path)


def test_too_many_rows_refused(tmp_path, monkeypatch):
    from openpyxl import Workbook

    monkeypatch.setattr(reading, "MAX_ROWS", 50)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("台账")
    ws.append(["项目名称"])
    for i in range(200):
        ws.append([f"项目{i}"])
    path = tmp_path / "rows.xlsx"
    wb.save(path)
    with pytest.raises(LedgerFileRefused, match="超过50行"):
        read_table(path)


def test_damaged_and_unknown_files(tmp_path):
    truncated = tmp_path / "cut.xlsx"
    truncated.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(LedgerFileRefused, match="损坏"):
        read_table(truncated)
    other = tmp_path / "a.pdf"
    other.write_bytes(b"%PDF-1.4")
    with pytest.raises(LedgerFileRefused, match="只能导入"):
        read_table(other)
    with pytest.raises(LedgerFileRefused, match="找不到文件"):
        read_table(tmp_path / "missing.xlsx")
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(LedgerFileRefused, match="空的"):
        read_table(empty)


def test_csv_in_an_unknown_encoding_is_refused(tmp_path):
    path = tmp_path / "x.csv"
    path.write_bytes(b"\x81\x30\xff\xfe\xfd" * 10)
    with pytest.raises(LedgerFileRefused, match="编码"):
        read_table(path)


def test_xlsm_is_read_like_xlsx(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "台账"
    wb.active.append(["项目名称", "计划总投资"])
    wb.active.append(["某项目", 100])
    path = tmp_path / "宏.xlsm"
    wb.save(path)
    table = read_table(path)
    assert (table.kind, table.sheet, table.rows) == ("xlsx", "台账", [["项目名称", "计划总投资"], ["某项目", 100]])


@pytest.mark.parametrize("title, month", [
    ("（截至2026年10月底）", 10), ("2026年1-10月招商项目", 10), ("2026年1至9月", 9), ("2025年12月", None), ("项目台账", None),
])
def test_month_a_title_runs_to(title, month):
    from zsdesk.ledger_import.plan import _month_in

    assert _month_in(title, 2026) == month


from hypothesis import given, settings
from hypothesis import strategies as st

_WAN = st.integers(min_value=0, max_value=10**12).map(lambda yuan: Decimal(yuan) / 10_000)


@settings(max_examples=200, deadline=None)
@given(wan=_WAN, unit=st.sampled_from(["万元", "亿元", "元"]), style=st.sampled_from(["plain", "comma", "wide", "suffix"]))
def test_any_amount_written_any_way_reads_back_exactly(wan, unit, style):
    scale = {"万元": Decimal(1), "亿元": Decimal(10_000), "元": Decimal("0.0001")}[unit]
    number = format((wan / scale).normalize(), "f")
    if style == "comma":
        whole, _, frac = number.partition(".")
        number = f"{int(whole):,}" + (f".{frac}" if frac else "")
    elif style == "wide":
        number = number.translate(str.maketrans("0123456789.", "０１２３４５６７８９．"))
    elif style == "suffix":
        number += {"万元": "万", "亿元": "亿", "元": "元"}[unit]
        unit = "万元"  # the suffix wins over the column's unit
    assert parse_money(number, unit) == wan


@settings(max_examples=200, deadline=None)
@given(day=st.dates(min_value=dt.date(1980, 1, 1), max_value=dt.date(2999, 12, 31)),
       form=st.sampled_from(["{y}-{m}-{d}", "{y}.{m}.{d}", "{y}/{m}/{d}", "{y}年{m}月{d}日", "{y}{m:02d}{d:02d}"]))
def test_any_date_typed_any_way_reads_back(day, form):
    assert parse_date(form.format(y=day.year, m=day.month, d=day.day)) == (day, None)
