"""One running Haven (three gunicorn services, demo data) for every security test that needs real HTTP."""
from __future__ import annotations

import pytest

from tests.support.stack import start_stack


@pytest.fixture(scope="session")
def haven(tmp_path_factory):
    stack = start_stack(tmp_path_factory.mktemp("haven-security"))
    yield stack
    stack.close()
