"""The reliability figures, printed after the run (the running Haven these tests share is in tests/conftest.py)."""
from __future__ import annotations

from tests.reliability.figures import FIGURES


def pytest_terminal_summary(terminalreporter):
    """Counts and latencies are recorded, never asserted as times: they are printed for the reader."""
    if FIGURES:
        terminalreporter.section("reliability figures")
        for name, text in FIGURES.items():
            terminalreporter.write_line(f"{name}: {text}")
