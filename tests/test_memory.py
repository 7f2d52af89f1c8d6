"""zsdesk/memory.py: glibc's arena cap and malloc_trim, where there is glibc (issue 18)."""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

from zsdesk import memory

glibc = pytest.mark.skipif(
    not sys.platform.startswith("linux") or platform.libc_ver()[0] != "glibc", reason="glibc only"
)


@glibc
def test_the_arena_cap_holds_for_threads_started_after_it():
    """With the cap at 1 every thread allocates in the main arena: malloc_stats lists one
    arena; without it, threads that allocate at once get arenas of their own."""
    script = """
import sys, threading
from zsdesk import memory
if sys.argv[1] == "cap":
    assert memory.limit_arenas(1)
barrier = threading.Barrier(4)
def work():
    barrier.wait()
    keep = [bytearray(2000) for _ in range(2000)]  # above pymalloc's 512 bytes: glibc's malloc
threads = [threading.Thread(target=work) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
import ctypes
ctypes.CDLL("libc.so.6").malloc_stats()
"""
    arenas = {}
    for mode in ("cap", "free"):
        done = subprocess.run([sys.executable, "-c", script, mode], capture_output=True, text=True, check=True)
        arenas[mode] = done.stderr.count("Arena ")
    assert arenas["cap"] == 1
    assert arenas["free"] > 1


@glibc
def test_give_back_returns_freed_heap_to_the_system():
    blocks = [bytearray(1000) for _ in range(50_000)]  # ~50 MB of small blocks on the heap
    del blocks
    assert memory.give_back() is True  # there was free memory to hand back


def test_elsewhere_both_do_nothing(monkeypatch):
    monkeypatch.setattr(memory, "_looked", True)
    monkeypatch.setattr(memory, "_libc", None)
    assert memory.limit_arenas() is False
    assert memory.give_back() is False
