"""Problems a user can act on, told apart from bugs.

A :class:`KnownError` carries a plain Chinese message for the clerk; anything else that
escapes is a bug and gets a crash report. (qutebrowser draws the same line.)
"""

from __future__ import annotations


class KnownError(Exception):
    """A user's problem (a bad file, a wrong argument): say it in Chinese, lose nothing."""

    exit_status = 2

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class LedgerError(KnownError):
    """A ledger file that cannot be opened or written as asked."""


class LedgerMissing(LedgerError):
    pass


class NotALedger(LedgerError):
    pass


class DamagedLedger(LedgerError):
    pass


class NewerSchema(LedgerError):
    pass


class ReadOnlyLocation(LedgerError):
    pass


class LedgerLocked(LedgerError):
    """Another zsdesk has the file open for writing."""


class InputError(KnownError):
    """A value typed or passed that cannot be accepted (unknown unit, bad month...)."""


class ValidationError(InputError):
    """A form or record that breaks an editing rule; ``field`` names the attribute."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field
