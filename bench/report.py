"""results.json, results.md (tables, ratios to both baselines, targets) and match_latency.png from one run."""
from __future__ import annotations

import json
import math
from pathlib import Path

from .runner import SERVICE_WORKLOADS, WORKLOAD_TITLES

SERVICES = ("gateway", "matcher", "directory")
FINDINGS_FILE = "findings.md"   # written by hand after profiling; appended to results.md when present
# The committed run a match must not be slower than (results.json of that run, kept as it was).
PREVIOUS_FILE = "previous-run.json"
COMMITTED = Path(__file__).resolve().parent / "results"


def write_all(results: dict, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    results["targets"] = targets(results, earlier_run(out_dir))
    json_path = out_dir / "results.json"
    json_path.write_text(json.dumps(results, indent=1, default=_plain) + "\n")
    md_path = out_dir / "results.md"
    md_path.write_text(markdown(results, out_dir))
    png_path = out_dir / "match_latency.png"
    plot_match_latency(results, png_path)
    return [md_path, json_path, png_path]


def earlier_run(out_dir: Path) -> dict | None:
    """The run kept as `previous-run.json` in the results folder, else in the committed one; None without one."""
    for folder in (out_dir, COMMITTED):
        if (folder / PREVIOUS_FILE).exists():
            return json.loads((folder / PREVIOUS_FILE).read_text())
    return None


def _plain(value):
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return str(value)


# -- reading the results ------------------------------------------------------------------------

def config(results: dict, store: str, size: int) -> dict | None:
    return next((c for c in results["configs"] if c["store"] == store and c["size"] == size), None)


def p50(data: dict | None) -> float:
    return data["latency"]["total"]["median_ms"] if data and data.get("latency") else math.nan


def rate(data: dict | None) -> float:
    return data["throughput"]["total"]["throughput"] if data and data.get("throughput") else math.nan


def ratio(a: float, b: float) -> float:
    return a / b if b and math.isfinite(a) and math.isfinite(b) else math.nan


def fmt(value: float, digits: int = 1) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.{digits}f}"


def fmt_ratio(value: float) -> str:
    if not math.isfinite(value):
        return "n/a"
    return f"{value:.2f}x" if value < 100 else f"{value:,.0f}x"


# -- targets -------------------------------------------------------------------------------------

