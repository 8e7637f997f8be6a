"""A real SMTP server (aiosmtpd) on 127.0.0.1 for the tests, collecting what it is sent."""
from __future__ import annotations

import email
import threading
from email.policy import default

from aiosmtpd.controller import Controller

from tests.support.processes import free_port


class _Collector:
    def __init__(self):
        self.messages: list = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = email.message_from_bytes(envelope.content, policy=default)
        with self.lock:
            self.messages.append({"to": list(envelope.rcpt_tos), "from": envelope.mail_from, "message": message,
                                  "subject": str(message["Subject"]), "text": message.get_content()})
        return "250 OK"


class SmtpServer:
    def __init__(self):
        self.collector = _Collector()
        self.port = free_port()
        self.controller = Controller(self.collector, hostname="127.0.0.1", port=self.port)
        self.url = f"smtp://127.0.0.1:{self.port}"

    @property
    def messages(self) -> list[dict]:
        with self.collector.lock:
            return list(self.collector.messages)

    def __enter__(self) -> "SmtpServer":
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
