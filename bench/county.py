"""The demo counties the bench runs on, written once and cached under ``bench/cache/``.

The cache file's name carries a digest of the code that shapes it (the demo writer, the
models and the migrations), so a change there writes a fresh county instead of
benchmarking a stale one.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_CACHE = ROOT / "bench" / "cache"
PERIOD = (2026, 6)


def _code_digest() -> str:
    store = ROOT / "zsdesk" / "store"
    files = [store / "demo.py", store / "models.py", store / "ledger_setup.py"]
    files += sorted((store / "migrations" / "versions").glob("*.py"))
    digest = hashlib.sha256()
    for path in files:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


@dataclass
class County:
    path: Path
    size: str
    seconds_to_write: float | None
    """None when it came from the cache."""

    def counts(self) -> dict:
        connection = sqlite3.connect(f"file:{self.path.as_posix()}?mode=ro", uri=True)
        try:
            count = lambda table: connection.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: E731
            return {
                "units": count("units"),
                "projects": count("projects"),
                "fund_records": count("fund_records"),
                "investors": count("investors"),
                "visits": count("visits"),
                "file_mb": round(self.path.stat().st_size / 1e6, 1),
            }
        finally:
            connection.close()

    def copy_to(self, target: Path) -> Path:
        """A fresh copy for work that writes (imports)."""
        shutil.copyfile(self.path, target)
        return target


def demo_county(size: str, cache: Path = DEFAULT_CACHE) -> County:
    """The cached demo county of ``size`` ('small' or 'large'), written if missing or stale."""
    from zsdesk.domain.periods import YearMonth
    from zsdesk.store.demo import write_demo

    cache.mkdir(parents=True, exist_ok=True)
    year, month = PERIOD
    path = cache / f"demo-{size}-{year}-{month:02d}-{_code_digest()}.sqlite"
    if path.exists():
        return County(path, size, None)
    for stale in cache.glob(f"demo-{size}-*.sqlite*"):  # the file, its -wal, its .backups folder
        if stale.is_dir():
            shutil.rmtree(stale)
        else:
            stale.unlink()
    partial = path.with_name(f"{path.stem}.partial-{os.getpid()}.sqlite")
    start = time.perf_counter()
    write_demo(partial, YearMonth(year, month), size).close()
    seconds = time.perf_counter() - start
    connection = sqlite3.connect(partial)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    connection.close()
    partial.replace(path)
    return County(path, size, seconds)


def child_env() -> dict:
    """The environment of a child process: this checkout's zsdesk, Qt offscreen."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    env["QT_QPA_PLATFORM"] = "offscreen"
    return env
