"""The notifications' outbox through its port, on every store: events added once each, read and fanned out many at a time."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from services.directory.notifications.store import Delivery, delivery_id
from services.directory.notifications.wiring import notification_store_for

AT = "2026-12-07T09:00:00+00:00"


def event(number: int, **extra) -> dict:
    return dict({"id": f"evt_test_{number:05d}", "type": "capacity.stale", "at": AT, "referral_id": f"capacity:p{number}",
                 "provider_id": f"p{number}", "created_by": "", "reminder": 1}, **extra)


def delivery(of: dict, subscription_id: str) -> Delivery:
    return Delivery(id=delivery_id(of["id"], subscription_id), seq=of["seq"], event_id=of["id"],
                    subscription_id=subscription_id, referral_id=of["referral_id"], type=of["type"], event_at=of["at"],
                    body="{}", next_at=of["at"])


def without_seq(found: dict) -> dict:
    return {k: v for k, v in found.items() if k != "seq"}


def test_events_added_at_once_are_read_back_by_their_ids(store):
    outbox = notification_store_for(store)
    events = [event(n) for n in range(3)]

    assert outbox.add_events_once(events) == [e["id"] for e in events]

    found = outbox.get_events([e["id"] for e in events] + ["evt_test_missing"])
    assert sorted(found) == [e["id"] for e in events]
    assert [without_seq(found[e["id"]]) for e in events] == events
    assert outbox.get_events(["evt_test_missing"]) == {}
    assert without_seq(outbox.get_events([events[1]["id"]])[events[1]["id"]]) == events[1]


def test_an_event_already_there_is_left_as_it_is_and_not_counted_as_added(store):
    outbox = notification_store_for(store)
    outbox.add_events_once([event(1, reminder=1)])

    added = outbox.add_events_once([event(1, reminder=2), event(2), event(2, reminder=3)])

    assert added == [event(2)["id"]]
    found = outbox.get_events([event(1)["id"], event(2)["id"]])
    assert found[event(1)["id"]]["reminder"] == 1
    assert found[event(2)["id"]]["reminder"] == 1  # the first of one id in a batch is the one kept
    assert outbox.add_events_once([event(1)]) == []
    assert outbox.add_events_once([event(3)]) == [event(3)["id"]]
    assert [e["id"] for e in outbox.events_to_fan_out(10)] == [event(n)["id"] for n in (1, 2, 3)]


def test_nothing_asked_reads_and_writes_nothing(store):
    outbox = notification_store_for(store)
    assert outbox.get_events([]) == {}
    assert outbox.add_events_once([]) == []
    outbox.fan_out_all([])
    assert outbox.events_to_fan_out(10) == []


def test_many_ids_are_read_and_written_past_one_request(store):
    outbox = notification_store_for(store)
    events = [event(n) for n in range(1200)]

    assert len(outbox.add_events_once(events[::2])) == 600
    assert len(outbox.add_events_once(events)) == 600

    found = outbox.get_events([e["id"] for e in events] + [f"evt_other_{n}" for n in range(600)])
    assert sorted(found) == sorted(e["id"] for e in events)
    assert len(outbox.events_to_fan_out(2000)) == 1200


def test_two_writers_adding_the_same_events_at_once_write_each_once(store):
    first, second = notification_store_for(store), notification_store_for(store)  # two directories, one store
    first.get_events(["evt_test_warm"])  # the indices exist before the writers race
    ids = [event(n)["id"] for n in range(400)]
    start = threading.Barrier(2)

    def write(writer: tuple[str, object]) -> list[str]:
        name, outbox = writer
        start.wait(timeout=10)
        added = []
        for chunk in range(0, 400, 100):  # the same pages, written by both
            added += outbox.add_events_once([event(n, writer=name) for n in range(chunk, chunk + 100)])
        return added

    with ThreadPoolExecutor(max_workers=2) as pool:
        by_first, by_second = pool.map(write, [("first", first), ("second", second)])

    assert sorted(by_first + by_second) == sorted(ids)
    found = first.get_events(ids)
    assert all(found[i]["writer"] == "first" for i in by_first)
    assert all(found[i]["writer"] == "second" for i in by_second)
    waiting = [e["id"] for e in first.events_to_fan_out(1000)]
    assert sorted(waiting) == sorted(ids)


def test_fanning_out_many_events_writes_their_deliveries_once_and_marks_each(store):
    outbox = notification_store_for(store)
    outbox.add_events_once([event(n) for n in range(4)])
    waiting = outbox.events_to_fan_out(10)
    fanned = [(e, [delivery(e, "sub-a"), delivery(e, "sub-b")] if n % 2 == 0 else []) for n, e in enumerate(waiting)]

    outbox.fan_out_all(fanned[:3])

    assert [e["id"] for e in outbox.events_to_fan_out(10)] == [waiting[3]["id"]]
    pending = outbox.pending_deliveries(10)
    assert [d.id for d in pending] == [delivery(waiting[n], s).id for n in (0, 2) for s in ("sub-a", "sub-b")]
    tried = pending[0]
    tried.attempts, tried.next_at, tried.last_error = 1, "2026-12-07T09:01:00+00:00", "HTTP 500"
    outbox.record_attempt(tried)

    outbox.fan_out_all(fanned)  # a repeated fan-out: the deliveries there stay as they are

    assert outbox.events_to_fan_out(10) == []
    again = {d.id: d for d in outbox.pending_deliveries(10)}
    assert len(again) == 4
    assert (again[tried.id].attempts, again[tried.id].last_error) == (1, "HTTP 500")
