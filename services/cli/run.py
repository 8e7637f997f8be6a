"""`haven up`: the three services under gunicorn in the foreground, kept running, stopped together."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import gunicorn

from ..shared.config import data_dir, default_store_url, internal_secret, make_private
from ..shared.config import env as setting
from ..shared.logs import configure_logging
from .supervise import CannotStart, Supervised, Supervisor

SERVICES = ("directory", "matcher", "gateway")
CREDENTIALS_FILE = "demo-credentials.json"


def register(subparsers) -> None:
    up = subparsers.add_parser("up", help="start gateway, directory and matcher on 127.0.0.1")
    up.add_argument("--demo", action="store_true", help="load demo data into an empty store; print sign-ins")
    up.add_argument("--port", type=int, default=8080, help="gateway port (directory +1, matcher +2)")
    up.add_argument("--store", help="store URL (default HAVEN_STORE_URL or sqlite in HAVEN_DATA_DIR)")
    up.add_argument("--workers", type=int, default=2,
                    help="gunicorn workers per service (the matcher with its read model: one worker with "
                         "workers x threads threads, see worker_settings)")
    up.add_argument("--threads", type=int, default=4, help="threads per worker")
    up.set_defaults(func=cmd_up)


def service_env(store_url: str, port: int) -> dict[str, str]:
    """The environment every service process gets: one data folder, one store, each other's URLs."""
    env = dict(os.environ)
    env.update(HAVEN_DATA_DIR=str(data_dir()), HAVEN_STORE_URL=store_url,
               HAVEN_DIRECTORY_URL=f"http://127.0.0.1:{port + 1}", HAVEN_MATCHER_URL=f"http://127.0.0.1:{port + 2}")
    return env


def metrics_dir(name: str, folder: Path) -> Path:
    """Each service's own prometheus-client folder (multiprocess mode), emptied by gunicorn at each start."""
    base = setting("PROMETHEUS_MULTIPROC_DIR")
    path = (Path(base) if base else folder / "metrics") / name
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def worker_settings(name: str, workers: int, threads: int, env: dict) -> tuple[int, int]:
    """Workers and threads per worker for one service.

    The matcher keeps its read model of the directory (100,000 providers: about 100 MB) in the process that
    answers: one worker keeps one copy on the machine, with as many threads as the workers would have had
    together. Its candidate queries hold the model's lock one at a time in any case; what the threads do
    besides (scoring, JSON) shares one interpreter. Without the read model (HAVEN_MATCH_READ_MODEL=off) every
    worker asks the directory and keeps nothing, so the matcher has `workers` like the others.
    """
    if name == "matcher" and _read_model_on(env):
        return 1, workers * threads
    return workers, threads


def _read_model_on(env: dict) -> bool:
    from ..matcher.settings import read_model_on

    try:
        return read_model_on(env)
    except ValueError:  # the matcher itself says what is wrong with the setting when it starts
        return False


def service_command(name: str, port: int, workers: int, threads: int) -> list[str]:
    command = [sys.executable, "-m", "gunicorn", "--config", "python:services.cli.gunicorn_hooks",
               "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--worker-class", "gthread", "--threads", str(threads), "--keep-alive", "30",
               "--graceful-timeout", "10", "--error-logfile", "-",
               # Long enough for every query string the API documents, percent-encoded in full.
               "--limit-request-line", "8190"]
    if gunicorn.version_info >= (27, 0):
        # Three arbiters would otherwise share one control socket in the home folder.
        command.append("--no-control-socket")
    command.append(f"services.{name}:create_app()")
    return command


def busy_port(ports: dict[str, int]) -> str | None:
    """The first service whose port something else already listens on, named with its port; None when all are free."""
    for name, port in ports.items():
        with socket.socket() as probe:
            # As gunicorn binds: a port left in TIME_WAIT by an earlier run is free.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind(("127.0.0.1", port))
            except OSError as err:
                return f"port {port} for the {name} is not free ({err.strerror})"
    return None


def _end_with_parent() -> None:
    """In the child before exec: SIGTERM when `haven up` dies, even by SIGKILL, so no service is orphaned."""
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def launcher(name: str, port: int, env: dict, workers: int, threads: int):
    """A function that starts the service once more, in a process group of its own (master and workers)."""
    command = service_command(name, port, *worker_settings(name, workers, threads, env))
    # Every worker's counts in one /metrics answer, whichever worker a scrape reaches.
    env = dict(env, HAVEN_SERVICE=name,
               PROMETHEUS_MULTIPROC_DIR=str(metrics_dir(name, Path(env["HAVEN_DATA_DIR"]))))

    def launch() -> subprocess.Popen:
        # Its own group: Ctrl-C reaches only `haven up`, which stops the services in order, and workers
        # left behind by a killed master can be ended together.
        return subprocess.Popen(command, env=env, process_group=0, preexec_fn=_end_with_parent)

    return launch


