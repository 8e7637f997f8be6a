"""One bench run: baselines, then every workload at every size and store, measured in the same run."""
from __future__ import annotations

import importlib.util
import os
import platform
import shutil
import subprocess
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm

from .chain import CHAIN_TOKEN
from .load import Phase, PhaseResult, run_phase
from .procs import (HAVEN_UP, REPO, Gunicorn, MemorySampler, SearchEngine, WorkerSettings, cpu_seconds_by_tree,
                    environment, free_port, wait_http, wait_idle)
from .stack import Dataset, HavenInstance, make_dataset
from .visibility import read_model_loaded, write_to_match

SERVICE_WORKLOADS = ("search", "match", "group", "capacity", "referral")
WORKLOAD_TITLES = {
    "healthz": "gateway /healthz (baseline a)",
    "chain": "empty three-hop chain (baseline b)",
    "search": "1. search: 50 km + language + need + available, page of 20",
    "match": "2. match: 4 needs, 2 languages, 1 area to avoid",
    "group": "3. group placement: 50 people, shelter",
    "capacity": "4. capacity update (provider token)",
    "referral": "5. referral create + cancel (one pair)",
    "import": "6. bulk import (haven import)",
    "mixed": "mixed load",
}
CHAIN_VARIANTS = (
    WorkerSettings("sync", 2, 1),
    WorkerSettings("sync", 4, 1),
    WorkerSettings("gthread", 2, 4),
    WorkerSettings("gthread", 2, 8),
    WorkerSettings("gthread", 4, 2),
)


@dataclass
class Options:
    sizes: tuple[int, ...] = (1_000, 10_000, 100_000)
    stores: tuple[str, ...] = ("sqlite", "opensearch")
    quick: bool = False
    clients: int = 8              # closed-loop clients for throughput: the 2 x 4 threads each service has
    processes: int = 2            # load-generator processes those clients run in
    latency_seconds: float = 2.5  # one client: latency without queueing
    throughput_seconds: float = 5.0
    warmup_seconds: float = 1.0
    mixed_clients: int = 16
    workloads: tuple[str, ...] = SERVICE_WORKLOADS + ("mixed",)
    mixed_seconds: float = 15.0
    slow_cap_seconds: float = 40.0  # a phase of slow requests stops here even short of its minimum count
    chain_variants: tuple[WorkerSettings, ...] = CHAIN_VARIANTS
    out_dir: Path = REPO / "bench" / "results"
    work_dir: Path = REPO / "bench" / ".work"

    @classmethod
    def quick_options(cls, **overrides) -> "Options":
        values = dict(sizes=(1_000, 10_000), stores=("sqlite",), quick=True, latency_seconds=1.0,
                      throughput_seconds=1.5, warmup_seconds=0.3, mixed_seconds=4.0, slow_cap_seconds=15.0,
                      chain_variants=(WorkerSettings("sync", 2, 1), HAVEN_UP))
        values.update(overrides)
        return cls(**values)


@dataclass
class Measured:
    """Latency (one client) and throughput (many clients) of one workload, and the services' memory."""

    latency: PhaseResult | None = None
    throughput: PhaseResult | None = None
    memory: dict = field(default_factory=dict)
    cpu_ms: dict = field(default_factory=dict)  # per service: CPU ms per operation with one client
    load_average: float = 0.0
    note: str = ""

    def as_dict(self) -> dict:
        def phase(result: PhaseResult | None):
            if result is None:
                return None
            return {"window_s": round(result.window, 3), "total": result.total.as_dict(),
                    "labels": {k: v.as_dict() for k, v in result.labels.items()}}
        return {"latency": phase(self.latency), "throughput": phase(self.throughput), "memory_mb": self.memory,
                "cpu_ms_per_operation": self.cpu_ms, "load_average": self.load_average, "note": self.note}


class Progress:
    """One tqdm bar over the plan's steps; the live request count of the running phase in its postfix."""

    def __init__(self, total: int):
        self.bar = tqdm(total=total, unit="step", dynamic_ncols=True, bar_format=(
            "{l_bar}{bar}| {n_fmt}/{total_fmt} [{elapsed}<{remaining}] {postfix}"))
        self.step = ""

    def begin(self, step: str) -> None:
        self.step = step
        self.bar.set_description_str(step[:48])
        self.bar.set_postfix_str("")

    def requests(self, count: int) -> None:
        self.bar.set_postfix_str(f"{count} requests", refresh=True)

    def done(self) -> None:
        self.bar.update(1)

    def write(self, text: str) -> None:
        self.bar.write(text)

    def close(self) -> None:
        self.bar.close()


