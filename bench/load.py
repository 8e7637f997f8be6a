"""The load generator: closed-loop clients (threads, one pooled requests.Session each) in processes of their own.

A phase runs `clients` threads spread over `processes` processes for a warm-up and then a measured
window; every operation that starts inside the window is recorded with its label, status and time.
"""
from __future__ import annotations

import multiprocessing
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import requests
from requests.adapters import HTTPAdapter

from .workloads import WORKLOADS

EXPECTED_CONFLICT = 409


@dataclass(frozen=True)
class Phase:
    """What one load run does."""

    workload: str
    base_url: str
    context: dict
    clients: int = 1
    processes: int = 1
    duration: float = 5.0
    warmup: float = 1.0
    min_ops: int = 0           # keep going past `duration` until this many ops (slow workloads)...
    max_duration: float = 0.0  # ...but never past this (0: 3 x duration)
    seed: int = 1


@dataclass
class Summary:
    """Latency and throughput of one label in one phase."""

    count: int
    seconds: float
    median_ms: float
    p95_ms: float
    p99_ms: float
    mean_ms: float
    max_ms: float
    throughput: float
    statuses: dict[str, int]
    errors: int            # anything but 2xx, the expected 409s apart
    conflicts: int         # 409s: no capacity left (expected under contention)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


@dataclass
class PhaseResult:
    window: float
    labels: dict[str, Summary] = field(default_factory=dict)
    total: Summary | None = None
    operations: int = 0  # every operation run, the warm-up's too


def summarise(statuses: np.ndarray, latencies: np.ndarray, window: float) -> Summary:
    if len(latencies) == 0:
        return Summary(0, window, float("nan"), float("nan"), float("nan"), float("nan"), float("nan"), 0.0, {}, 0, 0)
    ms = latencies * 1000
    values, counts = np.unique(statuses, return_counts=True)
    status_counts = {str(int(v)): int(c) for v, c in zip(values, counts)}
    conflicts = status_counts.get(str(EXPECTED_CONFLICT), 0)
    ok = sum(c for s, c in status_counts.items() if 200 <= int(s) < 300)
    return Summary(
        count=len(ms), seconds=round(window, 3),
        median_ms=float(np.percentile(ms, 50)), p95_ms=float(np.percentile(ms, 95)),
        p99_ms=float(np.percentile(ms, 99)), mean_ms=float(ms.mean()), max_ms=float(ms.max()),
        throughput=len(ms) / window if window > 0 else 0.0, statuses=status_counts,
        errors=len(ms) - ok - conflicts, conflicts=conflicts)


def run_phase(phase: Phase, on_progress: Callable[[int], None] | None = None) -> PhaseResult:
    """Run the phase in child processes and gather what they measured."""
    context = multiprocessing.get_context("spawn")
    counter = context.Value("q", 0)
    queue = context.Queue()
    per_process = [phase.clients // phase.processes + (1 if i < phase.clients % phase.processes else 0)
                   for i in range(phase.processes)]
    start_at = time.time() + 1.5  # every process starts its clocks together, after imports
    children = [context.Process(target=_child, args=(phase, index, threads, start_at, queue, counter), daemon=True)
                for index, threads in enumerate(per_process) if threads]
    for child in children:
        child.start()
    parts = []
    while len(parts) < len(children):
        try:
            parts.append(queue.get(timeout=0.25))
        except Exception:
            if on_progress is not None:
                on_progress(counter.value)
            if not any(child.is_alive() for child in children) and queue.empty():
                raise RuntimeError(f"load generator for {phase.workload} died")
    for child in children:
        child.join(timeout=10)
    if on_progress is not None:
        on_progress(counter.value)
    window = max(part["window"] for part in parts)
    by_label: dict[str, list] = {}
    for part in parts:
        for label, (statuses, latencies) in part["samples"].items():
            bucket = by_label.setdefault(label, [[], []])
            bucket[0].extend(statuses)
            bucket[1].extend(latencies)
    result = PhaseResult(window=window, operations=counter.value)
    all_statuses, all_latencies = [], []
    for label, (statuses, latencies) in sorted(by_label.items()):
        result.labels[label] = summarise(np.array(statuses), np.array(latencies), window)
        all_statuses.extend(statuses)
        all_latencies.extend(latencies)
    result.total = summarise(np.array(all_statuses), np.array(all_latencies), window)
    return result


def _child(phase: Phase, index: int, threads: int, start_at: float, queue, counter) -> None:
    time.sleep(max(0.0, start_at - time.time()))
    begin = time.perf_counter()
    measure_from = begin + phase.warmup
    soft_end = measure_from + phase.duration
    hard_end = measure_from + (phase.max_duration or 3 * phase.duration)
    lock = threading.Lock()
    samples: dict[str, tuple[list, list]] = {}
    recorded = [0]
    last_finish = [measure_from]

    def client(number: int) -> None:
        rng = random.Random(phase.seed * 1_000_003 + index * 1009 + number)
        session = requests.Session()
        session.mount("http://", HTTPAdapter(pool_connections=1, pool_maxsize=1, max_retries=0))
        workload = WORKLOADS[phase.workload](phase.context, rng)
        local: list[tuple[str, int, float]] = []
        while True:
            started = time.perf_counter()
            if started >= hard_end or (started >= soft_end and recorded[0] >= phase.min_ops):
                break
            label, status, seconds = workload.run(session, phase.base_url)
            with counter.get_lock():
                counter.value += 1
            if started >= measure_from:
                local.append((label, status, seconds))
                with lock:
                    recorded[0] += 1
                    last_finish[0] = max(last_finish[0], started + seconds)
        with lock:
            for label, status, seconds in local:
                bucket = samples.setdefault(label, ([], []))
                bucket[0].append(status)
                bucket[1].append(seconds)
        session.close()

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    queue.put({"window": max(last_finish[0] - measure_from, 1e-9), "samples": samples})
