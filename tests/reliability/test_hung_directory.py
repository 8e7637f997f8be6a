"""A directory that accepts connections and never answers is named in the 503, by search and by matching:
the gateway waits for the matcher longer than the matcher waits for the directory, and passes its 503 on."""
from __future__ import annotations

import socket
import threading
import time

import pytest
import requests

from services.gateway.settings import matcher_timeout
from services.matcher.settings import MatcherSettings
from tests.support.havens import haven_on

MATCH = {"needs": ["shelter"], "languages": ["ro"], "location": {"place": "Utrecht"}}
TIMEOUT_S = 2  # HAVEN_SERVICE_TIMEOUT and HAVEN_DIRECTORY_TIMEOUT below; the gateway waits 2 + 5 s for the matcher


class SilentServer:
    """Accepts every connection and never sends a byte: a hung service."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(conn)

    def close(self) -> None:
        try:
            self.listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.listener.close()
        for conn in self.connections:
            conn.close()


@pytest.mark.parametrize("extra", [{}, {"HAVEN_DIRECTORY_TIMEOUT": "3"}, {"HAVEN_DIRECTORY_TIMEOUT": "30"}])
def test_the_gateway_waits_for_the_matcher_longer_than_the_matcher_waits_for_the_directory(tmp_path, extra):
    # Both read from one environment, as `haven up` and the compose file give it.
    environ = {"HAVEN_DATA_DIR": str(tmp_path), "HAVEN_INTERNAL_SECRET": "x", **extra}
    directory_wait = MatcherSettings.from_env(environ).directory_timeout
    assert matcher_timeout(environ) >= directory_wait + 5
    assert matcher_timeout({**environ, "HAVEN_MATCHER_TIMEOUT": "4"}) == 4


@pytest.fixture(scope="module")
def hung():
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture(scope="module")
def haven(tmp_path_factory, hung):
    silent = {"HAVEN_DIRECTORY_URL": f"http://127.0.0.1:{hung.port}"}
    with haven_on("sqlite", tmp_path_factory.mktemp("hung"), demo=False, HAVEN_SERVICE_TIMEOUT=str(TIMEOUT_S),
                  HAVEN_DIRECTORY_TIMEOUT=str(TIMEOUT_S), service_env={"matcher": silent, "gateway": silent}) as stack:
        yield stack


def assert_names_the_directory(answer: requests.Response) -> None:
    assert answer.status_code == 503, answer.text[:300]
    error = answer.json()["error"]
    assert error["code"] == "service_unavailable", error
    assert "directory" in error["message"] and "matcher" not in error["message"], error
    assert int(answer.headers["Retry-After"]) > 0


@pytest.mark.integration
def test_matching_against_a_hung_directory_answers_503_naming_the_directory(haven):
    started = time.monotonic()
    answer = requests.post(f"{haven.api}/matches", json=MATCH, headers=haven.auth("caseworker"), timeout=60)
    seconds = time.monotonic() - started
    assert_names_the_directory(answer)
    # The matcher's wait for the directory, not the gateway's longer wait for the matcher.
    assert TIMEOUT_S <= seconds < TIMEOUT_S + 3, f"the 503 took {seconds:.1f} s"


@pytest.mark.integration
def test_searching_a_hung_directory_answers_503_naming_the_directory(haven):
    started = time.monotonic()
    answer = requests.get(f"{haven.api}/providers", params={"near": "Utrecht"}, headers=haven.auth("caseworker"),
                          timeout=60)
    seconds = time.monotonic() - started
    assert_names_the_directory(answer)
    assert TIMEOUT_S <= seconds < TIMEOUT_S + 3, f"the 503 took {seconds:.1f} s"