class Bench:
    def __init__(self, options: Options):
        self.options = options
        self.run_dir = options.work_dir / "run"
        self.sampler = MemorySampler()
        self.results: dict = {"started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                              "options": {"sizes": list(options.sizes), "stores": list(options.stores),
                                          "quick": options.quick, "clients": options.clients,
                                          "load_processes": options.processes,
                                          "latency_seconds": options.latency_seconds,
                                          "throughput_seconds": options.throughput_seconds,
                                          "mixed_clients": options.mixed_clients,
                                          "mixed_seconds": options.mixed_seconds},
                              "machine": machine(), "chain_variants": [], "configs": [], "skipped": [], "failed": []}
        self.progress: Progress | None = None
        self.engine: SearchEngine | None = None

    # -- plan --------------------------------------------------------------------------------
    def stores(self) -> list[str]:
        usable = []
        for store in self.options.stores:
            reason = store_unavailable(store)
            if reason:
                self.results["skipped"].append({"store": store, "reason": reason})
            else:
                usable.append(store)
        return usable

    def run(self) -> dict:
        stores = self.stores()
        if self.run_dir.exists():
            shutil.rmtree(self.run_dir)
        self.run_dir.mkdir(parents=True)
        per_config = 5 + len(self.options.workloads)  # data, import, tokens, chain, healthz; workloads and mixed
        self.progress = Progress(len(self.options.chain_variants) + len(stores) * len(self.options.sizes) * per_config)
        try:
            for settings in self.options.chain_variants:
                self.progress.begin(f"chain: {settings.label}")
                self.results["chain_variants"].append({"settings": settings.label, **self.chain(settings).as_dict()})
                self.progress.done()
            for store in stores:
                if store == "opensearch":
                    self.engine = SearchEngine(self.run_dir / "engine", free_port(), self.run_dir / "engine.log")
                    self.progress.begin("search engine: starting")
                    self.engine.up()
                try:
                    for size in self.options.sizes:
                        try:
                            self.results["configs"].append(self.config(store, size))
                        except Exception as err:  # one failed configuration must not lose the others
                            self.results["failed"].append({"store": store, "size": size,
                                                           "error": f"{type(err).__name__}: {err}"})
                            self.progress.write(f"{store} {size:,} failed: {type(err).__name__}: {err}")
                finally:
                    if self.engine is not None:
                        self.engine.down()
                        self.engine = None
        finally:
            self.sampler.close()
            self.progress.close()
        self.results["finished"] = datetime.now(timezone.utc).isoformat(timespec="seconds")
        return self.results

    # -- phases ------------------------------------------------------------------------------
    def phase(self, workload: str, base_url: str, context: dict, *, clients: int, duration: float,
              min_ops: int = 0) -> PhaseResult:
        phase = Phase(workload=workload, base_url=base_url, context=context, clients=clients,
                      processes=min(self.options.processes, clients), duration=duration,
                      warmup=self.options.warmup_seconds, min_ops=min_ops,
                      max_duration=max(3 * duration + 5, self.options.slow_cap_seconds))
        result = run_phase(phase, self.progress.requests if self.progress else None)
        # Requests the gateway gave up on may still run behind it: let them finish first.
        wait_idle(list(self.sampler.trees.values()), timeout=90)
        return result

    def measure(self, workload: str, base_url: str, context: dict, *, min_ops: int = 20) -> Measured:
        """One client for latency, then `clients` for throughput; memory peaks over both."""
        self.sampler.reset()
        measured = Measured()
        trees = dict(self.sampler.trees)
        before = cpu_seconds_by_tree(trees)
        measured.latency = self.phase(workload, base_url, context, clients=1,
                                      duration=self.options.latency_seconds, min_ops=min_ops)
        # What each service spent per operation, one at a time (the phase waits until they are idle again).
        after = cpu_seconds_by_tree(trees)
        operations = max(measured.latency.operations, 1)
        measured.cpu_ms = {name: round((after[name] - before[name]) / operations * 1000, 3) for name in trees}
        measured.throughput = self.phase(workload, base_url, context, clients=self.options.clients,
                                         duration=self.options.throughput_seconds, min_ops=2 * self.options.clients)
        measured.memory = self.sampler.peaks()
        measured.load_average = round(os.getloadavg()[0], 2)
        return measured

    def chain(self, settings: WorkerSettings) -> Measured:
        """Start the three hops with these worker settings, measure GET /chain, stop them."""
        secret = os.urandom(32).hex()
        ports = [free_port() for _ in range(3)]
        nonces = self.run_dir / f"chain-{len(ports)}-{ports[0]}"
        nonces.mkdir(parents=True)
        env = environment(HAVEN_INTERNAL_SECRET=secret, BENCH_CHAIN_DATA=str(nonces))
        log = self.run_dir / "chain.log"
        hops = []
        try:
            for role, port, next_port in (("directory", ports[2], None), ("matcher", ports[1], ports[2]),
                                          ("gateway", ports[0], ports[1])):
                hop_env = dict(env, BENCH_CHAIN_NEXT=f"http://127.0.0.1:{next_port}") if next_port else env
                hops.append(Gunicorn.start(role, f"bench.chain:create_app('{role}')", port, settings, hop_env, log))
            for hop in hops:
                wait_http(hop.url + "/healthz", hop.process)
            self.sampler.watch({hop.name: hop.process.pid for hop in hops})
            return self.measure("chain", hops[-1].url, {"token": CHAIN_TOKEN}, min_ops=20)
        finally:
            for hop in reversed(hops):
                hop.stop()

    def config(self, store: str, size: int) -> dict:
        """Data, import, `haven up`, baselines and every workload for one store and size."""
        label = f"{store} {size:,}"
        folder = self.run_dir / f"{store}-{size}"
        folder.mkdir()
        result: dict = {"store": store, "size": size, "workloads": {}}

        self.progress.begin(f"{label}: generate data")
        dataset = make_dataset(size, folder)
        result["generate_seconds"] = round(dataset.generate_seconds, 2)
        self.progress.done()

        instance = HavenInstance(store_url=self.store_url(store, folder), data_dir=folder / "data",
                                 log=folder / "haven.log")
        self.progress.begin(f"{label}: import")
        timing = instance.import_file(dataset)
        result["import"] = {"providers": timing.providers, "seconds": round(timing.seconds, 2),
                            "per_second": round(timing.per_second, 1), "method": timing.method}
        self.progress.done()

        self.progress.begin(f"{label}: tokens, haven up")
        context = self.context(instance, dataset)
        self.progress.done()

        self.progress.begin(f"{label}: chain baseline")
        result["workloads"]["chain"] = self.chain(HAVEN_UP).as_dict()
        self.progress.done()

        try:
            started = time.monotonic()
            instance.up(free_port())
            self.progress.begin(f"{label}: matcher read model")
            result["matcher_startup"] = read_model_loaded(f"http://127.0.0.1:{instance.port + 2}", started)
            self.progress.done()
            self.sampler.watch(instance.masters)
            result["services"] = instance.masters
            result["launcher"] = instance.launcher
            self.progress.begin(f"{label}: healthz")
            result["workloads"]["healthz"] = self.measure("healthz", instance.url, context).as_dict()
            self.progress.done()
            for workload in (w for w in SERVICE_WORKLOADS if w in self.options.workloads):
                self.progress.begin(f"{label}: {workload}")
                result["workloads"][workload] = self.measure(workload, instance.url, context, min_ops=8).as_dict()
                self.progress.done()
            if "match" in self.options.workloads:
                self.progress.begin(f"{label}: write-to-match visibility")
                result["visibility"] = write_to_match(instance.url, context, dataset.path)
                self.progress.done()
            if "mixed" in self.options.workloads:
                self.progress.begin(f"{label}: mixed load")
                self.sampler.reset()
                mixed = Measured()
                mixed.throughput = self.phase("mixed", instance.url, context, clients=self.options.mixed_clients,
                                              duration=self.options.mixed_seconds)
                mixed.memory = self.sampler.peaks()
                mixed.load_average = round(os.getloadavg()[0], 2)
                result["workloads"]["mixed"] = mixed.as_dict()
                self.progress.done()
        finally:
            instance.down()
        self.progress.write(summary_line(result))
        return result

    def store_url(self, store: str, folder: Path) -> str:
        if store == "sqlite":
            return f"sqlite:///{folder / 'data' / 'haven.db'}"
        self.engine.wipe()
        return f"opensearch+{self.engine.url}"

    def context(self, instance: HavenInstance, dataset: Dataset) -> dict:
        from services.shared.places import all_places

        places = sorted(all_places(), key=lambda place: -place.population)[:40]
        caseworker = instance.issue_token("caseworker", name="bench caseworker")
        provider = instance.issue_token("provider", [pid for pid, _ in dataset.capacity_providers],
                                        name="bench provider")
        return {"token": caseworker, "provider_token": provider,
                "capacity_providers": dataset.capacity_providers,
                "referral_providers": dataset.referral_providers,
                "contended_providers": dataset.contended_providers,
                "points": [(place.lat, place.lon) for place in places]}


