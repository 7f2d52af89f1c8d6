"""The process's memory: glibc's malloc arenas, and freed memory handed back (issue 18).

The window's worker threads (the ledger opener, the projects loader, the background
integrity check, Qt's own) each get a malloc arena of their own from glibc, up to eight
per CPU, and an arena keeps the pages of its highest use: the large county's 50,000 rows
read in a worker left their arena's peak resident after the rows were handed over.
:func:`limit_arenas` caps them before any thread starts; :func:`give_back` returns the
free pages at the top of the heaps (``malloc_trim``) after a large structure was let go,
so the next tab's peak does not stack on the last one's.

Linux with glibc only; elsewhere (Windows, macOS, musl) both do nothing and say so.
No Qt here: the command line may call them too.
"""

from __future__ import annotations

import sys

M_ARENA_MAX = -8
"""mallopt's parameter number for the arena cap (glibc's malloc.h)."""
M_MMAP_THRESHOLD = -3
MMAP_THRESHOLD = 128 * 1024
"""Blocks from this size up are mapped on their own and unmapped when freed. glibc
starts here but raises the bound to the largest block freed (up to 32 MB), after which
the lists of a 50,000-row load sit in the heap between smaller objects and keep their
pages; fixed, they go back to the system when freed (the checks' peak: about 2 MB)."""

ARENAS = 2
"""Arenas allowed: the main thread's and one shared by every worker thread. A desktop
program's threads rarely allocate at the same moment, so contention costs nothing here."""

_libc = None
_looked = False


def _glibc():
    global _libc, _looked
    if not _looked:
        _looked = True
        if sys.platform.startswith("linux"):
            try:
                import ctypes

                libc = ctypes.CDLL("libc.so.6")
                if hasattr(libc, "mallopt") and hasattr(libc, "malloc_trim"):
                    libc.mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
                    libc.malloc_trim.argtypes = (ctypes.c_size_t,)
                    _libc = libc
            except OSError:  # not glibc (musl), or no libc.so.6
                _libc = None
    return _libc


def limit_arenas(count: int = ARENAS) -> bool:
    """Cap glibc's malloc arenas at ``count`` and fix its mmap threshold; True if it was
    done. Call it before any thread starts (arenas already made stay)."""
    libc = _glibc()
    if libc is None:
        return False
    libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
    return libc.mallopt(M_ARENA_MAX, int(count)) == 1


def give_back() -> bool:
    """Hand the free memory of every arena back to the system; True if any was."""
    libc = _glibc()
    return bool(libc is not None and libc.malloc_trim(0) == 1)
