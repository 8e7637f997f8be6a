"""Keeping a worker's memory near what it uses after answers of many records (glibc's allocator).

A page of a thousand provider documents is a few megabytes: the engine's answer as bytes and as text, the
decoded objects, the JSON sent on. glibc serves an allocation of 128 KiB or more with a mapping of its own,
given back to the system when freed, but each such buffer freed raises that threshold to its size (up to
32 MiB). From then on the answers' buffers are carved from the heap, among small objects that live on, and
the space they leave stays with the process: at 100,000 providers, a directory worker that answered the
matcher's snapshot (a hundred pages) kept about 115 MB more for good, and one that walked every provider in
a background round about 80 MB.
"""
from __future__ import annotations

import ctypes

M_MMAP_THRESHOLD = -3          # mallopt's parameter number (malloc.h)
LARGE_BUFFER = 128 * 1024      # glibc's own starting threshold


def _mallopt():
    try:
        return ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc: its allocator decides
        return None


def keep_large_buffers_apart() -> bool:
    """Serve every allocation of 128 KiB or more with a mapping of its own, in this process, for good.

    Setting the threshold stops glibc raising it: a large buffer goes back to the system when freed instead of
    leaving a hole in the heap. The cost is a mapping and its page faults per large buffer, a fraction of a
    millisecond for a page of the change feed. False when the C library has no such setting.
    """
    mallopt = _mallopt()
    return mallopt is not None and mallopt(M_MMAP_THRESHOLD, LARGE_BUFFER) == 1
