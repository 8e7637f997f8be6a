"""Keeping the directory's memory near what it uses after reading whole answers of the search engine (glibc).

The official engine clients read an answer whole: a page of a thousand provider documents is a few megabytes
as bytes and again as text, then the decoded objects and the JSON sent on. glibc serves an allocation of
128 KiB or more with a mapping of its own, given back to the system when freed, but each such buffer freed
raises that threshold to its size (up to 32 MiB). From then on the answers' buffers are carved from the heap,
among small objects that live on, and the space they leave stays with the process: at 100,000 providers, a
directory worker that answered the matcher's snapshot (a hundred pages) kept about 115 MB more for good, and
one that walked every provider in a background round about 80 MB. The embedded store reads rows, has no such
buffers, and keeps glibc's own behaviour (with this setting it kept about 15 MB more); so do the gateway and
the matcher, whose engine clients read small answers only.
"""
from __future__ import annotations

import ctypes

M_TRIM_THRESHOLD = -1          # mallopt's parameter numbers (malloc.h)
M_MMAP_THRESHOLD = -3
LARGE_BUFFER = 1024 * 1024     # a page of the feed is 2 MB or more; a match's answers stay under this
KEEP_FREE_ON_TOP = 4 * 1024 * 1024


def _mallopt():
    try:
        return ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc: its allocator decides
        return None


def keep_large_buffers_apart() -> bool:
    """Serve every allocation of 1 MiB or more with a mapping of its own, in this process, for good.

    Setting the threshold stops glibc raising it: a large buffer goes back to the system when freed instead of
    leaving a hole in the heap. That costs its page faults each time (a page of the feed about 1,100, 2 to 3 ms
    of a 45 ms page); the buffers of a match's candidates stay in the heap and cost none. Setting it also fixes
    how much free memory the top of a heap keeps before it is given back (glibc would otherwise raise that with
    the threshold): 4 MiB, what glibc keeps once large buffers of 2 MiB have been freed, so a match's buffers
    are used again rather than given back and faulted in anew. False when the C library has no such setting.
    """
    mallopt = _mallopt()
    return (mallopt is not None and mallopt(M_MMAP_THRESHOLD, LARGE_BUFFER) == 1
            and mallopt(M_TRIM_THRESHOLD, KEEP_FREE_ON_TOP) == 1)
