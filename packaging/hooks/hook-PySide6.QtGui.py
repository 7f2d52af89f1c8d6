"""PySide6.QtGui for zsdesk: PyInstaller's own hook, minus Qt plugins zsdesk cannot use.

The plugins are dropped here, before PyInstaller resolves their shared-library
dependencies: pruning them afterwards in build.spec would still leave what they link to
(the GTK theme plugin alone drags in cairo, pango, gdk-pixbuf, atk, libsystemd, ...).
"""

import re

from PyInstaller.utils.hooks.qt import add_qt6_dependencies

# Plugin folders kept, and which plugins in each; every other Qt GUI plugin is left out.
KEEP_PLUGINS = {
    # xcb: X11 (and XWayland); wayland; offscreen/minimal: `zsdesk --selftest`, screenshots;
    # windows/cocoa: the other systems
    "platforms": r"(xcb|wayland|wayland-egl|offscreen|minimal|windows|direct2d|cocoa)",
    # not gtk3: it needs the machine's GTK and would bring a second cairo/pango/glib along
    "platformthemes": r"(xdgdesktopportal)",
    "platforminputcontexts": r".*",  # Chinese input methods (ibus, fcitx) plug in here
    "imageformats": r"(ico|jpeg|gif|svg)",  # PNG is built into QtGui
    "iconengines": r".*",
    "xcbglintegrations": r".*",
    "wayland-shell-integration": r".*",
    "wayland-decoration-client": r".*",
    "wayland-graphics-integration-client": r".*",
    "styles": r".*",
}


def _keep(src: str, dest: str) -> bool:
    parts = dest.replace("\\", "/").split("/")  # e.g. PySide6/Qt/plugins/platforms
    if "plugins" not in parts[:-1]:
        return True
    pattern = KEEP_PLUGINS.get(parts[parts.index("plugins") + 1])
    if pattern is None:
        return False
    # libqxcb.so, qwindows.dll -> xcb, windows
    name = re.sub(r"^(lib)?q", "", src.replace("\\", "/").rsplit("/", 1)[-1]).split(".", 1)[0]
    return re.fullmatch(pattern, name) is not None


hiddenimports, binaries, datas = add_qt6_dependencies(__file__)
binaries = [(src, dest) for src, dest in binaries if _keep(src, dest)]
