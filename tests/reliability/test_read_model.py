"""The matcher's read model answers exactly what the directory's candidate query answers, on any directory.

A generated directory goes into a real store; the read model loads it through the directory's change feed
(the same use case GET /changes runs) and is asked random candidate queries side by side with the directory
(the use case POST /candidates runs), as a caseworker: the same providers, in the same order, as the same
views. Then writes of every kind that change an answer (an edit that makes a provider confidential, a
capacity report, a hold taken and released, an accepted referral, a delete, a status change) are made,
the read model pulls what changed, and the answers are compared again, also later, when holds have ended
without any write.
"""
from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.directory import service
from services.directory.domain.referrals import NoCapacity, Referral, hold_until
from services.matcher.candidates import scorable
from services.matcher.readmodel import ReadModel
from services.shared.placement import CandidateQuery
from services.shared.identity import Caller
from services.shared.times import iso
from tests.reliability.test_properties import (AUDIT, BACKENDS, NOW, a_store, areas_at_cell_edges, as_records,
                                               candidate_queries, providers)

CASEWORKER = Caller("caseworker", "caseworker:1")
PAGE = 7  # small pages: paging through the snapshot and the changes is part of what is checked


def pull(model: ReadModel, store, now) -> None:
    """Read every change after the model's sequence, page by page, as the matcher's follower does."""
    while True:
        page = service.list_changes(store=store, viewer=CASEWORKER, since=model.sequence, limit=PAGE, now=now)
        model.apply(page)
        if not page["more"]:
            return


def directory_answer(store, query, now) -> list[dict]:
    return service.find_candidates(store=store, viewer=CASEWORKER, query=query, now=now)


def model_answer(model: ReadModel, query, now) -> list[dict]:
    return model.candidates([query], now)[0]


def same_answers(store, model, queries, now) -> None:
    for query in queries:
        expected = directory_answer(store, query, now)
        assert model_answer(model, query, now) == expected, query
        same_as_ranked(model, query, now, expected)


def same_as_ranked(model: ReadModel, query, now, expected: list[dict]) -> None:
    """What ranking reads of the model's answers (from its columns, without their whole views) is what it reads of
    the directory's whole views, and the whole view it is shown is the directory's."""
    from_columns = model.scorable([query], now)[0]
    from_views = scorable(expected, query, now)
    assert [(c.provider_id, c.distance_km, c.age_hours, c.free, c.unit, c.point) for c in from_columns] == \
        [(c.provider_id, c.distance_km, c.age_hours, c.free, c.unit, c.point) for c in from_views], query
    for column, view in zip(from_columns, from_views):
        for field in ("languages", "interpretation_languages", "eligibility", "delivery"):
            assert column.rules.get(field) == view.rules.get(field), (query, field)
    assert [model.whole_view(candidate, now, {}) for candidate in from_columns] == expected, query


WRITES = st.lists(st.tuples(st.sampled_from(("confidential", "capacity", "hold", "release", "accept", "delete",
                                              "status", "move")), st.integers(0, 10 ** 6)), min_size=1, max_size=6)


def write(store, kind: str, pick: int, directory: list[dict], pending: list[Referral], now) -> None:
    """One write of `kind` to a provider chosen by `pick`; the generated directory follows what is stored."""
    if not directory:
        return
    generated = directory[pick % len(directory)]
    provider_id = generated["id"]
    if kind == "delete":
        store.delete_provider(provider_id, AUDIT)
        directory.remove(generated)
    elif kind == "capacity":
        current = store.get_provider(provider_id, now)["capacity"]
        store.set_capacity(provider_id, pick % (current["maximum"] + 1), None, now, AUDIT)
    elif kind == "hold":
        referral = Referral(id=str(uuid.uuid4()), provider_id=provider_id, need=generated["services"][0],
                            case_reference=f"P-{uuid.uuid4().hex[:8]}", status="pending", created_by="caseworker:2",
                            created_at=iso(now), expires_at=hold_until(now, 1 + pick % 120), updated_at=iso(now))
        try:
            store.create_referral(referral, now, AUDIT)
            pending.append(referral)
        except NoCapacity:
            pass
    elif kind in ("release", "accept") and pending:
        referral = pending.pop(pick % len(pending))
        if any(p["id"] == referral.provider_id for p in directory):
            store.transition_referral(referral.id, "cancelled" if kind == "release" else "accepted", now, AUDIT)
    else:
        location = dict(generated["location"])
        changed = dict(generated)
        if kind == "confidential":
            location["confidential"] = not location["confidential"]
        elif kind == "move":
            location["lat"] += (pick % 200 - 100) / 1000
        else:
            changed["status"] = ("active", "inactive", "temporarily_closed")[pick % 3]
        changed["location"] = location
        directory[directory.index(generated)] = changed
        store.bulk_upsert(as_records([changed]), AUDIT)


