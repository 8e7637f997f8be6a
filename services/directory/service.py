"""The directory's use cases: each takes the store, the viewer and the time, and returns plain data."""
from __future__ import annotations

import contextlib
import copy
import uuid
from datetime import datetime, timedelta
from typing import Sequence

from marshmallow import ValidationError

from ..shared.capacity import in_pool_order, pool_of, units_for
from ..shared.errors import ApiError, bad_field, conflict, forbidden, not_found, validation_error
from ..shared.metrics import count_referral
from .domain.queries import AuditFilter, CandidateQuery, Page, ReferralFilter, SearchQuery
from .domain.referrals import (TRANSITIONS, InvalidTransition, NoCapacity, Referral, TooManyPending, hold_until,
                               note_visible_to)
from ..shared.identity import Caller
from .domain.rules import iso, view_of
from .domain.versions import LIVE_CAPACITY, MaximumBelowAvailable, NoSuchPool, Precondition, StaleVersion, etag
from .stale import stale_providers
from .store import AuditEntry, DirectoryStore
from .store.base import ChangesUnavailable

ACTION_OF_STATUS = {"accepted": "referral.accept", "declined": "referral.decline", "cancelled": "referral.cancel"}


def audit_entry(viewer: Caller, action: str, target: str | None, now: datetime, request_id: str | None,
                detail: str | None = None) -> AuditEntry:
    return AuditEntry(at=iso(now), actor=viewer.subject, role=viewer.role, action=action, target=target,
                      request_id=request_id, detail=detail)


def _require(viewer: Caller, *roles: str) -> None:
    if viewer.role not in roles:
        raise forbidden()


# -- providers -------------------------------------------------------------------------------

def search_providers(*, store: DirectoryStore, viewer: Caller, query: SearchQuery, now: datetime) -> Page:
    """Search as the HSDS page envelope's contents; inactive providers only for admins."""
    _require(viewer, "caseworker", "admin")
    if query.include_inactive and not viewer.is_admin:
        raise forbidden("only admins can list inactive providers")
    page = store.search(query, now)
    return Page([view_of(record, viewer, now, distance) for record, distance in page.items], page.total)


def get_provider(*, store: DirectoryStore, viewer: Caller, provider_id: str, now: datetime) -> tuple[dict, str]:
    """One provider and its ETag, for caseworkers, admins and the provider itself."""
    if not (viewer.role in ("caseworker", "admin") or viewer.owns(provider_id)):
        raise forbidden()
    record = store.get_provider(provider_id, now)
    if record is None:
        raise not_found("provider")
    return _versioned_view(record, viewer, now)


def save_provider(*, store: DirectoryStore, viewer: Caller, data: dict, now: datetime, request_id: str | None,
                  provider_id: str | None = None, expected: Precondition | None = None) -> tuple[dict, str, bool]:
    """Create (no id) or replace (PUT) a provider; returns (view, ETag, created).

    A replacement keeps the stored `capacity.available` and `capacity.updated`: those change only
    through capacity reports and accepted referrals, so an edit never puts an older count back.
    """
    _require(viewer, "admin")
    record = _normalise(data, now)
    if provider_id is not None:
        if data.get("id") and str(data["id"]) != provider_id:
            raise ApiError(400, "validation_error", "id: does not match the path", fields={"id": ["does not match the path"]})
        record["id"] = provider_id
    existing = store.get_provider(record["id"], now)
    if provider_id is None and existing is not None:
        raise conflict("provider_exists", "a provider with this id already exists")
    action = "provider.update" if existing else "provider.create"
    with _write_errors():
        stored = store.put_provider(record, audit_entry(viewer, action, record["id"], now, request_id),
                                    expected=expected)
    view, tag = _versioned_view(stored, viewer, now)
    return view, tag, existing is None


