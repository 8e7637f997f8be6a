"""Schemathesis against the gateway's own OpenAPI, served by real processes, once per role.

Every operation gets generated requests (valid and invalid) and generated sequences of calls that
follow the links schemathesis infers between operations (a referral made, then read, accepted or
cancelled). Every answer must be a documented status, match its documented schema, never be a 5xx,
and keep the one error shape without any internal detail (tests/reliability/fuzz_checks.py).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.reliability.figures import record
from tests.reliability.fuzz_checks import INTERNAL_PORTS_ENV

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
MAX_EXAMPLES = 15
RUN_TIMEOUT_S = 600
CHECKS = ("not_a_server_error", "response_schema_conformance", "status_code_conformance",
          "haven_error_shape_and_no_internal_detail")


def _config(stack, role: str, folder: Path) -> Path:
    """A schemathesis.toml for one role: its token, the checks, and for a provider its own id in every path."""
    lines = [f'headers = {{ Authorization = "Bearer {stack.tokens[role]}" }}',
             "seed = 20261128", "workers = 2", "request-timeout = 30",
             "[checks]", "enabled = false"]
    for check in CHECKS:
        lines += [f"[checks.{check}]", "enabled = true"]
    lines += ["[phases.examples]", "enabled = false", "[phases.coverage]", "enabled = false",
              "[phases.fuzzing]", "enabled = true", "[phases.stateful]", "enabled = true",
              "[generation]", f"max-examples = {MAX_EXAMPLES}", "mode = \"all\""]
    if role == "provider":
        # A provider acts only for its own providers; any other id is refused before anything runs.
        lines = ['[parameters]', f'"path.provider_id" = "{stack.provider_id}"',
                 f'"query.provider_id" = "{stack.provider_id}"'] + lines
    path = folder / f"schemathesis-{role}.toml"
    path.write_text("\n".join(_top_level_first(lines)) + "\n")
    return path


def _top_level_first(lines: list[str]) -> list[str]:
    """TOML: keys before the first [table] are top-level, so they go first."""
    top, tables, in_table = [], [], False
    for line in lines:
        if line.startswith("["):
            in_table = True
        (tables if in_table else top).append(line)
    return top + tables


@pytest.mark.parametrize("role", ["caseworker", "provider", "admin"])
def test_generated_requests_of_every_role_get_documented_answers_and_never_a_server_error(haven, role, tmp_path):
    config = _config(haven, role, tmp_path)
    report = tmp_path / "report.json"
    env = dict(os.environ, PYTHONPATH=str(REPO), SCHEMATHESIS_HOOKS="tests.reliability.fuzz_checks",
               **{INTERNAL_PORTS_ENV: f"{haven.ports['directory']},{haven.ports['matcher']}"})
    command = [str(Path(sys.executable).with_name("st")), "--no-color", "--config-file", str(config), "run",
               f"{haven.api}/openapi.json", "--report", "json", "--report-json-path", str(report)]
    # Run from the test folder: schemathesis keeps a cache folder where it runs.
    run = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT_S)
    assert report.exists(), f"schemathesis wrote no report:\n{run.stdout[-4000:]}\n{run.stderr[-4000:]}"
    result = json.loads(report.read_text())
    record(f"schemathesis {role}", f"{result['operations']['tested']} operations, "
                                   f"{result['test_cases']['generated']} generated cases, "
                                   f"{result['test_cases']['unique_failures']} failures, "
                                   f"{result['running_time']:.0f} s")
    assert run.returncode == 0 and not result["failures"] and not result["errors"], run.stdout[-12000:]
    assert result["operations"]["tested"] == result["operations"]["total"] >= 18
    assert result["phases"]["stateful"]["status"] == "success", result["phases"]
