"""LibreOffice for the tests: a file saved again or converted by it, or edited the way a
clerk does in Calc and saved as .xlsx — the one place the tests run ``soffice``.

:func:`soffice_convert` is ``--convert-to`` in a private profile.

Headless ``soffice`` runs a Basic macro (no python3-uno needed) in a private profile
made for the run (``-env:UserInstallation``), under a timeout. Operations on the first
sheet, one string, separated by ';':

* ``del:ROW:N``      delete N rows from ROW (1-based), as Calc's 删除行
* ``ins:ROW:N``      insert N blank rows before ROW
* ``num:A1:VALUE``   type a whole number into a cell
* ``clear:A1:B2``    clear the contents of a range (values, dates, text, formulas); its rows stay
* ``sort:FIRST:LAST:COL``  sort rows FIRST..LAST (whole width) by column COL (0-based), descending
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path
from xml.sax.saxutils import escape

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
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
      Case "clear"
        sheet.getCellRangeByName(p(1) & ":" & p(2)).clearContents(1 + 2 + 4 + 16)
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


def soffice_convert(source: Path, target_format: str, out_dir: Path, timeout: int = 180,
                    env: dict[str, str] | None = None) -> Path:
    """``soffice --headless --convert-to`` in a private profile (and HOME); the converted file.

    ``target_format`` as soffice takes it ("xls", "pdf", "xlsx:Calc MS Excel 2007 XML");
    ``env`` adds to the environment (a fontconfig file, say)."""
    if SOFFICE is None:
        raise RuntimeError(SKIP_REASON)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="zsdesk-lo-") as profile:
        done = subprocess.run(
            [SOFFICE, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--norestore",
             "--convert-to", target_format, "--outdir", str(out_dir), str(source)],
            capture_output=True, text=True, timeout=timeout, env={**os.environ, "HOME": profile, **(env or {})},
        )
    result = out_dir / f"{source.stem}.{target_format.split(':')[0]}"
    if done.returncode != 0 or not result.exists():
        raise RuntimeError(f"LibreOffice did not write {result.name}: {done.returncode} {done.stderr[-500:]}")
    return result
