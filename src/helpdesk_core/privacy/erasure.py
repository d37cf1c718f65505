"""Rewriting records so that a person is forgotten, or a record anonymised,
driven by the field registry.

One walk serves three uses: the plan (every place that would change, with no
personal value in it), the erasure itself (the rewritten record), and the
export (the same places with their current values). Because all three read
:mod:`helpdesk_core.privacy.registry`, they cannot drift apart.

What counts as the person in a text depends on where the text is
(:class:`~helpdesk_core.privacy.matching.Scope`): their addresses and phone
numbers everywhere; their name, declined, their surname alone, initials and
e-mail local parts only in the records linked to them
(:meth:`Forgetting.linked_ticket`, :meth:`Forgetting.linked_comment`). Name-like
forms elsewhere are collected as :class:`PossibleMention` s and left unchanged,
so a namesake's own tickets stay as they are.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from typing import Any, Literal

import attrs

from helpdesk_core.model.ticket import Attachment, Comment, Ticket
from helpdesk_core.privacy.audit import FORGOTTEN_DOMAIN, pseudonymous_email
from helpdesk_core.privacy.consent import ConsentLedger
from helpdesk_core.privacy.identifiers import PersonIdentifiers
from helpdesk_core.privacy.matching import IdentifierMatcher, Scope
from helpdesk_core.privacy.registry import (
    MESSAGE_ID_HEADERS,
    PersonalField,
    Replacement,
    Treatment,
    counted_kind,
    fields_of,
)

PersonKind = Literal["contact", "employee"]

ANONYMISED = "[anonymised]"
"""What retention leaves where a text was."""
ERASED_PHONE = "[phone erased]"
"""What stands where a forgotten person's phone number was."""
ERASED_FILE = "attachment"
"""The name of a file the forgotten person sent (a name must not be blank)."""


class Mode(enum.Enum):
    """What a walk does: forget one person, or anonymise every personal field."""

    FORGET = "forget"
    ANONYMISE = "anonymise"


@attrs.frozen
class Place:
    """One place that changes: the plan ``kind`` (e.g. ``comment body``), the
    ``record`` (``ticket T-1``) and the ``field`` path inside it
    (``events[3].body``). ``value`` is the current value, kept only by exports."""

    kind: str
    record: str
    field: str
    value: object = None


@attrs.frozen
class PossibleMention:
    """A form of the person's name found outside the records linked to them
    (``kind``: ``name``, ``surname``, ``initials`` or ``local_part``; ``text``
    the form as written), at ``field`` of ``record``. It may be about them or
    about a namesake, so the erasure leaves it and a person reviews it."""

    record: str
    field: str
    kind: str
    text: str


Namesake = tuple[str, str]
"""A namesake as ``(kind, id)``: ``("contact", "P-7")`` or ``("employee", "E-2")``."""


def _namesakes(values: Iterable[Namesake]) -> frozenset[Namesake]:
    return frozenset(values)


