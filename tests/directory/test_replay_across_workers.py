"""A captured signed request is accepted once, whichever gunicorn worker a copy reaches."""
from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from services.shared.signing import Claims, sign
from tests.support.processes import start_gunicorn

pytestmark = pytest.mark.integration
SECRET = "replay-test-secret"


@pytest.mark.parametrize("round_", range(3))
def test_a_replayed_request_is_refused_by_every_worker(tmp_path, round_):
    env = dict(os.environ, HAVEN_DATA_DIR=str(tmp_path), HAVEN_INTERNAL_SECRET=SECRET)
    with start_gunicorn("services.directory:create_app()", env, workers=4) as directory:
        path = "/providers?need=shelter"
        headers = sign(SECRET.encode(), "GET", path, b"", Claims(role="caseworker", subject="test:replay"))

        def send(_):
            return requests.get(directory.url + path, headers=headers, timeout=30).status_code

        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(pool.map(send, range(24)))

    assert statuses.count(200) == 1, statuses
    assert statuses.count(401) == 23, statuses
