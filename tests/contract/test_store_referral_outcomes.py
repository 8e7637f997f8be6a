"""What a referral tells the provider, why it ended, and one hold per case, through the port."""
from __future__ import annotations

import pytest

from services.directory.domain.queries import AuditFilter, ReferralFilter
from services.directory.domain.referrals import TooManyPending


def capacity(directory, provider_id):
    return directory.get(provider_id)["capacity"]


def audit_of(directory, target):
    return [(e.action, e.detail) for e in directory.store.list_audit(AuditFilter(target=target, size=50)).items]


# -- what a referral says --------------------------------------------------------------------

def test_the_brief_for_the_provider_is_kept_with_the_referral(directory):
    shelter = directory.add(capacity={"available": 2})
    made = directory.refer(shelter["id"], languages=["ro", "en"], interpreter_needed=True, urgency="emergency",
                           callback="+31 20 123 4567")
    stored = directory.store.get_referral(made.id)
    assert (stored.languages, stored.interpreter_needed, stored.urgency, stored.callback) == (
        ["ro", "en"], True, "emergency", "+31 20 123 4567")
    listed = directory.store.list_referrals(ReferralFilter(), directory.clock.now).items
    assert listed[0].to_dict() == stored.to_dict()


def test_a_referral_without_a_brief_has_the_defaults(directory):
    shelter = directory.add(capacity={"available": 1})
    stored = directory.store.get_referral(directory.refer(shelter["id"]).id)
    assert (stored.languages, stored.interpreter_needed, stored.urgency, stored.callback) == ([], False, "routine", None)
    assert (stored.reason, stored.note) == (None, None)


@pytest.mark.parametrize("to_status, reason", [("declined", "not_eligible"), ("cancelled", "person_declined")])
def test_a_decline_or_cancel_keeps_its_reason_and_note(directory, to_status, reason):
    shelter = directory.add(capacity={"available": 1})
    made = directory.refer(shelter["id"])
    moved = directory.move(made.id, to_status, reason=reason, note="Alleen vrouwen.")
    stored = directory.store.get_referral(made.id)
    assert (moved.status, moved.reason, moved.note) == (to_status, reason, "Alleen vrouwen.")
    assert (stored.status, stored.reason, stored.note) == (to_status, reason, "Alleen vrouwen.")
    assert capacity(directory, shelter["id"])["held"] == 0


# -- one hold per case -----------------------------------------------------------------------

def test_accepting_cancels_the_caseworkers_other_pending_referrals_for_the_case_and_need(directory):
    shelters = [directory.add(capacity={"available": 2}, services=["shelter", "medical"]) for _ in range(4)]
    chosen, *others = [directory.refer(s["id"], case_reference="ZAAK-7") for s in shelters[:3]]
    other_need = directory.refer(shelters[3]["id"], case_reference="ZAAK-7", need="medical")
    other_case = directory.refer(shelters[3]["id"], case_reference="ZAAK-8")
    someone_else = directory.refer(shelters[1]["id"], case_reference="ZAAK-7", created_by="caseworker:2")

    directory.move(chosen.id, "accepted")

    for sibling in others:
        stored = directory.store.get_referral(sibling.id)
        assert (stored.status, stored.reason) == ("cancelled", "placed_elsewhere")
        assert ("referral.cancel", f"reason=placed_elsewhere accepted={chosen.id}") in audit_of(directory, sibling.id)
    for untouched in (other_need, other_case, someone_else):
        assert directory.store.get_referral(untouched.id).status == "pending"
    # Their holds are released: the other shelters hold only what others still hold there.
    assert capacity(directory, shelters[2]["id"])["held"] == 0
    assert capacity(directory, shelters[1]["id"])["held"] == 1
    assert capacity(directory, shelters[0]["id"])["available"] == 1


def test_declining_one_leaves_the_others_for_the_case_pending(directory):
    shelters = [directory.add(capacity={"available": 1}) for _ in range(2)]
    first, second = [directory.refer(s["id"], case_reference="ZAAK-9") for s in shelters]
    directory.move(first.id, "declined", reason="no_capacity")
    assert directory.store.get_referral(second.id).status == "pending"


def test_pending_referrals_per_case_and_need_are_limited(directory):
    shelters = [directory.add(capacity={"available": 1}) for _ in range(3)]
    for shelter in shelters[:2]:
        directory.refer(shelter["id"], case_reference="ZAAK-10", max_pending=2)
    audit_before = directory.audit_count()

    with pytest.raises(TooManyPending):
        directory.refer(shelters[2]["id"], case_reference="ZAAK-10", max_pending=2)

    assert capacity(directory, shelters[2]["id"])["held"] == 0
    assert directory.audit_count() == audit_before
    # Another case, or another caseworker's, is its own count.
    directory.refer(shelters[2]["id"], case_reference="ZAAK-11", max_pending=2)


def test_an_ended_referral_no_longer_counts_against_the_limit(directory):
    shelters = [directory.add(capacity={"available": 1}) for _ in range(2)]
    first = directory.refer(shelters[0]["id"], case_reference="ZAAK-12", max_pending=1)
    directory.move(first.id, "declined", reason="no_capacity")
    directory.refer(shelters[1]["id"], case_reference="ZAAK-12", max_pending=1)


# -- expiry ----------------------------------------------------------------------------------

def test_the_sweep_writes_an_audit_entry_for_each_expiry(directory):
    shelter = directory.add(capacity={"available": 3})
    passed = [directory.refer(shelter["id"], minutes=10) for _ in range(2)]
    directory.clock.advance(minutes=15)
    assert directory.store.expire_referrals(directory.clock.now) == 2
    for referral in passed:
        entries = directory.store.list_audit(AuditFilter(target=referral.id, action="referral.expire")).items
        assert [(e.actor, e.at) for e in entries] == [("directory", referral.expires_at)]
    assert directory.store.expire_referrals(directory.clock.now) == 0


# -- reminders -------------------------------------------------------------------------------

def test_a_hold_about_to_end_is_reminded_once(directory):
    from datetime import timedelta

    shelter = directory.add(capacity={"available": 3})
    soon = directory.refer(shelter["id"], minutes=20)
    later = directory.refer(shelter["id"], minutes=120)
    gone = directory.refer(shelter["id"], minutes=20)
    directory.move(gone.id, "declined", reason="no_capacity")
    now = directory.clock.now
    assert directory.store.remind_expiring(now, now + timedelta(minutes=30)) == 1
    assert directory.store.remind_expiring(now, now + timedelta(minutes=30)) == 0
    assert directory.store.get_referral(soon.id).status == "pending"
    assert directory.store.get_referral(later.id).status == "pending"