def targets(results: dict, before: dict | None = None) -> list[dict]:
    """Each target of the brief with the figures it was judged on (ratios from the same run); `before`: an
    earlier run whose match latency must not be exceeded."""
    found = []

    def add(name: str, measured: str, met: bool | None, figures: dict):
        found.append({"target": name, "measured": measured,
                      "met": None if met is None else bool(met), "figures": figures})

    # Chain vs /healthz: every config measures both, next to each other; judged on all of them.
    chain_ratios = [(c["store"], c["size"], ratio(rate(c["workloads"].get("chain")), rate(c["workloads"].get("healthz"))))
                    for c in results["configs"]]
    chain_ratios = [r for r in chain_ratios if math.isfinite(r[2])]
    if chain_ratios:
        worst = min(chain_ratios, key=lambda r: r[2])
        add("chain throughput >= 0.2 x gateway /healthz throughput",
            f"{worst[2]:.2f}x at worst ({worst[0]} {worst[1]:,}); "
            f"range {min(r[2] for r in chain_ratios):.2f}-{max(r[2] for r in chain_ratios):.2f}x",
            worst[2] >= 0.2, {"ratios": chain_ratios})

    c10 = config(results, "sqlite", 10_000)
    if c10:
        match, chain = c10["workloads"].get("match"), c10["workloads"].get("chain")
        median_ratio, rate_ratio = ratio(p50(match), p50(chain)), ratio(rate(match), rate(chain))
        add("four-need match at 10k on SQLite: median <= 1 x chain median",
            f"{fmt(p50(match))} ms vs chain {fmt(p50(chain))} ms = {fmt_ratio(median_ratio)}",
            median_ratio <= 1, {"match_ms": p50(match), "chain_ms": p50(chain)})
        add("four-need match at 10k on SQLite: throughput >= 1 x chain",
            f"{fmt(rate(match))}/s vs chain {fmt(rate(chain))}/s = {fmt_ratio(rate_ratio)}",
            rate_ratio >= 1, {"match_per_s": rate(match), "chain_per_s": rate(chain)})
        group = c10["workloads"].get("group")
        if group:
            group_ratio = ratio(p50(group), p50(chain))
            add("group of 50 at 10k on SQLite: median <= 1.5 x chain median",
                f"{fmt(p50(group))} ms vs chain {fmt(p50(chain))} ms = {fmt_ratio(group_ratio)}",
                group_ratio <= 1.5, {"group_ms": p50(group), "chain_ms": p50(chain)})

    engine10 = config(results, "opensearch", 10_000)
    if engine10:
        chain = engine10["workloads"].get("chain")
        for workload, label, limit in (("match", "four-need match", 1.5), ("referral", "referral create + cancel", 3)):
            data = engine10["workloads"].get(workload)
            if data:
                measured = ratio(p50(data), p50(chain))
                add(f"{label} at 10k on OpenSearch: median <= {limit:g} x chain median",
                    f"{fmt(p50(data))} ms vs chain {fmt(p50(chain))} ms = {fmt_ratio(measured)}",
                    measured <= limit, {f"{workload}_ms": p50(data), "chain_ms": p50(chain)})

    for store in results["options"]["stores"]:
        small, large = config(results, store, 10_000), config(results, store, 100_000)
        if small and large:
            growth = ratio(p50(large["workloads"].get("match")), p50(small["workloads"].get("match")))
            add(f"{store}: 10k -> 100k costs <= 1.2x median match latency",
                f"{fmt(p50(small['workloads'].get('match')))} -> {fmt(p50(large['workloads'].get('match')))} ms "
                f"= {fmt_ratio(growth)}", growth <= 1.2, {"growth": growth})
        if large:
            group = p50(large["workloads"].get("group"))
            add(f"{store}: group of 50 over 100k, median < 0.5 s", f"{fmt(group)} ms", group < 500,
                {"group_ms": group})

    seen = [(c["store"], c["size"], c["visibility"]) for c in results["configs"] if (c.get("visibility") or {}).get("p99_ms")]
    if seen:
        worst = max(seen, key=lambda item: item[2]["p99_ms"])
        missed = sum(found.get("not_seen") or 0 for *_, found in seen)
        add("write-to-match visibility p99 <= 1 s",
            f"{fmt(worst[2]['p99_ms'])} ms at worst ({worst[0]} {worst[1]:,}); {missed} writes not seen",
            worst[2]["p99_ms"] <= 1000 and not missed,
            {"p99_ms": [(store, size, found["p99_ms"]) for store, size, found in seen]})

    if before:
        slower = []
        for earlier in before["configs"]:
            now = config(results, earlier["store"], earlier["size"])
            was, is_ = p50(earlier["workloads"].get("match")), p50(now["workloads"].get("match")) if now else math.nan
            if math.isfinite(was) and math.isfinite(is_):
                slower.append((earlier["store"], earlier["size"], was, is_))
        if slower:
            add(f"no match slower than in the run of {before['started'][:10]}",
                "; ".join(f"{store} {size:,}: {fmt(was)} -> {fmt(is_)} ms" for store, size, was, is_ in slower),
                all(is_ <= was for *_, was, is_ in slower),
                {"p50_ms": [(store, size, was, is_) for store, size, was, is_ in slower]})

    for store, floor in (("sqlite", 2000), ("opensearch", 1000)):
        runs = [c for c in results["configs"] if c["store"] == store]
        if runs:
            largest = max(runs, key=lambda c: c["size"])
            speed = largest["import"]["per_second"]
            each = ", ".join("{:,}: {:.0f}/s".format(c["size"], c["import"]["per_second"]) for c in runs)
            add(f"{store}: import >= {floor:,} providers/s", f"{fmt(speed, 0)}/s at {largest['size']:,} ({each})",
                speed >= floor, {"per_second": {c["size"]: c["import"]["per_second"] for c in runs}})

    for store in results["options"]["stores"]:
        big = config(results, store, 100_000)
        peaks = service_peaks(big) if big else {}
        if peaks:
            worst = max(peaks.values(), key=lambda values: values["rss_mb"])
            add(f"each service < 300 MB RSS at 100k on {store}",
                "; ".join(f"{name} {fmt(values['rss_mb'], 0)} MB (PSS {fmt(values['pss_mb'], 0)})"
                          for name, values in peaks.items()),
                worst["rss_mb"] < 300, {"peaks": peaks})

    mixed = [(c["store"], c["size"], c["workloads"].get("mixed")) for c in results["configs"]]
    mixed = [(s, n, m["throughput"]["total"]) for s, n, m in mixed if m and m.get("throughput")]
    if mixed:
        errors = sum(t["errors"] for _, _, t in mixed)
        conflicts = sum(t["conflicts"] for _, _, t in mixed)
        add("mixed load: zero errors other than expected 409s",
            f"{errors} errors, {conflicts} expected 409s in {sum(t['count'] for _, _, t in mixed):,} operations",
            errors == 0, {"per_config": [(s, n, t["errors"], t["conflicts"]) for s, n, t in mixed]})
    return found


