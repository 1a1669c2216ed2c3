"""Working-day arithmetic: weekends and Vietnamese public holidays (Tết included) skipped."""

import datetime
from functools import lru_cache

import holidays


@lru_cache(maxsize=64)
def _holidays(year):
    return frozenset(holidays.country_holidays("VN", years=year))


def is_working_day(day):
    return day.weekday() < 5 and day not in _holidays(day.year)


def add_working_days(start, days):
    """The date `days` working days after `start` (the day of receipt does not count)."""
    day = start
    remaining = days
    while remaining > 0:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start, end):
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += datetime.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count
