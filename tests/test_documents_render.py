"""The review and the 通报 rendered by LibreOffice (headless) to PDF and measured there:
22 lines 28.95 pt apart on a full page, 28 characters a line, the page numbers where
GB/T 9704 puts them, and the figures of load_progress on the pages.

This machine has no Chinese system font: LibreOffice is pointed at the bundled font by a
fontconfig file in the test's environment (the document itself never names it), so the
glyphs render and pdftotext reads them back.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from zsdesk.cli.main import main
from zsdesk.documents import gbt9704 as gb
from zsdesk.domain.enums import Indicator
from zsdesk.domain.periods import YearMonth
from zsdesk.resources import CJK_FONT_FAMILY, CJK_FONT_REGULAR

from libreoffice_edit import soffice_convert

pytestmark = pytest.mark.skipif(
    shutil.which("soffice") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice (soffice) or poppler-utils (pdftotext) is not installed",
)

JUNE = YearMonth(2026, 6)
PT_PER_MM = 72 / 25.4
SOFFICE_TIMEOUT = 240
GOVERNMENT_FONTS = [font.name for font in gb.ALL_FONTS]

FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>
  <dir>{fonts}</dir>
  <cachedir>{cache}</cachedir>
  {aliases}
</fontconfig>
"""
ALIAS = '<alias binding="same"><family>{name}</family><prefer><family>{family}</family></prefer></alias>'


@dataclass(frozen=True)
class Line:
    page: int
    x_min: float
    y_min: float
    x_max: float
    y_max: float
    text: str


def render(docx_path: Path, workdir: Path) -> Path:
    """docx → PDF with a private LibreOffice profile, the bundled font made visible."""
    conf = workdir / "fonts.conf"
    aliases = "\n  ".join(ALIAS.format(name=name, family=CJK_FONT_FAMILY) for name in GOVERNMENT_FONTS)
    conf.write_text(
        FONTCONFIG.format(fonts=CJK_FONT_REGULAR.parent, cache=workdir / "fc-cache", aliases=aliases), encoding="utf-8"
    )
    return soffice_convert(docx_path, "pdf", workdir, timeout=SOFFICE_TIMEOUT, env={"FONTCONFIG_FILE": str(conf)})


def lines_of(pdf: Path) -> list[Line]:
    html = subprocess.run(["pdftotext", "-bbox-layout", str(pdf), "-"], check=True, capture_output=True,
                          text=True, timeout=60).stdout
    out = []
    for number, page in enumerate(html.split("<page ")[1:], start=1):
        for x0, y0, x1, y1, inner in re.findall(
            r'<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</line>', page, re.S
        ):
            text = "".join(re.findall(r">([^<]*)</word>", inner))
            out.append(Line(number, float(x0), float(y0), float(x1), float(y1), text))
    return out


