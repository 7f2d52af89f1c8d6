"""Fixtures for every test: Qt offscreen, fresh ledger files, the demo county."""

import os

# Before anything imports Qt: with no display and no platform, Qt aborts the process.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("MPLBACKEND", "Agg")

import shutil
from pathlib import Path

import pytest

from zsdesk.domain.periods import YearMonth
from zsdesk.store.demo import write_demo
from zsdesk.store.ledger_setup import create_ledger

DEMO_PERIOD = YearMonth(2026, 6)
SMALL_UNITS = ["甲镇", "乙乡", "丙街道", "丁园区"]


@pytest.fixture
def period() -> YearMonth:
    return DEMO_PERIOD


@pytest.fixture
def ledger_path(tmp_path) -> Path:
    """A path where no file exists yet."""
    return tmp_path / "ledger.sqlite"


@pytest.fixture(scope="session")
def _demo_master(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo-master") / "demo.sqlite"
    write_demo(path, DEMO_PERIOD, "small").close()
    return path


@pytest.fixture
def demo_path(_demo_master, tmp_path) -> Path:
    """A fresh copy of the small demo county (June 2026) for this test alone."""
    path = tmp_path / "demo.sqlite"
    shutil.copyfile(_demo_master, path)
    return path


# --- the same ledgers on a PostgreSQL server (issue 15) ------------------------------
# A module marked ``pytestmark = pytest.mark.both_backends`` runs every test that uses
# ``ledger`` or ``demo_ledger`` twice: on a SQLite file and on a database of a throwaway
# PostgreSQL cluster (tests/pg_support.py), started once per session. A test about the
# file itself (PRAGMAs, the file lock, backups) is marked ``file_only``.

BACKENDS = ["sqlite", "postgresql"]


def pytest_generate_tests(metafunc):
    definition = metafunc.definition
    if (
        "backend" in metafunc.fixturenames
        and definition.get_closest_marker("both_backends")
        and not definition.get_closest_marker("file_only")
    ):
        metafunc.parametrize("backend", BACKENDS, indirect=True)


@pytest.fixture
def backend(request) -> str:
    return getattr(request, "param", "sqlite")


@pytest.fixture(scope="session")
def pg_cluster():
    from tests.pg_support import Cluster, pg_bin

    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL 未安装（找不到 initdb；CI 由 .ci/debian-packages 安装 postgresql）")
    try:
        import psycopg  # noqa: F401
    except ImportError:
        pytest.skip("没有安装 psycopg（pip install -e '.[test]'）")
    cluster = Cluster(bin_dir).start()
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster) -> str:
    """A URL of a new, empty database (no schema) on the test cluster."""
    return pg_cluster.url(pg_cluster.create_database())


@pytest.fixture(scope="session")
def _pg_demo_template(pg_cluster, _demo_master) -> str:
    """A database holding the small demo county, copied from the demo file once."""
    from zsdesk.store.copying import copy_ledger
    from zsdesk.store.db import open_ledger
    from zsdesk.store.server import open_server, upgrade_server

    name = pg_cluster.create_database()
    url = pg_cluster.url(name)
    upgrade_server(url, create=True)
    source, target = open_ledger(_demo_master, readonly=True), open_server(url)
    try:
        copy_ledger(source, target)
    finally:
        source.close()
        target.close()
    return name


@pytest.fixture
def ledger(request, backend, ledger_path):
    """A new, empty ledger of 测试县 with four units (a file, or a server database)."""
    location = ledger_path
    if backend == "postgresql":
        location = request.getfixturevalue("pg_url")
    ledger = create_ledger(location, "测试县", SMALL_UNITS)
    yield ledger
    ledger.close()


@pytest.fixture
def demo_ledger(request, backend, demo_path):
    from zsdesk.store.db import open_ledger

    location = demo_path
    if backend == "postgresql":
        cluster = request.getfixturevalue("pg_cluster")
        location = cluster.url(cluster.create_database(template=request.getfixturevalue("_pg_demo_template")))
    ledger = open_ledger(location)
    yield ledger
    ledger.close()
