"""kill -9 the directory, three times, in the middle of a stream of capacity reports and referrals over HTTP.

After each restart every acknowledged write (a 2xx answer received) is there, and nothing that was not
acknowledged is half-done: each referral and each capacity change is there with its audit entry or not
at all, held units are exactly the pending referrals, and no provider holds more than it has.
"""
from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

import pytest
import requests

from tests.reliability.faults import ready, wait_until
from tests.reliability.figures import record
from tests.support.havens import haven_on

pytestmark = pytest.mark.integration

KILLS = 3
STREAM_BEFORE_KILL_S = 1.0
REFERRAL_UNITS = 25          # per referral provider: the stream asks for more than all of them
FIRST_AVAILABLE = 10         # of the providers whose capacity the stream reports
REFERRAL_WRITERS = 4
HTTP_TIMEOUT_S = 10


@dataclass
class Attempt:
    kind: str                 # "capacity" or "referral"
    provider_id: str
    key: str                  # request id (capacity) or case reference (referral)
    value: int | None = None  # the available units reported
    status: int | None = None  # None: no answer (connection cut or timeout)
    referral_id: str | None = None

    @property
    def acknowledged(self) -> bool:
        return self.status is not None and 200 <= self.status < 300

    @property
    def unanswered(self) -> bool:
        """Sent, with no answer that says what happened: it may or may not have been done."""
        return self.status is None or self.status >= 500


@dataclass
class Stream:
    """Writers that keep sending until stopped; every attempt is recorded with what came back."""

    stack: object
    capacity_providers: list[str]
    referral_providers: list[str]
    provider_token: str
    attempts: list[Attempt] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)
    running: threading.Event = field(default_factory=threading.Event)  # cleared: writers wait
    idle: threading.Semaphore = field(default_factory=lambda: threading.Semaphore(0))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def _turn(self) -> bool:
        """Wait while paused; False once stopped."""
        if not self.running.is_set():
            self.idle.release()
            self.running.wait()
        return not self.stop.is_set()

    def pause(self) -> None:
        """Every writer finishes its request in flight and waits."""
        self.running.clear()
        for _ in range(len(self.capacity_providers) + REFERRAL_WRITERS):
            assert self.idle.acquire(timeout=60), "a writer did not come to rest"

    def resume(self) -> None:
        self.running.set()

    def _record(self, attempt: Attempt) -> None:
        with self.lock:
            self.attempts.append(attempt)

    def report_capacity(self, provider_id: str) -> None:
        """One writer per provider, so its reports are in a known order."""
        session = requests.Session()
        for n in itertools.count(1):
            if not self._turn():
                return
            attempt = Attempt("capacity", provider_id, f"cap-{provider_id[:8]}-{n}", value=n % 50)
            try:
                answer = session.put(f"{self.stack.api}/providers/{provider_id}/capacity", timeout=HTTP_TIMEOUT_S,
                                     json={"available": attempt.value},
                                     headers={"Authorization": f"Bearer {self.provider_token}",
                                              "X-Request-ID": attempt.key})
                attempt.status = answer.status_code
            except requests.RequestException:
                session = requests.Session()
            self._record(attempt)

    def refer(self, writer: int) -> None:
        session = requests.Session()
        for n in itertools.count(1):
            if not self._turn():
                return
            provider_id = self.referral_providers[n % len(self.referral_providers)]
            attempt = Attempt("referral", provider_id, f"dur-{writer}-{n}")
            try:
                answer = session.post(f"{self.stack.api}/referrals", timeout=HTTP_TIMEOUT_S,
                                      headers=self.stack.auth("caseworker"),
                                      json={"provider_id": provider_id, "need": "shelter",
                                            "case_reference": attempt.key})
                attempt.status = answer.status_code
                if answer.status_code == 201:
                    attempt.referral_id = answer.json()["id"]
            except requests.RequestException:
                session = requests.Session()
            self._record(attempt)

    def run(self):
        self.running.set()
        threads = [threading.Thread(target=self.report_capacity, args=(p,)) for p in self.capacity_providers]
        threads += [threading.Thread(target=self.refer, args=(w,)) for w in range(REFERRAL_WRITERS)]
        for thread in threads:
            thread.start()
        return threads


def _provider(name: str, available: int) -> dict:
    return {"name": name, "type": "shelter", "services": ["shelter"],
            "location": {"municipality": "Utrecht", "lat": 52.09, "lon": 5.12, "confidential": True},
            "capacity": {"available": available, "maximum": 50}}


def _get_all(stack, path: str, **params) -> list[dict]:
    items, page = [], 1
    while True:
        answer = requests.get(f"{stack.api}{path}", params=dict(params, page=page, size=100),
                              headers=stack.auth("admin"), timeout=60)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        items += body["contents"]
        if body["last_page"]:
            return items
        page += 1


@pytest.fixture(params=["sqlite", pytest.param("engine", marks=pytest.mark.engine)])
def haven(request, tmp_path):
    with haven_on(request.param, tmp_path / "haven", demo=False) as stack:
        yield stack


