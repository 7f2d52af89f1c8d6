"""Can Qt open a window here? Asked before ``QApplication`` exists, without importing Qt.

When Qt's xcb platform plugin cannot load (a library missing) or finds no display, Qt
prints several English lines and aborts the process (SIGABRT, exit 134). zsdesk asks
first and says in one Chinese line what is wrong and how to install it (exit 2):

- no ``DISPLAY`` (and no Wayland session): no window can open here;
- ``DISPLAY`` set but no X server answers on it;
- a library that ``libqxcb.so`` (and the Qt libraries it loads) needs is missing: ``ldd``
  on the plugin lists it as "not found"; the Debian package comes from
  :data:`SONAME_PACKAGES`, the same set ``.ci/debian-packages`` installs (derived with
  ``ldd`` inside a clean Debian 12 root, see README).

Nothing is checked when the platform is not xcb (offscreen, a Wayland session, Windows,
macOS).
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

__all__ = ["SONAME_PACKAGES", "missing_libraries", "platform_problem", "qt_import_problem", "xcb_plugin"]

#: Library file (soname) → the Debian package that provides it.
SONAME_PACKAGES = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libcups.so.2": "libcups2",
}

_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.M)
# ldd stops at a library it finds but cannot load ("file too short", "wrong ELF class").
_CANNOT_LOAD = re.compile(r"error while loading shared libraries: (?:\S*/)?(\S+?): ")


def platform_problem(environ=None) -> str | None:
    """One Chinese line saying why no window can open here, or None when nothing is known wrong."""
    environ = os.environ if environ is None else environ
    if not sys.platform.startswith("linux"):
        return None
    platform = environ.get("QT_QPA_PLATFORM", "").split(":")[0].split(";")[0]
    if platform and platform != "xcb":
        return None  # offscreen, wayland, ...: Qt's own business
    display = environ.get("DISPLAY", "")
    if not display:
        if environ.get("WAYLAND_DISPLAY") and not platform:
            return None  # Qt picks its Wayland plugin
        return (
            "无法打开窗口：没有图形显示（环境变量 DISPLAY 未设置）。请在桌面会话中启动 zsdesk；"
            "无显示的电脑上可用 zsdesk --selftest 目录 或 zsdesk --db 文件 --screenshot 图片.png 离屏运行"
        )
    missing = missing_libraries()
    if missing:
        return _missing_message(missing)
    if not _display_answers(display):
        return f"无法打开窗口：图形显示 DISPLAY={display} 没有响应（X 服务器未运行，或不允许本程序连接）"
    return None


def qt_import_problem(exc: ImportError) -> str | None:
    """The one line for an ImportError of a Qt module caused by a missing system library."""
    match = re.search(r"(lib[\w.+-]+\.so(?:\.\d+)*): cannot open shared object file", str(exc))
    if match is None:
        return None
    return _missing_message([match.group(1)])


def _package_of(soname: str) -> str | None:
    """The Debian package of a soname; another major version of a known one maps to the same name."""
    if soname in SONAME_PACKAGES:
        return SONAME_PACKAGES[soname]
    stem = soname.split(".so")[0]
    for known, package in SONAME_PACKAGES.items():
        if known.split(".so")[0] == stem:
            return package
    return None


def _missing_message(sonames: list[str]) -> str:
    packages = sorted({p for p in map(_package_of, sonames) if p})
    unknown = [name for name in sonames if _package_of(name) is None]
    how = f"请安装：sudo apt-get install {' '.join(packages)}" if packages else ""
    if unknown:
        how += ("；" if how else "请安装") + f"提供 {', '.join(unknown)} 的软件包（apt-file search 可查）"
    return f"无法打开窗口：缺少 Qt 图形界面所需的系统库 {', '.join(sonames)}。{how}"


def xcb_plugin() -> Path | None:
    """PySide6's ``libqxcb.so`` (in a venv or a PyInstaller bundle), found without importing Qt."""
    folders: list[Path] = []
    # Qt looks in these first, as QT_QPA_PLATFORM_PLUGIN_PATH / QT_PLUGIN_PATH say.
    for entry in os.environ.get("QT_QPA_PLATFORM_PLUGIN_PATH", "").split(os.pathsep):
        if entry and (Path(entry) / "libqxcb.so").is_file():
            return Path(entry) / "libqxcb.so"
    for entry in os.environ.get("QT_PLUGIN_PATH", "").split(os.pathsep):
        if entry and (Path(entry) / "platforms" / "libqxcb.so").is_file():
            return Path(entry) / "platforms" / "libqxcb.so"
    try:
        spec = importlib.util.find_spec("PySide6")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        folders += [Path(p) for p in spec.submodule_search_locations]
    if getattr(sys, "frozen", False):
        folders.append(Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent)) / "PySide6")
    for folder in folders:
        plugin = folder / "Qt" / "plugins" / "platforms" / "libqxcb.so"
        if plugin.is_file():
            return plugin
    return None


def missing_libraries(plugin: Path | None = None, environ=None) -> list[str]:
    """Sonames that ``ldd`` reports "not found" for the xcb plugin (empty when unknown)."""
    plugin = xcb_plugin() if plugin is None else plugin
    ldd = shutil.which("ldd")
    if plugin is None or ldd is None:
        return []
    env = dict(os.environ if environ is None else environ)
    try:
        result = subprocess.run([ldd, str(plugin)], capture_output=True, text=True, timeout=30, env=env)
    except (OSError, subprocess.SubprocessError):
        return []
    seen: list[str] = []
    for name in _NOT_FOUND.findall(result.stdout) + _CANNOT_LOAD.findall(result.stdout + result.stderr):
        if name not in seen:
            seen.append(name)
    return seen


def _display_answers(display: str) -> bool:
    """Whether an X server accepts a connection on ``display`` (":0", ":1.0", "host:0", a socket path)."""
    match = re.fullmatch(r"(?:unix)?(?P<host>[^:]*):(?P<number>\d+)(?:\.\d+)?", display)
    if display.startswith("/"):  # XQuartz-style launchd socket path
        return True
    if match is None:
        return True  # a form this check does not know: let Qt try
    host, number = match.group("host"), int(match.group("number"))
    if host and host != "unix":
        try:
            with socket.create_connection((host, 6000 + number), timeout=3):
                return True
        except OSError:
            return False
    for address in (f"\0/tmp/.X11-unix/X{number}", f"/tmp/.X11-unix/X{number}"):
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
                sock.settimeout(3)
                sock.connect(address)
                return True
        except OSError:
            continue
    return False
