"""python -m bench [--sizes 1000,10000,100000] [--stores sqlite,opensearch] [--quick]"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from .procs import REPO
from .runner import SERVICE_WORKLOADS, Bench, Options


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(sorted({int(part.replace("_", "")) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"sizes must be whole numbers separated by commas: {text!r}") from None
    if not sizes or min(sizes) < 100:
        raise argparse.ArgumentTypeError("give at least one size of 100 providers or more")
    return sizes


def _stores(text: str) -> tuple[str, ...]:
    stores = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [store for store in stores if store not in ("sqlite", "opensearch")]
    if unknown or not stores:
        raise argparse.ArgumentTypeError(f"stores are sqlite and opensearch, not {', '.join(unknown) or 'none'}")
    return stores


def _workloads(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(part.strip() for part in text.split(",") if part.strip()))
    unknown = [name for name in chosen if name not in SERVICE_WORKLOADS + ("mixed",)]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"workloads are {', '.join(SERVICE_WORKLOADS)} and mixed")
    return chosen


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=(
        "Start Haven as `haven up` does, drive it over HTTP and write bench/results/ "
        "(results.md, results.json, match_latency.png)."))
    parser.add_argument("--sizes", type=_sizes, help="providers per run (default 1000,10000,100000)")
    parser.add_argument("--stores", type=_stores, help="sqlite, opensearch or both (default both)")
    parser.add_argument("--quick", action="store_true",
                        help="1,000 and 10,000 providers on SQLite with short phases (about 3 minutes)")
    parser.add_argument("--workloads", type=_workloads,
                        help=f"a subset of {','.join(SERVICE_WORKLOADS)},mixed (default all; import always runs)")
    parser.add_argument("--no-worker-study", action="store_true",
                        help="skip the chain under other gunicorn worker settings (the per-configuration chain "
                             "baseline still runs)")
    parser.add_argument("--clients", type=int, help="closed-loop clients in throughput phases (default 8)")
    parser.add_argument("--out", help="results folder (default bench/results)")
    parser.add_argument("--report", action="store_true",
                        help="only write results.md and the plot again from results.json in the results folder "
                             "(after editing findings.md); runs nothing")
    parser.add_argument("--head", action="store_true",
                        help="run the services from a clean clone of HEAD (bench/.work/head) with this bench "
                             "folder copied in, not from the working tree with its uncommitted changes")
    return parser


def run_from_head(argv: list[str], out: Path) -> int:
    """Clone (or reset) bench/.work/head to HEAD, copy this bench code in, and run the bench there."""
    clone = REPO / "bench" / ".work" / "head"
    if not (clone / ".git").exists():
        subprocess.run(["git", "clone", "--quiet", str(REPO), str(clone)], check=True)
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=REPO, capture_output=True, text=True,
                          check=True).stdout.strip()
    subprocess.run(["git", "fetch", "--quiet", str(REPO), head], cwd=clone, check=True)
    subprocess.run(["git", "reset", "--quiet", "--hard", head], cwd=clone, check=True)
    subprocess.run(["git", "clean", "--quiet", "-fdx", "-e", "bench/.work"], cwd=clone, check=True)
    (clone / "bench").mkdir(exist_ok=True)
    for source in (REPO / "bench").glob("*.py"):
        shutil.copy2(source, clone / "bench" / source.name)
    (clone / "bench" / "results").mkdir(exist_ok=True)
    env = dict(os.environ, PYTHONPATH=str(clone))
    rest = [arg for arg in argv if arg != "--head"]
    if "--out" not in rest:
        rest += ["--out", str(out)]
    # Replaced rather than wrapped, so signals reach the run that cleans up after itself.
    os.chdir(clone)
    os.execve(sys.executable, [sys.executable, "-m", "bench", *rest], env)


def rewrite_report(out: Path) -> int:
    from .report import write_all

    source = out / "results.json"
    if not source.exists():
        print(f"No {source}: run the bench first.", file=sys.stderr)
        return 2
    for path in write_all(json.loads(source.read_text()), out):
        print(f"Wrote {path}")
    return 0


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Ctrl-C and SIGTERM both unwind through the `finally` blocks that stop every process started,
    # also when started in the background, where SIGINT arrives ignored.
    signal.signal(signal.SIGINT, _interrupt)
    signal.signal(signal.SIGTERM, _interrupt)
    args = build_parser().parse_args(argv)
    if args.report:
        return rewrite_report(Path(args.out).resolve() if args.out else REPO / "bench" / "results")
    if args.head:
        return run_from_head(argv, Path(args.out).resolve() if args.out else REPO / "bench" / "results")
    overrides = {key: value for key, value in (("sizes", args.sizes), ("stores", args.stores),
                                               ("clients", args.clients), ("workloads", args.workloads)) if value}
    if args.out:
        overrides["out_dir"] = Path(args.out).resolve()
    if args.no_worker_study:
        overrides["chain_variants"] = ()
    options = Options.quick_options(**overrides) if args.quick else Options(**overrides)
    started = time.monotonic()
    results = Bench(options).run()
    from .report import write_all

    paths = write_all(results, options.out_dir)
    print(f"Done in {time.monotonic() - started:.0f} s.")
    for target in results["targets"]:
        met = {True: "met", False: "MISSED", None: "n/a"}[target["met"]]
        print(f"  [{met}] {target['target']}: {target['measured']}")
    for path in paths:
        print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
