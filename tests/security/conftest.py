"""The security tests get a Haven of their own: others' referrals must not use up the capacity they refer to."""
from __future__ import annotations

import pytest

from tests.support.havens import haven_on


@pytest.fixture(scope="session")
def haven(tmp_path_factory):
    with haven_on("sqlite", tmp_path_factory.mktemp("haven-security")) as stack:
        yield stack
