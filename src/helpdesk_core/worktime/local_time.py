"""Exact conversions between aware datetimes, wall-clock times and epoch microseconds.

The arithmetic of a working calendar runs on integers: an instant is a count of
microseconds since 1970-01-01T00:00Z (UTC epoch microseconds), a duration is a
count of microseconds. Integers keep every result exact; floats would not.

Wall-clock rules, applied to every boundary of a working interval:

* a wall time inside a DST gap (it never happens on the clock, e.g. 02:30 on the
  spring-forward night in Europe) moves to the end of the gap, the instant the
  clocks jump;
* an ambiguous wall time (it happens twice, on the fall-back night) is taken at
  its first occurrence (``fold=0``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from helpdesk_core.errors import ValidationError

US_PER_SECOND = 1_000_000
US_PER_MINUTE = 60 * US_PER_SECOND
US_PER_DAY = 86_400 * US_PER_SECOND
MINUTES_PER_DAY = 1440

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


def epoch_us(moment: datetime, what: str) -> int:
    """Return ``moment`` as UTC epoch microseconds; ``what`` names it in errors."""
    try:
        elapsed = moment - _EPOCH
    except TypeError:
        raise _not_aware(moment, what) from None
    return (elapsed.days * 86_400 + elapsed.seconds) * US_PER_SECOND + elapsed.microseconds


def _not_aware(moment: object, what: str) -> ValidationError:
    if isinstance(moment, datetime):
        return ValidationError(f"{what} must be timezone-aware, got naive datetime {moment.isoformat()}")
    return ValidationError(f"{what} must be a timezone-aware datetime, got {moment!r}")


def duration_us(duration: timedelta, what: str) -> int:
    """Return ``duration`` as a whole number of microseconds."""
    try:
        return (duration.days * 86_400 + duration.seconds) * US_PER_SECOND + duration.microseconds
    except AttributeError:
        raise ValidationError(f"{what} must be a timedelta, got {duration!r}") from None


def instant_in(moment_us: int, zone: ZoneInfo) -> datetime:
    """Return the aware datetime in ``zone`` for UTC epoch microseconds ``moment_us``.

    ``fromtimestamp`` is given whole seconds (an int, so no float rounding).
    """
    seconds, micros = divmod(moment_us, US_PER_SECOND)
    moment = datetime.fromtimestamp(seconds, zone)
    return moment.replace(microsecond=micros) if micros else moment


def utc_year_of(moment_us: int) -> int:
    """Return the UTC calendar year that contains ``moment_us``."""
    return (_EPOCH + timedelta(microseconds=moment_us)).year


def utc_new_year_us(year: int) -> int:
    """Return 1 January ``year`` 00:00 UTC as epoch microseconds."""
    return (date(year, 1, 1).toordinal() - _EPOCH_ORDINAL) * US_PER_DAY


def wall_to_epoch_us(day: date, minute: int, zone: ZoneInfo) -> int:
    """Return the instant of wall time ``minute`` (minutes after midnight) on ``day``.

    ``minute`` may be 1440 or more: it then counts into the following days, so
    ``(day, 1440)`` is the next day's midnight ("24:00"). Gap and fold rules as in
    the module docstring.
    """
    if minute >= MINUTES_PER_DAY:
        day = day + timedelta(days=minute // MINUTES_PER_DAY)
        minute %= MINUTES_PER_DAY
    local = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=zone)
    before = local.utcoffset()
    after = local.replace(fold=1).utcoffset()
    assert before is not None and after is not None
    naive_us = ((day.toordinal() - _EPOCH_ORDINAL) * MINUTES_PER_DAY + minute) * US_PER_MINUTE
    before_us = naive_us - _offset_us(before)
    if before < after:
        return _end_of_gap(naive_us - _offset_us(after), before_us, zone)
    return before_us


def _offset_us(offset: timedelta) -> int:
    return (offset.days * 86_400 + offset.seconds) * US_PER_SECOND + offset.microseconds


def _end_of_gap(earlier_us: int, later_us: int, zone: ZoneInfo) -> int:
    """Return the instant the clocks jump, searched between two candidate readings.

    ``earlier_us`` reads the gap time with the offset after the jump (so it lies
    before the jump), ``later_us`` with the offset before it (after the jump).
    Zone transitions fall on whole seconds, so a bisection over seconds is exact.
    """
    target = _offset_at(later_us // US_PER_SECOND, zone)
    low, high = earlier_us // US_PER_SECOND, later_us // US_PER_SECOND
    while high - low > 1:
        middle = (low + high) // 2
        if _offset_at(middle, zone) == target:
            high = middle
        else:
            low = middle
    return high * US_PER_SECOND


def _offset_at(second: int, zone: ZoneInfo) -> timedelta | None:
    return (_EPOCH + timedelta(seconds=second)).astimezone(zone).utcoffset()
