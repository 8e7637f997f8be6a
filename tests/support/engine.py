"""Find or start a real OpenSearch node for tests (no pytest dependency).

Order of preference:
1. ``HAVEN_TEST_ENGINE_URL``: an engine that is already running (checked to answer);
2. a fresh single-node engine started with ``deploy/opensearch/engine`` on a free port
   with a temporary home (needs Java 17+, and Maven when the node is not built yet).

Typical use in a fixture::

    handle = start_engine(tmp_path)       # raises EngineUnavailable(reason)
    ...
    handle.stop()

or, for one engine shared by the whole test process::

    url = engine_url()
    if url is None:
        pytest.skip(unavailable_reason())
"""

from __future__ import annotations

import atexit
import json
import os
import shutil
import socket
import subprocess
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

REPO = Path(__file__).resolve().parents[2]
LAUNCHER = REPO / "deploy" / "opensearch" / "engine"
BUILT_JAR = REPO / "deploy" / "opensearch" / "target" / "haven-engine.jar"
URL_ENV = "HAVEN_TEST_ENGINE_URL"
START_TIMEOUT = 600  # seconds, for a first Maven build plus the node start

_shared: EngineHandle | None = None
_reason: str | None = None


class EngineUnavailable(RuntimeError):
    """No engine can be had here; the message says why."""


@dataclass(frozen=True)
class EngineHandle:
    """A reachable engine: its base URL and a function that stops it (a no-op if not ours)."""

    url: str
    stop: Callable[[], None]


def answers(url: str, timeout: float = 5.0) -> bool:
    """Tell whether ``url`` answers ``GET /_cluster/health`` with green or yellow."""
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/_cluster/health", timeout=timeout) as resp:
            return json.loads(resp.read()).get("status") in ("green", "yellow")
    except (urllib.error.URLError, OSError, ValueError):
        return False


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that is free right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing_tools() -> str | None:
    """Return why the launcher cannot run here, or None when it can."""
    if not (shutil.which("java") or os.environ.get("JAVA_HOME")):
        return "Java 17+ is not installed (needed to run the OpenSearch node)"
    if not BUILT_JAR.exists() and not shutil.which("mvn"):
        return "Maven (mvn) is not installed and the OpenSearch node is not built yet"
    return None


def start_engine(tmp_dir: str | os.PathLike) -> EngineHandle:
    """Return the engine named by HAVEN_TEST_ENGINE_URL, or start one under ``tmp_dir``."""
    url = os.environ.get(URL_ENV)
    if url:
        if not answers(url):
            raise EngineUnavailable(f"{URL_ENV}={url} does not answer GET /_cluster/health")
        return EngineHandle(url.rstrip("/"), lambda: None)
    reason = missing_tools()
    if reason:
        raise EngineUnavailable(reason)
    home = Path(tmp_dir) / "engine"
    result = subprocess.run(
        [str(LAUNCHER), "up", "--port", str(free_port()), "--home", str(home)],
        capture_output=True, text=True, timeout=START_TIMEOUT,
    )
    lines = result.stdout.strip().splitlines()
    if result.returncode != 0 or not lines:
        raise EngineUnavailable(f"engine up failed ({result.returncode}): {result.stderr.strip()[-2000:]}")

    def stop() -> None:
        """Stop the engine started for this handle."""
        subprocess.run([str(LAUNCHER), "down", "--home", str(home)], capture_output=True, timeout=120)

    return EngineHandle(lines[-1], stop)


def engine_url() -> str | None:
    """Return the URL of an engine shared by this process (started once, stopped at exit), or None."""
    global _shared, _reason
    if _shared is None and _reason is None:
        tmp_dir = tempfile.mkdtemp(prefix="haven-engine-")
        atexit.register(shutil.rmtree, tmp_dir, ignore_errors=True)
        try:
            _shared = start_engine(tmp_dir)
            atexit.register(_shared.stop)  # runs before the rmtree above (last in, first out)
        except (EngineUnavailable, subprocess.TimeoutExpired) as exc:
            _reason = str(exc)
    return _shared.url if _shared else None


def unavailable_reason() -> str | None:
    """Return why ``engine_url()`` returned None."""
    return _reason
