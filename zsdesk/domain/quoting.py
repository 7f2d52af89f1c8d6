"""Text from a file, as a message may show it: escaped and shortened, never raw.

A return, a targets grid or a ledger can carry any character: a unit name with a line
break breaks the one-line rule of the command line, and ESC or OSC sequences
(``\\x1b]…``) in a project name would reach the bureau's terminal and act there. Every
message that quotes such text goes through :func:`quote` (the quoted piece: escaped and
cut) and every message printed or shown goes through :func:`one_line` (the whole line:
escaped, not cut), in the command line and in the window.
"""

from __future__ import annotations

import re

QUOTE_LIMIT = 40
"""Characters of quoted text a message shows; the rest becomes "…"."""

# C0 and C1 controls, DEL, line and paragraph separators, and the bidirectional
# controls that could make a message read differently from what it says.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t", "\x1b": "\\e"}


def _escape_char(match: re.Match) -> str:
    char = match.group(0)
    named = _NAMED.get(char)
    if named:
        return named
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def one_line(text: str) -> str:
    """``text`` with every control character written out (``\\n``, ``\\e``, ``\\x01``)."""
    return _UNSAFE.sub(_escape_char, str(text))


def quote(value, limit: int = QUOTE_LIMIT) -> str:
    """Text quoted from a file: escaped, and cut to ``limit`` characters with "…"."""
    text = "" if value is None else str(value)
    cut = len(text) > limit
    if cut:
        text = text[:limit]
    text = one_line(text)
    return text + "…" if cut else text
