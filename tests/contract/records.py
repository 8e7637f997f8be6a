"""Writing test records through the DirectoryStore port, stamped by the manual clock."""
from __future__ import annotations

import itertools
import uuid

from services.directory.domain.queries import AuditFilter
from services.directory.domain.referrals import Referral, hold_until
from services.directory.domain.rules import iso
from services.directory.store import AuditEntry, DirectoryStore
from tests.support.factories import provider


class Directory:
    """A store, a clock and short ways to add providers and referrals to it."""

    def __init__(self, store: DirectoryStore, clock):
        self.store = store
        self.clock = clock
        self._requests = itertools.count(1)

    def audit(self, action: str = "test.write", target: str | None = None, *, actor: str = "admin:1",
              role: str = "admin") -> AuditEntry:
        return AuditEntry(at=iso(self.clock.now), actor=actor, role=role, action=action, target=target,
                          request_id=f"req-{next(self._requests)}")

    def record(self, **overrides) -> dict:
        """A provider record as the service stores it: capacity stamped now unless given."""
        record = provider(**overrides)
        record["capacity"].setdefault("updated", iso(self.clock.now))
        return record

    def add(self, **overrides) -> dict:
        record = self.record(**overrides)
        return self.store.put_provider(record, self.audit("provider.create", record["id"]))

    def refer(self, provider_id: str, *, minutes: int = 240, created_by: str = "caseworker:1",
              case_reference: str | None = None, need: str = "shelter", units: int = 1,
              max_pending: int | None = None, **brief) -> Referral:
        """A pending referral created through the port, holding `units` (a case reference of its own unless
        given); NoCapacity propagates."""
        now = self.clock.now
        case_reference = case_reference or f"case-{uuid.uuid4().hex[:8]}"
        referral = Referral(id=str(uuid.uuid4()), provider_id=provider_id, need=need,
                            case_reference=case_reference, status="pending", created_by=created_by,
                            created_at=iso(now), expires_at=hold_until(now, minutes), updated_at=iso(now),
                            adults=None if units == 1 else 1, children=None if units == 1 else units - 1,
                            units=units, **brief)
        return self.store.create_referral(referral, now, self.audit("referral.create", referral.id,
                                                                    actor=created_by, role="caseworker"),
                                          max_pending=max_pending)

    def move(self, referral_id: str, to_status: str, *, actor: str = "provider:1", role: str = "provider",
             reason: str | None = None, note: str | None = None):
        return self.store.transition_referral(referral_id, to_status, self.clock.now,
                                              self.audit(f"referral.{to_status}", referral_id, actor=actor, role=role),
                                              reason=reason, note=note)

    def get(self, provider_id: str) -> dict | None:
        return self.store.get_provider(provider_id, self.clock.now)

    def audit_count(self) -> int:
        return self.store.list_audit(AuditFilter(size=1)).total


def ids(page_or_pairs) -> list[str]:
    """Provider ids of a search page or a candidate list, in order."""
    items = getattr(page_or_pairs, "items", page_or_pairs)
    return [record["id"] for record, _distance in items]
