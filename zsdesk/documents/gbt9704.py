"""The layout of GB/T 9704-2012 《党政机关公文格式》, as named constants with their clause.

Every length, size and font the review and the 通报 are written with lives here, so a
reader can check each one against the standard. Nothing here imports python-docx: the
values are plain integers (millimetres, points, twips) and names; the writer
(:mod:`zsdesk.documents.docx_writer`) turns them into OOXML.

Lengths Word stores in twips (1/20 pt, 1/1440 in) are computed here once, rounded to
the whole twip the file holds, and the type area and the grid are derived from those
rounded margins — so the 22 lines and 28 characters hold for the numbers Word and
WPS actually read, not for the ideal millimetres.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

# ---------------------------------------------------------------- units

TWIPS_PER_PT = 20
TWIPS_PER_INCH = 1440
MM_PER_INCH = Fraction(254, 10)


def mm_to_twips(mm: int | Fraction) -> int:
    """Millimetres → whole twips (what w:pgMar and w:pgSz hold), rounded half up."""
    exact = Fraction(mm) * TWIPS_PER_INCH / MM_PER_INCH
    return int(exact + Fraction(1, 2))


def twips_to_mm(twips: int) -> Fraction:
    return Fraction(twips) * MM_PER_INCH / TWIPS_PER_INCH


# ---------------------------------------------------------------- page (clause 5.2)

PAGE_WIDTH_MM = 210
PAGE_HEIGHT_MM = 297
"""5.2.1 / GB/T 148: 公文用纸采用 A4 型纸，其成品幅面尺寸为 210 mm × 297 mm."""

TOP_MARGIN_MM = 37
"""5.2.2 页边与版心尺寸: 天头（上白边）为 37 mm ± 1 mm."""
LEFT_MARGIN_MM = 28
"""5.2.2: 公文用纸订口（左白边）为 28 mm ± 1 mm."""
TYPE_AREA_WIDTH_MM = 156
TYPE_AREA_HEIGHT_MM = 225
"""5.2.2: 版心尺寸为 156 mm × 225 mm."""
RIGHT_MARGIN_MM = PAGE_WIDTH_MM - LEFT_MARGIN_MM - TYPE_AREA_WIDTH_MM  # 26 mm
BOTTOM_MARGIN_MM = PAGE_HEIGHT_MM - TOP_MARGIN_MM - TYPE_AREA_HEIGHT_MM  # 35 mm

PAGE_WIDTH_TWIPS = mm_to_twips(PAGE_WIDTH_MM)  # 11906
PAGE_HEIGHT_TWIPS = mm_to_twips(PAGE_HEIGHT_MM)  # 16838
TOP_MARGIN_TWIPS = mm_to_twips(TOP_MARGIN_MM)  # 2098
LEFT_MARGIN_TWIPS = mm_to_twips(LEFT_MARGIN_MM)  # 1587
RIGHT_MARGIN_TWIPS = mm_to_twips(RIGHT_MARGIN_MM)  # 1474
BOTTOM_MARGIN_TWIPS = mm_to_twips(BOTTOM_MARGIN_MM)  # 1984
TYPE_AREA_WIDTH_TWIPS = PAGE_WIDTH_TWIPS - LEFT_MARGIN_TWIPS - RIGHT_MARGIN_TWIPS  # 8845
TYPE_AREA_HEIGHT_TWIPS = PAGE_HEIGHT_TWIPS - TOP_MARGIN_TWIPS - BOTTOM_MARGIN_TWIPS  # 12756

# ---------------------------------------------------------------- body text (5.2.3, 5.2.4, 7.3.3)

BODY_SIZE_PT = 16
"""5.2.3 字体和字号: 如无特殊说明，公文格式各要素一般用3号仿宋体字 (3号 = 16 pt)."""
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
"""5.2.4 行数和字数: 一般每面排22行，每行排28个字，并撑满版心."""

LINE_PITCH_TWIPS = TYPE_AREA_HEIGHT_TWIPS // LINES_PER_PAGE  # 579 twips = 28.95 pt
"""The fixed line spacing (行距固定值) and the grid's w:linePitch: the largest whole twip
with 22 lines inside the type area (22 × 579 = 12738 ≤ 12756 < 23 × 579)."""

GRID_TYPE = "lines"
"""w:docGrid/@w:type: a line grid of :data:`LINE_PITCH_TWIPS`; the 28 characters come
from the character spacing below, not from a character grid.

