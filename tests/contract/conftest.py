"""The DirectoryStore contract: every test here runs against every store in STORE_FACTORIES.

A store factory is a context manager taking pytest's `tmp_path` and yielding an empty store; it
cleans up after itself on exit. To run the suite against another backend, register it here:

    STORE_FACTORIES["engine"] = StoreFactory(make=_engine_store, marks=(pytest.mark.engine,))

A factory whose backend cannot be had on this machine calls `pytest.skip(reason)`.
"""
from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, ContextManager

import pytest

from services.directory.store import DirectoryStore
from services.directory.store.sqlite import SqliteDirectoryStore
from tests.contract.records import Directory


@dataclass(frozen=True)
class StoreFactory:
    """How to make one empty store of a backend for one test, and the marks its tests carry."""

    make: Callable[[Path], ContextManager[DirectoryStore]]
    marks: tuple = ()


@contextlib.contextmanager
def _sqlite_store(tmp_path: Path):
    store = SqliteDirectoryStore(tmp_path / "contract.db")
    try:
        yield store
    finally:
        store.close()


def _engine_store(tmp_path: Path):
    # A fresh index prefix on the one engine this test process shares; skipped without Java.
    from tests.support.engine_store import engine_store

    return engine_store()


STORE_FACTORIES: dict[str, StoreFactory] = {
    "sqlite": StoreFactory(make=_sqlite_store),
    "engine": StoreFactory(make=_engine_store, marks=(pytest.mark.engine,)),
}


def pytest_generate_tests(metafunc):
    # Parametrised at collection, not in a decorator, so every registered factory counts.
    if "store_backend" in metafunc.fixturenames:
        metafunc.parametrize("store_backend", [pytest.param(name, marks=factory.marks, id=name)
                                               for name, factory in STORE_FACTORIES.items()])


@pytest.fixture
def store(store_backend, tmp_path) -> DirectoryStore:
    """An empty store of the backend under test."""
    with STORE_FACTORIES[store_backend].make(tmp_path) as made:
        yield made


@pytest.fixture
def directory(store, clock) -> Directory:
    """The store under test with the manual clock, and short ways to fill it."""
    return Directory(store, clock)
