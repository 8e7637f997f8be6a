"""docker-compose.yml is loaded by compose-go, the library behind `docker compose config`."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.support.requirements import require

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT / "deploy" / "tools" / "composecheck"
SECRETS = {"ELASTIC_PASSWORD": "x" * 16, "HAVEN_INTERNAL_SECRET": "y" * 32, "HAVEN_SECRET_KEY": "z" * 32}


def _check(compose_file: Path, *profiles: str, env_overrides: dict | None = None):
    require(shutil.which("go") is not None, "Go is not installed: compose validation skipped", "HAVEN_REQUIRE_GO")
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    env.update(env_overrides or {})
    return subprocess.run(["go", "run", ".", str(compose_file), *profiles], cwd=CHECKER, env=env,
                          capture_output=True, text=True, timeout=600)


@pytest.mark.parametrize("profile,engine", [("elasticsearch", "elasticsearch"), ("opensearch", "opensearch")])
def test_compose_file_is_valid_for_each_engine_profile(profile, engine):
    result = _check(ROOT / "docker-compose.yml", profile, env_overrides=SECRETS)
    assert result.returncode == 0, result.stderr
    assert engine in result.stdout and "gateway" in result.stdout and "redis" in result.stdout


def test_compose_refuses_to_start_without_the_secrets():
    result = _check(ROOT / "docker-compose.yml", "elasticsearch")
    assert result.returncode != 0
    assert "HAVEN_INTERNAL_SECRET" in result.stderr


def test_compose_check_catches_a_broken_file(tmp_path):
    broken = tmp_path / "docker-compose.yml"
    broken.write_text((ROOT / "docker-compose.yml").read_text().replace("restart: unless-stopped",
                                                                         "restart: [not, a, policy]"))
    result = _check(broken, "elasticsearch", env_overrides=SECRETS)
    assert result.returncode != 0
