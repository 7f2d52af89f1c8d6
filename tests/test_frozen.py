"""The folder PyInstaller makes from build.spec works on a machine with no Chinese font.

Builds `dist/zsdesk` into a temporary directory (a few minutes), then runs the frozen
program offscreen with fontconfig seeing no system font at all: `--version`, `--help`
(every command module found inside the frozen archive) and `--selftest`, whose files
are checked here again, independently of the self-test's own checks.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

import zsdesk

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
EXE_NAME = "zsdesk.exe" if sys.platform == "win32" else "zsdesk"
CLI_NAME = "zsdesk-cli.exe" if sys.platform == "win32" else "zsdesk"
BUILD_TIMEOUT = 30 * 60
RUN_TIMEOUT = 5 * 60


def _tail(text: str, lines: int = 60) -> str:
    return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="module")
def frozen(tmp_path_factory) -> Path:
    """The built folder: TMP/dist/zsdesk."""
    try:
        import PyInstaller  # noqa: F401
    except ImportError:
        pytest.fail("PyInstaller is not installed: pip install -e '.[build]' (CI installs it)")
    tmp = tmp_path_factory.mktemp("frozen")
    started = time.monotonic()
    result = subprocess.run(
        [
            sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN",
            "--distpath", str(tmp / "dist"), "--workpath", str(tmp / "build"),
            str(ROOT / "build.spec"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, f"pyinstaller failed:\n{_tail(result.stderr)}"
    folder = tmp / "dist" / "zsdesk"
    size = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())
    print(f"\nfrozen build: {seconds:.0f} s, folder {size / 2**20:.0f} MiB")
    return folder


@pytest.fixture(scope="module")
def no_system_fonts(tmp_path_factory) -> dict[str, str]:
    """An environment where fontconfig sees no font: only the bundled one can show Chinese."""
    tmp = tmp_path_factory.mktemp("nofonts")
    conf = tmp / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
        f"<fontconfig><cachedir>{tmp / 'fc-cache'}</cachedir></fontconfig>\n",
        encoding="utf-8",
    )
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("PYTHON", "QT_", "MPL", "FONTCONFIG", "VIRTUAL_ENV"))
    }
    env.update(
        QT_QPA_PLATFORM="offscreen",
        FONTCONFIG_FILE=str(conf),
        HOME=str(tmp),  # no Matplotlib or Qt settings from the developer's home
        XDG_CONFIG_HOME=str(tmp / "config"),
        XDG_CACHE_HOME=str(tmp / "cache"),
        XDG_DATA_HOME=str(tmp / "share"),
        LANG="C.UTF-8",
    )
    return env


def _run(folder: Path, args: list[str], env: dict[str, str], name: str = CLI_NAME):
    return subprocess.run(
        [str(folder / name), *args],
        capture_output=True,
        env=env,
        timeout=RUN_TIMEOUT,
        encoding="utf-8",
        errors="replace",
        cwd=folder.parent,  # not the checkout: nothing may come from the source tree
    )


def test_frozen_version(frozen, no_system_fonts):
    result = _run(frozen, ["--version"], no_system_fonts)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"zsdesk {zsdesk.__version__}"


def test_frozen_finds_every_command(frozen, no_system_fonts):
    from zsdesk.cli.main import build_parser

    parser = build_parser()
    (commands,) = [a for a in parser._actions if a.dest == "command"]
    expected = set(commands.choices)
    assert {"demo", "new", "progress"} <= expected
    result = _run(frozen, ["--help"], no_system_fonts)
    assert result.returncode == 0, result.stderr
    listed = set(re.findall(r"^    (\S+)\s", result.stdout, flags=re.MULTILINE))
    assert expected <= listed, f"missing in the frozen program: {expected - listed}"


def test_frozen_bundles_its_files(frozen):
    internal = frozen / "_internal"
    for name in ("NotoSansSC-Regular-GBK.otf", "NotoSansSC-Bold-GBK.otf", "OFL.txt"):
        assert (internal / "resources" / "fonts" / name).is_file(), name
    assert (internal / "resources" / "icons" / "zsdesk.png").is_file()
    assert (internal / "resources" / "zsdesk.desktop").is_file()
    migrations = internal / "zsdesk" / "store" / "migrations"
    assert (migrations / "env.py").is_file() and (migrations / "script.py.mako").is_file()
    source_revisions = {p.name for p in (ROOT / "zsdesk/store/migrations/versions").glob("0*.py")}
    assert source_revisions and source_revisions == {p.name for p in (migrations / "versions").glob("0*.py")}
    # what build.spec leaves out
    assert not list(internal.rglob("*tkinter*")) and not list(internal.rglob("_tkinter*"))
    assert not list(internal.rglob("*Qt6Qml*")) and not list(internal.rglob("*WebEngine*"))
    assert not list(internal.rglob("PyQt*"))


def test_frozen_migrates_an_older_file(frozen, no_system_fonts, tmp_path):
    """Alembic runs the revision scripts from the folder's files, not from the source tree."""
    import sqlite3

    from alembic import command

    from zsdesk.store import db as store_db

    path = tmp_path / "旧台账.sqlite"
    engine = store_db.sqlite_engine(path)
    config = store_db._alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    engine.dispose()

    result = _run(frozen, ["progress", "--db", str(path), "--month", "2026-06"], no_system_fonts)
    # an empty ledger has no targets: a Chinese refusal (2), never a crash (3)
    assert result.returncode in (0, 1, 2), result.stdout + result.stderr
    assert "内部错误" not in result.stderr
    with sqlite3.connect(path) as raw:
        (revision,) = raw.execute("SELECT version_num FROM alembic_version").fetchone()
    raw.close()
    assert revision == store_db.head_revision() != "0001"
    assert list(tmp_path.rglob("*upgrade*.sqlite")), "no copy kept before the upgrade"


