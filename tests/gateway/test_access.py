"""The gateway's own role table: what each role may attempt before the internal services check again."""
from __future__ import annotations

from services.gateway.access import OPERATIONS
from services.shared.identity import Caller

OWN = "6dde18e0-c115-5726-b7dc-c23d4045b612"
OTHER = "4f59ccd7-4c34-5287-9242-ac2c4e3c24bd"
provider = Caller("provider", "token:p", (OWN,))


def test_a_provider_may_name_only_its_own_providers_in_any_parameter():
    assert OPERATIONS["set_capacity"].permits(provider, {"provider_id": [OWN]})
    assert not OPERATIONS["set_capacity"].permits(provider, {"provider_id": [OTHER]})


def test_a_repeated_query_parameter_cannot_smuggle_in_another_provider():
    assert not OPERATIONS["list_referrals"].permits(provider, {"provider_id": [OWN, OTHER]})
    assert OPERATIONS["list_referrals"].permits(provider, {})


def test_provider_ids_compare_as_uuids_whatever_their_case():
    assert OPERATIONS["get_provider"].permits(provider, {"provider_id": [OWN.upper()]})


def test_roles_outside_an_operation_are_refused_whatever_they_own():
    admin = Caller("admin", "token:a")
    caseworker = Caller("caseworker", "token:c")
    assert not OPERATIONS["match"].permits(admin, {})
    assert not OPERATIONS["create_provider"].permits(caseworker, {})
    assert not OPERATIONS["accept_referral"].permits(admin, {})
    assert OPERATIONS["hsds_services"].permits(provider, {})
