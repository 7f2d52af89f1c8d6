"""The window's own preferences (geometry, column widths, last tab, recent files).

Always an INI file in the user's scope, so tests can point every QSettings to a
temporary folder with ``QSettings.setPath``.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

ORGANIZATION = "zsdesk"
APPLICATION = "zsdesk"
RECENT_KEY = "recentFiles"
MAX_RECENT = 8


def app_settings() -> QSettings:
    return QSettings(QSettings.Format.IniFormat, QSettings.Scope.UserScope, ORGANIZATION, APPLICATION)


def _as_list(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value else []
    return [str(v) for v in value]


def recent_files() -> list[str]:
    return _as_list(app_settings().value(RECENT_KEY))


def add_recent_file(path: str | Path) -> list[str]:
    text = str(Path(path).absolute())
    files = [text] + [f for f in recent_files() if f != text]
    files = files[:MAX_RECENT]
    app_settings().setValue(RECENT_KEY, files)
    return files


def remove_recent_file(path: str | Path) -> None:
    text = str(Path(path).absolute())
    app_settings().setValue(RECENT_KEY, [f for f in recent_files() if f != text])
