"""A real HAProxy in front of the gateways and between the services, for the topology test."""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import requests

CONFIG = """global
    maxconn 512
    stats socket {folder}/haproxy.sock mode 600 level admin

defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
    # A connection refused by a dead replica is tried again on the other one; a request that reached a
    # replica is never sent twice (a write could apply twice).
    retries 2
    option redispatch
    retry-on conn-failure
    option httpchk GET /healthz
    default-server inter 500ms fall 2 rise 2
{sections}
"""
SECTION = """
listen {name}
    bind 127.0.0.1:{port}
    balance roundrobin
{servers}
"""


class HAProxy:
    """One haproxy process with a listener per service, each balancing that service's replicas."""

    def __init__(self, folder: Path, listeners: dict[str, tuple[int, list[str]]]):
        binary = shutil.which("haproxy") or "/usr/sbin/haproxy"
        folder.mkdir(parents=True, exist_ok=True)
        sections = "".join(
            SECTION.format(name=name, port=port, servers="\n".join(
                f"    server {name}-{i} {address} check" for i, address in enumerate(backends, 1)))
            for name, (port, backends) in listeners.items())
        self.config = folder / "haproxy.cfg"
        self.config.write_text(CONFIG.format(folder=folder, sections=sections))
        check = subprocess.run([binary, "-c", "-f", str(self.config)], capture_output=True, text=True)
        if check.returncode != 0:
            raise RuntimeError(f"haproxy refused its configuration: {check.stderr or check.stdout}")
        self.log = open(folder / "haproxy.log", "wb")
        self.process = subprocess.Popen([binary, "-db", "-f", str(self.config)], stdout=self.log,
                                        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        self.urls = {name: f"http://127.0.0.1:{port}" for name, (port, _) in listeners.items()}

    def wait_until_routing(self, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        for url in self.urls.values():
            while True:
                try:
                    if requests.get(url + "/healthz", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if time.monotonic() > deadline or self.process.poll() is not None:
                    raise RuntimeError(f"haproxy does not route {url}")
                time.sleep(0.1)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.log.close()
