"""The review and the 通报 as Word files: opened again with python-docx and checked against
GB/T 9704 (page, grid, fonts and sizes per style, page numbers, 落款, 附件) and against
``load_progress`` (every figure in every table and sentence)."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal

import docx
import pytest
from docx.oxml.ns import qn
from sqlalchemy import select

from zsdesk.cli.main import main
from zsdesk.documents import gbt9704 as gb
from zsdesk.domain.enums import Indicator, Measure, Stage, Status
from zsdesk.domain.periods import YearMonth
from zsdesk.domain.records import ProjectData
from zsdesk.resources import CJK_FONT_FAMILY, CJK_FONT_PS_NAMES
from zsdesk.store import projects as proj
from zsdesk.store.models import Unit
from zsdesk.store.progress_query import load_progress
from zsdesk.store.targets import set_target

JUNE = YearMonth(2026, 6)
SIGNED_ON = "2026-07-10"
MM = 36000  # EMU per millimetre


# ---------------------------------------------------------------- fixtures


def run_cli(*args) -> int:
    return main([str(a) for a in args])


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    """The demo county's June review and 通报 (with the chart), written by the CLI once."""
    from zsdesk.store.demo import write_demo

    folder = tmp_path_factory.mktemp("documents")
    db = folder / "demo.sqlite"
    write_demo(db, JUNE, "small").close()
    review, bulletin = folder / "简报.docx", folder / "通报.docx"
    assert run_cli("brief", "--db", db, "--month", "2026-06", "--out", review, "--date", SIGNED_ON) == 0
    assert run_cli("bulletin", "--db", db, "--month", "2026-06", "--out", bulletin, "--date", SIGNED_ON, "--chart") == 0
    return {"db": db, "review": review, "bulletin": bulletin}


@pytest.fixture(scope="module")
def demo_table(demo_files):
    from zsdesk.store.db import open_ledger

    ledger = open_ledger(demo_files["db"], readonly=True)
    try:
        with ledger.read() as session:
            yield load_progress(session, JUNE)
    finally:
        ledger.close()


@pytest.fixture(scope="module")
def review(demo_files):
    return docx.Document(demo_files["review"])


@pytest.fixture(scope="module")
def bulletin(demo_files):
    return docx.Document(demo_files["bulletin"])


# ---------------------------------------------------------------- independent formatting


def wan2(value) -> str:
    return f"{Decimal(value).quantize(Decimal('0.01'), ROUND_HALF_UP):,.2f}"


def quantity(indicator: Indicator, value) -> str:
    if value is None:
        return "—"
    return wan2(value) if indicator.measure is Measure.MONEY else str(value)


def pct(rate) -> str:
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(Decimal('0.01'), ROUND_HALF_UP):.2f}%"


def yi(wan) -> str:
    return f"{(Decimal(wan) / 10000).quantize(Decimal('0.01'), ROUND_HALF_UP):.2f}"


MARK = {Status.DONE: "★已完成", Status.AHEAD: "▲快于序时", Status.BEHIND: "△慢于序时", Status.NOTHING: "○无实绩",
        Status.NO_TARGET: "—无任务"}


def cells(row) -> tuple[str, ...]:
    seen, out = set(), []
    for cell in row.cells:  # a merged cell is returned once per grid column
        if id(cell._tc) not in seen:
            seen.add(id(cell._tc))
            out.append(cell.text)
    return tuple(out)


def style_rpr(document, style_name):
    return document.styles[style_name].element.rPr


def font_of(rpr) -> dict[str, str]:
    fonts = rpr.find(qn("w:rFonts"))
    return {key: fonts.get(qn(f"w:{key}")) for key in ("ascii", "hAnsi", "eastAsia", "cs", "hint")}


def size_of(rpr) -> Decimal:
    return Decimal(rpr.find(qn("w:sz")).get(qn("w:val"))) / 2


def is_bold(rpr) -> bool:
    return rpr.find(qn("w:b")) is not None


