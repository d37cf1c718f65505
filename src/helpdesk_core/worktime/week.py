"""The regular working week: each weekday's working hours."""

from __future__ import annotations

from typing import Any

import attrs

from helpdesk_core.errors import ConfigError, ValidationError
from helpdesk_core.worktime.hours import WorkingHours, parse_hours_list

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

DayHours = tuple[WorkingHours, ...]


def _check_days(instance: WorkingWeek, attribute: attrs.Attribute[tuple[DayHours, ...]], value: Any) -> None:
    if not isinstance(value, tuple) or len(value) != 7:
        raise ValidationError(f"WorkingWeek.days: expected 7 tuples (mon..sun), got {value!r}")
    for name, hours in zip(WEEKDAYS, value, strict=True):
        if not isinstance(hours, tuple) or not all(isinstance(h, WorkingHours) for h in hours):
            raise ValidationError(
                f"WorkingWeek.days[{name}]: expected a tuple of WorkingHours, got {hours!r}"
            )


@attrs.frozen
class WorkingWeek:
    """Working hours per weekday, Monday first; an empty tuple is a day off."""

    days: tuple[DayHours, ...] = attrs.field(validator=_check_days)

    def on(self, weekday: int) -> DayHours:
        """Working hours of ``weekday`` (0 = Monday, as ``date.weekday()``)."""
        return self.days[weekday]

    @classmethod
    def from_dict(cls, value: Any, path: str = "week") -> WorkingWeek:
        """Read ``{"mon": [["09:00", "17:00"]], ...}``; missing weekdays are days off."""
        if not isinstance(value, dict):
            raise ConfigError(f"{path}: expected a table of weekdays (mon..sun), got {value!r}")
        for key in value:
            if key not in WEEKDAYS:
                raise ConfigError(f"{path}: {key!r} is not a weekday (expected one of {', '.join(WEEKDAYS)})")
        return cls(tuple(parse_hours_list(value.get(day), f"{path}.{day}") for day in WEEKDAYS))

    def to_dict(self) -> dict[str, list[list[str]]]:
        """Return the weekday table, leaving out days off."""
        return {
            day: [hours.to_list() for hours in day_hours]
            for day, day_hours in zip(WEEKDAYS, self.days, strict=True)
            if day_hours
        }
