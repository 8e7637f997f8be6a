"""What an event about a referral says and who may hear it: ids, statuses, the case reference, links.

Never an address, a callback, a note or anything about the person: the receiver reads the referral itself
through the API, where each party sees only what is theirs to see.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from ..domain.referrals import Referral

EVENT_TYPES = ("referral.created", "referral.accepted", "referral.declined", "referral.cancelled",
               "referral.expiring", "referral.expired")
# Reminders go to the provider that must answer (and admins), not to the caseworker waiting for it.
PROVIDER_ONLY = {"referral.expiring", "capacity.stale"}
TYPE_OF_STATUS = {"pending": "referral.created", "accepted": "referral.accepted", "declined": "referral.declined",
                  "cancelled": "referral.cancelled", "expired": "referral.expired"}


def referral_event(referral: Referral, at: str, *, seq: int | None = None, type_: str | None = None) -> dict:
    """The outbox entry of a referral's change (or reminder), as the store writes it with the change."""
    event = {"id": f"evt_{uuid.uuid4().hex}", "type": type_ or TYPE_OF_STATUS[referral.status], "at": at,
             "referral_id": referral.id, "provider_id": referral.provider_id, "created_by": referral.created_by,
             "need": referral.need, "case_reference": referral.case_reference, "status": referral.status,
             "reason": referral.reason, "expires_at": referral.expires_at}
    if seq is not None:
        event["seq"] = seq
    return event


def payload(event: dict, public_url: str) -> dict:
    """The body a receiver gets (the Standard Webhooks shape: type, timestamp, data)."""
    base = public_url.rstrip("/")
    if event["type"] == "capacity.stale":
        return {"type": event["type"], "timestamp": event["at"], "data": {
            "provider_id": event["provider_id"], "capacity_updated": event["capacity_updated"],
            # The pools asked about (need None: the main one); a reminder written before they were named asked
            # about the main one only.
            "pools": event.get("pools") or [{"need": None, "updated": event["capacity_updated"]}],
            "reminder": event["reminder"], "links": {
                "confirm": f"{base}/capacity/confirm/{event['token']}",
                "provider": f"{base}/api/v1/providers/{event['provider_id']}"}}}
    return {"type": event["type"], "timestamp": event["at"], "data": {
        "referral_id": event["referral_id"], "provider_id": event["provider_id"], "need": event["need"],
        "status": event["status"], "reason": event["reason"], "case_reference": event["case_reference"],
        "expires_at": event["expires_at"],
        "links": {"referral": f"{base}/api/v1/referrals/{event['referral_id']}"}}}


@dataclass(frozen=True)
class Subscriber:
    """Whose events a subscription hears: the account that made it."""

    subject: str
    role: str
    provider_ids: tuple[str, ...]


def hears(subscriber: Subscriber, event_types: tuple[str, ...], event: dict) -> bool:
    """A provider hears about referrals to its providers, a caseworker about its own, an admin about all."""
    if event_types and event["type"] not in event_types:
        return False
    if subscriber.role == "admin":
        return True
    if subscriber.role == "caseworker" and event["type"] not in PROVIDER_ONLY:
        return event["created_by"] == subscriber.subject
    return subscriber.role == "provider" and event["provider_id"] in subscriber.provider_ids


@dataclass(frozen=True)
class RetrySchedule:
    """Exponential backoff: the n-th retry waits first_s * 2**(n-1), at most cap_s; then the delivery fails."""

    first_s: float = 10.0
    cap_s: float = 2 * 3600.0
    attempts: int = 15

    def next_attempt(self, attempts_made: int, now: datetime) -> datetime | None:
        """When to try again after `attempts_made` failed attempts; None when it is time to give up."""
        if attempts_made >= self.attempts:
            return None
        return now + timedelta(seconds=min(self.first_s * 2 ** (attempts_made - 1), self.cap_s))

    def delays(self) -> list[float]:
        return [min(self.first_s * 2 ** (n - 1), self.cap_s) for n in range(1, self.attempts)]