@pytest.mark.parametrize("backend", BACKENDS)
def test_read_model_answers_exactly_as_the_directory_on_any_directory_and_after_any_write(backend):
    @settings(max_examples=25 if backend == "engine" else 80, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(directory=st.lists(providers(), min_size=1, max_size=20, unique_by=lambda p: p["id"]),
           queries=st.lists(candidate_queries(), min_size=1, max_size=4), writes=WRITES, data=st.data())
    def check(directory, queries, writes, data):
        queries = [replace(query, avoid=query.avoid + data.draw(areas_at_cell_edges(directory, query)))
                   for query in queries]
        directory = list(directory)
        with a_store(backend) as store:
            store.bulk_upsert(as_records(directory), AUDIT)
            pending: list[Referral] = []
            for generated in directory:
                for _ in range(generated["held"]):
                    write(store, "hold", directory.index(generated), directory, pending, NOW)
            model = ReadModel()
            pull(model, store, NOW)
            same_answers(store, model, queries, NOW)

            for kind, pick in writes:
                write(store, kind, pick, directory, pending, NOW)
                pull(model, store, NOW)
                same_answers(store, model, queries, NOW)

            # Time alone moves answers on: holds end, counts grow stale; no write, nothing to pull.
            for later in (timedelta(minutes=30), timedelta(hours=3), timedelta(days=2)):
                same_answers(store, model, queries, NOW + later)

    check()


@settings(max_examples=10, deadline=None)
@given(generated=st.lists(providers(), min_size=2, max_size=6, unique_by=lambda p: p["id"]))
def test_the_feed_lists_a_snapshot_then_only_what_changed_and_deletes_as_tombstones(generated):
    """since=0 lists every provider there is; a later read only what changed, a delete by its id."""
    with a_store("sqlite") as store:
        store.bulk_upsert(as_records(generated), AUDIT)
        first = service.list_changes(store=store, viewer=CASEWORKER, since=0, limit=100, now=NOW)
        assert sorted(p["id"] for p in first["providers"]) == sorted(p["id"] for p in generated)
        store.delete_provider(generated[0]["id"], AUDIT)
        later = service.list_changes(store=store, viewer=CASEWORKER, since=first["sequence"], limit=100, now=NOW)
        assert later["deleted"] == [generated[0]["id"]] and later["providers"] == []
        assert later["sequence"] > first["sequence"]
        again = service.list_changes(store=store, viewer=CASEWORKER, since=0, limit=100, now=NOW)
        assert generated[0]["id"] not in [p["id"] for p in again["providers"]] and again["deleted"] == []


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(directory=st.lists(providers(), min_size=2, max_size=6, unique_by=lambda p: p["id"]),
       queries=st.lists(candidate_queries(), min_size=1, max_size=3))
def test_kinds_of_provider_no_provider_is_of_any_more_are_numbered_anew_and_answers_stay_the_directorys(
        directory, queries):
    """The model keeps what the column rules read once per kind of provider: edits that keep making new kinds
    (a provider closed and opened again, its intake hours changed) leave at most one kind per provider plus one,
    and answers stay the directory's while kinds are forgotten and their numbers used again."""
    directory = list(directory)
    with a_store("sqlite") as store:
        store.bulk_upsert(as_records(directory), AUDIT)
        model = ReadModel()
        pull(model, store, NOW)
        for turn in range(12):
            changed = dict(directory[turn % len(directory)],
                           status=("active", "inactive", "temporarily_closed")[turn % 3],
                           contact={"intake_opening_hours": f"Mo-Fr 0{turn % 10}:00-18:00"})
            directory[turn % len(directory)] = changed
            store.bulk_upsert(as_records([changed]), AUDIT)
            pull(model, store, NOW)
            assert len(model._kinds) <= len(directory) + 1
            same_answers(store, model, queries, NOW)
        store.delete_provider(directory[0]["id"], AUDIT)
        pull(model, store, NOW)
        same_answers(store, model, queries, NOW)


def into_town(lat: float, lon: float) -> tuple[float, float]:
    """A point of the whole country moved into the square `spread` fills (about 0.55 by 0.8 degrees)."""
    return 52.0 + (lat - 50.6) * 0.18, 4.7 + (lon - 3.2) * 0.19


def spread(provider: dict, place: int) -> dict:
    """The provider at the `place`th point of a lattice 9 points high, about 7 km apart, moved a little within it
    as generated: at least 20 cells of the grid hold a provider."""
    location = provider["location"]
    lat = 52.0 + (place % 9) * 0.06 + (location["lat"] - 50.6) * 0.003
    lon = 4.7 + (place // 9) * 0.1 + (location["lon"] - 3.2) * 0.003
    return dict(provider, location=dict(location, lat=lat, lon=lon))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(directory=st.lists(providers(), min_size=30, max_size=80, unique_by=lambda p: p["id"]),
       queries=st.lists(candidate_queries(), min_size=1, max_size=4), writes=WRITES)
def test_nearest_first_through_the_grid_answers_what_the_whole_directory_does(directory, queries, writes):
    """Many providers close together: a query's nearest are found within a reach that grows from a few km, and
    the answer is the directory's, whether the `limit`th is close by or the reach has to cover everything;
    moves, deletes and status changes keep the grid the directory's too."""
    directory = [spread(provider, place) for place, provider in enumerate(directory)]
    queries = [replace(query, near=into_town(*query.near),
                       avoid=tuple(replace(area, **dict(zip(("lat", "lon"), into_town(area.lat, area.lon))),
                                           radius_km=area.radius_km / 10) for area in query.avoid),
                       max_distance_km=None if query.max_distance_km is None else query.max_distance_km / 10)
               for query in queries]
    with a_store("sqlite") as store:
        store.bulk_upsert(as_records(directory), AUDIT)
        model = ReadModel()
        pull(model, store, NOW)
        assert len(model._grid) > 12  # more cells than a query's first reach covers: the grid is searched
        same_answers(store, model, queries, NOW)
        pending: list[Referral] = []
        for kind, pick in writes:
            write(store, kind, pick, directory, pending, NOW)
            pull(model, store, NOW)
            same_answers(store, model, queries, NOW)


def open_shelter(number: int, lat: float, lon: float) -> dict:
    """An active shelter anyone may be placed at, with a free bed, at this point (not confidential)."""
    return {"id": str(uuid.UUID(int=number)), "name": "Shelter", "organization": "", "description": "",
            "type": "shelter", "services": ["shelter"], "languages": ["en"], "interpretation_languages": [],
            "location": {"municipality": "Somewhere", "region": "", "lat": lat, "lon": lon, "address": "Straat 1",
                         "postal_code": "", "confidential": False},
            "eligibility": {"genders": ["female", "male", "non_binary"], "min_age": 18, "max_age": 120,
                            "accepts_children": True, "wheelchair_accessible": True, "exploitation_types": [],
                            "residence_statuses": [], "countries": []},
            "capacity": {"available": 2, "maximum": 4, "unit": "bed", "updated": iso(NOW)},
            "contact": {"phone": "", "email": None, "intake_hours": "", "intake_opening_hours": "24/7"},
            "hold_minutes": 240, "status": "active"}


def test_a_provider_just_beyond_the_first_reach_comes_before_one_in_the_corner_of_its_box():
    """The first reach's box has corners further away than the reach: a provider there is not known to be among
    the nearest until the reach has grown past one just beyond the box's side."""
    near = (52.0, 5.0)
    close = open_shelter(1, 52.005, 5.0)  # 0.6 km
    corner = open_shelter(2, 52.0 + 0.085, 5.0 + 0.14)  # inside the 10 km box, about 13.5 km away
    north = open_shelter(3, 52.0 + 0.1, 5.0)  # about 11 km: beyond the 10 km box
    # Far away, in cells of their own: the grid holds more cells than the first reach covers.
    elsewhere = [open_shelter(10 + n, 50.8 + 0.1 * (n % 5), 6.5 + 0.1 * (n // 5)) for n in range(30)]
    directory = [close, corner, north, *elsewhere]
    query = CandidateQuery(need="shelter", near=near, limit=2)
    with a_store("sqlite") as store:
        store.bulk_upsert(as_records(directory), AUDIT)
        model = ReadModel()
        pull(model, store, NOW)
        assert [view["id"] for view in model_answer(model, query, NOW)] == [close["id"], north["id"]]
        same_answers(store, model, [query, replace(query, limit=3), replace(query, max_distance_km=12.0)], NOW)


def test_a_need_of_its_own_pool_shows_how_old_its_count_is_at_the_time_asked():
    """Every pool is shown as of the time asked, the need's own pool as much as the main one, with or without holds."""
    shelter = dict(open_shelter(1, 52.0, 5.0), services=["shelter", "medical"],
                   service_capacity={"medical": {"available": 3, "maximum": 3, "unit": "appointment",
                                                 "updated": iso(NOW - timedelta(hours=2))}})
    query = CandidateQuery(need="medical", near=(52.0, 5.0), limit=1)
    with a_store("sqlite") as store:
        store.bulk_upsert(as_records([shelter]), AUDIT)
        model = ReadModel()
        pull(model, store, NOW)
        for later in (timedelta(0), timedelta(hours=5), timedelta(days=2)):
            same_answers(store, model, [query, replace(query, need="shelter")], NOW + later)
        [answer] = model_answer(model, query, NOW + timedelta(days=2))
        assert answer["service_capacity"]["medical"]["stale"] is True