Why not ``linesAndChars`` with w:charSpace = −842 (the pitch 15.79 pt Word would squeeze
16 pt characters into): LibreOffice rounds every glyph *up* to whole grid cells, so a
16 pt character in a 15.79 pt cell takes two — measured with LibreOffice 7.4, such a file
renders 14 characters a line. A line grid plus a spacing of −0.25 pt gives 28 in Word,
WPS and LibreOffice alike (measured: 15.75 pt a character, 22 lines 28.95 pt apart)."""


def _char_spacing_twips() -> int:
    """The character spacing (w:spacing, whole twips, ≤ 0) closest to zero with which
    28 body characters fit the type area's width: 16 pt + s ≤ width ÷ 28."""
    pitch_twips = Fraction(TYPE_AREA_WIDTH_TWIPS, CHARS_PER_LINE)
    spacing = pitch_twips - BODY_SIZE_PT * TWIPS_PER_PT
    whole = int(spacing) - (1 if spacing < int(spacing) else 0)  # floor
    return min(0, whole)


CHAR_SPACING_TWIPS = _char_spacing_twips()  # −5 twips = −0.25 pt
CHAR_PITCH_PT = BODY_SIZE_PT + Fraction(CHAR_SPACING_TWIPS, TWIPS_PER_PT)  # 15.75 pt; 28 × 15.75 = 441 ≤ 442.25

FIRST_LINE_INDENT_CHARS = 2
"""7.3.3 正文: 每个自然段左空二字，回行顶格."""

# ---------------------------------------------------------------- fonts (5.2.3, 7.2.3, 7.3.3, 7.5)


@dataclass(frozen=True)
class Font:
    """A font as a government PC names it, with the one Word and WPS fall back to.

    ``name`` goes into w:rFonts (w:eastAsia and the others); ``alt`` is the font table's
    w:altName, which Word and WPS use when ``name`` is not installed (Windows 10 has 仿宋
    and 楷体 but not the _GB2312 faces unless the office installed them).
    """

    name: str
    alt: str
    panose: str = "02010609060101010101"
    charset: str = "86"
    """GB2312."""
    family: str = "modern"
    pitch: str = "fixed"


FANGSONG = Font("仿宋_GB2312", "仿宋", "02010609030101010101")
"""5.2.3 / 7.3.3: the body, and the third- and fourth-level headings 1. and （1）."""
XIAOBIAOSONG = Font("方正小标宋简体", "宋体", "02000000000000000000", family="auto", pitch="variable")
"""7.2.3 标题: 一般用2号小标宋体字."""
HEITI = Font("黑体", "SimHei", "02010609060101010101")
"""7.3.3: 结构层次序数 … 一般第一层用黑体字; 8: “附件”二字用3号黑体字."""
KAITI = Font("楷体_GB2312", "楷体", "02010609030101010101")
"""7.3.3: 第二层用楷体字."""
SONGTI = Font("宋体", "SimSun", "02010600030101010101", family="auto")
"""7.5 页码: 一般用4号半角宋体阿拉伯数字."""
ALL_FONTS = (FANGSONG, XIAOBIAOSONG, HEITI, KAITI, SONGTI)

TITLE_SIZE_PT = 22
"""7.2.3 标题: 2号 (22 pt) 小标宋体字, 分一行或多行居中排布."""
HEADING_SIZE_PT = BODY_SIZE_PT
"""7.3.3: the heading levels are set in the body size, 3号."""
PAGE_NUMBER_SIZE_PT = 14
"""7.5: 4号 (14 pt)."""
TABLE_SIZE_PT = 12
"""Tables: the standard sets no size (10.1 only their placement); 小四 (12 pt) 仿宋 lets the
附件's six columns and the 通报's tables fit the 156 mm width, as bureaus' tables do."""
TABLE_HEADER_FONT = HEITI
TABLE_ROW_HEIGHT_MM = 7
"""A table row's least height: one 小四 line with air above and below."""

# ---------------------------------------------------------------- heading numbers (7.3.3)

HEADING_NUMBERS = ("一、", "（一）", "1.", "（1）")
"""7.3.3: 文中结构层次序数依次可以用“一、”“（一）”“1.”“（1）”标注."""
HEADING_FONTS = (HEITI, KAITI, FANGSONG, FANGSONG)
HEADING_BOLD = (False, False, True, False)
"""The third level “1.” is set bold: the bureau's own reviews do (the seed review's 1.做好…)."""

CHINESE_NUMERALS = "一二三四五六七八九十"


