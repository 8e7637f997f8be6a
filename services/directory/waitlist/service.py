"""Use cases of the waiting list: wait, list, withdraw, and offer a hold to the longest-waiting entry that fits."""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from ...shared.errors import ApiError, forbidden, not_found
from ...shared.identity import Caller
from ...shared.placement import CandidateQuery
from ..domain.referrals import NoCapacity, Referral, TooManyPending, hold_until
from ..domain.rules import iso
from ..store import AuditEntry, DirectoryStore
from .models import MAX_WAIT_HOURS, OFFER_CANDIDATES, WaitlistEntry
from .store import WaitlistStore

log = logging.getLogger("haven.directory.waitlist")
MAX_ENTRIES = 20  # per caseworker
DEFAULT_HOLD_MINUTES = 240


def _caseworker(viewer: Caller) -> None:
    if viewer.role != "caseworker":
        raise forbidden("only caseworkers keep a waiting list")


def wait(*, waitlist: WaitlistStore, store: DirectoryStore, viewer: Caller, data: dict, now: datetime,
         request_id: str | None) -> dict:
    """Wait for a need with its hard filters only; the entry ends within `hours` (at most 72)."""
    _caseworker(viewer)
    if len(waitlist.entries(viewer.subject)) >= MAX_ENTRIES:
        raise ApiError(409, "too_many_entries", f"at most {MAX_ENTRIES} waiting-list entries per caseworker")
    query = CandidateQuery.from_wire(dict(data["query"], limit=OFFER_CANDIDATES)).to_wire()
    entry = WaitlistEntry(id=str(uuid.uuid4()), created_by=viewer.subject, case_reference=data["case_reference"],
                          need=query["need"], query=query, created_at=iso(now),
                          expires_at=iso(now + timedelta(hours=min(data.get("hours") or MAX_WAIT_HOURS, MAX_WAIT_HOURS))))
    waitlist.add(entry)
    store.append_audit(AuditEntry(at=iso(now), actor=viewer.subject, role=viewer.role, action="waitlist.add",
                                  target=entry.id, request_id=request_id, detail=f"need={entry.need}"))
    return entry.to_dict()


def list_entries(*, waitlist: WaitlistStore, viewer: Caller, now: datetime) -> list[dict]:
    """The caseworker's own entries, longest waiting first (ended ones are gone or about to be)."""
    _caseworker(viewer)
    return [e.to_dict() for e in waitlist.entries(viewer.subject) if e.expires_at > iso(now)]


def withdraw(*, waitlist: WaitlistStore, viewer: Caller, entry_id: str) -> None:
    _caseworker(viewer)
    if not waitlist.take(entry_id, viewer.subject):
        raise not_found("waiting-list entry")


def serve(*, waitlist: WaitlistStore, store: DirectoryStore, now: datetime, max_pending: int | None = None) -> int:
    """Delete ended entries, then offer each waiting entry, longest first, a hold at the nearest provider that
    fits and has a unit free; an entry that got one is deleted. Returns how many holds were made."""
    waitlist.drop_ended(iso(now))
    made = 0
    for entry in waitlist.entries():
        found = store.candidates(CandidateQuery.from_wire(entry.query), now)
        if not found or not waitlist.take(entry.id):
            continue  # nothing fits yet, or another directory took this entry first
        referral = _hold(store, entry, [record for record, _ in found], now, max_pending)
        if referral is None:
            waitlist.add(entry)  # the units went meanwhile: it keeps its place in the queue
            continue
        made += 1
    return made


def _hold(store: DirectoryStore, entry: WaitlistEntry, providers: list[dict], now: datetime,
          max_pending: int | None) -> Referral | None:
    for record in providers:
        minutes = record.get("hold_minutes") or DEFAULT_HOLD_MINUTES
        referral = Referral(id=str(uuid.uuid4()), provider_id=record["id"], need=entry.need,
                            case_reference=entry.case_reference, status="pending", created_by=entry.created_by,
                            created_at=iso(now), expires_at=hold_until(now, minutes), updated_at=iso(now))
        audit = AuditEntry(at=iso(now), actor=entry.created_by, role="caseworker", action="referral.create",
                           target=referral.id, request_id=None, detail=f"provider={record['id']} waitlist={entry.id}")
        try:
            # Its referral.created event tells the provider and the waiting caseworker at once.
            return store.create_referral(referral, now, audit, max_pending=max_pending)
        except NoCapacity:
            continue
        except TooManyPending:
            return None
    return None
