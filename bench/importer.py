"""Fallback bulk import for stores without `haven import`: python -m bench.importer STORE_URL FILE.jsonl"""
from __future__ import annotations

import json
import sys

from services.directory.domain.rules import iso, utc_now
from services.directory.store import AuditEntry, store_from_url


def main(store_url: str, path: str) -> int:
    store = store_from_url(store_url)
    now = utc_now()
    audit = AuditEntry(at=iso(now), actor="system:bench", role="admin", action="provider.import", target=None,
                       request_id=None)
    with open(path, encoding="utf-8") as lines:
        count = store.bulk_upsert((json.loads(line) for line in lines), audit)
    store.close()
    print(count)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