def test_acknowledged_writes_survive_kill_9_and_unacknowledged_ones_are_whole_or_absent(haven, request):
    admin = haven.auth("admin")
    created = [requests.post(f"{haven.api}/providers",
                             json=_provider(f"Durable {n}", REFERRAL_UNITS if n >= 3 else FIRST_AVAILABLE),
                             headers=admin, timeout=60) for n in range(6)]
    assert all(answer.status_code == 201 for answer in created), [a.text for a in created]
    ids = [answer.json()["id"] for answer in created]
    capacity_ids, referral_ids = ids[:3], ids[3:]
    stream = Stream(haven, capacity_ids, referral_ids, haven.issue("provider", tuple(capacity_ids)))
    threads = stream.run()
    try:
        for _ in range(KILLS):
            time.sleep(STREAM_BEFORE_KILL_S)
            haven.kill("directory")
            # Writes cut by the kill end (503 or no answer); nothing else is sent until the checks are done.
            stream.pause()
            haven.start("directory")
            wait_until(lambda: ready(haven.url("directory"))[0], timeout=60)
            # Right after the restart, before any later write can cover it up: the last change to each
            # provider is the one its newest audit entry records.
            _check_capacity(haven, stream.attempts, capacity_ids)
            _check_referrals(haven, stream.attempts, referral_ids)
            stream.resume()
        time.sleep(STREAM_BEFORE_KILL_S)
    finally:
        stream.stop.set()
        stream.resume()
        for thread in threads:
            thread.join(timeout=60)

    attempts = stream.attempts
    outcomes = Counter((a.kind, "acknowledged" if a.acknowledged else "unanswered" if a.unanswered else str(a.status))
                       for a in attempts)
    record(f"durability {request.node.callspec.id}",
           ", ".join(f"{kind} {outcome}: {count}" for (kind, outcome), count in sorted(outcomes.items())))
    assert outcomes[("referral", "acknowledged")] > 0 and outcomes[("capacity", "acknowledged")] > 0
    assert outcomes[("referral", "unanswered")] + outcomes[("capacity", "unanswered")] > 0, "no write was cut"
    assert set(outcomes) <= {(kind, o) for kind in ("referral", "capacity")
                             for o in ("acknowledged", "unanswered", "409")}, outcomes

    _check_referrals(haven, attempts, referral_ids)
    _check_capacity(haven, attempts, capacity_ids)


def _check_referrals(haven, attempts: list[Attempt], provider_ids: list[str]) -> None:
    stored = {r["case_reference"]: r for r in _get_all(haven, "/referrals") if r["case_reference"].startswith("dur-")}
    created = {e["target"]: e for e in _get_all(haven, "/audit", action="referral.create")}
    sent = {a.key: a for a in attempts if a.kind == "referral"}
    for attempt in sent.values():
        referral = stored.get(attempt.key)
        if attempt.acknowledged:
            assert referral is not None and referral["id"] == attempt.referral_id, f"acknowledged {attempt.key} lost"
        elif not attempt.unanswered:
            assert referral is None, f"{attempt.key} was refused with {attempt.status} but stored"
        if referral is not None:
            assert referral["status"] == "pending", referral
            assert referral["id"] in created, f"{attempt.key} stored without its audit entry"
    stored_ids = {r["id"] for r in stored.values()}
    audited = {target for target, entry in created.items() if entry["detail"] in {f"provider={p}" for p in provider_ids}}
    assert audited == stored_ids, f"audit entries without a referral: {sorted(audited - stored_ids)}"
    assert set(stored) <= set(sent), "a referral nobody asked for"
    for provider_id in provider_ids:
        capacity = requests.get(f"{haven.api}/providers/{provider_id}", headers=haven.auth("admin"),
                                timeout=60).json()["capacity"]
        pending = sum(1 for r in stored.values() if r["provider_id"] == provider_id)
        assert capacity["held"] == pending, (provider_id, capacity, pending)
        assert pending <= REFERRAL_UNITS and capacity["free"] == REFERRAL_UNITS - pending, (capacity, pending)


def _check_capacity(haven, attempts: list[Attempt], provider_ids: list[str]) -> None:
    for provider_id in provider_ids:
        sent = [a for a in attempts if a.kind == "capacity" and a.provider_id == provider_id]
        entries = [e for e in _get_all(haven, "/audit", action="capacity.update", target=provider_id)]
        logged = Counter(e["request_id"] for e in entries)
        by_key = {a.key: a for a in sent}
        for attempt in sent:
            if attempt.acknowledged:
                assert logged[attempt.key] == 1, f"acknowledged {attempt.key} has {logged[attempt.key]} audit entries"
            elif not attempt.unanswered:
                assert logged[attempt.key] == 0, attempt
        assert set(logged) <= set(by_key), "a capacity change nobody asked for"
        assert all(count == 1 for count in logged.values()), "a capacity change recorded twice"
        # The stored value is the last change that was made, acknowledged or not, and the audit log says so.
        acknowledged = [i for i, a in enumerate(sent) if a.acknowledged]
        since = acknowledged[-1] if acknowledged else -1
        possible = {sent[since].value if acknowledged else FIRST_AVAILABLE}
        possible |= {a.value for a in sent[since + 1:] if a.unanswered}
        available = requests.get(f"{haven.api}/providers/{provider_id}", headers=haven.auth("admin"),
                                 timeout=60).json()["capacity"]["available"]
        assert available in possible, (available, possible)
        newest = entries[0]["detail"] if entries else f"available={FIRST_AVAILABLE}"  # newest first
        assert newest == f"available={available}", (
            available, [(e["request_id"], e["detail"]) for e in entries[:4]], [(a.key, a.status) for a in sent[-4:]])
