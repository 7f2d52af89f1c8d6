"""Where zsdesk's bundled files are: fonts, icons, the desktop entry.

``resources/`` at the root of a source checkout is their one source of truth. An
installed zsdesk (``pip install .``, a wheel, an sdist, an editable install) has them as
the package ``zsdesk._resources`` (setup.py maps that package to ``resources/``), found
with ``importlib.resources``; a program frozen by PyInstaller has them under
``resources/`` of its bundle (build.spec).  Nothing here imports Qt or Matplotlib, so
any layer may use it.
"""

from __future__ import annotations

import sys
from importlib import resources as _importlib_resources
from pathlib import Path

__all__ = [
    "CJK_FONT_FAMILY",
    "CJK_FONT_FILES",
    "CJK_FONT_BOLD",
    "CJK_FONT_PS_NAMES",
    "CJK_FONT_REGULAR",
    "DESKTOP_FILE",
    "FONT_LICENSE",
    "ICON_ICO",
    "ICON_PNG",
    "ICON_PNG_SIZES",
    "resource_path",
    "resources_root",
]


def resources_root() -> Path:
    """The ``resources`` folder, from a source checkout or a frozen bundle."""
    if getattr(sys, "frozen", False):
        # PyInstaller: one-file unpacks to sys._MEIPASS; one-folder sets it to
        # the folder holding the data files (``_internal`` since PyInstaller 6).
        base = getattr(sys, "_MEIPASS", None)
        return Path(base if base else Path(sys.executable).resolve().parent) / "resources"
    installed = _installed_root()
    if installed is not None:
        return installed
    return Path(__file__).resolve().parent.parent / "resources"


def _installed_root() -> Path | None:
    """``zsdesk._resources`` as a folder, or None when it is not installed (a bare checkout).

    Looked up before the checkout's folder: beside an installed package,
    ``site-packages/resources`` is nobody's or another project's.
    """
    try:
        root = _importlib_resources.files("zsdesk._resources")
    except ModuleNotFoundError:
        return None
    path = Path(str(root))
    return path if (path / "fonts").is_dir() else None


def resource_path(*parts: str) -> Path:
    """Path of a bundled file, e.g. ``resource_path("icons", "zsdesk.png")``.

    The path is returned whether or not the file exists.
    """
    return resources_root().joinpath(*parts)


#: The family name of the bundled Chinese font, as Matplotlib and Qt see it.
#: A GBK subset of Noto Sans CJK SC, renamed so that a full Noto Sans CJK
#: installed on the machine cannot be picked instead (resources/fonts/OFL.txt).
CJK_FONT_FAMILY = "Noto Sans SC GBK"

CJK_FONT_REGULAR = resource_path("fonts", "NotoSansSC-Regular-GBK.otf")
CJK_FONT_BOLD = resource_path("fonts", "NotoSansSC-Bold-GBK.otf")
#: Every bundled font file, Regular first.
CJK_FONT_FILES = (CJK_FONT_REGULAR, CJK_FONT_BOLD)
#: PostScript names of the bundled faces (what a PDF embeds).
CJK_FONT_PS_NAMES = ("NotoSansSCGBK-Regular", "NotoSansSCGBK-Bold")
FONT_LICENSE = resource_path("fonts", "OFL.txt")

#: The application icon, 256×256 PNG, and smaller renderings of it.
ICON_PNG = resource_path("icons", "zsdesk.png")
ICON_PNG_SIZES = {
    size: resource_path("icons", f"zsdesk-{size}.png") for size in (16, 32, 48, 64, 128)
} | {256: ICON_PNG}
#: Windows icon holding 16, 24, 32, 48, 64, 128 and 256 pixel images.
ICON_ICO = resource_path("icons", "zsdesk.ico")
#: Linux desktop entry (install as zsdesk.desktop, icon as zsdesk.png).
DESKTOP_FILE = resource_path("zsdesk.desktop")
