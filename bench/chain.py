"""The empty three-hop chain: the floor for any request that crosses the gateway, the matcher and the directory.

Three tiny Flask apps with trivial work, served by gunicorn exactly like the services and calling each
other with the services' own client (`ServiceClient`, signed requests) and signature check
(`init_internal_auth`):

    client -> gateway-like GET /chain (bearer check) -> matcher-like GET /hop -> directory-like GET /leaf

gunicorn loads one of them with `bench.chain:create_app('gateway')` (or 'matcher', 'directory'); the
next hop's URL comes from BENCH_CHAIN_NEXT, the shared secret from HAVEN_INTERNAL_SECRET and the folder
for the hops' shared nonce files from BENCH_CHAIN_DATA.
"""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, abort, g, jsonify, request

from services.shared.http import ServiceClient
from services.shared.internal_auth import init_internal_auth, replay_guard
from services.shared.signing import Claims

CHAIN_TOKEN = "hvn_bench-chain-token"
ROLES = ("gateway", "matcher", "directory")


def create_app(role: str) -> Flask:
    """One hop of the chain; configuration from the environment, read here and not at import."""
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}")
    secret = os.environ["HAVEN_INTERNAL_SECRET"].encode()
    app = Flask(f"chain-{role}")
    # Like the services: every worker of a hop shares one nonce file (BENCH_CHAIN_DATA/nonces-<role>.db).
    folder = os.environ.get("BENCH_CHAIN_DATA")
    guard = replay_guard(Path(folder) / f"nonces-{role}.db" if folder else None)

    @app.get("/healthz")
    def healthz():
        return {"status": "ok", "service": f"chain-{role}"}

    if role == "directory":
        init_internal_auth(app, secret, guard)

        @app.get("/leaf")
        def leaf():
            return {"providers": [], "caller": request.headers.get("X-Request-ID")}

        return app

    client = ServiceClient("next", os.environ["BENCH_CHAIN_NEXT"], secret)
    if role == "matcher":
        init_internal_auth(app, secret, guard)

        @app.get("/hop")
        def hop():
            answer = client.request("GET", "/leaf", g.claims)
            return jsonify(answer.json()), answer.status_code

        return app

    @app.get("/chain")
    def chain():
        if request.headers.get("Authorization") != f"Bearer {CHAIN_TOKEN}":
            abort(401)
        answer = client.request("GET", "/hop", Claims(role="caseworker", subject="token:bench"))
        return jsonify(answer.json()), answer.status_code

    return app
