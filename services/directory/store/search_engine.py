"""The scale-out store: Elasticsearch or OpenSearch, one implementation for both.

Capacity holds live on the provider document, so taking one is a single optimistic-concurrency
update (read with `_seq_no`, check what is free, write with `if_seq_no`/`if_primary_term`, retry on
409): with N units free and any number of concurrent requests on any number of processes, exactly N
succeed. Every distance, radius and sort uses the public point (coarse when the address is
confidential); the exact point is used only to keep providers out of areas to avoid. The engine
has no transactions across documents, so the document written first carries the rest: a hold carries
its referral and audit entry, a changed provider document its audit entry, until they are written.
A directory that dies in between leaves them to the next one (`complete_unfinished_writes`).

A write is searchable only after a refresh. Provider edits (create, replace, delete, capacity) refresh as
they write (the URL's `refresh`: `true`, or `wait_for` the next scheduled refresh). Holds, referrals and
audit entries never wait for one: every search of an index refreshes it first (`_fresh`, one round trip,
about a millisecond when nothing is new), so searches, candidate lists and referral lists still see every
write answered before they began, from any directory process. A referral create and cancel write four
documents and read several; a refresh on each of those writes cost most of the pair.
Reads by id are real-time and need none. So a referral is also entered in its case's document (the caseworker's
referrals for one case reference and need), which the limit of pending referrals per case and the accept that
ends the case's other referrals read by id, instead of refreshing and searching the referrals.
"""
from __future__ import annotations

import copy
import hashlib
import itertools
import logging
import random
import threading
import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable, Iterable, Iterator, Sequence

from ...shared import jsonio
from ...shared.capacity import after_use, can_hold, hold_has_ended, pool_of, with_holds, without_holds
from ...shared.engine.client import EngineClient, EngineConfig, VersionConflict, WriteBlocked
from ...shared.engine.indices import IndexNames, current_index, ensure_indices, reindex
from ...shared.geo import distance_km
from ...shared.memory import keep_large_buffers_apart
from ..domain.queries import AuditFilter, CandidateQuery, Page, ReferralFilter, SearchQuery
from ..domain.referrals import PLACED_ELSEWHERE, InvalidTransition, NoCapacity, Referral, TooManyPending
from ..domain.rules import iso, parse_time
from ..domain.versions import Precondition, check_maximum, check_pool, confirm_pools, keep_live_capacity
from ..notifications.events import referral_event
from .base import (AuditEntry, ChangePage, ChangesUnavailable, DirectoryStore, Hold, StoreUnavailable, expiry_audit,
                   sibling_cancel_audit)
from .search_engine_mappings import (CASE_MAPPINGS, KINDS, MAPPINGS, PROVIDER_FIELDS_ADDED, REFERRAL_FIELDS_ADDED,
                                     TOMBSTONE_MAPPINGS, held_by_need, hold_units, live_holds, provider_document,
                                     record_of, version_of)
from .search_engine_queries import (audit_body, candidate_circles, candidates_body, circle_filters, edge_body,
                                    passed_holds_body, pending_body, referrals_body, search_body, words_of)

MAX_WINDOW = 10_000          # from + size beyond this pages with search_after instead
WALK_CHUNK = 1_000
BULK_CHUNK = 500
EDGE_CIRCLES = 100           # circles per edge search: about 300 clauses, under the engine's 1,024
CONFLICT_RETRIES = 200       # optimistic-concurrency attempts before giving up with 503
BLOCKED_WAIT_S = 30.0        # how long a write waits out a reindex's short write block
COMPLETE_EVERY_S = 30.0      # how often readiness checks look for writes a dead directory left unfinished
REUSE_READ_S = 1.0           # how old a read by id of the same thread may be to open a conditional write
# How long a case's entry for a referral not written yet counts as pending: its hold may be taken with the referral
# still carried by the provider document, which the next directory writes (complete_unfinished_writes).
CASE_GRACE = timedelta(minutes=2)
log = logging.getLogger(__name__)


