"""Sixty seconds of mixed load from 50 concurrent clients through the gateway, on real processes.

The mix: 40% searches, 40% matches, 15% capacity reports, 5% referrals. Asserted: no 5xx and no
failed connection, no provider ever holds more referrals than its capacity, and each service's memory
stays flat (a leak check on medians, not a timing check). Latencies are recorded, never asserted.
"""
from __future__ import annotations

import os
import random
import statistics
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import requests

from tests.reliability.figures import record
from tests.support.webhook_receiver import WebhookReceiver, eventually

pytestmark = pytest.mark.integration

DURATION_S = 60
CLIENTS = 50
REFERRAL_UNITS = 3           # per referral provider: far fewer than the referrals asked for
REFERRAL_PROVIDERS = 5
MEMORY_GROWTH_LIMIT = 1.5    # last quarter's median RSS over the second quarter's
PLACES = ("Utrecht", "Amsterdam", "Rotterdam", "Den Haag", "Eindhoven", "Groningen", "Zwolle", "Arnhem",
          "Tilburg", "Breda", "Nijmegen", "Haarlem", "Leiden", "Maastricht", "Enschede", "Almere")
NEEDS = ("shelter", "medical", "mental_health", "legal", "residence_status", "compensation", "interpreter")
LANGUAGES = ("ro", "bg", "pl", "uk", "ti", "pcm", "en", "nl", "ar", "es", "fr", "tr")

# Hex digits moved to letters: a reference of digits only can look like an identity or phone number and be refused.
LETTERS = str.maketrans("0123456789", "ghijklmnop")


def _rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _group_rss_kib(pgid: int) -> int:
    """The resident memory of a gunicorn master and all its workers (one process group)."""
    total = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                fields = Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()
            except (FileNotFoundError, ProcessLookupError, IndexError):
                continue
            if int(fields[2]) == pgid:
                total += _rss_kib(int(entry))
    return total


class Load:
    def __init__(self, stack, referral_providers: list[str], capacity_providers: list[dict], provider_token: str):
        self.stack = stack
        self.referral_providers = referral_providers
        self.capacity_providers = capacity_providers
        self.provider_token = provider_token
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.statuses: dict[str, Counter] = defaultdict(Counter)
        self.referrals: dict[str, int] = Counter()
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.memory: dict[str, list[int]] = defaultdict(list)
        self.referred_at: dict[str, float] = {}   # referral id -> wall time its request was sent

    def client(self, number: int, deadline: float) -> None:
        rng = random.Random(number)
        session = requests.Session()
        while time.monotonic() < deadline:
            roll = rng.random()
            kind = "search" if roll < 0.40 else "match" if roll < 0.80 else "capacity" if roll < 0.95 else "referral"
            started = time.monotonic()
            sent_at = time.time()
            try:
                answer, provider_id = getattr(self, kind)(session, rng)
            except requests.RequestException as err:
                with self.lock:
                    self.failures.append(f"{kind}: {type(err).__name__}")
                session = requests.Session()
                continue
            elapsed = time.monotonic() - started
            with self.lock:
                self.latencies[kind].append(elapsed)
                self.statuses[kind][answer.status_code] += 1
                if kind == "referral" and answer.status_code == 201:
                    self.referrals[provider_id] += 1
                    self.referred_at[answer.json()["id"]] = sent_at
                if answer.status_code >= 500:
                    self.failures.append(f"{kind}: {answer.status_code} {answer.text[:200]}")

    def search(self, session, rng):
        params = {"near": rng.choice(PLACES), "radius_km": rng.choice((10, 25, 50, 100)), "size": 20}
        if rng.random() < 0.7:
            params["need"] = rng.choice(NEEDS)
        if rng.random() < 0.3:
            params["language"] = rng.choice(LANGUAGES)
        if rng.random() < 0.3:
            params["available"] = "true"
        return session.get(f"{self.stack.api}/providers", params=params, headers=self.stack.auth("caseworker"),
                           timeout=60), None

    def match(self, session, rng):
        body = {"needs": rng.sample(NEEDS, rng.randint(1, 3)), "languages": rng.sample(LANGUAGES, rng.randint(1, 2)),
                "location": {"place": rng.choice(PLACES)}, "age": rng.randint(16, 60),
                "gender": rng.choice(("female", "male", "non_binary"))}
        if rng.random() < 0.5:
            body["avoid"] = [{"place": rng.choice(PLACES), "radius_km": rng.choice((5, 15, 30))}]
        return session.post(f"{self.stack.api}/matches", json=body, headers=self.stack.auth("caseworker"),
                            timeout=60), None

    def capacity(self, session, rng):
        provider = rng.choice(self.capacity_providers)
        return session.put(f"{self.stack.api}/providers/{provider['id']}/capacity", timeout=60,
                           json={"available": rng.randint(0, provider["capacity"]["maximum"])},
                           headers={"Authorization": f"Bearer {self.provider_token}"}), provider["id"]

    def referral(self, session, rng):
        provider_id = rng.choice(self.referral_providers)
        return session.post(f"{self.stack.api}/referrals", headers=self.stack.auth("caseworker"), timeout=60,
                            json={"provider_id": provider_id, "need": "shelter",
                                  "case_reference": f"LOAD-{rng.getrandbits(48):x}".translate(LETTERS)}), provider_id

    def sample_memory(self, stop: threading.Event) -> None:
        while not stop.wait(1.0):
            for service, process in self.stack.processes.items():
                self.memory[service].append(_group_rss_kib(process.pid))


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def test_sixty_seconds_of_mixed_load_give_no_5xx_no_overbooking_and_flat_memory(haven):
    with WebhookReceiver() as receiver:
        _load(haven, receiver)


