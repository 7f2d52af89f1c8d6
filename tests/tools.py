"""Programs some tests drive: present when `.ci/install` ran, otherwise the test skips and says so.

A check that needs a tool never quietly passes without it: the test either runs the tool
or is reported as skipped with the reason (pytest's `-ra` in pyproject.toml lists them).
"""

from __future__ import annotations

import shutil

import pytest

#: tool → the Debian package that .ci/debian-packages installs for it
PACKAGES = {
    "pdftotext": "poppler-utils",
    "pdfinfo": "poppler-utils",
    "pdftoppm": "poppler-utils",
    "soffice": "libreoffice-calc-nogui",
    "Xvfb": "xvfb",
    "xdotool": "xdotool",
    "xwininfo": "x11-utils",
    "objdump": "binutils",
}


def require_tool(*tools: str) -> None:
    """Skip the calling test, naming the package, unless every tool is on PATH."""
    for tool in tools:
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is not installed (Debian package {PACKAGES.get(tool, '?')}; .ci/install installs it)")
