"""One cell of an import row, checked and turned into the value the model
wants. A CSV cell is text; a JSON Lines value may already be typed (a list,
a boolean, null), so every reader here accepts both.

An empty cell means "no value": None, or an empty list for list keys.
Each failure raises :class:`CellProblem` naming the key and the bad value.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from functools import cache, lru_cache
from typing import NamedTuple

import email_validator
import phonenumbers
from email_validator import EmailNotValidError, validate_email
from phonenumbers import PhoneMetadata

from helpdesk_core.errors import ValidationError

LIST_SEPARATOR = ";"
"""Separates the members of a list inside one CSV cell (docs/formats.md)."""

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
    if type(value) is str:
        return value.strip() or None
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


def whole_number(key: str, value: object) -> int | None:
    """A whole number >= 0 (``"5"`` in CSV, ``5`` in JSON Lines), or None when empty."""
    if is_empty(value):
        return None
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    raise CellProblem(f"{key}: expected a whole number >= 0, got {value!r}")


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
a company's number recurs on its contacts."""


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
    plain = _plain_email(address)
    return plain if plain is not None else _email_by_validator(address)


def _email_by_validator(address: str) -> str | EmailNotValidError:
    """The normalised address, or why it is not one, as email-validator says
    (~0.1 ms an address: too slow for 100,000 contacts, hence the plain path)."""
    try:
        return str(validate_email(address, check_deliverability=False).normalized)
    except EmailNotValidError as error:
        return error


