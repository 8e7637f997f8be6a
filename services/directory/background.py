"""Work the directory does on its own time: expiring holds, and later delivering and reminding.

One thread per process runs the tasks; among the gunicorn workers of one machine only the one holding
an exclusive lock on a file in HAVEN_DATA_DIR runs them (the lock goes with a dead worker, and another
takes it over). Every task is also safe to run twice at once: replicas on other machines may sweep the
same store, and each store lets only one of them move a referral (a SQLite transaction, the engine's
sequence numbers), so each expiry is marked and audited once.
"""
from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

log = logging.getLogger("haven.directory.background")


@dataclass(frozen=True)
class Task:
    name: str
    every_s: float
    run: Callable[[], object]


class Background:
    """Runs tasks on their intervals in one daemon thread, while this process holds the lock."""

    def __init__(self, tasks: list[Task], *, lock_path: Path | None = None, tick_s: float = 0.05):
        self.tasks = tasks
        self.lock_path = lock_path
        self.tick_s = tick_s
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_fd: int | None = None
        self._due: dict[str, float] = {}

    def start(self) -> "Background":
        self._thread = threading.Thread(target=self._loop, name="haven-background", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        self._release()

    @property
    def leading(self) -> bool:
        return self.lock_path is None or self._lock_fd is not None

    def _take_lock(self) -> bool:
        if self.leading:
            return True
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            return False
        self._lock_fd = fd
        log.info("background tasks run in this process", extra={"pid": os.getpid()})
        return True

    def _release(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)  # closing the descriptor drops the lock
            self._lock_fd = None

    def _loop(self) -> None:
        while not self._stop.is_set():
            if self._take_lock():
                for task in self.tasks:
                    if time.monotonic() >= self._due.get(task.name, 0.0):
                        self._run(task)
                        self._due[task.name] = time.monotonic() + task.every_s
                self._stop.wait(self.tick_s)
            else:
                self._stop.wait(1.0)  # another worker leads; try again in a while

    @staticmethod
    def _run(task: Task) -> None:
        try:
            task.run()
        except Exception:  # noqa: BLE001 - a failing round is logged and tried again on the next one
            log.warning("background task failed", extra={"task": task.name}, exc_info=True)
