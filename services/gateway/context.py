"""What the gateway's views need, built once by the app factory and kept on the app."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Callable

from flask import current_app

from ..shared.http import ServiceClient
from .auth import AuthStore
from .settings import GatewaySettings


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class GatewayContext:
    settings: GatewaySettings
    auth_store: AuthStore
    directory: ServiceClient
    matcher: ServiceClient
    clock: Callable[[], datetime] = field(default=utc_now)

    def close_clients(self) -> None:
        """Close the pooled connections to the internal services (tests and shutdown)."""
        self.directory.session.close()
        self.matcher.session.close()


def gateway() -> GatewayContext:
    return current_app.extensions["haven_gateway"]
