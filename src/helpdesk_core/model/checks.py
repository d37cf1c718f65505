"""Attrs validators shared by the model: each names the field and the bad value."""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, timezone
from typing import Any, TypeVar

import attrs

from helpdesk_core.errors import ValidationError

_ID = re.compile(r"^[^\s\x00-\x1f][^\x00-\x1f]{0,199}$")
_VALID_IDS: set[str] = set()
"""Ids already found valid: a batch decodes millions of events naming the same
few thousand employees, statuses and contacts, and a set lookup is far cheaper
than the pattern. Only exact ``str`` values that passed :data:`_ID` get in."""
_VALID_IDS_LIMIT = 16_384
"""Ids remembered at most; the set is emptied when full (memory stays bounded)."""


def _has_fixed_offset(value: object) -> bool:
    """A plain datetime with a ``datetime.timezone`` (what ``fromisoformat`` gives
    for an offset): aware for certain, without calling ``utcoffset``."""
    return type(value) is datetime and type(value.tzinfo) is timezone


def aware(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Refuse a naive datetime: an instant without an offset is ambiguous."""
    if value is None or _has_fixed_offset(value):
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
    if value is None or (type(value) is str and value in _VALID_IDS):
        return
    if not isinstance(value, str) or not _ID.match(value):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: {value!r} is not a valid id "
            "(a non-empty printable string of at most 200 characters)"
        )
    if type(value) is str:
        if len(_VALID_IDS) >= _VALID_IDS_LIMIT:
            _VALID_IDS.clear()
        _VALID_IDS.add(value)


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


def required(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """A field that must be given: pair it with ``identifier``, which lets None through."""
    if value is None:
        raise ValidationError(f"{type(instance).__name__}.{attribute.name}: is required, got None")


def text(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """A free text (may be empty); None is left to the field's type to allow."""
    if value is not None and not isinstance(value, str):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: expected a text, got {value!r}"
        )


def flag(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """A yes/no field holds a real bool: ``"no"`` and ``0`` are refused, not guessed."""
    if not isinstance(value, bool):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: expected true or false, got {value!r}"
        )


def calendar_date(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """A calendar day (``datetime.date``); None passes. A datetime is refused:
    a day carries no time of day and no offset, so one cannot stand for the other."""
    if value is None:
        return
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: expected a date (a day without "
            f"time), got {value!r}"
        )


def _has_white_space(value: str) -> bool:
    """``any(c.isspace() for c in value)``; for printable ASCII text (nearly
    every address and domain) the space is its only white-space character,
    so one ``in`` decides without a loop over the characters."""
    if value.isascii() and value.isprintable():
        return " " in value
    return any(c.isspace() for c in value)


def _domain_problem(domain: str) -> str | None:
    if "." not in domain:
        return "the domain has no dot"
    if "" in domain.split("."):
        return "the domain has an empty part"
    return None


def email_problem(value: object) -> str | None:
    """Why ``value`` is not an e-mail address, or None when it looks like one.

    Deliberately simple: one ``@``, something before it, a dot inside the domain,
    no white space. Deliverability is the mail server's business, not ours.
    """
    if not isinstance(value, str):
        return "not a text"
    if _has_white_space(value):
        return "contains white space"
    if value.count("@") != 1:
        return "expected exactly one '@'"
    local, domain = value.split("@")
    if not local:
        return "nothing before '@'"
    return _domain_problem(domain)


def email_address(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """An e-mail address (see :func:`email_problem`); None passes."""
    if value is None:
        return
    problem = email_problem(value)
    if problem is not None:
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: {value!r} is not an e-mail address "
            f"({problem})"
        )


def domain_problem(value: object) -> str | None:
    """Why ``value`` is not a lower-case mail domain such as ``example.com``, or None."""
    if not isinstance(value, str):
        return "not a text"
    if not value or _has_white_space(value) or "@" in value:
        return "expected a domain without '@' or white space"
    if value != value.lower():
        return "expected lower case"
    return _domain_problem(value)


def domain_names(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """Every member of a collection is a mail domain (see :func:`domain_problem`)."""
    if not value:
        return
    for member in sorted(value, key=str):  # type: ignore[call-overload]
        problem = domain_problem(member)
        if problem is not None:
            raise ValidationError(
                f"{type(instance).__name__}.{attribute.name}: {member!r} is not a domain "
                f"({problem})"
            )


def id_set(value: Iterable[str]) -> frozenset[str]:
    """Converter to a frozenset of ids. A lone string is kept as it is, so that
    :func:`identifier_set` refuses it instead of splitting ``"G-1"`` into letters."""
    if isinstance(value, str):
        return value  # type: ignore[return-value]
    return frozenset(value)


def identifier_set(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """A frozenset of valid ids (use with the :func:`id_set` converter)."""
    if not isinstance(value, frozenset):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: expected a collection of ids, "
            f"got {value!r}"
        )
    if not value or _VALID_IDS.issuperset(value):
        return  # empty, or every member already found valid (only str get in)
    for member in sorted(value, key=str):
        if member is None:
            raise ValidationError(
                f"{type(instance).__name__}.{attribute.name}: None is not a valid id"
            )
        identifier(instance, attribute, member)


_E = TypeVar("_E", bound=enum.Enum)


def enum_member(enum_class: type[_E], value: object) -> _E:
    """Converter body: ``value`` as a member of ``enum_class`` when it is one or
    names one by value; anything else is passed through unchanged so that the
    :func:`member_of` validator can refuse it naming the class and field."""
    if isinstance(value, enum_class):
        return value
    try:
        return enum_class(value)
    except ValueError:
        return value  # type: ignore[return-value]


def member_of(enum_class: type[enum.Enum]) -> Callable[[Any, attrs.Attribute[Any], object], None]:
    """Validator: the value is a member of ``enum_class``."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, enum_class):
            allowed = ", ".join(str(m.value) for m in enum_class)
            raise ValidationError(
                f"{type(instance).__name__}.{attribute.name}: expected one of {allowed}, "
                f"got {value!r}"
            )

    return check


def instance_or_none(
    kind: type[Any], expected: str
) -> Callable[[Any, attrs.Attribute[Any], object], None]:
    """Validator: the value is a ``kind`` or None; ``expected`` words the message,
    e.g. ``"an Assignee (an employee or a group)"``."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is not None and not isinstance(value, kind):
            raise ValidationError(
                f"{type(instance).__name__}.{attribute.name}: expected {expected} or None, "
                f"got {value!r}"
            )

    return check


def required_identifier(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """``required`` and ``identifier`` in one call: ids are checked on every
    decoded event, so the hot path pays for one validator, not a chain."""
    if type(value) is str and value in _VALID_IDS:
        return
    if value is None:
        required(instance, attribute, value)
    identifier(instance, attribute, value)


def instant(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """A required timezone-aware datetime (``required`` and ``aware`` in one call)."""
    if _has_fixed_offset(value):
        return
    if value is None:
        required(instance, attribute, value)
    aware(instance, attribute, value)
