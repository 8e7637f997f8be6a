"""The notifications' store port: subscriptions, the outbox the directory's stores write, and deliveries.

Deliveries are made from outbox events in two steps, each safe to repeat: fanning an event out writes
one delivery per subscriber that hears it (its id made of the event's and the subscription's, so a
second fan-out writes nothing new) and then marks the event done; delivering records each attempt.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime


@dataclass
class Subscription:
    id: str
    subject: str
    role: str
    provider_ids: list
    url: str
    events: list
    sealed_secret: str
    created_at: str
    description: str | None = None

    def public(self) -> dict:
        """What its owner sees of it: never the secret."""
        return {"id": self.id, "url": self.url, "events": list(self.events), "description": self.description,
                "created_at": self.created_at}


@dataclass
class Delivery:
    id: str
    seq: int
    event_id: str
    subscription_id: str
    referral_id: str
    type: str
    event_at: str
    body: str
    status: str = "pending"        # pending, delivered, failed
    attempts: int = 0
    next_at: str = ""
    last_error: str | None = None
    delivered_at: str | None = None


def delivery_id(event_id: str, subscription_id: str) -> str:
    return f"{event_id}.{subscription_id}"


class NotificationStore(ABC):
    @abstractmethod
    def add_subscription(self, subscription: Subscription) -> None: ...

    @abstractmethod
    def subscriptions(self, subject: str | None = None) -> list[Subscription]:
        """One account's subscriptions, or all (None), oldest first."""

    @abstractmethod
    def delete_subscription(self, subscription_id: str, subject: str) -> bool:
        """Delete one of this account's subscriptions, with its pending deliveries; False when there is none."""

    @abstractmethod
    def add_events_once(self, events: list[dict]) -> list[str]:
        """Put each event made outside a referral change in the outbox unless one of its id is there, in one write;
        the ids added.

        Two writers adding the same id at once: one of them adds it, the other leaves it as it is.
        """

    @abstractmethod
    def get_events(self, event_ids: list[str]) -> dict[str, dict]:
        """The outbox events of these ids that are there, by id, in one read (or a few, for many ids)."""

    @abstractmethod
    def events_to_fan_out(self, limit: int) -> list[dict]:
        """Outbox events not yet fanned out, in the order they were written."""

    @abstractmethod
    def fan_out_all(self, fanned: list[tuple[dict, list[Delivery]]]) -> None:
        """Write each event's deliveries (those already there stay as they are) and mark the events fanned out:
        one write of deliveries, then one of marks, so no event is marked before its deliveries are written."""

    @abstractmethod
    def pending_deliveries(self, limit: int) -> list[Delivery]:
        """Deliveries not yet made or given up, in event order."""

    @abstractmethod
    def record_attempt(self, delivery: Delivery) -> None:
        """Save a delivery's status, attempts, next time and last error after an attempt."""

    @abstractmethod
    def delivery_counts(self) -> dict[str, int]:
        """Deliveries by status, for the metrics and the admin page."""

    def recent_failures(self, limit: int = 20) -> list[Delivery]:
        """Deliveries being retried, oldest first, then those given up (the admin page)."""
        return ([d for d in self.pending_deliveries(500) if d.attempts] + self.failed_deliveries(limit))[:limit]

    @abstractmethod
    def failed_deliveries(self, limit: int) -> list[Delivery]:
        """Deliveries given up on, newest first."""


def parse(at: str) -> datetime:
    return datetime.fromisoformat(at)
