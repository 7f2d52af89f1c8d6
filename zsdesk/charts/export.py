"""Saving a figure as PNG, PDF or SVG, with a Chinese message when the file cannot be
written. PDF and SVG are vector, with the bundled font embedded (PDF) or the text drawn
as paths (SVG), so they print sharp and show Chinese on any machine.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from ..errors import InputError
from .fonts import register_fonts

FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
PNG_DPI = 150
"""An A4 page at 150 dpi: 1754 × 1240 pixels, sharp enough to paste into a document."""


class ExportError(InputError):
    """The output file cannot be written (a bad path, no permission, disk full)."""


def format_of(path: str | os.PathLike) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"不支持的输出格式“{suffix or Path(path).name}”：请用 .png、.pdf 或 .svg 结尾的文件名")
    return FORMATS[suffix]


def _check_writable(path: Path) -> None:
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ExportError(f"输出路径是一个文件夹，不是文件：{path}")
    if not folder.is_dir():
        raise ExportError(f"输出文件夹不存在：{folder}")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise ExportError(f"没有写入权限，无法保存到：{path}")


def _metadata(figure: Figure, fmt: str) -> dict:
    title = figure.get_suptitle()
    if fmt == "pdf":
        return {"Title": title, "Creator": "zsdesk"}
    if fmt == "svg":
        return {"Title": title}
    return {"Title": title, "Software": "zsdesk"}


def save_figure(figure: Figure, path: str | os.PathLike, *, dpi: int = PNG_DPI) -> Path:
    """Write ``figure`` to ``path`` in the format its suffix names."""
    path = Path(path)
    fmt = format_of(path)
    _check_writable(path)
    register_fonts()
    try:
        figure.savefig(path, format=fmt, dpi=dpi, metadata=_metadata(figure, fmt))
    except OSError as exc:
        raise ExportError(f"无法写入文件 {path}：{exc.strerror or exc}") from None
    return path


def save_pdf_pages(figures: Sequence[Figure], path: str | os.PathLike, title: str) -> Path:
    """Several figures, one per page, in one PDF (all unit cards for a meeting)."""
    path = Path(path)
    if format_of(path) != "pdf":
        raise ExportError("多页输出只支持 PDF：请用 .pdf 结尾的文件名")
    _check_writable(path)
    register_fonts()
    try:
        with PdfPages(path, metadata={"Title": title, "Creator": "zsdesk"}) as pages:
            for figure in figures:
                pages.savefig(figure)
    except OSError as exc:
        raise ExportError(f"无法写入文件 {path}：{exc.strerror or exc}") from None
    return path
