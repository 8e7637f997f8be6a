"""Capacity about to go stale: at most three reminders, each with a one-time link that confirms or updates it."""
from __future__ import annotations

import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from types import SimpleNamespace

import pytest

from services.directory import create_app as create_directory
from services.directory.notifications.events import payload
from services.directory.notifications.stale import capacity_event_id, remind_stale
from services.directory.notifications.wiring import notification_store_for
from services.directory.settings import DirectorySettings
from tests.conftest import SECRET
from tests.support.factories import provider
from tests.support.havens import directory_store
from tests.support.signed import SignedFlaskClient


@pytest.fixture(params=["sqlite", pytest.param("engine", marks=pytest.mark.engine)])
def app(request, tmp_path, clock):
    with directory_store(request.param, tmp_path) as store:
        settings = DirectorySettings(store_url=f"sqlite:///{tmp_path / 'nonces.db'}", internal_secret=SECRET,
                                     public_url="https://haven.example.nl")
        yield create_directory({"SETTINGS": settings, "STORE": store, "CLOCK": clock})


def remind(app, clock, notifier=None, store=None, **options):
    context = app.extensions["haven"]
    return remind_stale(notifier=notifier or context.notifier, store=store or context.store, secret=SECRET,
                        now=clock.now, before=timedelta(hours=2), spacing=timedelta(hours=8), **options)


def reminders(app):
    return [e for e in app.extensions["haven"].notifier.store.events_to_fan_out(100) if e["type"] == "capacity.stale"]


def test_at_most_three_reminders_spaced_apart_from_shortly_before_the_count_goes_stale(app, clock):
    admin = SignedFlaskClient(app, SECRET, "admin")
    admin.post("/providers", provider(capacity={"available": 2, "maximum": 4}))
    clock.advance(hours=21)
    assert remind(app, clock) == 0
    clock.advance(hours=1, minutes=30)
    assert remind(app, clock) == 1
    assert remind(app, clock) == 0          # the next only `spacing` later
    clock.advance(hours=8)
    assert remind(app, clock) == 1
    clock.advance(hours=8)
    assert remind(app, clock) == 1
    clock.advance(hours=8)
    assert remind(app, clock) == 0          # three is the most
    assert [e["reminder"] for e in reminders(app)] == [1, 2, 3]


def test_the_link_confirms_or_updates_the_count_once_without_signing_in(app, clock):
    admin = SignedFlaskClient(app, SECRET, "admin")
    shelter = admin.post("/providers", provider(capacity={"available": 2, "maximum": 4})).json
    clock.advance(hours=23)
    remind(app, clock)
    token = reminders(app)[0]["token"]
    by_link = admin.as_role("provider", subject="capacity-link", provider_ids=(shelter["id"],))

    answer = by_link.post(f"/capacity-links/{token}", {"available": 1})

    assert answer.status_code == 200, answer.json
    assert answer.json["available"] == 1
    seen = admin.get(f"/providers/{shelter['id']}").json["capacity"]
    assert (seen["available"], seen["stale"]) == (1, False)
    again = by_link.post(f"/capacity-links/{token}", {})
    assert (again.status_code, again.json["error"]["code"]) == (409, "link_used")


@pytest.mark.parametrize("token", ["nonsense", "eyJwIjoiYSJ9.abc", ""])
def test_a_forged_link_is_refused_naming_the_token(app, token):
    client = SignedFlaskClient(app, SECRET, "provider", provider_ids=("a",))
    answer = client.post(f"/capacity-links/{token}x", {})
    assert answer.status_code == 400
    assert "token" in answer.json["error"]["fields"]


def test_a_link_for_one_provider_does_not_change_another(app, clock):
    admin = SignedFlaskClient(app, SECRET, "admin")
    first = admin.post("/providers", provider(capacity={"available": 2, "maximum": 4})).json
    second = admin.post("/providers", provider(name="Tweede", capacity={"available": 2, "maximum": 4})).json
    clock.advance(hours=23)
    remind(app, clock)
    token = next(e["token"] for e in reminders(app) if e["provider_id"] == first["id"])
    other = admin.as_role("provider", provider_ids=(second["id"],))
    assert other.post(f"/capacity-links/{token}", {"available": 0}).status_code == 400
    assert admin.get(f"/providers/{first['id']}").json["capacity"]["available"] == 2


