"""Properties over generated data (hypothesis): hard filters hold on any directory, scores stay in [0, 1].

The hard filters' one home (services.shared.placement) is the oracle for every store: against a small
generated directory in a real SQLite file and on the real search engine, every candidate passes every
filter, every provider that passes them all is a candidate (up to the limit, nearest first), and moving
a confidential provider within its public cell changes no answer.
"""
from __future__ import annotations

import contextlib
import itertools
import math
import tempfile
import uuid
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from services.directory.domain.referrals import NoCapacity, Referral, hold_until
from services.directory.store import AuditEntry, DirectoryStore
from services.matcher.domain.geo import Point
from services.matcher.domain.person import Person
from services.matcher.domain.scoring import ScoringWeights, rank, score_candidate
from services.shared import vocabulary as v
from services.shared.geo import CELL_REACH_KM, KM_PER_DEGREE_LAT, Area, cell_of, distance_km
from services.shared.placement import CandidateQuery, failed_filters, public_point
from services.shared.reasons import REASONS
from services.shared.times import iso
from tests.support.havens import directory_store

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=timezone.utc)
# The Netherlands and a margin: distances of a few km to a few hundred.
LATS = st.floats(min_value=50.6, max_value=53.7, allow_nan=False)
LONS = st.floats(min_value=3.2, max_value=7.4, allow_nan=False)
AUDIT = AuditEntry(at=iso(NOW), actor="test", role="admin", action="provider.import", target=None,
                   request_id=None)
COUNTRIES = ("RO", "BG", "NG", "UA", "ER")
LANGUAGES = ("nl", "en", "ro", "bg", "ti", "pcm", "uk", "ar")


@st.composite
def providers(draw) -> dict:
    available = draw(st.integers(0, 4))
    min_age = draw(st.integers(0, 40))
    return {
        "id": str(uuid.UUID(int=draw(st.integers(0, 2**64)))),
        "name": "Generated", "organization": "", "description": "",
        "type": draw(st.sampled_from(v.PROVIDER_TYPES)),
        "services": draw(st.lists(st.sampled_from(v.NEEDS), min_size=1, max_size=3, unique=True)),
        "languages": draw(st.lists(st.sampled_from(LANGUAGES), max_size=3, unique=True)),
        "interpretation_languages": [],
        "location": {"municipality": "Somewhere", "region": "", "lat": draw(LATS), "lon": draw(LONS),
                     "address": "Straat 1", "postal_code": "", "confidential": draw(st.booleans())},
        "eligibility": {"genders": draw(st.lists(st.sampled_from(v.GENDERS), min_size=1, max_size=3, unique=True)),
                        "min_age": min_age, "max_age": draw(st.integers(min_age, 120)),
                        "accepts_children": draw(st.booleans()), "wheelchair_accessible": draw(st.booleans()),
                        "exploitation_types": [],
                        "residence_statuses": draw(st.lists(st.sampled_from(v.RESIDENCE_STATUSES), max_size=3,
                                                            unique=True)),
                        "countries": draw(st.lists(st.sampled_from(COUNTRIES), max_size=2, unique=True)),
                        **({} if draw(st.booleans()) else {
                            "cannot_serve": draw(st.lists(st.sampled_from(v.SUPPORT_NEEDS), max_size=2, unique=True)),
                            "target_groups": draw(st.lists(st.sampled_from(v.TARGET_GROUPS), max_size=2,
                                                           unique=True))})},
        **({} if draw(st.booleans()) else {"delivery": draw(st.lists(st.sampled_from(v.DELIVERY_MODES), min_size=1,
                                                                       max_size=3, unique=True))}),
        "capacity": {"available": available, "maximum": available + draw(st.integers(0, 3)), "unit": "bed",
                     "updated": iso(NOW - timedelta(hours=draw(st.sampled_from((0, 5, 30, 100, 167, 169, 400)))))},
        "contact": {"phone": "", "email": None, "intake_hours": "",
                    "intake_opening_hours": draw(st.sampled_from(("", "24/7", "Mo-Su 17:00-23:00", "Mo-Fr 09:00-17:00",
                                                                  "Sa,Su 22:00-06:00; We off", "not hours")))},
        "hold_minutes": 240,
        "status": draw(st.sampled_from(("active", "active", "active", "inactive", "temporarily_closed"))),
        "held": draw(st.integers(0, 3)),
    }


