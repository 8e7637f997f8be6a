"""pip-audit over the installed environment: no known vulnerability unless allow-listed with a reason.

The audit needs its vulnerability service (PyPI's JSON API, or OSV). When it cannot be reached, pip-audit
skips every package and still says "No known vulnerabilities found"; this test reads its report and says
that the audit did not happen instead: a visible skip, or a failure under HAVEN_REQUIRE_AUDIT=1.
"""
from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.requirements import require

REQUIRE_ENV = "HAVEN_REQUIRE_AUDIT"
ALLOWLIST = Path(__file__).with_name("pip-audit-allowlist.txt")
ENTRY = re.compile(r"^(?P<id>[A-Za-z]+-[\w-]+)\s+(?P<reason>\S.*)$")


def allow_list() -> dict[str, str]:
    """Advisory id -> reason; every line that is not a comment must give both."""
    entries = {}
    for number, line in enumerate(ALLOWLIST.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        found = ENTRY.match(line)
        assert found, f"{ALLOWLIST.name}:{number}: an advisory id and a one-line reason, not {line!r}"
        entries[found["id"]] = found["reason"]
    return entries


def test_every_allow_listed_vulnerability_has_a_reason():
    allow_list()


def _audit(tmp_path: Path) -> dict:
    report = tmp_path / "pip-audit.json"
    run = subprocess.run([sys.executable, "-m", "pip_audit", "--progress-spinner", "off", "--format", "json",
                          "--skip-editable", "--output", str(report)],
                         capture_output=True, text=True, timeout=600)
    if not report.exists():
        last = (run.stderr.strip().splitlines() or ["(no output)"])[-1]
        require(False, f"pip-audit could not reach its vulnerability service: {last[:300]}", REQUIRE_ENV)
    return json.loads(report.read_text())


@pytest.mark.integration
def test_no_installed_package_has_a_known_vulnerability_that_is_not_allow_listed(tmp_path):
    require(importlib.util.find_spec("pip_audit") is not None,
            "pip-audit is not installed (pip install -e '.[test]')", REQUIRE_ENV)
    report = _audit(tmp_path)
    packages = [dep for dep in report["dependencies"] if dep.get("skip_reason") != "distribution marked as editable"]
    unaudited = [dep["name"] for dep in packages if "skip_reason" in dep]
    # pip-audit says "No known vulnerabilities found" even when it could look none up.
    require(not unaudited,
            f"pip-audit could not look up {len(unaudited)} of {len(packages)} installed packages "
            f"(PyPI's JSON API, its vulnerability service, knew nothing of: {', '.join(sorted(unaudited)[:8])}...); "
            f"the dependency audit did not happen", REQUIRE_ENV)
    allowed = allow_list()
    found = {(vuln["id"], dep["name"], dep["version"], ", ".join(vuln.get("fix_versions") or ()) or "no fix yet")
             for dep in packages for vuln in dep.get("vulns", ())}
    unexpected = sorted(entry for entry in found if entry[0] not in allowed)
    assert not unexpected, "known vulnerabilities (upgrade, or allow-list with a reason):\n" + "\n".join(
        f"{vid}: {name} {version} (fixed in: {fixed})" for vid, name, version, fixed in unexpected)
    seen_ids = {entry[0] for entry in found} | {alias for dep in packages for vuln in dep.get("vulns", ())
                                                for alias in vuln.get("aliases", ())}
    stale = sorted(set(allowed) - seen_ids)
    assert not stale, f"allow-list entries no longer needed (remove them): {', '.join(stale)}"
