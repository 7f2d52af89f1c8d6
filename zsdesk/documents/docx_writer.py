"""The one writer of Word files: an :class:`OfficialDocument` in the layout of GB/T 9704.

python-docx builds the package; what it has no API for (the character grid, East-Asian
font names, the font table's fallbacks, odd and even footers with a PAGE field, repeated
table headers) is written as OOXML here. Every length, size and font comes from
:mod:`zsdesk.documents.gbt9704`; the paragraph formatting lives in one style per
:class:`~zsdesk.documents.model.Role`, so WPS or Word shows the bureau named styles
(标题 1 … for the headings, with outline levels for the navigation pane), and a paragraph
carries no direct formatting beyond bold and the placeholder highlight.

The document names only the fonts a government PC has (仿宋_GB2312 …) with their
fallbacks in the font table; never the font zsdesk ships.
"""

from __future__ import annotations

import datetime as dt
import errno
import io
import os
import re
from fractions import Fraction
from pathlib import Path

import docx
from docx.enum.section import WD_SECTION_START
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Twips

from ..errors import KnownError
from . import gbt9704 as gb
from .model import Align, OfficialDocument, Paragraph, Picture, Role, RowKind, Table, TableRow

# Style names as WPS and Word show them. Built-in names (Normal, Title, heading n, footer)
# are shown translated (正文, 标题, 标题 1 …) and keep their meaning (outline, navigation).
STYLE_NAMES: dict[Role | str, tuple[str, str]] = {
    # role: (style name, style id)
    Role.BODY: ("Normal", "Normal"),
    Role.TITLE: ("Title", "Title"),
    Role.HEADING1: ("heading 1", "Heading1"),
    Role.HEADING2: ("heading 2", "Heading2"),
    Role.HEADING3: ("heading 3", "Heading3"),
    Role.RECIPIENT: ("主送机关", "GWRecipient"),
    Role.ATTACHMENT_NOTE: ("附件说明", "GWAttachmentNote"),
    Role.SIGNATURE: ("发文机关署名", "GWSignature"),
    Role.DATE: ("成文日期", "GWDate"),
    Role.ATTACHMENT_LABEL: ("附件标识", "GWAttachmentLabel"),
    Role.ATTACHMENT_TITLE: ("附件标题", "GWAttachmentTitle"),
    Role.CAPTION: ("表题", "GWCaption"),
    Role.TABLE_NOTE: ("表注", "GWTableNote"),
    Role.BLANK: ("Normal", "Normal"),
    "table_text": ("表格文字", "GWTableText"),
    "table_header": ("表头", "GWTableHeader"),
    "picture": ("图片", "GWPicture"),
    "footer": ("footer", "Footer"),
}

KEPT_STYLES = {"DefaultParagraphFont", "TableNormal", "NoList"}
"""Of the template's styles, the defaults Word expects; every other one is replaced."""

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
VISIBLE_REPLACEMENT = "\ufffd"


def clean_text(text: str) -> str:
    """Text as a Word file may hold it: control characters (illegal in XML) shown as �."""
    return _XML_ILLEGAL.sub(VISIBLE_REPLACEMENT, text)


# ---------------------------------------------------------------- small OOXML helpers


def _set(element, tag: str, **attrs) -> object:
    """The child ``tag`` of ``element`` (made if missing) with ``attrs`` set (w: namespace)."""
    child = element.find(qn(tag))
    if child is None:
        child = OxmlElement(tag)
        element.append(child)
    for key, value in attrs.items():
        child.set(qn(f"w:{key}"), str(value))
    return child


def _order(pr, order: tuple[str, ...]) -> None:
    """Put ``pr``'s children in the schema's order (Word refuses a file otherwise)."""
    rank = {qn(tag): i for i, tag in enumerate(order)}
    children = sorted(pr, key=lambda c: rank.get(c.tag, len(rank)))
    for child in children:
        pr.remove(child)
        pr.append(child)


PPR_ORDER = (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl",
    "w:numPr", "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku",
    "w:wordWrap", "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi",
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)
RPR_ORDER = (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike",
    "w:dstrike", "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid",
    "w:vanish", "w:webHidden", "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs",
    "w:highlight", "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs",
    "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath",
)


