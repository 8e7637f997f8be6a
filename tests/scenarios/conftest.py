"""Placement scenarios over real HTTP: a directory on each store, served on a free port, and the matcher."""
from __future__ import annotations

import contextlib

import pytest

from services.directory import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.directory.store.sqlite import SqliteDirectoryStore
from services.matcher import create_app as create_matcher
from services.matcher.settings import MatcherSettings
from tests.conftest import SECRET
from tests.matcher.conftest import ServedApp
from tests.scenarios.dataset import directory
from tests.support.signed import SignedFlaskClient


@pytest.fixture(params=[pytest.param("sqlite", id="sqlite"),
                        pytest.param("engine", id="engine", marks=pytest.mark.engine)])
def scenario_store(request, tmp_path):
    if request.param == "engine":
        from tests.support.engine_store import engine_store

        context = engine_store()
    else:
        context = contextlib.closing(SqliteDirectoryStore(tmp_path / "scenarios.db"))
    with context as store:
        yield store


@pytest.fixture
def scenario_directory(scenario_store, clock, tmp_path):
    settings = DirectorySettings(store_url=f"sqlite:///{tmp_path / 'unused.db'}", internal_secret=SECRET)
    app = create_directory({"SETTINGS": settings, "STORE": scenario_store, "CLOCK": clock})
    admin = SignedFlaskClient(app, SECRET, "admin")
    for record in directory():
        response = admin.post("/providers", record)
        assert response.status_code == 201, response.json
    served = ServedApp(app)
    served.app = app
    yield served
    served.stop()


@pytest.fixture
def referrer(scenario_directory):
    """The directory as a caseworker reaches it through the gateway, to place referrals."""
    return SignedFlaskClient(scenario_directory.app, SECRET, "caseworker")


@pytest.fixture
def coordinator(scenario_directory, clock):
    """The matcher as a caseworker reaches it, asking the directory on the store under test."""
    app = create_matcher({"SETTINGS": MatcherSettings(directory_url=scenario_directory.url, internal_secret=SECRET),
                          "CLOCK": clock})
    yield SignedFlaskClient(app, SECRET, "caseworker")
    app.extensions["haven"].directory.session.close()


def match(coordinator, **person) -> dict:
    response = coordinator.post("/matches", person)
    assert response.status_code == 200, response.json
    return response.json


def top(answer: dict, need: str) -> str | None:
    """The name of the best candidate for a need, or None when it is unmet."""
    result = next(r for r in answer["results"] if r["need"] == need)
    return result["candidates"][0]["provider"]["name"] if result["candidates"] else None


def names(answer: dict, need: str) -> list[str]:
    result = next(r for r in answer["results"] if r["need"] == need)
    return [c["provider"]["name"] for c in result["candidates"]]


def unmet(answer: dict, need: str) -> dict | None:
    return next((u for u in answer["unmet"] if u["need"] == need), None)
