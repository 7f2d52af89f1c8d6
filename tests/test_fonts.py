"""The bundled Chinese font, how Matplotlib and Qt use it, the icons.

The proofs that the *bundled* font is what draws the text run in
subprocesses whose environment hides every system font: fontconfig gets a
configuration with no font folder (Qt finds no font at all) and Matplotlib,
which also scans /usr/share/fonts by itself, has its font list cut down to
the fonts it ships (DejaVu, STIX, Computer Modern; none has Chinese).  Each
subprocess first checks that Chinese is really missing there before
registering our font.
"""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import configparser
import json
import logging
import subprocess
import sys
import textwrap
import warnings
from pathlib import Path

import pytest

from zsdesk import resources
from zsdesk.resources import (
    CJK_FONT_BOLD,
    CJK_FONT_FAMILY,
    CJK_FONT_FILES,
    CJK_FONT_PS_NAMES,
    CJK_FONT_REGULAR,
    resource_path,
)

ROOT = Path(__file__).resolve().parent.parent

# In GBK but not in GB2312: the names a GB2312-only font turns into boxes.
GBK_ONLY = "喆堃镕〇"
LABEL_TEXT = "磐安县招商引资 喆堃"
SYMBOLS = "￥℃①×÷≥≤‰％%，。、“”（）【】—…·"
# GBK characters that Noto Sans CJK itself lacks (left to fallback fonts).
NOT_IN_NOTO = {0x2252}  # ≒


def gbk_code_points() -> set[int]:
    chars = set()
    for lead in range(0x81, 0xFF):
        for trail in [*range(0x40, 0x7F), *range(0x80, 0xFF)]:
            try:
                chars.update(map(ord, bytes((lead, trail)).decode("gbk")))
            except UnicodeDecodeError:
                pass
    return chars


def test_gbk_only_sample_is_gbk_only():
    for ch in GBK_ONLY:
        ch.encode("gbk")
        with pytest.raises(UnicodeEncodeError):
            ch.encode("gb2312")


# ---------------------------------------------------------------- resources


def test_resource_path_from_source_checkout():
    assert resources.resources_root() == ROOT / "resources"
    assert resource_path("fonts", "OFL.txt") == ROOT / "resources" / "fonts" / "OFL.txt"
    assert resource_path() == ROOT / "resources"
    for path in [*CJK_FONT_FILES, resources.FONT_LICENSE, resources.ICON_PNG,
                 resources.ICON_ICO, resources.DESKTOP_FILE, *resources.ICON_PNG_SIZES.values()]:
        assert path.is_file(), path
        assert path.is_relative_to(ROOT / "resources")