def store_unavailable(store: str) -> str | None:
    if store == "sqlite":
        return None
    if store == "opensearch":
        if importlib.util.find_spec("services.directory.store.search_engine") is None:
            return "the search-engine store (services/directory/store/search_engine.py) is not in the tree yet"
        if shutil.which("java") is None:
            return "no java on this machine for the local OpenSearch node"
        return None
    return f"unknown store {store!r}"


def summary_line(result: dict) -> str:
    parts = [f"{result['store']} {result['size']:,}: import {result['import']['per_second']:.0f}/s"]
    for name in ("chain", "healthz") + SERVICE_WORKLOADS:
        data = result["workloads"].get(name)
        if data and data["latency"]:
            parts.append(f"{name} p50 {data['latency']['total']['median_ms']:.1f} ms, "
                         f"{data['throughput']['total']['throughput']:.0f}/s")
    return "; ".join(parts)


def machine() -> dict:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    changed = subprocess.run(["git", "status", "--porcelain", "--", "services", "deploy", "pyproject.toml"],
                             cwd=REPO, capture_output=True, text=True).stdout.splitlines()
    source = ("a clean checkout of the commit" if not changed else
              f"the working tree with {len(changed)} uncommitted changes under services/ or deploy/")
    return {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform(),
            "commit": commit.stdout.strip(), "source": source,
            "load_average_at_start": round(os.getloadavg()[0], 2)}
