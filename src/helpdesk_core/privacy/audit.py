"""The audit trail of privacy work, which itself holds no personal data.

An :class:`AuditRecord` says who did what, when, to which contact or employee
id, and holds a keyed hash (HMAC-SHA256 with the record's own random ``salt``)
of each identifier in its normal form — never a plain value. With the record
a restored backup can be scrubbed again, and a later import of the same person
is recognised, without the trail being a copy of what was forgotten.

Limit: a hash of a low-entropy identifier (a phone number) can be found by
trying every number with the salt at hand, so the trail is for the privacy
officer's eyes, as the law expects of such a log anyway.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import instant, non_blank, required_identifier
from helpdesk_core.privacy.identifiers import PersonIdentifiers

PSEUDONYM_PREFIX = "forgotten-"
"""Every pseudonym starts so; the rest is ten hex digits of a keyed hash."""
FORGOTTEN_DOMAIN = "forgotten.invalid"
"""The mail domain of pseudonymous addresses (``.invalid`` never delivers, RFC 2606)."""
SALT_BYTES = 16
"""Random bytes of a record's salt (hex-encoded: 32 characters)."""


def keyed_hash(salt: str, value: str) -> str:
    """HMAC-SHA256 of ``value`` under the hex ``salt``, as 64 hex digits."""
    return hmac.new(bytes.fromhex(salt), value.encode("utf-8"), hashlib.sha256).hexdigest()


def pseudonym_for(person_id: str, salt: str) -> str:
    """The stable pseudonym that replaces a person everywhere: ``forgotten-`` and
    ten hex digits derived from their id and the record's salt."""
    return PSEUDONYM_PREFIX + keyed_hash(salt, f"person:{person_id}")[:10]


def pseudonymous_email(pseudonym: str) -> str:
    """The address that stands where the person's address stood."""
    return f"{pseudonym}@{FORGOTTEN_DOMAIN}"


def identifier_hashes(salt: str, identifiers: PersonIdentifiers) -> tuple[str, ...]:
    """The keyed hash of every identifier in its normal form, sorted."""
    return tuple(sorted(keyed_hash(salt, form) for form in identifiers.normal_forms()))


_KIND_OF_FORM = {"email": "email", "phone": "phone", "id": "external id"}


def _salt(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    try:
        ok = isinstance(value, str) and len(bytes.fromhex(value)) >= 8
    except ValueError:
        ok = False
    if not ok:
        raise ValidationError(
            f"AuditRecord.salt: expected at least 16 hex digits, got {value!r}"
        )


def _hashes(instance: Any, attribute: attrs.Attribute[Any], value: tuple[str, ...]) -> None:
    for item in value:
        if len(item) != 64 or any(c not in "0123456789abcdef" for c in item):
            raise ValidationError(
                f"AuditRecord.identifier_hashes: expected 64 lowercase hex digits each, got {item!r}"
            )


def _str_tuple(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


def _counts(value: Mapping[str, int]) -> Mapping[str, int]:
    return dict(sorted(value.items()))


@attrs.frozen(kw_only=True)
class AuditRecord:
    """One privacy action. ``action`` is ``forget-contact``, ``forget-employee``
    or ``retention``; ``subject`` the contact or employee id (None for a
    retention run); ``by`` who ran it; ``at`` when (the desk's clock);
    ``counts`` places changed per kind; ``held`` the legal holds that kept
    something unchanged."""

    id: str = attrs.field(validator=required_identifier)
    action: str = attrs.field(validator=non_blank)
    subject: str | None
    by: str = attrs.field(validator=non_blank)
    at: datetime = attrs.field(validator=instant)
    salt: str = attrs.field(validator=_salt)
    identifier_hashes: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple, validator=_hashes)
    pseudonym: str | None = None
    counts: Mapping[str, int] = attrs.field(factory=dict, converter=_counts)
    held: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)

    def matched_by(self, identifiers: PersonIdentifiers) -> tuple[str, ...]:
        """The kinds (``email``, ``phone``, ``external id``) of the unique
        identifiers among ``identifiers`` that hash to one of this record's
        hashes, in that order. A name never counts: namesakes share it (a
        record written before this rule may hold a name hash; it is read, and
        only :meth:`name_matches` looks at it)."""
        mine = set(self.identifier_hashes)
        kinds = {
            _KIND_OF_FORM[form.partition(":")[0]]
            for form in identifiers.unique_forms()
            if keyed_hash(self.salt, form) in mine
        }
        return tuple(k for k in _KIND_OF_FORM.values() if k in kinds)

    def matches(self, identifiers: PersonIdentifiers) -> bool:
        """True when a unique identifier (e-mail, phone, external id) of
        ``identifiers`` hashes to one of this record's hashes: the same person.
        A person who only shares the name is a namesake, not a match."""
        return bool(self.matched_by(identifiers))

    def name_matches(self, identifiers: PersonIdentifiers) -> bool:
        """True when a full name of ``identifiers`` hashes to one of this
        record's hashes — evidence only together with something else (the
        record's own subject id), never on its own."""
        mine = set(self.identifier_hashes)
        names = PersonIdentifiers(names=identifiers.names).normal_forms()
        return any(keyed_hash(self.salt, form) in mine for form in names)


__all__ = [
    "FORGOTTEN_DOMAIN",
    "PSEUDONYM_PREFIX",
    "SALT_BYTES",
    "AuditRecord",
    "identifier_hashes",
    "keyed_hash",
    "pseudonym_for",
    "pseudonymous_email",
]