def add_shelters(app, count):
    admin = SignedFlaskClient(app, SECRET, "admin")
    return [admin.post("/providers", provider(name=f"Opvang {n}", capacity={"available": 1, "maximum": 2})).json
            for n in range(count)]


def test_a_round_in_small_pages_writes_each_providers_next_reminder_as_one_page_would(app, clock):
    shelters = add_shelters(app, 5)
    clock.advance(hours=23)

    assert remind(app, clock, page=2) == 5
    assert remind(app, clock, page=2) == 0
    clock.advance(hours=8)
    assert remind(app, clock, page=2) == 5

    expected = sorted(capacity_event_id(s["id"], {None: s["capacity"]["updated"]}, number)
                      for s in shelters for number in (1, 2))
    assert sorted(e["id"] for e in reminders(app)) == expected


def test_two_directories_reminding_at_once_write_each_reminder_once(app, clock):
    shelters = add_shelters(app, 6)
    clock.advance(hours=23)
    store = app.extensions["haven"].store
    directories = [SimpleNamespace(store=notification_store_for(store)) for _ in range(2)]
    start = threading.Barrier(2)

    def round_(notifier):
        start.wait(timeout=10)
        return remind(app, clock, notifier=notifier, page=2)

    with ThreadPoolExecutor(max_workers=2) as pool:
        written = list(pool.map(round_, directories))

    assert sum(written) == len(shelters)
    assert sorted(e["provider_id"] for e in reminders(app)) == sorted(s["id"] for s in shelters)
    assert {e["reminder"] for e in reminders(app)} == {1}


class CountedCalls:
    """The real notification store, counting the calls made to it."""

    def __init__(self, store):
        self.store, self.calls = store, Counter()

    def __getattr__(self, name):
        method = getattr(self.store, name)

        def counted(*args, **kwargs):
            self.calls[name] += 1
            return method(*args, **kwargs)
        return counted


def test_a_round_reads_and_writes_the_outbox_once_per_page_of_providers(app, clock):
    add_shelters(app, 7)
    clock.advance(hours=23)
    outbox = CountedCalls(app.extensions["haven"].notifier.store)

    assert remind(app, clock, notifier=SimpleNamespace(store=outbox), page=3) == 7
    assert outbox.calls == Counter(get_events=3, add_events_once=3)

    outbox.calls.clear()
    assert remind(app, clock, notifier=SimpleNamespace(store=outbox), page=3) == 0
    assert outbox.calls == Counter(get_events=3)  # nothing due yet: nothing written


def test_a_round_is_not_upset_by_a_count_reported_while_it_reads_the_providers(app, clock):
    add_shelters(app, 3)
    clock.advance(hours=23)
    store = app.extensions["haven"].store
    admin = SignedFlaskClient(app, SECRET, "admin")

    def reading_while_another_worker_writes(now):
        records = store.iter_providers(now)
        first = next(records)
        yield first
        # Another worker's connection reports a count while this round's read is under way.
        report = threading.Thread(target=admin.put, args=(f"/providers/{first['id']}/capacity", {"available": 0}))
        report.start()
        report.join()
        yield from records

    reading = SimpleNamespace(iter_providers=reading_while_another_worker_writes)
    assert remind(app, clock, store=reading, page=1) == 3


def shelter_with_care(admin, **care):
    """A shelter that counts its medical appointments apart from its beds."""
    return admin.post("/providers", provider(
        services=["shelter", "medical"], capacity={"available": 2, "maximum": 4},
        service_capacity={"medical": {"available": 1, "maximum": 3, "unit": "appointment", **care}})).json


def test_an_old_care_pool_is_reminded_of_even_when_the_beds_were_confirmed(app, clock):
    admin = SignedFlaskClient(app, SECRET, "admin")
    shelter = shelter_with_care(admin)
    clock.advance(hours=20)
    assert admin.put(f"/providers/{shelter['id']}/capacity", {"available": 2}).status_code == 200
    clock.advance(hours=3)

    assert remind(app, clock) == 1

    reminder, = reminders(app)
    assert reminder["pools"] == [{"need": "medical", "updated": shelter["service_capacity"]["medical"]["updated"]}]
    assert payload(reminder, "https://haven.example.nl")["data"]["pools"] == reminder["pools"]


