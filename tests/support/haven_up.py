"""`haven up` as a real process for integration tests (no pytest dependency).

    with start_haven_up(folder, "--demo") as haven:    # returns once all three answer /healthz
        haven.masters()["directory"]                    # the pid of the directory's gunicorn master
        haven.url("matcher")

`stop()` is Ctrl-C's path (SIGTERM to `haven up`); whatever is still running after that, `haven up`
and every service process group it started, is killed.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from tests.support.processes import REPO, free_port

SERVICES = ("gateway", "directory", "matcher")
START_TIMEOUT = 90.0


def free_port_run(length: int = 3) -> int:
    """A port p with p .. p+length-1 all free on 127.0.0.1 right now (`haven up` uses three in a row)."""
    for _ in range(50):
        port = free_port()
        if port + length < 65536 and all(_free(port + offset) for offset in range(1, length)):
            return port
    raise RuntimeError("no run of free ports found")


def _free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class HavenUp:
    def __init__(self, process: subprocess.Popen, port: int, output: Path):
        self.process = process
        self.port = port
        self.output = output
        self.groups: set[int] = set()

    def url(self, service: str) -> str:
        return f"http://127.0.0.1:{self.port + SERVICES.index(service)}"

    def output_text(self) -> str:
        return self.output.read_text(errors="replace")

    def masters(self) -> dict[str, int]:
        """The pid of each service's gunicorn master: the children of `haven up`, by the app they run."""
        found = {}
        for pid in _children(self.process.pid):
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            except FileNotFoundError:
                continue
            for service in SERVICES:
                if f"services.{service}:create_app()" in command:
                    found[service] = pid
                    self.groups.add(pid)  # each service is started as a process group of its own
        return found

    def healthy(self, service: str, timeout: float = 2.0) -> bool:
        try:
            return requests.get(self.url(service) + "/healthz", timeout=timeout).status_code == 200
        except requests.RequestException:
            return False

    def stop(self, timeout: float = 30.0) -> int | None:
        self.masters()  # note the groups while they can still be found
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        return self._kill_rest()

    def _kill_rest(self) -> int | None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        for group in self.groups:
            try:
                os.killpg(group, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        return self.process.returncode

    def __enter__(self) -> "HavenUp":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _children(pid: int) -> list[int]:
    children = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            children += [int(child) for child in (task / "children").read_text().split()]
        except FileNotFoundError:
            continue
    return children


def start_haven_up(folder: Path, *args: str, env: dict[str, str] | None = None, workers: int = 1,
                   timeout: float = START_TIMEOUT) -> HavenUp:
    """Start `haven up --port P --workers N *args` with HAVEN_DATA_DIR=folder; return once all three answer.

    Its stdout and stderr go to a file beside the folder (`output_text()`)."""
    port = free_port_run()
    # Beside the data folder, not in it: the folder holds only what Haven writes.
    output = folder.with_name(folder.name + "-haven-up.log")
    environ = {**os.environ, "HAVEN_DATA_DIR": str(folder), "HAVEN_RATE_LIMIT": "0",
               # The cheapest argon2 cost: demo accounts are made quickly; the algorithm is the same.
               "HAVEN_PASSWORD_TIME_COST": "1", "HAVEN_PASSWORD_MEMORY_KIB": "8", "HAVEN_PASSWORD_PARALLELISM": "1",
               **(env or {})}
    for name in ("HAVEN_STORE_URL", "HAVEN_DIRECTORY_URL", "HAVEN_MATCHER_URL"):
        if name not in (env or {}):
            environ.pop(name, None)
    with output.open("wb") as sink:
        process = subprocess.Popen([sys.executable, "-m", "services.cli", "up", "--port", str(port),
                                    "--workers", str(workers), *args], cwd=REPO, env=environ,
                                   stdin=subprocess.DEVNULL, stdout=sink, stderr=subprocess.STDOUT)
    haven = HavenUp(process, port, output)
    try:
        deadline = time.monotonic() + timeout
        while not all(haven.healthy(service, timeout=1) for service in SERVICES):
            if process.poll() is not None:
                raise RuntimeError(f"haven up exited with {process.returncode}:\n{haven.output_text()[-4000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"haven up did not start within {timeout:.0f} s:\n{haven.output_text()[-4000:]}")
            time.sleep(0.2)
        haven.masters()
    except BaseException:
        haven.stop()
        raise
    return haven
