"""What one client does in one operation of each workload: build a request, send it, time it.

Each workload is built once per client thread from the phase's context (tokens, provider ids, points)
and a seeded random generator, so a run sends the same sequence of requests every time.
`run()` returns (label, HTTP status or 0 for a failed connection, seconds).
"""
from __future__ import annotations

import random
import time
import uuid

import requests

API = "/api/v1"
# Language pairs of people identified in the Netherlands (first language, second language).
LANGUAGE_PAIRS = (("ro", "en"), ("bg", "en"), ("pl", "en"), ("hu", "en"), ("uk", "ru"), ("pcm", "en"),
                  ("ti", "ar"), ("vi", "en"), ("zh", "en"), ("th", "en"), ("es", "pt"), ("ar", "fr"))
MATCH_NEEDS = ["shelter", "legal", "mental_health", "medical"]
SEARCH_NEEDS = ("shelter", "medical", "mental_health", "legal", "interpreter")
SEARCH_LANGUAGES = ("ro", "bg", "pl", "uk", "en", "pcm", "ar", "ti")
# Hex digits moved to letters in case references: one of digits only can look like an identity or phone number,
# which the directory refuses (400), about one in 200.
LETTERS = str.maketrans("0123456789", "ghijklmnop")
TIMEOUT = (5, 90)  # longer than the gateway waits for an internal answer (stack.SERVICE_TIMEOUT)


def timed(session: requests.Session, method: str, url: str, **kwargs) -> tuple[int, float, requests.Response | None]:
    started = time.perf_counter()
    try:
        response = session.request(method, url, timeout=TIMEOUT, **kwargs)
        response.content  # read the whole body inside the timing
        return response.status_code, time.perf_counter() - started, response
    except requests.RequestException:
        return 0, time.perf_counter() - started, None


class Workload:
    label = "?"

    def __init__(self, context: dict, rng: random.Random):
        self.context = context
        self.rng = rng
        self.headers = {"Authorization": f"Bearer {context.get('token', '')}"}

    def run(self, session: requests.Session, base: str) -> tuple[str, int, float]:
        raise NotImplementedError

    def point(self) -> tuple[float, float]:
        return tuple(self.rng.choice(self.context["points"]))


class Healthz(Workload):
    label = "healthz"

    def run(self, session, base):
        status, seconds, _ = timed(session, "GET", base + "/healthz")
        return self.label, status, seconds


class Chain(Workload):
    label = "chain"

    def run(self, session, base):
        status, seconds, _ = timed(session, "GET", base + "/chain", headers=self.headers)
        return self.label, status, seconds


class Search(Workload):
    """Directory search: 50 km around a place, one language, one need, free capacity only, a page of 20."""

    label = "search"

    def run(self, session, base):
        lat, lon = self.point()
        params = {"near": f"{lat:.5f},{lon:.5f}", "radius_km": 50, "language": self.rng.choice(SEARCH_LANGUAGES),
                  "need": self.rng.choice(SEARCH_NEEDS), "available": "true", "size": 20}
        status, seconds, _ = timed(session, "GET", base + API + "/providers", params=params, headers=self.headers)
        return self.label, status, seconds


def person(rng: random.Random, lat: float, lon: float) -> dict:
    """One person's attributes as a match request carries them (never a name)."""
    female = rng.random() < 0.7
    return {
        "languages": list(rng.choice(LANGUAGE_PAIRS)),
        "gender": "female" if female else "male",
        "age": rng.randint(18, 45),
        "location": {"lat": round(lat, 5), "lon": round(lon, 5)},
        "exploitation_type": "sexual" if female and rng.random() < 0.7 else "labour",
        "residence_status": rng.choice(("reflection_period", "eu", "undocumented")),
    }


