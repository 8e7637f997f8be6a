"""Notifications on the search engine: outbox, subscriptions and deliveries in indices of their own.

The engine has no transaction across documents, so an event rides on the referral document whose change
it reports (`unwritten_events`, written in the same conditional write) and is moved from there to the
outbox index under its own id (`op_type=create`: a second move writes nothing), then dropped from the
referral document under its sequence number. A directory that dies in between leaves it to the next move.
"""
from __future__ import annotations

import logging

from ...shared.engine.client import VersionConflict
from ...shared.engine.indices import ensure_indices
from ...shared.stores import StoreUnavailable
from .store import Delivery, NotificationStore, Subscription

_KEYWORD = {"type": "keyword"}
_STORED = {"type": "object", "enabled": False}
NOTIFICATION_MAPPINGS = {
    "outbox": {"dynamic": "strict", "properties": {
        "id": _KEYWORD, "seq": {"type": "long"}, "fanned_out": {"type": "boolean"}, "event": _STORED}},
    "webhooks": {"dynamic": "strict", "properties": {
        "id": _KEYWORD, "subject": _KEYWORD, "role": _KEYWORD, "provider_ids": _KEYWORD, "url": _KEYWORD,
        "events": _KEYWORD, "sealed_secret": {"type": "keyword", "index": False, "doc_values": False},
        "created_at": {"type": "date"}, "description": {"type": "keyword", "index": False, "doc_values": False}}},
    "deliveries": {"dynamic": "strict", "properties": {
        "id": _KEYWORD, "seq": {"type": "long"}, "event_id": _KEYWORD, "subscription_id": _KEYWORD,
        "referral_id": _KEYWORD, "type": _KEYWORD, "event_at": {"type": "date"},
        "body": {"type": "keyword", "index": False, "doc_values": False}, "status": _KEYWORD,
        "attempts": {"type": "integer"}, "next_at": _KEYWORD, "last_error": {"type": "keyword", "index": False},
        "delivered_at": _KEYWORD}},
}
NOTIFICATION_KINDS = tuple(NOTIFICATION_MAPPINGS)
WRITE_CHUNK = 500  # documents written in one bulk request
READ_CHUNK = 1500  # ids read in one mget: the three reminders of a page of 500 providers
log = logging.getLogger(__name__)


