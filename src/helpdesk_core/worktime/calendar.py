"""WorkingCalendar: when a help desk works, and working-time arithmetic on it.

The value is the calendar's definition (zone, week, holidays, exceptions);
equality and hashing use only that. The precomputed working periods live in a
private side object, built lazily and shared by every ticket that uses the same
calendar instance.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import attrs

from helpdesk_core.errors import ConfigError, ValidationError
from helpdesk_core.worktime.exception_days import ExceptionDay, parse_date, parse_exception_days
from helpdesk_core.worktime.hours import WorkingHours
from helpdesk_core.worktime.local_time import (
    US_PER_DAY,
    US_PER_SECOND,
    duration_us,
    epoch_us,
    instant_in,
    wall_to_epoch_us,
)
from helpdesk_core.worktime.periods import ClosedPeriod, WorkingPeriod
from helpdesk_core.worktime.public_holidays import EXTRA_HOLIDAY, HolidayBook, PublicHolidays
from helpdesk_core.worktime.timeline import Snapshot, Timeline
from helpdesk_core.worktime.week import WorkingWeek

SEARCH_HORIZON = timedelta(days=1827)
"""How far (about 5 years) ``add`` looks for working time before giving up."""

_HORIZON_US = SEARCH_HORIZON.days * US_PER_DAY
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_MICROSECOND = timedelta(microseconds=1)
_KEYS = ("name", "tz", "week", "holidays", "public_holidays", "exceptions")


def _check_name(instance: WorkingCalendar, attribute: attrs.Attribute[str | None], value: Any) -> None:
    if value is not None and not (isinstance(value, str) and value):
        raise ValidationError(f"WorkingCalendar.name: expected a non-empty string or None, got {value!r}")


def _check_tz(instance: WorkingCalendar, attribute: attrs.Attribute[str], value: Any) -> None:
    _zone(value, "WorkingCalendar.tz", ValidationError)


def _check_tuple_of(kind: type) -> Any:
    def check(instance: WorkingCalendar, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, tuple) or not all(isinstance(item, kind) for item in value):
            raise ValidationError(
                f"WorkingCalendar.{attribute.name}: expected a tuple of {kind.__name__}, got {value!r}"
            )

    return check


def _check_exceptions(
    instance: WorkingCalendar, attribute: attrs.Attribute[tuple[ExceptionDay, ...]], value: Any
) -> None:
    _check_tuple_of(ExceptionDay)(instance, attribute, value)
    days = [exception.day for exception in value]
    if len(set(days)) != len(days):
        raise ValidationError(f"WorkingCalendar.exceptions: a date is given twice in {days!r}")


def _zone(key: Any, place: str, error: type[ValidationError]) -> ZoneInfo:
    if not isinstance(key, str) or not key:
        raise error(f"{place}: expected an IANA time zone such as 'Europe/Prague', got {key!r}")
    try:
        return ZoneInfo(key)
    except (ValueError, KeyError, OSError) as problem:  # OSError: a name too long for a file
        shown = key if len(key) <= 80 else key[:80] + "…"
        raise error(f"{place}: {shown!r} is not an IANA time zone") from problem


class _Workings:
    """The calendar's lazily computed working periods and holiday names (not part of its value)."""

    def __init__(self, calendar: WorkingCalendar) -> None:
        self.zone = ZoneInfo(calendar.tz)
        self.week = calendar.week
        self.exceptions = {exception.day: exception.hours for exception in calendar.exceptions}
        self.book = HolidayBook(calendar.holidays, calendar.public_holidays)
        self.timeline = Timeline(self.zone, self.hours_on)

    def hours_on(self, day: date) -> tuple[WorkingHours, ...]:
        """Working hours starting on ``day``: exception, else nothing on a holiday, else the week."""
        exception = self.exceptions.get(day)
        if exception is not None:
            return exception
        if self.book.name_of(day) is not None:
            return ()
        return self.week.on(day.weekday())

    def closed_reason(self, day: date) -> str:
        """Why ``day`` (a local date) has closed time."""
        exception = self.exceptions.get(day)
        if exception is not None:
            return "outside hours (exception day)" if exception else "exception: day off"
        name = self.book.name_of(day)
        if name is not None:
            return name if name == EXTRA_HOLIDAY else f"holiday: {name}"
        if not self.week.on(day.weekday()):
            return "day off"
        return "outside hours"


