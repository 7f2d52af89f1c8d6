"""Staff names for the database roles of the bureau's server.

On a server every staff member logs in with a database role of their own; the audit
trail records the connection's own role (``current_user``), mapped to a name through
the ``staff_names`` table that the bureau edits (服务器 → 工作人员姓名…, or ``zsdesk server
staff URL --role r --name 王五``). An unmapped role appears as itself. On a file nothing
changes: the trail names the clerk from the file's settings.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import InputError
from . import models as m


def is_server_session(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def connection_role(session: Session) -> str | None:
    """The database role this session's connection logged in with; None on a file."""
    if not is_server_session(session):
        return None
    return session.scalar(select(func.current_user()))


def staff_name(session: Session, role: str) -> str:
    """The staff member's name for ``role``, or the role itself when none is set."""
    name = session.scalar(select(m.StaffName.name).where(m.StaffName.role == role))
    return name.strip() if name and name.strip() else role


def staff_names(session: Session) -> list[tuple[str, str]]:
    """(role, name) of every mapped role, by role."""
    return [tuple(row) for row in session.execute(select(m.StaffName.role, m.StaffName.name).order_by(m.StaffName.role))]


def login_roles(session: Session) -> list[str]:
    """The server's roles that can log in (offered by the staff dialog); [] on a file."""
    if not is_server_session(session):
        return []
    from sqlalchemy import column, table

    pg_roles = table("pg_roles", column("rolname"), column("rolcanlogin"))
    return list(
        session.scalars(
            select(pg_roles.c.rolname)
            .where(pg_roles.c.rolcanlogin.is_(True), ~pg_roles.c.rolname.startswith("pg_"))
            .order_by(pg_roles.c.rolname)
        )
    )


def set_staff_name(session: Session, role: str, name: str) -> None:
    """Map ``role`` to ``name``; an empty name removes the mapping."""
    role, name = (role or "").strip(), (name or "").strip()
    if not role:
        raise InputError("请填写数据库用户名（角色）")
    if len(role) > 100 or len(name) > 100:
        raise InputError("用户名和姓名都不能超过100个字")
    record = session.get(m.StaffName, role)
    if not name:
        if record is not None:
            session.delete(record)
    elif record is None:
        session.add(m.StaffName(role=role, name=name))
    else:
        record.name = name
    session.flush()
