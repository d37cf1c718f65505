"""Who is calling: a phone number matched by its last N digits.

Every number — the caller's and the stored company phones, contact phones and
mobiles — is normalised to its digits alone (``+420 601-234-567`` →
``420601234567``), and two numbers match when their last ``digits`` digits
(default 9, ``[intake] phone_digits``) are equal: ``+420 601 234 567`` is
``601234567`` is ``00420601234567``. A number with fewer than ``digits`` digits
(an extension, ``112``) matches only a number of exactly the same digits.

Several matches are all listed, for the agent to choose (:func:`choose_caller`);
none means an unknown caller. A person whose phone and mobile both match is
listed once, with both fields.
"""

from __future__ import annotations

import re

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.intake.people import PeopleDirectory

_NOT_DIGITS = re.compile(r"\D+")


@attrs.frozen
class Caller:
    """One match: a contact (``kind="contact"``, with its ``company``) or a
    company itself (``kind="company"``, its own phone), the ``fields`` that
    matched (``phone``, ``mobile``) and the number as stored."""

    kind: str
    id: str
    name: str
    company: str | None
    fields: tuple[str, ...]
    number: str

    def line(self) -> str:
        """``contact P-1 Jana Nováková (company C-1), mobile +420 601 234 567``."""
        of = "" if self.kind == "company" or self.company is None else f" (company {self.company})"
        return f"{self.kind} {self.id} {self.name}{of}, {' and '.join(self.fields)} {self.number}"

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "company": self.company,
            "fields": list(self.fields),
            "number": self.number,
        }


def phone_digits(number: str) -> str:
    """The digits of ``number`` and nothing else."""
    return _NOT_DIGITS.sub("", number)


def phone_key(number: str, digits: int) -> str:
    """What two numbers must share to match: the last ``digits`` digits, or
    all of them (prefixed ``=``) when there are fewer."""
    found = phone_digits(number)
    return found[-digits:] if len(found) >= digits else f"={found}"


def callers(number: str, directory: PeopleDirectory, digits: int = 9) -> tuple[Caller, ...]:
    """Every contact and company whose phone (or contact's mobile) matches
    ``number`` by its last ``digits`` digits, contacts first, each by id.
    A number without any digit is refused (:class:`ValidationError`)."""
    if not phone_digits(number):
        raise ValidationError(f"--number: {number!r} holds no digits")
    wanted = phone_key(number, digits)
    found: list[Caller] = []
    for contact in sorted(directory.contacts.values(), key=lambda c: c.id):
        fields = tuple(
            name
            for name, value in (("phone", contact.phone), ("mobile", contact.mobile))
            if value and phone_digits(value) and phone_key(value, digits) == wanted
        )
        if fields:
            shown = contact.phone if fields[0] == "phone" else contact.mobile
            found.append(
                Caller("contact", contact.id, contact.display_name, contact.company, fields, shown or "")
            )
    for company in sorted(directory.companies.values(), key=lambda c: c.id):
        phone = company.phone
        if phone and phone_digits(phone) and phone_key(phone, digits) == wanted:
            found.append(Caller("company", company.id, company.name, company.id, ("phone",), phone))
    return tuple(found)


def choose_caller(matches: tuple[Caller, ...], chosen: str | None) -> Caller | None:
    """The caller a call is registered for: the one match, or the match
    whose id is ``chosen`` (a contact id, or a company id when the company's
    own phone matched); None for an unknown caller (no match, nothing chosen).
    Several matches without a choice, or a choice that is not a match, is a
    :class:`ValidationError` listing the matches."""
    if chosen is not None:
        for match in matches:
            if match.id == chosen:
                return match
        listed = "; ".join(m.line() for m in matches) or "none"
        raise ValidationError(f"--contact: {chosen} is not one of the callers matched: {listed}")
    if len(matches) > 1:
        listed = "; ".join(m.line() for m in matches)
        raise ValidationError(
            f"{len(matches)} callers match; choose one with --contact ID: {listed}"
        )
    return matches[0] if matches else None


__all__ = ["Caller", "callers", "choose_caller", "phone_digits", "phone_key"]