@attrs.frozen
class WorkingCalendar:
    """Working hours of a help desk in one IANA zone, with holidays and exception days.

    Build it with :meth:`from_dict` from the calendar JSON of docs/formats.md. All
    arithmetic is exact to the microsecond and O(log n) per call once the years
    involved have been computed (the first call in a year range computes it).
    Every datetime accepted must be aware; every datetime returned is in ``tz``.
    """

    tz: str = attrs.field(validator=_check_tz)
    week: WorkingWeek = attrs.field(validator=attrs.validators.instance_of(WorkingWeek))
    holidays: tuple[date, ...] = attrs.field(default=(), validator=_check_tuple_of(date))
    public_holidays: tuple[PublicHolidays, ...] = attrs.field(
        default=(), validator=_check_tuple_of(PublicHolidays)
    )
    exceptions: tuple[ExceptionDay, ...] = attrs.field(default=(), validator=_check_exceptions)
    name: str | None = attrs.field(default=None, validator=_check_name)
    _workings: _Workings = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        # Runs after the validators: the side object is built from a valid definition.
        object.__setattr__(self, "_workings", _Workings(self))

    @classmethod
    def from_dict(cls, data: Any, path: str = "") -> WorkingCalendar:
        """Read the calendar JSON object; ``path`` prefixes the places named in errors.

        Raises ConfigError naming the place and the bad value, for example
        ``week.mon[0]: '25:00' is not a time HH:MM``.
        """
        if not isinstance(data, dict):
            raise ConfigError(f"{path or 'calendar'}: expected a table, got {data!r}")
        for key in data:
            if key not in _KEYS:
                raise ConfigError(f"{path or 'calendar'}: unknown key {key!r} (expected {', '.join(_KEYS)})")
        name = data.get("name")
        if name is not None and not (isinstance(name, str) and name):
            raise ConfigError(f"{_at(path, 'name')}: expected a non-empty string, got {name!r}")
        if "tz" not in data:
            raise ConfigError(f"{_at(path, 'tz')}: missing; expected an IANA zone such as 'Europe/Prague'")
        _zone(data["tz"], _at(path, "tz"), ConfigError)
        week = WorkingWeek.from_dict(data.get("week", {}), _at(path, "week"))
        raw_holidays = data.get("holidays", [])
        if not isinstance(raw_holidays, list | tuple):
            raise ConfigError(f"{_at(path, 'holidays')}: expected a list of dates, got {raw_holidays!r}")
        extra = sorted(
            {parse_date(day, f"{_at(path, 'holidays')}[{i}]") for i, day in enumerate(raw_holidays)}
        )
        raw_public = data.get("public_holidays", [])
        if not isinstance(raw_public, list | tuple):
            raise ConfigError(
                f"{_at(path, 'public_holidays')}: expected a list of tables, got {raw_public!r}"
            )
        public = tuple(
            PublicHolidays.from_dict(entry, f"{_at(path, 'public_holidays')}[{i}]")
            for i, entry in enumerate(raw_public)
        )
        exceptions = parse_exception_days(data.get("exceptions"), _at(path, "exceptions"))
        return cls(
            tz=data["tz"],
            week=week,
            holidays=tuple(extra),
            public_holidays=public,
            exceptions=exceptions,
            name=name,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the calendar JSON object (holidays sorted; empty optional keys left out)."""
        result: dict[str, Any] = {}
        if self.name is not None:
            result["name"] = self.name
        result["tz"] = self.tz
        result["week"] = self.week.to_dict()
        if self.holidays:
            result["holidays"] = [day.isoformat() for day in self.holidays]
        if self.public_holidays:
            result["public_holidays"] = [entry.to_dict() for entry in self.public_holidays]
        if self.exceptions:
            result["exceptions"] = {
                exception.day.isoformat(): [hours.to_list() for hours in exception.hours]
                for exception in self.exceptions
            }
        return result

    @property
    def zone(self) -> ZoneInfo:
        """The calendar's time zone."""
        return self._workings.zone

    def between(self, a: datetime, b: datetime) -> timedelta:
        """Working time inside ``[a, b)``; negative when ``b`` is before ``a``."""
        try:
            elapsed = a - _EPOCH
            low = elapsed.days * US_PER_DAY + elapsed.seconds * US_PER_SECOND + elapsed.microseconds
            elapsed = b - _EPOCH
            high = elapsed.days * US_PER_DAY + elapsed.seconds * US_PER_SECOND + elapsed.microseconds
        except (TypeError, AttributeError):
            low = epoch_us(a, "between: a")
            high = epoch_us(b, "between: b")
        timeline = self._workings.timeline
        snapshot = timeline.current
        if snapshot is None or not (snapshot.lo < low < snapshot.hi and snapshot.lo < high < snapshot.hi):
            snapshot = timeline.covering(min(low, high), max(low, high))
        return _ONE_MICROSECOND * snapshot.work_between(low, high)

    def add(self, start: datetime, duration: timedelta) -> datetime:
        """The latest instant ``t`` with ``between(start, t) == duration`` (docs/formats.md).

        For ``duration >= 0`` that is the latest ``t >= start``: a deadline that
        fills a working day exactly falls at the next opening, and ``add(start, 0)``
        rolls a start outside working time forward to the next opening. For a
        negative ``duration`` it is the latest ``t <= start`` with
        ``between(t, start) == -duration``. Raises ValidationError when there is
        no working time within :data:`SEARCH_HORIZON` in the direction searched.
        """
        try:
            elapsed = start - _EPOCH
            moment = elapsed.days * US_PER_DAY + elapsed.seconds * US_PER_SECOND + elapsed.microseconds
            amount = duration.days * US_PER_DAY + duration.seconds * US_PER_SECOND + duration.microseconds
        except (TypeError, AttributeError):
            moment = epoch_us(start, "add: start")
            amount = duration_us(duration, "add: duration")
        return self._shifted(moment, amount, start)

    def add_counting(
        self, stretches: Iterable[tuple[datetime, datetime | None]], duration: timedelta
    ) -> datetime:
        """``add`` for a clock that counts only inside ``stretches``: the latest
        instant at which the working time inside them reaches ``duration``.

        ``stretches`` are ``[start, end)``, in order and not overlapping; the last
        is open (``end`` None) and is where the clock runs on. This is an SLA
        deadline that pauses: the working time of each closed stretch counts,
        and the deadline falls in the first stretch that holds what remains
        (one that holds it exactly is passed, so the deadline is the latest
        such instant). The same as summing :meth:`between` over the stretches
        and ending with :meth:`add`, with one conversion per instant.
        """
        try:
            amount = duration.days * US_PER_DAY + duration.seconds * US_PER_SECOND + duration.microseconds
        except AttributeError:
            amount = duration_us(duration, "add_counting: duration")
        timeline = self._workings.timeline
        last_end: datetime | None = None  # a stretch often starts where the last one ended
        last_end_us = 0
        for start, end in stretches:
            if start is last_end:
                low = last_end_us
            else:
                try:  # epoch_us, inline: a report converts millions
                    elapsed = start - _EPOCH
                    low = elapsed.days * US_PER_DAY + elapsed.seconds * US_PER_SECOND + elapsed.microseconds
                except TypeError:
                    low = epoch_us(start, "add_counting: start")
            if end is None:
                return self._shifted(low, amount, start)
            try:
                elapsed = end - _EPOCH
                high = elapsed.days * US_PER_DAY + elapsed.seconds * US_PER_SECOND + elapsed.microseconds
            except TypeError:
                high = epoch_us(end, "add_counting: end")
            last_end, last_end_us = end, high
            if high <= low:
                continue
            snapshot = timeline.current
            if snapshot is None or not (snapshot.lo < low and high < snapshot.hi):
                snapshot = timeline.covering(low, high)
            worked = snapshot.work_between(low, high)
            if worked > amount:
                return self._shifted(low, amount, start)
            amount -= worked
        raise ValidationError("add_counting: the last stretch must be open (end None)")

    def _shifted(self, moment: int, amount: int, start: datetime) -> datetime:
        """The latest instant whose working position is ``amount`` after that of
        ``moment`` (epoch microseconds); ``start`` is ``moment`` for errors."""
        workings = self._workings
        timeline = workings.timeline
        snapshot = timeline.current
        if snapshot is None or not snapshot.lo < moment < snapshot.hi:
            snapshot = timeline.covering(moment, moment)
        while True:
            found = snapshot.shifted(moment, amount)
            if found is not None:
                return instant_in(found, workings.zone)
            if amount >= 0:
                self._check_work_after(snapshot, moment, start)
                snapshot = timeline.later(snapshot)
            else:
                self._check_work_before(snapshot, moment, start)
                snapshot = timeline.earlier(snapshot)

    def is_working(self, moment: datetime) -> bool:
        """True when ``moment`` is working time (an opening is, a closing is not)."""
        at = epoch_us(moment, "is_working: moment")
        return self._workings.timeline.covering(at, at).is_working(at)

    def next_change(self, moment: datetime) -> datetime | None:
        """The first opening or closing strictly after ``moment``.

        None when nothing changes within :data:`SEARCH_HORIZON` (a 24x7 calendar,
        or one without working time).
        """
        at = epoch_us(moment, "next_change: moment")
        timeline = self._workings.timeline
        snapshot = timeline.covering(at, at)
        while True:
            change = snapshot.next_change(at)
            if change is not None:
                return instant_in(change, self._workings.zone)
            if snapshot.hi - at > _HORIZON_US:
                return None
            snapshot = timeline.later(snapshot)

    def working_periods(self, a: datetime, b: datetime) -> list[WorkingPeriod]:
        """Working time inside ``[a, b)`` as periods clipped to it, in order."""
        low = epoch_us(a, "working_periods: a")
        high = epoch_us(b, "working_periods: b")
        if high <= low:
            return []
        zone = self._workings.zone
        snapshot = self._workings.timeline.covering(low, high)
        return [
            WorkingPeriod(instant_in(start, zone), instant_in(end, zone))
            for start, end in snapshot.periods(low, high)
        ]

    def closed_periods(self, a: datetime, b: datetime) -> Iterator[ClosedPeriod]:
        """Closed time inside ``[a, b)``, cut at local midnights and merged by reason.

        Each piece says why the desk is closed (see :class:`ClosedPeriod`), so an
        SLA explanation can show "Fri 17:00–24:00 outside hours, Sat–Sun day off,
        Mon 00:00–09:00 outside hours".
        """
        low = epoch_us(a, "closed_periods: a")
        high = epoch_us(b, "closed_periods: b")
        if high <= low:
            return
        workings = self._workings
        snapshot = workings.timeline.covering(low, high)
        cursor = low
        for start, end in [*snapshot.periods(low, high), (high, high)]:
            if cursor < start:
                yield from self._closed_pieces(cursor, start)
            cursor = end

    def _closed_pieces(self, low: int, high: int) -> Iterator[ClosedPeriod]:
        zone = self._workings.zone
        pending: tuple[int, int, str] | None = None
        cursor = low
        while cursor < high:
            day = instant_in(cursor, zone).date()
            piece_end = min(high, wall_to_epoch_us(day, 1440, zone))
            reason = self._workings.closed_reason(day)
            if pending is not None and pending[2] == reason:
                pending = (pending[0], piece_end, reason)
            else:
                if pending is not None:
                    yield ClosedPeriod(instant_in(pending[0], zone), instant_in(pending[1], zone), pending[2])
                pending = (cursor, piece_end, reason)
            cursor = piece_end
        if pending is not None:
            yield ClosedPeriod(instant_in(pending[0], zone), instant_in(pending[1], zone), pending[2])

    def _check_work_after(self, snapshot: Snapshot, moment: int, start: datetime) -> None:
        last = snapshot.last_end()
        since = moment if last is None or last < moment else last
        if snapshot.hi - since > _HORIZON_US:
            raise ValidationError(
                f"calendar {self.name or self.tz!r} has no working time within "
                f"{SEARCH_HORIZON.days} days after {instant_in(since, self.zone).isoformat()} "
                f"(add from {start.isoformat()})"
            )

    def _check_work_before(self, snapshot: Snapshot, moment: int, start: datetime) -> None:
        first = snapshot.first_start()
        since = moment if first is None or first > moment else first
        if since - snapshot.lo > _HORIZON_US:
            raise ValidationError(
                f"calendar {self.name or self.tz!r} has no working time within "
                f"{SEARCH_HORIZON.days} days before {instant_in(since, self.zone).isoformat()} "
                f"(add from {start.isoformat()})"
            )


def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key