class SearchEngineDirectoryStore(DirectoryStore):
    def __init__(self, config: EngineConfig, client: EngineClient | None = None):
        # Pages of a thousand provider documents, read whole, must not leave their buffers' memory behind.
        keep_large_buffers_apart()
        self.config = config
        self.client = client or EngineClient(config)
        self.names = IndexNames(config.prefix)
        self.providers = self.names.alias("providers")
        self.referrals = self.names.alias("referrals")
        self.audit = self.names.alias("audit")
        self.tombstones = self.names.alias("provider-tombstones")
        self.cases = self.names.alias("referral-cases")
        self._refresh = config.refresh  # provider edits; holds, referrals and audit entries never wait for one
        self._ready = False
        self._ready_lock = threading.Lock()
        self._seq_lock = threading.Lock()
        self._last_read = threading.local()  # see _read_again
        self._last_seq = 0
        self._completed_at = 0.0
        # Ready only once a pass over unfinished writes has ended: a background task may have started the
        # first pass, and an answer read before it ends could miss what a dead directory left.
        self._completed_once = False
        # A server of a major the client does not speak stops start-up here; a down one is asked later.
        self.client.check_version()

    @classmethod
    def from_url(cls, url: str) -> "SearchEngineDirectoryStore":
        return cls(EngineConfig.from_url(url))

    # -- connection and indices --------------------------------------------------------------
    def _ensure(self) -> None:
        """Create the indices and aliases on first use, not at construction: a down engine must not stop startup."""
        if self._ready:
            return
        with self._ready_lock:
            if not self._ready:
                if not self.client.check_version():
                    raise StoreUnavailable("search engine unreachable")
                ensure_indices(self.client, self.names, self.config, MAPPINGS)
                ensure_indices(self.client, self.names, self.config, TOMBSTONE_MAPPINGS)
                self.client.put_mapping(self.providers, PROVIDER_FIELDS_ADDED)
                self.client.put_mapping(self.referrals, REFERRAL_FIELDS_ADDED)
                self._upgrade_documents()
                self._ensure_cases()
                self._ready = True
                try:
                    self.complete_unfinished_writes()
                except Exception:  # noqa: BLE001 - serving goes on; the next readiness check tries again
                    self._completed_at = 0.0
                    log.warning("could not finish writes left unfinished; readiness checks will retry",
                                exc_info=True)

    def _upgrade_documents(self) -> None:
        """Rewrite documents indexed before public cells: they carry an exact point and no cell.

        Such a document would keep a confidential provider out of an area to avoid only by its cell's
        centre, not by its whole cell. Each is rewritten from its own record, under its sequence number;
        one a writer changed meanwhile was rewritten by that writer already.
        """
        self.client.refresh(self.providers, patient=False)
        body = {"query": {"exists": {"field": "exact_point"}}, "sort": [{"id": "asc"}], "seq_no_primary_term": True}
        rewritten = 0
        for hits in _chunks(self._walk(self.providers, body), BULK_CHUNK):
            actions = []
            for hit in hits:
                source = hit["_source"]
                document = provider_document(source["record"], source.get("holds", []), version=version_of(source))
                for carried in ("unwritten_audit", "unwritten_audit_ids"):
                    if carried in source:
                        document[carried] = source[carried]
                actions.append({"_op_type": "index", "_index": self.providers, "_id": hit["_id"],
                                "_source": document, "if_seq_no": hit["_seq_no"],
                                "if_primary_term": hit["_primary_term"]})
            failed = [item for item in self.client.bulk(actions, refresh=False, require_alias=True)
                      if next(iter(item.values())).get("status") != 409]
            if failed:
                raise StoreUnavailable(f"could not rewrite provider documents: {failed[:1]}")
            rewritten += len(actions)
        if rewritten:
            self.client.refresh(self.providers)
            log.info("provider documents rewritten with public cells", extra={"count": rewritten})

    def _ensure_cases(self) -> None:
        """Create the cases index if it is missing (a store made by an earlier version, or deleted by hand), and
        then enter the pending referrals in their cases."""
        if not self.client.alias_targets(self.cases):
            ensure_indices(self.client, self.names, self.config, CASE_MAPPINGS)
            self._enter_pending_in_cases()

    def ping(self) -> bool:
        try:
            status = self.client.health().get("status")
        except Exception:  # noqa: BLE001 - any failure to answer means not ready
            return False
        if status not in ("green", "yellow"):
            return False
        try:
            # Every time, not once: indices deleted by hand come back before writes need them.
            ensure_indices(self.client, self.names, self.config, MAPPINGS)
            ensure_indices(self.client, self.names, self.config, TOMBSTONE_MAPPINGS)
            self._ensure()
            self._ensure_cases()
            if not self._completed_once or time.monotonic() - self._completed_at > COMPLETE_EVERY_S:
                self.complete_unfinished_writes()
        except Exception:  # noqa: BLE001
            return False
        return True

    def close(self) -> None:
        self.client.close()

    def _blocked_retry(self, write: Callable[[], object]):
        """Run a write, waiting out a reindex's write block on the old index."""
        deadline = time.monotonic() + BLOCKED_WAIT_S
        delay = 0.05
        while True:
            try:
                return write()
            except WriteBlocked:
                if time.monotonic() > deadline:
                    raise StoreUnavailable("the index stayed read-only too long") from None
                time.sleep(delay)
                delay = min(delay * 2, 1.0)

    def _next_seq(self) -> int:
        with self._seq_lock:
            self._last_seq = max(time.time_ns(), self._last_seq + 1)
            return self._last_seq

    def _append_audit(self, entry: AuditEntry) -> None:
        self._write_audits([self._audit_document(entry)])

    def _write_audits(self, documents: list[dict]) -> None:
        """Write audit entries unless they are there already (safe to repeat, and to race).

        No refresh: nothing searches the audit index within a request, and `list_audit` refreshes it first.
        """
        for document in documents:
            self._create_if_absent(self.audit, document, refresh=False)

    def _remember_read(self, index: str, found: dict) -> None:
        """Keep a copy of the document a request has just read by id, for `_read_again`."""
        self._last_read.value = (index, found["_id"], time.monotonic(), _copy(found))

    def _read_again(self, index: str, doc_id: str) -> dict | None:
        """The document this thread read by id a moment ago (once), instead of a second round trip; or None.

        A referral's create and cancel read the provider or referral to check the caller, then read it again
        to write it under its sequence number. Only the first attempt of a conditional write may start from
        this copy: if anything wrote in between, the write fails (409) and the next attempt reads afresh. A hold
        refused on the copy (no free unit) is decided again on a fresh read; a referral never goes back to
        pending, so a transition refused on the copy stands.
        """
        last, self._last_read.value = getattr(self._last_read, "value", None), None
        if last and last[:2] == (index, doc_id) and time.monotonic() - last[2] < REUSE_READ_S:
            return last[3]
        return None

    def _fresh(self, index: str) -> None:
        """Make every write answered so far searchable in `index`, before a search of it.

        Holds, referrals and audit entries are written without a refresh, so a search must refresh first to
        see them; with nothing new to make searchable the refresh is one short round trip.
        """
        self.client.refresh(index, patient=False)

    def _create_all_if_absent(self, documents: list[tuple[str, dict]], write: dict | None = None) -> bool:
        """Write documents of several indices in one request, each unless it is there already (safe to repeat).

        `write`: one more bulk action, conditional on what it replaces; returns whether it met a conflict."""
        actions = [{"_op_type": "create", "_index": index, "_id": document["id"], "_source": document}
                   for index, document in documents] + ([write] if write else [])
        failed = self._blocked_retry(lambda: self.client.bulk(actions, refresh=False, require_alias=True))
        conflicted = False
        unwritten = []
        for item in failed:
            result = next(iter(item.values()))
            if write is not None and result.get("_id") == write["_id"] and result.get("status") == 409:
                conflicted = True
            elif result.get("status") != 409:
                unwritten.append(item)
        # A conflict is a document written already: by this request before, or by another directory finishing it.
        if unwritten:
            raise StoreUnavailable(f"could not write: {unwritten[:1]}")
        return conflicted

    def _create_if_absent(self, index: str, document: dict, *, refresh) -> None:
        try:
            self._blocked_retry(lambda: self.client.index(index, document["id"], document, refresh=refresh,
                                                          op_type="create", require_alias=True))
        except VersionConflict:
            pass  # written already: by this request before, or by another directory finishing it

    def _audit_document(self, entry: AuditEntry) -> dict:
        # `seq` keeps insertion order (newest first on reading) even for entries stamped the same second.
        return dict(entry.__dict__, id=uuid.uuid4().hex, seq=self._next_seq())

    # -- providers ---------------------------------------------------------------------------
    def _save_provider(self, record: dict, *, refresh) -> None:
        """Index a provider record as a replacement (a bulk load's conflict), read again on every attempt."""
        record = without_holds(record)
        self._update_provider(record["id"], lambda found: _replacement(record, found), refresh=refresh, create=True)

    def _edit(self, provider_id: str, change: Callable[[dict | None], dict], audit: AuditEntry, *,
              expected: Precondition | None, create: bool) -> dict | None:
        """Check the caller's version, merge and write under optimistic concurrency.

        A hold, report or accept written between the read and the write fails the write (409), and the
        whole edit runs again on the document as it is then: its capacity and holds are never written back.
        """
        def edit(found: dict | None) -> dict:
            current = version_of(found["_source"]) if found else None
            if expected is not None:
                expected.check(provider_id, current)
            stored = dict(copy.deepcopy(found["_source"]["record"]), version=current) if found else None
            # A copy: the written document is read back into the answer, never into the caller's record.
            edited = without_holds(dict(copy.deepcopy(change(stored)), id=provider_id, last_modified=audit.at))
            edited.pop("version", None)
            document = _replacement(edited, found)
            if found is not None:
                check_maximum(document["record"])
            return document

        written = self._audited_update(provider_id, edit, audit, refresh=self._refresh, create=create)
        if written is None:
            return None
        return dict(record_of(written, parse_time(audit.at)), version=written["version"])

    def _audited_update(self, provider_id: str, change: Callable[[dict | None], dict | None], audit: AuditEntry, *,
                        refresh, create: bool = False) -> dict | None:
        """A provider change and its audit entry, as one: the entry is written into the changed document first
        and then to the audit index, so a directory that dies in between leaves it to the next one."""
        document = self._audit_document(audit)

        def with_audit(found: dict | None) -> dict | None:
            source = change(found)
            if source is None:
                return None
            # Entries of an earlier change that never reached the audit index go there before they are replaced.
            self._write_audits(found["_source"].get("unwritten_audit", []) if found else [])
            return dict(source, unwritten_audit=[document], unwritten_audit_ids=[document["id"]])

        written = self._update_provider(provider_id, with_audit, refresh=refresh, create=create)
        if written is not None:
            self._write_audits(written["unwritten_audit"])
        return written

    def _update_provider(self, provider_id: str, change: Callable[[dict | None], dict | None], *, refresh,
                         create: bool = False, read: dict | None = None) -> dict | None:
        """Read, change and write one provider document under optimistic concurrency; retries on 409.

        `change` gets the document as read (None when absent) and returns the new source, or None to
        write nothing. Returns the source written, or None. `read`: the document as read just before by the
        caller, for the first attempt only (`_read_again`).
        """
        self._ensure()
        deadline = time.monotonic() + BLOCKED_WAIT_S
        for attempt in itertools.count():
            found = read if attempt == 0 and read is not None else self.client.get(self.providers, provider_id)
            if found is None and not create:
                return None
            source = change(found)
            if source is None:
                return None
            if found is not None and "unwritten_audit" not in source:
                # A change without an audit entry of its own keeps the entries not written yet.
                source = dict(source, unwritten_audit=found["_source"].get("unwritten_audit", []),
                              unwritten_audit_ids=found["_source"].get("unwritten_audit_ids", []))
            try:
                if found is None:
                    self.client.index(self.providers, provider_id, source, refresh=refresh, op_type="create",
                                      require_alias=True)
                else:
                    self.client.index(self.providers, provider_id, source, refresh=refresh, require_alias=True,
                                      if_seq_no=found["_seq_no"], if_primary_term=found["_primary_term"])
                return source
            except VersionConflict:
                _pause_after_conflict(attempt)
            except WriteBlocked:
                if time.monotonic() > deadline:
                    raise StoreUnavailable("the index stayed read-only too long") from None
                time.sleep(0.1)
        raise AssertionError("unreachable")

    def put_provider(self, record: dict, audit: AuditEntry, *, expected: Precondition | None = None) -> dict:
        return self._edit(record["id"], lambda stored: record, audit, expected=expected, create=True)

    def update_provider(self, provider_id: str, change: Callable[[dict], dict], audit: AuditEntry, *,
                        expected: Precondition | None = None) -> dict | None:
        return self._edit(provider_id, change, audit, expected=expected, create=False)

    def bulk_upsert(self, records: Iterable[dict], audit: AuditEntry) -> int:
        self._ensure()
        prepared_all = [without_holds(dict(r, last_modified=r.get("last_modified") or audit.at)) for r in records]
        for record in prepared_all:
            provider_document(record, [])  # every record is checked before the first is written
        count = 0
        for prepared in _chunks(prepared_all, BULK_CHUNK):
            existing = self.client.mget(self.providers, [r["id"] for r in prepared])
            actions = []
            for record in prepared:
                found = existing.get(record["id"])
                source = _replacement(record, found)
                if found and found["_source"].get("unwritten_audit"):
                    source.update(unwritten_audit=found["_source"]["unwritten_audit"],
                                  unwritten_audit_ids=found["_source"]["unwritten_audit_ids"])
                action = {"_index": self.providers, "_id": record["id"], "_source": source}
                if found:
                    action.update(_op_type="index", if_seq_no=found["_seq_no"],
                                  if_primary_term=found["_primary_term"])
                else:
                    action["_op_type"] = "create"
                actions.append(action)
            failed = self._blocked_retry(lambda: self.client.bulk(actions, refresh=False, require_alias=True))
            by_id = {record["id"]: record for record in prepared}
            for item in failed:
                result = next(iter(item.values()))
                if result.get("status") != 409:
                    raise RuntimeError(f"bulk write of provider {result.get('_id')} failed: {result.get('error')}")
            # The conflicts (a hold taken meanwhile, or one id twice in the load) go one by one, in order.
            conflicted = {next(iter(item.values()))["_id"] for item in failed}
            for record in prepared:
                if record["id"] in conflicted:
                    self._save_provider(by_id[record["id"]], refresh=False)
            count += len(prepared)
        self.client.refresh(self.providers)
        self._append_audit(AuditEntry(**{**audit.__dict__, "detail": f"{count} providers"}))
        return count

    def get_provider(self, provider_id: str, now: datetime) -> dict | None:
        self._ensure()
        found = self.client.get(self.providers, provider_id)
        if found is not None:
            self._remember_read(self.providers, found)
        return dict(record_of(found["_source"], now), version=version_of(found["_source"])) if found else None

    def get_providers(self, provider_ids: list[str], now: datetime) -> dict[str, dict]:
        self._ensure()
        found = {}
        for chunk in _chunks(provider_ids, BULK_CHUNK):
            for doc_id, document in self.client.mget(self.providers, chunk).items():
                found[doc_id] = dict(record_of(document["_source"], now), version=version_of(document["_source"]))
        return found

    def delete_provider(self, provider_id: str, audit: AuditEntry) -> bool:
        """Mark the document as being deleted, write its tombstone at the mark's number, then delete that very
        version (a change in between, such as a hold, marks it again).

        The change feed reads this index up to its global checkpoint, after a refresh. Whenever it reads the
        mark's number it finds the delete: the marked document while it is there, the tombstone (written
        before the document goes) once it is gone. A plain delete followed by its tombstone left a moment in
        which the feed could read past the delete before the tombstone existed, and a matcher kept the
        provider. A directory that dies in between leaves the provider marked: the feed reports it deleted,
        searches here still find it, and deleting it again finishes the job.
        """
        self._ensure()
        generation = current_index(self.client, self.names, "providers")
        for attempt in itertools.count():
            found = self.client.get(self.providers, provider_id)
            if found is None:
                return False
            try:
                marked = self._blocked_retry(lambda: self.client.index(
                    self.providers, provider_id, dict(found["_source"], deleting=True), require_alias=True,
                    if_seq_no=found["_seq_no"], if_primary_term=found["_primary_term"]))
                self._blocked_retry(lambda: self.client.index(
                    self.tombstones, provider_id, {"id": provider_id, "seq": marked["_seq_no"], "generation": generation},
                    refresh=self._refresh, require_alias=True))
                self._blocked_retry(lambda: self.client.delete(
                    self.providers, provider_id, refresh=self._refresh, if_seq_no=marked["_seq_no"],
                    if_primary_term=marked["_primary_term"]))
            except VersionConflict:
                _pause_after_conflict(attempt)
                continue
            self._append_audit(audit)
            return True
        raise AssertionError("unreachable")

    def set_capacity(self, provider_id, available, maximum, now, audit, *, need=None):
        def change(found: dict) -> dict:
            source = found["_source"]
            record = source["record"]
            check_pool(record, need)
            capacity = pool_of(record, need)
            capacity["available"] = available
            if maximum is not None:
                capacity["maximum"] = maximum
            capacity["updated"] = record["last_modified"] = iso(now)
            return provider_document(record, source.get("holds", []), version=version_of(source) + 1)

        if self._audited_update(provider_id, change, audit, refresh=self._refresh) is None:
            return None
        return self.get_provider(provider_id, now)

    def confirm_capacity(self, provider_id, counted_at, counts, now, audit):
        def change(found: dict) -> dict:
            source = found["_source"]
            record = source["record"]
            confirm_pools(record, counted_at, counts, iso(now))
            record["last_modified"] = iso(now)
            return provider_document(record, source.get("holds", []), version=version_of(source) + 1)

        if self._audited_update(provider_id, change, audit, refresh=self._refresh) is None:
            return None
        return self.get_provider(provider_id, now)

    def count_providers(self) -> int:
        self._ensure()
        return self.client.count(self.providers)

    def iter_providers(self, now: datetime) -> Iterator[dict]:
        self._ensure()
        self._fresh(self.providers)  # holds are written without a refresh
        body = {"query": {"match_all": {}}, "sort": [{"id": "asc"}]}
        for hit in self._walk(self.providers, body):
            yield record_of(hit["_source"], now)

    def changes(self, since: int, limit: int, now: datetime) -> ChangePage:
        """The providers index's own `_seq_no` is the sequence: every change of a provider or of its holds
        rewrites its document. Read only up to the global checkpoint, after a refresh: operations on a shard
        may become searchable out of order, but every one at or below the checkpoint has been carried out on
        every copy, and the refresh makes it searchable, so none is skipped. One primary shard only. The feed's
        number is one past the `_seq_no` read (`_seq_no` starts at 0; 0 in the feed is nothing read yet)."""
        self._ensure()
        if self.config.shards != 1:
            raise ChangesUnavailable("the change feed needs the providers index on one primary shard")
        generation, checkpoint = self.client.checkpoint(self.providers)
        if 0 < since and checkpoint < since:
            # Nothing written since the last read: the matchers poll often, so this answer costs one request.
            return ChangePage(records=[], holds={}, deleted=[], sequence=since, more=False, generation=generation)
        self.client.refresh(self.providers, patient=False)
        window = {"gte": since, "lte": checkpoint}
        found = self.client.search(self.providers, {
            "query": {"range": {"_seq_no": window}}, "sort": [{"_seq_no": "asc"}], "seq_no_primary_term": True,
            "size": limit + 1, "track_total_hits": False})["hits"]["hits"]
        gone = []
        if since > 0:
            self.client.refresh(self.tombstones, patient=False)
            gone = self.client.search(self.tombstones, {
                "query": {"bool": {"filter": [{"range": {"seq": window}}, {"term": {"generation": generation}}]}},
                "sort": [{"seq": "asc"}], "size": limit + 1, "track_total_hits": False})["hits"]["hits"]
        changes = sorted([(hit["_seq_no"] + 1, 1, hit) for hit in found]
                         + [(hit["_source"]["seq"] + 1, 0, hit) for hit in gone],
                         key=lambda change: change[:2])
        more = len(changes) > limit
        changes = changes[:limit]
        records, holds, deleted = [], {}, []
        for _, kind, hit in changes:
            if kind == 0:
                deleted.append(hit["_source"]["id"])
                continue
            source = hit["_source"]
            if source.get("deleting"):
                deleted.append(source["id"])
                continue
            record = record_of(source, now)
            records.append(record)
            holds[record["id"]] = [Hold(hold.get("need") or ((hold.get("unwritten") or {}).get("referral") or {}).get("need"),
                                        hold_units(hold), hold["expires_at"]) for hold in source.get("holds", [])]
        return ChangePage(records=records, holds=holds, deleted=deleted,
                          sequence=changes[-1][0] if more else max(checkpoint + 1, since), more=more,
                          generation=generation)

    # -- search ------------------------------------------------------------------------------
    def search(self, query: SearchQuery, now: datetime) -> Page:
        self._ensure()
        self._fresh(self.providers)  # holds are written without a refresh
        words = words_of(query.text) if query.text else []
        if query.text and not words:
            return Page()
        within = self._circles([("public_point", *query.near, query.radius_km)]) if (
            query.near and query.radius_km is not None) else []
        hits, total = self._page(self.providers, search_body(query, words, now, within), query.page, query.size)
        return Page([(record_of(hit["_source"], now), _distance(hit, query.near)) for hit in hits], total)

    def candidates(self, query: CandidateQuery, now: datetime) -> list[tuple[dict, float]]:
        return self.candidates_many([query], now)[0]

    def candidates_many(self, queries: Sequence[CandidateQuery], now: datetime) -> list[list[tuple[dict, float]]]:
        """Three round trips however many queries: a refresh, the edges of every circle in one search, then one
        multi-search."""
        self._ensure()
        self._fresh(self.providers)  # holds are written without a refresh
        asked = list(dict.fromkeys(query for query in queries
                                   if not (query.need == "repatriation" and not query.return_country)))
        circles = {query: candidate_circles(query) for query in asked}
        # The queries of one match share their areas to avoid: each distinct circle is decided once.
        distinct = list(dict.fromkeys(circle for avoided, within in circles.values() for circle in avoided + within))
        decided = dict(zip(distinct, self._circles(distinct)))
        bodies = []
        for query in asked:
            avoided, within = circles[query]
            bodies.append(candidates_body(query, now, avoided=[decided[circle] for circle in avoided],
                                          within=[decided[circle] for circle in within]))
        answers = self.client.msearch(self.providers, bodies) if bodies else []
        hits = {query: answer["hits"]["hits"] for query, answer in zip(asked, answers)}
        return [[(record_of(hit["_source"], now), _distance(hit, query.near)) for hit in hits.get(query, ())]
                for query in queries]

    def _circles(self, circles: list) -> list[dict]:
        """A filter per circle, its edge decided to the metre on the stored points (one extra search for up
        to EDGE_CIRCLES circles)."""
        filters: list[dict] = []
        for chunk in _chunks(circles, EDGE_CIRCLES):
            filters += circle_filters(chunk, list(self._walk(self.providers, edge_body(chunk))))
        return filters

    # -- paging ------------------------------------------------------------------------------
    def _page(self, index: str, body: dict, page: int, size: int) -> tuple[list[dict], int]:
        """One page and the total; deep pages walk with search_after on the (unique) sort."""
        offset = (page - 1) * size
        if offset + size <= MAX_WINDOW:
            answer = self.client.search(index, dict(body, **{"from": offset, "size": size, "track_total_hits": True}))
            return answer["hits"]["hits"], answer["hits"]["total"]["value"]
        total = self.client.count(index, body["query"])
        hits = list(itertools.islice(self._walk(index, body), offset, offset + size))
        return hits, total

    def _walk(self, index: str, body: dict) -> Iterator[dict]:
        """Every hit of a search in its sort order, in chunks of WALK_CHUNK (EngineClient.walk)."""
        return self.client.walk(index, body, chunk=WALK_CHUNK)

    # -- referrals ---------------------------------------------------------------------------
    def create_referral(self, referral: Referral, now: datetime, audit: AuditEntry, *,
                        max_pending: int | None = None) -> Referral:
        self._ensure()
        # Counted before the hold, from the case's document read by id: the engine has no transaction across
        # documents, so two requests racing for the last allowed slot of one case can both pass (one caseworker,
        # one case: rare). The case's document is written with the referral, under its sequence number.
        case = self._case(referral.created_by, referral.case_reference, referral.need, now)
        if max_pending is not None and len(case.pending) >= max_pending:
            raise TooManyPending(max_pending)
        # Taking the hold is the one atomic step, so the hold carries the referral and its audit entry: a
        # directory that dies before writing them leaves them to the next one (complete_unwritten_referrals),
        # never a held unit without its referral. From here on the referral only moves forward.
        unwritten = {"referral": self._with_event(referral.to_dict(), referral, audit.at),
                     "audit": self._audit_document(audit)}
        hold = {"referral_id": referral.id, "expires_at": referral.expires_at, "units": referral.units,
                "need": referral.need, "unwritten": unwritten}

        def take_hold(found: dict | None) -> dict:
            if found is None:
                raise NoCapacity(referral.provider_id)
            source = found["_source"]
            record = source["record"]
            holds = live_holds(source.get("holds", []), now)
            pool = pool_of(with_holds(_copy(record), held_by_need(holds)), referral.need)
            if not can_hold(status=record["status"], available=pool["available"], held=pool["held"],
                            units=referral.units):
                raise NoCapacity(referral.provider_id)
            return provider_document(record, holds + [hold], version=version_of(source))

        # No refresh: the hold is read by id (real time) when it is checked or given back, and searches
        # refresh before they read free units.
        read = self._read_again(self.providers, referral.provider_id)
        try:
            written = self._update_provider(referral.provider_id, take_hold, refresh=False, read=read)
        except NoCapacity:
            if read is None:
                raise
            written = self._update_provider(referral.provider_id, take_hold, refresh=False)
        if written is None:
            raise NoCapacity(referral.provider_id)
        self._write_unwritten(unwritten, case)
        return referral

    def _write_unwritten(self, unwritten: dict, case: "_Case | None" = None) -> None:
        """Write a held referral and its audit entry unless they are there already (safe to repeat, and to race), and
        enter the referral in its case's document.

        One request for the three, without a refresh: the referral is read by id, and referral lists refresh first.
        `case`: the case as read before the hold; without it (a directory finishing this), or when the case's
        document changed since it was read, the entry is added to the document as it is then.
        """
        referral = unwritten["referral"]
        write = case.write(self.cases, _case_entry(referral)) if case else None
        conflicted = self._create_all_if_absent([(self.referrals, referral), (self.audit, unwritten["audit"])], write)
        if write is None or conflicted:
            self._enter_case(referral)

    def _case(self, created_by: str, case_reference: str, need: str, now: datetime) -> "_Case":
        """A caseworker's case (for one need) as its document is now, with its pending referrals, oldest first.

        Whether a referral is pending is read from the referral itself (by id, real time), as its status is at
        `now`. One not written yet counts as pending for CASE_GRACE after it was made (see `_write_unwritten`).
        """
        key = case_key(created_by, case_reference, need)
        found = self.client.get(self.cases, key)
        entries = [entry for entry in (found["_source"]["referrals"] if found else ())
                   if not hold_has_ended(entry["expires_at"], now)]
        written = self.client.mget(self.referrals, [entry["id"] for entry in entries])
        pending = []
        for entry in entries:
            document = written.get(entry["id"])
            if document is None:
                if now - parse_time(entry["created_at"]) <= CASE_GRACE:
                    pending.append(entry)
            elif referral_of(document["_source"]).effective_status(now) == "pending":
                pending.append(entry)
        return _Case(key, found, pending)

    def _enter_case(self, referral: dict) -> None:
        """Add a referral to its case's document as the document is now, under its sequence number (retried)."""
        key = case_key(referral["created_by"], referral["case_reference"], referral["need"])
        entry = _case_entry(referral)
        for attempt in itertools.count():
            found = self.client.get(self.cases, key)
            entries = [kept for kept in (found["_source"]["referrals"] if found else ()) if kept["id"] != entry["id"]]
            document = {"id": key, "referrals": entries + [entry]}
            try:
                if found is None:
                    self.client.index(self.cases, key, document, refresh=False, op_type="create", require_alias=True)
                else:
                    self.client.index(self.cases, key, document, refresh=False, require_alias=True,
                                      if_seq_no=found["_seq_no"], if_primary_term=found["_primary_term"])
                return
            except VersionConflict:
                if attempt >= CONFLICT_RETRIES:
                    raise StoreUnavailable("too many concurrent changes to one case; try again") from None
                _pause_after_conflict(attempt)

    def _enter_pending_in_cases(self) -> None:
        """Enter the pending referrals in their cases, when the cases index has just been created (see
        `_ensure_cases`). Safe to repeat, and to race with referrals being made."""
        self.client.refresh(self.referrals, patient=False)
        entered = 0
        for hit in self._walk(self.referrals, pending_body(datetime.now(timezone.utc))):
            self._enter_case(hit["_source"])
            entered += 1
        if entered:
            log.info("entered pending referrals in their cases", extra={"count": entered})

    def complete_unfinished_writes(self) -> int:
        """Finish what a directory that died mid-write left undone; returns how many writes were finished.

        Referrals and audit entries still carried by a provider document are written; holds of referrals that
        were accepted, declined or cancelled but whose unit was not yet given back (or used) are released.
        Every step is safe to repeat and to race with a live write. Runs when a directory starts using the
        store, and on readiness checks.
        """
        self._completed_at = time.monotonic()
        # The search below must see every document written so far, including those of a bulk load cut short
        # before its closing refresh, or a `wait_for` write whose refresh is not due yet.
        self.client.refresh(self.providers, patient=False)
        body = {"query": {"bool": {"should": [{"exists": {"field": "hold_expiry_ms"}},
                                              {"exists": {"field": "unwritten_audit_ids"}}]}},
                "sort": [{"id": "asc"}]}
        finished = 0
        for hit in self._walk(self.providers, body):
            source = hit["_source"]
            holds = source.get("holds", [])
            carried = {hold["referral_id"] for hold in holds if "unwritten" in hold}
            for hold in holds:
                if "unwritten" in hold:
                    self._write_unwritten(hold["unwritten"])
            audits = source.get("unwritten_audit", [])
            self._write_audits(audits)
            referrals = self.client.mget(self.referrals, [hold["referral_id"] for hold in holds])
            moved_on = {rid: doc["_source"]["status"] for rid, doc in referrals.items()
                        if doc["_source"]["status"] != "pending"}
            if carried or audits or moved_on:
                self._tidy(hit["_id"], carried, {doc["id"] for doc in audits}, moved_on)
                finished += len(carried) + len(audits) + len(moved_on)
        if finished:
            log.info("finished writes a directory left unfinished", extra={"count": finished})
        self._completed_once = True
        return finished

    def _tidy(self, provider_id: str, carried: set[str], written_audits: set[str], moved_on: dict[str, str]) -> None:
        """Drop what is now written from a provider document, and release the holds of referrals that moved on."""
        now = iso(datetime.now(timezone.utc))

        def tidy(found: dict) -> dict | None:
            source = found["_source"]
            record = source["record"]
            holds = []
            version = version_of(source)
            for hold in source.get("holds", []):
                if hold["referral_id"] in moved_on:
                    if moved_on[hold["referral_id"]] == "accepted":
                        capacity = pool_of(record, hold.get("need"))
                        capacity["available"] = after_use(capacity["available"], hold_units(hold))
                        capacity["updated"] = record["last_modified"] = now
                        version = version_of(source) + 1
                    continue
                holds.append({k: v for k, v in hold.items() if k != "unwritten"}
                             if hold["referral_id"] in carried else hold)
            tidied = provider_document(record, holds, version=version)
            pending = [doc for doc in source.get("unwritten_audit", []) if doc["id"] not in written_audits]
            return dict(tidied, unwritten_audit=pending, unwritten_audit_ids=[doc["id"] for doc in pending])

        self._update_provider(provider_id, tidy, refresh=False)

    def _release_hold(self, provider_id: str, referral_id: str, audit: AuditEntry, *,
                      use_unit_at: datetime | None = None) -> dict | None:
        """Give a held unit back, or (accepting) turn it into a used one (available goes down by one), and write
        the transition's audit entry.

        The referral is claimed already, so the entry is true whatever becomes of the hold: it goes to the audit
        index before the provider document is written, in one request with the entries that document still
        carries from earlier changes, which the written document then no longer carries. One round trip fewer
        than carrying the entry and writing it after, and later changes do not send those entries again.
        """
        document = self._audit_document(audit)
        logged = []

        def release(found: dict) -> dict | None:
            source = found["_source"]
            carried = source.get("unwritten_audit", [])
            self._create_all_if_absent([(self.audit, entry) for entry in carried + [document]])
            logged.append(document["id"])
            record = source["record"]
            holds = [hold for hold in source.get("holds", []) if hold["referral_id"] != referral_id]
            if len(holds) == len(source.get("holds", [])):
                return None  # released already (a directory finishing this write): the unit is not used twice
            released = next(hold for hold in source.get("holds", []) if hold["referral_id"] == referral_id)
            version = version_of(source)
            if use_unit_at is not None:
                capacity = pool_of(record, released.get("need"))
                capacity["available"] = after_use(capacity["available"], hold_units(released))
                capacity["updated"] = record["last_modified"] = iso(use_unit_at)
                version += 1
            return dict(provider_document(record, holds, version=version), unwritten_audit=[], unwritten_audit_ids=[])

        # No refresh: holds are read by id, and searches refresh before they read free units.
        written = self._update_provider(provider_id, release, refresh=False)
        if not logged:  # no provider document (deleted meanwhile): the entry on its own
            self._write_audits([document])
        return written

    def get_referral(self, referral_id: str) -> Referral | None:
        self._ensure()
        found = self.client.get(self.referrals, referral_id)
        if found is None:
            return None
        self._remember_read(self.referrals, found)
        return referral_of(found["_source"])

    def transition_referral(self, referral_id, to_status, now, audit, *, reason=None, note=None):
        self._ensure()
        # The caller's own read of the referral may open the claim: a referral never goes back to pending, so
        # a refusal on it stands, and a claim on it fails (409) if anything moved the referral meanwhile.
        read = self._read_again(self.referrals, referral_id)
        for attempt in itertools.count():
            found = read if attempt == 0 and read is not None else self.client.get(self.referrals, referral_id)
            if found is None:
                raise KeyError(referral_id)
            referral = referral_of(found["_source"])
            current = referral.effective_status(now)
            if current != "pending":
                raise InvalidTransition(current, to_status)
            changed = dict(found["_source"], status=to_status, updated_at=iso(now), reason=reason, note=note)
            changed = self._with_event(changed, referral_of(changed), iso(now))
            try:
                # Claiming the referral first: of two concurrent transitions only one gets past here.
                self._blocked_retry(lambda: self.client.index(
                    self.referrals, referral_id, changed, refresh=False, require_alias=True,
                    if_seq_no=found["_seq_no"], if_primary_term=found["_primary_term"]))
                break
            except VersionConflict:
                if attempt >= CONFLICT_RETRIES:
                    raise StoreUnavailable("too many concurrent changes to one referral; try again") from None
        # The hold may be gone already (its provider deleted, or a directory finishing this): the entry is written.
        self._release_hold(referral.provider_id, referral_id, audit,
                           use_unit_at=now if to_status == "accepted" else None)
        if to_status == "accepted":
            self._cancel_siblings(referral, now, audit)
        return referral_of(changed)

    def _with_event(self, source: dict, referral: Referral, at: str, type_: str | None = None) -> dict:
        """A referral document carrying the event of its change, after any not yet moved to the outbox."""
        events = source.get("unwritten_events", []) + [referral_event(referral, at, seq=self._next_seq(), type_=type_)]
        return dict(source, unwritten_events=events, has_unwritten_events=True)

    def _cancel_siblings(self, accepted: Referral, now: datetime, audit: AuditEntry) -> None:
        """One hold per case: the caseworker's other pending referrals for the case and need end with the accept.

        Each is its own transition (no transaction spans documents); one that moved on meanwhile is left as it is.
        """
        case = self._case(accepted.created_by, accepted.case_reference, accepted.need, now)
        for entry in case.pending:
            if entry["id"] == accepted.id:
                continue
            try:
                self.transition_referral(entry["id"], "cancelled", now,
                                         sibling_cancel_audit(audit, entry["id"], accepted.id),
                                         reason=PLACED_ELSEWHERE)
            except (InvalidTransition, KeyError):
                pass  # moved on meanwhile, or not written yet (being made, or left for the next directory to finish)

    def list_referrals(self, query: ReferralFilter, now: datetime) -> Page:
        self._ensure()
        self._fresh(self.referrals)
        hits, total = self._page(self.referrals, referrals_body(query, now), query.page, query.size)
        return Page([referral_of(hit["_source"]).as_of(now) for hit in hits], total)

    def expire_referrals(self, now: datetime) -> int:
        self._ensure()
        self._fresh(self.referrals)
        actions = []
        for hit in self._walk(self.referrals, passed_holds_body(now)):
            source = dict(hit["_source"], status="expired", updated_at=hit["_source"]["expires_at"])
            source = self._with_event(source, referral_of(source), source["expires_at"])
            actions.append({"_op_type": "index", "_index": self.referrals, "_id": hit["_id"],
                            "_source": source,
                            "if_seq_no": hit["_seq_no"], "if_primary_term": hit["_primary_term"]})
        if not actions:
            return 0
        failed = self._blocked_retry(lambda: self.client.bulk(actions, refresh=False, require_alias=True))
        # A conflict means the referral moved on meanwhile (accepted, cancelled): it is not expired by us.
        for item in failed:
            result = next(iter(item.values()))
            if result.get("status") != 409:
                raise RuntimeError(f"expiring referral {result.get('_id')} failed: {result.get('error')}")
        not_expired = {next(iter(item.values())).get("_id") for item in failed}
        expired = [(self.audit, self._audit_document(expiry_audit(action["_id"], action["_source"]["expires_at"])))
                   for action in actions if action["_id"] not in not_expired]
        if expired:
            self._create_all_if_absent(expired)  # one request for the round's audit entries
        return len(actions) - len(failed)

    def remind_expiring(self, now: datetime, until: datetime) -> int:
        self._ensure()
        body = {"query": {"bool": {"filter": [{"term": {"status": "pending"}},
                                              {"range": {"expires_at": {"gt": iso(now), "lte": iso(until)}}}],
                                   "must_not": [{"term": {"reminded": True}}]}},
                "sort": [{"id": "asc"}], "seq_no_primary_term": True}
        self._fresh(self.referrals)
        actions = []
        for hit in self._walk(self.referrals, body):
            source = dict(hit["_source"], reminded=True)
            source = self._with_event(source, referral_of(source), iso(now), type_="referral.expiring")
            actions.append({"_op_type": "index", "_index": self.referrals, "_id": hit["_id"], "_source": source,
                            "if_seq_no": hit["_seq_no"], "if_primary_term": hit["_primary_term"]})
        if not actions:
            return 0
        # A conflict: the referral moved on or another directory reminded first; either way no second reminder.
        failed = self._blocked_retry(lambda: self.client.bulk(actions, refresh=False, require_alias=True))
        return len(actions) - len(failed)

    # -- audit -------------------------------------------------------------------------------
    def append_audit(self, entry: AuditEntry) -> None:
        self._ensure()
        self._append_audit(entry)

    def list_audit(self, query: AuditFilter) -> Page:
        self._ensure()
        self._fresh(self.audit)
        hits, total = self._page(self.audit, audit_body(query), query.page, query.size)
        fields = AuditEntry.__dataclass_fields__
        return Page([AuditEntry(**{k: v for k, v in hit["_source"].items() if k in fields}) for hit in hits], total)

    # -- copying between stores (migrate) ----------------------------------------------------
    def import_referrals(self, referrals: Iterable[Referral], now: datetime) -> int:
        """Store referrals as they are (a migration); pending, unexpired ones hold their unit again and are entered
        in their cases."""
        self._ensure()
        count = 0
        for chunk in _chunks(referrals, BULK_CHUNK):
            actions = [{"_op_type": "index", "_index": self.referrals, "_id": r.id, "_source": r.to_dict()}
                       for r in chunk]
            failed = self.client.bulk(actions, refresh=False, require_alias=True)
            if failed:
                raise RuntimeError(f"importing referrals failed: {failed[:3]}")
            for referral in chunk:
                if referral.effective_status(now) == "pending":
                    self._add_hold(referral)
                    self._enter_case(referral.to_dict())
            count += len(chunk)
        self.client.refresh(self.referrals)
        self.client.refresh(self.providers)
        return count

    def _add_hold(self, referral: Referral) -> None:
        hold = {"referral_id": referral.id, "expires_at": referral.expires_at, "units": referral.units,
                "need": referral.need}

        def add(found: dict) -> dict | None:
            source = found["_source"]
            holds = source.get("holds", [])
            if any(h["referral_id"] == referral.id for h in holds):
                return None
            return provider_document(source["record"], holds + [hold], version=version_of(source))

        self._update_provider(referral.provider_id, add, refresh=False)

    def rebuild_indices(self, *, kinds=None, progress=None) -> dict[str, str]:
        """New versioned indices with the current mappings, the alias switched in one step, the old deleted."""
        self._ensure()
        switched = reindex(self.client, self.names, self.config, MAPPINGS, kinds=tuple(kinds or KINDS),
                           progress=progress)
        return {kind: f"{old} -> {new}" for kind, (old, new) in switched.items()}

    def import_audit(self, entries: Iterable[AuditEntry]) -> int:
        """Append entries oldest first, keeping their order (a migration)."""
        self._ensure()
        count = 0
        for chunk in _chunks(entries, BULK_CHUNK):
            documents = [self._audit_document(entry) for entry in chunk]
            actions = [{"_op_type": "create", "_index": self.audit, "_id": doc["id"], "_source": doc}
                       for doc in documents]
            failed = self.client.bulk(actions, refresh=False, require_alias=True)
            if failed:
                raise RuntimeError(f"importing audit entries failed: {failed[:3]}")
            count += len(chunk)
        self.client.refresh(self.audit)
        return count


