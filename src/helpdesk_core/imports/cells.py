"""One cell of an import row, checked and turned into the value the model
wants. A CSV cell is text; a JSON Lines value may already be typed (a list,
a boolean, null), so every reader here accepts both.

An empty cell means "no value": None, or an empty list for list keys.
Each failure raises :class:`CellProblem` naming the key and the bad value.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from helpdesk_core.errors import ValidationError

LIST_SEPARATOR = ";"
"""Separates the members of a list inside one CSV cell (FORMATS.md)."""

_TRUE = frozenset({"true", "yes", "1", "y", "ano", "tak"})
_FALSE = frozenset({"false", "no", "0", "n", "ne", "nie"})


class CellProblem(ValidationError):
    """A cell whose value cannot be used; the message starts with the key."""


def is_empty(value: object) -> bool:
    """True for a missing value: None, an empty or blank text, an empty list."""
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    return isinstance(value, list | tuple) and not value


def text(key: str, value: object) -> str | None:
    """A text without surrounding white space, or None when empty. A JSON
    number is accepted as its digits (external ids are often numbers)."""
    if is_empty(value):
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise CellProblem(f"{key}: expected a text, got {value!r}")
    return str(value).strip()


def text_list(key: str, value: object) -> tuple[str, ...]:
    """The members of a list cell: ``"a; b"`` in CSV or ``["a", "b"]`` in JSON
    Lines, stripped, empty members dropped, order and first occurrence kept."""
    if is_empty(value):
        return ()
    if isinstance(value, str):
        members: list[object] = list(value.split(LIST_SEPARATOR))
    elif isinstance(value, list | tuple):
        members = list(value)
    else:
        raise CellProblem(f"{key}: expected a list (members separated by ';'), got {value!r}")
    out: list[str] = []
    for member in members:
        item = text(key, member)
        if item is not None and item not in out:
            out.append(item)
    return tuple(out)


def flag(key: str, value: object) -> bool | None:
    """A yes/no cell: true/false, yes/no, 1/0 (any case), or None when empty."""
    if is_empty(value):
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise CellProblem(f"{key}: expected true/false, yes/no or 1/0, got {value!r}")


def day(key: str, value: object) -> date | None:
    """An ISO-8601 calendar day (``2026-03-02``), or None when empty."""
    if is_empty(value):
        return None
    if isinstance(value, str):
        try:
            parsed = date.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            if not isinstance(parsed, datetime):
                return parsed
    raise CellProblem(f"{key}: {value!r} is not an ISO date (e.g. 2026-03-02)")


_CACHED = 8192
"""How many distinct e-mails and phone numbers are remembered once checked:
the checks cost ~0.1 ms each, and a company's number recurs on its contacts."""


def email(key: str, value: object) -> str | None:
    """An e-mail address checked for syntax only (deliverability is the mail
    server's business), in its normalised form (lower-case domain)."""
    address = text(key, value)
    if address is None:
        return None
    checked = _checked_email(address)
    if isinstance(checked, EmailNotValidError):
        raise CellProblem(f"{key}: {address!r} is not an e-mail address ({checked})")
    return checked


@lru_cache(maxsize=_CACHED)
def _checked_email(address: str) -> str | EmailNotValidError:
    try:
        return str(validate_email(address, check_deliverability=False).normalized)
    except EmailNotValidError as error:
        return error


def phone(key: str, value: object, *, region: str) -> str | None:
    """A phone number normalised to E.164 (``+420601123456``). A number
    without a country prefix is read as one of ``region`` (ISO 3166 code)."""
    number = text(key, value)
    if number is None:
        return None
    normal = _e164(number, region.upper())
    if normal is None:
        raise CellProblem(
            f"{key}: {number!r} is not a valid phone number (numbers without a +prefix are "
            f"read as {region.upper()})"
        )
    return normal


@lru_cache(maxsize=_CACHED)
def _e164(number: str, region: str) -> str | None:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def check_region(region: str) -> str:
    """``region`` upper-cased when phonenumbers knows it (``CZ``, ``PL``)."""
    code = region.strip().upper()
    if code not in phonenumbers.SUPPORTED_REGIONS:
        raise ValidationError(
            f"region: {region!r} is not a country code phonenumbers knows (e.g. CZ, PL, SK)"
        )
    return code


__all__ = [
    "LIST_SEPARATOR",
    "CellProblem",
    "check_region",
    "day",
    "email",
    "flag",
    "is_empty",
    "phone",
    "text",
    "text_list",
]
