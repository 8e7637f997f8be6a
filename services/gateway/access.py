"""Who may call which public operation (DESIGN.md, Public API). No Flask here.

The gateway refuses what a role can never do; the internal services check roles and ownership
again, including what only they can know (who made a referral, which provider it is for).
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass

from ..shared.identity import Caller

ADMIN, CASEWORKER, PROVIDER = "admin", "caseworker", "provider"


@dataclass(frozen=True)
class Access:
    roles: frozenset[str]
    # For providers: a parameter (path or query) that, when given, must name one of their own providers.
    own_provider_param: str | None = None

    def permits(self, principal: Caller, params: dict[str, list[str]]) -> bool:
        """`params`: every value of every path and query parameter (a query may repeat one)."""
        if principal.role not in self.roles:
            return False
        if principal.role == PROVIDER and self.own_provider_param:
            return all(principal.owns(_canonical(value)) for value in params.get(self.own_provider_param, ()))
        return True


def _canonical(provider_id: str) -> str:
    """Ids compare as UUIDs: upper case or braces in a query must not turn an owner into a stranger."""
    try:
        return str(uuid.UUID(provider_id))
    except ValueError:
        return provider_id


def _roles(*roles: str, own: str | None = None) -> Access:
    return Access(frozenset(roles), own)


OPERATIONS: dict[str, Access] = {
    "search_providers": _roles(CASEWORKER, ADMIN),
    "get_provider": _roles(CASEWORKER, ADMIN, PROVIDER, own="provider_id"),
    "create_provider": _roles(ADMIN),
    "replace_provider": _roles(ADMIN),
    "patch_provider": _roles(ADMIN),
    "delete_provider": _roles(ADMIN),
    "set_capacity": _roles(ADMIN, PROVIDER, own="provider_id"),
    "match": _roles(CASEWORKER),
    "match_group": _roles(CASEWORKER),
    "create_referral": _roles(CASEWORKER),
    "list_referrals": _roles(CASEWORKER, PROVIDER, ADMIN, own="provider_id"),
    "get_referral": _roles(CASEWORKER, PROVIDER, ADMIN),
    "accept_referral": _roles(PROVIDER),
    "decline_referral": _roles(PROVIDER),
    "cancel_referral": _roles(CASEWORKER),
    "read_audit": _roles(ADMIN),
    "stale_providers": _roles(ADMIN),
    "hsds_about": _roles(ADMIN, CASEWORKER, PROVIDER),
    "read_stats": _roles(ADMIN),
    "hsds_services": _roles(ADMIN, CASEWORKER, PROVIDER),
    "hsds_service": _roles(ADMIN, CASEWORKER, PROVIDER),
    "list_webhooks": _roles(ADMIN, CASEWORKER, PROVIDER),
    "create_webhook": _roles(ADMIN, CASEWORKER, PROVIDER),
    "delete_webhook": _roles(ADMIN, CASEWORKER, PROVIDER),
    "list_waitlist": _roles(CASEWORKER),
    "create_waitlist_entry": _roles(CASEWORKER),
    "delete_waitlist_entry": _roles(CASEWORKER),
}
