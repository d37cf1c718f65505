"""WorkingCalendar.add against pandas' CustomBusinessHour, on calendars pandas can express.

pandas is a test-only peer. Its calendars are one set of daily intervals on the
days of a weekmask, minus holiday dates, tz-naive; ours is the same calendar in
UTC. For every case both results must name the same working position
(``between(ours, theirs) == 0``). The instants themselves must be identical except
in the one place pandas is inconsistent (see docs/worktime.md, "pandas quirks"):
when a negative offset lands exactly on the start of a working period, pandas
returns an earlier instant of the closed stretch before it (usually its closing)
while FORMATS.md asks for the latest, the opening. Every such disagreement is
checked to be exactly that, and counted. Where pandas disagrees with itself (an
n-hour offset not equal to n one-hour steps, seen with overnight hours), the
one-hour steps are the reference; that is counted too.
"""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pandas as pd
import pytest
from pandas.tseries.offsets import CustomBusinessHour

from helpdesk_core.worktime import WEEKDAYS, WorkingCalendar

SEED = 20260302
CALENDARS = 50
CASES_PER_CALENDAR = 220
PANDAS_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
FIRST_DAY = date(2026, 1, 1)


def _time(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def random_hours(rng: random.Random) -> list[tuple[int, int]]:
    """1-3 disjoint daily intervals in minutes, or one night shift across midnight."""
    if rng.random() < 0.2:
        start = rng.randrange(18 * 60, 24 * 60, 15)
        return [(start, rng.randrange(1 * 60, 9 * 60, 15))]
    count = rng.randint(1, 3)
    cuts = sorted(rng.sample(range(6 * 60, 22 * 60, 15), 2 * count))
    return [(cuts[2 * i], cuts[2 * i + 1]) for i in range(count)]


def random_calendar(rng: random.Random) -> tuple[WorkingCalendar, CustomBusinessHour, dict[str, Any]]:
    days = [day for day in range(7) if rng.random() < 0.7] or [rng.randrange(7)]
    hours = random_hours(rng)
    holidays = sorted({FIRST_DAY + timedelta(days=rng.randrange(400)) for _ in range(rng.randint(0, 12))})
    data = {
        "tz": "UTC",
        "week": {WEEKDAYS[day]: [[_time(s), _time(e)] for s, e in hours] for day in days},
        "holidays": [day.isoformat() for day in holidays],
    }
    # pandas-stubs leaves out CustomBusinessHour's weekmask argument; pandas has it.
    theirs = CustomBusinessHour(  # type: ignore[call-arg]
        n=1,
        weekmask=" ".join(PANDAS_DAYS[day] for day in days),
        start=[_time(s) for s, _ in hours],
        end=[_time(e) for _, e in hours],
        holidays=[day.isoformat() for day in holidays],
    )
    return WorkingCalendar.from_dict(data), theirs, data


def one_hour_steps(start: datetime, offset: CustomBusinessHour, n: int) -> datetime:
    """pandas' answer when walking ``n`` hours one business hour at a time."""
    step = offset * (1 if n > 0 else -1)
    moment = pd.Timestamp(start.replace(tzinfo=None))
    if n == 0:
        moment = moment + offset * 0
    for _ in range(abs(n)):
        moment = moment + step
    return moment.to_pydatetime().replace(tzinfo=UTC)


def night_shift(data: dict[str, Any]) -> bool:
    return any(end <= start for hours in data["week"].values() for start, end in hours)


def run_cases() -> tuple[int, Counter[str]]:
    rng = random.Random(SEED)
    seen: Counter[str] = Counter()
    cases = 0
    for _ in range(CALENDARS):
        ours, offset, data = random_calendar(rng)
        multiples = {n: offset * n for n in range(-30, 31)}
        for _ in range(CASES_PER_CALENDAR):
            minute = rng.randrange(30 * 24 * 60, 330 * 24 * 60)
            if rng.random() < 0.3:
                minute -= minute % 60
            start = datetime(2026, 1, 1, tzinfo=UTC) + timedelta(
                minutes=minute, seconds=rng.choice((0, 0, 17))
            )
            n = rng.randint(-30, 30)
            mine = ours.add(start, timedelta(hours=n))
            theirs = (
                (pd.Timestamp(start.replace(tzinfo=None)) + multiples[n]).to_pydatetime().replace(tzinfo=UTC)
            )
            cases += 1
            context = f"calendar {data}, start {start.isoformat()}, n={n}: ours {mine}, pandas {theirs}"
            if ours.between(mine, theirs) != timedelta(0):
                # pandas' own inconsistency: one n-hour offset is not n one-hour steps.
                theirs = one_hour_steps(start, offset, n)
                context += f", pandas in one-hour steps {theirs}"
                assert ours.between(mine, theirs) == timedelta(0), "different working position: " + context
                shape = "overnight" if night_shift(data) else "daytime"
                seen[
                    f"pandas n-hour offset != n one-hour steps ({shape} hours, n {'<' if n < 0 else '>'} 0)"
                ] += 1
            if mine == theirs:
                seen["identical"] += 1
                continue
            # The only disagreement allowed: a negative offset landing on an opening. We
            # answer the opening (the latest instant, FORMATS.md); pandas an earlier instant
            # of the closed stretch before it: the closing, or with overnight hours the end
            # time of a day that had no hours.
            assert n < 0, "pandas differs on a non-negative offset: " + context
            assert not ours.is_working(theirs), "pandas result is working time: " + context
            assert ours.next_change(theirs) == mine, "ours is not the next opening: " + context
            if ours.is_working(theirs - timedelta(microseconds=1)):
                seen["n < 0 lands on an opening: pandas returns the closing before it"] += 1
            else:
                seen["n < 0 lands on an opening: pandas returns a closed instant, not a closing"] += 1
    return cases, seen


def test_add_agrees_with_pandas_custom_business_hour(capsys: pytest.CaptureFixture[str]) -> None:
    cases, seen = run_cases()
    assert cases >= 10_000
    assert seen["identical"] > cases * 0.8
    with capsys.disabled():
        print(f"\n{cases} cases against pandas {pd.__version__}:")
        for kind, count in sorted(seen.items()):
            print(f"  {count:6d}  {kind}")
