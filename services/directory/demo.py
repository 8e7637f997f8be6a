"""The demo dataset: fictional providers in real Dutch municipalities, with fresh-looking capacity."""
from __future__ import annotations

import json
from datetime import datetime
from importlib import resources

from .domain.rules import iso, parse_time
from .store import AuditEntry, DirectoryStore

# The dataset's capacity times are written relative to this moment; loading shifts them to now.
DEMO_REFERENCE_TIME = "2026-11-28T08:00:00+00:00"


def demo_providers(now: datetime) -> list[dict]:
    """The demo providers with the times of every capacity pool moved so their ages are the same as on the
    reference day."""
    text = resources.files("services.directory").joinpath("data/demo_providers.json").read_text(encoding="utf-8")
    shift = now - parse_time(DEMO_REFERENCE_TIME)
    providers = json.loads(text)
    for record in providers:
        for pool in [record["capacity"], *(record.get("service_capacity") or {}).values()]:
            pool["updated"] = iso(parse_time(pool["updated"]) + shift)
    return providers


def load_demo(store: DirectoryStore, now: datetime) -> int:
    """Load the demo providers into an empty store; a store with data is left alone."""
    if store.count_providers():
        return 0
    audit = AuditEntry(at=iso(now), actor="system:demo", role="admin", action="provider.import", target=None,
                       request_id=None)
    return store.bulk_upsert(demo_providers(now), audit)
