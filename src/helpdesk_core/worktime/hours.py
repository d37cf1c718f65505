"""One working interval of a day, as written in a calendar: ``["09:00", "17:00"]``."""

from __future__ import annotations

import re
from typing import Any

import attrs

from helpdesk_core.errors import ConfigError, ValidationError

_TIME = re.compile(r"([0-9]{2}):([0-9]{2})")
_END_OF_DAY = 1440


def _check_start(instance: WorkingHours, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or not 0 <= value < _END_OF_DAY:
        raise ValidationError(f"WorkingHours.start: expected minutes 0..1439, got {value!r}")


def _check_end(instance: WorkingHours, attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or not 0 <= value <= _END_OF_DAY:
        raise ValidationError(f"WorkingHours.end: expected minutes 0..1440, got {value!r}")


@attrs.frozen
class WorkingHours:
    """A wall-clock interval ``[start, end)`` of one day, in minutes after midnight.

    ``end == 1440`` is "24:00". An ``end`` not after ``start`` is a night shift: it
    runs past midnight into the next day and belongs to the day it starts on
    (``22:00``–``06:00`` is 8 h of wall clock; ``09:00``–``09:00`` is 24 h).
    """

    start: int = attrs.field(validator=_check_start)
    end: int = attrs.field(validator=_check_end)

    @property
    def crosses_midnight(self) -> bool:
        """True for a night shift, whose end falls on the next day."""
        return self.end <= self.start

    @property
    def end_minute(self) -> int:
        """Minutes from the start day's midnight to the end (over 1440 for night shifts)."""
        return self.end + _END_OF_DAY if self.crosses_midnight else self.end

    @classmethod
    def parse(cls, value: Any, path: str) -> WorkingHours:
        """Read ``["HH:MM", "HH:MM"]``; ``path`` names the place in errors."""
        if not isinstance(value, list | tuple) or len(value) != 2:
            raise ConfigError(f"{path}: expected [start, end] as two 'HH:MM' strings, got {value!r}")
        start = _parse_time(value[0], path)
        end = _parse_time(value[1], path)
        if start == _END_OF_DAY:
            raise ConfigError(f"{path}: '24:00' is valid only as an end, not as a start")
        return cls(start, end)

    def to_list(self) -> list[str]:
        """Return ``["HH:MM", "HH:MM"]`` as written in a calendar."""
        return [_format_time(self.start), _format_time(self.end)]


def parse_hours_list(value: Any, path: str) -> tuple[WorkingHours, ...]:
    """Read a list of ``[start, end]`` pairs (one day's working hours)."""
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise ConfigError(f"{path}: expected a list of [start, end] intervals, got {value!r}")
    return tuple(WorkingHours.parse(item, f"{path}[{index}]") for index, item in enumerate(value))


def _parse_time(text: Any, path: str) -> int:
    match = _TIME.fullmatch(text) if isinstance(text, str) else None
    if match is None:
        raise ConfigError(f"{path}: {text!r} is not a time HH:MM")
    hour, minute = int(match.group(1)), int(match.group(2))
    if minute > 59 or hour > 24 or (hour == 24 and minute != 0):
        raise ConfigError(f"{path}: {text!r} is not a time HH:MM")
    return hour * 60 + minute


def _format_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
