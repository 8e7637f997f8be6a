"""Server processes the bench starts and watches: gunicorn apps, `haven up`, the local search engine."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import requests

REPO = Path(__file__).resolve().parent.parent


def free_port() -> int:
    """A TCP port nobody listens on now, with two free neighbours (`haven up` uses port, +1, +2)."""
    for _ in range(200):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        if port < 64000 and all(_is_free(port + offset) for offset in (1, 2)):
            return port
    raise RuntimeError("no free port found")


def _is_free(port: int) -> bool:
    with socket.socket() as probe:
        try:
            probe.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


@dataclass(frozen=True)
class WorkerSettings:
    """gunicorn worker settings; the default is what `haven up` uses (services/cli/run.py)."""

    worker_class: str = "gthread"
    workers: int = 2
    threads: int = 4

    @property
    def label(self) -> str:
        if self.worker_class == "sync":
            return f"sync, {self.workers} workers"
        return f"{self.worker_class}, {self.workers} workers x {self.threads} threads"

    def gunicorn_args(self) -> list[str]:
        args = ["--workers", str(self.workers), "--worker-class", self.worker_class]
        if self.worker_class == "gthread":
            args += ["--threads", str(self.threads)]
        # The same keep-alive and timeouts as `haven up`; sync workers ignore keep-alive.
        return args + ["--keep-alive", "30", "--graceful-timeout", "10"]


HAVEN_UP = WorkerSettings()


def wait_http(url: str, process: subprocess.Popen | None = None, timeout: float = 60.0) -> None:
    """Wait until GET url answers 200; fail early when the process died."""
    deadline = time.monotonic() + timeout
    while True:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"process for {url} exited with code {process.returncode}")
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{url} did not answer within {timeout:.0f} s")
        time.sleep(0.2)


def stop_process(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 20.0) -> None:
    """Stop one process we started (its children are its own business: gunicorn stops its workers)."""
    if process.poll() is None:
        process.send_signal(sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            for child in _tree(process.pid):
                try:
                    child.kill()
                except psutil.Error:
                    pass
            process.wait(timeout=5)


def _tree(pid: int) -> list[psutil.Process]:
    try:
        root = psutil.Process(pid)
        return [root] + root.children(recursive=True)
    except psutil.NoSuchProcess:
        return []


@dataclass
class Gunicorn:
    """One gunicorn app the bench started itself (the three-hop chain)."""

    name: str
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @classmethod
    def start(cls, name: str, app: str, port: int, settings: WorkerSettings, env: dict, log: Path) -> "Gunicorn":
        command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", *settings.gunicorn_args(),
                   "--error-logfile", "-", app]
        with open(log, "ab") as out:
            process = subprocess.Popen(command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        return cls(name, port, process)

    def stop(self) -> None:
        stop_process(self.process)


def gunicorn_masters(root_pid: int) -> dict[str, int]:
    """The gunicorn master of each Haven service under a `haven up` process, by service name."""
    masters = {}
    for child in _tree(root_pid)[1:]:
        try:
            cmdline = " ".join(child.cmdline())
            parent_cmdline = " ".join(child.parent().cmdline())
        except psutil.Error:
            continue
        if "gunicorn" in cmdline and "gunicorn" not in parent_cmdline:
            for service in ("gateway", "directory", "matcher"):
                if f"services.{service}:" in cmdline:
                    masters[service] = child.pid
    return masters


class MemorySampler:
    """Samples the resident memory of process trees (gunicorn master + workers) in a background thread.

    Reported per tree: the peak of the summed RSS of all its processes (pages shared after fork count
    once per process, so this is an upper bound) and the peak of the summed PSS (shared pages split).
    """

    def __init__(self, interval: float = 0.5):
        self.interval = interval
        self.trees: dict[str, int] = {}
        self._peaks: dict[str, dict[str, float]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, trees: dict[str, int]) -> None:
        with self._lock:
            self.trees = dict(trees)
            self._peaks = {}
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)
            self._thread.start()

    def reset(self) -> None:
        """Start a new window of peaks (one per workload)."""
        with self._lock:
            self._peaks = {}
        self.sample()

    def peaks(self) -> dict[str, dict[str, float]]:
        """{service: {"rss_mb": peak, "pss_mb": peak}} since the last reset."""
        self.sample()
        with self._lock:
            return {name: dict(values) for name, values in self._peaks.items()}

    def sample(self) -> None:
        with self._lock:
            trees = dict(self.trees)
        for name, pid in trees.items():
            rss = pss = 0
            for proc in _tree(pid):
                try:
                    info = proc.memory_full_info()
                except psutil.Error:
                    continue
                rss += info.rss
                pss += getattr(info, "pss", info.rss)
            with self._lock:
                peak = self._peaks.setdefault(name, {"rss_mb": 0.0, "pss_mb": 0.0})
                peak["rss_mb"] = max(peak["rss_mb"], rss / 2**20)
                peak["pss_mb"] = max(peak["pss_mb"], pss / 2**20)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def wait_idle(pids: list[int], *, below_cores: float = 0.1, timeout: float = 30.0) -> float:
    """Wait until these process trees use less than `below_cores` of CPU over half a second.

    A request the gateway gave up on may still be computed behind it; letting that finish keeps
    one workload's leftovers out of the next one's figures. Returns the seconds waited.
    """
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        before = _cpu_seconds(pids)
        time.sleep(0.5)
        if (_cpu_seconds(pids) - before) / 0.5 < below_cores:
            break
    return time.monotonic() - started


def cpu_seconds_by_tree(trees: dict[str, int]) -> dict[str, float]:
    """CPU seconds (user + system) used so far by each named process tree (gunicorn master + workers)."""
    return {name: _cpu_seconds([pid]) for name, pid in trees.items()}


def _cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        for proc in _tree(pid):
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            total += times.user + times.system
    return total


@dataclass
class SearchEngine:
    """The local single-node OpenSearch (deploy/opensearch/engine) in a home of its own."""

    home: Path
    port: int
    log: Path
    started: bool = field(default=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def up(self) -> None:
        with open(self.log, "ab") as out:
            result = subprocess.run([str(REPO / "deploy/opensearch/engine"), "up", "--port", str(self.port),
                                     "--home", str(self.home)], stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
        if result.returncode != 0:
            raise RuntimeError(f"the search engine did not start (see {self.log})")
        self.started = True

    def pid(self) -> int | None:
        try:
            return int((self.home / "engine.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def wipe(self) -> None:
        """Delete every index but the engine's own, so the next size starts from an empty store."""
        names = requests.get(f"{self.url}/_cat/indices?format=json&expand_wildcards=all", timeout=30).json()
        for entry in names:
            if not entry["index"].startswith("."):
                requests.delete(f"{self.url}/{entry['index']}", timeout=60).raise_for_status()

    def down(self) -> None:
        if self.started:
            with open(self.log, "ab") as out:
                subprocess.run([str(REPO / "deploy/opensearch/engine"), "down", "--home", str(self.home)],
                               stdout=out, stderr=subprocess.STDOUT, cwd=REPO)
            self.started = False


def environment(**overrides: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(overrides)
    return env
