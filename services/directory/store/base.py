"""The directory's store port: one small ABC, one adapter per technology."""
from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from typing import Callable, Iterable, Sequence

from ...shared.stores import StoreUnavailable  # noqa: F401 (every store raises it)
from ..domain.queries import AuditFilter, CandidateQuery, Page, ReferralFilter, SearchQuery
from ..domain.referrals import Referral
from ..domain.versions import Precondition


@dataclass(frozen=True)
class AuditEntry:
    """Who did what to what; never the attributes of a person being helped."""

    at: str
    actor: str
    role: str
    action: str
    target: str | None
    request_id: str | None
    detail: str | None = None


SYSTEM_ACTOR = "directory"


class ChangesUnavailable(Exception):
    """This store keeps no change sequence (yet): readers ask it for candidates instead."""


@dataclass(frozen=True)
class Hold:
    """A unit or more a pending referral holds, and when the hold ends: nothing about the case or who made it."""

    need: str | None  # None where the store does not keep it with the hold
    units: int
    expires_at: str


@dataclass
class ChangePage:
    """Providers changed after a sequence number, in the order of their last change.

    `records` are provider records as `get_provider` gives them (`capacity.held` at `now`), `holds` every
    pending referral's hold of each of them (expired ones the sweep has not marked yet included, so a reader
    can count the holds at any time), `deleted` the ids deleted; `sequence` is the last change in the page
    (`since` when there is none) and `more` whether later changes wait.
    """

    records: list[dict]
    holds: dict[str, list[Hold]]
    deleted: list[str]
    sequence: int
    more: bool
    # The numbering the sequence belongs to: a reader that sees another one (a rebuilt index) starts again at 0.
    generation: str = "1"


def expiry_audit(referral_id: str, expires_at: str) -> AuditEntry:
    """The entry of a hold that ran out, stamped with the time it ended."""
    return AuditEntry(at=expires_at, actor=SYSTEM_ACTOR, role="system", action="referral.expire",
                      target=referral_id, request_id=None)


def sibling_cancel_audit(accept: AuditEntry, referral_id: str, accepted_id: str) -> AuditEntry:
    """The entry of a referral cancelled because another for the same case and need was accepted."""
    return AuditEntry(at=accept.at, actor=accept.actor, role=accept.role, action="referral.cancel",
                      target=referral_id, request_id=accept.request_id,
                      detail=f"reason=placed_elsewhere accepted={accepted_id}")


