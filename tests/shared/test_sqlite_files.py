"""Processes that open one new SQLite file at the same moment, as gunicorn workers booting together do."""
from __future__ import annotations

import multiprocessing

import pytest

from services.shared.signing import SqliteReplayGuard
from services.shared.sqlite import SqliteFile

OPENERS = 12
FILES = 40


def _open_all(folder: str, start, kind: str) -> None:
    start.wait()
    for number in range(FILES):
        path = f"{folder}/{kind}-{number}.db"
        if kind == "nonces":
            SqliteReplayGuard(path)
        else:
            SqliteFile(path, migrations=["CREATE TABLE IF NOT EXISTS t (x INTEGER)"]).connection()


@pytest.mark.parametrize("kind", ["nonces", "store"])
def test_processes_opening_new_files_at_once_all_open_them(tmp_path, kind):
    context = multiprocessing.get_context("fork")
    start = context.Barrier(OPENERS)
    openers = [context.Process(target=_open_all, args=(str(tmp_path), start, kind)) for _ in range(OPENERS)]
    for opener in openers:
        opener.start()
    for opener in openers:
        opener.join(60)

    assert [opener.exitcode for opener in openers] == [0] * OPENERS
