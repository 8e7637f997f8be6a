"""Which engine versions the installed client speaks, and a clear refusal when the server is another.

The Elasticsearch client of major N sends `compatible-with=N` on every request, which a server of
another major refuses with an error that names neither version; OpenSearch's client N speaks servers
1 to N. Checked once the server first answers, so a wrong pairing fails at start-up in words.
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

CLIENT_PACKAGES = {"elasticsearch": "elasticsearch", "opensearch": "opensearch-py"}


class EngineVersionMismatch(RuntimeError):
    """The engine's major version is not one the installed client speaks."""


def major_of(version_text: str) -> int:
    """The major of a version such as `9.1.3` or `2.19.1-SNAPSHOT`."""
    return int(str(version_text).split(".", 1)[0])


def installed_client_version(flavour: str) -> str:
    """The version of the client package installed for this flavour."""
    try:
        return version(CLIENT_PACKAGES[flavour])
    except PackageNotFoundError:
        return "0"


def server_majors(flavour: str, client_major: int) -> tuple[int, int]:
    """The lowest and highest server major the client of `client_major` speaks."""
    if flavour == "elasticsearch":
        return client_major, client_major
    return 1, client_major


def server_flavour(info: dict) -> str:
    """`opensearch` or `elasticsearch`, from the answer to `GET /`."""
    return "opensearch" if (info.get("version") or {}).get("distribution") == "opensearch" else "elasticsearch"


def require_compatible(flavour: str, info: dict, client_version: str) -> None:
    """Raise EngineVersionMismatch, naming both versions, unless the client speaks this server."""
    server_version = str((info.get("version") or {}).get("number", "unknown"))
    client = f"{CLIENT_PACKAGES[flavour]} client {client_version}"
    actual = server_flavour(info)
    if actual != flavour:
        raise EngineVersionMismatch(
            f"the store URL asks for {flavour}, but the server is {actual} {server_version}; "
            f"use an {actual}+http:// store URL")
    try:
        server_major = major_of(server_version)
    except ValueError:
        raise EngineVersionMismatch(f"{flavour} server reports no usable version ({server_version!r})") from None
    low, high = server_majors(flavour, major_of(client_version))
    if not low <= server_major <= high:
        wanted = f"{low}.x" if low == high else f"{low}.x to {high}.x"
        raise EngineVersionMismatch(
            f"{flavour} server {server_version} does not speak the installed {client}: the client needs a "
            f"server {wanted}; run a {flavour} server of major {high} or install a client of major {server_major}")
