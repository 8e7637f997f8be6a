"""Reminders of capacity about to go stale: at most three per count, each with a one-time link to confirm it."""
from __future__ import annotations

from datetime import datetime, timedelta

from ...shared.errors import ApiError, bad_field
from ...shared.identity import Caller
from ..domain.rules import STALE_AFTER, capacity_age, iso
from .links import InvalidLink, make_link_token, read_link_token

MAX_REMINDERS = 3


def capacity_event_id(provider_id: str, updated: str, number: int) -> str:
    """One id per provider, count and reminder: a second directory making the same reminder writes nothing."""
    return f"evt_stale_{provider_id}_{int(datetime.fromisoformat(updated).timestamp())}_{number}"


def remind_stale(*, notifier, store, secret: bytes, now: datetime, before: timedelta, spacing: timedelta) -> int:
    """Remind active providers whose count goes stale within `before` (or is stale): the next of at most three
    reminders, `spacing` apart; returns how many were written."""
    written = 0
    for record in store.iter_providers(now):
        capacity = record["capacity"]
        if record["status"] != "active" or capacity_age(capacity["updated"], now) < STALE_AFTER - before:
            continue
        previous = None
        for number in range(1, MAX_REMINDERS + 1):
            event_id = capacity_event_id(record["id"], capacity["updated"], number)
            sent = notifier.store.get_event(event_id)
            if sent is not None:
                previous = sent
                continue
            if previous is not None and now - datetime.fromisoformat(previous["at"]) < spacing:
                break
            event = {"id": event_id, "type": "capacity.stale", "at": iso(now), "referral_id": f"capacity:{record['id']}",
                     "provider_id": record["id"], "created_by": "", "capacity_updated": capacity["updated"],
                     "reminder": number, "token": make_link_token(secret, record["id"], capacity["updated"], now)}
            written += notifier.store.add_event_once(event)
            break
    return written


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
