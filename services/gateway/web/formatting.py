"""Times, ages and countdowns as the pages show them, in Dutch or English. Pure functions."""
from __future__ import annotations

from datetime import datetime, timezone

from .i18n import gettext

try:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        LOCAL_ZONE = ZoneInfo("Europe/Amsterdam")
    except ZoneInfoNotFoundError:  # a system without tz data: UTC, and the pages say so
        LOCAL_ZONE = timezone.utc
except ImportError:  # pragma: no cover
    LOCAL_ZONE = timezone.utc


def parse(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def local_time(text: str | None, locale: str, *, with_date: bool = True) -> str:
    """"28-11-2026 14:05" (nl) or "28 Nov 2026 14:05" (en), in Dutch time."""
    moment = parse(text)
    if moment is None:
        return ""
    local = moment.astimezone(LOCAL_ZONE)
    if not with_date:
        return local.strftime("%H:%M")
    if locale == "nl":
        return local.strftime("%d-%m-%Y %H:%M")
    return local.strftime("%d %b %Y %H:%M")


def duration(minutes: float, locale: str) -> str:
    """"3 h 12 min", "45 min", "2 days"; never negative."""
    minutes = max(int(minutes), 0)
    if minutes < 60:
        return gettext(locale, "{m} min", m=minutes)
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return gettext(locale, "{h} h {m} min", h=hours, m=rest) if rest else gettext(locale, "{h} h", h=hours)
    return gettext(locale, "{d} days", d=hours // 24)


def time_left(expires_at: str | None, now: datetime, locale: str) -> str:
    moment = parse(expires_at)
    if moment is None:
        return ""
    # To the nearest minute: a four-hour hold made a second ago reads "4 h", not "3 h 59 min".
    return duration(round((moment - now).total_seconds() / 60), locale)


def age(hours: float | None, locale: str) -> str:
    """How old a capacity report is, in whole hours: "less than an hour", "5 h", "3 days"."""
    if hours is None:
        return ""
    if hours < 1:
        return gettext(locale, "less than an hour")
    return duration(int(hours) * 60, locale)


def number(value: float | None, locale: str, digits: int = 1) -> str:
    """1.5 as "1,5" in Dutch; whole numbers without decimals."""
    if not isinstance(value, (int, float)):
        return ""
    text = f"{value:.{digits}f}".rstrip("0").rstrip(".") if digits else f"{value:.0f}"
    return text.replace(".", ",") if locale == "nl" else text
