"""The matcher's read model: how long its start-up takes, and how long a write takes to reach a match.

Start-up: from `haven up` until the matcher's `/readyz` says its read model is loaded, polled often enough
to meet every worker (each keeps its own), and the longest load a worker reported. Visibility: a provider
reports no free unit (then free units again) through the gateway with its own token; a caseworker then
asks for a match of its need at its public point until the answer shows the change. Each write is timed
from the moment its answer came back to the first match that shows it.
"""
from __future__ import annotations

import json
import statistics
import time
from pathlib import Path

import requests

from .workloads import API, TIMEOUT

WRITES = 20
SETTLE_POLLS = 20  # consecutive /readyz answers saying loaded: with 2 workers, each has answered


def read_model_loaded(matcher_url: str, started: float, timeout: float = 300.0) -> dict:
    """Wait until every matcher worker has loaded its read model; the seconds since `started` and per worker."""
    deadline = time.monotonic() + timeout
    seen, loaded_after = 0, []
    while time.monotonic() < deadline:
        try:
            answer = requests.get(matcher_url + "/readyz", timeout=2).json().get("read_model") or {}
        except (requests.RequestException, ValueError):
            answer = {}
        if not answer:
            return {"read_model": False}
        if answer.get("loaded"):
            seen += 1
            loaded_after.append(answer.get("loaded_after_s") or 0.0)
            if seen >= SETTLE_POLLS:
                return {"read_model": True, "seconds_from_up": round(time.monotonic() - started, 3),
                        "worker_load_s_max": round(max(loaded_after), 3)}
        else:
            seen = 0
        time.sleep(0.05)
    return {"read_model": True, "timed_out": True}


def providers_by_id(dataset_path: Path, wanted: set[str]) -> dict[str, dict]:
    found = {}
    with open(dataset_path, encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line)
            if record["id"] in wanted:
                found[record["id"]] = record
    return found


def write_to_match(base: str, context: dict, dataset_path: Path, writes: int = WRITES) -> dict:
    """p50/p99 (ms) from a capacity report's answer to the first match that shows it."""
    from services.shared.geo import coarsen

    chosen = [(pid, maximum) for pid, maximum in context["capacity_providers"] if maximum > 0][:writes // 2]
    records = providers_by_id(dataset_path, {pid for pid, _ in chosen})
    caseworker = {"Authorization": f"Bearer {context['token']}"}
    provider = {"Authorization": f"Bearer {context['provider_token']}"}
    session = requests.Session()
    seconds, asked, lost, skipped = [], 0, 0, 0
    try:
        for provider_id, maximum in chosen:
            record = records[provider_id]
            lat, lon = (coarsen(record["location"]["lat"], record["location"]["lon"])
                        if record["location"].get("confidential") else
                        (record["location"]["lat"], record["location"]["lon"]))
            need = next((n for n in record["services"] if n != "interpreter"), None)
            if need is None:
                continue
            body = {"needs": [need], "languages": ["nl"], "location": {"lat": lat, "lon": lon}, "limit": 20}
            # Only providers a match offers while they have free units: for the others nothing could be seen.
            if not _shows(session, base, provider, caseworker, provider_id, maximum, body):
                skipped += 1
                continue
            for available in (0, maximum):
                answer = session.put(f"{base}{API}/providers/{provider_id}/capacity", json={"available": available},
                                     headers=provider, timeout=TIMEOUT)
                if answer.status_code != 200:
                    lost += 1
                    continue
                written = time.perf_counter()
                while time.perf_counter() - written < 10:
                    asked += 1
                    found = session.post(f"{base}{API}/matches", json=body, headers=caseworker, timeout=TIMEOUT)
                    if found.status_code != 200:
                        continue
                    offered = any(c["provider"]["id"] == provider_id for r in found.json()["results"]
                                  for c in r["candidates"])
                    if offered == (available > 0):
                        seconds.append(time.perf_counter() - written)
                        break
                else:
                    lost += 1
    finally:
        session.close()
    if not seconds:
        return {"writes": 0, "not_seen": lost, "not_offered": skipped}
    ordered = sorted(seconds)
    return {"writes": len(seconds), "not_seen": lost, "not_offered": skipped, "matches_asked": asked,
            "p50_ms": round(statistics.median(ordered) * 1000, 1),
            "p99_ms": round(ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] * 1000, 1),
            "max_ms": round(ordered[-1] * 1000, 1)}


def _offered(session, base, headers, provider_id, body) -> bool:
    found = session.post(f"{base}{API}/matches", json=body, headers=headers, timeout=TIMEOUT)
    return found.status_code == 200 and any(c["provider"]["id"] == provider_id for r in found.json()["results"]
                                            for c in r["candidates"])


def _shows(session, base, provider_headers, caseworker, provider_id, maximum, body) -> bool:
    """Whether a match offers the provider once it reports all its units free (waiting up to 10 s for it)."""
    answer = session.put(f"{base}{API}/providers/{provider_id}/capacity", json={"available": maximum},
                         headers=provider_headers, timeout=TIMEOUT)
    if answer.status_code != 200:
        return False
    deadline = time.perf_counter() + 10
    while time.perf_counter() < deadline:
        if _offered(session, base, caseworker, provider_id, body):
            return True
        time.sleep(0.05)
    return False