def _load(haven, receiver):
    admin = haven.auth("admin")
    subscribed = requests.post(f"{haven.api}/webhooks", headers=haven.auth("caseworker"), timeout=60,
                               json={"url": receiver.url, "events": ["referral.created"]})
    assert subscribed.status_code == 201, subscribed.text
    receiver.secret = subscribed.json()["secret"]
    referral_providers = []
    for n in range(REFERRAL_PROVIDERS):
        answer = requests.post(f"{haven.api}/providers", headers=admin, timeout=60, json={
            "name": f"Load Shelter {n}", "type": "shelter", "services": ["shelter"],
            "location": {"municipality": "Utrecht", "lat": 52.09 + n / 100, "lon": 5.12, "confidential": True},
            "capacity": {"available": REFERRAL_UNITS, "maximum": REFERRAL_UNITS}})
        assert answer.status_code == 201, answer.text
        referral_providers.append(answer.json()["id"])
    demo = requests.get(f"{haven.api}/providers", params={"size": 100}, headers=admin, timeout=60).json()["contents"]
    capacity_providers = [p for p in demo if p["id"] not in referral_providers][:20]
    load = Load(haven, referral_providers, capacity_providers,
                haven.issue("provider", tuple(p["id"] for p in capacity_providers)))

    stop_sampling = threading.Event()
    sampler = threading.Thread(target=load.sample_memory, args=(stop_sampling,))
    sampler.start()
    deadline = time.monotonic() + DURATION_S
    clients = [threading.Thread(target=load.client, args=(n, deadline)) for n in range(CLIENTS)]
    for client in clients:
        client.start()
    for client in clients:
        client.join(timeout=DURATION_S + 120)
    stop_sampling.set()
    sampler.join()

    everything = [t for values in load.latencies.values() for t in values]
    record("load requests", f"{len(everything)} in {DURATION_S} s from {CLIENTS} clients "
                            f"({len(everything) / DURATION_S:.0f}/s); " + "; ".join(
                                f"{kind} {sum(load.statuses[kind].values())} {dict(load.statuses[kind])}"
                                for kind in ("search", "match", "capacity", "referral")))
    record("load latency ms (p50/p95/p99)", "; ".join(
        f"{kind} {_p(values, 0.5):.0f}/{_p(values, 0.95):.0f}/{_p(values, 0.99):.0f}"
        for kind, values in sorted(load.latencies.items())) + f"; all p99 {_p(everything, 0.99):.0f}")
    record("load memory MiB (2nd quarter -> last quarter median)", "; ".join(
        f"{service} {_quarter_median(samples, 1) / 1024:.0f} -> {_quarter_median(samples, 3) / 1024:.0f}"
        for service, samples in sorted(load.memory.items())))

    _record_webhook_latency(load, receiver)

    assert not load.failures, f"{len(load.failures)} failed requests, e.g. {load.failures[:5]}"
    assert sum(load.statuses["referral"].values()) > REFERRAL_PROVIDERS * REFERRAL_UNITS, "too few referrals asked"
    _assert_no_overbooking(haven, load)
    for service, samples in load.memory.items():
        assert len(samples) >= 20, (service, len(samples))
        assert _quarter_median(samples, 3) <= MEMORY_GROWTH_LIMIT * _quarter_median(samples, 1), (service, samples)


def _record_webhook_latency(load: Load, receiver: WebhookReceiver) -> None:
    """Each referral's webhook, from its request to its receipt (change -> receipt, an upper bound)."""
    eventually(lambda: all(receiver.of(rid) for rid in load.referred_at), timeout=120, interval=0.2)
    received = {m["data"]["referral_id"]: m["at"] for m in receiver.received}
    latencies = [received[rid] - sent for rid, sent in load.referred_at.items()]
    text = (f"{len(latencies)} deliveries, p50 {_p(latencies, 0.5):.0f} ms, p99 {_p(latencies, 0.99):.0f} ms, "
            f"bad signatures {receiver.bad_signatures}")
    record("webhook delivery latency (referral request -> receipt, under load)", text)
    if os.environ.get("HAVEN_RECORD_RESULTS") == "1":
        Path(__file__).resolve().parents[2].joinpath("bench", "results", "webhook_latency.md").write_text(
            "# Webhook delivery latency under the load test\n\n"
            "tests/reliability/test_load.py: 60 s of mixed load from 50 clients through the gateway (SQLite store, "
            "2 workers per service), one caseworker webhook subscribed to referral.created, delivered by the "
            "directory's worker every 0.1 s. Measured from the referral request being sent to the signed webhook "
            f"being received and verified.\n\n{text}\n")
    assert receiver.bad_signatures == 0


def _quarter_median(samples: list[int], quarter: int) -> float:
    size = len(samples) // 4
    return statistics.median(samples[quarter * size:(quarter + 1) * size])


def _assert_no_overbooking(haven, load: Load) -> None:
    for provider_id in load.referral_providers:
        listed = requests.get(f"{haven.api}/referrals", params={"provider_id": provider_id, "size": 100},
                              headers=haven.auth("admin"), timeout=60).json()
        capacity = requests.get(f"{haven.api}/providers/{provider_id}", headers=haven.auth("admin"),
                                timeout=60).json()["capacity"]
        assert listed["total_items"] == load.referrals[provider_id] == REFERRAL_UNITS, (provider_id, listed["total_items"])
        assert (capacity["available"], capacity["held"], capacity["free"]) == (REFERRAL_UNITS, REFERRAL_UNITS, 0)