class SearchEngineNotificationStore(NotificationStore):
    def __init__(self, directory_store):
        self.directory = directory_store
        self.client = directory_store.client
        self.names = directory_store.names
        self.outbox = self.names.alias("outbox")
        self.webhooks = self.names.alias("webhooks")
        self.deliveries = self.names.alias("deliveries")
        self._ready = False

    def _ensure(self) -> None:
        if not self._ready:
            self.directory._ensure()
            ensure_indices(self.client, self.names, self.directory.config, NOTIFICATION_MAPPINGS)
            self._ready = True

    def _create(self, index: str, doc_id: str, document: dict) -> None:
        try:
            self.client.index(index, doc_id, document, refresh="true", op_type="create", require_alias=True)
        except VersionConflict:
            pass  # there already: a move or fan-out repeated

    def add_subscription(self, subscription: Subscription) -> None:
        self._ensure()
        self._create(self.webhooks, subscription.id, subscription.__dict__)

    def subscriptions(self, subject: str | None = None) -> list[Subscription]:
        self._ensure()
        query = {"term": {"subject": subject}} if subject is not None else {"match_all": {}}
        hits = self.client.walk(self.webhooks, {"query": query, "sort": [{"created_at": "asc"}, {"id": "asc"}]})
        return [Subscription(**hit["_source"]) for hit in hits]

    def delete_subscription(self, subscription_id: str, subject: str) -> bool:
        self._ensure()
        found = self.client.get(self.webhooks, subscription_id)
        if found is None or found["_source"]["subject"] != subject:
            return False
        self.client.delete(self.webhooks, subscription_id, refresh="true")
        # Its pending deliveries, however many, in one request (a round skips any a directory dying here leaves).
        self.client.refresh(self.deliveries, patient=False)
        pending = {"query": {"bool": {"filter": [{"term": {"subscription_id": subscription_id}},
                                                 {"term": {"status": "pending"}}]}}, "sort": [{"id": "asc"}]}
        self._bulk([{"_op_type": "delete", "_index": self.deliveries, "_id": hit["_id"]}
                    for hit in self.client.walk(self.deliveries, pending)])
        return True

    def move_events(self) -> int:
        """Move events carried by referral documents to the outbox index; returns how many documents were tidied."""
        self._ensure()
        referrals = self.directory.referrals
        self.client.refresh(referrals, patient=False)
        hits = self.client.search(referrals, {"query": {"term": {"has_unwritten_events": True}}, "size": 500,
                                              "seq_no_primary_term": True})["hits"]["hits"]
        # Every event into the outbox first, in one request: a document is tidied only once its events are there.
        self._bulk([{"_op_type": "create", "_index": self.outbox, "_id": event["id"],
                     "_source": {"id": event["id"], "seq": event["seq"], "fanned_out": False, "event": event}}
                    for hit in hits for event in hit["_source"].get("unwritten_events", [])])
        # A conflict: changed meanwhile, with a new event; the next move takes it, the ones moved stay once.
        changed = self._bulk([{"_op_type": "index", "_index": referrals, "_id": hit["_id"],
                               "_source": {k: v for k, v in hit["_source"].items()
                                           if k not in ("unwritten_events", "has_unwritten_events")},
                               "if_seq_no": hit["_seq_no"], "if_primary_term": hit["_primary_term"]} for hit in hits])
        return len(hits) - len(changed)

    def add_events_once(self, events: list[dict]) -> list[str]:
        self._ensure()
        unique = list({event["id"]: event for event in reversed(events)}.values())[::-1]  # the first of each id
        documents = [dict(event, seq=self.directory._next_seq()) for event in unique]
        present = self._bulk([{"_op_type": "create", "_index": self.outbox, "_id": event["id"],
                               "_source": {"id": event["id"], "seq": event["seq"], "fanned_out": False, "event": event}}
                              for event in documents])
        return [event["id"] for event in documents if event["id"] not in present]

    def get_events(self, event_ids: list[str]) -> dict[str, dict]:
        self._ensure()
        found = {}
        for start in range(0, len(event_ids), READ_CHUNK):
            for doc_id, document in self.client.mget(self.outbox, event_ids[start:start + READ_CHUNK]).items():
                found[doc_id] = document["_source"]["event"]
        return found

    def events_to_fan_out(self, limit: int) -> list[dict]:
        self.move_events()
        self.client.refresh(self.outbox, patient=False)
        hits = self.client.search(self.outbox, {"query": {"term": {"fanned_out": False}},
                                                "sort": [{"seq": "asc"}, {"id": "asc"}], "size": limit})["hits"]["hits"]
        return [hit["_source"]["event"] for hit in hits]

    def fan_out_all(self, fanned: list[tuple[dict, list[Delivery]]]) -> None:
        self._ensure()
        self._bulk([{"_op_type": "create", "_index": self.deliveries, "_id": delivery.id, "_source": delivery.__dict__}
                    for _, deliveries in fanned for delivery in deliveries])
        # Marked only after every delivery is written: an event whose deliveries failed is fanned out again.
        self._bulk([{"_op_type": "index", "_index": self.outbox, "_id": event["id"],
                     "_source": {"id": event["id"], "seq": event["seq"], "fanned_out": True, "event": event}}
                    for event, _ in fanned])

    def _bulk(self, actions: list[dict]) -> set[str]:
        """Write actions in one request (or a few, for many); the ids that were there already (a `create`
        refused), any other failure raised."""
        if not actions:
            return set()
        failed = [next(iter(item.values())) for item in self.client.bulk(actions, refresh="true", require_alias=True,
                                                                          chunk_size=WRITE_CHUNK)]
        unwritten = [result for result in failed if result.get("status") != 409]
        if unwritten:
            raise StoreUnavailable(f"could not write {len(unwritten)} notification documents: {unwritten[:1]}")
        return {result.get("_id") for result in failed}

    def pending_deliveries(self, limit: int) -> list[Delivery]:
        self._ensure()
        self.client.refresh(self.deliveries, patient=False)
        hits = self.client.search(self.deliveries, {"query": {"term": {"status": "pending"}},
                                                    "sort": [{"seq": "asc"}, {"id": "asc"}], "size": limit})
        return [Delivery(**hit["_source"]) for hit in hits["hits"]["hits"]]

    def failed_deliveries(self, limit: int) -> list[Delivery]:
        self._ensure()
        self.client.refresh(self.deliveries, patient=False)
        hits = self.client.search(self.deliveries, {"query": {"term": {"status": "failed"}},
                                                    "sort": [{"seq": "desc"}, {"id": "asc"}], "size": limit})
        return [Delivery(**hit["_source"]) for hit in hits["hits"]["hits"]]

    def record_attempt(self, delivery: Delivery) -> None:
        # No refresh (one per attempt cost more than the attempt's write): every search of deliveries refreshes first.
        self._ensure()
        self.client.index(self.deliveries, delivery.id, delivery.__dict__, refresh=False, require_alias=True)

    def delivery_counts(self) -> dict[str, int]:
        self._ensure()
        self.client.refresh(self.deliveries, patient=False)
        answer = self.client.search(self.deliveries, {"size": 0, "aggs": {"by": {"terms": {"field": "status"}}}})
        return {bucket["key"]: bucket["doc_count"] for bucket in answer["aggregations"]["by"]["buckets"]}
