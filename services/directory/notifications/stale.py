"""Reminders of capacity about to go stale: at most three per count, each with a one-time link to confirm it.

A provider's pools are counted apart (the main `capacity`, a need's own pool in `service_capacity`): a
reminder asks about every pool of the provider that is due, and its link confirms those pools together.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from itertools import islice
from typing import Iterable, Iterator

from ...shared.capacity import in_pool_order, pools_of
from ...shared.errors import ApiError, bad_field
from ...shared.identity import Caller
from ..domain.rules import STALE_AFTER, iso, pool_summary, pools_older_than
from ..domain.versions import AboveMaximum, CountChanged
from .links import InvalidLink, make_link_token, read_link_token

MAX_REMINDERS = 3
PAGE = 500  # providers whose reminders are read and written together

Counts = dict  # {a pool's need, None for the main one: the `updated` of its count}


def capacity_event_id(provider_id: str, counted_at: Counts, number: int) -> str:
    """One id per provider, counts and reminder: a second directory making the same reminder writes nothing.

    `counted_at` names the pools asked about (the main pool alone gives the id as it was before care pools were
    counted apart); a pool reported since, or another one falling due, starts a new series."""
    parts = [("" if need is None else f"{need}-") + str(int(datetime.fromisoformat(counted_at[need]).timestamp()))
             for need in in_pool_order(counted_at)]
    return f"evt_stale_{provider_id}_{'_'.join(parts)}_{number}"


def _due(record: dict, now: datetime, before: timedelta) -> Counts:
    return {need: pool["updated"] for need, pool, _age in pools_older_than(record, now, STALE_AFTER - before)}


def remind_stale(*, notifier, store, secret: bytes, now: datetime, before: timedelta, spacing: timedelta,
                 page: int = PAGE) -> int:
    """Remind active providers with a count that goes stale within `before` (or is stale): the next of at most
    three reminders, `spacing` apart; returns how many were written.

    The providers are read to the end first (their ids and due counts only), so no read of the store stays
    open while the reminders are written; then a page of them at a time: one read of the reminders they had,
    one write of the next ones.
    """
    due = [(record["id"], record["capacity"]["updated"], counted_at) for record in store.iter_providers(now)
           if record["status"] == "active" and (counted_at := _due(record, now, before))]
    written = 0
    for counts in _pages(due, page):
        sent = notifier.store.get_events([capacity_event_id(provider_id, counted_at, number)
                                          for provider_id, _main, counted_at in counts
                                          for number in range(1, MAX_REMINDERS + 1)])
        events = [event for provider_id, main, counted_at in counts
                  if (event := _next_reminder(provider_id, main, counted_at, sent, secret=secret, now=now,
                                              spacing=spacing))]
        if events:
            written += len(notifier.store.add_events_once(events))
    return written


def _next_reminder(provider_id: str, main_updated: str, counted_at: Counts, sent: dict[str, dict], *,
                   secret: bytes, now: datetime, spacing: timedelta) -> dict | None:
    """The provider's next reminder for its due counts, given those it had; None after three, or until
    `spacing` has passed."""
    previous = None
    for number in range(1, MAX_REMINDERS + 1):
        event_id = capacity_event_id(provider_id, counted_at, number)
        if event_id in sent:
            previous = sent[event_id]
            continue
        if previous is not None and now - datetime.fromisoformat(previous["at"]) < spacing:
            return None
        return {"id": event_id, "type": "capacity.stale", "at": iso(now), "referral_id": f"capacity:{provider_id}",
                "provider_id": provider_id, "created_by": "", "capacity_updated": main_updated, "reminder": number,
                "pools": [{"need": need, "updated": counted_at[need]}
                          for need in in_pool_order(counted_at)],
                "token": make_link_token(secret, provider_id, counted_at, now)}
    return None


def _pages(items: Iterable, size: int) -> Iterator[list]:
    items = iter(items)
    while chunk := list(islice(items, size)):
        yield chunk


def _link_pools(*, secret: bytes, viewer: Caller, token: str, now: datetime) -> tuple[str, Counts]:
    try:
        provider_id, counted_at = read_link_token(secret, token, now)
    except InvalidLink as err:
        raise bad_field("token", str(err)) from None
    if not viewer.owns(provider_id):
        raise bad_field("token", "not a capacity link")
    return provider_id, counted_at


def _link_used() -> ApiError:
    return ApiError(409, "link_used", "this link was used or the count has changed since; nothing was saved")


def count_field(need: str | None) -> str:
    """The body field of a pool's new count: `available` for the main pool, `counts.<need>` for a need's own."""
    return "available" if need is None else f"counts.{need}"


def pools_by_link(*, store, secret: bytes, viewer: Caller, token: str, now: datetime) -> dict:
    """The pools a one-time link asks about, as they are now; 409 when the link is spent."""
    provider_id, counted_at = _link_pools(secret=secret, viewer=viewer, token=token, now=now)
    record = store.get_provider(provider_id, now)
    pools = dict(pools_of(record)) if record is not None else {}
    if any(need not in pools or pools[need]["updated"] != at for need, at in counted_at.items()):
        raise _link_used()
    return {"provider_id": provider_id, "name": record["name"],
            "pools": [pool_summary(need, pools[need]) for need in in_pool_order(counted_at)]}


def confirm_by_link(*, store, secret: bytes, viewer: Caller, token: str, available: int | None,
                    counts: dict[str, int], now: datetime, request_id: str | None, confirm_capacity) -> dict:
    """Confirm the counts a one-time link was made for, each as it is or with the new one given: `available`
    for the main pool, `counts` by need for a need's own pool; all at once or nothing."""
    provider_id, counted_at = _link_pools(secret=secret, viewer=viewer, token=token, now=now)
    given: dict[str | None, int] = dict(counts)
    if available is not None:
        given[None] = available
    unasked = sorted(count_field(need) for need in given if need not in counted_at)
    if unasked:
        raise ApiError(400, "validation_error", f"{unasked[0]}: this link does not ask about that count",
                       fields={field: ["this link does not ask about that count"] for field in unasked})
    try:
        view, _ = confirm_capacity(store=store, viewer=viewer, provider_id=provider_id, counted_at=counted_at,
                                   counts=given, now=now, request_id=request_id)
    except CountChanged:
        raise _link_used() from None
    except AboveMaximum as err:
        field = count_field(err.need)
        raise ApiError(400, "validation_error", f"{field}: {err}", fields={field: [str(err)]}) from None
    pools = dict(pools_of(view))
    return {"provider_id": provider_id, "available": view["capacity"]["available"],
            "updated": view["capacity"]["updated"],
            "pools": [pool_summary(need, pools[need]) for need in in_pool_order(counted_at)]}

