"""A directory on the search engine keeps large buffers out of its heap: pages of whole answers leave no memory behind.

glibc would otherwise raise its threshold for separate mappings to the size of each large buffer freed, and
carve the next ones from the heap, where the space they leave stays with the process (services/shared/memory.py).
Run in a process of its own: the setting is per process and for good.
"""
from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import ctypes, sys

class Mallinfo2(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks",
                                                     "fsmblks", "uordblks", "fordblks", "keepcost")]

libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Mallinfo2
if sys.argv[1] == "engine":
    from services.directory.store.search_engine import SearchEngineDirectoryStore
    SearchEngineDirectoryStore.from_url("opensearch+http://127.0.0.1:9")  # nobody there: asked again on first use
freed = bytearray(8 * 2**20)  # a large answer, freed: without a set threshold glibc raises it to 8 MiB
del freed
mapped = libc.mallinfo2().hblks
page = bytearray(2 * 2**20)   # the next page's buffer
print(libc.mallinfo2().hblks - mapped)
"""


def _has_mallinfo2() -> bool:
    try:
        return hasattr(ctypes.CDLL(None), "mallinfo2")
    except OSError:
        return False


def _buffers_mapped(tmp_path: Path, *argv: str) -> int:
    env = dict(os.environ, HAVEN_DATA_DIR=str(tmp_path / "data"), HAVEN_SWEEP_SECONDS="0", HAVEN_DELIVER_SECONDS="0",
               HAVEN_CAPACITY_HISTORY_SECONDS="0", HAVEN_STALE_REMINDER_SECONDS="0")
    env.pop("HAVEN_STORE_URL", None)
    result = subprocess.run([sys.executable, "-c", PROBE, *argv], env=env, cwd=REPO, capture_output=True, text=True,
                            timeout=60, check=True)
    return int(result.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not _has_mallinfo2(), reason="glibc 2.33 or later only: another allocator decides for itself")
def test_a_directory_on_the_engine_maps_each_large_buffer_apart_even_after_a_larger_one_was_freed(tmp_path):
    # The probe tells the two apart: a plain interpreter carves the second buffer from the heap.
    assert _buffers_mapped(tmp_path, "plain") == 0
    assert _buffers_mapped(tmp_path, "engine") == 1