def test_the_link_confirms_the_old_care_pool_and_leaves_the_beds_alone(app, clock):
    admin = SignedFlaskClient(app, SECRET, "admin")
    shelter = shelter_with_care(admin)
    clock.advance(hours=20)
    admin.put(f"/providers/{shelter['id']}/capacity", {"available": 2})
    beds_counted = admin.get(f"/providers/{shelter['id']}").json["capacity"]["updated"]
    clock.advance(hours=3)
    remind(app, clock)
    token = reminders(app)[0]["token"]
    by_link = admin.as_role("provider", subject="capacity-link", provider_ids=(shelter["id"],))
    asked = by_link.get(f"/capacity-links/{token}")
    assert asked.status_code == 200, asked.json
    assert [(pool["need"], pool["available"], pool["unit"]) for pool in asked.json["pools"]] == [
        ("medical", 1, "appointment")]
    clock.advance(minutes=5)

    answer = by_link.post(f"/capacity-links/{token}", {})

    assert answer.status_code == 200, answer.json
    seen = admin.get(f"/providers/{shelter['id']}").json
    care = seen["service_capacity"]["medical"]
    assert (care["available"], care["updated"], care["stale"]) == (1, answer.json["pools"][0]["updated"], False)
    assert seen["capacity"]["updated"] == beds_counted
    assert by_link.post(f"/capacity-links/{token}", {}).json["error"]["code"] == "link_used"
    assert by_link.get(f"/capacity-links/{token}").status_code == 409


def test_one_link_confirms_every_old_pool_at_once_with_new_counts_where_given(app, clock):
    admin = SignedFlaskClient(app, SECRET, "admin")
    shelter = shelter_with_care(admin)
    clock.advance(hours=23)
    remind(app, clock)
    reminder, = reminders(app)
    assert [pool["need"] for pool in reminder["pools"]] == [None, "medical"]
    by_link = admin.as_role("provider", subject="capacity-link", provider_ids=(shelter["id"],))

    answer = by_link.post(f"/capacity-links/{reminder['token']}", {"counts": {"medical": 3}})

    assert answer.status_code == 200, answer.json
    seen = admin.get(f"/providers/{shelter['id']}").json
    assert (seen["capacity"]["available"], seen["service_capacity"]["medical"]["available"]) == (2, 3)
    assert seen["capacity"]["updated"] == seen["service_capacity"]["medical"]["updated"] == answer.json["updated"]
    assert not seen["capacity"]["stale"] and remind(app, clock) == 0


@pytest.mark.parametrize("body, field", [({"counts": {"medical": 4}}, "counts.medical"),
                                         ({"available": 9, "counts": {"medical": 0}}, "available"),
                                         ({"counts": {"legal": 1}}, "counts.legal"),
                                         ({"counts": {"medical": "1"}}, "counts")])
def test_a_count_above_its_maximum_or_for_a_pool_not_asked_about_saves_nothing(app, clock, body, field):
    admin = SignedFlaskClient(app, SECRET, "admin")
    shelter = shelter_with_care(admin)
    before = admin.get(f"/providers/{shelter['id']}")
    clock.advance(hours=23)
    remind(app, clock)
    by_link = admin.as_role("provider", subject="capacity-link", provider_ids=(shelter["id"],))

    answer = by_link.post(f"/capacity-links/{reminders(app)[0]['token']}", body)

    assert answer.status_code == 400, answer.json
    assert any(name.startswith(field) for name in answer.json["error"]["fields"]), answer.json
    after = admin.get(f"/providers/{shelter['id']}")
    assert after.headers["ETag"] == before.headers["ETag"]
    assert (after.json["capacity"]["updated"], after.json["capacity"]["available"]) == (
        before.json["capacity"]["updated"], 2)
    assert after.json["service_capacity"]["medical"]["available"] == 1


def test_a_care_count_reported_after_the_reminder_spends_its_link_and_stands(app, clock):
    admin = SignedFlaskClient(app, SECRET, "admin")
    shelter = shelter_with_care(admin)
    clock.advance(hours=23)
    remind(app, clock)
    token = reminders(app)[0]["token"]
    assert admin.put(f"/providers/{shelter['id']}/capacity", {"available": 0, "need": "medical"}).status_code == 200
    by_link = admin.as_role("provider", subject="capacity-link", provider_ids=(shelter["id"],))

    answer = by_link.post(f"/capacity-links/{token}", {})

    assert (answer.status_code, answer.json["error"]["code"]) == (409, "link_used")
    seen = admin.get(f"/providers/{shelter['id']}").json
    assert seen["service_capacity"]["medical"]["available"] == 0
    assert seen["capacity"]["age_hours"] == 23.0  # the beds were not confirmed either: nothing was saved
