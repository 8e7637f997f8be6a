"""`haven up`: the three services under gunicorn in the foreground, stopped together."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import gunicorn
import requests

from ..shared.config import data_dir, default_store_url, internal_secret

SERVICES = ("directory", "matcher", "gateway")
CREDENTIALS_FILE = "demo-credentials.json"


@dataclass
class ServiceProcess:
    name: str
    port: int
    process: subprocess.Popen

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def register(subparsers) -> None:
    up = subparsers.add_parser("up", help="start gateway, directory and matcher on 127.0.0.1")
    up.add_argument("--demo", action="store_true", help="load demo data into an empty store; print sign-ins")
    up.add_argument("--port", type=int, default=8080, help="gateway port (directory +1, matcher +2)")
    up.add_argument("--store", help="store URL (default HAVEN_STORE_URL or sqlite in HAVEN_DATA_DIR)")
    up.add_argument("--workers", type=int, default=2, help="gunicorn workers per service")
    up.add_argument("--threads", type=int, default=4, help="threads per worker")
    up.set_defaults(func=cmd_up)


def service_env(store_url: str, port: int) -> dict[str, str]:
    """The environment every service process gets: one data folder, one store, each other's URLs."""
    env = dict(os.environ)
    env.update(HAVEN_DATA_DIR=str(data_dir()), HAVEN_STORE_URL=store_url,
               HAVEN_DIRECTORY_URL=f"http://127.0.0.1:{port + 1}", HAVEN_MATCHER_URL=f"http://127.0.0.1:{port + 2}")
    return env


def start_service(name: str, port: int, env: dict, workers: int, threads: int) -> ServiceProcess:
    command = [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--worker-class", "gthread", "--threads", str(threads), "--keep-alive", "30",
               "--graceful-timeout", "10", "--error-logfile", "-",
               # Long enough for every query string the API documents, percent-encoded in full.
               "--limit-request-line", "8190"]
    if gunicorn.version_info >= (27, 0):
        # Three arbiters would otherwise share one control socket in the home folder.
        command.append("--no-control-socket")
    command.append(f"services.{name}:create_app()")
    return ServiceProcess(name, port, subprocess.Popen(command, env=env))


def wait_healthy(processes: list[ServiceProcess], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    for service in processes:
        while True:
            if service.process.poll() is not None:
                raise RuntimeError(f"the {service.name} service exited with code {service.process.returncode}")
            try:
                if requests.get(service.url + "/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"the {service.name} service did not start within {timeout:.0f} s")
            time.sleep(0.2)


def stop_all(processes: list[ServiceProcess]) -> None:
    for service in processes:
        if service.process.poll() is None:
            service.process.terminate()
    for service in processes:
        try:
            service.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            service.process.kill()


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
    lines = ["", f"Haven is running: {url}", f"  API:       {url}/api/v1   (OpenAPI: {url}/api/v1/openapi.json)",
             f"  Data:      {folder}"]
    if credentials:
        lines.append(f"  Demo sign-ins and tokens (also in {folder / CREDENTIALS_FILE}):")
        for role, account in credentials.get("accounts", {}).items():
            lines.append(f"    {role:<11} {account['email']}  password: {account['password']}")
        for role, token in credentials["tokens"].items():
            lines.append(f"    {role:<11} token: {token}")
        lines.append(f"  The provider sign-in manages \"{credentials['provider_name']}\".")
        lines.append(f"  Try: curl -H 'Authorization: Bearer {credentials['tokens']['caseworker']}' "
                     f"'{url}/api/v1/providers?near=Utrecht&radius_km=30&need=shelter'")
    lines.append("Press Ctrl-C to stop all three services.")
    print("\n".join(lines), flush=True)


def cmd_up(args) -> int:
    folder = data_dir()
    store_url = args.store or default_store_url()
    internal_secret()  # made once here, before three processes race to create it
    credentials = None
    if args.demo:
        loaded = load_demo_data(store_url)
        if loaded:
            print(f"Loaded {loaded} demo providers.", flush=True)
        credentials = demo_credentials(folder)
    env = service_env(store_url, args.port)
    ports = {"gateway": args.port, "directory": args.port + 1, "matcher": args.port + 2}
    processes = [start_service(name, ports[name], env, args.workers, args.threads) for name in SERVICES]

    def _stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _stop)
    try:
        wait_healthy(processes)
        print_banner(args.port, folder, credentials)
        while all(service.process.poll() is None for service in processes):
            time.sleep(0.5)
        failed = next(service for service in processes if service.process.poll() is not None)
        print(f"The {failed.name} service stopped (exit code {failed.process.returncode}); stopping the others.",
              file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    except RuntimeError as err:
        print(f"haven up: {err}", file=sys.stderr)
        return 1
    finally:
        stop_all(processes)
