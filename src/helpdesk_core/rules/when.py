"""Parse the ``when`` table of a rule in ``helpdesk.toml`` into conditions.

Keys (each value a list of strings, or one string):

- ``type``, ``priority``, ``channel``, ``company``, ``client_category``,
  ``customer_group``, ``status``: the fact is one of the values (FieldIn);
- the same keys prefixed ``not_``: the fact is none of them (FieldNotIn);
- ``attributes.NAME`` (or a nested table ``attributes = { NAME = … }``):
  one value → AttributeEquals, several → AttributeIn;
- ``registered_in_hours = "calendar"`` / ``registered_outside_hours =
  "calendar"``: InWorkingHours;
- ``registered_between = { days = ["mon", …], from = "08:00", to = "18:00",
  tz = "Europe/Prague" }``: InWeeklyWindow (``days`` defaults to every day;
  ``to`` may be ``"24:00"``; ``to`` not after ``from`` runs past midnight).

Conditions keep the order of the keys. Every error is a ConfigError naming the
place, e.g. ``sla.rules[2].when.priorty: unknown condition key, did you mean
'priority'? (expected one of: …)``.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Mapping
from datetime import time
from typing import Final

from helpdesk_core.errors import ConfigError, ValidationError
from helpdesk_core.rules.conditions import (
    WEEKDAYS,
    AttributeEquals,
    AttributeIn,
    Condition,
    FieldIn,
    FieldNotIn,
    InWeeklyWindow,
    InWorkingHours,
)

WHEN_FIELDS: Final = (
    "type",
    "priority",
    "channel",
    "company",
    "client_category",
    "customer_group",
    "status",
)
"""The ticket facts a ``when`` table may test (``docs/formats.md``, Configuration)."""

_NOT: Final = "not_"
_ATTRIBUTES: Final = "attributes"
_IN_HOURS: Final = "registered_in_hours"
_OUTSIDE_HOURS: Final = "registered_outside_hours"
_BETWEEN: Final = "registered_between"
_WINDOW_KEYS: Final = ("days", "from", "to", "tz")


def _suggestion(word: str, choices: Collection[str]) -> str:
    close = difflib.get_close_matches(word, list(choices), n=1)
    return f", did you mean {close[0]!r}?" if close else ""


def _type_name(value: object) -> str:
    return type(value).__name__


def _strings(value: object, *, path: str) -> tuple[str, ...]:
    """A list of strings, or a lone string taken as a list of one."""
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list | tuple):
        raise ConfigError(
            f"{path}: expected a string or a list of strings, got {value!r} ({_type_name(value)})"
        )
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise ConfigError(
                f"{path}[{index}]: expected a string, got {item!r} ({_type_name(item)})"
            )
    return tuple(value)


def _calendar_name(value: object, *, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{path}: expected a calendar name, got {value!r}")
    return value


def _attribute(name: str, value: object, *, path: str) -> Condition:
    if not name:
        raise ConfigError(f"{path}: expected an attribute name after 'attributes.'")
    values = _strings(value, path=path)
    if len(values) == 1:
        return AttributeEquals(name, values[0])
    return AttributeIn(name, frozenset(values))


def _clock(value: object, *, path: str, end: bool) -> time:
    """``"HH:MM"`` (or a TOML local time); ``"24:00"`` is midnight, only as an end."""
    if isinstance(value, time):
        return value
    if isinstance(value, str):
        if end and value == "24:00":
            return time(0, 0)
        hours, colon, minutes = value.partition(":")
        digits = colon and len(hours) == 2 and len(minutes) == 2 and (hours + minutes).isdigit()
        if digits and int(hours) < 24 and int(minutes) < 60:
            return time(int(hours), int(minutes))
    allowed = '"HH:MM" (00:00 to 24:00)' if end else '"HH:MM" (00:00 to 23:59)'
    raise ConfigError(f"{path}: expected a time of day {allowed}, got {value!r}")


def _weekly_window(value: object, *, path: str) -> InWeeklyWindow:
    if not isinstance(value, Mapping):
        raise ConfigError(
            f"{path}: expected a table {{ days = [...], from = \"HH:MM\", to = \"HH:MM\", "
            f"tz = \"Zone/Name\" }}, got {value!r} ({_type_name(value)})"
        )
    for key in value:
        if key not in _WINDOW_KEYS:
            raise ConfigError(
                f"{path}.{key}: unknown key{_suggestion(str(key), _WINDOW_KEYS)} "
                f"(expected: {', '.join(_WINDOW_KEYS)})"
            )
    for key in ("from", "to", "tz"):
        if key not in value:
            raise ConfigError(f"{path}: missing {key!r}")
    days = _strings(value.get("days", list(WEEKDAYS)), path=f"{path}.days")
    for index, day in enumerate(days):
        if day not in WEEKDAYS:
            raise ConfigError(
                f"{path}.days[{index}]: {day!r} is not a weekday{_suggestion(day, WEEKDAYS)} "
                f"(expected some of: {', '.join(WEEKDAYS)})"
            )
    start = _clock(value["from"], path=f"{path}.from", end=False)
    end = _clock(value["to"], path=f"{path}.to", end=True)
    tz = value["tz"]
    if not isinstance(tz, str):
        raise ConfigError(f"{path}.tz: expected an IANA time zone name, got {tz!r}")
    try:
        return InWeeklyWindow(days=frozenset(days), start=start, end=end, tz=tz)
    except ValidationError as error:
        raise ConfigError(f"{path}.{error}") from error


def _known_keys(fields: Collection[str]) -> tuple[str, ...]:
    return (
        *fields,
        *(_NOT + field for field in fields),
        f"{_ATTRIBUTES}.NAME",
        _IN_HOURS,
        _OUTSIDE_HOURS,
        _BETWEEN,
    )


def conditions_from_when(
    when: Mapping[str, object], *, path: str, fields: Collection[str] = WHEN_FIELDS
) -> tuple[Condition, ...]:
    """The conditions of one ``when`` table, in the order of its keys.

    ``path`` is where the table sits in the configuration
    (``"sla.rules[2].when"``) and prefixes every error message. ``fields`` are
    the fact names allowed as keys (routing may allow more than SLA).
    """
    if not isinstance(when, Mapping):
        raise ConfigError(
            f"{path}: expected a table of conditions, got {when!r} ({_type_name(when)})"
        )
    conditions: list[Condition] = []
    for key, value in when.items():
        at = f"{path}.{key}"
        if key in fields:
            conditions.append(FieldIn(key, frozenset(_strings(value, path=at))))
        elif key.startswith(_NOT) and key[len(_NOT) :] in fields:
            conditions.append(FieldNotIn(key[len(_NOT) :], frozenset(_strings(value, path=at))))
        elif key == _ATTRIBUTES:
            if not isinstance(value, Mapping):
                raise ConfigError(
                    f"{at}: expected a table NAME = [values], got {value!r} ({_type_name(value)})"
                )
            conditions.extend(
                _attribute(str(name), item, path=f"{at}.{name}") for name, item in value.items()
            )
        elif key.startswith(_ATTRIBUTES + "."):
            conditions.append(_attribute(key[len(_ATTRIBUTES) + 1 :], value, path=at))
        elif key == _IN_HOURS:
            conditions.append(InWorkingHours(_calendar_name(value, path=at), inside=True))
        elif key == _OUTSIDE_HOURS:
            conditions.append(InWorkingHours(_calendar_name(value, path=at), inside=False))
        elif key == _BETWEEN:
            conditions.append(_weekly_window(value, path=at))
        else:
            known = _known_keys(fields)
            raise ConfigError(
                f"{at}: unknown condition key{_suggestion(str(key), known)} "
                f"(expected one of: {', '.join(known)})"
            )
    return tuple(conditions)
