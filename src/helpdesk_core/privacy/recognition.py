"""Recognising a forgotten person's identifiers in text by the keyed hashes of
their audit record, once the plain values are gone.

After an erasure the desk no longer knows the person's name, addresses or
numbers — only HMACs of them, with the record's salt. To prove later (after a
crash between the erasure and its scrub, say) that no text holds them, every
e-mail address, phone number and pair of adjacent words of a text is put in
normal form and hashed with the salt: a hash in the record is a hit.

What this finds is exactly what was hashed: full names of two words as written
(in either order, any case, a comma between allowed — not without their
diacritics, not declined), whole e-mail addresses, and phone numbers of 9 to 15
digits that ``phonenumbers`` reads to the same number. A full name is an
identifier of the person only in the records linked to them (a namesake keeps
their own name), which a later proof no longer knows: the scrub's proof asks
for addresses and numbers only (``with_names=False``).
"""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterable
from itertools import pairwise

from helpdesk_core.privacy.audit import AuditRecord
from helpdesk_core.privacy.identifiers import PersonIdentifiers, PhoneNumber

ANY_EMAIL = re.compile(r"(?<![\w.+\-])[\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+(?![\w\-]|\.\w)")
"""Any e-mail address."""
ANY_PHONE = re.compile(r"(?<![\w+\-.])(?:\+|00)?\(?\d(?:[\s\-./()]{0,2}\d){8,14}(?![\w])")
"""Any run of 9 to 15 digits written as phone numbers are (a date has 8)."""
_WORD = re.compile(r"[\w'’\-]+")


def written_identifiers(
    text: str, *, region: str | None = None, with_names: bool = True
) -> PersonIdentifiers:
    """Every e-mail address, phone number and (``with_names``) pair of adjacent
    words (in both orders) written in ``text``, as identifiers to hash."""
    names: list[str] = []
    if with_names:
        words = _WORD.findall(text)
        names = [f"{a} {b}" for a, b in pairwise(words)] + [f"{b} {a}" for a, b in pairwise(words)]
    phones = [p for m in ANY_PHONE.finditer(text) if (p := PhoneNumber.parse(m.group(0), region=region))]
    return PersonIdentifiers(names=names, emails=ANY_EMAIL.findall(text), phones=tuple(phones))


class Recogniser:
    """Recognises the identifiers of the people forgotten by ``records`` (those
    with hashes). Each normal form is hashed once per record however often it
    is written (remembering up to :data:`REMEMBERED` forms), which is most of
    the work of a scan."""

    REMEMBERED = 500_000

    def __init__(self, records: Iterable[AuditRecord]) -> None:
        self._records = [
            (bytes.fromhex(r.salt), frozenset(r.identifier_hashes)) for r in records if r.identifier_hashes
        ]
        self._seen: dict[str, bool] = {}

    def __bool__(self) -> bool:
        return bool(self._records)

    def kind_in(self, identifiers: PersonIdentifiers) -> str | None:
        """The kind (``name``, ``email``, ``phone``) of the first of
        ``identifiers`` whose keyed hash (:func:`~helpdesk_core.privacy.audit.keyed_hash`)
        is in one of the records, or None."""
        for form in identifiers.normal_forms():
            known = self._seen.get(form)
            if known is None:
                data = form.encode("utf-8")
                known = any(hmac.digest(salt, data, "sha256").hex() in mine for salt, mine in self._records)
                if len(self._seen) >= self.REMEMBERED:
                    self._seen.clear()
                self._seen[form] = known
            if known:
                return form.partition(":")[0]
        return None


__all__ = ["ANY_EMAIL", "ANY_PHONE", "Recogniser", "written_identifiers"]
