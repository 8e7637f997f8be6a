"""Intake hours in a small subset of OpenStreetMap `opening_hours`, read as the quarter hours of a week.

Understood: `24/7`; rules separated by `;`, each days then times (`Mo-Fr 09:00-17:00`, `Sa,Su 10:00-12:00,
13:00-16:00`), times alone for every day (`17:00-23:00`), days with `off`; a time range past midnight
(`22:00-02:00`) runs into the next day, `24:00` ends a day. As in OSM, a later rule replaces what an earlier one
said for the days it names. Public holidays, months and weeks are not understood: such text is refused.
Times are Dutch local time (Europe/Amsterdam).
"""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

DAYS = ("Mo", "Tu", "We", "Th", "Fr", "Sa", "Su")
SLOT_MINUTES = 15
SLOTS_PER_DAY = 24 * 60 // SLOT_MINUTES
WEEK_SLOTS = 7 * SLOTS_PER_DAY
LOCAL = ZoneInfo("Europe/Amsterdam")
_DAY = r"(?:Mo|Tu|We|Th|Fr|Sa|Su)"
_DAYS = re.compile(rf"^{_DAY}(?:-{_DAY})?(?:,{_DAY}(?:-{_DAY})?)*$")
_RANGE = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)-([01]\d|2[0-4]):([0-5]\d)$")


class NotOpeningHours(ValueError):
    """Text outside the understood subset of `opening_hours`."""


def open_slots(text: str) -> frozenset[int]:
    """The quarter hours of a week (0 = Monday 00:00) in which intake is open; NotOpeningHours when not understood."""
    text = text.strip()
    if text == "24/7":
        return frozenset(range(WEEK_SLOTS))
    if not text:
        raise NotOpeningHours("empty")
    by_day: dict[int, set[int]] = {day: set() for day in range(7)}
    for rule in (part.strip() for part in text.split(";")):
        if not rule:
            continue
        words = rule.split()
        if len(words) == 1 and _RANGE.match(words[0].split(",")[0]):
            days, times = list(range(7)), words[0]
        elif len(words) == 2:
            days, times = _days(words[0]), words[1]
        else:
            raise NotOpeningHours(rule)
        for day in days:
            by_day[day] = set()
        if times == "off":
            continue
        for day in days:
            for span in times.split(","):
                by_day_slots = _span(span)
                for offset in by_day_slots:
                    slot = (day * SLOTS_PER_DAY + offset) % WEEK_SLOTS
                    by_day[slot // SLOTS_PER_DAY].add(slot % SLOTS_PER_DAY)
    return frozenset(day * SLOTS_PER_DAY + offset for day, offsets in by_day.items() for offset in offsets)


def slot_at(moment: datetime) -> int:
    """The quarter hour of the week a moment falls in, in Dutch local time."""
    local = moment.astimezone(LOCAL)
    return local.weekday() * SLOTS_PER_DAY + (local.hour * 60 + local.minute) // SLOT_MINUTES


def next_opening(slots: frozenset[int], now_slot: int) -> str | None:
    """When intake next opens after `now_slot`, as `Mo 17:00`; None when it never does."""
    for step in range(1, WEEK_SLOTS + 1):
        slot = (now_slot + step) % WEEK_SLOTS
        if slot in slots and (slot - 1) % WEEK_SLOTS not in slots:
            minutes = (slot % SLOTS_PER_DAY) * SLOT_MINUTES
            return f"{DAYS[slot // SLOTS_PER_DAY]} {minutes // 60:02d}:{minutes % 60:02d}"
    return None


def _days(text: str) -> list[int]:
    if not _DAYS.match(text):
        raise NotOpeningHours(text)
    days: list[int] = []
    for part in text.split(","):
        first, _, last = part.partition("-")
        start, end = DAYS.index(first), DAYS.index(last or first)
        days += [day % 7 for day in range(start, start + (end - start) % 7 + 1)]
    return days


def _span(text: str) -> range:
    match = _RANGE.match(text)
    if not match:
        raise NotOpeningHours(text)
    start = int(match[1]) * 60 + int(match[2])
    end = int(match[3]) * 60 + int(match[4])
    if start >= 24 * 60 or end > 24 * 60 or start % SLOT_MINUTES or end % SLOT_MINUTES:
        raise NotOpeningHours(text)
    if end <= start:
        end += 24 * 60  # past midnight, into the next day
    return range(start // SLOT_MINUTES, end // SLOT_MINUTES)