def _fonts(rpr, font: gb.Font) -> None:
    """One font for every script, East-Asian first in Word's eyes (w:hint)."""
    _set(rpr, "w:rFonts", ascii=font.name, hAnsi=font.name, eastAsia=font.name, cs=font.name, hint="eastAsia")


def _size(rpr, points: int) -> None:
    _set(rpr, "w:sz", val=points * 2)
    _set(rpr, "w:szCs", val=points * 2)


def _chars(n: Fraction | int) -> int:
    """Characters → hundredths of a character (w:firstLineChars, w:rightChars …)."""
    return int(Fraction(n) * 100)


def _char_twips(n: Fraction | int, size_pt: int = gb.BODY_SIZE_PT) -> int:
    """The same indent in twips, for programs that ignore the *Chars attributes."""
    return int(Fraction(n) * size_pt * gb.TWIPS_PER_PT)


# ---------------------------------------------------------------- the package


def _new_package() -> docx.document.Document:
    document = docx.Document()
    package_part = document.part
    for rid, rel in list(package_part.rels.items()):
        if rel.reltype.endswith("/stylesWithEffects"):
            # Word 2010's copy of the styles: it would keep the template's styles alive
            package_part.drop_rel(rid)
    _font_table(package_part)
    _settings(document)
    _styles(document)
    return document


def _font_table(document_part) -> None:
    """Only the fonts the document uses, each with its fallback (w:altName) and charset."""
    rel = next(r for r in document_part.rels.values() if r.reltype.endswith("/fontTable"))
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    entries = []
    for font in gb.ALL_FONTS:
        entries.append(
            f'<w:font w:name="{font.name}"><w:altName w:val="{font.alt}"/>'
            f'<w:panose1 w:val="{font.panose}"/><w:charset w:val="{font.charset}"/>'
            f'<w:family w:val="{font.family}"/><w:pitch w:val="{font.pitch}"/></w:font>'
        )
    xml = f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:fonts xmlns:w="{w}">{"".join(entries)}</w:fonts>'
    rel.target_part._blob = xml.encode("utf-8")


def _settings(document) -> None:
    settings = document.settings
    settings.odd_and_even_pages_header_footer = True  # 7.5: odd numbers right, even left
    element = settings.element
    lang = element.find(qn("w:themeFontLang"))
    if lang is not None:
        lang.set(qn("w:eastAsia"), "zh-CN")


def _style(document, key, base_type=1):
    """The style for ``key`` (a Role or a table/footer key), made fresh on first use."""
    name, style_id = STYLE_NAMES[key]
    styles = document.styles
    for style in styles:
        if style.style_id == style_id:
            return style
    style = styles.add_style(name, base_type)
    style.style_id = style_id
    return style


