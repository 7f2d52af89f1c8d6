"""What one return may hold, checked on the way out and on the way in.

* Text: every field within :mod:`zsdesk.domain.text_limits` — an export refuses a
  ledger that holds longer text (from before the limits, or written by plain SQL), an
  import refuses a return that carries it, each naming the record, the field and the
  limit. A cell is never cut.
* Size: at most :data:`MAX_PROJECTS` projects per return (the large demo's biggest unit
  has 2,500), and bounds on the workbook's parts, which :mod:`zsdesk.returns.xlsx`
  checks before any XML is parsed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from ..domain.quoting import quote
from ..domain.text_limits import LIMITS, too_long_message

MAX_PROJECTS = 5_000
"""Projects one unit's return may carry."""
MAX_VISITS = 5_000
"""Visits plus promotion events of one month in one return."""


def _first_too_long(table: str, values: Mapping, fields: Iterable[str] | None = None) -> tuple[str, str] | None:
    limits = LIMITS[table]
    for field in fields or limits:
        limit = limits.get(field)
        text = values.get(field)
        if limit is not None and isinstance(text, str) and len(text) > limit.chars:
            return field, too_long_message(limit, len(text))
    return None


def project_too_long(values: Mapping) -> str | None:
    found = _first_too_long("projects", values)
    return found and found[1]


def investor_too_long(values: Mapping) -> str | None:
    found = _first_too_long("investors", values)
    return found and found[1]


def visit_too_long(values: Mapping) -> str | None:
    found = _first_too_long("visits", values)
    return found and found[1]


def event_too_long(values: Mapping) -> str | None:
    found = _first_too_long("events", values)
    return found and found[1]


def explanation_too_long(text: str) -> str | None:
    found = _first_too_long("explanations", {"explanation": text})
    return found and found[1]


def named(kind: str, name: str, code: str | None = None) -> str:
    """项目“…”（XM-…）: a record as a message names it, its text quoted safely."""
    return f"{kind}“{quote(name)}”" + (f"（{quote(code)}）" if code else "")