_PLAIN_LOCAL = re.compile(r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*")
"""The everyday part before the ``@``: a dot-atom of ASCII letters, digits, ``_+-``."""

_PLAIN_DOMAIN = re.compile(r"(?:[a-z0-9]++(?:-[a-z0-9]++)*+\.)++[a-z]{2,63}")
"""The everyday domain: lower-case ASCII labels without ``--``, ending in a
letters-only top-level domain. The quantifiers are possessive: a label holds
no dot and the top-level domain no digit, hyphen or dot, so giving back what
they took can never make a match, and not trying halves the time (~0.5 µs)."""


def _plain_email(address: str) -> str | None:
    """``address`` itself when it is an everyday address that email-validator
    accepts unchanged (a few microseconds instead of ~0.1 ms); None when not
    sure, and the validator decides. A test holds the two to the same answers."""
    local, at, domain = address.partition("@")
    if (
        not at
        or len(address) > 254
        or len(local) > 64
        or not _plain_domain(domain)
        or not _PLAIN_LOCAL.fullmatch(local)
    ):
        return None
    return address


_DOMAINS_CACHED = 65_536
"""How many mail domains are remembered once judged: one per company of a
large customer base, whose contacts seldom come grouped by company (a few
MB at most)."""


@lru_cache(maxsize=_DOMAINS_CACHED)
def _plain_domain(domain: str) -> bool:
    """Whether ``domain`` is an everyday one that email-validator takes as it
    is (kept per domain: the contacts of one company share it)."""
    if not _PLAIN_DOMAIN.fullmatch(domain):
        return False
    if len(domain) > 63 and any(len(label) > 63 for label in domain.split(".")):
        return False
    special = email_validator.SPECIAL_USE_DOMAIN_NAMES
    dot = -1
    while True:  # the domain, then each domain it is under
        if domain[dot + 1 :] in special:
            return False
        dot = domain.find(".", dot + 1)
        if dot == -1:
            return True


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
    plain = _plain_e164(number, region)
    return plain[0] if plain is not None else _e164_by_parser(number, region)


def _e164_by_parser(number: str, region: str) -> str | None:
    """The E.164 form as ``phonenumbers`` parses and validates it (~65 µs)."""
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


_PLAIN_PHONE = re.compile(r"(\+?)([1-9][0-9]*(?:[ -][0-9]+)*)")
"""Digits with single spaces or hyphens between groups, ``+`` first or not."""


_Desc = tuple[frozenset[int], re.Pattern[str]]
"""Possible lengths (empty: any) and the pattern of one kind of number."""


def _plain_e164(number: str, region: str) -> tuple[str | None] | None:
    """``(E.164 form or None when invalid,)`` for a plain number, decided by the
    metadata of ``phonenumbers`` without its general parser (a few µs); None
    when not sure — a prefix to strip, a country code shared by several
    regions — and the parser decides. A test holds the two to the same answers."""
    plain = _PLAIN_PHONE.fullmatch(number)
    if plain is None:
        return None
    digits = plain[2].replace(" ", "").replace("-", "")
    if plain[1]:
        lead = _country_lead(digits[:3])
        if lead is None:
            return None
        country, size = lead
        national = digits[size:]
        setup = _setup(country, True, region)
    else:
        national = digits
        setup = _setup(0, False, region)
        if setup is not None and national.startswith(setup.country_text):
            return None
    if setup is None or not 2 <= len(national) <= 17 or national.startswith("0"):
        return None
    for prefix in setup.prefixes:
        if prefix.match(national):
            return None
    valid = _valid_pattern(setup.region, len(national))
    if valid is None or valid.fullmatch(national) is None:
        return (None,)
    return (f"+{setup.country_text}{national}",)


@cache
def _country_lead(lead: str) -> tuple[int, int] | None:
    """The calling code a number's first (up to three) digits begin with, and
    its length in digits; None when none of them is one."""
    for size in (1, 2, 3):
        country = int(lead[:size])
        if country in phonenumbers.COUNTRY_CODE_TO_REGION_CODE:
            return country, size
    return None


class _Setup(NamedTuple):
    """What checking a plain number of one calling code needs."""

    region: str
    country_text: str
    prefixes: tuple[re.Pattern[str], ...]


@cache
def _setup(country: int, plus: bool, region: str) -> _Setup | None:
    """The rules for numbers of calling code ``country`` (written with a ``+``)
    or, without one, of ``region``; None when the fast path cannot decide:
    a code shared by several regions, a region without usable metadata."""
    if not plus:
        country = phonenumbers.country_code_for_region(region)
        if not country:
            return None
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE[country]
    if len(regions) != 1 or (not plus and regions[0] != region):
        return None
    rules = _number_rules(regions[0])
    if rules is None:
        return None
    return _Setup(regions[0], str(country), rules[1])


@cache
def _valid_pattern(region: str, length: int) -> re.Pattern[str] | None:
    """One pattern that a national number of ``length`` digits of ``region``
    fully matches when it is valid: the general pattern (as a look-ahead to
    the end) and then one of the number types' patterns; None when no number
    of that length can be valid (one match instead of two, ~0.3 µs less)."""
    rules = _number_rules(region)
    assert rules is not None
    lengths, general = rules[0]
    typed = _typed_pattern(region, length)
    if (lengths and length not in lengths) or typed is None:
        return None
    return re.compile(f"(?=(?:{general.pattern})\\Z)(?:{typed.pattern})")


@cache
def _typed_pattern(region: str, length: int) -> re.Pattern[str] | None:
    """One pattern matching what any number type of ``region`` allows at
    ``length`` digits (their alternation), or None when no type has that length."""
    rules = _number_rules(region)
    assert rules is not None
    fitting = [p.pattern for lengths, p in rules[2] if not lengths or length in lengths]
    return re.compile("|".join(f"(?:{p})" for p in fitting)) if fitting else None


@cache
def _number_rules(region: str) -> tuple[_Desc, tuple[re.Pattern[str], ...], tuple[_Desc, ...]] | None:
    """A region's number patterns as ``phonenumbers`` checks validity: the
    general pattern, the prefixes its parser strips (national prefix,
    international prefix) and the patterns of the number types, one of which
    must match (mobile only when its pattern differs from fixed lines)."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.general_desc is None:
        return None

    def desc(d: object) -> _Desc | None:
        pattern = getattr(d, "national_number_pattern", None)
        if d is None or not pattern:
            return None
        return frozenset(getattr(d, "possible_length", ()) or ()), re.compile(pattern)

    general = desc(metadata.general_desc)
    if general is None:
        return None
    kinds = [
        metadata.premium_rate, metadata.toll_free, metadata.shared_cost, metadata.voip,
        metadata.personal_number, metadata.pager, metadata.uan, metadata.voicemail, metadata.fixed_line,
    ]
    if not metadata.same_mobile_and_fixed_line_pattern:
        kinds.append(metadata.mobile)
    types = tuple(d for d in (desc(k) for k in kinds) if d is not None)
    prefixes = tuple(
        re.compile(p) for p in (metadata.national_prefix_for_parsing, metadata.international_prefix) if p
    )
    return general, prefixes, types


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
