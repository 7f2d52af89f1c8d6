"""`zsdesk --selftest OUT_DIR`: check an installed zsdesk on a machine nobody can click.

Creates a demo county in a temporary file, exports a monthly return and renders a chart
(PDF and PNG) into OUT_DIR, builds the main window offscreen and saves a picture of it,
then checks every file it wrote (size, magic bytes, the return read back with openpyxl).
One Chinese line per step on stdout and the same lines in OUT_DIR/selftest.txt (a
windowed Windows build has no console). Exit status 0 only if every step passed.

Needs no display: Qt runs offscreen unless QT_QPA_PLATFORM says otherwise.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from . import __version__
from .errors import KnownError, ReadOnlyLocation

PDF_MAGIC = b"%PDF-"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
XLSX_MAGIC = b"PK\x03\x04"
MIN_CHART_BYTES = 5_000
MIN_RETURN_BYTES = 3_000
MIN_WINDOW_BYTES = 10_000

REPORT_NAME = "selftest.txt"


class StepFailed(Exception):
    """A check found something wrong; the message is Chinese."""


class Missing(StepFailed):
    """A part of zsdesk this build does not contain."""


@dataclass
class Run:
    """What the steps share: the output folder, the demo county, the files written."""

    out_dir: Path
    work_dir: Path
    ledger_path: Path | None = None
    ledger: object | None = None
    period: object | None = None
    county: str = ""
    leading_unit: str = ""
    files: list[Path] = field(default_factory=list)


# --- checks on written files ----------------------------------------------------------


def check_file(path: Path, magic: bytes, min_bytes: int, what: str) -> int:
    """Raise StepFailed unless ``path`` exists, starts with ``magic`` and is big enough."""
    if not path.is_file():
        raise StepFailed(f"{what}没有写出：{path}")
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(len(magic))
    if head != magic:
        raise StepFailed(f"{what}不是有效文件（开头字节 {head!r}）：{path}")
    if size < min_bytes:
        raise StepFailed(f"{what}只有 {size} 字节，内容不完整：{path}")
    return size


def _import(module: str, what: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and (module == exc.name or module.startswith(exc.name + ".")):
            raise Missing(f"此版本缺少{what}（{module}）") from None
        raise


# --- the steps --------------------------------------------------------------------------


def step_demo(run: Run) -> str:
    from .domain.periods import YearMonth
    from .store.demo import write_demo
    from .store.settings import COUNTY_NAME, get_setting

    run.period = YearMonth.current()
    run.ledger_path = run.work_dir / "演示县.sqlite"
    run.ledger = write_demo(run.ledger_path, run.period, "small")
    with run.ledger.read() as session:
        run.county = get_setting(session, COUNTY_NAME) or ""
    if not run.county:
        raise StepFailed("演示县台账没有县名")
    return f"{run.county}，数据截至{run.period.chinese}"


def step_progress(run: Run) -> str:
    from .domain.enums import Indicator
    from .domain.money import format_wan
    from .store.progress_query import load_progress

    with run.ledger.read() as session:
        table = load_progress(session, run.period)
    units = {row.unit for row in table.rows if row.unit is not None}
    county = table.county(Indicator.DOMESTIC_FUNDS)
    if len(units) < 2 or county.actual is None or not county.actual > 0:
        raise StepFailed(f"进度表不对：{len(units)} 个单位，全县实绩 {county.actual}")
    run.leading_unit = table.ranking(Indicator.DOMESTIC_FUNDS)[0].unit
    return f"{len(units)} 个单位，全县引进内资到位 {format_wan(county.actual)} 万元"


def step_return(run: Run) -> str:
    """One unit's monthly return as `zsdesk export-return` writes it, then read back twice."""
    returns = _import("zsdesk.returns", "月报导出")
    unit = run.leading_unit
    path = run.out_dir / returns.return_file_name(unit, run.period)
    path.unlink(missing_ok=True)
    with run.ledger.read() as session:
        result = returns.export_return(session, unit, run.period, path)
    size = check_file(path, XLSX_MAGIC, MIN_RETURN_BYTES, "月报")
    run.files.append(path)
    cells = _read_back(path)
    for name in (run.county, unit):
        if not any(name in text for text in cells):
            raise StepFailed(f"月报读回后找不到“{name}”：{path.name}")
    # zsdesk's own import reads it too: the form and its hidden sheet must agree
    with run.ledger.read() as session:
        preview = returns.preview_return(session, path)
    if preview.refused:
        raise StepFailed(f"月报导入检查不通过：{preview.refusal}")
    changes = (
        preview.funds_changed, preview.visits_added, preview.visits_removed,
        preview.events_added, preview.events_removed, preview.investors_added,
    )
    if len(preview.projects) != result.projects or any(changes):
        # exported from this very ledger: importing it back must change nothing
        raise StepFailed(f"月报读回与台账不一致：{preview.summary()}")
    return (
        f"{path.name}（{size:,} 字节，{unit} {result.projects} 个项目；"
        f"openpyxl 读回 {len(cells)} 个非空单元格；导入预览与台账一致）"
    )


