"""A directory killed with SIGKILL between a change and its webhook loses nothing: the next one delivers it,
once per subscriber, in order per referral."""
from __future__ import annotations

import contextlib

import pytest

from services.shared.signing import Claims
from tests.support.factories import provider
from tests.support.processes import start_gunicorn
from tests.support.signed import signed_request
from tests.support.webhook_receiver import WebhookReceiver, eventually

pytestmark = pytest.mark.integration
SECRET = "outbox-test-secret"
ADMIN = Claims(role="admin", subject="admin:seed")
CASEWORKER = Claims(role="caseworker", subject="caseworker:kill")


@contextlib.contextmanager
def _store_url(kind, tmp_path):
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'haven.db'}"
    else:
        from tests.support.engine_store import engine_store, fresh_prefix, require_engine, store_url

        prefix = fresh_prefix()
        url = store_url(require_engine(), prefix)
        with engine_store(prefix):
            yield url


def directory(env, **more):
    return start_gunicorn("services.directory:create_app()", {**env, **more}, workers=2)


def call(service, claims, method, path, body=None):
    answer = signed_request(service.url, SECRET.encode(), claims, method, path, json_body=body)
    assert answer.status_code < 300, answer.text
    return answer.json() if answer.content else None


@pytest.mark.parametrize("kind", ["sqlite", pytest.param("engine", marks=pytest.mark.engine)])
def test_changes_made_before_a_kill_are_delivered_after_it_once_and_in_order(kind, tmp_path):
    with _store_url(kind, tmp_path) as url, WebhookReceiver() as receiver:
        env = {"HAVEN_DATA_DIR": str(tmp_path), "HAVEN_INTERNAL_SECRET": SECRET, "HAVEN_STORE_URL": url,
               "HAVEN_LOG_LEVEL": "WARNING", "HAVEN_WEBHOOK_ALLOW_LOOPBACK": "1",
               "HAVEN_WEBHOOK_RETRY_FIRST_SECONDS": "0.2", "HAVEN_SWEEP_SECONDS": "0"}
        # First: a directory that delivers only once, at its start, so every change it makes waits in the outbox.
        # The receiver is down meanwhile: that round may come a moment after the first changes, and then tries
        # (and fails) to deliver them once; either way they are delivered only after the kill.
        receiver.down = True
        with directory(env, HAVEN_DELIVER_SECONDS="3600") as first:
            shelter = call(first, ADMIN, "POST", "/providers", provider(capacity={"available": 3, "maximum": 5}))
            receiver.secret = call(first, CASEWORKER, "POST", "/webhooks", {"url": receiver.url})["secret"]
            made = call(first, CASEWORKER, "POST", "/referrals", {"provider_id": shelter["id"], "need": "shelter",
                                                                  "case_reference": "ZAAK-K1"})
            call(first, CASEWORKER, "POST", f"/referrals/{made['id']}/cancel", {"reason": "person_declined"})
            first.kill()
        assert receiver.received == []

        # Then: a receiver that is down while a directory retries, killed in the middle of its retries.
        receiver.refused = 0
        with directory(env, HAVEN_DELIVER_SECONDS="0.1") as second:
            other = call(second, CASEWORKER, "POST", "/referrals", {"provider_id": shelter["id"], "need": "shelter",
                                                                    "case_reference": "ZAAK-K2"})
            eventually(lambda: receiver.refused >= 2, timeout=30)
            second.kill()
        receiver.down = False

        with directory(env, HAVEN_DELIVER_SECONDS="0.1"):
            eventually(lambda: receiver.of(made["id"]) == ["referral.created", "referral.cancelled"], timeout=60)
            eventually(lambda: receiver.of(other["id"]) == ["referral.created"], timeout=60)
        assert receiver.bad_signatures == 0
        assert len(receiver.received) == len({m["id"] for m in receiver.received}) == 3
