"""Exception days: a date whose working hours replace the weekday's."""

from __future__ import annotations

from datetime import date
from typing import Any

import attrs

from helpdesk_core.errors import ConfigError, ValidationError
from helpdesk_core.worktime.hours import WorkingHours, parse_hours_list


def _check_hours(
    instance: ExceptionDay, attribute: attrs.Attribute[tuple[WorkingHours, ...]], value: Any
) -> None:
    if not isinstance(value, tuple) or not all(isinstance(h, WorkingHours) for h in value):
        raise ValidationError(f"ExceptionDay.hours: expected a tuple of WorkingHours, got {value!r}")


@attrs.frozen
class ExceptionDay:
    """A shortened day, a working Saturday or a closed day (``hours == ()``).

    An exception beats a holiday on the same date.
    """

    day: date = attrs.field(validator=attrs.validators.instance_of(date))
    hours: tuple[WorkingHours, ...] = attrs.field(validator=_check_hours)


def parse_date(value: Any, path: str) -> date:
    """Read an ISO date ``YYYY-MM-DD`` (or a TOML date value)."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise ConfigError(f"{path}: {value!r} is not a date YYYY-MM-DD")


def parse_exception_days(value: Any, path: str = "exceptions") -> tuple[ExceptionDay, ...]:
    """Read ``{"2026-12-23": [["09:00", "12:00"]], ...}``, sorted by date."""
    if value is None:
        return ()
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: expected a table of date -> intervals, got {value!r}")
    days: dict[date, ExceptionDay] = {}
    for key, hours in value.items():
        day = parse_date(key, f"{path}: key")
        if day in days:
            raise ConfigError(f"{path}: date {day.isoformat()} is given twice")
        days[day] = ExceptionDay(day, parse_hours_list(hours, f"{path}.{key}"))
    return tuple(sorted(days.values(), key=lambda exception: exception.day))