def _read_back(path: Path) -> list[str]:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # any reason openpyxl refuses it is a failed check
        raise StepFailed(f"openpyxl 读不回月报：{type(exc).__name__}: {exc}") from None
    try:
        cells = [
            str(value)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for value in row
            if value not in (None, "")
        ]
    finally:
        book.close()
    if not cells:
        raise StepFailed("月报读回后是空的")
    return cells


def step_chart(run: Run) -> str:
    """The ranking chart as `zsdesk chart --kind ranking` draws and saves it."""
    build = _import("zsdesk.charts.build", "图表")
    export = _import("zsdesk.charts.export", "图表")
    from .domain.enums import Indicator

    request = build.ChartRequest(build.ChartKind.RANKING, run.period, Indicator.DOMESTIC_FUNDS)
    written = []
    for suffix, magic in ((".pdf", PDF_MAGIC), (".png", PNG_MAGIC)):
        path = run.out_dir / f"{run.county}-{run.period}-排名{suffix}"
        path.unlink(missing_ok=True)
        with run.ledger.read() as session:
            figure = build.build_chart(session, request)
        export.save_figure(figure, path)
        size = check_file(path, magic, MIN_CHART_BYTES, "图表")
        run.files.append(path)
        written.append(f"{path.name}（{size:,} 字节）")
        if suffix == ".pdf":
            _check_pdf_font(path)
    return "，".join(written) + "，PDF 嵌入自带中文字体"


def _check_pdf_font(pdf: Path) -> None:
    """The PDF must embed the bundled Chinese font, or its labels are boxes elsewhere."""
    from .resources import CJK_FONT_PS_NAMES

    data = pdf.read_bytes()
    if not any(name.encode("ascii") in data for name in CJK_FONT_PS_NAMES):
        raise StepFailed(f"图表 PDF 没有嵌入自带的中文字体（{', '.join(CJK_FONT_PS_NAMES)}）")


def step_window(run: Run) -> str:
    """The window as `zsdesk --db FILE --screenshot OUT.png` shows it, offscreen."""
    app_module = _import("zsdesk.ui.app", "图形界面")
    from .resources import CJK_FONT_FAMILY

    from PySide6.QtCore import QSettings

    # the window remembers recent files and geometry: not in the clerk's own settings
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(run.work_dir / "settings"))
    run.ledger.close()  # the window opens the file itself
    path = run.out_dir / "主窗口.png"
    path.unlink(missing_ok=True)
    args = argparse.Namespace(db=str(run.ledger_path), demo=False, screenshot=str(path), tab=None)
    with contextlib.redirect_stdout(io.StringIO()):  # run_app says where it saved the picture
        status = app_module.run_app(args)
    if status != 0:
        raise StepFailed(f"主窗口截图退出码 {status}")
    size = check_file(path, PNG_MAGIC, MIN_WINDOW_BYTES, "主窗口截图")
    run.files.append(path)

    from PySide6.QtCore import QCoreApplication
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance()
    if CJK_FONT_FAMILY not in app.font().families():
        raise StepFailed(f"界面字体没有用上自带的中文字体：{app.font().families()}")
    if app.windowIcon().isNull():
        raise StepFailed("程序图标没有设置（resources/icons/zsdesk.png）")
    cancel = QCoreApplication.translate("QPlatformTheme", "Cancel")
    if cancel != "取消":
        raise StepFailed(f"Qt 自带的按钮文字不是中文（Cancel → {cancel}）：缺少 qtbase_zh_CN.qm")
    look_in = QCoreApplication.translate("QFileDialog", "&Look in:")
    if look_in == "&Look in:":
        raise StepFailed("文件对话框的“查找范围”不是中文：缺少 resources/translations/qt_gaps_zh_CN.qm")
    tabs, extensions = _window_contents(run)
    return (
        f"{path.name}（{size:,} 字节，Qt 平台 {app.platformName()}，字体 {CJK_FONT_FAMILY}，有程序图标，"
        f"Qt 按钮文字为中文）"
        f"，标签页：{'、'.join(tabs)}，插件：{'、'.join(extensions) or '无'}"
    )


