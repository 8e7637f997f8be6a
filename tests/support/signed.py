"""Calling an internal service as the gateway would: requests signed for a role."""
from __future__ import annotations

import json
from urllib.parse import urlencode

import requests

from services.shared.signing import Claims, sign


class SignedFlaskClient:
    """A Flask test client whose every request carries valid gateway claims."""

    def __init__(self, app, secret: bytes, role: str, subject: str | None = None, provider_ids=()):
        self.client = app.test_client()
        self.secret = secret
        self.claims = Claims(role=role, subject=subject or f"test:{role}", provider_ids=tuple(provider_ids))

    def as_role(self, role: str, subject: str | None = None, provider_ids=()) -> "SignedFlaskClient":
        other = SignedFlaskClient.__new__(SignedFlaskClient)
        other.client, other.secret = self.client, self.secret
        other.claims = Claims(role=role, subject=subject or f"test:{role}", provider_ids=tuple(provider_ids))
        return other

    def open(self, method: str, path: str, *, params: dict | None = None, json_body=None,
             headers: dict | None = None):
        query = urlencode([(k, v) for k, v in (params or {}).items() if v is not None], doseq=True)
        target = f"{path}?{query}" if query else path
        body = b"" if json_body is None else json.dumps(json_body).encode()
        headers = {**(headers or {}), **sign(self.secret, method, target, body, self.claims.fresh())}
        return self.client.open(target, method=method, data=body or None, headers=headers,
                                content_type="application/json" if body else None)

    def send(self, method: str, path: str, body: bytes):
        """A request with these exact body bytes as JSON (for bodies no encoder would write)."""
        headers = sign(self.secret, method, path, body, self.claims.fresh())
        return self.client.open(path, method=method, data=body, headers=headers, content_type="application/json")

    def get(self, path, **params):
        return self.open("GET", path, params=params)

    def post(self, path, body=None):
        return self.open("POST", path, json_body=body if body is not None else {})

    def put(self, path, body, headers=None):
        return self.open("PUT", path, json_body=body, headers=headers)

    def patch(self, path, body, headers=None):
        return self.open("PATCH", path, json_body=body, headers=headers)

    def delete(self, path):
        return self.open("DELETE", path)


def signed_request(base_url: str, secret: bytes, claims: Claims, method: str, path: str, *, params=None,
                   json_body=None, session: requests.Session | None = None) -> requests.Response:
    """One signed request over real HTTP."""
    query = urlencode([(k, v) for k, v in (params or {}).items() if v is not None], doseq=True)
    target = f"{path}?{query}" if query else path
    body = b"" if json_body is None else json.dumps(json_body).encode()
    headers = sign(secret, method, target, body, claims.fresh())
    if body:
        headers["Content-Type"] = "application/json"
    return (session or requests).request(method, base_url + target, data=body or None, headers=headers, timeout=30)
