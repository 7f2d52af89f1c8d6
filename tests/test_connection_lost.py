"""A server connection dropped (pg_terminate_backend, as a server restart or a cut network
would) between two actions and during one (issue 15 item 4)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from zsdesk.domain.enums import Stage
from zsdesk.domain.records import ProjectData
from zsdesk.store import projects as proj
from zsdesk.store.ledger_setup import create_ledger
from zsdesk.store.models import AuditEntry, Project, Unit
from zsdesk.store.server import ConnectionLost, ServerUnreachable

TODAY = dt.date(2026, 6, 30)


@pytest.fixture
def server(pg_cluster):
    database = pg_cluster.create_database()
    ledger = create_ledger(pg_cluster.url(database), "测试县", ["甲镇", "乙乡"])
    yield ledger, database
    ledger.close()


def add_project(session, name):
    unit = session.scalar(select(Unit.id).where(Unit.name == "甲镇"))
    data = ProjectData(name=name, unit_id=unit, planned_investment=Decimal("100"), dates={Stage.PLANNED: dt.date(2026, 1, 5)})
    return proj.save_project(session, None, data, TODAY)


def counts(ledger):
    with ledger.read() as s:
        return s.scalar(select(func.count(Project.id))), s.scalar(select(func.count(AuditEntry.id)))


def test_a_connection_dropped_between_two_actions_is_replaced_unnoticed(server, pg_cluster):
    ledger, database = server
    with ledger.begin() as s:
        add_project(s, "一号项目")
    assert pg_cluster.terminate(database) >= 1  # the pool's idle connection is gone
    with ledger.begin() as s:  # the pool tests the connection first and opens a new one
        add_project(s, "二号项目")
    with ledger.read() as s:
        assert sorted(s.scalars(select(Project.name))) == ["一号项目", "二号项目"]


def test_a_connection_dropped_during_an_action_writes_nothing_and_says_so(server, pg_cluster):
    ledger, database = server
    with ledger.begin() as s:
        add_project(s, "一号项目")
    before = counts(ledger)
    with pytest.raises(ConnectionLost) as caught:
        with ledger.begin() as s:
            add_project(s, "二号项目")  # written to the server, not committed
            s.flush()
            assert pg_cluster.terminate(database) >= 1
            s.scalar(select(func.count(Project.id)))  # the next statement finds the connection gone
    assert isinstance(caught.value, ServerUnreachable)  # what a command line exits 2 for
    assert caught.value.message.startswith("与数据库服务器的连接中断了")
    assert "没有写入任何内容" in caught.value.message and "重新连接" in caught.value.message
    assert counts(ledger) == before  # nothing half-written: no project, no audit entry
    with ledger.begin() as s:  # and the ledger goes on working
        add_project(s, "二号项目")
    assert counts(ledger)[0] == before[0] + 1
