"""A real HTTP webhook receiver on 127.0.0.1 that checks every signature with the Standard Webhooks library."""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError


class WebhookReceiver:
    """Records verified deliveries; refuses with 503 while `down`; counts signatures that failed."""

    def __init__(self):
        self.secret: str | None = None
        self.received: list[dict] = []   # {"id", "type", "data", "at"} in arrival order
        self.bad_signatures = 0
        self.refused = 0
        self.down = False
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - the http.server name
                body = self.rfile.read(int(self.headers.get("content-length") or 0))
                if receiver.down:
                    with receiver._lock:
                        receiver.refused += 1
                    self.send_response(503)
                    self.end_headers()
                    return
                try:
                    Webhook(receiver.secret).verify(body, dict(self.headers.items()))
                except WebhookVerificationError:
                    with receiver._lock:
                        receiver.bad_signatures += 1
                    self.send_response(401)
                    self.end_headers()
                    return
                message = json.loads(body)
                with receiver._lock:
                    receiver.received.append({"id": self.headers["webhook-id"], "type": message["type"],
                                              "data": message["data"], "at": time.time(), "raw": body.decode()})
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> "WebhookReceiver":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
        self._thread.join(5)

    def of(self, referral_id: str) -> list[str]:
        with self._lock:
            return [m["type"] for m in self.received if m["data"]["referral_id"] == referral_id]


def eventually(check, timeout: float = 15.0, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("not within the time allowed")
        time.sleep(interval)