def _copy(document: dict) -> dict:
    """A deep copy of a document read from the engine (JSON through and through): several times quicker than
    copy.deepcopy, which a referral's create and cancel spent a millisecond in."""
    return jsonio.loads(jsonio.dumps(document))


def case_key(created_by: str, case_reference: str, need: str) -> str:
    """The id of a case's document: a hash of who referred, the case reference and the need."""
    return hashlib.sha256("\x1f".join((created_by, case_reference, need)).encode()).hexdigest()


def _case_entry(referral: dict) -> dict:
    return {"id": referral["id"], "created_at": referral["created_at"], "expires_at": referral["expires_at"]}


@dataclass(frozen=True)
class _Case:
    """A case's document as read (None: none yet) and its entries still pending."""

    key: str
    found: dict | None
    pending: list[dict]

    def write(self, index: str, entry: dict) -> dict:
        """The bulk action writing the document with its pending entries and `entry`, if it is still as read."""
        document = {"id": self.key, "referrals": self.pending + [entry]}
        if self.found is None:
            return {"_op_type": "create", "_index": index, "_id": self.key, "_source": document}
        return {"_op_type": "index", "_index": index, "_id": self.key, "_source": document,
                "if_seq_no": self.found["_seq_no"], "if_primary_term": self.found["_primary_term"]}