def test_resource_path_when_frozen(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resource_path("fonts", "x.otf") == tmp_path / "resources" / "fonts" / "x.otf"
    monkeypatch.delattr(sys, "_MEIPASS")
    exe_dir = Path(sys.executable).resolve().parent
    assert resource_path("icons") == exe_dir / "resources" / "icons"


def test_no_qt_in_resources_and_charts():
    code = (
        "import sys, zsdesk.resources, zsdesk.charts, zsdesk.charts.fonts; "
        "bad = [m for m in sys.modules if m.startswith(('PySide6', 'PyQt', 'shiboken'))]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, env=_env_with_root())


# --------------------------------------------------------------- font files


@pytest.fixture(scope="module")
def font_cmaps():
    from fontTools.ttLib import TTFont

    cmaps = {}
    for path in CJK_FONT_FILES:
        with TTFont(path, lazy=True) as font:
            name = font["name"]
            cmaps[path.name] = (
                set(font.getBestCmap()),
                name.getDebugName(1),
                name.getDebugName(2),
                name.getDebugName(6),
                font["OS/2"].usWeightClass,
            )
    return cmaps


def test_font_files_cover_gbk_and_symbols(font_cmaps):
    wanted = gbk_code_points() | set(map(ord, SYMBOLS + LABEL_TEXT.replace(" ", "")))
    wanted |= set(range(0x20, 0x7F))
    assert len(wanted) > 21800
    for name, (cmap, *_rest) in font_cmaps.items():
        missing = wanted - cmap
        assert missing == NOT_IN_NOTO, (name, "".join(map(chr, sorted(missing)))[:200])


def test_font_names_and_styles(font_cmaps):
    regular = font_cmaps[CJK_FONT_REGULAR.name]
    bold = font_cmaps[CJK_FONT_BOLD.name]
    assert regular[1:] == (CJK_FONT_FAMILY, "Regular", CJK_FONT_PS_NAMES[0], 400)
    assert bold[1:] == (CJK_FONT_FAMILY, "Bold", CJK_FONT_PS_NAMES[1], 700)


def test_font_size_and_licence():
    total = sum(p.stat().st_size for p in CJK_FONT_FILES)
    assert total < 15_000_000, total
    licence = resources.FONT_LICENSE.read_text(encoding="utf-8")
    assert "SIL OPEN FONT LICENSE Version 1.1" in licence
    assert "Adobe" in licence and "Noto" in licence
    script = resource_path("fonts", "make_subset.py").read_text(encoding="utf-8")
    assert "apt-get install fonts-noto-cjk" in script
    assert "pip install fonttools" in script


# --------------------------------------------------------------- matplotlib


def _draw(fig_dir: Path, stem: str) -> list[Path]:
    """A figure with GBK-only characters, bold and regular, in three formats."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(6, 4), dpi=100)
    ax = fig.add_subplot()
    ax.bar(["磐安县", "喆堃镇", "〇号园区"], [3.0, -1.5, 2.2])
    ax.set_title("招商引资 喆 堃 镕 〇 " + SYMBOLS, fontweight="bold")
    ax.set_xlabel("乡镇（街道）")
    ax.set_ylabel("到位资金/万元")
    ax.text(0, 2.5, "朱镕基 王喆 李堃", fontsize=9)
    paths = []
    for ext in ("png", "pdf", "svg"):
        path = fig_dir / f"{stem}.{ext}"
        fig.savefig(path)
        paths.append(path)
    return paths


def test_matplotlib_draws_gbk_without_warnings_in_process(tmp_path, caplog):
    import matplotlib
    from matplotlib import font_manager

    from zsdesk.charts.fonts import register_fonts

    with matplotlib.rc_context():
        assert register_fonts() == CJK_FONT_FAMILY
        count = len(font_manager.fontManager.ttflist)
        register_fonts()  # idempotent
        assert len(font_manager.fontManager.ttflist) == count
        rc = matplotlib.rcParams
        assert rc["font.family"] == ["sans-serif"]
        assert rc["font.sans-serif"][0] == CJK_FONT_FAMILY
        assert rc["font.sans-serif"].count(CJK_FONT_FAMILY) == 1
        assert rc["axes.unicode_minus"] is False

        props = font_manager.FontProperties(family=CJK_FONT_FAMILY)
        assert Path(font_manager.findfont(props, fallback_to_default=False)) == CJK_FONT_REGULAR
        props.set_weight("bold")
        assert Path(font_manager.findfont(props, fallback_to_default=False)) == CJK_FONT_BOLD

        with caplog.at_level(logging.WARNING, logger="matplotlib"), warnings.catch_warnings():
            warnings.simplefilter("error")
            paths = _draw(tmp_path, "chart")
        assert not [r for r in caplog.records if r.name.startswith("matplotlib")]
        assert all(p.stat().st_size > 1000 for p in paths)


HIDDEN_FONTCONFIG = """<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">
<fontconfig>
  <cachedir>{cache}</cachedir>
</fontconfig>
"""


def _env_with_root(extra: dict | None = None) -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.update(extra or {})
    return env


@pytest.fixture
def hidden_fonts_env(tmp_path) -> dict:
    """Environment in which no system font can be found (see module doc)."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(HIDDEN_FONTCONFIG.format(cache=tmp_path / "fc-cache"), encoding="utf-8")
    empty = tmp_path / "no-fonts"
    empty.mkdir()
    return _env_with_root(
        {
            "FONTCONFIG_FILE": str(conf),
            "FONTCONFIG_PATH": str(tmp_path),
            "MPLCONFIGDIR": str(tmp_path / "mplconfig"),  # fresh Matplotlib font cache
            "MPLBACKEND": "Agg",
            "QT_QPA_PLATFORM": "offscreen",
            "QT_QPA_FONTDIR": str(empty),
            "XDG_DATA_HOME": str(empty),
        }
    )


def _run(script: str, env: dict, *args: str) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script), *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


MPL_SCRIPT = """
import json, logging, os, sys, warnings
from pathlib import Path

import matplotlib
from matplotlib import font_manager

# Hide the system fonts Matplotlib found by scanning font folders itself.
data = os.path.realpath(matplotlib.get_data_path())
fm = font_manager.fontManager
fm.ttflist = [f for f in fm.ttflist if os.path.realpath(f.fname).startswith(data)]
fm.afmlist = []
for cached in (getattr(fm, "_findfont_cached", None), getattr(font_manager, "_get_font", None)):
    getattr(cached, "cache_clear", lambda: None)()

records = []
class Handler(logging.Handler):
    def emit(self, record):
        records.append(record.getMessage())
logging.getLogger("matplotlib").addHandler(Handler(logging.WARNING))

out, register = Path(sys.argv[1]), sys.argv[2] == "register"
if register:
    from zsdesk.charts.fonts import register_fonts
    register_fonts()
    register_fonts()

sys.path.insert(0, sys.argv[3])
from test_fonts import _draw

with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    paths = _draw(out, "chart")
print(json.dumps({
    "warnings": [str(w.message) for w in caught],
    "logs": records,
    "families": sorted({f.name for f in fm.ttflist}),
    "paths": [str(p) for p in paths],
}))
"""


def test_matplotlib_uses_bundled_font_with_system_fonts_hidden(tmp_path, hidden_fonts_env):
    tests_dir = str(Path(__file__).parent)
    # Control: without our font, the same figure misses glyphs in this environment.
    bare = tmp_path / "bare"
    bare.mkdir()
    control = _run(MPL_SCRIPT, hidden_fonts_env, str(bare), "none", tests_dir)
    assert CJK_FONT_FAMILY not in control["families"]
    assert not any("CJK" in f or "Noto" in f for f in control["families"]), control["families"]
    assert any("missing from font" in w for w in control["warnings"]), control

    # With register_fonts: no warning, no log, and the PDF embeds our faces.
    out = tmp_path / "registered"
    out.mkdir()
    result = _run(MPL_SCRIPT, hidden_fonts_env, str(out), "register", tests_dir)
    assert result["warnings"] == []
    assert result["logs"] == []
    assert CJK_FONT_FAMILY in result["families"]

    png, pdf, svg = map(Path, result["paths"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    pdf_bytes = pdf.read_bytes()
    for ps_name in CJK_FONT_PS_NAMES:  # title bold, labels regular
        assert ps_name.encode() in pdf_bytes, ps_name
    assert b"DejaVu" not in pdf_bytes  # even the digits come from our font
    svg_text = svg.read_text(encoding="utf-8")
    assert "NotoSansSCGBK" in svg_text or CJK_FONT_FAMILY in svg_text

    # The control PNG (boxes) and ours differ.
    assert png.read_bytes() != (bare / "chart.png").read_bytes()


# ----------------------------------------------------------------------- Qt

QT_SCRIPT = """
import json, sys
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase, QFontInfo, QFontMetrics, QImage
from PySide6.QtWidgets import QApplication, QLabel

app = QApplication([])
out = sys.argv[1]

def grab(text, name=None, fixed=None):
    label = QLabel(text)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    if fixed:
        label.setFixedSize(*fixed)
    else:
        label.adjustSize()
    image = label.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    if name:
        image.save(f"{out}/{name}.png")
    return image

def ink(image):
    bg = image.pixel(0, 0)
    return sum(image.pixel(x, y) != bg for x in range(image.width()) for y in range(image.height()))

def glyph_images():
    return [grab(ch, fixed=(40, 40)) for ch in "磐喆堃招"]

def distinct(images):
    return sum(1 for i, a in enumerate(images) if all(not (a == b) for b in images[:i]))

text = sys.argv[2]
before = {
    "families": QFontDatabase.families(),
    "family": QFontInfo(app.font()).family(),
    "distinct_glyphs": distinct(glyph_images()),
}
label_before = grab(text, "label_before")

from zsdesk.ui.fonts import register_qt_fonts
font = register_qt_fonts(app)
n_families = len(QFontDatabase.families())
register_qt_fonts(app)  # idempotent

images = glyph_images()
label_after = grab(text, "label_after")
metrics = QFontMetrics(app.font())
bold = app.font()
bold.setBold(True)
print(json.dumps({
    "before": before,
    "families": QFontDatabase.families(),
    "same_family_count": n_families == len(QFontDatabase.families()),
    "family": QFontInfo(app.font()).family(),
    "bold_style": QFontInfo(bold).styleName(),
    "point_size": app.font().pointSizeF(),
    "returned_family": font.family(),
    "in_font": {ch: metrics.inFontUcs4(ord(ch)) for ch in text if ch != " "},
    "distinct_glyphs": distinct(images),
    "glyph_ink": [ink(i) for i in images],
    "label_changed": not (label_before == label_after),
    "label_ink": ink(label_after),
}))
"""


def test_qt_label_shows_chinese_with_system_fonts_hidden(tmp_path, hidden_fonts_env):
    r = _run(QT_SCRIPT, hidden_fonts_env, str(tmp_path), LABEL_TEXT)

    # The environment really has no Chinese font: every character is the same box.
    assert CJK_FONT_FAMILY not in r["before"]["families"]
    assert r["before"]["distinct_glyphs"] == 1, r["before"]

    assert CJK_FONT_FAMILY in r["families"]
    assert r["same_family_count"]
    assert r["family"] == r["returned_family"] == CJK_FONT_FAMILY
    assert r["point_size"] == 10
    assert r["bold_style"] == "Bold"
    assert all(r["in_font"].values()), r["in_font"]
    # Four different characters now draw four different, non-empty glyphs.
    assert r["distinct_glyphs"] == 4
    assert min(r["glyph_ink"]) > 20
    assert r["label_changed"] and r["label_ink"] > 100
    assert (tmp_path / "label_after.png").is_file()


# -------------------------------------------------------------------- icons


def test_icons_load():
    from PIL import Image

    with Image.open(resources.ICON_PNG) as png:
        assert png.format == "PNG"
        assert png.size == (256, 256)
        assert png.mode == "RGBA"
        assert png.getpixel((128, 128))[3] == 255  # opaque middle
        assert png.getpixel((0, 0))[3] == 0  # transparent corner
    for size, path in resources.ICON_PNG_SIZES.items():
        with Image.open(path) as im:
            assert im.size == (size, size), path
    with Image.open(resources.ICON_ICO) as ico:
        assert ico.format == "ICO"
        sizes = ico.info["sizes"]
        assert {(16, 16), (32, 32), (48, 48), (256, 256)} <= sizes


def test_desktop_entry():
    entry = configparser.ConfigParser(interpolation=None)
    entry.optionxform = str
    entry.read(resources.DESKTOP_FILE, encoding="utf-8")
    desktop = entry["Desktop Entry"]
    assert desktop["Type"] == "Application"
    assert desktop["Name"] == "zsdesk 招商引资台账"
    assert desktop["Exec"] == "zsdesk"
    assert desktop["Icon"] == "zsdesk"
    assert "Office" in desktop["Categories"].split(";")