class DirectoryStore(ABC):
    """Providers with their capacity, referrals that hold it, and the audit log.

    Provider records come back with `held` in every pool (`capacity` and each of `service_capacity`): the
    units of pending, unexpired referrals at `now` whose need draws on that pool (capacity.pool_of). Every write takes the audit entry that records it and stores both or neither.

    Provider writes are versioned (services.directory.domain.versions): every write of a provider's
    record, capacity reports and accepted referrals included, raises its `version` by one, and an edit
    (put, update, a bulk load's replacement) keeps the stored `capacity.available` and
    `capacity.updated`, which only capacity reports and accepted referrals change, each atomically.
    """

    @abstractmethod
    def put_provider(self, record: dict, audit: AuditEntry, *, expected: Precondition | None = None) -> dict:
        """Create a provider, or replace it (by id) keeping its live capacity, as one atomic step.

        Returns it as stored, with `version` and `capacity.held` at the audit time. StaleVersion when
        `expected` is given and the stored version does not meet it (a missing provider never does);
        MaximumBelowAvailable when a replacement's maximum is below the units available now.
        """

    @abstractmethod
    def update_provider(self, provider_id: str, change: Callable[[dict], dict], audit: AuditEntry, *,
                        expected: Precondition | None = None) -> dict | None:
        """Read, change and replace one provider as one atomic step (a merge); None when there is none.

        `change` gets the stored record (with `version`) and returns the edited record; it may run more
        than once, each time on the record as it is then, and what it raises propagates with nothing
        written. Otherwise as `put_provider`.
        """

    @abstractmethod
    def get_provider(self, provider_id: str, now: datetime) -> dict | None:
        """One provider with `capacity.held` at `now` and its `version`, read together."""

    @abstractmethod
    def get_providers(self, provider_ids: list[str], now: datetime) -> dict[str, dict]:
        """Those of these providers that exist, by id, each as `get_provider` reads it, in one read or a few."""

    @abstractmethod
    def delete_provider(self, provider_id: str, audit: AuditEntry) -> bool: ...

    @abstractmethod
    def set_capacity(self, provider_id: str, available: int, maximum: int | None, now: datetime,
                     audit: AuditEntry, *, need: str | None = None) -> dict | None:
        """Record a capacity report of one pool atomically: the need's own pool (`service_capacity`), or the
        main `capacity` when `need` is None; its `updated` becomes now and the version goes up.

        Returns the provider as `get_provider` does, or None when there is none; NoSuchPool (nothing written)
        when the provider keeps no own pool for `need`.
        """

    @abstractmethod
    def confirm_capacity(self, provider_id: str, counted_at: dict[str | None, str], counts: dict[str | None, int],
                         now: datetime, audit: AuditEntry) -> dict | None:
        """Confirm several pools of one provider as one atomic step, each only while its count is still the one
        reported at `counted_at[need]` (None: the main pool): a pool with a new count in `counts` takes it, the
        others keep theirs, and every one named gets `updated` now; the version goes up once.

        Returns the provider as `get_provider` does, or None when there is none; CountChanged or AboveMaximum
        (domain/versions.py `confirm_pools`) with nothing written.
        """

    @abstractmethod
    def search(self, query: SearchQuery, now: datetime) -> Page:
        """Page.items are (record, distance_km or None), in a stable order."""

    @abstractmethod
    def candidates(self, query: CandidateQuery, now: datetime) -> list[tuple[dict, float]]:
        """Providers passing every hard filter, nearest first, at most query.limit."""

    def candidates_many(self, queries: Sequence[CandidateQuery], now: datetime) -> list[list[tuple[dict, float]]]:
        """`candidates` for each query, in the order given; a store may answer them together."""
        return [self.candidates(query, now) for query in queries]

    @abstractmethod
    def bulk_upsert(self, records: Iterable[dict], audit: AuditEntry) -> int:
        """Insert or replace many providers at once; returns how many.

        A replaced provider keeps its live capacity (`available`, `updated`) and its version goes up.
        """

    @abstractmethod
    def count_providers(self) -> int: ...

    @abstractmethod
    def iter_providers(self, now: datetime) -> Iterable[dict]:
        """Every provider, in id order (exports, migrations, reindexing)."""

    @abstractmethod
    def create_referral(self, referral: Referral, now: datetime, audit: AuditEntry, *,
                        max_pending: int | None = None) -> Referral:
        """Hold the referral's units of its need's pool atomically; NoCapacity when that pool has not enough
        free, and then nothing changes.

        TooManyPending when `max_pending` is given and the caseworker already has that many pending
        referrals for the same case reference and need.
        """

    @abstractmethod
    def get_referral(self, referral_id: str) -> Referral | None: ...

    @abstractmethod
    def transition_referral(self, referral_id: str, to_status: str, now: datetime,
                            audit: AuditEntry, *, reason: str | None = None, note: str | None = None) -> Referral:
        """Move a pending, unexpired referral on, with the reason and note of a decline or cancel;
        InvalidTransition otherwise.

        Accepting uses the units: `available` of the referral need's pool goes down by them and the provider's
        version up, atomically.
        It also cancels the same caseworker's other pending referrals for the same case reference and need
        (reason `placed_elsewhere`, an audit entry each), releasing their holds.
        """

    @abstractmethod
    def list_referrals(self, query: ReferralFilter, now: datetime) -> Page: ...

    @abstractmethod
    def expire_referrals(self, now: datetime) -> int:
        """Mark pending referrals whose hold has passed as expired, an audit entry each; returns how many."""

    @abstractmethod
    def remind_expiring(self, now: datetime, until: datetime) -> int:
        """Put a `referral.expiring` event in the outbox, once, for each pending referral whose hold ends after
        `now` and by `until`; returns how many."""

    @abstractmethod
    def append_audit(self, entry: AuditEntry) -> None: ...

    @abstractmethod
    def import_audit(self, entries: Iterable[AuditEntry]) -> int:
        """Append entries oldest first, keeping their order and times (a migration); returns how many."""

    @abstractmethod
    def import_referrals(self, referrals: Iterable[Referral], now: datetime) -> int:
        """Store referrals as they are (a migration); pending, unexpired ones hold their unit again."""

    @abstractmethod
    def rebuild_indices(self, *, kinds: Sequence[str] | None = None,
                        progress: Callable[[str, int, int], None] | None = None) -> dict[str, str]:
        """Rebuild the store's indices while reads and writes go on; returns kind -> what was done."""

    @abstractmethod
    def list_audit(self, query: AuditFilter) -> Page: ...

    @abstractmethod
    def changes(self, since: int, limit: int, now: datetime) -> ChangePage:
        """Providers whose public view or free capacity changed after change number `since`, oldest change first.

        Every write that changes what a non-admin sees of a provider or how much of it is free takes the next
        number of one sequence, which only ever grows: edits, capacity reports, a referral's hold taken,
        released, accepted or expired, a delete (a tombstone). Each provider is listed once, at its last
        change. since=0 lists every provider there is (a snapshot, no deletes). Read as one consistent snapshot.
        """

    @abstractmethod
    def ping(self) -> bool:
        """True when the store answers."""

    def close(self) -> None:
        """Release connections."""
