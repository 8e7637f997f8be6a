"""Calling another Haven service: pooled keep-alive connections, timeouts, signed requests,
bounded retries for idempotent calls and a clear 503 naming the service when it is down."""
from __future__ import annotations

import json
import logging
import time
from urllib.parse import urlencode

import requests
from requests.adapters import HTTPAdapter

from .errors import ApiError
from .logs import REQUEST_ID_HEADER
from .signing import Claims, sign

log = logging.getLogger(__name__)
IDEMPOTENT = frozenset({"GET", "HEAD", "PUT", "DELETE", "OPTIONS"})


class ServiceUnavailable(ApiError):
    def __init__(self, service: str):
        super().__init__(503, "service_unavailable", f"the {service} service is unavailable; try again shortly",
                         headers={"Retry-After": "5"})
        self.service = service


class ServiceClient:
    """A signed HTTP client for one internal service."""

    def __init__(self, service: str, base_url: str, secret: bytes, *, timeout: float = 10.0,
                 connect_timeout: float = 2.0, retries: int = 2, pool_size: int = 32):
        self.service = service
        self.base_url = base_url.rstrip("/")
        self.secret = secret
        self.timeout = (connect_timeout, timeout)
        self.retries = retries
        self.session = requests.Session()
        # Internal calls go straight to the service: no proxy or .netrc from the environment (looking
        # them up was a noticeable part of each call's CPU time).
        self.session.trust_env = False
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=pool_size, max_retries=0)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def request(self, method: str, path: str, claims: Claims, *, params: dict | None = None,
                json_body=None, headers: dict | None = None) -> requests.Response:
        """Send one signed request; answers of any status come back, a dead service raises 503."""
        method = method.upper()
        query = urlencode([(k, v) for k, v in (params or {}).items() if v is not None], doseq=True)
        target = f"{path}?{query}" if query else path
        body = b"" if json_body is None else json.dumps(json_body, separators=(",", ":")).encode()
        attempts = 1 + (self.retries if method in IDEMPOTENT else 0)
        for attempt in range(attempts):
            # Signed afresh on every attempt: the internal services refuse a replayed nonce.
            signed_claims = claims.fresh()
            sent = {**(headers or {}), **sign(self.secret, method, target, body, signed_claims)}
            if claims.request_id:
                sent[REQUEST_ID_HEADER] = claims.request_id
            if body:
                sent["Content-Type"] = "application/json"
            try:
                return self.session.request(method, self.base_url + target, data=body or None,
                                            headers=sent, timeout=self.timeout)
            except (requests.ConnectionError, requests.Timeout) as err:
                # A POST that may have reached the service is never sent twice (attempts is 1).
                log.warning("call failed", extra={"target_service": self.service, "attempt": attempt + 1,
                                                  "error": type(err).__name__})
                if isinstance(err, requests.ReadTimeout):
                    break  # a service that accepted but did not answer in time would only hang again
                if attempt + 1 < attempts:
                    time.sleep(0.05 * (attempt + 1))
        raise ServiceUnavailable(self.service)

    def get_json(self, path: str, claims: Claims, **kwargs):
        return self.request("GET", path, claims, **kwargs)

    def is_ready(self) -> bool:
        try:
            return self.session.get(self.base_url + "/healthz", timeout=(1, 2)).ok
        except requests.RequestException:
            return False
