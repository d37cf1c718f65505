"""SLA targets as written in ``helpdesk.toml``: ``"45m"``, ``"4h"``, ``"1h30m"``
or an integer of minutes.

A target is *working* time on the rule's calendar. There is deliberately no day
unit: "a working day" is 8 h on one calendar and 24 h on another, so an admin
writes hours and the meaning cannot drift when the calendar changes.
"""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Final

from helpdesk_core.errors import ConfigError

_DURATION: Final = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?$")
_HINT: Final = "write e.g. '30m', '4h', '1h30m' or minutes"
MAX_DURATION: Final = timedelta(hours=100_000)
"""The longest duration a configuration may give (about 11 years of real
time; years more of working time): longer ones are typos, and instants that
far away leave the range dates can hold."""


def parse_duration(value: object, *, path: str) -> timedelta:
    """The working-time duration written as ``value`` (a string or whole minutes).

    ``path`` names where the value sits (``"sla.rules[3].reaction"``) and starts
    every error message. Zero is allowed (an immediate target); negative
    durations are not.
    """
    if isinstance(value, bool):
        raise ConfigError(f"{path}: {value!r} is not a duration ({_HINT})")
    if isinstance(value, int):
        if value < 0:
            raise ConfigError(f"{path}: {value} minutes is negative; a target cannot be negative")
        return _bounded(value, value, path)
    if not isinstance(value, str):
        raise ConfigError(f"{path}: {value!r} is not a duration ({_HINT})")
    text = value.strip().lower().replace(" ", "")
    match = _DURATION.match(text)
    if text and match is not None:
        hours, minutes = (_whole(part) for part in match.groups())
        return _bounded(hours * 60 + minutes, value, path)
    if re.search(r"\d\s*d", text):
        raise ConfigError(
            f"{path}: {value!r} uses days; there is no day unit because a working day "
            "differs from calendar to calendar: write hours (e.g. '8h' for one 09:00-17:00 day)"
        )
    raise ConfigError(f"{path}: {value!r} is not a duration ({_HINT})")


def _whole(digits: str | None) -> int:
    """The number written as ``digits``; one over any duration's when it has
    more than 12 digits (Python refuses to read numbers of thousands)."""
    significant = (digits or "").lstrip("0") or "0"
    return int(significant) if len(significant) <= 12 else 10**12


def _bounded(minutes: int, written: object, path: str) -> timedelta:
    if minutes > MAX_DURATION // timedelta(minutes=1):
        shown = written if len(str(written)) <= 40 else f"{str(written)[:40]}…"
        raise ConfigError(
            f"{path}: {shown!r} is longer than the longest duration, {format_duration(MAX_DURATION)}"
        )
    return timedelta(minutes=minutes)


def format_duration(value: timedelta) -> str:
    """``value`` the way it is written in configuration (``"1h30m"``, ``"0m"``),
    with a leading ``-`` for a negative one; seconds are shown only when present."""
    sign = "-" if value < timedelta(0) else ""
    total = abs(value)
    seconds = int(total.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    parts = []
    if hours:
        parts.append(f"{hours}h")
    if minutes or (not hours and not secs):
        parts.append(f"{minutes}m")
    if secs:
        parts.append(f"{secs}s")
    return sign + "".join(parts)


__all__ = ["MAX_DURATION", "format_duration", "parse_duration"]
