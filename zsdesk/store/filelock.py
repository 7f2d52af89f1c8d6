"""One writer per ledger file: a lock file beside it, held while the file is open for writing.

``NAME.sqlite.lock`` holds JSON saying who has the file (computer, user, clerk, pid, since)
so that a second opener can be told. Whether the lock is *live* is decided by the
operating system, not by the JSON: the holder keeps an OS lock on the lock file
(``flock`` on POSIX, ``msvcrt.locking`` on Windows) for as long as the ledger is open.
The OS drops that lock when the process ends in any way (closed, crashed, killed, the
PC switched off), so a lock file whose OS lock is free was left behind and is taken
over. Both OS locks belong to an open file handle, so a second window in the same
process is refused just like a second program.

Where the file system offers no OS locks (some network shares), the JSON decides: a
holder on this computer whose process is gone is stale, and so is a holder on another
computer whose lock was not refreshed for :data:`STALE_AFTER` (a writer refreshes it at
most every :data:`REFRESH_EVERY` when it saves).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import LedgerLocked, ReadOnlyLocation
from .who import reason, this_computer, this_user  # noqa: F401 - this_user/this_computer: public here too

LOCK_SUFFIX = ".lock"
STALE_AFTER = dt.timedelta(hours=12)
REFRESH_EVERY = dt.timedelta(minutes=10)
_WINDOWS_LOCK_OFFSET = 0x7FFFFFF0
"""Windows locks are mandatory: lock one byte far past the JSON so others can still read it."""


def lock_path(ledger_path: Path) -> Path:
    return ledger_path.with_name(ledger_path.name + LOCK_SUFFIX)


@dataclass(frozen=True)
class LockHolder:
    """Who holds (or held) a ledger open for writing."""

    computer: str
    user: str
    pid: int
    since: dt.datetime
    refreshed: dt.datetime
    clerk: str = ""

    def describe(self) -> str:
        who = f"{self.clerk}（系统用户 {self.user}）" if self.clerk and self.clerk != self.user else self.user
        return f"{who}，电脑“{self.computer}”，自 {self.since:%Y-%m-%d %H:%M} 起"

    def to_json(self) -> str:
        return json.dumps(
            {
                "computer": self.computer,
                "user": self.user,
                "clerk": self.clerk,
                "pid": self.pid,
                "since": self.since.isoformat(timespec="seconds"),
                "refreshed": self.refreshed.isoformat(timespec="seconds"),
                "program": "zsdesk",
            },
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, text: str) -> "LockHolder | None":
        try:
            data = json.loads(text)
            since = dt.datetime.fromisoformat(data["since"])
            return cls(
                computer=str(data.get("computer", "")),
                user=str(data.get("user", "")),
                pid=int(data.get("pid", 0)),
                since=since,
                refreshed=dt.datetime.fromisoformat(data.get("refreshed") or data["since"]),
                clerk=str(data.get("clerk", "")),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None

    def is_stale(self, now: dt.datetime | None = None) -> bool:
        """Judged from the JSON alone: only where the file system has no OS locks."""
        now = now or dt.datetime.now()
        if self.computer == this_computer():
            return not process_alive(self.pid)
        return now - self.refreshed > STALE_AFTER


class LedgerInUse(LedgerLocked):
    """Another zsdesk (or another window) has the ledger open for writing."""

    def __init__(self, ledger_path: Path, holder: LockHolder | None):
        who = holder.describe() if holder else "另一个zsdesk程序"
        super().__init__(
            f"台账文件正由 {who} 打开并可能正在修改，不能同时写入：{ledger_path}。"
            "可以只读方式打开查看，或等对方关闭后再试。"
        )
        self.ledger_path = ledger_path
        self.holder = holder


def process_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    if pid == os.getpid():
        return True
    if sys.platform == "win32":
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    except OSError:
        return False
    return True


def _windows_process_alive(pid: int) -> bool:  # pragma: no cover - Windows only
    # os.kill(pid, 0) would terminate the process on Windows: ask the kernel instead.
    import ctypes

    process_query_limited_information = 0x1000
    still_active = 259
    kernel32 = ctypes.windll.kernel32
    handle = kernel32.OpenProcess(process_query_limited_information, False, pid)
    if not handle:
        return ctypes.GetLastError() == 5  # access denied: it exists
    try:
        code = ctypes.c_ulong()
        if not kernel32.GetExitCodeProcess(handle, ctypes.byref(code)):
            return True
        return code.value == still_active
    finally:
        kernel32.CloseHandle(handle)


# -- OS locks ----------------------------------------------------------------------------

_BUSY = {errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK, getattr(errno, "EDEADLOCK", errno.EDEADLK)}


def _os_lock(fd: int) -> bool | None:
    """Try to take the OS lock without waiting: True taken, False held by someone, None unsupported."""
    try:
        if sys.platform == "win32":  # pragma: no cover - Windows only
            import msvcrt

            os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in _BUSY:
            return False
        return None
    return True


def _os_unlock(fd: int) -> None:
    with contextlib.suppress(OSError):
        if sys.platform == "win32":  # pragma: no cover - Windows only
            import msvcrt

            os.lseek(fd, _WINDOWS_LOCK_OFFSET, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(fd, fcntl.LOCK_UN)


def _same_file(fd: int, path: Path) -> bool:
    """Is the open lock file still the one at ``path`` (not unlinked by a releasing holder)?"""
    try:
        here, there = os.fstat(fd), os.stat(path)
    except OSError:
        return False
    if not here.st_ino or not there.st_ino:
        return True
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _write(fd: int, text: str) -> None:
    data = text.encode("utf-8")
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    written = 0
    while written < len(data):
        written += os.write(fd, data[written:])
    os.fsync(fd)


def read_holder(ledger_path: Path, attempts: int = 5) -> LockHolder | None:
    """What the lock file says (whether or not the lock is live); None if nothing readable."""
    path = lock_path(Path(ledger_path))
    for attempt in range(attempts):
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        holder = LockHolder.from_json(text) if text.strip() else None
        if holder is not None:
            return holder
        time.sleep(0.02 * (attempt + 1))  # the holder may be writing it right now
    return None


def _lock_file_error(exc: OSError, path: Path) -> ReadOnlyLocation:
    return ReadOnlyLocation(f"无法写入台账旁的锁文件（{reason(exc)}），不能以可写方式打开：{path}")


class WriterLock:
    """The lock a writable :class:`~zsdesk.store.db.Ledger` holds until it is closed."""

    def __init__(self, ledger_path: Path, fd: int, holder: LockHolder, os_locked: bool):
        self.ledger_path = ledger_path
        self.path = lock_path(ledger_path)
        self._fd: int | None = fd
        self.holder = holder
        self.os_locked = os_locked
        self.took_over: LockHolder | None = None
        """A stale holder whose lock was taken over, if any (for a notice)."""

    @property
    def held(self) -> bool:
        return self._fd is not None

    @classmethod
    def acquire(cls, ledger_path: str | os.PathLike, *, clerk: str = "") -> "WriterLock":
        """Take the lock, or raise :class:`LedgerInUse` saying who has it."""
        ledger_path = Path(ledger_path)
        path = lock_path(ledger_path)
        now = dt.datetime.now().replace(microsecond=0)
        me = LockHolder(this_computer(), this_user(), os.getpid(), now, now, clerk)
        for _ in range(10):
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
            except OSError as exc:
                raise _lock_file_error(exc, path) from None
            status = _os_lock(fd)
            if status is None:
                os.close(fd)
                return cls._acquire_without_os_lock(ledger_path, me)
            if status is False:
                os.close(fd)
                raise LedgerInUse(ledger_path, read_holder(ledger_path))
            if not _same_file(fd, path):
                os.close(fd)  # the previous holder removed it as we opened it: start again
                continue
            previous = _read_fd(fd)
            try:
                _write(fd, me.to_json())
            except OSError as exc:
                if sys.platform != "win32":
                    with contextlib.suppress(OSError):
                        path.unlink()
                _os_unlock(fd)
                os.close(fd)
                if sys.platform == "win32":  # pragma: no cover - Windows only
                    with contextlib.suppress(OSError):
                        path.unlink()
                raise _lock_file_error(exc, path) from None
            lock = cls(ledger_path, fd, me, os_locked=True)
            lock.took_over = previous
            return lock
        raise LedgerInUse(ledger_path, read_holder(ledger_path))

    @classmethod
    def _acquire_without_os_lock(cls, ledger_path: Path, me: LockHolder) -> "WriterLock":
        path = lock_path(ledger_path)
        took_over = None
        for _ in range(10):
            try:
                fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:
                holder = read_holder(ledger_path)
                if holder is None:
                    if _recently_touched(path):
                        raise LedgerInUse(ledger_path, None) from None
                elif not holder.is_stale():
                    raise LedgerInUse(ledger_path, holder) from None
                took_over = holder
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
                continue
            except OSError as exc:
                raise _lock_file_error(exc, path) from None
            try:
                _write(fd, me.to_json())
            except OSError as exc:
                os.close(fd)
                with contextlib.suppress(OSError):
                    path.unlink()
                raise _lock_file_error(exc, path) from None
            lock = cls(ledger_path, fd, me, os_locked=False)
            lock.took_over = took_over
            return lock
        raise LedgerInUse(ledger_path, read_holder(ledger_path))

    def update(self, *, clerk: str | None = None, force: bool = False) -> None:
        """Refresh the time (at most every REFRESH_EVERY unless forced) and the clerk's name."""
        if self._fd is None:
            return
        now = dt.datetime.now().replace(microsecond=0)
        changed_clerk = clerk is not None and clerk != self.holder.clerk
        if not (force or changed_clerk or now - self.holder.refreshed >= REFRESH_EVERY):
            return
        self.holder = LockHolder(
            self.holder.computer,
            self.holder.user,
            self.holder.pid,
            self.holder.since,
            now,
            clerk if clerk is not None else self.holder.clerk,
        )
        with contextlib.suppress(OSError):  # the lock stands; only its note is older
            _write(self._fd, self.holder.to_json())

    def release(self) -> None:
        fd, self._fd = self._fd, None
        if fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        if sys.platform == "win32":  # pragma: no cover - Windows only
            _os_unlock(fd)
            os.close(fd)
            with contextlib.suppress(OSError):  # another program may be reading it
                self.path.unlink()
            return
        # Unlink while still holding the lock, so nobody can take a lock on a file that is
        # about to disappear (an opener checks it locked the file that is still there).
        with contextlib.suppress(OSError):
            self.path.unlink()
        if self.os_locked:
            _os_unlock(fd)
        os.close(fd)

    def __repr__(self) -> str:
        return f"WriterLock({str(self.path)!r}, {'held' if self.held else 'released'})"


def _read_fd(fd: int) -> LockHolder | None:
    try:
        os.lseek(fd, 0, os.SEEK_SET)
        data = os.read(fd, 65536)
        return LockHolder.from_json(data.decode("utf-8")) if data.strip() else None
    except (OSError, UnicodeDecodeError):
        return None


def _recently_touched(path: Path, seconds: float = 5.0) -> bool:
    try:
        return time.time() - path.stat().st_mtime < seconds
    except OSError:
        return False
