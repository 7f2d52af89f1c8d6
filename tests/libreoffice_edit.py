"""Edit a workbook the way a clerk does in LibreOffice Calc, and save it as .xlsx.

Headless ``soffice`` runs a Basic macro (no python3-uno needed) in a private profile
made for the run (``-env:UserInstallation``), under a timeout. Operations on the first
sheet, one string, separated by ';':

* ``del:ROW:N``      delete N rows from ROW (1-based), as Calc's 删除行
* ``ins:ROW:N``      insert N blank rows before ROW
* ``num:A1:VALUE``   type a whole number into a cell
* ``sort:FIRST:LAST:COL``  sort rows FIRST..LAST (whole width) by column COL (0-based), descending
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

SOFFICE = shutil.which("soffice")
SKIP_REASON = "LibreOffice (soffice) is not installed; CI installs libreoffice-calc-nogui"

_MACRO = """REM zsdesk tests: a clerk's edits in Calc
Sub Edit(inPath As String, outPath As String, ops As String)
  Dim args(0) As New com.sun.star.beans.PropertyValue
  args(0).Name = "Hidden"
  args(0).Value = True
  doc = StarDesktop.loadComponentFromURL(ConvertToURL(inPath), "_blank", 0, args())
  sheet = doc.Sheets.getByIndex(0)
  lastCol = 30
  For Each op In Split(ops, ";")
    p = Split(op, ":")
    Select Case p(0)
      Case "del"
        sheet.Rows.removeByIndex(CLng(p(1)) - 1, CLng(p(2)))
      Case "ins"
        sheet.Rows.insertByIndex(CLng(p(1)) - 1, CLng(p(2)))
      Case "num"
        sheet.getCellRangeByName(p(1)).setValue(CLng(p(2)))
      Case "sort"
        rng = sheet.getCellRangeByPosition(0, CLng(p(1)) - 1, lastCol, CLng(p(2)) - 1)
        Dim fields(0) As New com.sun.star.table.TableSortField
        fields(0).Field = CLng(p(3))
        fields(0).IsAscending = False
        Dim desc(0) As New com.sun.star.beans.PropertyValue
        desc(0).Name = "SortFields"
        desc(0).Value = fields()
        rng.sort(desc())
    End Select
  Next
  Dim save(0) As New com.sun.star.beans.PropertyValue
  save(0).Name = "FilterName"
  save(0).Value = "Calc MS Excel 2007 XML"
  doc.storeToURL(ConvertToURL(outPath), save())
  doc.close(True)
  StarDesktop.terminate()
End Sub
"""

_MODULE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<!DOCTYPE script:module PUBLIC "-//OpenOffice.org//DTD OfficeDocument 1.0//EN" "module.dtd">\n'
    '<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1" '
    'script:language="StarBasic">{code}</script:module>'
)


def _quote(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def edit_in_libreoffice(source: Path, target: Path, ops: str, timeout: int = 180) -> Path:
    """Open ``source`` in headless Calc, apply ``ops``, save as .xlsx to ``target``."""
    if SOFFICE is None:
        raise RuntimeError(SKIP_REASON)
    with tempfile.TemporaryDirectory(prefix="zsdesk-lo-") as folder:
        profile = Path(folder) / "profile"
        env_arg = f"-env:UserInstallation={profile.as_uri()}"
        subprocess.run([SOFFICE, env_arg, "--headless", "--terminate_after_init"], capture_output=True, timeout=timeout,
                       check=True)
        module = profile / "user" / "basic" / "Standard" / "Module1.xba"
        module.write_text(_MODULE.format(code=escape(_MACRO)), encoding="utf-8")
        macro = f"macro:///Standard.Module1.Edit({_quote(str(source))},{_quote(str(target))},{_quote(ops)})"
        done = subprocess.run([SOFFICE, env_arg, "--headless", "--norestore", "--nologo", macro], capture_output=True,
                              text=True, timeout=timeout)
    if not target.exists():
        raise RuntimeError(f"LibreOffice did not save {target.name}: {done.returncode} {done.stderr[-500:]}")
    return target
