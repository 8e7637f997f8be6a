"""Fixtures for the directory's HTTP tests: providers created through the API, clients per role."""
from __future__ import annotations

import pytest

from services.cli import main
from tests.directory.api_support import HIDDEN_ADDRESS, HIDDEN_POINT
from tests.support.factories import provider
from tests.support.signed import SignedFlaskClient


@pytest.fixture
def haven_cli(tmp_path, monkeypatch, capsys):
    """Run `haven ...` against a fresh data folder; returns (exit code, stdout, stderr)."""
    monkeypatch.setenv("HAVEN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("HAVEN_STORE_URL", raising=False)

    def run(*argv: str) -> tuple[int, str, str]:
        code = main([*argv])
        out, err = capsys.readouterr()
        return code, out, err

    return run


@pytest.fixture
def create_provider(admin):
    """Create a provider through the API as an admin; returns its admin view."""

    def create(**overrides) -> dict:
        response = admin.post("/providers", provider(**overrides))
        assert response.status_code == 201, response.json
        return response.json

    return create


@pytest.fixture
def as_provider(admin):
    """A client signed for the provider account that owns the given provider ids."""

    def client(*provider_ids: str, subject: str | None = None) -> SignedFlaskClient:
        return admin.as_role("provider", subject=subject or f"provider:{'+'.join(provider_ids) or 'none'}",
                             provider_ids=provider_ids)

    return client


@pytest.fixture
def other_caseworker(admin) -> SignedFlaskClient:
    return admin.as_role("caseworker", subject="caseworker:other")


@pytest.fixture
def hidden_shelter(create_provider) -> dict:
    """A confidential shelter with a street address."""
    return create_provider(name="Veilig Huis", location={
        "municipality": "Utrecht", "region": "Utrecht", "lat": HIDDEN_POINT[0], "lon": HIDDEN_POINT[1],
        "address": HIDDEN_ADDRESS, "postal_code": "3512 ZZ", "confidential": True})