@st.composite
def candidate_queries(draw) -> CandidateQuery:
    need = draw(st.sampled_from(v.NEEDS))
    areas = draw(st.lists(st.builds(Area, lat=LATS, lon=LONS, radius_km=st.floats(1, 80)), max_size=3))
    return CandidateQuery(
        need=need, near=(draw(LATS), draw(LONS)),
        gender=draw(st.none() | st.sampled_from(v.GENDERS)), age=draw(st.none() | st.integers(0, 90)),
        accompanying_children=draw(st.booleans()), wheelchair=draw(st.booleans()),
        residence_status=draw(st.none() | st.sampled_from(v.RESIDENCE_STATUSES)),
        return_country=draw(st.none() | st.sampled_from(COUNTRIES)) if need == "repatriation" else None,
        max_distance_km=draw(st.none() | st.floats(1, 300)), avoid=tuple(areas),
        include_stale=draw(st.booleans()), limit=draw(st.integers(1, 8)), free_only=draw(st.booleans()),
        intake_slot=draw(st.none() | st.integers(0, 7 * 96 - 1)),
        support_needs=tuple(draw(st.lists(st.sampled_from(v.SUPPORT_NEEDS), max_size=2, unique=True))),
        target_groups=draw(st.none() | st.lists(st.sampled_from(v.TARGET_GROUPS), max_size=2, unique=True).map(tuple)))


@st.composite
def areas_at_cell_edges(draw, directory: list[dict], query: CandidateQuery) -> tuple[Area, ...]:
    """Areas to avoid whose edge passes by the cell of a provider the other filters let through: there the
    cell rule alone decides."""
    others = replace(query, avoid=())
    passing = [p for p in directory if oracle(p, 0, others)] or directory
    areas = []
    for _ in range(draw(st.integers(0, 2))):
        provider = draw(st.sampled_from(passing))
        centre = public_point(provider["location"])
        radius = draw(st.floats(0.5, 40))
        beyond = radius + draw(st.floats(-1, CELL_REACH_KM))
        bearing = math.radians(draw(st.floats(0, 360)))
        lat = centre[0] + beyond * math.cos(bearing) / KM_PER_DEGREE_LAT
        lon = centre[1] + beyond * math.sin(bearing) / (KM_PER_DEGREE_LAT * math.cos(math.radians(centre[0])))
        areas.append(Area(lat, lon, radius))
    return tuple(areas)


def oracle(record: dict, held: int, query: CandidateQuery) -> bool:
    """Whether the rules' home passes this provider for this query: the oracle every store is held to."""
    stored = dict(record, capacity=dict(record["capacity"], held=held))
    return not failed_filters(query, stored, NOW)


def _load(store: DirectoryStore, directory: list[dict]) -> dict[str, int]:
    """Put the generated providers in the store with their pending referrals; returns id -> units held."""
    store.bulk_upsert(as_records(directory), AUDIT)
    held = {}
    for generated in directory:
        held[generated["id"]] = 0
        for _ in range(generated["held"]):
            referral = Referral(id=str(uuid.uuid4()), provider_id=generated["id"], need=generated["services"][0],
                                case_reference="P-1", status="pending", created_by="caseworker:1",
                                created_at=iso(NOW), expires_at=hold_until(NOW, 240), updated_at=iso(NOW))
            try:
                store.create_referral(referral, NOW, AUDIT)
                held[generated["id"]] += 1
            except NoCapacity:
                break
    return held


def as_records(directory: list[dict]) -> list[dict]:
    return [{k: val for k, val in p.items() if k != "held"} | {"last_modified": iso(NOW)} for p in directory]


def moved_within_cells(directory: list[dict], shifts: list[tuple[float, float]]) -> list[dict]:
    """The same providers, every confidential one moved to another point of its own public cell."""
    moved = []
    for provider, (dlat, dlon) in zip(directory, itertools.cycle(shifts)):
        location = provider["location"]
        if location["confidential"]:
            cell = cell_of(location["lat"], location["lon"])
            box = cell.box
            # Kept strictly inside: a cell's upper edges belong to the next cell, and its lower edge, worked
            # out as row x step in floating point, may fall a hair into the cell below.
            lat = min(max(box.min_lat + (box.max_lat - box.min_lat) * dlat, box.min_lat + 1e-9), box.max_lat - 1e-9)
            lon = min(max(box.min_lon + (box.max_lon - box.min_lon) * dlon, box.min_lon + 1e-9), box.max_lon - 1e-9)
            assert cell_of(lat, lon) == cell
            provider = dict(provider, location=dict(location, lat=lat, lon=lon))
        moved.append(provider)
    return moved


@contextlib.contextmanager
def a_store(backend: str) -> Iterator[DirectoryStore]:
    """A fresh store per generated example (hypothesis runs many within one test)."""
    with tempfile.TemporaryDirectory() as folder:
        with directory_store(backend, Path(folder)) as store:
            yield store


def answers(store: DirectoryStore, query: CandidateQuery) -> list[tuple[str, float]]:
    return [(record["id"], round(distance, 9)) for record, distance in store.candidates(query, NOW)]


