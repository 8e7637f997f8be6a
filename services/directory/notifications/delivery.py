"""Sending one webhook: the Standard Webhooks headers, signed with the subscription's secret."""
from __future__ import annotations

from datetime import datetime

import requests
from standardwebhooks import Webhook

from .urls import RefusedUrl, check_url


class WebhookSender:
    """POSTs a signed body and says whether the receiver took it (any 2xx); never follows redirects."""

    def __init__(self, *, timeout_s: float = 5.0, allow_loopback: bool = False):
        self.timeout_s = timeout_s
        self.allow_loopback = allow_loopback
        self.session = requests.Session()

    def send(self, url: str, secret: str, message_id: str, body: str, at: datetime) -> str | None:
        """None when delivered, else why not (for the delivery's record; never the body)."""
        try:
            # Again at each attempt: a host may have come to resolve to an internal address since.
            check_url(url, allow_loopback=self.allow_loopback)
        except RefusedUrl as err:
            return f"refused: {err}"
        headers = {"content-type": "application/json", "webhook-id": message_id,
                   "webhook-timestamp": str(int(at.timestamp())),
                   "webhook-signature": Webhook(secret).sign(message_id, at, body),
                   "user-agent": "Haven-Webhooks/1"}
        try:
            answer = self.session.post(url, data=body.encode(), headers=headers, timeout=self.timeout_s,
                                       allow_redirects=False)
        except requests.RequestException as err:
            return f"unreachable: {type(err).__name__}"
        if 200 <= answer.status_code < 300:
            return None
        return f"answered {answer.status_code}"

    def close(self) -> None:
        self.session.close()
