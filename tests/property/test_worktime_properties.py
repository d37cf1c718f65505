"""Laws of working-time arithmetic, checked on random calendars in several zones.

``W(t)`` below is the working time before ``t``; ``between(a, b) = W(b) - W(a)`` and
``add(a, d)`` is the latest ``t`` with ``W(t) = W(a) + d``. Every comparison of
instants is made in UTC: Python compares two datetimes of one zone by wall clock,
which misorders the repeated hour of a fall-back night.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_core.errors import ValidationError
from helpdesk_core.worktime import WEEKDAYS, WorkingCalendar

ZONES = ("UTC", "Europe/Prague", "America/New_York", "Australia/Lord_Howe", "Asia/Kolkata")
ORIGIN = datetime(2026, 1, 1, tzinfo=UTC)
ONE_US = timedelta(microseconds=1)
SPAN_US = 500 * 86_400 * 1_000_000

PROPERTY_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _time(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def intervals(draw: st.DrawFn) -> list[str]:
    """One [start, end] pair: ordinary, a night shift, up to "24:00", DST-sensitive 02:xx."""
    start = draw(st.sampled_from([0, 90, 120, 150, 540, 600, 720, 780, 1320]) | st.integers(0, 1439))
    end = draw(st.sampled_from([0, 180, 360, 720, 1020, 1440]) | st.integers(0, 1440))
    return [_time(start), _time(end)]


@st.composite
def calendars(draw: st.DrawFn) -> WorkingCalendar:
    week = {day: draw(st.lists(intervals(), max_size=2)) for day in WEEKDAYS if draw(st.booleans())}
    if not any(week.values()):
        week["wed"] = [["09:00", "17:00"]]
    days = st.dates(date(2025, 6, 1), date(2028, 6, 1))
    data: dict[str, Any] = {
        "tz": draw(st.sampled_from(ZONES)),
        "week": week,
        "holidays": [day.isoformat() for day in draw(st.lists(days, max_size=8))],
        "exceptions": {
            day.isoformat(): draw(st.lists(intervals(), max_size=2))
            for day in draw(st.lists(days, max_size=6, unique=True))
        },
    }
    if draw(st.integers(0, 9)) == 0:
        data["public_holidays"] = [{"country": "CZ"}]
    return WorkingCalendar.from_dict(data)


def instants(zone_names: tuple[str, ...] = ZONES) -> st.SearchStrategy[datetime]:
    """Aware instants from 2026 to mid-2027, to the microsecond, expressed in any of the zones."""
    from zoneinfo import ZoneInfo

    return st.builds(
        lambda offset, zone: (ORIGIN + timedelta(microseconds=offset)).astimezone(ZoneInfo(zone)),
        st.integers(0, SPAN_US),
        st.sampled_from(zone_names),
    )


durations = st.one_of(
    st.just(timedelta(0)),
    st.integers(1, 300 * 3600 * 1_000_000).map(lambda us: timedelta(microseconds=us)),
    st.integers(1, 300).map(lambda hours: timedelta(hours=hours)),
    st.integers(1, 60 * 24 * 10).map(lambda minutes: timedelta(minutes=minutes)),
)
signed_durations = st.one_of(durations, durations.map(lambda d: -d))


def utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


@PROPERTY_SETTINGS
@given(calendars(), instants(), signed_durations)
def test_between_undoes_add(cal: WorkingCalendar, start: datetime, d: timedelta) -> None:
    result = cal.add(start, d)
    assert cal.between(start, result) == d
    assert cal.between(result, start) == -d


@PROPERTY_SETTINGS
@given(calendars(), instants(), durations.filter(lambda d: d > timedelta(0)))
def test_subtracting_is_undone_by_between(cal: WorkingCalendar, start: datetime, d: timedelta) -> None:
    earlier = cal.add(start, -d)
    assert utc(earlier) <= utc(start)
    assert cal.between(earlier, start) == d


@PROPERTY_SETTINGS
@given(calendars(), instants(), signed_durations)
def test_add_lands_on_working_time_and_is_the_latest(
    cal: WorkingCalendar, start: datetime, d: timedelta
) -> None:
    # The latest t with W(t) = W(start) + d is always a working instant: were it closed,
    # W would stay flat just after it and a later t would qualify. So one microsecond
    # more already counts, and the result is never strictly inside a closed stretch.
    result = cal.add(start, d)
    assert cal.is_working(result)
    assert cal.between(start, result + ONE_US) == d + ONE_US
    assert (utc(result) >= utc(start)) if d >= timedelta(0) else (utc(result) <= utc(start))
    if d == timedelta(0) and cal.is_working(start):
        assert utc(result) == utc(start)


@PROPERTY_SETTINGS
@given(calendars(), instants(), instants(), signed_durations)
def test_add_is_monotonic_in_start(cal: WorkingCalendar, a: datetime, b: datetime, d: timedelta) -> None:
    first, second = sorted((a, b), key=utc)
    assert utc(cal.add(first, d)) <= utc(cal.add(second, d))


@PROPERTY_SETTINGS
@given(calendars(), instants(), signed_durations, signed_durations)
def test_add_is_monotonic_in_duration(
    cal: WorkingCalendar, start: datetime, d1: timedelta, d2: timedelta
) -> None:
    small, large = sorted((d1, d2))
    assert utc(cal.add(start, small)) <= utc(cal.add(start, large))


@PROPERTY_SETTINGS
@given(calendars(), instants(), instants(), instants())
def test_between_is_additive_and_antisymmetric(
    cal: WorkingCalendar, x: datetime, y: datetime, z: datetime
) -> None:
    a, b, c = sorted((x, y, z), key=utc)
    assert cal.between(a, b) + cal.between(b, c) == cal.between(a, c)
    assert timedelta(0) <= cal.between(a, b) <= utc(b) - utc(a)
    assert cal.between(c, a) == -cal.between(a, c)
    assert cal.between(x, y) + cal.between(y, z) == cal.between(x, z)


@PROPERTY_SETTINGS
@given(calendars(), instants(), instants())
def test_periods_tile_the_range(cal: WorkingCalendar, x: datetime, y: datetime) -> None:
    a, b = sorted((x, y), key=utc)
    b = min(b, a + timedelta(days=40), key=utc)
    working = cal.working_periods(a, b)
    closed = list(cal.closed_periods(a, b))
    assert sum((utc(end) - utc(start) for start, end in working), timedelta(0)) == cal.between(a, b)
    pieces = sorted([(utc(s), utc(e)) for s, e in working] + [(utc(s), utc(e)) for s, e, _ in closed])
    cursor = utc(a)
    for start, end in pieces:
        assert start == cursor and end > start
        cursor = end
    assert cursor == utc(b) or (not pieces and a == b)
    for start, end, _ in closed:
        assert not cal.is_working(start)
        assert cal.between(start, end) == timedelta(0)


@PROPERTY_SETTINGS
@given(calendars(), instants())
def test_next_change_flips_the_working_state(cal: WorkingCalendar, moment: datetime) -> None:
    change = cal.next_change(moment)
    if change is None:
        return
    assert utc(change) > utc(moment)
    working = cal.is_working(moment)
    assert cal.is_working(change) != working
    assert cal.between(moment, change) == ((utc(change) - utc(moment)) if working else timedelta(0))
    assert cal.between(moment, moment + ONE_US) == (ONE_US if working else timedelta(0))


@PROPERTY_SETTINGS
@given(calendars())
def test_round_trip(cal: WorkingCalendar) -> None:
    again = WorkingCalendar.from_dict(cal.to_dict())
    assert again == cal
    assert again.to_dict() == cal.to_dict()


def _add_counting_by_steps(
    calendar: WorkingCalendar, stretches: list[tuple[datetime, datetime | None]], duration: timedelta
) -> datetime:
    """The definition: sum ``between`` over the closed stretches until one holds
    more than what remains, then ``add`` from its start."""
    remaining = duration
    for start, end in stretches:
        if end is None:
            return calendar.add(start, remaining)
        if end.astimezone(UTC) <= start.astimezone(UTC):
            continue
        worked = calendar.between(start, end)
        if worked > remaining:
            return calendar.add(start, remaining)
        remaining -= worked
    raise AssertionError("the last stretch is open")


@PROPERTY_SETTINGS
@given(
    calendar=calendars(),
    moments=st.lists(instants(), min_size=1, max_size=7),
    empty=st.booleans(),
    hours=st.integers(0, 400),
    micros=st.integers(0, 3_600_000_000),
)
def test_add_counting_is_between_over_the_stretches_then_add(
    calendar: WorkingCalendar, moments: list[datetime], empty: bool, hours: int, micros: int
) -> None:
    ordered = sorted(moments, key=lambda moment: moment.astimezone(UTC))
    if empty and len(ordered) > 2:  # a stretch that ends where it starts
        ordered[1] = ordered[2]
    closed = ordered[:-1] if len(ordered) % 2 else ordered[:-2]
    stretches: list[tuple[datetime, datetime | None]] = list(zip(closed[::2], closed[1::2], strict=True))
    stretches.append((ordered[-1], None))
    duration = timedelta(hours=hours, microseconds=micros)
    found = calendar.add_counting(stretches, duration)
    assert found == _add_counting_by_steps(calendar, stretches, duration)
    assert found.tzinfo is calendar.zone


def test_add_counting_needs_an_open_last_stretch() -> None:
    calendar = WorkingCalendar.from_dict({"tz": "UTC", "week": {"mon": [["09:00", "17:00"]]}})
    with pytest.raises(ValidationError, match="the last stretch must be open"):
        calendar.add_counting([(ORIGIN, ORIGIN + timedelta(days=3))], timedelta(hours=1))
