"""Excel workbooks that leave and enter zsdesk: the monthly return (月报), the county
summary (汇总表) and the targets grid (年度目标任务分解表).

Every workbook zsdesk writes is a printable government form plus a hidden sheet
(:mod:`.machine`) that carries what an import needs to match it exactly. An import reads
what the form shows, checks it against the hidden sheet, and refuses the file with a
Chinese message naming file, sheet, row and column when the two disagree.

No Qt here: the command line, the window and the tests all call these functions.
"""

from .export import Explanation, ExportResult, export_return, return_file_name
from .importer import FileOutcome, ReturnPreview, apply_return, import_returns, preview_return
from .problems import RefusedFile

__all__ = [
    "Explanation",
    "ExportResult",
    "FileOutcome",
    "RefusedFile",
    "ReturnPreview",
    "apply_return",
    "export_return",
    "import_returns",
    "preview_return",
    "return_file_name",
]
