"""Stable project codes: made once, never changed, unique across every unit's file.

Townships make codes offline without asking anyone, so a code is random (50 bits),
not a sequence: two townships' codes do not collide when the bureau consolidates.
"""

from __future__ import annotations

import random
import re
import secrets

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O, U
CODE_PATTERN = re.compile(r"^XM-[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$")


def new_project_code(rng: random.Random | None = None) -> str:
    pick = rng.choice if rng is not None else secrets.choice
    chars = "".join(pick(_ALPHABET) for _ in range(10))
    return f"XM-{chars[:5]}-{chars[5:]}"


def is_project_code(text: str) -> bool:
    return bool(CODE_PATTERN.match(text or ""))