def _names(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(values)


@attrs.frozen(kw_only=True)
class Forgetting:
    """Who is forgotten and what replaces them: their id and kind, their
    identifiers, their pseudonym; their ``company`` (whose tickets are linked
    to them) and their ``namesakes`` — other people whose names share a form
    with theirs (``namesake_names`` their full names), whose own tickets and
    comments are not linked to the person."""

    person_id: str
    person_kind: PersonKind
    identifiers: PersonIdentifiers
    pseudonym: str
    company: str | None = None
    namesakes: frozenset[Namesake] = attrs.field(default=frozenset(), converter=_namesakes)
    namesake_names: tuple[str, ...] = attrs.field(default=(), converter=_names)
    matcher: IdentifierMatcher = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        matcher = IdentifierMatcher(self.identifiers, namesakes=self.namesake_names)
        object.__setattr__(self, "matcher", matcher)

    def linked_ticket(self, ticket: Ticket) -> bool:
        """True for a ticket linked to the person, where their name is an
        identifier: they are its contact; or it is their company's, or they
        wrote a comment in it — unless its contact is a namesake (then it is
        the namesake's ticket, and only the comments the person wrote in it
        are linked)."""
        if self.person_kind == "contact" and ticket.contact == self.person_id:
            return True
        if ticket.contact is not None and ("contact", ticket.contact) in self.namesakes:
            return False
        if self.company is not None and ticket.company == self.company:
            return True
        return any(self.authored(e) for e in ticket.events)

    def linked_comment(self, comment: Comment, *, in_linked_ticket: bool) -> bool:
        """True for a comment the person wrote, or one in a linked ticket that
        a namesake did not write."""
        if self.authored(comment):
            return True
        return in_linked_ticket and (comment.author, comment.by) not in self.namesakes

    def linked_record(self, value: object, *, own: bool) -> bool:
        """Whether the top-level record ``value`` is linked: their own record
        and consent ledger, a :meth:`linked_ticket`; nothing else (another
        contact, a company, a contract … are somebody else's)."""
        if own:
            return True
        if isinstance(value, Ticket):
            return self.linked_ticket(value)
        own_ledger = isinstance(value, ConsentLedger) and value.id == self.person_id
        return own_ledger and self.person_kind == "contact"

    @property
    def email(self) -> str:
        return pseudonymous_email(self.pseudonym)

    def stand_in(self, kind: str) -> str:
        """What replaces an identifier of ``kind`` (name, email or phone) in text."""
        if kind == "email":
            return self.email
        if kind == "phone":
            return ERASED_PHONE
        return self.pseudonym

    def redact(self, text: str, scope: Scope = Scope.LINKED) -> str:
        """``text`` with the person's identifiers of ``scope`` replaced by their stand-ins."""
        return self.matcher.replace(text, self.stand_in, scope)[0]

    def embeds_address(self, value: str) -> bool:
        """True when a header value such as a Message-ID holds one of the
        person's addresses anywhere, also in the ``local=domain`` form of mailers."""
        lowered = value.lower()
        for email in self.identifiers.emails:
            address = email.strip().lower()
            local, _, domain = address.partition("@")
            if address in lowered or f"{local}={domain}" in lowered:
                return True
        return False

    def authored(self, record: object) -> bool:
        """True for a comment this person wrote."""
        if not isinstance(record, Comment) or record.by != self.person_id:
            return False
        return record.author == ("contact" if self.person_kind == "contact" else "employee")


class _Walk:
    """One walk over one record; collects :class:`Place` s and, outside
    linked records, :class:`PossibleMention` s."""

    def __init__(self, mode: Mode, forgetting: Forgetting | None, record: str, keep_values: bool) -> None:
        self.mode = mode
        self.f = forgetting
        self.record = record
        self.keep_values = keep_values
        self.places: list[Place] = []
        self.mentions: list[PossibleMention] = []

    def note(self, entry: PersonalField, path: str, old: object) -> None:
        self.places.append(
            Place(counted_kind(entry), self.record, path, old if self.keep_values else None)
        )

    def value(self, value: Any, *, own: bool, authored: bool, linked: bool, path: str) -> Any:
        if self.f is not None and isinstance(value, Comment):
            linked = self.f.linked_comment(value, in_linked_ticket=linked)
        changes: dict[str, Any] = {}
        for entry in fields_of(type(value)):
            if entry.treatment is Treatment.KEPT:
                continue
            old = getattr(value, entry.name)
            where = f"{path}{entry.name}"
            new = self.field(
                entry, old, own=own, authored=authored or self._authored(value), linked=linked, path=where
            )
            if new is not old and new != old:
                changes[entry.name] = new
        return attrs.evolve(value, **changes) if changes else value

    def _authored(self, value: object) -> bool:
        return self.f is not None and self.f.authored(value)

    def field(
        self, entry: PersonalField, old: Any, *, own: bool, authored: bool, linked: bool, path: str
    ) -> Any:
        t = entry.treatment
        if t is Treatment.NESTED:
            return self.nested(old, own=own, authored=authored, linked=linked, path=path)
        if t is Treatment.IDENTITY:
            new = self.identity(entry, old) if own else old
        elif t is Treatment.TEXT:
            new = self.text(old, own=own, linked=linked, path=path)
        elif t is Treatment.TEXT_TREE:
            kept = self.mode is Mode.ANONYMISE and entry.kept_by_retention
            new = old if kept else self.tree(old, linked=linked, path=path)
        elif t is Treatment.HEADERS:
            new = self.headers(old, linked=linked, path=path)
        elif t is Treatment.SENT_FILE:
            new = self.sent_file(entry, old, authored=authored, linked=linked, path=path)
        else:
            new = self.references(entry, old)
        if new != old:
            self.note(entry, path, old)
        return new

    def identity(self, entry: PersonalField, old: Any) -> Any:
        if self.f is None or self.mode is Mode.ANONYMISE:
            return old
        if entry.replacement is Replacement.PSEUDONYM:
            return self.f.pseudonym
        if entry.replacement is Replacement.PSEUDONYM_EMAIL:
            return self.f.email
        default: Any = attrs.fields_dict(entry.owner)[entry.name].default
        if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
            return default.factory()
        return default

    def text(self, old: Any, *, own: bool, linked: bool, path: str) -> Any:
        if not isinstance(old, str) or not old:
            return old
        if self.mode is Mode.ANONYMISE:
            return ANONYMISED
        assert self.f is not None
        if own:
            return ""
        if linked:
            return self.f.redact(old, Scope.LINKED)
        self.mentions += [
            PossibleMention(self.record, path, hit.kind, old[hit.start : hit.end])
            for hit in self.f.matcher.possible_mentions(old)
        ]
        return self.f.redact(old, Scope.ELSEWHERE)

    def tree(self, old: Any, *, linked: bool, path: str) -> Any:
        if isinstance(old, str):
            return self.text(old, own=False, linked=linked, path=path)
        if isinstance(old, Mapping):
            return {k: self.tree(v, linked=linked, path=f"{path}.{k}") for k, v in old.items()}
        if isinstance(old, list | tuple):
            return type(old)(self.tree(v, linked=linked, path=f"{path}[{n}]") for n, v in enumerate(old))
        return old

    def headers(self, old: Mapping[str, str], *, linked: bool, path: str) -> Mapping[str, str]:
        if not old:
            return old
        if self.mode is Mode.ANONYMISE:
            return {}
        assert self.f is not None
        new = {}
        for key, value in old.items():
            if key.lower() in MESSAGE_ID_HEADERS and self.f.embeds_address(value):
                new[key] = f"<{self.f.pseudonym}@{FORGOTTEN_DOMAIN}>"
            elif isinstance(value, str):
                new[key] = self.text(value, own=False, linked=linked, path=f"{path}.{key}")
            else:
                new[key] = value
        return new

    def sent_file(self, entry: PersonalField, old: Any, *, authored: bool, linked: bool, path: str) -> Any:
        erase = authored or self.mode is Mode.ANONYMISE
        if entry.name == "sha256":
            return None if erase else old
        if erase:
            return ERASED_FILE
        return self.text(old, own=False, linked=linked, path=path)

    def references(self, entry: PersonalField, old: Any) -> Any:
        if self.mode is Mode.ANONYMISE:
            return type(old)() if entry.owner is Comment else old
        assert self.f is not None
        if isinstance(old, str):  # one id (an observer change's employee), not a collection
            return None if old == self.f.person_id else old
        if old is not None and self.f.person_id in old:
            return type(old)(i for i in old if i != self.f.person_id)
        return old

    def nested(self, old: Any, *, own: bool, authored: bool, linked: bool, path: str) -> Any:
        items = tuple(old)
        new = tuple(
            self.value(
                item,
                own=False,
                authored=authored and isinstance(item, Attachment),
                linked=linked,
                path=f"{path}[{n}].",
            )
            for n, item in enumerate(items)
        )
        if all(a is b for a, b in zip(items, new, strict=True)):
            return old
        return new


@attrs.frozen
class Rewrite:
    """What forgetting does to one record: the ``value`` after (the record
    itself when unchanged), the ``places`` that change, the ``mentions`` left
    for review, and whether the record is ``linked`` to the person."""

    value: Any
    places: list[Place]
    mentions: list[PossibleMention]
    linked: bool


def rewrite(
    value: Any,
    forgetting: Forgetting,
    *,
    record: str,
    own: bool = False,
    keep_values: bool = False,
    linked: bool | None = None,
) -> Rewrite:
    """``value`` with ``forgetting``'s person forgotten: in a linked record
    (:meth:`Forgetting.linked_record`) every form of their identifiers is
    replaced, elsewhere their addresses and phone numbers, and the forms of
    their name are listed as possible mentions. ``own`` marks the person's own
    contact or employee record (its identity is replaced, its notes cleared);
    ``keep_values`` keeps the old value of each place (for exports);
    ``linked`` says whether the record is linked when the caller knows better
    (an out-box entry is linked when its ticket is)."""
    walk = _Walk(Mode.FORGET, forgetting, record, keep_values)
    if linked is None:
        linked = forgetting.linked_record(value, own=own)
    new = walk.value(value, own=own, authored=False, linked=linked, path="")
    return Rewrite(new, walk.places, walk.mentions, linked)


def forget_in(
    value: Any, forgetting: Forgetting, *, record: str, own: bool = False, keep_values: bool = False
) -> tuple[Any, list[Place]]:
    """:func:`rewrite` without the possible mentions: ``value`` with the
    person forgotten, and the places that changed. An unchanged record comes
    back as itself."""
    done = rewrite(value, forgetting, record=record, own=own, keep_values=keep_values)
    return done.value, done.places


def anonymise(value: Any, *, record: str) -> tuple[Any, list[Place]]:
    """``value`` with every personal field blanked (retention), and the places
    that changed. Structure, instants and custom attributes are kept, so
    statistics and SLA results stay the same."""
    walk = _Walk(Mode.ANONYMISE, None, record, False)
    return walk.value(value, own=False, authored=False, linked=False, path=""), walk.places


__all__ = [
    "ANONYMISED",
    "ERASED_FILE",
    "ERASED_PHONE",
    "Forgetting",
    "Mode",
    "Namesake",
    "PersonKind",
    "Place",
    "PossibleMention",
    "Rewrite",
    "anonymise",
    "forget_in",
    "rewrite",
]
