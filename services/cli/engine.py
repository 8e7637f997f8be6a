"""`haven reindex` and `haven migrate`: rebuilding a store's indices, and copying between stores.

    haven reindex [--store URL]                 the store's indices rebuilt (engine: new versioned indices behind the alias)
    haven migrate --from URL --to URL           providers, referrals and the audit log, any store to any store
"""
from __future__ import annotations

from contextlib import ExitStack
from datetime import datetime
from typing import Iterable, Iterator

from ..shared.config import default_store_url
from .common import actor, error, progress_bar, utc_now

CHUNK = 500


def register(subparsers) -> None:
    reindexing = subparsers.add_parser(
        "reindex", help="rebuild the store's indices, without downtime",
        description="On the search engine: builds a new versioned index per kind (providers, referrals, audit) with "
                    "the current mappings, copies every document, switches the alias in one atomic step and deletes "
                    "the old index. On SQLite: rebuilds every index and the text index from the tables. Reads and "
                    "writes go on.")
    reindexing.add_argument("--store", help="store URL (default HAVEN_STORE_URL)")
    reindexing.add_argument("--kind", action="append", choices=("providers", "referrals", "audit"),
                            help="only this kind (repeatable; default all three)")
    reindexing.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    reindexing.set_defaults(func=cmd_reindex)

    migrating = subparsers.add_parser(
        "migrate", help="copy providers, referrals and the audit log from one store to another",
        description="Copies from any store to any store, e.g. --from sqlite:///data/haven.db "
                    "--to opensearch+http://127.0.0.1:9200. Stop writers to the source first. Pending referrals "
                    "keep holding their units in the target.")
    migrating.add_argument("--from", dest="source", required=True, metavar="URL", help="the store to copy from")
    migrating.add_argument("--to", dest="target", required=True, metavar="URL", help="the store to copy to")
    migrating.add_argument("--force", action="store_true", help="copy even when the target already holds data")
    migrating.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    migrating.set_defaults(func=cmd_migrate)


def _entry(action: str, now: datetime, detail: str):
    from ..directory.domain.rules import iso
    from ..directory.store import AuditEntry

    return AuditEntry(at=iso(now), actor=actor(), role="admin", action=action, target=None, request_id=None,
                      detail=detail)


# -- reindex ---------------------------------------------------------------------------------

def cmd_reindex(args) -> int:
    from ..directory.store import StoreUnavailable, store_from_url

    store = store_from_url(args.store or default_store_url())
    progress = progress_bar(args)
    bars: dict = {}

    def report(kind: str, done: int, total: int) -> None:
        bar = bars.get(kind)
        if bar is None:
            bar = bars[kind] = progress(total=total, desc=f"reindex {kind}", unit="doc")
        bar.update(done - bar.n)

    try:
        done = store.rebuild_indices(kinds=args.kind, progress=report)
        store.append_audit(_entry("store.reindex", utc_now(), "; ".join(done.values())))
    except StoreUnavailable as err:
        return error("reindex", f"the store is unavailable: {err}")
    finally:
        for bar in bars.values():
            bar.close()
        store.close()
    for kind, what in done.items():
        print(f"{kind}: {what}")
    return 0


# -- migrate ---------------------------------------------------------------------------------

def cmd_migrate(args) -> int:
    from ..directory.store import StoreUnavailable, store_from_url

    if args.source == args.target:
        return error("migrate", "--from and --to name the same store")
    now = utc_now()
    try:
        with ExitStack() as stack:
            source = store_from_url(args.source)
            stack.callback(source.close)
            target = store_from_url(args.target)
            stack.callback(target.close)
            if not args.force and _holds_data(target):
                return error("migrate", "the target store already holds data; use --force to copy into it anyway")
            counts = migrate(source, target, now, progress=progress_bar(args))
    except StoreUnavailable as err:
        return error("migrate", f"a store is unavailable: {err}")
    print(f"Copied {counts['providers']} providers, {counts['referrals']} referrals and "
          f"{counts['audit']} audit entries.")
    return 0


def migrate(source, target, now: datetime, *, progress) -> dict[str, int]:
    """Copy the audit log (oldest first), then providers, then referrals with their holds."""
    from ..directory.domain.queries import AuditFilter, ReferralFilter

    counts = {}
    total = source.list_audit(AuditFilter(size=1)).total
    with progress(total=total, desc="audit", unit="entry") as bar:
        counts["audit"] = target.import_audit(_counted(_audit_oldest_first(source, total), bar))

    with progress(total=source.count_providers(), desc="providers", unit="provider") as bar:
        counts["providers"] = 0
        records = iter(source.iter_providers(now))
        # One audit entry per chunk: the progress bar moves as the target writes.
        while chunk := [record for _, record in zip(range(CHUNK), records)]:
            counts["providers"] += target.bulk_upsert(chunk, _entry("provider.migrate", now, "copied"))
            bar.update(len(chunk))

    total = source.list_referrals(ReferralFilter(size=1), now).total
    with progress(total=total, desc="referrals", unit="referral") as bar:
        referrals = _counted(_all_referrals(source, total, now), bar)
        counts["referrals"] = target.import_referrals(referrals, now)
    target.append_audit(_entry("store.migrate", now, f"{counts['providers']} providers, {counts['referrals']} "
                                                     f"referrals, {counts['audit']} audit entries"))
    return counts


def _holds_data(store) -> bool:
    from ..directory.domain.queries import AuditFilter

    return store.count_providers() > 0 or store.list_audit(AuditFilter(size=1)).total > 0


def _counted(items: Iterable, bar) -> Iterator:
    for item in items:
        yield item
        bar.update(1)


def _audit_oldest_first(store, total: int) -> Iterator:
    from ..directory.domain.queries import AuditFilter

    last_page = max((total + CHUNK - 1) // CHUNK, 1)
    for page in range(last_page, 0, -1):
        yield from reversed(store.list_audit(AuditFilter(page=page, size=CHUNK)).items)


def _all_referrals(store, total: int, now: datetime) -> Iterator:
    from ..directory.domain.queries import ReferralFilter

    for page in range(1, (total + CHUNK - 1) // CHUNK + 1):
        yield from store.list_referrals(ReferralFilter(page=page, size=CHUNK), now).items
