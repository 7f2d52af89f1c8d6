"""Importing a township's existing ledger (台账) from Excel, WPS-saved .xls or CSV.

No Qt here: ``reading`` turns a file into rows, ``headers`` finds the header,
``vocabulary`` guesses fields and reads clerks' values, ``mapping`` is what the clerk
corrects and saves, ``plan`` previews every row and applies the good ones.
"""

from .mapping import Mapping
from .plan import ImportOutcome, LedgerPlan, Problem, RowPlan, apply_plan, build_plan
from .reading import LedgerFileRefused, Table, read_table, sheet_names

__all__ = [
    "ImportOutcome", "LedgerFileRefused", "LedgerPlan", "Mapping", "Problem", "RowPlan", "Table",
    "apply_plan", "build_plan", "read_table", "sheet_names",
]
