"""Reminders of capacity about to go stale: at most three per count, each with a one-time link to confirm it."""
from __future__ import annotations

from datetime import datetime, timedelta
from itertools import islice
from typing import Iterable, Iterator

from ...shared.errors import ApiError, bad_field
from ...shared.identity import Caller
from ..domain.rules import STALE_AFTER, capacity_age, iso
from .links import InvalidLink, make_link_token, read_link_token

MAX_REMINDERS = 3
PAGE = 500  # providers whose reminders are read and written together


def capacity_event_id(provider_id: str, updated: str, number: int) -> str:
    """One id per provider, count and reminder: a second directory making the same reminder writes nothing."""
    return f"evt_stale_{provider_id}_{int(datetime.fromisoformat(updated).timestamp())}_{number}"


def remind_stale(*, notifier, store, secret: bytes, now: datetime, before: timedelta, spacing: timedelta,
                 page: int = PAGE) -> int:
    """Remind active providers whose count goes stale within `before` (or is stale): the next of at most three
    reminders, `spacing` apart; returns how many were written.

    The providers are read to the end first (their ids and count times only), so no read of the store stays
    open while the reminders are written; then a page of them at a time: one read of the reminders they had,
    one write of the next ones.
    """
    due = [(record["id"], record["capacity"]["updated"]) for record in store.iter_providers(now)
           if record["status"] == "active" and capacity_age(record["capacity"]["updated"], now) >= STALE_AFTER - before]
    written = 0
    for counts in _pages(due, page):
        sent = notifier.store.get_events([capacity_event_id(provider_id, updated, number)
                                          for provider_id, updated in counts for number in range(1, MAX_REMINDERS + 1)])
        events = [event for provider_id, updated in counts
                  if (event := _next_reminder(provider_id, updated, sent, secret=secret, now=now, spacing=spacing))]
        if events:
            written += len(notifier.store.add_events_once(events))
    return written


def _next_reminder(provider_id: str, updated: str, sent: dict[str, dict], *, secret: bytes, now: datetime,
                   spacing: timedelta) -> dict | None:
    """The provider's next reminder for its count of `updated`, given those it had; None after three, or until
    `spacing` has passed."""
    previous = None
    for number in range(1, MAX_REMINDERS + 1):
        event_id = capacity_event_id(provider_id, updated, number)
        if event_id in sent:
            previous = sent[event_id]
            continue
        if previous is not None and now - datetime.fromisoformat(previous["at"]) < spacing:
            return None
        return {"id": event_id, "type": "capacity.stale", "at": iso(now), "referral_id": f"capacity:{provider_id}",
                "provider_id": provider_id, "created_by": "", "capacity_updated": updated, "reminder": number,
                "token": make_link_token(secret, provider_id, updated, now)}
    return None


def _pages(items: Iterable, size: int) -> Iterator[list]:
    items = iter(items)
    while chunk := list(islice(items, size)):
        yield chunk


def confirm_by_link(*, store, secret: bytes, viewer: Caller, token: str, available: int | None, now: datetime,
                    request_id: str | None, set_capacity) -> dict:
    """Confirm (no count) or update the count a one-time link was made for."""
    try:
        provider_id, updated = read_link_token(secret, token, now)
    except InvalidLink as err:
        raise bad_field("token", str(err)) from None
    if not viewer.owns(provider_id):
        raise bad_field("token", "not a capacity link")
    record = store.get_provider(provider_id, now)
    if record is None or record["capacity"]["updated"] != updated:
        raise ApiError(409, "link_used", "this link was used or the count has changed since; nothing was saved")
    count = record["capacity"]["available"] if available is None else available
    view, _ = set_capacity(store=store, viewer=viewer, provider_id=provider_id, available=count, maximum=None,
                           now=now, request_id=request_id)
    return {"provider_id": provider_id, "available": view["capacity"]["available"],
            "updated": view["capacity"]["updated"]}
