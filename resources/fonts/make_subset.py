#!/usr/bin/env python3
"""Regenerate the bundled GBK subset of Noto Sans CJK SC.

zsdesk ships its own Chinese font so that charts (Matplotlib) and widgets (Qt)
show Chinese on machines that have no Chinese system font.  The font is
Noto Sans CJK SC (SIL Open Font License 1.1, see ``OFL.txt`` beside this
script), cut down to everything a township office is likely to type:

* every character of GBK (all that ``bytes.decode("gbk")`` yields over the
  double-byte range 0x81-0xFE x 0x40-0xFE: GB2312 plus names like 喆 堃 镕),
* the whole CJK Unified Ideographs block U+4E00-U+9FFF,
* ASCII and Latin-1, general punctuation, currency, letterlike symbols,
  number forms, arrows, maths operators, enclosed numbers (①), box drawing,
  geometric shapes, CJK symbols and punctuation (〇 、。「」), enclosed CJK
  (㈠), CJK compatibility (㎡), vertical forms and full-width forms (￥ ％).

Only code points the source font maps are kept.  One GBK character, U+2252
≒, is not in Noto Sans CJK at all; it is left to the system's fallback font.

Regular and Bold are written as one family, renamed ``Noto Sans SC GBK`` so
that neither Matplotlib nor Qt can confuse the subset with a full Noto Sans
CJK installed on the system (the Noto name is not a Reserved Font Name).
The OpenType feature ``locl`` is dropped: it only pulls in the Japanese,
Korean and traditional-Chinese glyph variants, which doubles the size.

Reproduce (Debian/Ubuntu)::

    apt-get install fonts-noto-cjk
    pip install fonttools
    python resources/fonts/make_subset.py

Options: ``--src-dir DIR`` where the ``NotoSansCJK-{Regular,Bold}.ttc``
collections are (searched in the usual Linux places by default),
``--out-dir DIR`` (default: this script's directory), ``--regular-only``.
The faces are chosen from the collections by their name table (family
"Noto Sans CJK SC"), not by index.  The output does not depend on the time
of the run (``head.modified`` is kept from the source), so the same source
font and fontTools version give byte-identical files; the script prints
their SHA-256 sums.  Each weight takes about a minute.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

SOURCE_FAMILY = "Noto Sans CJK SC"
FAMILY = "Noto Sans SC GBK"
PS_FAMILY = "NotoSansSCGBK"  # PostScript names: NotoSansSCGBK-Regular / -Bold
OUT_NAME = "NotoSansSC-{style}-GBK.otf"
STYLES = ("Regular", "Bold")

SEARCH_DIRS = (
    "/usr/share/fonts/opentype/noto",  # Debian, Ubuntu (fonts-noto-cjk)
    "/usr/share/fonts/noto-cjk",  # Arch, Fedora
    "/usr/share/fonts/google-noto-cjk",
    "/usr/share/fonts/opentype/noto-cjk",
)

# (first, last) inclusive; everything the font maps in these blocks is kept.
EXTRA_RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 supplement: ° ± · × ÷ ¥ ...
    (0x2000, 0x206F),  # general punctuation: — ‘’ “” … ‰ ※
    (0x20A0, 0x20CF),  # currency: €
    (0x2100, 0x214F),  # letterlike: ℃ № ℉ ™
    (0x2150, 0x218F),  # number forms: Ⅰ Ⅱ ⅰ
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # maths operators: ≥ ≤ ≠ ∑ √
    (0x2460, 0x24FF),  # enclosed alphanumerics: ① ⑴ ⒈
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes: ■ □ ▲ ○ ●
    (0x2600, 0x26FF),  # misc symbols: ★ ☆ ♀ ♂
    (0x3000, 0x303F),  # CJK symbols and punctuation: 、。〇「」【】
    (0x3040, 0x30FF),  # kana (in GBK)
    (0x3100, 0x312F),  # bopomofo (in GBK)
    (0x3200, 0x32FF),  # enclosed CJK: ㈠ ㊣
    (0x3300, 0x33FF),  # CJK compatibility: ㎡ ㎏ ㎎
    (0x4E00, 0x9FFF),  # CJK unified ideographs (GBK has 4E00-9FA5)
    (0xFE10, 0xFE1F),  # vertical forms
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFE50, 0xFE6F),  # small form variants
    (0xFF00, 0xFFEF),  # half-width and full-width forms: ，！％（）￥
)


def gbk_code_points() -> set[int]:
    """Every character of the GBK double-byte range, as Python decodes it."""
    chars: set[int] = set()
    trails = [*range(0x40, 0x7F), *range(0x80, 0xFF)]
    for lead in range(0x81, 0xFF):
        for trail in trails:
            try:
                text = bytes((lead, trail)).decode("gbk")
            except UnicodeDecodeError:
                continue
            chars.update(ord(c) for c in text)
    return chars


def wanted_code_points() -> set[int]:
    chars = gbk_code_points()
    for first, last in EXTRA_RANGES:
        chars.update(range(first, last + 1))
    return chars


def find_collection(style: str, src_dir: Path | None) -> Path:
    name = f"NotoSansCJK-{style}.ttc"
    dirs = [src_dir] if src_dir else [Path(d) for d in SEARCH_DIRS]
    for d in dirs:
        if (d / name).is_file():
            return d / name
    where = ", ".join(str(d) for d in dirs)
    sys.exit(f"{name} not found in {where}; apt-get install fonts-noto-cjk or pass --src-dir")


def _name(font: TTFont, name_id: int) -> str | None:
    rec = font["name"].getName(name_id, 3, 1, 0x0409)
    return rec.toUnicode() if rec else None


def find_face(collection: Path, style: str) -> int:
    """Index of the Noto Sans CJK SC face of *style* in the collection."""
    ttc = TTCollection(str(collection), lazy=True)
    try:
        for index, face in enumerate(ttc.fonts):
            if _name(face, 1) == SOURCE_FAMILY and _name(face, 2) == style:
                return index
    finally:
        ttc.close()
    sys.exit(f"no face named {SOURCE_FAMILY!r} {style!r} in {collection}")


def rename(font: TTFont, style: str) -> None:
    """Give the subset its own family name, in the name table and the CFF."""
    ps_name = f"{PS_FAMILY}-{style}"
    full_name = FAMILY if style == "Regular" else f"{FAMILY} {style}"
    name = font["name"]
    version = _name(font, 5) or "Version ?"
    source_ps = _name(font, 6) or ""
    unique = (_name(font, 3) or ps_name).replace(source_ps, ps_name) if source_ps else ps_name
    # Only English (Windows) records survive the subsetter; drop any other
    # platform so that no old family name is left behind.
    name.names = [r for r in name.names if r.platformID == 3]
    name.setName(FAMILY, 1, 3, 1, 0x0409)
    name.setName(style, 2, 3, 1, 0x0409)
    name.setName(f"{unique};zsdesk-GBK", 3, 3, 1, 0x0409)
    name.setName(full_name, 4, 3, 1, 0x0409)
    name.setName(f"{version}; GBK subset for zsdesk", 5, 3, 1, 0x0409)
    name.setName(ps_name, 6, 3, 1, 0x0409)
    for name_id in (16, 17, 21, 22):  # typographic / WWS names: not used
        name.removeNames(nameID=name_id)

    cff = font["CFF "].cff
    old_ps = cff.fontNames[0]  # shared CFF in the .ttc: NotoSansCJKjp-<style>
    cff.fontNames[0] = ps_name
    top = cff[ps_name]
    top.FullName = full_name
    top.FamilyName = FAMILY
    for fd in getattr(top, "FDArray", []):
        if getattr(fd, "FontName", "").startswith(old_ps):
            fd.FontName = ps_name + fd.FontName[len(old_ps):]


def make(style: str, src_dir: Path | None, out_dir: Path) -> Path:
    collection = find_collection(style, src_dir)
    index = find_face(collection, style)
    font = TTFont(str(collection), fontNumber=index, recalcTimestamp=False)

    cmap = font.getBestCmap()
    wanted = wanted_code_points()
    unicodes = sorted(c for c in wanted if c in cmap)
    missing_gbk = sorted(c for c in gbk_code_points() if c not in cmap)

    options = subset.Options()
    options.layout_features = [f for f in options.layout_features if f != "locl"]
    options.name_IDs = ["*"]
    options.name_languages = [0x0409]
    options.notdef_outline = True
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    rename(font, style)

    out = out_dir / OUT_NAME.format(style=style)
    font.save(str(out))
    font.close()
    digest = hashlib.sha256(out.read_bytes()).hexdigest()
    print(
        f"{out.name}: face {index} of {collection.name}, {len(unicodes)} code points, "
        f"{out.stat().st_size / 1e6:.2f} MB, sha256 {digest}"
    )
    if missing_gbk:
        print("  GBK characters the source font lacks: "
              + " ".join(f"U+{c:04X} {chr(c)}" for c in missing_gbk))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--src-dir", type=Path, help="folder with NotoSansCJK-*.ttc")
    parser.add_argument("--out-dir", type=Path, default=Path(__file__).resolve().parent)
    parser.add_argument("--regular-only", action="store_true", help="skip Bold")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    styles = STYLES[:1] if args.regular_only else STYLES
    total = sum(make(style, args.src_dir, args.out_dir).stat().st_size for style in styles)
    print(f"total {total / 1e6:.2f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