# ---------------------------------------------------------------- page setup and grid


@pytest.mark.parametrize("which", ["review", "bulletin"])
def test_page_setup_is_gbt9704(which, review, bulletin):
    document = {"review": review, "bulletin": bulletin}[which]
    (section,) = document.sections
    assert round(section.page_width / MM, 1) == 210.0 and round(section.page_height / MM, 1) == 297.0
    assert round(section.top_margin / MM, 1) == 37.0
    assert round(section.left_margin / MM, 1) == 28.0
    assert round(section.right_margin / MM, 1) == 26.0
    assert round(section.bottom_margin / MM, 1) == 35.0
    width = section.page_width - section.left_margin - section.right_margin
    height = section.page_height - section.top_margin - section.bottom_margin
    assert round(width / MM, 1) == 156.0 and round(height / MM, 1) == 225.0

    grid = section._sectPr.find(qn("w:docGrid"))
    pitch = int(grid.get(qn("w:linePitch")))
    assert grid.get(qn("w:type")) == "lines" and pitch == 579
    height_twips = height // 635
    assert 22 * pitch <= height_twips < 23 * pitch  # the grid gives exactly 22 lines
    normal = document.styles["Normal"].element
    spacing = normal.pPr.find(qn("w:spacing"))
    assert (spacing.get(qn("w:line")), spacing.get(qn("w:lineRule"))) == ("579", "exact")
    char_spacing = int(normal.rPr.find(qn("w:spacing")).get(qn("w:val")))
    pitch_twips = 16 * 20 + char_spacing
    width_twips = width // 635
    assert 28 * pitch_twips <= width_twips < 29 * pitch_twips  # 28 characters a line
    assert document.settings.odd_and_even_pages_header_footer


def test_layout_constants_follow_from_the_standard():
    assert (gb.RIGHT_MARGIN_MM, gb.BOTTOM_MARGIN_MM) == (26, 35)
    assert gb.LINE_PITCH_TWIPS == 579 and gb.CHAR_SPACING_TWIPS == -5
    assert gb.written_date(dt.date(2026, 7, 1)) == "2026年7月1日"
    assert [gb.heading_number(level, 2) for level in (1, 2, 3, 4)] == ["二、", "（二）", "2.", "（2）"]
    assert gb.chinese_number(11) == "十一" and gb.chinese_number(20) == "二十"
    # 7.3.5.2: the date two characters right of the issuer's first character, 右空二字
    name, date = gb.signature_indents("磐安县招商局", "2026年7月10日")
    assert (name, date) == (Decimal("4.5"), 2)
    name, date = gb.signature_indents("磐安县人民政府办公室", "2026年7月1日")
    assert (name, date) == (2, 4)


# ---------------------------------------------------------------- fonts and sizes per style


STYLES = {
    # style: (font, size, bold)
    "Normal": ("仿宋_GB2312", 16, False),
    "Title": ("方正小标宋简体", 22, False),
    "Heading 1": ("黑体", 16, False),
    "Heading 2": ("楷体_GB2312", 16, False),
    "Heading 3": ("仿宋_GB2312", 16, True),
    "Footer": ("宋体", 14, False),
    "附件标识": ("黑体", 16, False),
    "附件标题": ("方正小标宋简体", 22, False),
    "发文机关署名": ("仿宋_GB2312", 16, False),
    "成文日期": ("仿宋_GB2312", 16, False),
}


@pytest.mark.parametrize("which", ["review", "bulletin"])
def test_fonts_and_sizes_per_style(which, review, bulletin):
    document = {"review": review, "bulletin": bulletin}[which]
    for name, (font, size, bold) in STYLES.items():
        rpr = style_rpr(document, name)
        assert font_of(rpr) == {"ascii": font, "hAnsi": font, "eastAsia": font, "cs": font, "hint": "eastAsia"}, name
        assert size_of(rpr) == size, name
        assert is_bold(rpr) is bold, name
    assert document.styles["Title"].paragraph_format.alignment == 1  # centred
    for level in (1, 2, 3):
        outline = document.styles[f"Heading {level}"].element.pPr.find(qn("w:outlineLvl"))
        assert outline.get(qn("w:val")) == str(level - 1)  # the navigation pane of WPS and Word