def load_demo_data(store_url: str) -> int:
    from ..directory.demo import load_demo
    from ..directory.domain.rules import utc_now
    from ..directory.store import store_from_url

    store = store_from_url(store_url)
    try:
        return load_demo(store, utc_now())
    finally:
        store.close()


def demo_credentials(folder: Path) -> dict:
    """Demo tokens and sign-ins, made once per data folder and kept in a file beside the data."""
    path = folder / CREDENTIALS_FILE
    if path.exists():
        return json.loads(path.read_text())
    from ..directory.demo import demo_providers
    from ..directory.domain.rules import utc_now
    from .tokens import issue_token

    shelter = next(p for p in demo_providers(utc_now()) if p["type"] == "shelter" and p["status"] == "active")
    credentials = {
        "provider_name": shelter["name"],
        "tokens": {
            "admin": issue_token(role="admin", name="demo admin"),
            "caseworker": issue_token(role="caseworker", name="demo caseworker"),
            "provider": issue_token(role="provider", provider_ids=[shelter["id"]], name="demo provider"),
        },
        "accounts": demo_accounts(shelter["id"]),
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(credentials, handle, indent=2)
    return credentials


def demo_accounts(provider_id: str) -> dict:
    """Web sign-ins for each role, where the accounts module is installed."""
    try:
        from .users import create_demo_accounts
    except ImportError:
        return {}
    return create_demo_accounts(provider_id)


def print_banner(port: int, folder: Path, credentials: dict | None) -> None:
    url = f"http://127.0.0.1:{port}"
    lines = ["", f"Haven is running: {url}", f"  API:       {url}/api/v1",
             f"  API docs:  {url}/api/v1/docs   (try every operation; OpenAPI: {url}/api/v1/openapi.json)",
             f"  Data:      {folder}"]
    if credentials:
        lines.append(f"  Demo sign-ins and tokens (also in {folder / CREDENTIALS_FILE}):")
        for role, account in credentials.get("accounts", {}).items():
            lines.append(f"    {role:<11} {account['email']}  password: {account['password']}")
        for role, token in credentials["tokens"].items():
            lines.append(f"    {role:<11} token: {token}")
        lines.append(f"  The provider sign-in manages \"{credentials['provider_name']}\".")
        lines.append("  Admins and caseworkers also need a code from an authenticator app (FreeOTP, Aegis, Google or")
        lines.append("  Microsoft Authenticator): the first sign-in shows a QR code to scan, then ten recovery codes.")
        lines.append(f"  Try: curl -H 'Authorization: Bearer {credentials['tokens']['caseworker']}' "
                     f"'{url}/api/v1/providers?near=Utrecht&radius_km=30&need=shelter'")
    lines.append("A service that stops is started again. Press Ctrl-C to stop all three services.")
    print("\n".join(lines), flush=True)


def cmd_up(args) -> int:
    folder = data_dir()
    # Files of a data folder made before Haven kept them private.
    make_private(folder)
    configure_logging("haven", setting("HAVEN_LOG_LEVEL", "INFO"))
    ports = {"gateway": args.port, "directory": args.port + 1, "matcher": args.port + 2}
    busy = busy_port(ports)
    if busy:
        print(f"haven up: {busy}; stop what uses it or choose other ports with --port "
              f"(make run PORT={args.port + 10}). Nothing was started.", file=sys.stderr, flush=True)
        return 1
    store_url = args.store or default_store_url()
    internal_secret()  # made once here, before three processes race to create it
    credentials = None
    if args.demo:
        loaded = load_demo_data(store_url)
        if loaded:
            print(f"Loaded {loaded} demo providers.", flush=True)
        credentials = demo_credentials(folder)
    env = service_env(store_url, args.port)
    if args.demo:
        # The demo shows the second factor as it should be used: caseworkers too, unless told otherwise.
        env.setdefault("HAVEN_TOTP_CASEWORKERS", "1")
    supervisor = Supervisor([Supervised(name, f"http://127.0.0.1:{ports[name]}",
                                        launcher(name, ports[name], env, args.workers, args.threads))
                             for name in SERVICES])

    def _stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        supervisor.start()
        supervisor.wait_until_started()
        print_banner(args.port, folder, credentials)
        supervisor.run()
    except KeyboardInterrupt:
        return 0
    except CannotStart as err:
        print(f"haven up: {err}; stopping.", file=sys.stderr, flush=True)
        return 1
    finally:
        supervisor.stop()
