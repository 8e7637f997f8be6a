"""Intake hours in the understood subset of OpenStreetMap opening_hours, as quarter hours of a week."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from services.shared.intake import NotOpeningHours, next_opening, open_slots, slot_at


def at(day: int, hour: int, minute: int = 0) -> int:
    return day * 96 + hour * 4 + minute // 15


def test_every_quarter_hour_is_open_around_the_clock():
    assert len(open_slots("24/7")) == 7 * 96


def test_an_evening_intake_is_open_from_five_to_eleven_every_day():
    slots = open_slots("Mo-Su 17:00-23:00")
    assert at(5, 17) in slots and at(5, 22, 45) in slots
    assert at(5, 23) not in slots and at(6, 2) not in slots


def test_a_range_past_midnight_runs_into_the_next_day_and_sunday_into_monday():
    slots = open_slots("Su 22:00-02:00")
    assert at(6, 23) in slots and at(0, 1, 45) in slots and at(0, 2) not in slots


def test_a_later_rule_replaces_an_earlier_one_for_its_days():
    slots = open_slots("Mo-Fr 09:00-17:00; We off; Sa,Su 10:00-12:00,13:00-14:00")
    assert at(2, 10) not in slots and at(1, 10) in slots
    assert at(5, 12, 30) not in slots and at(6, 13) in slots


@pytest.mark.parametrize("text", ["ma-vr 09:00-17:00", "Mo-Fr 9-17", "PH off", "Mo-Fr 09:00-25:00", "Jan Mo 10:00-12:00",
                                  "Mo-Fr 09:10-17:00"])
def test_text_outside_the_subset_is_refused(text):
    with pytest.raises(NotOpeningHours):
        open_slots(text)


def test_the_time_of_a_request_is_read_in_dutch_time():
    # 23:30 UTC on a Sunday in December is 00:30 on Monday in Amsterdam; in summer 22:30 UTC is 00:30 too.
    assert slot_at(datetime(2026, 12, 6, 23, 30, tzinfo=timezone.utc)) == at(0, 0, 30)
    assert slot_at(datetime(2026, 7, 5, 22, 30, tzinfo=timezone.utc)) == at(0, 0, 30)


def test_the_next_opening_is_the_start_of_the_next_open_stretch():
    slots = open_slots("Mo-Su 17:00-23:00")
    assert next_opening(slots, at(0, 2)) == "Mo 17:00"
    assert next_opening(slots, at(6, 23, 30)) == "Mo 17:00"
    assert next_opening(frozenset(), at(0, 2)) is None
