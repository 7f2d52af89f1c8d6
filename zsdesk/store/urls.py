"""Telling a server's URL from a file's path, without importing SQLAlchemy.

The window shows itself before SQLAlchemy is imported (window first), and needs to know
what it is about to open for its "正在打开…" line.
"""

from __future__ import annotations

import re


def is_url(location) -> bool:
    """Whether ``location`` (a --db value) names a database server rather than a file."""
    text_ = str(location)
    scheme = text_.split("://", 1)[0].lower() if "://" in text_ else ""
    # len > 1: "C://台账/县.sqlite" is a Windows drive, not a scheme
    return len(scheme) > 1 and scheme.replace("+", " ").split()[0].isidentifier()


def shown_location(location) -> str:
    """A path as it is; a URL without a password typed into it."""
    text_ = str(location)
    if not is_url(text_):
        return text_
    return re.sub(r"^([^:/]+://[^:@/]*):[^@/]*@", r"\1@", text_)