def patch_provider(*, store: DirectoryStore, viewer: Caller, provider_id: str, changes: dict, now: datetime,
                   request_id: str | None, schema, expected: Precondition | None = None) -> tuple[dict, str]:
    """Merge changes into the stored record, validate the whole again and save it, as one atomic step."""
    _require(viewer, "admin")
    for name in LIVE_CAPACITY:
        if name in (changes.get("capacity") or {}):
            raise bad_field(f"capacity.{name}", "changes only through a capacity report "
                                                "(PUT /providers/{id}/capacity) or an accepted referral")
        for need, pool in (changes.get("service_capacity") or {}).items():
            if isinstance(pool, dict) and name in pool and need in (_stored_pools(store, provider_id, now)):
                raise bad_field(f"service_capacity.{need}.{name}", "changes only through a capacity report "
                                "(PUT /providers/{id}/capacity with this need) or an accepted referral")

    def merge(stored: dict) -> dict:
        try:
            data = schema.load(_deep_merge(_input_shape(stored), changes))
        except ValidationError as err:
            # The change alone was valid; together with the stored fields it is not (min_age > max_age).
            raise validation_error(err.messages) from None
        return dict(_normalise(data, now), id=provider_id)

    with _write_errors():
        stored = store.update_provider(provider_id, merge,
                                       audit_entry(viewer, "provider.update", provider_id, now, request_id),
                                       expected=expected)
    if stored is None:
        raise not_found("provider")
    return _versioned_view(stored, viewer, now)


def delete_provider(*, store: DirectoryStore, viewer: Caller, provider_id: str, now: datetime,
                    request_id: str | None) -> None:
    _require(viewer, "admin")
    if not store.delete_provider(provider_id, audit_entry(viewer, "provider.delete", provider_id, now, request_id)):
        raise not_found("provider")


def set_capacity(*, store: DirectoryStore, viewer: Caller, provider_id: str, available: int,
                 maximum: int | None, now: datetime, request_id: str | None,
                 need: str | None = None) -> tuple[dict, str]:
    """A provider reports the free units of one pool (a need's own, or the main one without a need); pending
    holds stay valid and are subtracted from them."""
    if not (viewer.is_admin or viewer.owns(provider_id)):
        raise forbidden("only the provider itself or an admin can change its capacity")
    current = store.get_provider(provider_id, now)
    if current is None:
        raise not_found("provider")
    if need is not None and need not in (current.get("service_capacity") or {}):
        raise _no_such_pool(NoSuchPool(need))
    pool = pool_of(current, need)
    new_maximum = pool["maximum"] if maximum is None else maximum
    if available > new_maximum:
        raise ApiError(400, "validation_error", "available: must not be above maximum",
                       fields={"available": [f"must not be above maximum ({new_maximum})"]})
    detail = f"available={available}" if need is None else f"need={need} available={available}"
    try:
        record = store.set_capacity(provider_id, available, maximum, now,
                                    audit_entry(viewer, "capacity.update", provider_id, now, request_id, detail=detail),
                                    need=need)
    except NoSuchPool as err:  # the pool was removed since it was read
        raise _no_such_pool(err) from None
    if record is None:
        raise not_found("provider")  # deleted since it was read
    return _versioned_view(record, viewer, now)


def confirm_capacity(*, store: DirectoryStore, viewer: Caller, provider_id: str, counted_at: dict[str | None, str],
                     counts: dict[str | None, int], now: datetime, request_id: str | None) -> tuple[dict, str]:
    """A provider confirms the counts of some of its pools (None: the main one), each as reported at
    `counted_at`, with a new count for those in `counts`: all at once, and only while none was reported since
    (CountChanged and AboveMaximum propagate, nothing written)."""
    if not (viewer.is_admin or viewer.owns(provider_id)):
        raise forbidden("only the provider itself or an admin can change its capacity")
    detail = " ".join(f"{need or 'main'}:" + (f"available={counts[need]}" if need in counts else "confirmed")
                      for need in in_pool_order(counted_at))
    record = store.confirm_capacity(provider_id, counted_at, counts, now,
                                    audit_entry(viewer, "capacity.update", provider_id, now, request_id, detail=detail))
    if record is None:
        raise not_found("provider")
    return _versioned_view(record, viewer, now)


