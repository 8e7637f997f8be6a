"""Skip a test whose outside component is missing, unless CI requires that component."""
from __future__ import annotations

import os

import pytest


def require(available: bool, reason: str, required_by: str) -> None:
    """Skip with `reason` when not available; fail instead when env `required_by` is "1"."""
    if available:
        return
    if os.environ.get(required_by) == "1":
        pytest.fail(f"{reason} ({required_by}=1 requires it)")
    pytest.skip(reason)
