"""Attrs validators shared by the model: each names the field and the bad value."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import attrs

from helpdesk_core.errors import ValidationError

_ID = re.compile(r"^[^\s\x00-\x1f][^\x00-\x1f]{0,199}$")


def aware(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Refuse a naive datetime: an instant without an offset is ambiguous."""
    if value is None:
        return
    if not isinstance(value, datetime):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: expected a datetime, got {value!r}"
        )
    require_aware(value, f"{type(instance).__name__}.{attribute.name}")


def require_aware(value: datetime, what: str) -> None:
    """Raise when ``value`` carries no UTC offset."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValidationError(
            f"{what}: {value.isoformat()} must be timezone-aware (add an offset such as +01:00)"
        )


def identifier(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """An id is a non-empty printable string without leading white space."""
    if value is None:
        return
    if not isinstance(value, str) or not _ID.match(value):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: {value!r} is not a valid id "
            "(a non-empty printable string of at most 200 characters)"
        )


def identifiers(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Every member of a collection of ids is valid."""
    for member in value:  # type: ignore[attr-defined]
        identifier(instance, attribute, member)


def non_blank(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """A required text: present and not only white space."""
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: is required and must not be blank, "
            f"got {value!r}"
        )


def non_negative(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """A count or size that cannot be below zero."""
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: expected a whole number >= 0, "
            f"got {value!r}"
        )
