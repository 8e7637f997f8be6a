"""The figures' counters and capacity history through their port, on every store: atomic increments, days once."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from services.directory.domain.rules import iso
from services.directory.figures import service
from services.directory.figures.store import CapacityDay, NeedCount, figures_store_for
from services.shared.identity import Caller

WRITERS = 8
ROUNDS = 25


def test_need_counts_start_at_zero_and_add_up_per_week_need_and_region(store):
    figures = figures_store_for(store)
    figures.add_need_counts([NeedCount("2026-W49", "shelter", "Utrecht", matches=1, unmet=1),
                             NeedCount("2026-W49", "legal", "Utrecht", matches=1)])
    figures.add_need_counts([NeedCount("2026-W49", "shelter", "Utrecht", matches=1),
                             NeedCount("2026-W50", "shelter", "Utrecht", groups=1, group_people=4, group_unplaced=1)])

    assert figures.need_counts() == [
        NeedCount("2026-W49", "legal", "Utrecht", matches=1),
        NeedCount("2026-W49", "shelter", "Utrecht", matches=2, unmet=1),
        NeedCount("2026-W50", "shelter", "Utrecht", groups=1, group_people=4, group_unplaced=1)]


def test_concurrent_increments_of_the_same_counters_lose_no_count(store):
    figures = figures_store_for(store)
    figures.need_counts()  # the indices exist before the writers race

    def write(writer: int) -> None:
        for round_ in range(ROUNDS):
            figures.add_need_counts([NeedCount("2026-W49", "shelter", "Utrecht", matches=1, unmet=round_ % 2),
                                     NeedCount("2026-W49", "legal", "Drenthe", matches=1, unmet=writer % 2)])

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        list(pool.map(write, range(WRITERS)))

    counted = {(row.need, row.region): row for row in figures.need_counts()}
    assert counted[("shelter", "Utrecht")].matches == WRITERS * ROUNDS
    assert counted[("shelter", "Utrecht")].unmet == WRITERS * (ROUNDS // 2)
    assert counted[("legal", "Drenthe")].matches == WRITERS * ROUNDS
    assert counted[("legal", "Drenthe")].unmet == (WRITERS // 2) * ROUNDS


def test_a_capacity_day_is_written_once_whoever_writes_it_and_however_often(store):
    figures = figures_store_for(store)
    day = [CapacityDay("2026-12-07", "Utrecht", 10, 40, 30, 2), CapacityDay("2026-12-07", "Zeeland", 5, 9, 9, 0)]
    assert not figures.has_capacity_day("2026-12-07")

    with ThreadPoolExecutor(max_workers=4) as pool:
        written = list(pool.map(lambda _: figures.add_capacity_days(day), range(4)))
    assert sum(written) == 2
    assert figures.add_capacity_days([CapacityDay("2026-12-07", "Utrecht", 1, 1, 1, 1)]) == 0

    assert figures.has_capacity_day("2026-12-07") and not figures.has_capacity_day("2026-12-08")
    assert figures.capacity_days() == day


def test_the_daily_sweep_records_each_regions_active_providers_in_use_and_stale_once_a_day(directory):
    directory.add(location={"region": "Utrecht"}, capacity={"available": 2, "maximum": 10})
    directory.add(location={"region": "Utrecht"}, capacity={"available": 0, "maximum": 3,
                                                            "updated": iso(directory.clock.now - timedelta(hours=30))})
    directory.add(location={"region": "Zeeland"}, capacity={"available": 1, "maximum": 1})
    directory.add(location={"region": "Zeeland"}, status="inactive", capacity={"available": 0, "maximum": 50})
    figures = figures_store_for(directory.store)

    assert service.record_capacity_day(figures=figures, store=directory.store, now=directory.clock.now) == 2
    directory.add(location={"region": "Drenthe"})
    assert service.record_capacity_day(figures=figures, store=directory.store, now=directory.clock.now) == 0

    day = directory.clock.now.date().isoformat()
    assert figures.capacity_days() == [CapacityDay(day, "Utrecht", providers=2, units=13, in_use=11, stale=1),
                                       CapacityDay(day, "Zeeland", providers=1, units=1, in_use=0, stale=0)]
    directory.clock.now += timedelta(days=1)
    assert service.record_capacity_day(figures=figures, store=directory.store, now=directory.clock.now) == 3


def test_a_match_is_counted_in_the_week_of_the_time_it_was_made(store, clock):
    figures = figures_store_for(store)
    caseworker = Caller(role="caseworker", subject="token:1")
    counts = [{"need": "shelter", "region": "Utrecht", "matches": 1, "unmet": 1},
              {"need": "legal", "region": "Utrecht", "matches": 1, "unmet": 0}]

    service.count_matches(figures=figures, viewer=caseworker, counts=counts, now=clock.now)

    week = service.iso_week(clock.now)
    assert figures.need_counts() == [NeedCount(week, "legal", "Utrecht", matches=1),
                                     NeedCount(week, "shelter", "Utrecht", matches=1, unmet=1)]


def test_the_capacity_history_counts_the_units_in_use_and_staleness_of_care_pools_too(directory):
    old = iso(directory.clock.now - timedelta(hours=30))
    directory.add(location={"region": "Utrecht"}, services=["shelter", "medical"],
                  capacity={"available": 2, "maximum": 10},
                  service_capacity={"medical": {"available": 1, "maximum": 4, "unit": "appointment", "updated": old}})
    directory.add(location={"region": "Utrecht"}, services=["shelter", "mental_health"],
                  capacity={"available": 0, "maximum": 3, "updated": old},
                  service_capacity={"mental_health": {"available": 5, "maximum": 5, "unit": "appointment",
                                                      "updated": old}})
    directory.add(location={"region": "Zeeland"}, capacity={"available": 1, "maximum": 1})
    figures = figures_store_for(directory.store)

    assert service.record_capacity_day(figures=figures, store=directory.store, now=directory.clock.now) == 2

    day = directory.clock.now.date().isoformat()
    # Utrecht: beds 10 + 3 with 8 + 3 in use, appointments 4 + 5 with 3 + 0 in use; both providers have an
    # old count (the first only in its care pool), each counted once.
    assert figures.capacity_days() == [CapacityDay(day, "Utrecht", providers=2, units=22, in_use=14, stale=2),
                                       CapacityDay(day, "Zeeland", providers=1, units=1, in_use=0, stale=0)]