def _window_contents(run: Run) -> tuple[list[str], list[str]]:
    """The tabs and the ext_* plug-ins a main window on the demo county has."""
    from .ui import main_window

    window = main_window(run.ledger_path)
    try:
        tabs = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
        extensions = list(getattr(window, "installed_extensions", []))
    finally:
        window.context.close()
        window.deleteLater()
    if not tabs:
        raise StepFailed("主窗口没有标签页")
    return tabs, extensions


STEPS: list[tuple[str, Callable[[Run], str]]] = [
    ("生成演示县台账", step_demo),
    ("计算完成进度", step_progress),
    ("导出月报（Excel）", step_return),
    ("绘制排名图（PDF、PNG）", step_chart),
    ("离屏打开主窗口", step_window),
]


# --- running ----------------------------------------------------------------------------


def _prepare(out_dir: Path) -> Path:
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = out_dir / f".zsdesk-selftest-{os.getpid()}"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise ReadOnlyLocation(f"自检输出文件夹不能写入：{out_dir}（{exc.strerror or exc}）") from None
    return out_dir.resolve()


def _failure_text(exc: BaseException) -> str:
    if isinstance(exc, (StepFailed, KnownError)):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"


def run_selftest(out_dir: Path) -> int:
    """Run every step, print one line each; 0 if all passed, 1 otherwise."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    out_dir = _prepare(Path(out_dir))
    lines: list[str] = []

    def say(line: str) -> None:
        lines.append(line)
        print(line, flush=True)

    if getattr(sys, "frozen", False):
        frozen = "（打包版）"
    elif {"site-packages", "dist-packages"} & set(Path(__file__).resolve().parts):
        frozen = "（已安装）"  # pip install ., a wheel
    else:
        frozen = "（源代码）"
    say(f"zsdesk {__version__} 自检{frozen}，输出文件夹：{out_dir}")
    failed = 0
    # On Windows a file the window still holds open cannot be removed: do not fail on it.
    with tempfile.TemporaryDirectory(prefix="zsdesk-selftest-", ignore_cleanup_errors=True) as work:
        run = Run(out_dir=out_dir, work_dir=Path(work))
        try:
            for number, (title, step) in enumerate(STEPS, 1):
                prefix = f"[{number}/{len(STEPS)}] {title}："
                if run.ledger is None and step is not step_demo:
                    say(f"{prefix}跳过（没有演示县台账）")
                    failed += 1
                    continue
                try:
                    detail = step(run)
                except Exception as exc:
                    failed += 1
                    say(f"{prefix}失败 — {_failure_text(exc)}")
                    if not isinstance(exc, (StepFailed, KnownError)):
                        lines.append(traceback.format_exc())
                else:
                    say(f"{prefix}通过 — {detail}")
        finally:
            if run.ledger is not None:
                run.ledger.close()
    if failed:
        say(f"自检未通过：{failed} 项失败（共 {len(STEPS)} 项）")
    else:
        say(f"自检通过：全部 {len(STEPS)} 项正常，文件在 {out_dir}")
    try:
        (out_dir / REPORT_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")
    except OSError:
        pass
    return 1 if failed else 0
