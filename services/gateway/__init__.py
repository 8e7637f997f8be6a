"""The gateway: the public face of Haven (auth, roles, rate limits, request ids, OpenAPI, audit of access)."""
from .app import create_app

__all__ = ["create_app"]