@pytest.mark.parametrize("which", ["review", "bulletin"])
def test_each_paragraph_has_the_style_of_its_role(which, review, bulletin):
    document = {"review": review, "bulletin": bulletin}[which]
    paragraphs = document.paragraphs
    assert paragraphs[0].style.name == "Title"
    for p in paragraphs:
        text = p.text
        if re.match(r"^[一二三四五六七八九十]+、", text):
            assert p.style.name == "Heading 1", text
        elif re.match(r"^（[一二三四五六七八九十]+）", text):
            assert p.style.name == "Heading 2", text
        elif re.match(r"^\d+\.", text):
            assert p.style.name == "Heading 3", text
        for run in p.runs:  # formatting lives in the styles; a run only adds bold or the highlight
            rpr = run._r.rPr
            if rpr is not None:
                assert {child.tag for child in rpr} <= {qn("w:b"), qn("w:highlight")}, text
    headings = [p.text for p in paragraphs if p.style.name == "Heading 1"]
    if which == "review":
        assert headings == ["一、上半年工作情况", "二、存在的问题", "三、下半年工作思路"]
    else:
        assert headings == ["一、总体情况", "二、各单位完成情况", "三、下步工作要求"]


@pytest.mark.parametrize("which", ["review", "bulletin"])
def test_fonts_named_as_a_government_pc_has_them_never_the_bundled_one(which, demo_files):
    with zipfile.ZipFile(demo_files[which]) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    font_table = parts["word/fontTable.xml"].decode("utf-8")
    for name, alt in [("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"), ("方正小标宋简体", "宋体"), ("黑体", "SimHei"), ("宋体", "SimSun")]:
        assert re.search(rf'<w:font w:name="{name}"><w:altName w:val="{alt}"/>', font_table), name
        assert f'<w:font w:name="{name}">' in font_table and '<w:charset w:val="86"/>' in font_table
    for name, data in parts.items():
        if name.endswith(".xml") or name.endswith(".rels"):
            text = data.decode("utf-8")
            assert "Noto" not in text and CJK_FONT_FAMILY not in text, name
            assert not any(ps in text for ps in CJK_FONT_PS_NAMES), name
    assert "word/stylesWithEffects.xml" not in parts  # no stale copy of the template's styles


# ---------------------------------------------------------------- page numbers, 落款, 附件, placeholders


@pytest.mark.parametrize("which", ["review", "bulletin"])
def test_page_numbers_odd_right_even_left(which, review, bulletin):
    (section,) = {"review": review, "bulletin": bulletin}[which].sections
    for footer, side in [(section.footer, "right"), (section.even_page_footer, "left")]:
        (paragraph,) = footer.paragraphs
        assert paragraph.style.name == "Footer"
        assert paragraph.text == "— 1 —"
        xml = paragraph._p.xml
        assert "<w:instrText" in xml and " PAGE " in xml and 'w:fldCharType="begin"' in xml
        assert paragraph.paragraph_format.alignment == (2 if side == "right" else 0)
        indent = paragraph._p.pPr.find(qn("w:ind"))
        assert indent.get(qn(f"w:{side}Chars")) == "100"  # 空一字


def test_review_ends_with_issuer_and_date_then_the_attachment(review):
    texts = [p.text for p in review.paragraphs]
    signature = texts.index("磐安县招商局")
    assert texts[signature + 1] == "2026年7月10日"
    assert texts[signature - 2] == "附件：2026年1-6月各单位招商引资目标任务完成情况"
    sig, date = review.paragraphs[signature], review.paragraphs[signature + 1]
    assert sig.style.name == "发文机关署名" and date.style.name == "成文日期"
    assert sig._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "450"
    assert date._p.pPr.find(qn("w:ind")).get(qn("w:rightChars")) == "200"
    label = review.paragraphs[signature + 2]
    assert label.text == "附件" and label.style.name == "附件标识"
    assert review.styles["附件标识"].element.pPr.find(qn("w:pageBreakBefore")) is not None  # 另面编排
    assert review.paragraphs[signature + 4].text == "2026年1-6月各单位招商引资\n目标任务完成情况"