def test_frozen_writes_the_bureaus_word_documents(frozen, no_system_fonts, tmp_path):
    """python-docx reads templates beside its modules (docx/parts/../templates): the frozen
    `bulletin` and `brief --out .docx` write the same document.xml as the source does."""
    import zipfile

    from zsdesk.cli.main import main

    db = tmp_path / "demo.sqlite"
    assert main(["demo", str(db), "--month", "2026-06"]) == 0
    for command, name in (("bulletin", "通报.docx"), ("brief", "回顾.docx")):
        args = [command, "--db", str(db), "--month", "2026-06", "--date", "2026-07-10"]
        frozen_out, source_out = tmp_path / f"frozen-{name}", tmp_path / f"source-{name}"
        result = _run(frozen, [*args, "--out", str(frozen_out)], no_system_fonts)
        assert result.returncode == 0, result.stdout + result.stderr
        assert main([*args, "--out", str(source_out)]) == 0
        with zipfile.ZipFile(frozen_out) as a, zipfile.ZipFile(source_out) as b:
            assert a.read("word/document.xml") == b.read("word/document.xml")
            assert a.read("word/footer1.xml") == b.read("word/footer1.xml")


def test_frozen_window_shows_chinese_without_system_fonts(frozen, no_system_fonts, tmp_path):
    """`zsdesk --demo --screenshot`: the window starts offscreen with the bundled font only."""
    from PySide6.QtGui import QImage

    out = tmp_path / "窗口.png"
    result = _run(frozen, ["--demo", "--screenshot", str(out)], no_system_fonts, name=EXE_NAME)
    assert result.returncode == 0, result.stdout + result.stderr
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    image = QImage(str(out))
    assert (image.width(), image.height()) == (1440, 900)
    # a window of text, not a blank or crashed surface: many distinct grey levels of glyph edges
    colours = {image.pixel(x, y) for x in range(0, 700, 3) for y in range(40, 300, 3)}
    assert len(colours) > 50


def test_frozen_window_in_an_environment_with_no_locale(frozen, no_system_fonts, tmp_path):
    """LANG and LC_* unset: the bootloader does not coerce C to C.UTF-8 as python does (PEP 538);
    zsdesk sets C.UTF-8 for Qt itself, so Qt prints no English locale warning."""
    env = {k: v for k, v in no_system_fonts.items() if not k.startswith(("LANG", "LC_"))}
    out = tmp_path / "窗口.png"
    result = _run(frozen, ["--demo", "--screenshot", str(out)], env, name=EXE_NAME)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Detected locale" not in result.stderr and "UTF-8" not in result.stderr, result.stderr
    assert out.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_frozen_selftest(frozen, no_system_fonts, tmp_path):
    """The frozen `--selftest` passes, and what it wrote holds up when checked from source."""
    import openpyxl

    from zsdesk.domain.periods import YearMonth
    from zsdesk.returns import preview_return
    from zsdesk.store.demo import write_demo

    out = tmp_path / "自检输出"
    result = _run(frozen, ["--selftest", str(out)], no_system_fonts)
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[-1].startswith("自检通过")
    assert (out / "selftest.txt").read_text(encoding="utf-8").splitlines() == lines

    # every ext_* plug-in of the source tree was found inside the frozen archive
    plugins = sorted(p.stem for p in (ROOT / "zsdesk" / "ui").glob("ext_*.py"))
    (window_line,) = [line for line in lines if "离屏打开主窗口：通过" in line]
    assert window_line.endswith(f"插件：{'、'.join(plugins) or '无'}")

    (pdf,) = out.glob("*.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 5_000
    assert b"NotoSansSCGBK" in data  # the only font fontconfig could see was the bundled one
    pngs = sorted(out.glob("*.png"))
    assert [p.name for p in pngs] == sorted(["主窗口.png", f"磐安县-{YearMonth.current()}-排名.png"])
    for png in pngs:
        assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n") and png.stat().st_size > 5_000

    (xlsx,) = out.glob("*.xlsx")
    book = openpyxl.load_workbook(xlsx, data_only=True)
    cells = [str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row if v]
    book.close()
    unit = xlsx.name.split("-")[0]
    assert any("磐安县" in c for c in cells) and any(unit in c for c in cells)
    # the frozen return, read by the source tree's importer against the same demo county
    ledger = write_demo(tmp_path / "demo.sqlite", YearMonth.current(), "small")
    try:
        with ledger.read() as session:
            preview = preview_return(session, xlsx)
    finally:
        ledger.close()
    assert not preview.refused, preview.refusal
    assert preview.projects and preview.funds_changed == 0 and preview.visits_added == 0
