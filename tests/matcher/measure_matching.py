"""Not a test: a first timing of the matcher on a large synthetic directory.

    python -m tests.matcher.measure_matching [--providers 10000] [--runs 30] [--pool 50]

Loads synthetic providers into a SQLite file, serves the directory over real HTTP on 127.0.0.1 and
drives the matcher in-process with signed requests; prints the median and 90th percentile of a
four-need match and of a 50-person group placement.
"""
from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from services.directory import create_app as create_directory
from services.directory.importing import Row, import_providers
from services.directory.settings import DirectorySettings
from services.directory.store.sqlite import SqliteDirectoryStore
from services.directory.synthetic import generate_providers
from services.matcher import create_app as create_matcher
from services.matcher.settings import MatcherSettings
from tests.matcher.conftest import ServedApp
from tests.support.signed import SignedFlaskClient

SECRET = b"measure-secret"
FOUR_NEEDS = {"needs": ["shelter", "medical", "legal", "mental_health"], "languages": ["ro", "en"],
              "gender": "female", "age": 27, "location": {"place": "Utrecht"}, "exploitation_type": "sexual",
              "residence_status": "reflection_period", "avoid": [{"place": "Amersfoort", "radius_km": 10}]}


def group_of(size: int, seed: int = 7) -> dict:
    """People freed together in one place: mixed genders, ages and languages."""
    rng = random.Random(seed)
    people = []
    for _ in range(size):
        people.append({"languages": rng.sample(["ro", "bg", "pl", "uk", "ti", "pcm", "en", "vi"], 2),
                       "gender": rng.choice(["female", "female", "male"]), "age": rng.randint(18, 55),
                       "location": {"place": "Rotterdam"}, "exploitation_type": rng.choice(["sexual", "labour"])})
    return {"need": "shelter", "people": people}


def timed(client: SignedFlaskClient, path: str, body: dict, runs: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per request; CPU covers both services (one process) and is
    the steadier figure on a busy machine."""
    wall, cpu = [], []
    for run in range(runs + 3):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.post(path, body)
        elapsed, elapsed_cpu = time.perf_counter() - started, time.process_time() - started_cpu
        assert response.status_code == 200, response.json
        if run >= 3:  # the first calls warm caches and open connections
            wall.append(elapsed * 1000)
            cpu.append(elapsed_cpu * 1000)
    return wall, cpu


def summary(name: str, samples: tuple[list[float], list[float]]) -> str:
    wall, cpu = samples
    p90 = sorted(wall)[min(len(wall) - 1, int(0.9 * len(wall)))]
    return (f"{name}: median {statistics.median(wall):.1f} ms, p90 {p90:.1f} ms, "
            f"median CPU {statistics.median(cpu):.1f} ms over {len(wall)} runs")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--providers", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--pool", type=int, default=50, help="candidates scored per need")
    args = parser.parse_args()
    now = datetime.now(timezone.utc)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "haven.db"
        store = SqliteDirectoryStore(path)
        started = time.perf_counter()
        rows = (Row(f"synthetic provider {n}", data=record)
                for n, record in enumerate(generate_providers(args.providers, seed=1, now=now), start=1))
        report = import_providers(store, rows, strict=True, now=now, actor="system:measure", action="provider.seed")
        print(f"loaded {report.imported} providers in {time.perf_counter() - started:.1f} s")
        directory = create_directory({"SETTINGS": DirectorySettings(store_url=f"sqlite:///{path}",
                                                                    internal_secret=SECRET, log_level="WARNING"),
                                      "STORE": store})
        served = ServedApp(directory)
        try:
            matcher = create_matcher({"SETTINGS": MatcherSettings(directory_url=served.url, internal_secret=SECRET,
                                                                  candidate_pool=args.pool, log_level="WARNING")})
            client = SignedFlaskClient(matcher, SECRET, "caseworker")
            print(summary("four-need match", timed(client, "/matches", FOUR_NEEDS, args.runs)))
            print(summary("50-person group placement", timed(client, "/matches/group", group_of(50), args.runs)))
        finally:
            served.stop()
            store.close()


if __name__ == "__main__":
    main()