def _no_such_pool(err: NoSuchPool) -> ApiError:
    return bad_field("need", str(err))


def _stored_pools(store: DirectoryStore, provider_id: str, now: datetime) -> set[str]:
    stored = store.get_provider(provider_id, now)
    return set((stored or {}).get("service_capacity") or ())


def find_candidates(*, store: DirectoryStore, viewer: Caller, query: CandidateQuery, now: datetime) -> list[dict]:
    """Providers passing every hard filter, nearest first, as this viewer may see them."""
    return find_candidates_many(store=store, viewer=viewer, queries=[query], now=now)[0]


def find_candidates_many(*, store: DirectoryStore, viewer: Caller, queries: Sequence[CandidateQuery],
                         now: datetime) -> list[list[dict]]:
    """`find_candidates` for several queries at once: one list per query, in the order given."""
    _require(viewer, "caseworker", "admin")
    return [[view_of(record, viewer, now, distance) for record, distance in found]
            for found in store.candidates_many(queries, now)]


# Who the change feed is read as: whatever the caller's role, the feed shows what any caseworker may see.
FEED_VIEWER = Caller("caseworker", "feed")


def list_changes(*, store: DirectoryStore, viewer: Caller, since: int, limit: int, now: datetime) -> dict:
    """Providers changed after change number `since` as a caseworker sees them (a confidential provider on its
    public cell's centre, no address), each with its pending holds; the ids deleted; the page's last number."""
    _require(viewer, "caseworker", "admin")
    try:
        page = store.changes(since, limit, now)
    except ChangesUnavailable:
        raise ApiError(501, "not_implemented", "this directory's store keeps no change sequence") from None
    return {"sequence": page.sequence, "generation": page.generation, "more": page.more, "as_of": iso(now),
            "deleted": page.deleted,
            "providers": [dict(view_of(record, FEED_VIEWER, now),
                               holds=[hold.__dict__ for hold in page.holds.get(record["id"], ())])
                          for record in page.records]}


def _versioned_view(record: dict, viewer: Caller, now: datetime) -> tuple[dict, str]:
    """The view of a record read or written with its version, and the ETag of that version."""
    version = record.pop("version")
    return view_of(record, viewer, now), etag(version)


@contextlib.contextmanager
def _write_errors():
    """A stale If-Match becomes 412 and a maximum below the live count 400, each naming what is wrong."""
    try:
        yield
    except StaleVersion as err:
        message = ("the provider changed since you read it; read it again and make your change on that"
                   if err.current is not None else "there is no such provider to match")
        raise ApiError(412, "precondition_failed", f"If-Match: {message}", fields={"If-Match": [message]}) from None
    except MaximumBelowAvailable as err:
        raise bad_field(err.field, str(err)) from None


def _normalise(data: dict, now: datetime) -> dict:
    record = copy.deepcopy(data)
    record["id"] = str(record.get("id") or uuid.uuid4())
    for capacity in [record["capacity"], *(record.get("service_capacity") or {}).values()]:
        capacity["updated"] = iso(capacity["updated"]) if capacity.get("updated") else iso(now)
    if not record.get("service_capacity"):
        record.pop("service_capacity", None)
    location = record["location"]
    location["address"] = location.get("address") or ""
    location["postal_code"] = location.get("postal_code") or ""
    contact = record["contact"]
    contact["email"] = contact.get("email") or None
    return record


def _input_shape(record: dict) -> dict:
    shaped = copy.deepcopy(record)
    shaped.pop("last_modified", None)
    shaped.pop("version", None)
    # The store puts the live ones back: an edit never writes them.
    for pool in [shaped["capacity"], *(shaped.get("service_capacity") or {}).values()]:
        pool.pop("held", None)
        pool.pop("updated", None)
    return shaped


