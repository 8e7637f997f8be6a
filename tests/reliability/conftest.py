"""A running Haven (three gunicorn services, demo data, rate limits off) shared by the tests that only use it.

Tests that stop services or need other settings start their own.
"""
from __future__ import annotations

import pytest

from tests.reliability.figures import FIGURES
from tests.support.stack import start_stack


@pytest.fixture(scope="session")
def haven(tmp_path_factory):
    # Webhooks to a receiver on this machine, delivered promptly: the load test measures their latency.
    stack = start_stack(tmp_path_factory.mktemp("haven"), HAVEN_WEBHOOK_ALLOW_LOOPBACK="1",
                        HAVEN_DELIVER_SECONDS="0.1")
    yield stack
    stack.close()


def pytest_terminal_summary(terminalreporter):
    """Counts and latencies are recorded, never asserted as times: they are printed for the reader."""
    if FIGURES:
        terminalreporter.section("reliability figures")
        for name, text in FIGURES.items():
            terminalreporter.write_line(f"{name}: {text}")
