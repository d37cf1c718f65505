"""Conditions in words: what a condition asks, and why it held or failed.

Only ``explain`` and ``lint`` use these; the evaluation path never builds text.
"""

from __future__ import annotations

from collections.abc import Collection

from helpdesk_core.rules.conditions import (
    WEEKDAYS,
    AttributeEquals,
    AttributeIn,
    Calendars,
    Condition,
    Facts,
    FieldIn,
    FieldNotIn,
    InWeeklyWindow,
    InWorkingHours,
    attribute_value,
    is_multi_valued,
    registration_instant,
)


def value_list(values: Collection[str]) -> str:
    """Values as a sorted list: ``['critical', 'high']``."""
    return str(sorted(values))


def _days(days: Collection[str]) -> str:
    return ", ".join(day for day in WEEKDAYS if day in days) or "no day"


def _window(condition: InWeeklyWindow) -> str:
    start, end = condition.start.strftime("%H:%M"), condition.end.strftime("%H:%M")
    if condition.end == condition.start:
        span = f"for 24 hours from {start}"
    elif condition.wraps:
        span = f"from {start} to {end} the next day"
    else:
        span = f"from {start} to {end}"
    return f"{_days(condition.days)} {span} ({condition.tz})"


def describe(condition: Condition) -> str:
    """What the condition asks, for people reading a rule table."""
    match condition:
        case FieldIn(field=field, values=values):
            if len(values) == 1:
                return f"{field} is {next(iter(values))!r}"
            return f"{field} is one of {value_list(values)}"
        case FieldNotIn(field=field, values=values):
            return f"{field} is not one of {value_list(values)}"
        case AttributeEquals(name=name, value=value):
            return f"attribute {name} is {value!r}"
        case AttributeIn(name=name, values=values):
            return f"attribute {name} is one of {value_list(values)}"
        case InWorkingHours(calendar=calendar, inside=inside):
            where = "inside" if inside else "outside"
            return f"registered {where} the working hours of {calendar!r}"
        case InWeeklyWindow():
            return f"registered {_window(condition)}"


def _shown(value: object) -> str:
    if value is None:
        return "missing"
    if is_multi_valued(value):
        return f"is {sorted(map(str, value))}"  # type: ignore[call-overload]
    return f"is {value!r}"


def _membership(subject: str, value: object, values: Collection[str], holds: bool) -> str:
    """The words for FieldIn/AttributeIn and friends, given the observed value."""
    shown = f"{subject} {_shown(value)}"
    if value is None:
        return f"{shown}, not one of {value_list(values)}"
    if is_multi_valued(value):
        if holds:
            return f"{shown}, overlapping {value_list(values)}"
        return f"{shown}, none of them one of {value_list(values)}"
    if holds:
        return f"{shown}, one of {value_list(values)}"
    return f"{shown}, not one of {value_list(values)}"


def reason(condition: Condition, facts: Facts, calendars: Calendars, *, holds: bool) -> str:
    """Why ``condition`` held (``holds=True``) or failed for these facts.

    Example: ``"priority is 'low', not one of ['critical', 'high']"``.
    """
    match condition:
        case FieldIn(field=field, values=values):
            return _membership(field, facts.get(field), values, holds)
        case FieldNotIn(field=field, values=values):
            value = facts.get(field)
            shown = f"{field} {_shown(value)}"
            if holds:
                return f"{shown}, not one of the excluded {value_list(values)}"
            return f"{shown}, excluded by {value_list(values)}"
        case AttributeEquals(name=name, value=expected):
            value = attribute_value(facts, name)
            return _membership(f"attribute {name}", value, (expected,), holds)
        case AttributeIn(name=name, values=values):
            value = attribute_value(facts, name)
            return _membership(f"attribute {name}", value, values, holds)
        case InWorkingHours(calendar=calendar):
            instant = registration_instant(facts).isoformat()
            where = "inside" if condition.inside == holds else "outside"
            return f"registered at {instant}, {where} the working hours of {calendar!r}"
        case InWeeklyWindow():
            local = registration_instant(facts).astimezone(condition.zone)
            shown = f"{WEEKDAYS[local.weekday()]} {local.strftime('%H:%M')}"
            where = "inside" if holds else "outside"
            return f"registered {shown} {condition.tz}, {where} {_window(condition)}"
