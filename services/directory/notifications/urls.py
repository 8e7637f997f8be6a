"""Where webhooks may go: http(s) URLs on public addresses, never into the services' own network."""
from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

MAX_URL = 500


class RefusedUrl(ValueError):
    """A webhook URL that is not allowed; the message says why."""


def check_url(url: str, *, allow_loopback: bool = False, resolve=socket.getaddrinfo) -> None:
    """Refuse anything but http(s) to public addresses (loopback only when allowed), by every address the
    host resolves to: link-local and cloud metadata addresses, private networks, multicast, unspecified."""
    if len(url) > MAX_URL:
        raise RefusedUrl(f"at most {MAX_URL} characters")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        raise RefusedUrl("must start with https:// or http://")
    if not parts.hostname or parts.username or parts.password:
        raise RefusedUrl("must name a host, without a user name or password")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise RefusedUrl("has an invalid port") from None
    try:
        addresses = {info[4][0] for info in resolve(parts.hostname, port, type=socket.SOCK_STREAM)}
    except (socket.gaierror, UnicodeError):
        raise RefusedUrl("its host does not resolve") from None
    for address in addresses:
        ip = ipaddress.ip_address(address.split("%")[0])
        if ip.version == 6 and ip.ipv4_mapped:
            ip = ip.ipv4_mapped  # ::ffff:169.254.169.254 is the metadata address too
        if ip.is_loopback:
            if allow_loopback:
                continue
            raise RefusedUrl("points at this machine (loopback)")
        if ip.is_link_local or ip.is_private or ip.is_multicast or ip.is_unspecified or ip.is_reserved:
            raise RefusedUrl("points at a link-local, metadata or private network address")