def plain_text(pdf: Path) -> str:
    text = subprocess.run(["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True, timeout=60).stdout
    return re.sub(r"\s+", "", text)


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    from zsdesk.store.db import open_ledger
    from zsdesk.store.demo import write_demo
    from zsdesk.store.progress_query import load_progress

    folder = tmp_path_factory.mktemp("render")
    db = folder / "demo.sqlite"
    write_demo(db, JUNE, "small").close()
    review, bulletin = folder / "review.docx", folder / "bulletin.docx"
    assert main(["brief", "--db", str(db), "--month", "2026-06", "--out", str(review), "--date", "2026-07-10"]) == 0
    assert main(["bulletin", "--db", str(db), "--month", "2026-06", "--out", str(bulletin), "--date", "2026-07-10",
                 "--chart"]) == 0
    ledger = open_ledger(db, readonly=True)
    with ledger.read() as session:
        table = load_progress(session, JUNE)
    ledger.close()
    return {"review": render(review, folder), "bulletin": render(bulletin, folder), "table": table}


def type_area_pt():
    top = gb.TOP_MARGIN_TWIPS / 20
    return top, top + gb.TYPE_AREA_HEIGHT_TWIPS / 20


def body_lines(lines: list[Line], page: int) -> list[Line]:
    top, bottom = type_area_pt()
    return [ln for ln in lines if ln.page == page and top - 2 <= ln.y_min < bottom]


def test_a_full_page_holds_22_lines_of_28_characters(rendered):
    lines = lines_of(rendered["review"])
    pages = sorted({ln.page for ln in lines})
    full = []
    for page in pages:
        on_page = body_lines(lines, page)
        heights = {round(ln.y_max - ln.y_min) for ln in on_page}
        if len(on_page) >= 20 and heights <= {21}:  # body-size text only (no title, no table)
            full.append(on_page)
    assert full, "no page of the review is all body text"
    pitch = gb.LINE_PITCH_TWIPS / 20  # 28.95 pt
    filled = 0
    for on_page in full:
        tops = sorted({round(ln.y_min, 1) for ln in on_page})
        first = min(ln.y_min for ln in lines if ln.page == on_page[0].page and ln.y_min >= type_area_pt()[0] - 2)
        slots = [(top - first) / pitch for top in tops]
        assert all(abs(k - round(k)) < 0.02 for k in slots), slots  # every line on the 28.95 pt grid
        assert max(round(k) for k in slots) < gb.LINES_PER_PAGE, f"page {on_page[0].page}: a 23rd line"
        filled += len(tops) == gb.LINES_PER_PAGE
    assert filled, "no page holds 22 lines"
    widest = 0
    for ln in (ln for page in full for ln in page):
        if not re.search(r"[\x00-\x7f]", ln.text):  # all Chinese: every character a full cell
            count = len(ln.text) - (1 if ln.text[-1] in "，。；：、）”" and len(ln.text) == 29 else 0)
            assert count <= gb.CHARS_PER_LINE, ln.text  # one hanging punctuation mark at most
            if count == gb.CHARS_PER_LINE and ln.x_min < gb.LEFT_MARGIN_TWIPS / 20 + 2:
                widest = max(widest, count)
                pitch = (ln.x_max - ln.x_min) / len(ln.text)
                assert abs(pitch - 15.75) < 0.1, pitch  # 16 pt − 0.25 pt spacing
    assert widest == gb.CHARS_PER_LINE


def test_page_numbers_where_the_standard_puts_them(rendered):
    for which in ("review", "bulletin"):
        lines = lines_of(rendered[which])
        pages = sorted({ln.page for ln in lines})
        _, bottom = type_area_pt()
        for page in pages:
            (number,) = [ln for ln in lines if ln.page == page and ln.y_min > bottom]
            assert number.text == f"—{page}—"
            middle_mm = ((number.y_min + number.y_max) / 2 - bottom) / PT_PER_MM
            assert 5.5 <= middle_mm <= 8.5, middle_mm  # 一字线 about 7 mm under the type area
            left = gb.LEFT_MARGIN_TWIPS / 20
            right = left + gb.TYPE_AREA_WIDTH_TWIPS / 20
            if page % 2:  # odd: right, one character in
                assert right - 20 < number.x_max < right - 8
            else:
                assert left + 8 < number.x_min < left + 20


def yi(wan) -> str:
    return f"{(Decimal(wan) / 10000).quantize(Decimal('0.01'), ROUND_HALF_UP):.2f}"


def pct(rate) -> str:
    return f"{(rate * 100).quantize(Decimal('0.01'), ROUND_HALF_UP):.2f}%"


def test_the_figures_are_on_the_pages(rendered):
    table = rendered["table"]
    review, bulletin = plain_text(rendered["review"]), plain_text(rendered["bulletin"])
    domestic = table.county(Indicator.DOMESTIC_FUNDS)
    assert f"全县共引进内资{yi(domestic.actual)}亿元" in review
    assert f"全县引进内资到位资金{yi(domestic.actual)}亿元，完成年度目标任务{yi(domestic.target)}亿元的{pct(domestic.rate)}" in bulletin
    assert "全县招商引资工作通报（2026年第6期）" in bulletin
    assert "磐安县招商局2026年7月10日" in bulletin and "磐安县招商局2026年7月10日" in review
    for row in table.ranking(Indicator.DOMESTIC_FUNDS)[:3]:
        assert f"{row.unit}（{pct(row.rate)}）" in bulletin
    for row in table.rows:  # every unit's rate, in the review's 附件 and the 通报's tables
        if row.rate is not None:
            assert pct(row.rate) in review and pct(row.rate) in bulletin


def test_pages_are_a4_and_drawn_with_real_glyphs(rendered, tmp_path):
    for which in ("review", "bulletin"):
        info = subprocess.run(["pdfinfo", str(rendered[which])], capture_output=True, text=True, check=True).stdout
        assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
        fonts = subprocess.run(["pdffonts", str(rendered[which])], capture_output=True, text=True, check=True).stdout
        assert "NotoSansSCGBK" in fonts  # the substitute fontconfig was given, so no boxes
        assert "【请填写" in plain_text(rendered[which]) or which == "bulletin"
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(rendered["bulletin"]),
                        str(tmp_path / "page")], check=True, timeout=60)
        (png,) = tmp_path.glob("page*.png")
        assert png.stat().st_size > 5000  # a page with text on it, not a blank one