def _styles(document) -> None:
    styles_element = document.styles.element
    for style in list(styles_element.findall(qn("w:style"))):
        if style.get(qn("w:styleId")) not in KEPT_STYLES:
            styles_element.remove(style)
    _doc_defaults(styles_element)

    normal = _style(document, Role.BODY)
    _paragraph_style(normal, gb.FANGSONG, gb.BODY_SIZE_PT, first_line=gb.FIRST_LINE_INDENT_CHARS, jc="both")
    normal.element.set(qn("w:default"), "1")
    _format(document, Role.TITLE, gb.XIAOBIAOSONG, gb.TITLE_SIZE_PT, jc="center", snap=False)
    for level, role in enumerate((Role.HEADING1, Role.HEADING2, Role.HEADING3)):
        style = _format(
            document, role, gb.HEADING_FONTS[level], gb.HEADING_SIZE_PT,
            first_line=gb.FIRST_LINE_INDENT_CHARS, jc="both", bold=gb.HEADING_BOLD[level], keep_next=True,
        )
        _set(style.element.get_or_add_pPr(), "w:outlineLvl", val=level)
    _format(document, Role.RECIPIENT, gb.FANGSONG, gb.BODY_SIZE_PT, jc="left")
    _format(document, Role.ATTACHMENT_NOTE, gb.FANGSONG, gb.BODY_SIZE_PT, first_line=gb.FIRST_LINE_INDENT_CHARS, jc="left")
    _format(document, Role.SIGNATURE, gb.FANGSONG, gb.BODY_SIZE_PT, jc="right", keep_next=True)
    _format(document, Role.DATE, gb.FANGSONG, gb.BODY_SIZE_PT, jc="right")
    label = _format(document, Role.ATTACHMENT_LABEL, gb.HEITI, gb.BODY_SIZE_PT, jc="left", keep_next=True)
    _set(label.element.get_or_add_pPr(), "w:pageBreakBefore")  # 8: 附件应当另面编排
    _format(document, Role.ATTACHMENT_TITLE, gb.XIAOBIAOSONG, gb.TITLE_SIZE_PT, jc="center", keep_next=True, snap=False)
    _format(document, Role.CAPTION, gb.HEITI, gb.BODY_SIZE_PT, jc="center", keep_next=True)
    _format(document, Role.TABLE_NOTE, gb.FANGSONG, gb.TABLE_SIZE_PT, jc="left", on_grid=False)
    _format(document, "table_text", gb.FANGSONG, gb.TABLE_SIZE_PT, jc="center", on_grid=False)
    _format(document, "table_header", gb.TABLE_HEADER_FONT, gb.TABLE_SIZE_PT, jc="center", on_grid=False)
    _format(document, "picture", gb.FANGSONG, gb.BODY_SIZE_PT, jc="center", on_grid=False)
    _format(document, "footer", gb.SONGTI, gb.PAGE_NUMBER_SIZE_PT, jc="right", on_grid=False)


def _doc_defaults(styles_element) -> None:
    """Defaults for anything without a style: 3号仿宋, Chinese, no spacing, no widow control.

    Widow control would move single lines to the next page and break the 22-line grid
    (Chinese Word templates turn it off); autospace between Chinese and digits would
    widen lines off the 28-character grid.
    """
    defaults = styles_element.find(qn("w:docDefaults"))
    if defaults is None:
        defaults = OxmlElement("w:docDefaults")
        styles_element.insert(0, defaults)
    for child in list(defaults):
        defaults.remove(child)
    rpr_default = _set(defaults, "w:rPrDefault")
    rpr = _set(rpr_default, "w:rPr")
    _fonts(rpr, gb.FANGSONG)
    _size(rpr, gb.BODY_SIZE_PT)
    _set(rpr, "w:kern", val=2)
    _set(rpr, "w:lang", val="en-US", eastAsia="zh-CN", bidi="ar-SA")
    _order(rpr, RPR_ORDER)
    ppr_default = _set(defaults, "w:pPrDefault")
    ppr = _set(ppr_default, "w:pPr")
    _set(ppr, "w:widowControl", val=0)
    _set(ppr, "w:autoSpaceDE", val=0)
    _set(ppr, "w:autoSpaceDN", val=0)
    _set(ppr, "w:spacing", before=0, after=0, line=gb.LINE_PITCH_TWIPS, lineRule="exact")
    _set(ppr, "w:jc", val="both")
    _order(ppr, PPR_ORDER)


def _format(document, key, font: gb.Font, size_pt: int, **kwargs):
    style = _style(document, key)
    if key is not Role.BODY:
        style.base_style = None
        style.next_paragraph_style = _style(document, Role.BODY)
    _paragraph_style(style, font, size_pt, **kwargs)
    return style


