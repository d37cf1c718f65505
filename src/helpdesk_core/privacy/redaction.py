"""What a right-of-access export may show: the person's own data, and of a
text that is not theirs only the sentences about them, with everybody else's
identifiers withheld.

The GDPR gives a person a copy of the data about them, but that copy "shall
not adversely affect the rights and freedoms of others" (Art. 15(4)). So an
export keeps the person's own names, addresses and numbers wherever they
stand, and replaces other people's — the names, addresses and numbers of every
other contact and employee, found by the same
:class:`~helpdesk_core.privacy.matching.IdentifierMatcher` the erasure uses,
and any other e-mail address or phone number — by ``[name withheld]``,
``[e-mail withheld]``, ``[phone withheld]``. Of somebody else's record it
shows only the parts the erasure of the person would change (the sentences
that name them), with ``[…]`` where sentences were left out.

Limit: a third party who is in no record of the desk is recognised only by an
address or a phone number in the text; their bare name stays.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from helpdesk_core.privacy.identifiers import PersonIdentifiers, PhoneNumber
from helpdesk_core.privacy.matching import IdentifierMatcher
from helpdesk_core.privacy.recognition import ANY_EMAIL, ANY_PHONE

WITHHELD = {"name": "[name withheld]", "email": "[e-mail withheld]", "phone": "[phone withheld]"}
"""What stands in an export where another person's identifier was, by kind."""
LEFT_OUT = "[…]"
"""What stands in an excerpt where sentences not about the person were left out."""

_SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+|\s*\n\s*")
_FOLDED_WORD = re.compile(r"\w+")


def _fold(text: str) -> str:
    return "".join(
        c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)
    ).casefold()


def sentences(text: str) -> list[str]:
    """``text`` cut after ``.``, ``!``, ``?`` or ``…`` followed by white space,
    and at line breaks; blank pieces dropped."""
    return [s for s in _SENTENCE_BREAK.split(text) if s.strip()]


def excerpt(old: str, new: str) -> str:
    """The sentences of ``old`` that differ in ``new`` (the same text with the
    person erased), in order, ``[…]`` standing for those left out. Comparing
    with the erasure's result, rather than searching again, keeps the export
    and the erasure on exactly the same places."""
    before, after = sentences(old), sentences(new)
    steps = difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes()
    changed = sorted({i for tag, i1, i2, _, _ in steps if tag != "equal" for i in range(i1, i2)})
    pieces: list[str] = []
    last = -1
    for i in changed:
        if i != last + 1:
            pieces.append(LEFT_OUT)
        pieces.append(before[i])
        last = i
    if changed and last != len(before) - 1:
        pieces.append(LEFT_OUT)
    return " ".join(pieces)


def about_them(old: Any, new: Any) -> Any:
    """The parts of a field's value ``old`` that erasing the person turns into
    ``new``: of a text its :func:`excerpt`; of a mapping (headers, custom
    attributes) the entries that change; of a list of ids the ids removed; of a
    digest or other value dropped, the value."""
    if isinstance(old, str):
        return excerpt(old, new) if isinstance(new, str) else old
    if isinstance(old, Mapping):
        after: Mapping[Any, Any] = new if isinstance(new, Mapping) else {}
        return {k: about_them(v, after.get(k)) for k, v in old.items() if after.get(k) != v}
    if isinstance(old, list | tuple):
        others = list(new) if isinstance(new, list | tuple) else []
        if len(others) == len(old):
            return [about_them(a, b) for a, b in zip(old, others, strict=True) if a != b]
        return [item for item in old if item not in others]
    return old


def _name_forms(name: str) -> tuple[str, ...]:
    return PersonIdentifiers(names=[name]).normal_forms()


def others_among(
    texts: Iterable[str], people: Iterable[PersonIdentifiers], subject: PersonIdentifiers
) -> PersonIdentifiers:
    """The identifiers of ``people`` that may occur in ``texts``, without those
    ``subject`` shares (a namesake's name is the subject's name too). A quick
    filter — every word of the name, the address, the last six digits of the
    number somewhere in the texts — keeps the matcher small on a large desk."""
    joined = "\n".join(texts)
    lowered = joined.lower()
    words = set(_FOLDED_WORD.findall(_fold(joined)))
    digits = re.sub(r"\D", "", joined)
    own = set(subject.normal_forms())
    names: list[str] = []
    emails: list[str] = []
    phones: dict[str, PhoneNumber] = {}
    for person in people:
        for name in person.names:
            folded = _FOLDED_WORD.findall(_fold(name))
            if folded and all(w in words for w in folded) and not own.intersection(_name_forms(name)):
                names.append(name)
        for email in person.emails:
            if email.strip().lower() in lowered and f"email:{email.strip().lower()}" not in own:
                emails.append(email)
        for phone in person.phones:
            if phone.digits[-6:] in digits and f"phone:{phone.normal}" not in own:
                phones.setdefault(phone.normal, phone)
    return PersonIdentifiers(names=names, emails=emails, phones=tuple(phones.values()))


@attrs.frozen
class Redaction:
    """Withholds other people's identifiers from texts shown to ``subject``;
    see the module docstring. Build it with :meth:`of`."""

    subject: IdentifierMatcher
    others: IdentifierMatcher

    @classmethod
    def of(cls, subject: PersonIdentifiers, others: PersonIdentifiers) -> Redaction:
        return cls(IdentifierMatcher(subject), IdentifierMatcher(others))

    def text(self, text: str) -> str:
        """``text`` with every identifier that is not the subject's withheld."""
        if not text:
            return text
        kept = [(h.start, h.end) for h in self.subject.hits(text)]
        found = [(h.start, h.end, h.kind) for h in self.others.hits(text)]
        found += [(m.start(), m.end(), "email") for m in ANY_EMAIL.finditer(text)]
        found += [(m.start(), m.end(), "phone") for m in ANY_PHONE.finditer(text)]
        found.sort(key=lambda f: (f[0], -f[1]))
        pieces: list[str] = []
        done = 0
        for start, end, kind in found:
            if start < done or any(s < end and start < e for s, e in kept):
                continue
            pieces += [text[done:start], WITHHELD[kind]]
            done = end
        return "".join(pieces) + text[done:] if pieces else text

    def tree(self, value: Any) -> Any:
        """Every string inside ``value`` (a JSON-ready structure) redacted;
        mapping keys stay."""
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, Mapping):
            return {k: self.tree(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self.tree(v) for v in value]
        return value


_STEP = re.compile(r"(\w+)(?:\[(\d+)\])?")


def value_at(record: Any, field: str) -> Any:
    """The value at a place's ``field`` path inside ``record``
    (``events[6].attachments[0].name``), or None when the record has no such place."""
    value = record
    for step in field.split("."):
        found = _STEP.fullmatch(step)
        if found is None or not hasattr(value, found.group(1)):
            return None
        value = getattr(value, found.group(1))
        if found.group(2) is not None:
            index = int(found.group(2))
            if not isinstance(value, list | tuple) or index >= len(value):
                return None
            value = value[index]
    return value


def strings_in(value: Any) -> Iterable[str]:
    """Every string inside a JSON-ready structure (keys included)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from strings_in(k)
            yield from strings_in(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from strings_in(v)


__all__ = [
    "LEFT_OUT",
    "WITHHELD",
    "Redaction",
    "about_them",
    "excerpt",
    "others_among",
    "sentences",
    "strings_in",
    "value_at",
]
