"""`zsdesk server init|upgrade|staff` and `zsdesk copy`: the bureau's ledger on a PostgreSQL server.

``server init URL --from county.sqlite`` creates the schema with Alembic and copies the
county file in; ``server upgrade URL`` is the only way a server's schema changes (an open
never upgrades it); ``server staff URL --role r --name 王五`` names the staff member behind a
database role for the audit trail; ``copy --from A --to B`` copies a whole ledger between any two
places (a file or a server), refusing a target that holds records unless ``--replace``.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

from ..errors import InputError
from ..store.server import display_url, is_url
from .common import open_for_reading

ORDER = 85


def register(sub) -> None:
    server = sub.add_parser(
        "server",
        help="县局数据库服务器（PostgreSQL）的建立与升级 / set up or upgrade the bureau's PostgreSQL ledger",
        description="在 PostgreSQL 服务器上建立县局共享台账，或升级其结构。密码不写进命令：请用 ~/.pgpass 或 PGPASSFILE。\n"
        "Create or upgrade the bureau's shared ledger on a PostgreSQL server.",
    )
    actions = server.add_subparsers(dest="server_command", metavar="init|upgrade|staff", required=True)
    init = actions.add_parser(
        "init",
        help="建立台账结构，并可从台账文件复制数据 / create the schema, optionally copy a ledger file in",
        description="在空数据库里建立台账结构（Alembic），用 --from 把一个台账文件整个复制进去。",
    )
    init.add_argument("url", metavar="URL", help="postgresql+psycopg://用户名@服务器:5432/数据库")
    init.add_argument("--from", dest="source", metavar="PATH", help="复制进去的台账文件 / ledger file to copy in")
    init.add_argument("--replace", action="store_true", help="替换数据库里已有的记录 / replace records already there")
    init.set_defaults(run=run_init)
    upgrade = actions.add_parser(
        "upgrade",
        help="把服务器上的台账结构升级到本程序的版本 / upgrade the server's schema to this program's",
        description="只有此命令会改变服务器上的表结构；打开台账时从不自动升级。",
    )
    upgrade.add_argument("url", metavar="URL", help="postgresql+psycopg://用户名@服务器:5432/数据库")
    upgrade.set_defaults(run=run_upgrade)
    staff = actions.add_parser(
        "staff",
        help="数据库用户对应的工作人员姓名（修改记录里显示） / staff names of database roles (the audit trail's names)",
        description="县局每位工作人员用自己的数据库用户登录；修改记录按这里的对应关系记下姓名（未对应的记用户名）。"
        "不带 --role 时列出全部对应关系；--name \"\" 删除一条。",
    )
    staff.add_argument("url", metavar="URL", help="postgresql+psycopg://用户名@服务器:5432/数据库")
    staff.add_argument("--role", metavar="ROLE", help="数据库用户名（角色） / the database role")
    staff.add_argument("--name", metavar="NAME", help="工作人员姓名，例如 王五 / the staff member's name")
    staff.set_defaults(run=run_staff)

    copy = sub.add_parser(
        "copy",
        help="把整个台账复制到另一个文件或服务器 / copy a whole ledger to another file or server",
        description="把来源台账（文件或服务器）的每一条记录原样复制到目标（文件或服务器）。目标已有记录时需加 --replace。\n"
        "Copy every row of a ledger (file or server) into another; a target with records needs --replace.",
    )
    copy.add_argument("--from", dest="source", metavar="PATH|URL", required=True, help="来源 / source")
    copy.add_argument("--to", dest="target", metavar="PATH|URL", required=True, help="目标 / target")
    copy.add_argument("--replace", action="store_true", help="替换目标里已有的记录 / replace the target's records")
    copy.set_defaults(run=run_copy)


def _where(location: str) -> str:
    return display_url(location) if is_url(location) else str(location)


def _copy_into(source_location: str, target, replace: bool) -> None:
    from ..store.copying import copy_ledger

    source = open_for_reading(source_location)
    try:
        result = copy_ledger(source, target, replace=replace)
    finally:
        source.close()
    note = f"（替换了原有的 {result.replaced} 条记录）" if result.replaced else ""
    print(f"已复制 {result.total} 条记录：{_where(source_location)} → {target.path}{note}")
    for name, count in result.rows.items():
        if count:
            print(f"  {name}  {count}")


def run_init(args) -> int:
    from ..store.server import open_server, upgrade_server

    if not is_url(args.url):
        raise InputError(f"server init 需要数据库服务器地址（postgresql+psycopg://…），而不是文件：{args.url}")
    if args.source and is_url(args.source):
        raise InputError("server init 的 --from 是台账文件；服务器之间请用 zsdesk copy")
    if args.source:
        open_for_reading(args.source).close()  # a bad file is refused before the server is touched
    before, after = upgrade_server(args.url, create=True)
    print(f"台账结构：{before or '无'} → {after}（{display_url(args.url)}）")
    if args.source:
        target = open_server(args.url)
        try:
            _copy_into(args.source, target, args.replace)
        finally:
            target.close()
    return 0


def run_upgrade(args) -> int:
    from ..store.server import upgrade_server

    if not is_url(args.url):
        raise InputError(f"server upgrade 需要数据库服务器地址（postgresql+psycopg://…）：{args.url}")
    before, after = upgrade_server(args.url)
    if before == after:
        print(f"服务器上的台账结构已是最新（{after}）：{display_url(args.url)}")
    else:
        print(f"已升级台账结构：{before} → {after}（{display_url(args.url)}）")
    return 0


def run_staff(args) -> int:
    from ..store.db import open_ledger
    from ..store.staff import set_staff_name, staff_names

    if not is_url(args.url):
        raise InputError(f"工作人员姓名只用于数据库服务器上的台账（台账文件记填报人）：{args.url}")
    if (args.role is None) != (args.name is None):
        raise InputError("请同时写 --role 数据库用户名 和 --name 姓名（只列出时两者都不写）")
    ledger = open_ledger(args.url)
    try:
        if args.role is not None:
            with ledger.begin() as session:
                set_staff_name(session, args.role, args.name)
            name = args.name.strip()
            print(f"{args.role.strip()} → {name}" if name else f"已删除 {args.role.strip()} 的姓名（修改记录里记用户名）")
        else:
            with ledger.read() as session:
                rows = staff_names(session)
            if not rows:
                print("还没有设置工作人员姓名：修改记录里记数据库用户名")
            for role, name in rows:
                print(f"{role}\t{name}")
    finally:
        ledger.close()
    return 0


def run_copy(args) -> int:
    from ..store.db import open_ledger

    if _where(args.source) == _where(args.target) or (
        not is_url(args.source) and not is_url(args.target) and Path(args.source).absolute() == Path(args.target).absolute()
    ):
        raise InputError("来源和目标是同一个台账")
    created: Path | None = None
    if not is_url(args.target) and not Path(args.target).exists():
        created = Path(args.target)
    open_for_reading(args.source).close()  # a bad source is refused before a target file is made
    target = open_ledger(args.target, create=created is not None)
    try:
        _copy_into(args.source, target, args.replace)
    except BaseException:
        target.close()
        if created is not None:
            with contextlib.suppress(OSError):
                created.unlink()
        raise
    target.close()
    return 0