def _paragraph_style(
    style,
    font: gb.Font,
    size_pt: int,
    *,
    first_line: int = 0,
    jc: str = "both",
    bold: bool = False,
    keep_next: bool = False,
    on_grid: bool = True,
    snap: bool = True,
) -> None:
    """``on_grid``: exact lines of the grid's pitch; ``snap`` False keeps the pitch but
    lets a larger font (the 2号 title) sit in it without taking two grid lines."""
    element = style.element
    style.quick_style = True
    ppr = element.get_or_add_pPr()
    for child in list(ppr):
        ppr.remove(child)
    if keep_next:
        _set(ppr, "w:keepNext")
    _set(ppr, "w:widowControl", val=0)
    if on_grid:
        if not snap:
            _set(ppr, "w:snapToGrid", val=0)
        # 5.2.4: exactly the grid's pitch, so every page holds 22 lines
        _set(ppr, "w:spacing", before=0, after=0, line=gb.LINE_PITCH_TWIPS, lineRule="exact")
    else:
        # tables, notes, pictures, page numbers: off the grid, single spacing
        _set(ppr, "w:snapToGrid", val=0)
        _set(ppr, "w:spacing", before=0, after=0, line=240, lineRule="auto")
    if first_line:
        _set(ppr, "w:ind", firstLineChars=_chars(first_line), firstLine=_char_twips(first_line, size_pt))
    else:
        _set(ppr, "w:ind", firstLineChars=0, firstLine=0)
    _set(ppr, "w:jc", val=jc)
    _order(ppr, PPR_ORDER)
    rpr = element.get_or_add_rPr()
    for child in list(rpr):
        rpr.remove(child)
    _fonts(rpr, font)
    if bold:
        _set(rpr, "w:b")
        _set(rpr, "w:bCs")
    _set(rpr, "w:color", val="000000")
    if on_grid and size_pt == gb.BODY_SIZE_PT:
        _set(rpr, "w:spacing", val=gb.CHAR_SPACING_TWIPS)  # 28 characters a line
    _size(rpr, size_pt)
    _order(rpr, RPR_ORDER)


# ---------------------------------------------------------------- page setup


def _page_setup(document) -> None:
    section = document.sections[0]
    section.start_type = WD_SECTION_START.NEW_PAGE
    section.page_width = Twips(gb.PAGE_WIDTH_TWIPS)
    section.page_height = Twips(gb.PAGE_HEIGHT_TWIPS)
    section.top_margin = Twips(gb.TOP_MARGIN_TWIPS)
    section.bottom_margin = Twips(gb.BOTTOM_MARGIN_TWIPS)
    section.left_margin = Twips(gb.LEFT_MARGIN_TWIPS)
    section.right_margin = Twips(gb.RIGHT_MARGIN_TWIPS)
    section.gutter = Twips(0)
    section.header_distance = Mm(15)
    section.footer_distance = Twips(gb.FOOTER_DISTANCE_TWIPS)
    sect_pr = section._sectPr
    grid = sect_pr.find(qn("w:docGrid"))
    if grid is None:
        grid = OxmlElement("w:docGrid")
        sect_pr.append(grid)
    # 5.2.4: 22 lines (the grid) × 28 characters (the styles' spacing); see gbt9704.GRID_TYPE
    grid.set(qn("w:type"), gb.GRID_TYPE)
    grid.set(qn("w:linePitch"), str(gb.LINE_PITCH_TWIPS))
    grid.attrib.pop(qn("w:charSpace"), None)
    _page_number(document, section.footer, odd=True)
    _page_number(document, section.even_page_footer, odd=False)


def _page_number(document, footer, *, odd: bool) -> None:
    """7.5: — 1 — in 4号宋体, odd pages right with one character to spare, even pages left."""
    footer.is_linked_to_previous = False
    paragraph = footer.paragraphs[0]
    paragraph.style = _style(document, "footer")
    ppr = paragraph._p.get_or_add_pPr()
    side = gb.PAGE_NUMBER_SIDE_INDENT_CHARS
    twips = _char_twips(side, gb.PAGE_NUMBER_SIZE_PT)
    if odd:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _set(ppr, "w:ind", rightChars=_chars(side), right=twips)
    else:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT
        _set(ppr, "w:ind", leftChars=_chars(side), left=twips)
    _order(ppr, PPR_ORDER)
    paragraph.add_run(f"{gb.PAGE_NUMBER_DASH} ")
    _field(paragraph, "PAGE", "1")
    paragraph.add_run(f" {gb.PAGE_NUMBER_DASH}")


def _field(paragraph, instruction: str, shown: str) -> None:
    """A complex field (begin, instruction, separate, the last value, end)."""
    for kind, text in (("begin", None), (None, f" {instruction} "), ("separate", None), (None, shown), ("end", None)):
        run = paragraph.add_run()
        if kind:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run._r.append(char)
        elif text == shown:
            run.text = text
        else:
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run._r.append(instr)