def service_peaks(result: dict) -> dict:
    """Peak memory of each Haven service over every workload of one config."""
    peaks: dict = {}
    for name, data in result["workloads"].items():
        if name == "chain" or not data:
            continue
        for service, values in (data.get("memory_mb") or {}).items():
            peak = peaks.setdefault(service, {"rss_mb": 0.0, "pss_mb": 0.0})
            peak["rss_mb"] = max(peak["rss_mb"], values["rss_mb"])
            peak["pss_mb"] = max(peak["pss_mb"], values["pss_mb"])
    return {name: peaks[name] for name in SERVICES if name in peaks}


# -- markdown ------------------------------------------------------------------------------------

def markdown(results: dict, out_dir: Path) -> str:
    options, machine = results["options"], results["machine"]
    lines = [
        "# Haven benchmark results",
        "",
        f"Run {results['started']} to {results.get('finished', '?')} at commit `{machine['commit']}` "
        f"({machine.get('source', '?')}), "
        f"{machine['cpus']} CPUs, Python {machine['python']}; load average {machine['load_average_at_start']} at the "
        f"start. Generated by `python -m bench"
        f"{' --quick' if options['quick'] else ''} --sizes {','.join(str(s) for s in options['sizes'])} "
        f"--stores {','.join(options['stores'])}`.",
        "",
        f"Latency columns: one client, no queueing ({options['latency_seconds']} s per workload). Throughput: "
        f"{options['clients']} closed-loop clients in {options['load_processes']} load-generator processes "
        f"({options['throughput_seconds']} s), on the same 2 cores as the services. Services run as `haven up` runs "
        f"them (gunicorn gthread, 2 workers x 4 threads, keep-alive 30 s; the matcher with its read model one "
        f"worker x 8 threads, one copy of the model) with `HAVEN_RATE_LIMIT=0`. Each row's "
        f"ratios are to the two baselines measured in the same configuration, minutes apart: gateway `/healthz` "
        f"and the empty three-hop chain. Latency ratios are workload p50 / baseline p50 (lower is better), "
        f"throughput ratios workload / baseline (higher is better).",
        "",
    ]
    notes = [f"- Not measured: {skipped['store']}: {skipped['reason']}." for skipped in results.get("skipped", [])]
    notes += [f"- Failed: {failed['store']} {failed['size']:,}: {failed['error']}" for failed in results.get("failed", [])]
    launchers = sorted({c.get("launcher", "") for c in results["configs"]} - {"", "haven up"})
    notes += [f"- Services: {launcher}." for launcher in launchers]
    if notes:
        lines += notes + [""]

    lines += ["## Targets", "", "| target | measured | met |", "| --- | --- | --- |"]
    for target in results["targets"]:
        met = {True: "yes", False: "**no**", None: "n/a"}[target["met"]]
        lines.append(f"| {target['target']} | {target['measured']} | {met} |")
    lines.append("")

    lines += ["## Workloads", "",
              "| workload | store | providers | p50 ms | p95 ms | p99 ms | req/s | p50 ms loaded | p99 ms loaded "
              "| errors | peak RSS MB gw / match / dir | p50 / healthz | p50 / chain | req/s / healthz | req/s / chain |",
              "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: |"]
    for c in results["configs"]:
        base_h, base_c = c["workloads"].get("healthz"), c["workloads"].get("chain")
        for name in ("healthz", "chain") + SERVICE_WORKLOADS:
            data = c["workloads"].get(name)
            if not data or not data.get("latency"):
                continue
            lat, tp = data["latency"]["total"], data["throughput"]["total"]
            errors = lat["errors"] + tp["errors"]
            conflicts = lat["conflicts"] + tp["conflicts"]
            memory = data.get("memory_mb") or {}
            rss = " / ".join(fmt(memory[s]["rss_mb"], 0) if s in memory else "-" for s in SERVICES)
            lines.append(
                f"| {WORKLOAD_TITLES[name]} | {c['store']} | {c['size']:,} | {fmt(lat['median_ms'], 2)} | "
                f"{fmt(lat['p95_ms'], 2)} | {fmt(lat['p99_ms'], 2)} | {fmt(tp['throughput'])} | "
                f"{fmt(tp['median_ms'], 2)} | {fmt(tp['p99_ms'], 2)} | {errors}"
                f"{f' (+{conflicts} 409)' if conflicts else ''} | {rss} | "
                f"{fmt_ratio(ratio(lat['median_ms'], p50(base_h)))} | {fmt_ratio(ratio(lat['median_ms'], p50(base_c)))} | "
                f"{fmt_ratio(ratio(tp['throughput'], rate(base_h)))} | {fmt_ratio(ratio(tp['throughput'], rate(base_c)))} |")
    lines.append("")

    lines += cpu_table(results)

    lines += ["## Matcher read model", "",
              "Start-up: from `haven up` until every matcher worker has loaded its read model (its longest load in "
              "brackets). Visibility: from a capacity report's answer to the first match through the gateway that "
              "shows it (a provider reporting no free unit, then free units again).", "",
              "| store | providers | start-up s (worker load s) | writes seen | p50 ms | p99 ms | max ms | not seen |",
              "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    for c in results["configs"]:
        startup, seen = c.get("matcher_startup") or {}, c.get("visibility") or {}
        if not startup and not seen:
            continue
        start = ("off" if startup.get("read_model") is False else
                 f"{fmt(startup.get('seconds_from_up'), 2)} ({fmt(startup.get('worker_load_s_max'), 2)})")
        lines.append(f"| {c['store']} | {c['size']:,} | {start} | {seen.get('writes', '-')} | "
                     f"{fmt(seen.get('p50_ms'), 1)} | {fmt(seen.get('p99_ms'), 1)} | {fmt(seen.get('max_ms'), 1)} | "
                     f"{seen.get('not_seen', '-')} |")
    lines.append("")

    lines += ["## 6. Bulk import", "",
              "| store | providers | seconds | providers/s | how | generate s |",
              "| --- | ---: | ---: | ---: | --- | ---: |"]
    for c in results["configs"]:
        imp = c["import"]
        lines.append(f"| {c['store']} | {c['size']:,} | {imp['seconds']} | {fmt(imp['per_second'], 0)} | "
                     f"{imp['method']} | {c['generate_seconds']} |")
    lines.append("")

    lines += ["## Mixed load", "",
              f"80% search or match (half each), 15% capacity updates, 5% referral create + cancel; "
              f"{options['mixed_clients']} closed-loop clients for {options['mixed_seconds']} s. Referrals go to the "
              f"providers whose capacity is being updated, down to no free unit: a 409 (no free unit left) is "
              f"expected and counted apart from errors.", "",
              "| store | providers | operation | count | p50 ms | p95 ms | p99 ms | ops/s | errors | 409 | statuses |",
              "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |"]
    for c in results["configs"]:
        mixed = c["workloads"].get("mixed")
        if not mixed or not mixed.get("throughput"):
            continue
        rows = list(mixed["throughput"]["labels"].items()) + [("all", mixed["throughput"]["total"])]
        for label, s in rows:
            statuses = ", ".join(f"{k}: {v}" for k, v in sorted(s["statuses"].items()))
            lines.append(f"| {c['store']} | {c['size']:,} | {label} | {s['count']:,} | {fmt(s['median_ms'], 2)} | "
                         f"{fmt(s['p95_ms'], 2)} | {fmt(s['p99_ms'], 2)} | {fmt(s['throughput'])} | {s['errors']} | "
                         f"{s['conflicts']} | {statuses} |")
    lines.append("")

    if results["chain_variants"]:
        lines += chain_table(results)
    lines += ["![median and p99 match latency against the number of providers](match_latency.png)", ""]

    findings = out_dir / FINDINGS_FILE
    if findings.exists():
        lines += [findings.read_text().rstrip(), ""]
    return "\n".join(lines)


def cpu_table(results: dict) -> list[str]:
    """CPU per operation and service in the latency phase (one client): where a workload's time goes, and how
    much more work it is than the chain's three hops, whatever the machine's load."""
    lines = ["## CPU per operation", "",
             "CPU ms (user + system) each service's processes used per operation in the latency phase, one client, "
             "warm-up included; the directory's background work (feed reads, tasks) counts too.", "",
             "| workload | store | providers | gateway | matcher | directory | total | total / chain |",
             "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
    rows = 0
    for c in results["configs"]:
        chain = (c["workloads"].get("chain") or {}).get("cpu_ms_per_operation") or {}
        chain_total = sum(chain.values())
        for name in ("chain",) + SERVICE_WORKLOADS:
            cpu = (c["workloads"].get(name) or {}).get("cpu_ms_per_operation")
            if not cpu:
                continue
            total = sum(cpu.values())
            lines.append(f"| {WORKLOAD_TITLES[name]} | {c['store']} | {c['size']:,} | "
                         + " | ".join(fmt(cpu[service], 2) if service in cpu else "-" for service in SERVICES)
                         + f" | {fmt(total, 2)} | {fmt_ratio(ratio(total, chain_total))} |")
            rows += 1
    return lines + [""] if rows else []


def chain_table(results: dict) -> list[str]:
    lines = ["## Three-hop chain: gunicorn worker settings", "",
              "The same three tiny apps (bearer check, then two signed hops with `ServiceClient`, signature and "
              "replay check on each internal hop) under each worker setting. `haven up` uses gthread, "
              "2 workers x 4 threads.", "",
              "| worker settings | p50 ms | p99 ms | req/s | p50 ms loaded | p99 ms loaded | errors | load avg |",
              "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for variant in results["chain_variants"]:
        lat, tp = variant["latency"]["total"], variant["throughput"]["total"]
        lines.append(f"| {variant['settings']} | {fmt(lat['median_ms'], 2)} | {fmt(lat['p99_ms'], 2)} | "
                     f"{fmt(tp['throughput'])} | {fmt(tp['median_ms'], 2)} | {fmt(tp['p99_ms'], 2)} | "
                     f"{lat['errors'] + tp['errors']} | {variant['load_average']} |")
    return lines + [""]


# -- plot ----------------------------------------------------------------------------------------

def plot_match_latency(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    figure, axes = plt.subplots(figsize=(7.5, 4.5), dpi=120)
    colours = {"sqlite": "tab:blue", "opensearch": "tab:orange"}
    for store in results["options"]["stores"]:
        points = sorted((c["size"], c["workloads"].get("match")) for c in results["configs"] if c["store"] == store)
        points = [(size, data["latency"]["total"]) for size, data in points if data and data.get("latency")]
        if not points:
            continue
        sizes = [size for size, _ in points]
        colour = colours.get(store)
        axes.plot(sizes, [t["median_ms"] for _, t in points], marker="o", color=colour, label=f"{store} median")
        axes.plot(sizes, [t["p99_ms"] for _, t in points], marker="s", linestyle="--", color=colour,
                  label=f"{store} p99")
    chains = [c["workloads"]["chain"]["latency"]["total"]["median_ms"] for c in results["configs"]
              if c["workloads"].get("chain")]
    if chains:
        axes.axhline(sum(chains) / len(chains), color="grey", linestyle=":", label="empty chain median")
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("providers in the store")
    axes.set_ylabel("match latency, ms (one client)")
    axes.set_title("POST /api/v1/matches: 4 needs, 2 languages, 1 area to avoid")
    axes.grid(True, which="both", alpha=0.3)
    axes.legend(fontsize="small")
    figure.tight_layout()
    figure.savefig(path)
    plt.close(figure)