class Match(Workload):
    """One person, four needs, two languages, one area to avoid (about 30 km away)."""

    label = "match"

    def body(self) -> dict:
        lat, lon = self.point()
        body = person(self.rng, lat, lon)
        body["needs"] = list(MATCH_NEEDS)
        bearing = self.rng.choice(((0.27, 0.0), (-0.27, 0.0), (0.0, 0.4), (0.0, -0.4)))
        body["avoid"] = [{"lat": round(lat + bearing[0], 5), "lon": round(lon + bearing[1], 5), "radius_km": 15}]
        return body

    def run(self, session, base):
        status, seconds, _ = timed(session, "POST", base + API + "/matches", json=self.body(), headers=self.headers)
        return self.label, status, seconds


class Group(Workload):
    """Group placement: 50 people freed together at one place, all needing shelter."""

    label = "group"
    size = 50

    def body(self) -> dict:
        # Freed together: everyone is where the group was found.
        lat, lon = self.point()
        return {"people": [person(self.rng, lat, lon) for _ in range(self.size)], "need": "shelter"}

    def run(self, session, base):
        status, seconds, _ = timed(session, "POST", base + API + "/matches/group", json=self.body(),
                                   headers=self.headers)
        return self.label, status, seconds


class Capacity(Workload):
    """A provider reports its free units with its own token."""

    label = "capacity"

    def __init__(self, context, rng):
        super().__init__(context, rng)
        self.provider_headers = {"Authorization": f"Bearer {context['provider_token']}"}

    def run(self, session, base):
        provider_id, maximum = self.rng.choice(self.context["capacity_providers"])
        body = {"available": self.rng.randint(0, maximum)}
        status, seconds, _ = timed(session, "PUT", f"{base}{API}/providers/{provider_id}/capacity", json=body,
                                   headers=self.provider_headers)
        return self.label, status, seconds


class Referral(Workload):
    """A referral that holds a unit, then cancelled by the caseworker who made it: one operation, two requests.

    A 409 (no free unit left) ends the operation early and is counted apart, as expected under contention.
    """

    label = "referral"
    targets = "referral_providers"  # providers with 3 or more free units that nothing else writes to

    def run(self, session, base):
        provider_id, need = self.rng.choice(self.context[self.targets])
        body = {"provider_id": provider_id, "need": need,
                "case_reference": f"BENCH-{uuid.UUID(int=self.rng.getrandbits(128)).hex[:12].translate(LETTERS)}"}
        status, seconds, response = timed(session, "POST", base + API + "/referrals", json=body, headers=self.headers)
        if status != 201 or response is None:
            return self.label, status, seconds
        referral_id = response.json()["id"]
        cancel_status, cancel_seconds, _ = timed(session, "POST", f"{base}{API}/referrals/{referral_id}/cancel",
                                                 headers=self.headers)
        # The pair succeeds when both do; a failed cancel is the pair's error.
        ok = 200 <= cancel_status < 300
        return self.label, (status if ok else cancel_status), seconds + cancel_seconds


class ContendedReferral(Referral):
    """The mixed load's referrals: to the providers the capacity updates write to, some of them set to no
    free unit at the time, so a share of these end in the expected 409."""

    targets = "contended_providers"


class Mixed(Workload):
    """80% search or match (half each), 15% capacity updates, 5% referral create + cancel.

    Referrals go to the providers whose capacity is being updated, so the load meets full providers.
    """

    label = "mixed"

    def __init__(self, context, rng):
        super().__init__(context, rng)
        self.search = Search(context, rng)
        self.match = Match(context, rng)
        self.capacity = Capacity(context, rng)
        self.referral = ContendedReferral(context, rng)

    def run(self, session, base):
        draw = self.rng.random()
        if draw < 0.40:
            return self.search.run(session, base)
        if draw < 0.80:
            return self.match.run(session, base)
        if draw < 0.95:
            return self.capacity.run(session, base)
        return self.referral.run(session, base)


WORKLOADS: dict[str, type[Workload]] = {
    cls.label: cls for cls in (Healthz, Chain, Search, Match, Group, Capacity, Referral, Mixed)
}
