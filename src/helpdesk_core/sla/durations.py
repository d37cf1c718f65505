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
        return timedelta(minutes=value)
    if not isinstance(value, str):
        raise ConfigError(f"{path}: {value!r} is not a duration ({_HINT})")
    text = value.strip().lower().replace(" ", "")
    match = _DURATION.match(text)
    if text and match is not None:
        hours, minutes = match.groups()
        return timedelta(hours=int(hours or 0), minutes=int(minutes or 0))
    if re.search(r"\d\s*d", text):
        raise ConfigError(
            f"{path}: {value!r} uses days; there is no day unit because a working day "
            "differs from calendar to calendar: write hours (e.g. '8h' for one 09:00-17:00 day)"
        )
    raise ConfigError(f"{path}: {value!r} is not a duration ({_HINT})")


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


__all__ = ["format_duration", "parse_duration"]
