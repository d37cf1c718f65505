"""Working-calendar arithmetic written out: every expected value computed by hand.

Dates used: 2026-03-02 is a Monday; Europe/Prague springs forward on Sun 2026-03-29
(02:00 CET -> 03:00 CEST) and falls back on Sun 2026-10-25 (03:00 CEST -> 02:00 CET);
America/New_York springs forward on Sun 2026-03-08 (02:00 -> 03:00) and falls back
on Sun 2026-11-01 (02:00 EDT -> 01:00 EST).
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

import attrs
import pytest

from helpdesk_core.errors import ConfigError, ValidationError
from helpdesk_core.worktime import ClosedPeriod, WorkingCalendar, WorkingPeriod

PRAGUE = ZoneInfo("Europe/Prague")
NEW_YORK = ZoneInfo("America/New_York")
WORKDAYS = ("mon", "tue", "wed", "thu", "fri")
ALL_DAYS = (*WORKDAYS, "sat", "sun")
H = timedelta(hours=1)


def calendar(
    tz: str, hours: list[list[str]], days: tuple[str, ...] = WORKDAYS, **extra: Any
) -> WorkingCalendar:
    return WorkingCalendar.from_dict({"tz": tz, "week": {day: hours for day in days}, **extra})


def at(text: str, zone: tzinfo = PRAGUE) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


OFFICE = calendar("Europe/Prague", [["09:00", "17:00"]])
SPLIT = calendar("Europe/Prague", [["09:00", "12:00"], ["13:00", "17:00"]])
NIGHTS = calendar("UTC", [["22:00", "06:00"]])
CZ_OFFICE = calendar("Europe/Prague", [["09:00", "17:00"]], public_holidays=[{"country": "CZ"}])
CZ_SHORT_EVE = calendar(
    "Europe/Prague",
    [["09:00", "17:00"]],
    public_holidays=[{"country": "CZ"}],
    holidays=["2026-12-31"],
    exceptions={"2026-12-24": [["09:00", "12:00"]]},
)
ALWAYS = calendar("Europe/Prague", [["00:00", "24:00"]], ALL_DAYS)
ALWAYS_UTC = calendar("UTC", [["00:00", "24:00"]], ALL_DAYS)
PRAGUE_SAT_NIGHT = calendar("Europe/Prague", [["22:00", "06:00"]], ("sat",))
NEW_YORK_SAT_NIGHT = calendar("America/New_York", [["22:00", "06:00"]], ("sat",))


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ("2026-03-02 10:00", 1, "2026-03-02 11:00"),
        # 16:00 + 1 h fills Monday exactly: the latest such instant is Tuesday's opening.
        ("2026-03-02 16:00", 1, "2026-03-03 09:00"),
        ("2026-03-02 16:30", 1, "2026-03-03 09:30"),
        ("2026-03-02 10:00", 8, "2026-03-03 10:00"),
        # Friday 16-17 is 1 h, the second hour is Monday 09-10.
        ("2026-03-06 16:00", 2, "2026-03-09 10:00"),
        # A start before opening counts from the opening.
        ("2026-03-02 08:00", 1, "2026-03-02 10:00"),
        # Zero from a closed instant rolls forward to the next opening.
        ("2026-03-07 12:00", 0, "2026-03-09 09:00"),
        ("2026-03-02 17:00", 0, "2026-03-03 09:00"),
        ("2026-03-02 09:00", 0, "2026-03-02 09:00"),
        ("2026-03-02 10:00", 40, "2026-03-09 10:00"),
    ],
)
def test_one_interval_a_day(start: str, hours: float, expected: str) -> None:
    assert OFFICE.add(at(start), hours * H) == at(expected)


def test_add_is_exact_to_the_microsecond() -> None:
    start = at("2026-03-02 16:59:59.999999")
    assert OFFICE.add(start, timedelta(microseconds=1)) == at("2026-03-03 09:00")
    assert OFFICE.add(at("2026-03-02 10:00:00.000001"), timedelta(microseconds=1)) == at(
        "2026-03-02 10:00:00.000002"
    )
    assert OFFICE.between(start, at("2026-03-03 09:00:00.000003")) == timedelta(microseconds=4)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        # 11-12 is the whole hour left of the morning: lands at the afternoon's opening.
        ("2026-03-02 11:00", 1, "2026-03-02 13:00"),
        ("2026-03-02 11:30", 1, "2026-03-02 13:30"),
        ("2026-03-02 12:30", 0, "2026-03-02 13:00"),
        # A whole 7 h day from the opening lands on the next opening.
        ("2026-03-02 09:00", 7, "2026-03-03 09:00"),
        # 11-12 (1 h) + 13-17 (4 h) + Tuesday 09-10 (1 h).
        ("2026-03-02 11:00", 6, "2026-03-03 10:00"),
    ],
)
def test_split_days(start: str, hours: float, expected: str) -> None:
    assert SPLIT.add(at(start), hours * H) == at(expected)


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ("2026-03-02 23:00", 2, "2026-03-03 01:00"),
        # Monday 05:00 is closed: Sunday has no shift; Monday's shift opens at 22:00.
        ("2026-03-02 05:00", 1, "2026-03-02 23:00"),
        # Tuesday 05:00 is inside Monday's shift; its last hour ends at 06:00 -> next opening.
        ("2026-03-03 05:00", 1, "2026-03-03 22:00"),
        # Saturday 05:00 is inside Friday's shift (1 h left); then Monday 22:00 + 1 h.
        ("2026-03-07 05:00", 2, "2026-03-09 23:00"),
    ],
)
def test_night_shift(start: str, hours: float, expected: str) -> None:
    assert NIGHTS.add(at(start, UTC), hours * H) == at(expected, UTC)


def test_night_shift_belongs_to_the_day_it_starts_on() -> None:
    assert NIGHTS.between(at("2026-03-06 22:00", UTC), at("2026-03-07 06:00", UTC)) == 8 * H
    assert not NIGHTS.is_working(at("2026-03-08 05:00", UTC))  # Saturday has no shift


@pytest.mark.parametrize(
    ("cal", "zone", "start", "hours", "expected"),
    [
        # Spring forward: 22:00 CET = 21:00Z; + 6 h = 03:00Z = 05:00 CEST.
        (PRAGUE_SAT_NIGHT, PRAGUE, "2026-03-28 22:00", 6, "2026-03-29 05:00"),
        # The whole shift is 7 h: filling it lands at the next Saturday's opening.
        (PRAGUE_SAT_NIGHT, PRAGUE, "2026-03-28 22:00", 7, "2026-04-04 22:00"),
        # Fall back: 22:00 CEST = 20:00Z; + 8 h = 04:00Z = 05:00 CET.
        (PRAGUE_SAT_NIGHT, PRAGUE, "2026-10-24 22:00", 8, "2026-10-25 05:00"),
        # Same in New York: 22:00 EST = 03:00Z; + 6 h = 09:00Z = 05:00 EDT.
        (NEW_YORK_SAT_NIGHT, NEW_YORK, "2026-03-07 22:00", 6, "2026-03-08 05:00"),
        # 22:00 EDT = 02:00Z; + 8 h = 10:00Z = 05:00 EST.
        (NEW_YORK_SAT_NIGHT, NEW_YORK, "2026-10-31 22:00", 8, "2026-11-01 05:00"),
        # 24x7: 24 real hours from Saturday noon read 13:00 on the short Sunday...
        (ALWAYS, PRAGUE, "2026-03-28 12:00", 24, "2026-03-29 13:00"),
        # ...and 11:00 on the long one.
        (ALWAYS, PRAGUE, "2026-10-24 12:00", 24, "2026-10-25 11:00"),
        # Wall-clock office hours across the DST weekend: nothing special.
        (OFFICE, PRAGUE, "2026-03-27 16:00", 2, "2026-03-30 10:00"),
    ],
)
def test_dst_weeks(cal: WorkingCalendar, zone: ZoneInfo, start: str, hours: float, expected: str) -> None:
    result = cal.add(at(start, zone), hours * H)
    assert result == at(expected, zone)
    assert result.utcoffset() == at(expected, zone).utcoffset()


@pytest.mark.parametrize(
    ("cal", "zone", "start", "end", "hours"),
    [
        (PRAGUE_SAT_NIGHT, PRAGUE, "2026-03-28 22:00", "2026-03-29 06:00", 7),
        (PRAGUE_SAT_NIGHT, PRAGUE, "2026-10-24 22:00", "2026-10-25 06:00", 9),
        (NEW_YORK_SAT_NIGHT, NEW_YORK, "2026-03-07 22:00", "2026-03-08 06:00", 7),
        (NEW_YORK_SAT_NIGHT, NEW_YORK, "2026-10-31 22:00", "2026-11-01 06:00", 9),
        (ALWAYS, PRAGUE, "2026-03-29 00:00", "2026-03-30 00:00", 23),
        (ALWAYS, PRAGUE, "2026-10-25 00:00", "2026-10-26 00:00", 25),
    ],
)
def test_dst_shift_lengths_are_real_elapsed_time(
    cal: WorkingCalendar, zone: ZoneInfo, start: str, end: str, hours: float
) -> None:
    assert cal.between(at(start, zone), at(end, zone)) == hours * H


def test_boundary_in_a_dst_gap_moves_to_the_end_of_the_gap() -> None:
    # 02:30 does not exist on 2026-03-29 in Prague: the opening is 03:00 CEST = 01:00Z.
    cal = calendar("Europe/Prague", [], exceptions={"2026-03-29": [["02:30", "05:00"]]})
    opening = cal.add(at("2026-03-29 00:00"), timedelta(0))
    assert opening == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    assert opening.isoformat() == "2026-03-29T03:00:00+02:00"
    assert cal.between(at("2026-03-28 00:00"), at("2026-03-30 00:00")) == 2 * H
    assert not cal.is_working(datetime(2026, 3, 29, 0, 59, tzinfo=UTC))


def test_ambiguous_boundary_takes_the_first_occurrence() -> None:
    # 01:30 happens twice on 2026-11-01 in New York; fold=0 is 01:30 EDT = 05:30Z.
    # The interval then runs to 03:00 EST = 08:00Z: 2 h 30 min.
    cal = calendar("America/New_York", [], exceptions={"2026-11-01": [["01:30", "03:00"]]})
    # (Python never finds an ambiguous wall time equal to another zone's instant, so
    # compare in UTC.)
    opening = cal.add(at("2026-11-01 00:00", NEW_YORK), timedelta(0))
    assert opening.astimezone(UTC) == datetime(2026, 11, 1, 5, 30, tzinfo=UTC)
    assert opening.isoformat() == "2026-11-01T01:30:00-04:00"
    assert cal.between(at("2026-10-31 00:00", NEW_YORK), at("2026-11-02 00:00", NEW_YORK)) == timedelta(
        hours=2, minutes=30
    )


@pytest.mark.parametrize(
    ("cal", "start", "hours", "expected"),
    [
        # Wed 2026-10-28 is Independent Czechoslovak State Day: Tue 16-17, then Thu 09-10.
        (CZ_OFFICE, "2026-10-27 16:00", 2, "2026-10-29 10:00"),
        # Thu 24 - Sat 26 Dec are holidays: Wed 16-17, then Mon 28 Dec 09-10.
        (CZ_OFFICE, "2026-12-23 16:00", 2, "2026-12-28 10:00"),
        # A start on a holiday counts from the next opening.
        (CZ_OFFICE, "2026-10-28 11:00", 1, "2026-10-29 10:00"),
        (CZ_OFFICE, "2026-10-28 11:00", 0, "2026-10-29 09:00"),
        # The exception (09-12 on Christmas Eve) beats the public holiday.
        (CZ_SHORT_EVE, "2026-12-23 16:00", 2, "2026-12-24 10:00"),
        # Wed 1 h + Thu 3 h fill the shortened day; the 5th hour is Mon 28 Dec 09-10.
        (CZ_SHORT_EVE, "2026-12-23 16:00", 5, "2026-12-28 10:00"),
        # Thu 31 Dec is an extra holiday, Fri 1 Jan a public one: Mon 4 Jan 2027.
        (CZ_SHORT_EVE, "2026-12-30 16:00", 1, "2027-01-04 09:00"),
    ],
)
def test_holidays_and_exceptions(cal: WorkingCalendar, start: str, hours: float, expected: str) -> None:
    assert cal.add(at(start), hours * H) == at(expected)


def test_night_shift_before_a_holiday_runs_into_the_holiday_morning() -> None:
    cal = calendar("UTC", [["22:00", "06:00"]], holidays=["2026-03-04"])
    # Tuesday's shift starts on an ordinary day and runs into the holiday morning...
    assert cal.between(at("2026-03-03 22:00", UTC), at("2026-03-04 06:00", UTC)) == 8 * H
    # ...the holiday's own shift (Wednesday 22:00) does not happen.
    assert not cal.is_working(at("2026-03-04 23:00", UTC))


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        ("2026-03-02 10:00", -1, "2026-03-02 09:00"),
        # 09:00 minus 1 h: the previous working day's 16:00.
        ("2026-03-02 09:00", -1, "2026-02-27 16:00"),
        # Landing exactly on an opening: the latest such instant is the opening itself.
        ("2026-03-02 12:00", -3, "2026-03-02 09:00"),
        ("2026-03-07 12:00", -1, "2026-03-06 16:00"),
        # Tue 09-10 (1 h) + all of Monday (8 h): Monday's opening, not Friday's closing.
        ("2026-03-03 10:00", -9, "2026-03-02 09:00"),
        ("2026-03-02 10:00", 0, "2026-03-02 10:00"),
    ],
)
def test_negative_durations(start: str, hours: float, expected: str) -> None:
    assert OFFICE.add(at(start), hours * H) == at(expected)


def test_instants_thirty_years_apart() -> None:
    cal = calendar("UTC", [["09:00", "17:00"]])
    start = at("2026-01-05 09:00", UTC)  # a Monday
    # 2026-01-05 .. 2056-01-05 is 30 * 365 + 7 leap days = 10957 days = 1565 weeks + 2 days
    # (Mon, Tue): 1565 * 5 + 2 = 7827 working days of 8 h = 62616 h.
    end = at("2056-01-05 09:00", UTC)
    assert cal.between(start, end) == 62_616 * H
    assert cal.between(end, start) == -62_616 * H
    # Those hours end on Tue 2056-01-04 17:00: the latest such instant is Wednesday's opening.
    assert cal.add(start, 62_616 * H) == end
    assert cal.add(end, -62_616 * H) == start
    # 24x7 across 30 years of DST changes is exactly the elapsed time.
    # (Python subtracts two datetimes of one zone by wall clock, so subtract in UTC: the
    # winter-to-summer span is 1 h shorter than its wall-clock difference.)
    a, b = at("2026-03-02 10:00"), at("2056-07-02 10:00")
    elapsed = b.astimezone(UTC) - a.astimezone(UTC)
    assert elapsed == b - a - H
    assert ALWAYS.between(a, b) == elapsed
    assert ALWAYS.add(a, elapsed) == b


def test_twenty_four_seven_never_stops_at_midnight() -> None:
    assert ALWAYS_UTC.add(at("2026-03-02 23:00", UTC), 2 * H) == at("2026-03-03 01:00", UTC)
    assert ALWAYS_UTC.add(at("2026-03-02 23:59:59", UTC), timedelta(0)) == at("2026-03-02 23:59:59", UTC)
    assert ALWAYS_UTC.add(at("2026-03-03 00:00", UTC), -1 * H) == at("2026-03-02 23:00", UTC)
    assert ALWAYS_UTC.is_working(at("2026-03-03 00:00", UTC))
    assert ALWAYS_UTC.next_change(at("2026-03-03 00:00", UTC)) is None
    assert ALWAYS_UTC.working_periods(at("2026-03-01 00:00", UTC), at("2026-03-05 00:00", UTC)) == [
        WorkingPeriod(at("2026-03-01 00:00", UTC), at("2026-03-05 00:00", UTC))
    ]


def test_twenty_four_hundred_joins_the_next_days_interval() -> None:
    cal = WorkingCalendar.from_dict(
        {"tz": "UTC", "week": {"mon": [["20:00", "24:00"]], "tue": [["00:00", "04:00"]]}}
    )
    assert cal.add(at("2026-03-02 23:00", UTC), 2 * H) == at("2026-03-03 01:00", UTC)
    assert cal.next_change(at("2026-03-02 21:00", UTC)) == at("2026-03-03 04:00", UTC)
    assert cal.between(at("2026-03-02 00:00", UTC), at("2026-03-04 00:00", UTC)) == 8 * H


def test_night_shift_ending_where_the_next_interval_begins_merges() -> None:
    cal = WorkingCalendar.from_dict(
        {"tz": "UTC", "week": {"mon": [["22:00", "06:00"]], "tue": [["06:00", "14:00"]]}}
    )
    assert cal.next_change(at("2026-03-02 23:00", UTC)) == at("2026-03-03 14:00", UTC)
    assert cal.add(at("2026-03-03 05:00", UTC), 2 * H) == at("2026-03-03 07:00", UTC)


def test_overlapping_intervals_merge_into_their_union() -> None:
    cal = calendar("UTC", [["09:00", "12:00"], ["11:00", "17:00"]])
    assert cal.between(at("2026-03-02 00:00", UTC), at("2026-03-03 00:00", UTC)) == 8 * H
    assert cal.next_change(at("2026-03-02 10:00", UTC)) == at("2026-03-02 17:00", UTC)


def test_results_are_in_the_calendars_zone() -> None:
    result = OFFICE.add(datetime(2026, 3, 2, 9, 0, tzinfo=UTC), H)
    assert result.tzinfo == PRAGUE
    assert result == at("2026-03-02 11:00")


def test_is_working_and_next_change() -> None:
    assert OFFICE.is_working(at("2026-03-02 09:00"))
    assert not OFFICE.is_working(at("2026-03-02 17:00"))
    assert OFFICE.next_change(at("2026-03-02 09:00")) == at("2026-03-02 17:00")
    assert OFFICE.next_change(at("2026-03-02 17:00")) == at("2026-03-03 09:00")
    assert OFFICE.next_change(at("2026-03-06 18:00")) == at("2026-03-09 09:00")


def test_working_periods_are_clipped() -> None:
    periods = SPLIT.working_periods(at("2026-03-02 10:00"), at("2026-03-03 10:00"))
    assert periods == [
        WorkingPeriod(at("2026-03-02 10:00"), at("2026-03-02 12:00")),
        WorkingPeriod(at("2026-03-02 13:00"), at("2026-03-02 17:00")),
        WorkingPeriod(at("2026-03-03 09:00"), at("2026-03-03 10:00")),
    ]
    assert SPLIT.working_periods(at("2026-03-03 10:00"), at("2026-03-02 10:00")) == []


def test_closed_periods_say_why() -> None:
    closed = list(CZ_SHORT_EVE.closed_periods(at("2026-12-23 17:00"), at("2026-12-28 10:00")))
    assert closed == [
        ClosedPeriod(at("2026-12-23 17:00"), at("2026-12-24 00:00"), "outside hours"),
        ClosedPeriod(at("2026-12-24 00:00"), at("2026-12-24 09:00"), "outside hours (exception day)"),
        ClosedPeriod(at("2026-12-24 12:00"), at("2026-12-25 00:00"), "outside hours (exception day)"),
        ClosedPeriod(at("2026-12-25 00:00"), at("2026-12-26 00:00"), "holiday: Christmas Day"),
        ClosedPeriod(at("2026-12-26 00:00"), at("2026-12-27 00:00"), "holiday: Second Day of Christmas"),
        ClosedPeriod(at("2026-12-27 00:00"), at("2026-12-28 00:00"), "day off"),
        ClosedPeriod(at("2026-12-28 00:00"), at("2026-12-28 09:00"), "outside hours"),
    ]
    weekend = list(OFFICE.closed_periods(at("2026-03-06 17:00"), at("2026-03-09 09:00")))
    assert [period.reason for period in weekend] == ["outside hours", "day off", "outside hours"]
    assert CZ_SHORT_EVE.closed_periods(at("2026-12-31 12:00"), at("2026-12-31 13:00")).__next__() == (
        ClosedPeriod(at("2026-12-31 12:00"), at("2026-12-31 13:00"), "holiday")
    )


@pytest.mark.parametrize(
    "call",
    [
        lambda: OFFICE.add(datetime(2026, 3, 2, 10, 0), H),
        lambda: OFFICE.between(datetime(2026, 3, 2, 10, 0), at("2026-03-03 10:00")),
        lambda: OFFICE.between(at("2026-03-03 10:00"), datetime(2026, 3, 2, 10, 0)),
        lambda: OFFICE.is_working(datetime(2026, 3, 2, 10, 0)),
        lambda: OFFICE.next_change(datetime(2026, 3, 2, 10, 0)),
        lambda: OFFICE.working_periods(datetime(2026, 3, 2, 10, 0), at("2026-03-03 10:00")),
    ],
)
def test_naive_datetimes_are_rejected(call: Any) -> None:
    with pytest.raises(
        ValidationError, match=r"must be timezone-aware, got naive datetime 2026-03-02T10:00:00"
    ):
        call()


def test_a_calendar_without_working_time_fails_clearly() -> None:
    closed = WorkingCalendar.from_dict({"name": "never", "tz": "UTC", "week": {}})
    with pytest.raises(ValidationError, match=r"'never' has no working time within 1827 days after"):
        closed.add(at("2026-03-02 10:00", UTC), H)
    with pytest.raises(ValidationError, match=r"no working time within 1827 days before"):
        closed.add(at("2026-03-02 10:00", UTC), -H)
    assert closed.between(at("2026-03-02 10:00", UTC), at("2040-03-02 10:00", UTC)) == timedelta(0)
    assert closed.next_change(at("2026-03-02 10:00", UTC)) is None


def test_working_time_that_ends_for_good_is_found_up_to_its_end() -> None:
    cal = WorkingCalendar.from_dict(
        {"tz": "UTC", "week": {}, "exceptions": {"2026-03-02": [["09:00", "17:00"]]}}
    )
    assert cal.add(at("2026-03-01 00:00", UTC), 7 * H) == at("2026-03-02 16:00", UTC)
    with pytest.raises(ValidationError, match="no working time"):
        cal.add(at("2026-03-01 00:00", UTC), 8 * H)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"tz": "Europe/Prague", "week": {"mon": [["25:00", "17:00"]]}},
            "week.mon[0]: '25:00' is not a time HH:MM",
        ),
        (
            {"tz": "UTC", "week": {"tue": [["09:00", "17:00"], ["13:00", "9:60"]]}},
            "week.tue[1]: '9:60' is not a time HH:MM",
        ),
        ({"tz": "UTC", "week": {"mon": [["09:00", "24:30"]]}}, "week.mon[0]: '24:30' is not a time HH:MM"),
        (
            {"tz": "UTC", "week": {"mon": [["09:00"]]}},
            "week.mon[0]: expected [start, end] as two 'HH:MM' strings, got ['09:00']",
        ),
        (
            {"tz": "UTC", "week": {"mon": [["24:00", "06:00"]]}},
            "week.mon[0]: '24:00' is valid only as an end, not as a start",
        ),
        (
            {"tz": "UTC", "week": {"mon": "09:00-17:00"}},
            "week.mon: expected a list of [start, end] intervals, got '09:00-17:00'",
        ),
        (
            {"tz": "UTC", "week": {"monday": []}},
            "week: 'monday' is not a weekday (expected one of mon, tue, wed, thu, fri, sat, sun)",
        ),
        ({"tz": "Mars/Olympus", "week": {}}, "tz: 'Mars/Olympus' is not an IANA time zone"),
        # a name too long for a file of the zone database: ZoneInfo raises OSError
        ({"tz": "x" * 300, "week": {}}, "tz: '" + "x" * 80 + "…' is not an IANA time zone"),
        ({"week": {}}, "tz: missing; expected an IANA zone such as 'Europe/Prague'"),
        (
            {"tz": "UTC", "holidays": ["2026-12-24", "2026-13-01"]},
            "holidays[1]: '2026-13-01' is not a date YYYY-MM-DD",
        ),
        (
            {"tz": "UTC", "exceptions": {"2026-12-24": [["09:00", "1200"]]}},
            "exceptions.2026-12-24[0]: '1200' is not a time HH:MM",
        ),
        (
            {"tz": "UTC", "exceptions": {"24.12.2026": []}},
            "exceptions: key: '24.12.2026' is not a date YYYY-MM-DD",
        ),
        (
            {"tz": "UTC", "public_holidays": [{"subdiv": "CA"}]},
            "public_holidays[0].country: expected a country code such as 'CZ', got None",
        ),
        (
            {"tz": "UTC", "weeks": {}},
            "calendar: unknown key 'weeks' (expected name, tz, week, holidays, public_holidays, exceptions)",
        ),
    ],
)
def test_bad_configuration_names_the_place_and_value(data: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        WorkingCalendar.from_dict(data)
    assert str(raised.value) == message


def test_unknown_public_holiday_country_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"^public_holidays\[0\]: .*XX"):
        WorkingCalendar.from_dict({"tz": "UTC", "public_holidays": [{"country": "XX"}]})


def test_error_places_can_be_prefixed_by_the_caller() -> None:
    with pytest.raises(ConfigError, match=r"^calendars\[2\]\.week\.fri\[0\]: 'x' is not a time HH:MM$"):
        WorkingCalendar.from_dict({"tz": "UTC", "week": {"fri": [["x", "17:00"]]}}, path="calendars[2]")


FORMATS_EXAMPLE: dict[str, Any] = {
    "name": "prague-office",
    "tz": "Europe/Prague",
    "week": {
        "mon": [["09:00", "17:00"]],
        "tue": [["09:00", "12:00"], ["13:00", "17:00"]],
        "wed": [["09:00", "17:00"]],
        "thu": [["09:00", "17:00"]],
        "fri": [["09:00", "15:00"]],
        "sat": [["22:00", "06:00"]],
    },
    "holidays": ["2026-12-31"],
    "public_holidays": [{"country": "CZ"}],
    "exceptions": {"2026-12-23": [["09:00", "12:00"]], "2026-12-27": [["10:00", "14:00"]]},
}


def test_round_trip_and_value_equality() -> None:
    cal = WorkingCalendar.from_dict(FORMATS_EXAMPLE)
    assert cal.to_dict() == FORMATS_EXAMPLE
    again = WorkingCalendar.from_dict(cal.to_dict())
    cal.add(at("2026-03-02 10:00"), H)  # warm one instance's cache only
    assert again == cal
    assert hash(again) == hash(cal)
    assert attrs.evolve(cal, name="other") != cal
    assert attrs.evolve(cal, name="other").add(at("2026-03-02 16:00"), H) == at("2026-03-03 09:00")
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        cal.tz = "UTC"  # type: ignore[misc]


def test_lazy_extension_is_thread_safe() -> None:
    cal = WorkingCalendar.from_dict(FORMATS_EXAMPLE)
    reference = WorkingCalendar.from_dict(FORMATS_EXAMPLE)
    starts = [at(f"{year}-06-01 10:00") for year in range(2000, 2060, 3)]
    expected = [reference.add(start, 100 * H) for start in starts]
    results: dict[int, datetime] = {}

    def work(index: int) -> None:
        results[index] = cal.add(starts[index], 100 * H)

    threads = [threading.Thread(target=work, args=(index,)) for index in range(len(starts))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [results[index] for index in range(len(starts))] == expected
