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
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.reliability.figures import record
from tests.reliability.fuzz_checks import INTERNAL_PORTS_ENV

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ROLES = ("caseworker", "provider", "admin")
MAX_EXAMPLES = 15
RUN_TIMEOUT_S = 600
# negative_data_rejection: a value of the wrong type (5.9 or "5" for an integer, "yes" for a boolean) must
# be refused, not coerced.
CHECKS = ("not_a_server_error", "response_schema_conformance", "status_code_conformance",
          "negative_data_rejection", "haven_error_shape_and_no_internal_detail")


def _config(stack, role: str, folder: Path) -> Path:
    """A schemathesis.toml for one role: its token, the checks, and for a provider its own id in every path."""
    # TOML: the top-level keys must come before the first [table].
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
        lines += ["[parameters]", f'"path.provider_id" = "{stack.provider_id}"',
                  f'"query.provider_id" = "{stack.provider_id}"']
    path = folder / f"schemathesis-{role}.toml"
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass
class Run:
    returncode: int
    output: str
    report: dict | None


@pytest.fixture(scope="module")
def runs(haven, tmp_path_factory) -> dict[str, Run]:
    """One schemathesis run per role, all three at once (each waits on the services much of the time)."""
    env = dict(os.environ, PYTHONPATH=str(REPO), SCHEMATHESIS_HOOKS="tests.reliability.fuzz_checks",
               **{INTERNAL_PORTS_ENV: f"{haven.ports['directory']},{haven.ports['matcher']}"})
    started = {}
    for role in ROLES:
        folder = tmp_path_factory.mktemp(f"schemathesis-{role}")
        command = [str(Path(sys.executable).with_name("st")), "--no-color", "--config-file",
                   str(_config(haven, role, folder)), "run", f"{haven.api}/openapi.json",
                   "--report", "json", "--report-json-path", str(folder / "report.json")]
        output = open(folder / "output.txt", "w")
        # Run from its own folder: schemathesis keeps a cache folder where it runs.
        started[role] = (subprocess.Popen(command, cwd=folder, env=env, stdout=output, stderr=subprocess.STDOUT),
                         output, folder)
    results = {}
    for role, (process, output, folder) in started.items():
        try:
            returncode = process.wait(timeout=RUN_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            returncode = process.wait()
        output.close()
        report = folder / "report.json"
        results[role] = Run(returncode, (folder / "output.txt").read_text(errors="replace"),
                            json.loads(report.read_text()) if report.exists() else None)
    return results


@pytest.mark.parametrize("role", ROLES)
def test_generated_requests_of_every_role_get_documented_answers_and_never_a_server_error(runs, role):
    run = runs[role]
    assert run.report is not None, f"schemathesis wrote no report:\n{run.output[-8000:]}"
    result = run.report
    record(f"schemathesis {role}", f"{result['operations']['tested']} operations, "
                                   f"{result['test_cases']['generated']} generated cases, "
                                   f"{result['test_cases']['unique_failures']} failures, "
                                   f"{result['running_time']:.0f} s")
    failures = run.output.split("FAILURES", 1)[-1].split("SUMMARY", 1)[0]
    assert run.returncode == 0 and not result["failures"] and not result["errors"], (
        f"{result['failures']}\n{result['errors']}\n{failures[:12000]}")
    assert result["operations"]["tested"] == result["operations"]["total"] >= 18
    # The token worked: a run whose every answer is 401 would pass every check and test nothing.
    assert "401 Unauthorized" not in run.output, run.output.split("WARNINGS", 1)[-1][:3000]
    assert result["phases"]["stateful"]["status"] == "success", result["phases"]
