"""Make Matplotlib draw Chinese with the bundled font.

Call :func:`register_fonts` once before building a figure (calling it again
does nothing).  It adds the bundled GBK subset of Noto Sans CJK SC to
Matplotlib's font manager and puts it first in ``font.sans-serif``, so labels
such as 磐安县 or 喆 render on machines with no Chinese font, and in PDF/SVG
output the font embedded is ours.  No Qt, no pyplot.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import matplotlib
from matplotlib import font_manager

from zsdesk.resources import CJK_FONT_FAMILY, CJK_FONT_FILES

__all__ = ["CJK_FONT_FAMILY", "register_fonts"]

_lock = threading.Lock()


def _known_paths() -> set[str]:
    return {os.path.normcase(os.path.realpath(f.fname)) for f in font_manager.fontManager.ttflist}


def register_fonts() -> str:
    """Register the bundled font(s) with Matplotlib and make them the default.

    Sets ``font.family`` to sans-serif with the bundled family first in
    ``font.sans-serif`` (the previous entries stay behind it as fallbacks, e.g.
    for ≒ which Noto lacks) and ``axes.unicode_minus`` to False (negative
    tick labels use the ASCII hyphen-minus, which every fallback font has).  Works whatever Matplotlib's font cache holds:
    the files are read directly, not looked up in the cache.  Idempotent.

    Returns the family name.  Raises FileNotFoundError if a font file is
    missing from the installation.
    """
    with _lock:
        known = _known_paths()
        for path in CJK_FONT_FILES:
            path = Path(path)
            if not path.is_file():
                raise FileNotFoundError(f"bundled font missing: {path}")
            if os.path.normcase(os.path.realpath(path)) not in known:
                font_manager.fontManager.addfont(path)

        rc = matplotlib.rcParams
        sans = [CJK_FONT_FAMILY] + [f for f in rc["font.sans-serif"] if f != CJK_FONT_FAMILY]
        if list(rc["font.sans-serif"]) != sans:
            rc["font.sans-serif"] = sans
        if list(rc["font.family"]) != ["sans-serif"]:
            rc["font.family"] = ["sans-serif"]
        rc["axes.unicode_minus"] = False
    return CJK_FONT_FAMILY
