"""Haven as a user runs it: synthetic data in a file, `haven import`, `haven tokens issue`, `haven up`."""
from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from .procs import HAVEN_UP, REPO, environment, gunicorn_masters, stop_process, wait_http

SEED = 2026
CAPACITY_PROVIDERS = 50
REFERRAL_PROVIDERS = 100
SERVICE_TIMEOUT = 60


@dataclass
class Dataset:
    """A synthetic provider file and the providers the workloads write to."""

    size: int
    path: Path
    generate_seconds: float
    capacity_providers: list[tuple[str, int]] = field(default_factory=list)   # (id, maximum)
    referral_providers: list[tuple[str, str]] = field(default_factory=list)   # (id, need)
    contended_providers: list[tuple[str, str]] = field(default_factory=list)  # (id, need): capacity providers


def make_dataset(size: int, folder: Path) -> Dataset:
    """`size` providers from the synthetic generator as JSON lines (the API's provider shape)."""
    from services.directory.synthetic import generate_providers

    path = folder / f"providers-{size}.jsonl"
    started = time.perf_counter()
    dataset = Dataset(size, path, 0.0)
    with open(path, "w", encoding="utf-8") as out:
        for record in generate_providers(size, seed=SEED, now=datetime.now(timezone.utc)):
            out.write(json.dumps(record, separators=(",", ":"), ensure_ascii=False))
            out.write("\n")
            _pick_writable(dataset, record)
    dataset.generate_seconds = time.perf_counter() - started
    return dataset


def _pick_writable(dataset: Dataset, record: dict) -> None:
    """Two disjoint sets of active providers: capacity updates go to one, referrals to the other.

    The mixed load also refers to the first set (`contended_providers`), whose free units the capacity
    updates keep changing, down to none: there a referral can find no free unit and get its 409.
    """
    if record["status"] != "active":
        return
    capacity = record["capacity"]
    if len(dataset.capacity_providers) < CAPACITY_PROVIDERS:
        dataset.capacity_providers.append((record["id"], capacity["maximum"]))
        dataset.contended_providers.append((record["id"], record["services"][0]))
    elif len(dataset.referral_providers) < REFERRAL_PROVIDERS and capacity["available"] >= 3:
        dataset.referral_providers.append((record["id"], record["services"][0]))


def haven_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "services.cli", *args]


def has_cli(module: str) -> bool:
    return importlib.util.find_spec(f"services.cli.{module}") is not None


@dataclass
class ImportTiming:
    providers: int
    seconds: float
    method: str

    @property
    def per_second(self) -> float:
        return self.providers / self.seconds if self.seconds else 0.0


@dataclass
class HavenInstance:
    """One data folder and one store, set up and served as `haven` does it."""

    store_url: str
    data_dir: Path
    log: Path
    port: int = 0
    process: subprocess.Popen | None = None
    masters: dict[str, int] = field(default_factory=dict)
    direct: list[subprocess.Popen] = field(default_factory=list)
    launcher: str = ""

    def env(self) -> dict[str, str]:
        # Rate limits off: the bench measures the services, not the limiter's refusals. The gateway waits
        # up to 60 s for an internal answer instead of 10: a slow workload is timed, not cut off at 10 s
        # with a 503 while its work goes on behind the gateway.
        return environment(HAVEN_DATA_DIR=str(self.data_dir), HAVEN_STORE_URL=self.store_url, HAVEN_RATE_LIMIT="0",
                           HAVEN_SERVICE_TIMEOUT=str(SERVICE_TIMEOUT))

    def run(self, *args: str, timeout: float = 1800) -> subprocess.CompletedProcess:
        with open(self.log, "ab") as errors:
            result = subprocess.run(haven_command(*args), env=self.env(), cwd=REPO, stdout=subprocess.PIPE,
                                    stderr=errors, timeout=timeout)
        if result.returncode != 0:
            raise RuntimeError(f"haven {' '.join(args[:2])} failed with code {result.returncode} (see {self.log})")
        return result

    def import_file(self, dataset: Dataset) -> ImportTiming:
        """Time the bulk import of the dataset, end to end as a user runs it."""
        started = time.perf_counter()
        if has_cli("data"):
            self.run("import", str(dataset.path))
            method = "haven import (whole command)"
        else:
            # Until `haven import` exists: the store's own bulk write, in a process of its own.
            with open(self.log, "ab") as errors:
                subprocess.run([sys.executable, "-m", "bench.importer", self.store_url, str(dataset.path)],
                               env=self.env(), cwd=REPO, stderr=errors, check=True)
            method = "store bulk_upsert (no haven import yet)"
        return ImportTiming(dataset.size, time.perf_counter() - started, method)

    def issue_token(self, role: str, providers: list[str] = (), name: str = "bench") -> str:
        args = ["tokens", "issue", "--role", role, "--name", name]
        for provider_id in providers:
            args += ["--provider", provider_id]
        return self.run(*args).stdout.decode().strip().splitlines()[0]

    def up(self, port: int) -> None:
        """`haven up` in the background: gateway on port, directory +1, matcher +2.

        When `haven up` itself fails to start, the same gunicorn command it runs is started here
        directly (see `start_directly`) and `self.launcher` says so.
        """
        self.port = port
        try:
            self._up(port)
        except BaseException:
            self.down()
            raise

    def _up(self, port: int) -> None:
        with open(self.log, "ab") as out:
            self.process = subprocess.Popen(haven_command("up", "--port", str(port), "--store", self.store_url),
                                            env=self.env(), cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                            start_new_session=True)
        try:
            for offset in (1, 2, 0):
                wait_http(f"http://127.0.0.1:{port + offset}/healthz", self.process, timeout=90)
        except RuntimeError as err:
            stop_process(self.process)
            self.process = None
            self.launcher = f"gunicorn started directly: haven up failed ({err}; see {self.log.name})"
            self.start_directly(port)
        else:
            self.launcher = "haven up"
            deadline = time.monotonic() + 10
            while len(self.masters) < 3 and time.monotonic() < deadline:
                self.masters = gunicorn_masters(self.process.pid)
                time.sleep(0.2)
        wait_http(f"http://127.0.0.1:{port + 1}/readyz", None, timeout=60)

    def start_directly(self, port: int) -> None:
        """The gunicorn command `haven up` runs for each service (same worker settings and keep-alive)."""
        env = dict(self.env(), HAVEN_DIRECTORY_URL=f"http://127.0.0.1:{port + 1}",
                   HAVEN_MATCHER_URL=f"http://127.0.0.1:{port + 2}")
        for name, offset in (("directory", 1), ("matcher", 2), ("gateway", 0)):
            command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port + offset}",
                       *HAVEN_UP.gunicorn_args(), "--error-logfile", "-", f"services.{name}:create_app()"]
            with open(self.log, "ab") as out:
                process = subprocess.Popen(command, env=env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                                           start_new_session=True)
            self.direct.append(process)
            self.masters[name] = process.pid
        for process, offset in zip(self.direct, (1, 2, 0)):
            wait_http(f"http://127.0.0.1:{port + offset}/healthz", process, timeout=90)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def down(self) -> None:
        if self.process is not None:
            stop_process(self.process, timeout=30)
            self.process = None
        for process in reversed(self.direct):
            stop_process(process, timeout=30)
        self.direct = []
