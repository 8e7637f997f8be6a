"""Figures the reliability tests measure (counts, latencies, memory), printed at the end of the run."""
from __future__ import annotations

FIGURES: dict[str, str] = {}


def record(name: str, text: str) -> None:
    FIGURES[name] = text
