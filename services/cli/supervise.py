"""Keeping `haven up`'s services running: a service whose process dies is started again, with backoff.

Rules (deploy/runbook.md):
- A service that dies after it has answered /healthz is restarted after 0.5 s, then 1, 2, 4 ... up to
  30 s between tries; once it has stayed up for 60 s the next crash starts again from 0.5 s.
- On the first start a service gets three tries: if it exits three times, or does not answer /healthz
  within 60 s, before ever answering, it cannot start here and `haven up` stops everything.
- The other services keep running while one is restarted.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import time
from dataclasses import dataclass, field
from typing import Callable

import requests

log = logging.getLogger("haven.supervisor")

INITIAL_DELAY_S = 0.5
MAX_DELAY_S = 30.0
STABLE_AFTER_S = 60.0
FIRST_START_TRIES = 3
FIRST_START_TIMEOUT_S = 60.0
POLL_S = 0.2


class CannotStart(RuntimeError):
    """A service never answered /healthz on the first start; the message says which and why."""


@dataclass
class Backoff:
    """Delays before restarting a service: initial, doubling with each failure, never above cap."""

    initial: float = INITIAL_DELAY_S
    factor: float = 2.0
    cap: float = MAX_DELAY_S
    failures: int = 0

    def next_delay(self) -> float:
        # The exponent stops growing once the cap is reached, so no number of crashes overflows it.
        delay = min(self.cap, self.initial * self.factor ** min(self.failures, 64))
        self.failures += 1
        return delay

    def reset(self) -> None:
        self.failures = 0


def describe_exit(returncode: int) -> dict:
    """The exit code, or the signal's name when a signal ended the process (Popen gives -signum)."""
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = str(-returncode)
        return {"exit_code": None, "signal": name}
    return {"exit_code": returncode, "signal": None}


def healthz(url: str) -> bool:
    try:
        return requests.get(url + "/healthz", timeout=0.5).ok
    except requests.RequestException:
        return False


@dataclass
class Supervised:
    """One service: how to start it, its current process and where it is in its restart schedule."""

    name: str
    url: str
    launch: Callable[[], subprocess.Popen]
    backoff: Backoff = field(default_factory=Backoff)
    process: subprocess.Popen | None = None
    first_started: float | None = None
    healthy_since: float | None = None
    ever_healthy: bool = False
    first_start_exits: int = 0
    restart_at: float | None = None
    down_since: float | None = None


class Supervisor:
    """Starts the services, restarts any that die, and stops them all."""

    def __init__(self, services: list[Supervised], *, clock: Callable[[], float] = time.monotonic,
                 probe: Callable[[str], bool] = healthz):
        self.services = services
        self.clock = clock
        self.probe = probe

    def start(self) -> None:
        for service in self.services:
            self._launch(service)

    def all_healthy_once(self) -> bool:
        return all(service.ever_healthy for service in self.services)

    def step(self) -> None:
        """Look at each service once: notice a death, start what is due, note who answers."""
        now = self.clock()
        for service in self.services:
            if service.restart_at is not None:
                if now >= service.restart_at:
                    self._launch(service)
                continue
            code = service.process.poll()
            if code is not None:
                self._died(service, code, now)
            elif service.healthy_since is None:
                self._check_started(service, now)
            elif now - service.healthy_since >= STABLE_AFTER_S:
                service.backoff.reset()

    def wait_until_started(self) -> None:
        """Step until every service has answered /healthz once; CannotStart when one cannot."""
        while not self.all_healthy_once():
            self.step()
            time.sleep(POLL_S)

    def run(self) -> None:
        """Keep the services running until interrupted (KeyboardInterrupt)."""
        while True:
            self.step()
            time.sleep(POLL_S)

    def stop(self, timeout: float = 15.0) -> None:
        """SIGTERM each service (gunicorn's graceful stop), the last started first, each once the one before is
        gone: a service stopping hands on what it holds to those it calls (the matcher's outcome counts go to
        the directory). SIGKILL what is left after `timeout`."""
        running = [s for s in self.services if s.process is not None and s.process.poll() is None]
        deadline = time.monotonic() + timeout
        for service in reversed(running):
            service.restart_at = None
            service.process.terminate()
            try:
                service.process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                service.process.kill()
                service.process.wait()
        for service in running:
            _kill_group(service.process.pid)

    def _launch(self, service: Supervised) -> None:
        service.restart_at = None
        service.healthy_since = None
        service.process = service.launch()
        if service.first_started is None:
            service.first_started = self.clock()
        log.info("service started", extra={"target_service": service.name, "pid": service.process.pid})

    def _check_started(self, service: Supervised, now: float) -> None:
        if self.probe(service.url):
            service.healthy_since = now
            if service.down_since is not None:
                log.warning("service answering again", extra={
                    "target_service": service.name, "down_s": round(now - service.down_since, 2)})
            service.ever_healthy = True
            service.down_since = None
        elif not service.ever_healthy and now - service.first_started > FIRST_START_TIMEOUT_S:
            raise CannotStart(f"the {service.name} service did not answer within {FIRST_START_TIMEOUT_S:.0f} s")

    def _died(self, service: Supervised, code: int, now: float) -> None:
        # Workers of a master killed outright live on holding the port; the group goes with the master.
        _kill_group(service.process.pid)
        how = describe_exit(code)
        if not service.ever_healthy:
            service.first_start_exits += 1
            if service.first_start_exits >= FIRST_START_TRIES:
                ended = f"signal {how['signal']}" if how["signal"] else f"exit code {how['exit_code']}"
                raise CannotStart(f"the {service.name} service exited {service.first_start_exits} times before "
                                  f"it ever answered (last: {ended}); its error is in the lines above")
        delay = service.backoff.next_delay()
        service.restart_at = now + delay
        if service.down_since is None:
            service.down_since = now
        log.warning("service stopped; restarting", extra={
            "target_service": service.name, **how, "restart_in_s": delay,
            "restarts": service.backoff.failures})


def _kill_group(pgid: int) -> None:
    """SIGKILL what is left of a service's process group (each service is started as its own group)."""
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