# ---------------------------------------------------------------- blocks


def _add_paragraph(document, p: Paragraph, *, right_indent: Fraction | None = None):
    out = document.add_paragraph(style=_style(document, p.role))
    for run in p.runs:
        r = out.add_run(clean_text(run.text))
        if run.bold:
            r.bold = True
        if run.placeholder:
            rpr = r._r.get_or_add_rPr()
            _set(rpr, "w:highlight", val=gb.HIGHLIGHT_PLACEHOLDER)
            _order(rpr, RPR_ORDER)
    if right_indent is not None:
        ppr = out._p.get_or_add_pPr()
        _set(ppr, "w:ind", rightChars=_chars(right_indent), right=_char_twips(right_indent))
        _order(ppr, PPR_ORDER)
    return out


def _add_table(document, table: Table) -> None:
    if table.caption:
        document.add_paragraph(clean_text(table.caption), style=_style(document, Role.CAPTION))
    columns = list(table.columns)
    out = document.add_table(rows=0, cols=len(columns))
    tbl = out._tbl
    tbl_pr = tbl.tblPr
    _set(tbl_pr, "w:tblW", w=sum(_mm_twips(c.width_mm) for c in columns), type="dxa")
    _set(tbl_pr, "w:jc", val="center")
    borders = _set(tbl_pr, "w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        _set(borders, f"w:{edge}", val="single", sz=4, space=0, color="000000")
    _set(tbl_pr, "w:tblLayout", type="fixed")
    _set(tbl_pr, "w:tblCellMar")
    margins = tbl_pr.find(qn("w:tblCellMar"))
    for edge in ("left", "right"):
        _set(margins, f"w:{edge}", w=57, type="dxa")  # 1 mm
    _order(tbl_pr, ("w:tblStyle", "w:tblpPr", "w:tblOverlap", "w:bidiVisual", "w:tblStyleRowBandSize",
                    "w:tblStyleColBandSize", "w:tblW", "w:jc", "w:tblCellSpacing", "w:tblInd", "w:tblBorders",
                    "w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"))
    grid = tbl.tblGrid
    for col, gridcol in zip(columns, grid.findall(qn("w:gridCol"))):
        gridcol.set(qn("w:w"), str(_mm_twips(col.width_mm)))

    header = out.add_row()
    _row_properties(header, header_row=True)
    for cell, col in zip(header.cells, columns):
        _cell(document, cell, col.title, col.width_mm, Align.CENTER, "table_header")
    for row in table.rows:
        _add_row(document, out, row, columns)
    if table.note:
        document.add_paragraph(clean_text(table.note), style=_style(document, Role.TABLE_NOTE))


def _add_row(document, out, row: TableRow, columns) -> None:
    added = out.add_row()
    _row_properties(added, header_row=False)
    cells = added.cells
    if row.kind is RowKind.GROUP:
        merged = cells[0].merge(cells[-1])
        _cell(document, merged, row.cells[0], sum(c.width_mm for c in columns), Align.LEFT, "table_header", shade="F2F2F2")
        return
    for cell, col, text in zip(cells, columns, row.cells):
        _cell(
            document, cell, text, col.width_mm, col.align,
            "table_header" if row.kind is RowKind.TOTAL else "table_text",
            bold=row.bold, shade="D9D9D9" if row.shaded else None,
        )


def _row_properties(row, *, header_row: bool) -> None:
    tr_pr = row._tr.get_or_add_trPr()
    _set(tr_pr, "w:cantSplit")
    if header_row and gb.TABLE_HEADER_REPEATS:
        _set(tr_pr, "w:tblHeader")  # repeated at the top of every page the table runs onto
    _set(tr_pr, "w:trHeight", val=_mm_twips(gb.TABLE_ROW_HEIGHT_MM), hRule="atLeast")
    _order(tr_pr, ("w:cnfStyle", "w:divId", "w:gridBefore", "w:gridAfter", "w:wBefore", "w:wAfter",
                   "w:cantSplit", "w:trHeight", "w:tblHeader", "w:tblCellSpacing", "w:jc", "w:hidden"))


def _cell(document, cell, text: str, width_mm: int, align: Align, style_key: str, *, bold=False, shade=None) -> None:
    cell.width = Mm(width_mm)
    tc_pr = cell._tc.get_or_add_tcPr()
    if shade:
        _set(tc_pr, "w:shd", val="clear", color="auto", fill=shade)
    _set(tc_pr, "w:vAlign", val="center")
    _order(tc_pr, ("w:cnfStyle", "w:tcW", "w:gridSpan", "w:hMerge", "w:vMerge", "w:tcBorders", "w:shd",
                   "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign", "w:hideMark"))
    paragraph = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:  # a merge leaves one paragraph per merged cell
        extra._p.getparent().remove(extra._p)
    paragraph.style = _style(document, style_key)
    paragraph.alignment = {
        Align.LEFT: WD_ALIGN_PARAGRAPH.LEFT,
        Align.CENTER: WD_ALIGN_PARAGRAPH.CENTER,
        Align.RIGHT: WD_ALIGN_PARAGRAPH.RIGHT,
    }[align]
    run = paragraph.add_run(clean_text(text))
    if bold:
        run.bold = True


def _mm_twips(mm: int) -> int:
    return gb.mm_to_twips(mm)


def _add_picture(document, picture: Picture) -> None:
    paragraph = document.add_paragraph(style=_style(document, "picture"))
    paragraph.add_run().add_picture(io.BytesIO(picture.png), width=Mm(picture.width_mm), height=Mm(picture.height_mm))
    if picture.caption:
        document.add_paragraph(clean_text(picture.caption), style=_style(document, Role.CAPTION))


# ---------------------------------------------------------------- the whole


def build_docx(doc: OfficialDocument) -> docx.document.Document:
    document = _new_package()
    _page_setup(document)
    body = document.element.body
    for p in list(body.findall(qn("w:p"))):  # the template's empty first paragraph
        body.remove(p)
    name_indent, date_indent = gb.signature_indents(doc.issuer, doc.date_text)
    for block in doc.blocks():
        if isinstance(block, Table):
            _add_table(document, block)
        elif isinstance(block, Picture):
            _add_picture(document, block)
        elif block.role is Role.SIGNATURE:
            _add_paragraph(document, block, right_indent=name_indent)
        elif block.role is Role.DATE:
            _add_paragraph(document, block, right_indent=date_indent)
        else:
            _add_paragraph(document, block)
    _properties(document, doc)
    return document


def _properties(document, doc: OfficialDocument) -> None:
    props = document.core_properties
    props.title = clean_text(doc.title)
    props.author = clean_text(doc.issuer)
    props.last_modified_by = clean_text(doc.issuer)
    props.subject = "招商引资"
    props.keywords = ""
    props.comments = "zsdesk"
    props.revision = 1
    moment = dt.datetime.combine(doc.signed_on, dt.time(8, 0))
    props.created = moment
    props.modified = moment


def docx_bytes(doc: OfficialDocument) -> bytes:
    buffer = io.BytesIO()
    build_docx(doc).save(buffer)
    return buffer.getvalue()


def _reason(exc: OSError) -> str:
    if isinstance(exc, FileNotFoundError):
        return "文件夹不存在"
    if isinstance(exc, IsADirectoryError):
        return "这是一个文件夹"
    if isinstance(exc, PermissionError):
        return "没有写入权限，或文件正被WPS、Word打开"
    if exc.errno == errno.ENOSPC:
        return "磁盘空间不足"
    return exc.strerror or str(exc)


def write_docx(doc: OfficialDocument, path: str | os.PathLike) -> Path:
    """Save ``doc`` at ``path`` (written beside it first, then moved: never half a file).

    A folder that cannot be written raises KnownError with the reason in Chinese.
    """
    path = Path(path)
    data = docx_bytes(doc)
    partial = path.with_name(f".{path.name}.part")
    try:
        partial.write_bytes(data)
        os.replace(partial, path)
    except OSError as exc:
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            pass
        raise KnownError(f"无法保存Word文件（{_reason(exc)}）：{path}") from None
    return path