def chinese_number(n: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十 (for 一、 and （一） up to 99)."""
    if not 1 <= n <= 99:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    text = "" if tens == 0 else ("十" if tens == 1 else CHINESE_NUMERALS[tens - 1] + "十")
    return text + (CHINESE_NUMERALS[ones - 1] if ones else "")


def heading_number(level: int, n: int) -> str:
    """The number of the ``n``-th heading at ``level`` (1–4): 一、 （一） 1. （1）."""
    if level == 1:
        return f"{chinese_number(n)}、"
    if level == 2:
        return f"（{chinese_number(n)}）"
    if level == 3:
        return f"{n}."
    if level == 4:
        return f"（{n}）"
    raise ValueError(level)


# ---------------------------------------------------------------- page numbers (7.5)

PAGE_NUMBER_DASH = "—"
"""7.5: 数字左右各放一条一字线 (U+2014 EM DASH, the 一字线 of GB/T 15834)."""
PAGE_NUMBER_GAP_BELOW_TYPE_AREA_MM = 7
"""7.5: 一字线上距版心下边缘 7 mm."""
PAGE_NUMBER_SIDE_INDENT_CHARS = 1
"""7.5: 单页码居右空一字，双页码居左空一字."""
FOOTER_DISTANCE_MM = 25
"""w:pgMar/@w:footer, the page's bottom edge → the bottom of the page-number line: the
14 pt line is about 6.4 mm high with the 一字线 at its middle, so the dashes sit about
25 + 3.2 = 28.2 mm above the page's edge, 35 − 28.2 ≈ 7 mm under the type area (7.5);
measured in LibreOffice's rendering by tests/test_documents_render.py."""
FOOTER_DISTANCE_TWIPS = mm_to_twips(FOOTER_DISTANCE_MM)

# ---------------------------------------------------------------- 主送机关, 附件, 落款 (7.3.2, 7.3.4, 7.3.5, 8)

RECIPIENT_COLON = "："
"""7.3.2 主送机关: 编排于标题下空一行位置，居左顶格，最后一个机关名称后标全角冒号."""
ATTACHMENT_NOTE_PREFIX = "附件："
"""7.3.4 附件说明: 在正文下空一行左空二字编排“附件”二字，后标全角冒号和附件名称."""
ATTACHMENT_LABEL = "附件"
"""8 附件: “附件”二字 … 用3号黑体字顶格编排在版心左上角第一行。附件标题居中编排在版心第三行."""
SIGNATURE_RIGHT_INDENT_CHARS = 2
"""7.3.5.2 不加盖印章的公文: 在正文（或附件说明）下空一行右空二字编排发文机关署名."""
DATE_SHIFT_CHARS = 2
"""7.3.5.2: 在发文机关署名下一行编排成文日期，首字比发文机关署名首字右移二字；如成文日期
长于发文机关署名，应当使成文日期右空二字编排，并相应增加发文机关署名右空字数."""


def written_date(day: dt.date) -> str:
    """7.3.5.1 成文日期: 用阿拉伯数字将年、月、日标全，年份应标全称，月、日不编虚位 —
    2026年7月10日, never 2026年07月10日."""
    return f"{day.year}年{day.month}月{day.day}日"


def text_width_chars(text: str) -> Fraction:
    """Width in body characters: ASCII (half-width digits and letters) half, the rest one."""
    return sum((Fraction(1, 2) if ord(ch) < 0x80 else Fraction(1) for ch in text), Fraction(0))


def signature_indents(issuer: str, date_text: str) -> tuple[Fraction, Fraction]:
    """Right indents (in characters) of the 署名 and the 成文日期 lines, by 7.3.5.2.

    Both lines are right-aligned; the date's first character stands two characters right
    of the issuer's first: r_date + width(date) = r_issuer + width(issuer) − 2.
    """
    name, date = text_width_chars(issuer), text_width_chars(date_text)
    name_indent = max(Fraction(SIGNATURE_RIGHT_INDENT_CHARS), SIGNATURE_RIGHT_INDENT_CHARS + DATE_SHIFT_CHARS + date - name)
    date_indent = name_indent + name - DATE_SHIFT_CHARS - date
    return name_indent, date_indent


# ---------------------------------------------------------------- tables (10.1) and pictures

TABLE_HEADER_REPEATS = True
"""A table that runs over a page repeats its header row (w:tblHeader): 10.1 asks a table's
header to stand with it on every page it spans (表格横排时 … 表头在订口一边)."""
PICTURE_WIDTH_MM = TYPE_AREA_WIDTH_MM
"""A chart is printed at the type area's width."""
PICTURE_DPI = 300
"""Print resolution of a chart PNG: 300 dpi at the width it is printed."""
HIGHLIGHT_PLACEHOLDER = "yellow"
"""Prose the bureau must write (【请填写：…】) is highlighted, so none is printed by mistake."""
PLACEHOLDER_OPEN, PLACEHOLDER_CLOSE = "【请填写：", "】"
