"""Versioned provider writes: the ETag of a version, If-Match, and what a provider edit may change.

Every provider has a version, a whole number that goes up with every write of its stored record: an
edit, an import, a capacity report and an accepted referral's use of a unit. Holds are not part of
it: they are counted on every read and an edit never writes them. The ETag is the version quoted.

An edit (PUT, PATCH, an import of an existing provider) never writes a pool's `available` or
`updated` (the main `capacity` or a need's own pool in `service_capacity`): those change only through
a capacity report or an accepted referral, each atomic, so an edit that read them before one of those
can never put an older count back. An edit may change a pool's `unit` and `maximum`, but not to a
maximum below the units available now; it may add a pool (with the count it gives) or remove one.
"""
from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from ...shared.capacity import pools_of

LIVE_CAPACITY = ("available", "updated")  # written only by capacity reports and accepted referrals
_ENTITY_TAG = re.compile(r'\s*(W/)?"([^"]*)"\s*(?:,|$)')


class StaleVersion(Exception):
    """The provider changed since the version the caller read (or does not exist for `If-Match: *`)."""

    def __init__(self, provider_id: str, current: int | None):
        super().__init__(provider_id, current)
        self.provider_id = provider_id
        self.current = current


class MaximumBelowAvailable(ValueError):
    """An edit would set `capacity.maximum` below the units the provider reported available."""

    def __init__(self, maximum: int, available: int, need: str | None = None):
        super().__init__(f"must not be below the {available} units available now; report capacity first")
        self.maximum = maximum
        self.available = available
        self.need = need  # the own pool's need; None for the main capacity

    @property
    def field(self) -> str:
        return "capacity.maximum" if self.need is None else f"service_capacity.{self.need}.maximum"


@dataclass(frozen=True)
class Precondition:
    """What an If-Match header asks of the stored provider: any version (`*`) or one of `versions`."""

    versions: frozenset[int] | None = None

    def allows(self, current: int | None) -> bool:
        """Whether a provider at version `current` (None: absent) may be written."""
        if current is None:
            return False
        return self.versions is None or current in self.versions

    def check(self, provider_id: str, current: int | None) -> None:
        """StaleVersion unless a provider at `current` may be written."""
        if not self.allows(current):
            raise StaleVersion(provider_id, current)


def etag(version: int) -> str:
    """The strong entity tag of a provider version."""
    return f'"{version}"'


def parse_if_match(header: str | None) -> Precondition | None:
    """The precondition of an If-Match header; None when there is none; ValueError when it is malformed.

    Weak tags never match (If-Match compares strongly), nor do tags this service never made: both
    stay in the precondition as no version at all, so the write is refused as stale.
    """
    if header is None or not header.strip():
        return None
    if header.strip() == "*":
        return Precondition()
    versions: set[int] = set()
    rest = header
    while rest.strip():
        found = _ENTITY_TAG.match(rest)
        if found is None:
            raise ValueError('expected "*" or one or more quoted entity tags from an ETag header, such as "3"')
        weak, tag = found.groups()
        if not weak and tag.isdigit():
            versions.add(int(tag))
        rest = rest[found.end():]
    return Precondition(frozenset(versions))


def keep_live_capacity(edited: dict, stored: dict) -> dict:
    """The edited record with the stored record's live capacity (`available`, `updated`) put back, in the
    main pool and in every own pool the stored record has too; a new pool keeps what the edit gave it."""
    kept = copy.copy(edited)
    kept["capacity"] = _live_kept(edited["capacity"], stored["capacity"])
    if edited.get("service_capacity"):
        stored_pools = stored.get("service_capacity") or {}
        kept["service_capacity"] = {need: _live_kept(pool, stored_pools.get(need))
                                    for need, pool in edited["service_capacity"].items()}
    return kept


def _live_kept(edited: dict, stored: dict | None) -> dict:
    """One edited pool with the stored pool's live count (none stored: the edit's own), without `held`."""
    kept = dict(edited, **{key: stored[key] for key in LIVE_CAPACITY}) if stored is not None else dict(edited)
    kept.pop("held", None)
    return kept


def check_maximum(record: dict) -> None:
    """MaximumBelowAvailable when a pool's maximum is below its available units."""
    for need, capacity in pools_of(record):
        if capacity["maximum"] < capacity["available"]:
            raise MaximumBelowAvailable(capacity["maximum"], capacity["available"], need)


class NoSuchPool(ValueError):
    """A capacity report names a need the provider keeps no own pool for."""

    def __init__(self, need: str):
        super().__init__(f"this provider keeps no own capacity for {need}; report its main capacity (no need)")
        self.need = need


def check_pool(record: dict, need: str | None) -> None:
    """NoSuchPool when a report names a need without its own pool in the record (None: the main pool)."""
    if need is not None and need not in (record.get("service_capacity") or {}):
        raise NoSuchPool(need)


class CountChanged(Exception):
    """A pool a confirmation names was reported since the count it was made for, or is gone."""


class AboveMaximum(ValueError):
    """A count reported with a confirmation is above its pool's maximum."""

    def __init__(self, need: str | None, maximum: int):
        super().__init__(f"must not be above maximum ({maximum})")
        self.need = need
        self.maximum = maximum


def confirm_pools(record: dict, counted_at: dict[str | None, str], counts: dict[str | None, int], updated: str) -> None:
    """Confirm, in the record, each pool named in `counted_at` (None: the main one) whose count is still the
    one reported at that time: its `available` becomes the new count in `counts` (the stored one when none is
    given) and its `updated` becomes `updated`. CountChanged when any named pool is gone or was reported
    since, AboveMaximum when a new count is above its pool's maximum; then the record is left unchanged."""
    pools = dict(pools_of(record))
    for need, at in counted_at.items():
        if need not in pools or pools[need]["updated"] != at:
            raise CountChanged(need)
        if need in counts and counts[need] > pools[need]["maximum"]:
            raise AboveMaximum(need, pools[need]["maximum"])
    for need in counted_at:
        if need in counts:
            pools[need]["available"] = counts[need]
        pools[need]["updated"] = updated