@pytest.mark.parametrize("which", ["review", "bulletin"])
def test_placeholders_are_highlighted_and_nothing_else_is(which, review, bulletin):
    document = {"review": review, "bulletin": bulletin}[which]
    found = 0
    for p in document.paragraphs:
        for run in p.runs:
            highlight = run._r.rPr.find(qn("w:highlight")) if run._r.rPr is not None else None
            if "【请填写：" in run.text:
                found += 1
                assert run.text.endswith("】") and highlight is not None and highlight.get(qn("w:val")) == "yellow"
            else:
                assert highlight is None, run.text
    assert found >= (20 if which == "review" else 1)
    if which == "review":  # narrative left in every chapter, figures everywhere else
        text = "\n".join(p.text for p in document.paragraphs)
        for chapter in re.split(r"\n[一二三]、", text)[1:]:
            assert "【请填写：" in chapter


def test_colour_is_never_the_only_mark(bulletin):
    xml = bulletin.element.xml
    colours = set(re.findall(r'<w:color w:val="([0-9A-Fa-f]{6}|auto)"', bulletin.styles.element.xml + xml))
    assert colours <= {"000000", "auto"}
    fills = set(re.findall(r'w:fill="([0-9A-F]{6})"', xml))
    assert all(fill[0:2] == fill[2:4] == fill[4:6] for fill in fills)  # greys only: they print in black and white


# ---------------------------------------------------------------- the tables and every figure


def test_every_table_repeats_its_header_row(review, bulletin):
    for document in (review, bulletin):
        assert document.tables
        for table in document.tables:
            rows = table.rows
            assert rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
            assert all(r._tr.trPr.find(qn("w:tblHeader")) is None for r in rows[1:])
            assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in rows)
            assert table.style is None or table.style.name != "Table Grid"
            width = sum(int(c.get(qn("w:w"))) for c in table._tbl.tblGrid.findall(qn("w:gridCol")))
            assert width <= gb.TYPE_AREA_WIDTH_TWIPS


def test_review_attachment_holds_every_unit_and_indicator_from_load_progress(review, demo_table):
    (table,) = review.tables
    rows = [cells(r) for r in table.rows]
    assert rows[0] == ("单位", "年度目标", "累计完成", "完成率", "排名", "进度")
    expected = []
    for indicator in Indicator:
        word = "万元" if indicator.measure is Measure.MONEY else ("家" if indicator in (
            Indicator.MAJOR_PROJECTS, Indicator.FILM_CULTURE_FIRMS) else "个")
        name = "新引进投资规模5000万元以上企业" if indicator is Indicator.MAJOR_PROJECTS else indicator.label
        expected.append((f"{name}（{word}）",))
        for row in [r for r in demo_table.rows if r.indicator is indicator and r.unit is not None]:
            expected.append((row.unit, quantity(indicator, row.target), quantity(indicator, row.actual), pct(row.rate),
                             str(row.rank) if row.rank else "—", MARK[row.status]))
        county = demo_table.county(indicator)
        expected.append(("全县", quantity(indicator, county.target), quantity(indicator, county.actual), pct(county.rate),
                         "—", MARK[county.status]))
    assert rows[1:] == expected


def test_review_text_holds_the_county_figures(review, demo_table):
    text = "".join(p.text for p in review.paragraphs)
    domestic = demo_table.county(Indicator.DOMESTIC_FUNDS)
    assert f"全县共引进内资{yi(domestic.actual)}亿元" in text
    assert f"的{pct(domestic.rate)}；" in text
    planned = demo_table.county(Indicator.PLANNED_PROJECTS)
    assert f"报送谋划项目{planned.actual}个，完成年度目标任务{planned.target}个的{pct(planned.rate)}" in text


