"""The wheel is whole: `pip install .` into a new venv works from any folder.

Builds the wheel from this checkout, installs it (with its dependencies, from pip's cache or
the package index) into a virtual environment outside the checkout with no system site
packages, and runs the installed `zsdesk` from a folder outside the checkout, with
fontconfig seeing no system font: `--selftest`, `chart … --out x.pdf` and `--screenshot`
must work with the bundled font, found inside the installed package.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.tools import require_tool

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow
PIP_TIMEOUT = 1800


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-w", str(out), str(ROOT)],
                            capture_output=True, text=True, timeout=PIP_TIMEOUT)
    assert result.returncode == 0, result.stderr
    # no setuptools warning (the licence table, packages missing from `packages`, ...)
    assert not re.search(r"Warning|!!", result.stdout + result.stderr.replace("WARNING: Location", "")), result.stderr
    (path,) = out.glob("zsdesk-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """The venv's bin folder."""
    venv = tmp_path_factory.mktemp("venv") / "v"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    python = venv / "bin" / "python"
    assert "include-system-site-packages = false" in (venv / "pyvenv.cfg").read_text()
    result = subprocess.run([str(python), "-m", "pip", "install", "-q", str(wheel)],
                            capture_output=True, text=True, timeout=PIP_TIMEOUT, cwd=venv)
    assert result.returncode == 0, result.stderr
    return venv / "bin"


@pytest.fixture
def elsewhere(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    """A working folder outside the checkout and an environment with no system font, no PYTHONPATH."""
    folder = tmp_path_factory.mktemp("elsewhere")
    conf = folder / "fonts.conf"
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n'
                    f"<fontconfig><cachedir>{folder / 'fc-cache'}</cachedir></fontconfig>\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "QT_", "MPL", "FONTCONFIG", "VIRTUAL_ENV"))}
    env.update(QT_QPA_PLATFORM="offscreen", FONTCONFIG_FILE=str(conf), HOME=str(folder),
               XDG_CONFIG_HOME=str(folder / "config"), XDG_CACHE_HOME=str(folder / "cache"),
               XDG_DATA_HOME=str(folder / "share"))
    return folder, env


def run(bin_dir: Path, args: list[str], folder: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(bin_dir / "zsdesk"), *args], cwd=folder, env=env, capture_output=True,
                          encoding="utf-8", errors="replace", timeout=600)


def test_the_wheel_carries_fonts_licence_icons_and_desktop_entry(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("zsdesk/_resources/fonts/NotoSansSC-Regular-GBK.otf", "zsdesk/_resources/fonts/NotoSansSC-Bold-GBK.otf",
                 "zsdesk/_resources/fonts/OFL.txt", "zsdesk/_resources/icons/zsdesk.png",
                 "zsdesk/_resources/icons/zsdesk.ico", "zsdesk/_resources/zsdesk.desktop",
                 "zsdesk/store/migrations/script.py.mako"):
        assert name in names, name
    assert not any(name.startswith(("resources/", "tests/")) or "screenshots" in name for name in names)
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith(".dist-info/METADATA"))).decode()
    assert "License-Expression: LicenseRef-Proprietary AND OFL-1.1" in metadata
    assert "License-File: resources/fonts/OFL.txt" in metadata


def test_installed_zsdesk_finds_its_files_inside_the_package(installed, elsewhere):
    folder, env = elsewhere
    code = "import zsdesk, zsdesk.resources as r; print(zsdesk.__file__); print(r.resources_root())"
    result = subprocess.run([str(installed / "python"), "-c", code], cwd=folder, env=env, capture_output=True, text=True)
    module, root = result.stdout.split()
    site = str(installed.parent / "lib")
    assert module.startswith(site) and root.startswith(site) and root.endswith("zsdesk/_resources")
    assert not module.startswith(str(ROOT))


def test_installed_selftest_chart_and_screenshot_work_from_another_folder(installed, elsewhere):
    folder, env = elsewhere
    selftest = run(installed, ["--selftest", str(folder / "selftest")], folder, env)
    assert selftest.returncode == 0, selftest.stdout + selftest.stderr
    assert selftest.stdout.startswith("zsdesk ") and "自检（已安装）" in selftest.stdout.splitlines()[0]

    demo = run(installed, ["demo", "demo.sqlite", "--month", "2026-06"], folder, env)
    assert demo.returncode == 0, demo.stderr
    chart = run(installed, ["chart", "--db", "demo.sqlite", "--month", "2026-06", "--kind", "ranking", "--out", "x.pdf"],
                folder, env)
    assert chart.returncode == 0, chart.stderr
    pdf = (folder / "x.pdf").read_bytes()
    assert b"NotoSansSCGBK" in pdf and b"DejaVu" not in pdf  # the bundled font, the only one fontconfig saw
    require_tool("pdftotext")
    text = subprocess.run(["pdftotext", str(folder / "x.pdf"), "-"], capture_output=True, text=True, check=True).stdout
    assert "引进内资到位资金" in text and "完成率排名" in text

    shot = run(installed, ["--db", "demo.sqlite", "--screenshot", "x.png"], folder, env)
    assert shot.returncode == 0, shot.stderr
    assert (folder / "x.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "bundled font missing" not in shot.stderr
