"""The startup check before QApplication (zsdesk/ui/platform_check.py) and the UTF-8 locale."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from zsdesk.ui import platform_check
from zsdesk.ui.app import ensure_utf8_locale
from zsdesk.ui.platform_check import SONAME_PACKAGES, missing_libraries, platform_problem, qt_import_problem

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the xcb check is for Linux")


def test_every_package_the_check_names_is_one_ci_install_installs():
    listed = set(re.findall(r"^([a-z0-9][a-z0-9.+-]+)", (ROOT / ".ci" / "debian-packages").read_text(), re.M))
    assert set(SONAME_PACKAGES.values()) <= listed, set(SONAME_PACKAGES.values()) - listed


def test_no_display_is_named(monkeypatch):
    problem = platform_problem({"PATH": "/usr/bin"})
    assert problem is not None and "DISPLAY 未设置" in problem and "\n" not in problem


def test_offscreen_and_wayland_are_left_to_qt():
    assert platform_problem({"QT_QPA_PLATFORM": "offscreen"}) is None
    assert platform_problem({"QT_QPA_PLATFORM": "wayland", "WAYLAND_DISPLAY": "wayland-0"}) is None
    assert platform_problem({"WAYLAND_DISPLAY": "wayland-0"}) is None
    # xcb asked for by name, with no X display: the same line as no display at all
    assert "DISPLAY 未设置" in platform_problem({"QT_QPA_PLATFORM": "xcb", "WAYLAND_DISPLAY": "wayland-0"})


def test_missing_libraries_are_named_with_the_apt_command(monkeypatch):
    monkeypatch.setattr(platform_check, "missing_libraries", lambda: ["libxcb-cursor.so.0", "libxkbcommon-x11.so.0"])
    problem = platform_problem({"DISPLAY": ":0"})
    assert problem == (
        "无法打开窗口：缺少 Qt 图形界面所需的系统库 libxcb-cursor.so.0, libxkbcommon-x11.so.0。"
        "请安装：sudo apt-get install libxcb-cursor0 libxkbcommon-x11-0"
    )


def test_an_unknown_library_is_named_without_a_guess(monkeypatch):
    monkeypatch.setattr(platform_check, "missing_libraries", lambda: ["libfoo.so.3"])
    problem = platform_problem({"DISPLAY": ":0"})
    assert "libfoo.so.3" in problem and "apt-file search" in problem and "apt-get install" not in problem


def test_the_installed_xcb_plugin_lacks_nothing_here():
    plugin = platform_check.xcb_plugin()
    assert plugin is not None and plugin.name == "libqxcb.so"
    assert missing_libraries(plugin) == []  # .ci/install installed the runtime set


def test_ldd_output_of_a_missing_library_is_read(tmp_path):
    plugin = platform_check.xcb_plugin()
    patched = tmp_path / "libqxcb.so"
    patched.write_bytes(plugin.read_bytes().replace(b"libxkbcommon-x11.so.0\0", b"libxkbcommon-x11.so.7\0"))
    assert "libxkbcommon-x11.so.7" in missing_libraries(patched)


def test_an_import_error_of_qt_names_the_library():
    exc = ImportError("libEGL.so.1: cannot open shared object file: No such file or directory")
    assert qt_import_problem(exc) == "无法打开窗口：缺少 Qt 图形界面所需的系统库 libEGL.so.1。请安装：sudo apt-get install libegl1"
    assert qt_import_problem(ImportError("No module named 'PySide6'")) is None


@pytest.mark.parametrize(
    ("environ", "changed", "expected"),
    [
        ({}, True, {"LC_CTYPE": "C.UTF-8"}),
        ({"LANG": "C"}, True, {"LANG": "C", "LC_CTYPE": "C.UTF-8"}),
        ({"LC_ALL": "POSIX"}, True, {"LC_ALL": "C.UTF-8"}),
        ({"LANG": "zh_CN.UTF-8"}, False, {"LANG": "zh_CN.UTF-8"}),
        ({"LC_ALL": "C.utf8"}, False, {"LC_ALL": "C.utf8"}),
    ],
)
def test_a_utf8_locale_is_set_only_when_missing(environ, changed, expected):
    assert ensure_utf8_locale(environ) is changed
    assert environ == expected


def _no_locale_env(**extra):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG"))}
    # PYTHONCOERCECLOCALE=0: as in the frozen program, whose bootloader does not coerce C to C.UTF-8
    env.update(PYTHONCOERCECLOCALE="0", QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(ROOT), **extra)
    return env


def test_qt_warns_about_the_c_locale_without_zsdesk(tmp_path):
    """The control: the same environment makes Qt print its English warning."""
    code = "from PySide6.QtWidgets import QApplication; QApplication([])"
    result = subprocess.run([sys.executable, "-c", code], env=_no_locale_env(), cwd=tmp_path,
                            capture_output=True, text=True, timeout=120)
    assert "Detected locale" in result.stderr


def test_zsdesk_starts_qt_in_a_c_locale_without_the_warning(demo_path, tmp_path):
    out = tmp_path / "shot.png"
    result = subprocess.run([sys.executable, "-m", "zsdesk", "--db", str(demo_path), "--screenshot", str(out)],
                            env=_no_locale_env(), cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Detected locale" not in result.stderr and "locale" not in result.stderr.lower()
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
