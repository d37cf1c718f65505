"""What identifies a person in free text: their names, every e-mail address and
every phone number, gathered from their own record.

Identifiers are kept as written (for redaction) and in a normal form (for
hashing): names case-folded with single spaces, addresses lower-cased, phone
numbers in E.164 when ``phonenumbers`` can read them, else their digits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import attrs

from helpdesk_core.model.parties import Contact
from helpdesk_core.model.staff import Employee

MIN_PHONE_DIGITS = 6
"""Fewer digits than this is not a phone number worth looking for (an extension)."""
LAST_DIGITS = 9
"""People often write only the last nine digits of a long number; so do we."""


def _tuple(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in values if v))


@attrs.frozen(kw_only=True)
class PhoneNumber:
    """A phone number as the matcher needs it: ``digits`` is the national
    significant number (no trunk prefix), ``country_code`` the calling code or
    None when the number could not be read (then any code may precede it)."""

    written: str
    digits: str
    country_code: int | None = None

    @property
    def normal(self) -> str:
        """E.164 (``+420601123456``) when the country is known, else the digits."""
        return f"+{self.country_code}{self.digits}" if self.country_code else self.digits

    @classmethod
    def parse(cls, written: str, *, region: str | None = None) -> PhoneNumber | None:
        """The number in ``written``, or None when it holds too few digits.
        ``region`` (ISO 3166 code, e.g. ``"CZ"``) reads numbers written
        without a country code."""
        import phonenumbers  # here, not at the top: only a forget or an export reads numbers (≈ 0.02 s)

        try:
            number = phonenumbers.parse(written, region)
        except phonenumbers.NumberParseException:
            number = None
        if number is not None and number.country_code and number.national_number:
            digits = phonenumbers.national_significant_number(number)
            if len(digits) >= MIN_PHONE_DIGITS:
                return cls(written=written, digits=digits, country_code=number.country_code)
        digits = re.sub(r"\D", "", written)
        if digits.startswith("00"):
            digits = digits[2:]
        if len(digits) < MIN_PHONE_DIGITS:
            return None
        return cls(written=written, digits=digits)

    def variants(self) -> tuple[str, ...]:
        """Common spellings of this number: E.164, international and national
        formats, digits with spaces, dashes, dots or parentheses, the last nine
        digits. The matcher finds all of these (and more); tests and the
        forensic file scan use them as concrete strings."""
        d = self.digits
        found = [d, self.written]
        groups = [d[i : i + 3] for i in range(0, len(d), 3)]
        found += [" ".join(groups), "-".join(groups), ".".join(groups)]
        if len(groups) > 1:
            found.append(f"({groups[0]}) {' '.join(groups[1:])}")
        if self.country_code is not None:
            import phonenumbers

            cc = str(self.country_code)
            number = phonenumbers.parse(f"+{cc}{d}", None)
            for fmt in (
                phonenumbers.PhoneNumberFormat.E164,
                phonenumbers.PhoneNumberFormat.INTERNATIONAL,
                phonenumbers.PhoneNumberFormat.NATIONAL,
                phonenumbers.PhoneNumberFormat.RFC3966,
            ):
                found.append(phonenumbers.format_number(number, fmt))
            found += [f"00{cc}{d}", f"00{cc} {' '.join(groups)}", f"+{cc}-{'-'.join(groups)}"]
        if len(d) > LAST_DIGITS:
            found.append(d[-LAST_DIGITS:])
        return _tuple(found)


def _normal_name(value: str) -> str:
    return " ".join(value.split()).casefold()


@attrs.frozen(kw_only=True)
class PersonIdentifiers:
    """Everything that identifies one person in text.

    ``names`` are full names as written (a person known by one name has one
    word); ``surnames`` the last names among them, searched alone in the
    records linked to the person; ``emails`` every address; ``phones`` every
    number; ``others`` plain identifiers that are hashed, never searched in
    text (an external id).
    """

    names: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    surnames: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    emails: tuple[str, ...] = attrs.field(default=(), converter=_tuple)
    phones: tuple[PhoneNumber, ...] = ()
    others: tuple[str, ...] = attrs.field(default=(), converter=_tuple)

    def normal_forms(self) -> tuple[str, ...]:
        """Each identifier in the form that is hashed: ``name:…``, ``email:…``,
        ``phone:…``, ``id:…`` — sorted, without duplicates."""
        forms = {f"name:{_normal_name(n)}" for n in self.names}
        forms |= {f"email:{e.strip().lower()}" for e in self.emails}
        forms |= {f"phone:{p.normal}" for p in self.phones}
        forms |= {f"id:{o.strip().casefold()}" for o in self.others}
        return tuple(sorted(forms))

    def unique_forms(self) -> tuple[str, ...]:
        """The normal forms of the identifiers that single out one person —
        ``email:…``, ``phone:…``, ``id:…`` — sorted: the only ones an audit
        record may recognise somebody by (a name is shared by namesakes)."""
        return tuple(f for f in self.normal_forms() if not f.startswith("name:"))

    def plain_values(self) -> tuple[str, ...]:
        """Every identifier as written, for tests and the forensic byte scan."""
        return _tuple([*self.names, *self.emails, *(p.written for p in self.phones), *self.others])

    @property
    def is_empty(self) -> bool:
        return not (self.names or self.emails or self.phones or self.others)


def _name(first: str, last: str) -> str:
    return " ".join(p for p in (first.strip(), last.strip()) if p)


def _phones(values: Iterable[str | None], region: str | None) -> tuple[PhoneNumber, ...]:
    found: dict[str, PhoneNumber] = {}
    for value in values:
        if value:
            number = PhoneNumber.parse(value, region=region)
            if number is not None:
                found.setdefault(number.normal, number)
    return tuple(found.values())


def contact_identifiers(contact: Contact, *, region: str | None = None) -> PersonIdentifiers:
    """The identifiers of a contact: full name, surname, e-mail and copy
    e-mail, phone and mobile, external id. ``region`` reads national phone numbers."""
    return PersonIdentifiers(
        names=[_name(contact.first_name, contact.last_name)],
        surnames=[contact.last_name.strip()] if contact.first_name.strip() else [],
        emails=[e for e in (contact.email, contact.copy_email) if e],
        phones=_phones((contact.phone, contact.mobile), region),
        others=[contact.external_id] if contact.external_id else [],
    )


def employee_identifiers(employee: Employee) -> PersonIdentifiers:
    """The identifiers of an employee: full name, surname, e-mail, external id."""
    return PersonIdentifiers(
        names=[_name(employee.first_name, employee.last_name)],
        surnames=[employee.last_name.strip()] if employee.first_name.strip() else [],
        emails=[employee.email],
        others=[employee.external_id] if employee.external_id else [],
    )


__all__ = [
    "LAST_DIGITS",
    "MIN_PHONE_DIGITS",
    "PersonIdentifiers",
    "PhoneNumber",
    "contact_identifiers",
    "employee_identifiers",
]
