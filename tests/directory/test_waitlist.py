"""The waiting list: hard filters only, own entries only, deleted when they end, the longest waiting served first."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from services.directory.domain.rules import iso

from services.directory import create_app as create_directory
from services.directory.settings import DirectorySettings
from services.directory.waitlist import service as waitlist_service
from services.directory.waitlist import store as waitlist_stores
from services.directory.waitlist.models import WaitlistEntry
from services.directory.waitlist.store import waitlist_store_for
from tests.conftest import SECRET
from tests.support.factories import provider
from tests.support.havens import directory_store
from tests.support.signed import SignedFlaskClient

UTRECHT = {"need": "shelter", "lat": 52.09, "lon": 5.12}


@pytest.fixture(params=["sqlite", pytest.param("engine", marks=pytest.mark.engine)])
def app(request, tmp_path, clock):
    with directory_store(request.param, tmp_path) as store:
        settings = DirectorySettings(store_url=f"sqlite:///{tmp_path / 'nonces.db'}", internal_secret=SECRET)
        yield create_directory({"SETTINGS": settings, "STORE": store, "CLOCK": clock})


@pytest.fixture
def admin(app):
    return SignedFlaskClient(app, SECRET, "admin")


def serve(app, clock):
    context = app.extensions["haven"]
    return waitlist_service.serve(waitlist=waitlist_store_for(context.store), store=context.store, now=clock.now)


def wait(client, case_reference="ZAAK-L1", **query):
    answer = client.post("/waitlist", {"query": {**UTRECHT, **query}, "case_reference": case_reference})
    assert answer.status_code == 201, answer.json
    return answer.json


def full_shelter(admin):
    shelter = admin.post("/providers", provider(capacity={"available": 1, "maximum": 1})).json
    blocking = admin.as_role("caseworker", subject="caseworker:other").post(
        "/referrals", {"provider_id": shelter["id"], "need": "shelter", "case_reference": "ZAAK-X"}).json
    return shelter, blocking


def test_an_entry_keeps_only_the_hard_filters_and_only_its_caseworker_sees_it(admin):
    mine = admin.as_role("caseworker", subject="caseworker:me")
    entry = wait(mine, gender="female", age=30)
    assert set(entry) == {"id", "created_by", "case_reference", "need", "query", "created_at", "expires_at"}
    # The hard filters of placement (services/shared/placement.CandidateQuery), nothing else.
    assert set(entry["query"]) == {"need", "lat", "lon", "gender", "age", "accompanying_children", "wheelchair",
                                   "residence_status", "return_country", "max_distance_km", "avoid",
                                   "include_stale", "limit", "support_needs", "target_groups", "intake_slot",
                                   "free_only"}
    assert [e["id"] for e in mine.get("/waitlist").json["contents"]] == [entry["id"]]
    other = admin.as_role("caseworker", subject="caseworker:other")
    assert other.get("/waitlist").json["contents"] == []
    assert other.delete(f"/waitlist/{entry['id']}").status_code == 404
    assert admin.as_role("provider").get("/waitlist").status_code == 403
    assert mine.delete(f"/waitlist/{entry['id']}").status_code == 204
    assert mine.get("/waitlist").json["contents"] == []


@pytest.mark.parametrize("body, field", [
    ({"query": {**UTRECHT, "name": "Maria"}, "case_reference": "ZAAK-1"}, "query.name"),
    ({"query": UTRECHT, "case_reference": "ZAAK-1", "hours": 73}, "hours"),
    ({"query": UTRECHT, "case_reference": "12-03-1990"}, "case_reference"),
    ({"query": {**UTRECHT, "need": "housing"}, "case_reference": "ZAAK-1"}, "query.need"),
    ({"query": UTRECHT, "case_reference": "ZAAK-1", "note": "vrij tekst"}, "note"),
])
def test_anything_beyond_the_hard_filters_is_refused_naming_the_field(admin, body, field):
    answer = admin.as_role("caseworker").post("/waitlist", body)
    assert answer.status_code == 400
    assert field in answer.json["error"]["fields"]


def test_when_a_unit_frees_the_longest_waiting_entry_gets_a_hold_and_its_entry_is_deleted(admin, app, clock):
    shelter, blocking = full_shelter(admin)
    first = admin.as_role("caseworker", subject="caseworker:first")
    second = admin.as_role("caseworker", subject="caseworker:second")
    wait(first, "ZAAK-A")
    clock.advance(minutes=1)
    wait(second, "ZAAK-B")
    assert serve(app, clock) == 0

    admin.as_role("provider", provider_ids=(shelter["id"],)).post(f"/referrals/{blocking['id']}/decline",
                                                                  {"reason": "no_capacity"})
    assert serve(app, clock) == 1

    held = first.get("/referrals").json["contents"]
    assert [(r["provider_id"], r["case_reference"], r["status"]) for r in held] == [(shelter["id"], "ZAAK-A", "pending")]
    assert first.get("/waitlist").json["contents"] == []
    assert len(second.get("/waitlist").json["contents"]) == 1
    assert second.get("/referrals").json["total_items"] == 0


def test_an_entry_is_deleted_when_its_time_is_up(admin, app, clock):
    mine = admin.as_role("caseworker")
    entry = mine.post("/waitlist", {"query": UTRECHT, "case_reference": "ZAAK-T", "hours": 2}).json
    clock.advance(hours=2)
    assert mine.get("/waitlist").json["contents"] == []
    serve(app, clock)
    context = app.extensions["haven"]
    assert [e.id for e in waitlist_store_for(context.store).entries()] == []
    assert entry["id"]


def test_every_entry_is_listed_and_only_ended_ones_are_dropped_however_many_pages_they_fill(app, clock, monkeypatch):
    monkeypatch.setattr(waitlist_stores, "PAGE", 3)  # the engine reads entries three at a time
    waitlist = waitlist_store_for(app.extensions["haven"].store)
    start = clock.now
    made = []
    for number in range(11):
        created, ends = start + timedelta(minutes=number), start + timedelta(hours=1 + number % 3)
        made.append(WaitlistEntry(id=str(uuid.uuid4()), created_by=f"caseworker:{number % 2}",
                                  case_reference=f"ZAAK-P{number}", need="shelter", query=dict(UTRECHT),
                                  created_at=iso(created), expires_at=iso(ends)))
    for entry in reversed(made):
        waitlist.add(entry)

    assert [entry.id for entry in waitlist.entries()] == [entry.id for entry in made]
    assert [entry.id for entry in waitlist.entries("caseworker:1")] == [entry.id for entry in made[1::2]]
    cut = iso(start + timedelta(hours=2))
    assert waitlist.drop_ended(cut) == sum(entry.expires_at <= cut for entry in made)
    assert [entry.id for entry in waitlist.entries()] == [entry.id for entry in made if entry.expires_at > cut]
    assert waitlist.drop_ended(cut) == 0
