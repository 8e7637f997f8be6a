"""The first run: `haven --version`, a busy port named before anything starts, gunicorn's own lines as JSON,
and the banner pointing at the API docs."""
from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from importlib import metadata

import pytest

from tests.support.haven_up import free_port_run, start_haven_up
from tests.support.processes import REPO, start_gunicorn

pytestmark = pytest.mark.integration


def haven(*args: str, env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "services.cli", *args], cwd=REPO, env=env, capture_output=True,
                          text=True, timeout=timeout)


def test_haven_version_names_the_installed_version():
    answer = haven("--version")
    assert answer.returncode == 0
    assert answer.stdout.strip() == f"haven {metadata.version('haven')}"


def test_a_busy_port_is_named_in_one_line_and_nothing_starts(tmp_path, monkeypatch):
    port = free_port_run()
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", port + 2))
        squatter.listen()
        answer = haven("up", "--demo", "--port", str(port), env={"HAVEN_DATA_DIR": str(tmp_path), "PATH": ""})
    assert answer.returncode == 1
    assert answer.stdout == ""
    lines = answer.stderr.strip().splitlines()
    assert len(lines) == 1 and f"port {port + 2} for the matcher is not free" in lines[0], answer.stderr
    assert "Nothing was started" in lines[0]
    # Not even the demo data: the check comes first.
    assert not (tmp_path / "haven.db").exists()


def json_lines_only(text: str) -> list[dict]:
    lines = [line for line in text.splitlines() if line.strip()]
    assert lines, "nothing was logged"
    return [json.loads(line) for line in lines]


def test_gunicorn_with_the_deploy_settings_logs_json_lines(tmp_path):
    service = start_gunicorn("services.matcher:create_app()",
                             {"HAVEN_DATA_DIR": str(tmp_path), "HAVEN_SERVICE": "matcher",
                              "HAVEN_INTERNAL_SECRET": "x" * 32, "HAVEN_BIND": "127.0.0.1:1"},
                             workers=1, extra_args=("-c", str(REPO / "deploy" / "gunicorn.conf.py")))
    service.stop()
    logged = json_lines_only(service.stderr_tail(100_000))
    assert any(line["logger"] == "gunicorn.error" and "Booting worker" in line["message"] for line in logged)
    assert {line["service"] for line in logged if line["logger"] == "gunicorn.error"} == {"matcher"}


def test_haven_up_logs_only_json_and_its_banner_names_the_api_docs(tmp_path):
    folder = tmp_path / "data"
    with start_haven_up(folder, "--demo") as running:
        deadline = time.monotonic() + 30
        # The services answer a moment before `haven up` has seen all three and printed its banner.
        while "Press Ctrl-C" not in running.output_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        running.stop()
        output = running.output_text()
    banner_starts = output.index("Haven is running")
    banner_ends = output.index("Press Ctrl-C", banner_starts)
    assert f"{running.url('gateway')}/api/v1/docs" in output[banner_starts:banner_ends]
    # Everything else is a JSON line: the services', gunicorn's and haven up's own.
    rest = output[:banner_starts] + output[output.index("\n", banner_ends):]
    rest = "\n".join(line for line in rest.splitlines() if not line.startswith("Loaded "))
    logged = json_lines_only(rest)
    assert any(line["logger"] == "gunicorn.error" and line["service"] == "gateway" for line in logged)
