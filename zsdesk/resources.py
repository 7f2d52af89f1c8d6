"""Where zsdesk's bundled files are: fonts, icons, the desktop entry.

They live in ``resources/`` at the root of a source checkout (beside the
``zsdesk`` package) and under ``resources/`` of the bundle when the program is
frozen by PyInstaller (``--add-data resources:resources``).  Nothing here
imports Qt or Matplotlib, so any layer may use it.
"""

from __future__ import annotations

import sys
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
    return Path(__file__).resolve().parent.parent / "resources"


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