def _deep_merge(base: dict, changes: dict) -> dict:
    merged = dict(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


# -- referrals -------------------------------------------------------------------------------

def create_referral(*, store: DirectoryStore, viewer: Caller, data: dict, now: datetime,
                    request_id: str | None, max_pending: int | None = None) -> dict:
    """Hold one unit of the provider's capacity for a pending referral; 409 when none is free.

    409 too when the caseworker already has `max_pending` pending referrals for the case reference and need.
    """
    _require(viewer, "caseworker")
    provider_id = str(data["provider_id"])
    provider = store.get_provider(provider_id, now)
    if provider is None:
        raise not_found("provider")
    if data["need"] not in provider["services"]:
        raise ApiError(400, "validation_error", "need: this provider does not serve it",
                       fields={"need": ["this provider does not serve it"]})
    minutes = data.get("hold_minutes") or provider.get("hold_minutes") or 240
    party = data.get("party")
    adults, children = (party["adults"], party["children"]) if party else (None, None)
    referral = Referral(id=str(uuid.uuid4()), provider_id=provider_id, need=data["need"],
                        case_reference=data["case_reference"], status="pending", created_by=viewer.subject,
                        created_at=iso(now), expires_at=hold_until(now, minutes), updated_at=iso(now),
                        adults=adults, children=children,
                        units=units_for(pool_of(provider, data["need"]).get("unit", "bed"), adults, children),
                        **_brief(data))
    try:
        store.create_referral(referral, now, audit_entry(viewer, "referral.create", referral.id, now, request_id,
                                                         detail=f"provider={provider_id}"),
                              max_pending=max_pending)
    except NoCapacity:
        raise conflict("no_capacity", "this provider has no free capacity left; nothing was held") from None
    except TooManyPending as err:
        raise ApiError(409, "too_many_pending",
                       f"case_reference: you already have {err.limit} pending referrals for this case and need; "
                       "cancel one or wait for an answer", fields={"case_reference": [
                           f"at most {err.limit} pending referrals per case reference and need"]}) from None
    count_referral("pending")
    return _referral_view(referral, provider, viewer)


def _brief(data: dict) -> dict:
    """What the provider needs to decide, as the referral keeps it."""
    return {"languages": list(data.get("languages") or []), "interpreter_needed": bool(data.get("interpreter_needed")),
            "urgency": data.get("urgency") or "routine", "callback": data.get("callback")}


def get_referral(*, store: DirectoryStore, viewer: Caller, referral_id: str, now: datetime,
                 request_id: str | None) -> dict:
    """A referral for its creator, its provider or an admin; the creator sees the address once accepted."""
    referral = _visible_referral(store, viewer, referral_id, now)
    provider = store.get_provider(referral.provider_id, now)
    view = _referral_view(referral, provider, viewer)
    if referral.status == "accepted" and referral.created_by == viewer.subject and provider:
        location = provider["location"]
        view["address"] = ", ".join(p for p in (location.get("address"), location.get("postal_code"),
                                                location.get("municipality")) if p)
        if location.get("confidential"):
            store.append_audit(audit_entry(viewer, "address.reveal", referral.provider_id, now, request_id,
                                           detail=f"referral={referral.id}"))
    return view


def change_referral(*, store: DirectoryStore, viewer: Caller, referral_id: str, to_status: str, now: datetime,
                    request_id: str | None, reason: str | None = None, note: str | None = None) -> dict:
    """Accept or decline (its provider) or cancel (its creator) a pending referral, with a reason and note."""
    referral = _visible_referral(store, viewer, referral_id, now)
    allowed = viewer.owns(referral.provider_id) if TRANSITIONS[to_status] == "provider" else (
        viewer.role == "caseworker" and referral.created_by == viewer.subject)
    if not allowed:
        raise forbidden(f"this role cannot make a referral {to_status}")
    try:
        changed = store.transition_referral(referral_id, to_status, now,
                                            audit_entry(viewer, ACTION_OF_STATUS[to_status], referral_id, now,
                                                        request_id, detail=f"reason={reason}" if reason else None),
                                            reason=reason, note=note)
    except InvalidTransition as err:
        raise conflict("invalid_transition", str(err)) from None
    count_referral(to_status)
    return _referral_view(changed.as_of(now), store.get_provider(referral.provider_id, now), viewer)


def list_referrals(*, store: DirectoryStore, viewer: Caller, query: ReferralFilter, now: datetime) -> Page:
    """Own referrals for a caseworker, its providers' for a provider, all for an admin."""
    if viewer.role == "caseworker":
        query = ReferralFilter(**{**query.__dict__, "created_by": viewer.subject})
    elif viewer.role == "provider":
        query = ReferralFilter(**{**query.__dict__, "provider_ids": viewer.provider_ids})
        if query.case_reference:
            raise forbidden("case references are searchable only by the caseworker who made them")
    page = store.list_referrals(query, now)
    names: dict[str, dict | None] = {}
    items = []
    for referral in page.items:
        if referral.provider_id not in names:
            names[referral.provider_id] = store.get_provider(referral.provider_id, now)
        items.append(_referral_view(referral, names[referral.provider_id], viewer))
    return Page(items, page.total)


def _visible_referral(store: DirectoryStore, viewer: Caller, referral_id: str, now: datetime) -> Referral:
    referral = store.get_referral(referral_id)
    if referral is None:
        raise not_found("referral")
    visible = viewer.is_admin or referral.created_by == viewer.subject or viewer.owns(referral.provider_id)
    if not visible:
        # The same answer as for a missing referral: ids of others' referrals are not confirmed.
        raise not_found("referral")
    return referral.as_of(now)


def _referral_view(referral: Referral, provider: dict | None, viewer: Caller) -> dict:
    view = referral.to_dict()
    adults, children = view.pop("adults"), view.pop("children")
    view["party"] = None if adults is None else {"adults": adults, "children": children or 0}
    view["provider_name"] = provider["name"] if provider else None
    view["address"] = None
    if not note_visible_to(referral, viewer.subject, viewer.provider_ids if viewer.role == "provider" else ()):
        view["note"] = None
    return view


def expire_holds(*, store: DirectoryStore, now: datetime) -> int:
    """Mark every pending referral whose hold has passed as expired (an audit entry each); returns how many."""
    expired = store.expire_referrals(now)
    for _ in range(expired):
        count_referral("expired")
    return expired


def remind_expiring(*, store: DirectoryStore, now: datetime, minutes_before: float) -> int:
    """Tell providers of holds that end within `minutes_before` (once per hold); returns how many."""
    return store.remind_expiring(now, now + timedelta(minutes=minutes_before))


# -- stale capacity --------------------------------------------------------------------------

def list_stale(*, store: DirectoryStore, viewer: Caller, now: datetime, older_than_hours: float) -> list[dict]:
    """Providers to call because their capacity count is old (admins)."""
    _require(viewer, "admin")
    return stale_providers(store, now, timedelta(hours=older_than_hours))


# -- audit -----------------------------------------------------------------------------------

def record_event(*, store: DirectoryStore, viewer: Caller, action: str, target: str | None, now: datetime,
                 request_id: str | None, detail: str | None = None) -> None:
    """An event the gateway saw (admin token use, sign-in, token issue) joins the one audit log."""
    store.append_audit(audit_entry(viewer, action, target, now, request_id, detail))


def list_audit(*, store: DirectoryStore, viewer: Caller, query: AuditFilter) -> Page:
    _require(viewer, "admin")
    return store.list_audit(query)
