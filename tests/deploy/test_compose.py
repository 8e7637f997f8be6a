"""docker-compose.yml is loaded by compose-go, the library behind `docker compose config`."""
import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from services.shared.engine.version import installed_client_version, major_of, server_majors
from tests.support.requirements import require

ROOT = Path(__file__).resolve().parents[2]
CHECKER = ROOT / "deploy" / "tools" / "composecheck"
FAULTY = Path(__file__).parent / "data" / "docker-compose.read-only-es8.yml"
SECRETS = {"ELASTIC_PASSWORD": "x" * 16, "HAVEN_INTERNAL_SECRET": "y" * 32, "HAVEN_SECRET_KEY": "z" * 32}


def start_up_writes() -> list[str]:
    """What a Haven container writes as it starts: its data folder (from the Dockerfile) and /tmp."""
    dockerfile = (ROOT / "deploy" / "Dockerfile").read_text()
    return [re.search(r"HAVEN_DATA_DIR=(\S+)", dockerfile).group(1), "/tmp"]


def engine_rules() -> list[str]:
    """-engine flags: the server majors each installed client speaks."""
    flags = []
    for flavour in ("elasticsearch", "opensearch"):
        low, high = server_majors(flavour, major_of(installed_client_version(flavour)))
        flags += ["-engine", f"{flavour}={low}-{high}"]
    return flags


def _check(compose_file: Path, *profiles: str, env_overrides: dict | None = None):
    require(shutil.which("go") is not None, "Go is not installed: compose validation skipped", "HAVEN_REQUIRE_GO")
    env = {k: v for k, v in os.environ.items() if k not in SECRETS}
    env.update(env_overrides or {})
    return subprocess.run(["go", "run", ".", "-writes", ",".join(start_up_writes()), *engine_rules(),
                           str(compose_file), *profiles], cwd=CHECKER, env=env,
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


def test_the_old_file_fails_for_its_read_only_data_folders():
    result = _check(FAULTY, "opensearch", env_overrides=SECRETS)
    assert result.returncode != 0
    for service in ("directory", "matcher", "gateway"):
        assert f"service {service}: read_only, but it writes /var/lib/haven" in result.stderr, result.stderr


def test_the_old_file_fails_for_an_elasticsearch_image_the_client_does_not_speak():
    result = _check(FAULTY, "elasticsearch", env_overrides=SECRETS)
    assert result.returncode != 0
    assert "elasticsearch:8.15.3 is elasticsearch 8, but the installed client speaks" in result.stderr, result.stderr


def test_a_metrics_folder_outside_every_mount_is_caught(tmp_path):
    moved = tmp_path / "docker-compose.yml"
    moved.write_text((ROOT / "docker-compose.yml").read_text().replace(
        "PROMETHEUS_MULTIPROC_DIR: /run/haven-metrics", "PROMETHEUS_MULTIPROC_DIR: /srv/metrics"))
    result = _check(moved, "opensearch", env_overrides=SECRETS)
    assert result.returncode != 0
    assert "writes /srv/metrics at start-up" in result.stderr, result.stderr
