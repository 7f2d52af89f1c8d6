"""`zsdesk`: the command line, and the door into the window.

Commands live in the modules ``zsdesk/cli/cmd_*.py``; each has ``register(subparsers)``
and sets ``run`` on its parser. Exit status: 0 done, 1 the work found problems,
2 wrong arguments or a file that cannot be opened. Errors are one Chinese line on
stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys
import traceback
from pathlib import Path

from .. import __version__
from ..domain.quoting import one_line, quote
from ..errors import KnownError

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_BUG = 0, 1, 2, 3

_ARGPARSE_WORDS = [
    ("the following arguments are required:", "缺少必需的参数："),
    ("one of the arguments", "以下参数必须给出其一："),
    ("is required", ""),
    ("unrecognized arguments:", "无法识别的参数："),
    ("invalid choice:", "无效的选项："),
    ("choose from", "可选"),
    ("expected one argument", "需要一个值"),
    ("not allowed with argument", "不能与此参数同时使用："),
    ("argument ", "参数 "),
    ("invalid int value:", "不是整数："),
]


_ARGV: list[str] = []
"""The arguments :func:`main` parses, for the hint about file names that start with '-'."""


class ChineseArgumentParser(argparse.ArgumentParser):
    """argparse that reports wrong arguments in one Chinese line and exits 2."""

    def error(self, message: str):
        for english, chinese in _ARGPARSE_WORDS:
            message = message.replace(english, chinese)
        hint = _dash_hint(self, _ARGV)
        self.exit(EXIT_USAGE, one_line(f"参数错误：{message}（用 {self.prog} --help 查看用法）{hint}") + "\n")


def _dash_hint(parser: argparse.ArgumentParser, argv: list[str]) -> str:
    """A file named like an option (``-x.xlsx``) is taken for one: say how to pass it."""
    known = set(parser._option_string_actions)
    for token in argv:
        if token == "--":
            break
        if len(token) > 1 and token.startswith("-") and token.split("=", 1)[0] not in known:
            name = quote(token)
            return (
                f"。“{name}”以“-”开头，被当作了选项：文件名请写在 -- 之后"
                f"（例如 {parser.prog} … -- {name}），或写作 ./{name}"
            )
    return ""


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """The whole command line; with ``commands=False`` only the window's options.

    Without commands no ``cmd_*`` module is imported: they pull in Matplotlib, openpyxl
    and the rest, which a start of the window does not need (see :func:`_names_a_command`).
    """
    parser = ChineseArgumentParser(
        prog="zsdesk",
        description="zsdesk 招商引资台账 — 乡镇与县招商局的离线台账。\n"
        "zsdesk — an offline investment-promotion ledger for townships and the county bureau.\n"
        "不带命令时打开主窗口 / with no command, opens the main window.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"zsdesk {__version__}")
    parser.add_argument("--db", metavar="PATH|URL", help="打开的台账文件或县局服务器 / ledger file or server URL to open")
    parser.add_argument("--demo", action="store_true", help="打开一个新的演示县台账 / open a fresh demo county")
    parser.add_argument(
        "--screenshot", metavar="OUT.png", help="离屏截取主窗口后退出 / render the window offscreen, save, exit"
    )
    parser.add_argument(
        "--tab", choices=["projects", "investors", "targets", "dashboard", "checks"], help="截图的标签页 / tab to show"
    )
    parser.add_argument(
        "--selftest", metavar="OUT_DIR", help="无界面自检后退出 / headless self-test, then exit"
    )
    if not commands:
        parser.set_defaults(command=None)
        return parser
    sub = parser.add_subparsers(dest="command", metavar="命令 / command", parser_class=ChineseArgumentParser)
    for module in _command_modules():
        module.register(sub)
    return parser


def _names_a_command(argv: list[str]) -> bool:
    """Whether ``argv`` holds anything beyond the window's options (a command, help, a typo).

    Then the whole parser is built; otherwise the window starts without importing every
    command module (cold start: issue 9's bench measured ~1 s of Matplotlib, fontTools and
    the brief's queries imported by cmd_chart and cmd_brief before the window showed).
    """
    if any(arg in ("-h", "--help") for arg in argv):
        return True
    _, rest = build_parser(commands=False).parse_known_args(argv)
    return bool(rest)


def _command_modules():
    package = Path(__file__).parent
    names = sorted(info.name for info in pkgutil.iter_modules([str(package)]) if info.name.startswith("cmd_"))
    modules = [importlib.import_module(f"{__package__}.{name}") for name in names]
    return sorted(modules, key=lambda m: getattr(m, "ORDER", 50))


def _run_window(args) -> int:
    if args.selftest:
        from ..selftest import run_selftest

        return run_selftest(Path(args.selftest))
    try:
        from ..ui.app import run_app
    except ImportError as exc:  # the window is not part of this build
        raise KnownError(f"此版本没有图形界面（{exc.name}）；请使用命令行子命令，见 zsdesk --help") from None
    return run_app(args)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    _ARGV[:] = argv
    parser = build_parser(commands=_names_a_command(argv))
    args = parser.parse_args(argv)
    try:
        return _run_asking_passwords(args)
    except KnownError as exc:
        print(one_line(f"错误：{exc.message}"), file=sys.stderr)
        return exc.exit_status
    except KeyboardInterrupt:
        print("已取消", file=sys.stderr)
        return 130
    except Exception as exc:
        known = _known_database_error(exc)
        if known is None:
            return _report_bug(exc)
        print(one_line(f"错误：{known.message}"), file=sys.stderr)
        return known.exit_status


def _run_asking_passwords(args) -> int:
    """Run the command; where a server wants a password libpq did not find (no ~/.pgpass
    entry), ask for it on a terminal (echo off) and run again — a refused login writes
    nothing. Without a terminal the one Chinese line says where to put the password."""
    for _attempt in range(3):  # a copy between two servers may ask twice
        try:
            if args.command is None:
                return _run_window(args)
            return args.run(args) or EXIT_OK
        except Exception as exc:
            # Only a server raises PasswordNeeded, and then its module is loaded: importing
            # it here for the ``except`` would load SQLAlchemy before the window is shown
            # (+0.2 s CPU on every start; bench's cold_start found it).
            server = sys.modules.get("zsdesk.store.server")
            if server is None or not isinstance(exc, server.PasswordNeeded):
                raise
            if exc.url is None or not _on_a_terminal():
                raise
            _ask_password(exc.url)
    if args.command is None:
        return _run_window(args)
    return args.run(args) or EXIT_OK


def _on_a_terminal() -> bool:
    try:
        return sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def _ask_password(url: str) -> None:
    import getpass

    from ..store.server import display_url, remember_password

    password = getpass.getpass(f"数据库密码（{display_url(url)}）：")
    if not password:
        raise KnownError("没有输入密码，已取消")
    remember_password(url, password)


def _known_database_error(exc: Exception) -> KnownError | None:
    from sqlalchemy.exc import DBAPIError

    if isinstance(exc, BrokenPipeError) or not isinstance(exc, (DBAPIError, OSError)):
        return None
    from ..store.db import explain_database_error

    return explain_database_error(exc, getattr(exc, "filename", None))


def _report_bug(exc: BaseException) -> int:
    """A bug: one line for the clerk, the traceback in a file."""
    if isinstance(exc, BrokenPipeError):  # output piped into `head`: not an error
        sys.stderr.close()
        return EXIT_OK
    report = _write_crash_report(exc)
    print(one_line(f"内部错误（程序缺陷）：{type(exc).__name__}: {quote(exc, 200)}。详细报告：{report}"), file=sys.stderr)
    return EXIT_BUG


def _write_crash_report(exc: BaseException) -> Path:
    import tempfile
    import time

    path = Path(tempfile.gettempdir()) / f"zsdesk-crash-{time.strftime('%Y%m%d-%H%M%S')}.txt"
    try:
        path.write_text("".join(traceback.format_exception(exc)), encoding="utf-8")
    except OSError:
        pass
    return path


if __name__ == "__main__":
    sys.exit(main())
