"""Who is at the keyboard, and what an operating-system error means, for every store module.

The bottom of the store: the writer lock (:mod:`.filelock`), the audit trail
(:mod:`.audit`), the month locks (:mod:`.locks`) and backups (:mod:`.backup`) all name the
clerk and explain a failed file operation the same way, and import these from here so that
none of them imports a module above it.
"""

from __future__ import annotations

import errno
import getpass
import socket

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import Setting
from .settings import CLERK_NAME


def this_computer() -> str:
    return socket.gethostname() or "未知电脑"


def this_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name in the environment (a service, a container)
        return "未知用户"


_SERVER_WHO = "zsdesk.server_who"


def current_user(session: Session) -> str:
    """Who is changing the ledger.

    On a server: the connection's own database role, by the staff name the bureau gave it
    (:mod:`zsdesk.store.staff`; unmapped, the role itself) — each staff member's changes
    under their own name, whoever's settings the ledger holds. On a file: the clerk's
    name from the settings, or the computer's login name.
    """
    from .staff import connection_role, staff_name

    known = session.info.get(_SERVER_WHO)
    if known is not None:  # asked once per action: an import's many bulk statements over the network
        return known
    role = connection_role(session)
    if role is not None:
        session.info[_SERVER_WHO] = who = staff_name(session, role)
        return who
    value = session.scalar(select(Setting.value).where(Setting.key == CLERK_NAME))
    if value and value.strip():
        return value.strip()
    return this_user()


def reason(exc: OSError) -> str:
    """Why a file operation failed, in a few Chinese words."""
    return {
        errno.EACCES: "没有写入权限",
        errno.EPERM: "没有写入权限",
        errno.EROFS: "只读的磁盘",
        errno.ENOSPC: "磁盘已满",
        errno.ENOENT: "路径不存在",
        errno.ENOTDIR: "路径不是文件夹",
        errno.EIO: "读写出错，U盘可能已拔出",
    }.get(exc.errno, exc.strerror or str(exc))
