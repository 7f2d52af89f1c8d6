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


@pytest.fixture
def ledger(ledger_path):
    """A new, empty ledger of 测试县 with four units."""
    ledger = create_ledger(ledger_path, "测试县", SMALL_UNITS)
    yield ledger
    ledger.close()


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


@pytest.fixture
def demo_ledger(demo_path):
    from zsdesk.store.db import open_ledger

    ledger = open_ledger(demo_path)
    yield ledger
    ledger.close()
