"""Figures of the Excel returns: export one unit's return, import twenty."""

from __future__ import annotations

from pathlib import Path

from .county import County
from .measure import Figure, require


def export_figure(figure: Figure, county: County, work: Path, runs: int) -> None:
    require("zsdesk.returns")
    raise NotImplementedError


def import_figure(figure: Figure, county: County, work: Path, runs: int) -> None:
    require("zsdesk.returns")
    raise NotImplementedError