BACKENDS = [pytest.param("sqlite", id="sqlite"), pytest.param("engine", id="engine", marks=pytest.mark.engine)]
SHIFTS = st.lists(st.tuples(st.floats(0, 1), st.floats(0, 1)), min_size=1, max_size=4)


@pytest.mark.parametrize("backend", BACKENDS)
def test_candidates_of_any_directory_are_exactly_those_the_rules_pass_on_every_store(backend):
    @settings(max_examples=60 if backend == "engine" else 150, deadline=None,
              suppress_health_check=[HealthCheck.too_slow])
    @given(directory=st.lists(providers(), min_size=1, max_size=20, unique_by=lambda p: p["id"]),
           query=candidate_queries(), shifts=SHIFTS, data=st.data())
    def check(directory, query, shifts, data):
        query = replace(query, avoid=query.avoid + data.draw(areas_at_cell_edges(directory, query)))
        with a_store(backend) as store:
            held = _load(store, directory)
            found = store.candidates(query, NOW)
            records = {p["id"]: p for p in directory}
            for record, distance in found:
                assert oracle(records[record["id"]], held[record["id"]], query), record["id"]
                assert abs(distance - distance_km(*public_point(records[record["id"]]["location"]),
                                                  *query.near)) < 1e-6
            eligible = sorted((distance_km(*public_point(p["location"]), *query.near), p["id"]) for p in directory
                              if oracle(p, held[p["id"]], query))
            assert [record["id"] for record, _ in found] == [pid for _, pid in eligible[:query.limit]]

            # Where in its cell a confidential provider really is changes nothing a query can see.
            before = answers(store, query)
            store.bulk_upsert(as_records(moved_within_cells(directory, shifts)), AUDIT)
            assert answers(store, query) == before

    check()


WEIGHT = st.floats(min_value=0, max_value=10, allow_nan=False, allow_infinity=False)


@st.composite
def weights(draw) -> ScoringWeights:
    values = {name: draw(WEIGHT) for name in ("language", "distance", "freshness", "specialism", "headroom", "support")}
    if values["language"] + values["distance"] + values["freshness"] + values["headroom"] <= 0:
        values["distance"] = 1.0
    return ScoringWeights(**values, distance_half_life_km=draw(st.floats(0.1, 500)))


@settings(max_examples=300, deadline=None)
@given(weights=weights(), distances=st.lists(st.floats(0, 2000, allow_nan=False), min_size=1, max_size=6),
       languages=st.lists(st.sampled_from(LANGUAGES), min_size=1, max_size=4, unique=True),
       staff=st.lists(st.sampled_from(LANGUAGES), max_size=3, unique=True),
       interpreted=st.lists(st.sampled_from(LANGUAGES), max_size=3, unique=True),
       free=st.integers(-3, 500), hours=st.floats(-48, 5000, allow_nan=False),
       exploitation=st.none() | st.sampled_from(v.EXPLOITATION_TYPES),
       specialisms=st.lists(st.sampled_from(v.EXPLOITATION_TYPES), max_size=3, unique=True),
       unit=st.sampled_from(v.CAPACITY_UNITS), coarse=st.booleans(),
       support=st.lists(st.sampled_from(v.SUPPORT_NEEDS), max_size=3, unique=True),
       specialised=st.lists(st.sampled_from(v.SUPPORT_NEEDS), max_size=3, unique=True))
def test_every_score_and_every_factor_lies_between_zero_and_one_whatever_the_weights(
        weights, distances, languages, staff, interpreted, free, hours, exploitation, specialisms, unit, coarse,
        support, specialised):
    person = Person(languages=tuple(languages), location=Point(52.09, 5.12), exploitation_type=exploitation,
                    avoid=(Area(52.0, 5.0, 10),), support_needs=tuple(support))
    scored = []
    for number, distance in enumerate(distances):
        provider = {"id": f"p{number}", "languages": staff, "interpretation_languages": interpreted,
                    "eligibility": {"exploitation_types": specialisms, "specialises_in": specialised},
                    "location": {"precision_km": 5.0 if coarse else 0.0},
                    "capacity": {"free": free, "unit": unit, "updated": iso(NOW - timedelta(hours=hours))}}
        candidate = score_candidate(person, "shelter", provider, distance, NOW, weights)
        assert 0.0 <= candidate.score <= 1.0, candidate
        assert all(0.0 <= factor.value <= 1.0 for factor in candidate.factors), candidate.factors
        assert all(reason.code in REASONS for reason in candidate.reasons)
        scored.append(candidate)
    ordered = rank(scored)
    assert [c.score for c in ordered] == sorted((c.score for c in scored), reverse=True)