def test_bulletin_title_recipients_and_county_figures(bulletin, demo_table):
    paragraphs = [p.text for p in bulletin.paragraphs]
    assert paragraphs[0] == "全县招商引资工作通报（2026年第6期）"
    assert paragraphs[2] == "各乡镇（街道）、各区块、县级有关部门："
    text = "".join(paragraphs)
    assert "截至6月底，序时进度为50.00%。" in text
    for indicator, name in [
        (Indicator.DOMESTIC_FUNDS, "全县引进内资到位资金"),
        (Indicator.ZHEJIANG_RETURN_FUNDS, "全县浙商回归到位资金"),
        (Indicator.MOUNTAIN_SEA_FUNDS, "全县山海协作项目实际到位资金"),
    ]:
        row = demo_table.county(indicator)
        gap = (abs(row.rate - Decimal(1) / 2) * 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        word = "快于" if row.rate >= Decimal(1) / 2 else "慢于"
        assert f"{name}{yi(row.actual)}亿元，完成年度目标任务{yi(row.target)}亿元的{pct(row.rate)}，{word}序时进度{gap}个百分点" in text
    signed = demo_table.county(Indicator.SIGNED_PROJECTS)
    assert f"签约项目{signed.actual}个，完成年度目标任务{signed.target}个的{pct(signed.rate)}" in text


def test_bulletin_ranks_every_indicator_as_load_progress_does(bulletin, demo_table):
    body = bulletin.element.body
    tables = bulletin.tables
    assert len(tables) == len(Indicator)
    for n, (indicator, table) in enumerate(zip(Indicator, tables), start=1):
        units = [r for r in demo_table.rows if r.indicator is indicator and r.unit is not None]
        ranked = sorted((r for r in units if r.rank), key=lambda r: r.rank) + [r for r in units if not r.rank]
        county = demo_table.county(indicator)
        expected = [(str(r.rank) if r.rank else "—", r.unit, quantity(indicator, r.target), quantity(indicator, r.actual),
                     pct(r.rate), MARK[r.status]) for r in ranked]
        expected.append(("—", "全县", quantity(indicator, county.target), quantity(indicator, county.actual),
                         pct(county.rate), MARK[county.status]))
        rows = table.rows
        assert [cells(r) for r in rows[1:]] == expected
        for row, data in zip(rows[1:], ranked):  # black and white: bold for done, grey for nothing
            runs = [run for cell in row.cells for p in cell.paragraphs for run in p.runs]
            assert all(run.bold for run in runs) is (data.status is Status.DONE)
            shaded = row.cells[0]._tc.tcPr.find(qn("w:shd"))
            assert (shaded is not None) is (data.status is Status.NOTHING)
        # the paragraph before the table names the first three, the last three and 无实绩
        position = list(body).index(table._tbl)
        caption = body[position - 1]
        assert "".join(caption.itertext()).startswith(f"表{n}")
        sentence = "".join(body[position - 2].itertext())
        top = [r for r in ranked if r.rank and r.rank <= 3]
        assert "排名前三位的是" + "、".join(f"{r.unit}（{pct(r.rate)}）" for r in top) in sentence
        nothing = [r.unit for r in units if r.status is Status.NOTHING]
        for unit in nothing:
            assert unit in sentence.split("；")[-1]
        if nothing:
            assert sentence.split("。")[0].endswith("还无实绩")


def test_bulletin_chart_is_a_print_size_picture(demo_files, bulletin):
    (shape,) = bulletin.inline_shapes
    assert round(shape.width / MM) == 156 and round(shape.height / MM) == 130
    with zipfile.ZipFile(demo_files["bulletin"]) as package:
        (image,) = [n for n in package.namelist() if n.startswith("word/media/")]
        data = package.read(image)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width_px = int.from_bytes(data[16:20], "big")
    assert width_px >= 156 / 25.4 * 300 - 2  # 300 dpi at the printed width
    texts = [p.text for p in bulletin.paragraphs]
    assert "图1　各单位引进内资到位资金完成率排名" in texts


# ---------------------------------------------------------------- a small hand-made ledger: exact figures


@pytest.fixture
def small_ledger(ledger, ledger_path):
    """测试县: 甲镇 done, 乙乡 behind, 丙街道 nothing, 丁园区 no target (引进内资 only)."""
    with ledger.begin() as session:
        ids = dict(session.execute(select(Unit.name, Unit.id)).all())
        for unit, target in [("甲镇", "1000"), ("乙乡", "2000"), ("丙街道", "500"), (None, "4000")]:
            set_target(session, ids[unit] if unit else None, 2026, Indicator.DOMESTIC_FUNDS, target)
        for unit, name, funds in [
            ("甲镇", "云山康养项目", {(2026, 2): Decimal("800"), (2026, 5): Decimal("400.5")}),
            ("乙乡", "花溪蔬菜基地", {(2026, 3): Decimal("600")}),
            ("丁园区", "园区厂房", {(2026, 4): Decimal("100")}),
        ]:
            data = ProjectData(
                name=name, unit_id=ids[unit], stage=Stage.SIGNED,
                dates={Stage.PLANNED: dt.date(2026, 1, 5), Stage.SIGNED: dt.date(2026, 2, 1)},
                planned_investment=Decimal("6000"), funds=funds, liaison_leader="王县长", responsible_unit=unit,
            )
            proj.save_project(session, None, data, dt.date(2026, 6, 30))
    ledger.close()
    return ledger_path


def test_small_ledger_bulletin_has_the_exact_figures(small_ledger, tmp_path):
    out = tmp_path / "通报.docx"
    assert run_cli("bulletin", "--db", small_ledger, "--month", "2026-06", "--out", out, "--date", "2026-07-01") == 0
    document = docx.Document(out)
    texts = [p.text for p in document.paragraphs]
    assert texts[2] == "各乡镇（街道）、各区块："
    text = "".join(texts)
    assert ("截至6月底，序时进度为50.00%。全县引进内资到位资金0.19亿元，完成年度目标任务0.40亿元的47.51%，"
            "慢于序时进度2.49个百分点；全县浙商回归到位资金0.00亿元（未下达年度目标任务）") in text
    assert ("承担该项任务的3家单位中，排名前三位的是甲镇（120.05%）、乙乡（30.00%）、丙街道（0.00%）；"
            "甲镇已完成年度目标任务；快于序时进度的0家，慢于序时进度的1家；丙街道还无实绩。丁园区未下达该项任务。") in texts
    assert [cells(r) for r in document.tables[0].rows] == [
        ("排名", "单位", "年度目标", "累计完成", "完成率", "进度"),
        ("1", "甲镇", "1,000.00", "1,200.50", "120.05%", "★已完成"),
        ("2", "乙乡", "2,000.00", "600.00", "30.00%", "△慢于序时"),
        ("3", "丙街道", "500.00", "0.00", "0.00%", "○无实绩"),
        ("—", "丁园区", "—", "100.00", "—", "—无任务"),
        ("—", "全县", "4,000.00", "1,900.50", "47.51%", "△慢于序时"),
    ]
    assert texts[-2:] == ["测试县招商局", "2026年7月1日"]
    assert "签约项目3个（未下达年度目标任务）" in text


def test_small_ledger_review_has_the_exact_figures(small_ledger, tmp_path):
    out = tmp_path / "回顾.docx"
    assert run_cli("brief", "--db", small_ledger, "--month", "2026-06", "--out", out, "--issuer", "测试县招商局",
                   "--date", "2026-07-01") == 0
    document = docx.Document(out)
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "测试县招商局上半年招商引资工作回顾\n及下半年工作思路"
    assert any(t.startswith("据统计，1-6月，全县共引进内资0.19亿元，完成年度目标任务0.4亿元的47.51%；") for t in texts)
    rows = [cells(r) for r in document.tables[0].rows]
    assert rows[1:7] == [
        ("引进内资到位资金（万元）",),
        ("甲镇", "1,000.00", "1,200.50", "120.05%", "1", "★已完成"),
        ("乙乡", "2,000.00", "600.00", "30.00%", "2", "△慢于序时"),
        ("丙街道", "500.00", "0.00", "0.00%", "3", "○无实绩"),
        ("丁园区", "—", "100.00", "—", "—", "—无任务"),
        ("全县", "4,000.00", "1,900.50", "47.51%", "—", "△慢于序时"),
    ]


def test_a_unit_review_is_signed_by_the_unit(small_ledger, tmp_path):
    out = tmp_path / "甲镇.docx"
    assert run_cli("brief", "--db", small_ledger, "--month", "2026-06", "--unit", "甲镇", "--out", out,
                   "--date", "2026-07-01") == 0
    texts = [p.text for p in docx.Document(out).paragraphs]
    assert texts[0].startswith("甲镇上半年招商引资工作回顾")
    assert "甲镇" in texts and "（二）工作进展。" in texts


# ---------------------------------------------------------------- refusals: one Chinese line, no file


def test_refusals_write_nothing(small_ledger, ledger_path, tmp_path, capsys):
    doc = tmp_path / "简报.doc"
    assert run_cli("brief", "--db", small_ledger, "--month", "2026-06", "--out", doc) == 2
    assert "不支持的文件格式“.doc”" in capsys.readouterr().err and not doc.exists()
    pdf = tmp_path / "通报.pdf"
    assert run_cli("bulletin", "--db", small_ledger, "--month", "2026-06", "--out", pdf) == 2
    assert "通报只能存为Word文件" in capsys.readouterr().err and not pdf.exists()
    out = tmp_path / "x.docx"
    assert run_cli("brief", "--db", small_ledger, "--month", "2026-06", "--out", out, "--date", "2026-7-1x") == 2
    assert "日期“2026-7-1x”格式不对" in capsys.readouterr().err and not out.exists()
    assert run_cli("brief", "--db", small_ledger, "--month", "2026-06", "--unit", "火星镇", "--out", out) == 2
    assert "未知的单位“火星镇”" in capsys.readouterr().err and not out.exists()
    missing = tmp_path / "没有这个文件夹" / "通报.docx"
    assert run_cli("bulletin", "--db", small_ledger, "--month", "2026-06", "--out", missing) == 2
    assert "无法保存Word文件（文件夹不存在）" in capsys.readouterr().err
    assert list(tmp_path.glob("**/*.docx")) == [] and list(tmp_path.glob("**/.*.part")) == []


def test_nothing_to_report_exits_1_and_writes_nothing(ledger, ledger_path, tmp_path, capsys):
    ledger.close()
    out = tmp_path / "通报.docx"
    assert run_cli("bulletin", "--db", ledger_path, "--month", "2026-06", "--out", out) == 1
    assert "台账中没有2026年的目标任务，无法生成通报" in capsys.readouterr().err and not out.exists()
    assert run_cli("brief", "--db", ledger_path, "--month", "2026-06", "--out", out) == 1
    assert "无法生成工作回顾" in capsys.readouterr().out and not out.exists()


def test_text_that_xml_cannot_hold_is_shown_not_fatal(small_ledger, tmp_path):
    from zsdesk.store.db import open_ledger

    ledger = open_ledger(small_ledger)
    with ledger.begin() as session:
        session.get(Unit, session.scalar(select(Unit.id).where(Unit.name == "乙乡"))).name = "乙\x07乡"
    ledger.close()
    out = tmp_path / "通报.docx"
    assert run_cli("bulletin", "--db", small_ledger, "--month", "2026-06", "--out", out) == 0
    assert ("2", "乙\ufffd乡") == cells(docx.Document(out).tables[0].rows[2])[:2]