def _pause_after_conflict(attempt: int) -> None:
    """Before another attempt at a provider's conditional write: a jittered pause, growing with the attempts so
    contenders spread out instead of colliding again; StoreUnavailable once there were too many."""
    if attempt >= CONFLICT_RETRIES:
        raise StoreUnavailable("too many concurrent changes to one provider; try again") from None
    time.sleep(random.uniform(0, min(0.002 * (attempt + 1), 0.05)))


def referral_of(source: dict) -> Referral:
    """The referral of a document, without the events it may still carry."""
    return Referral(**{k: v for k, v in source.items() if k in REFERRAL_FIELDS})


REFERRAL_FIELDS = frozenset(Referral.__dataclass_fields__)


def _distance(hit: dict, near: tuple[float, float] | None) -> float | None:
    """Kilometres from `near` to the public point, as the embedded store computes them."""
    if near is None:
        return None
    point = hit["_source"]["public_point"]
    return distance_km(point["lat"], point["lon"], near[0], near[1])


def _replacement(record: dict, found: dict | None) -> dict:
    """The document of a record replacing the one found: its live capacity and holds kept, its version one up.

    A new provider starts at version 1 with the capacity it was given.
    """
    if found is None:
        return provider_document(record, [], version=1)
    source = found["_source"]
    return provider_document(keep_live_capacity(record, source["record"]), source.get("holds", []),
                             version=version_of(source) + 1)


def _chunks(items: Iterable, size: int) -> Iterator[list]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk

