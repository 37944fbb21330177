"""The learner's study day (from their time zone and the hour it starts) and load balancing within FSRS's fuzz.

Pure functions: the services and selectors pass the clock in, so a simulated month needs no sleeping.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fsrs.scheduler import FUZZ_RANGES


def study_day(moment: datetime, time_zone: str, starts_at_hour: int) -> date:
    """The study day ``moment`` belongs to: a day runs from ``starts_at_hour`` local time to the next day's."""
    local = moment.astimezone(ZoneInfo(time_zone))
    return (local - timedelta(hours=starts_at_hour)).date()


def day_start(day: date, time_zone: str, starts_at_hour: int) -> datetime:
    """When the study day ``day`` begins, in UTC."""
    return datetime.combine(day, time(starts_at_hour), ZoneInfo(time_zone)).astimezone(UTC)


def day_bounds(moment: datetime, time_zone: str, starts_at_hour: int) -> tuple[date, datetime, datetime]:
    """(study day, its start, the next day's start) for the study day that contains ``moment``."""
    day = study_day(moment, time_zone, starts_at_hour)
    return day, day_start(day, time_zone, starts_at_hour), day_start(day + timedelta(days=1), time_zone, starts_at_hour)


def fuzz_range(interval_days: int, maximum_interval: int) -> tuple[int, int]:
    """The interval range (days) FSRS fuzzes ``interval_days`` within, by ``fsrs.scheduler.FUZZ_RANGES``, the
    rule of ``Scheduler._get_fuzzed_interval``. Intervals under 2.5 days are not fuzzed: (interval, interval)."""
    if interval_days < 2.5:
        return interval_days, interval_days
    delta = 1.0
    for fuzz in FUZZ_RANGES:
        delta += fuzz["factor"] * max(min(float(interval_days), fuzz["end"]) - fuzz["start"], 0.0)
    low, high = max(2, round(interval_days - delta)), min(round(interval_days + delta), maximum_interval)
    return min(low, high), high


def balanced_interval(
    interval_days: int, low: int, high: int, load: Mapping[int, int], easy: set[int] | None = None
) -> int:
    """The interval in [low, high] whose due day has the fewest cards due, as Anki 24.11's load balancer.

    ``load`` maps an interval (days from the review) to the number of cards already due that day; ``easy``
    holds the intervals that land on one of the learner's easy days: they are chosen only if every day of the
    range is an easy day. Ties go to the day closest to the unfuzzed interval, then the earlier one."""
    easy = easy or set()
    candidates = [days for days in range(low, high + 1) if days not in easy] or list(range(low, high + 1))
    return min(candidates, key=lambda days: (load.get(days, 0), abs(days - interval_days), days))
