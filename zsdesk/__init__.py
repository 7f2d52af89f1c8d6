"""zsdesk — 招商引资台账: an offline ledger for investment-promotion work."""

__version__ = "0.1.0"
