"""Rewriting records so that a person is forgotten, or a record anonymised,
driven by the field registry.

One walk serves three uses: the plan (every place that would change, with no
personal value in it), the erasure itself (the rewritten record), and the
export (the same places with their current values). Because all three read
:mod:`helpdesk_core.privacy.registry`, they cannot drift apart.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from typing import Any, Literal

import attrs

from helpdesk_core.model.ticket import Attachment, Comment
from helpdesk_core.privacy.audit import FORGOTTEN_DOMAIN, pseudonymous_email
from helpdesk_core.privacy.identifiers import PersonIdentifiers
from helpdesk_core.privacy.matching import IdentifierMatcher
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


@attrs.frozen(kw_only=True)
class Forgetting:
    """Who is forgotten and what replaces them: their id and kind, their
    identifiers, and their pseudonym."""

    person_id: str
    person_kind: PersonKind
    identifiers: PersonIdentifiers
    pseudonym: str
    matcher: IdentifierMatcher = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "matcher", IdentifierMatcher(self.identifiers))

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

    def redact(self, text: str) -> str:
        return self.matcher.replace(text, self.stand_in)[0]

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
    """One walk over one record; collects :class:`Place` s."""

    def __init__(self, mode: Mode, forgetting: Forgetting | None, record: str, keep_values: bool) -> None:
        self.mode = mode
        self.f = forgetting
        self.record = record
        self.keep_values = keep_values
        self.places: list[Place] = []

    def note(self, entry: PersonalField, path: str, old: object) -> None:
        self.places.append(
            Place(counted_kind(entry), self.record, path, old if self.keep_values else None)
        )

    def value(self, value: Any, *, own: bool, authored: bool, path: str) -> Any:
        changes: dict[str, Any] = {}
        for entry in fields_of(type(value)):
            if entry.treatment is Treatment.KEPT:
                continue
            old = getattr(value, entry.name)
            where = f"{path}{entry.name}"
            new = self.field(entry, old, own=own, authored=authored or self._authored(value), path=where)
            if new is not old and new != old:
                changes[entry.name] = new
        return attrs.evolve(value, **changes) if changes else value

    def _authored(self, value: object) -> bool:
        return self.f is not None and self.f.authored(value)

    def field(self, entry: PersonalField, old: Any, *, own: bool, authored: bool, path: str) -> Any:
        t = entry.treatment
        if t is Treatment.NESTED:
            return self.nested(old, own=own, authored=authored, path=path)
        if t is Treatment.IDENTITY:
            new = self.identity(entry, old) if own else old
        elif t is Treatment.TEXT:
            new = self.text(old, own=own)
        elif t is Treatment.TEXT_TREE:
            new = old if (self.mode is Mode.ANONYMISE and entry.kept_by_retention) else self.tree(old)
        elif t is Treatment.HEADERS:
            new = self.headers(old)
        elif t is Treatment.SENT_FILE:
            new = self.sent_file(entry, old, authored=authored)
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

    def text(self, old: Any, *, own: bool) -> Any:
        if not isinstance(old, str) or not old:
            return old
        if self.mode is Mode.ANONYMISE:
            return ANONYMISED
        assert self.f is not None
        if own:
            return ""
        return self.f.redact(old)

    def tree(self, old: Any) -> Any:
        if isinstance(old, str):
            return self.text(old, own=False)
        if isinstance(old, Mapping):
            return {k: self.tree(v) for k, v in old.items()}
        if isinstance(old, list | tuple):
            return type(old)(self.tree(v) for v in old)
        return old

    def headers(self, old: Mapping[str, str]) -> Mapping[str, str]:
        if not old:
            return old
        if self.mode is Mode.ANONYMISE:
            return {}
        assert self.f is not None
        new = {}
        for key, value in old.items():
            if key.lower() in MESSAGE_ID_HEADERS and self.f.embeds_address(value):
                new[key] = f"<{self.f.pseudonym}@{FORGOTTEN_DOMAIN}>"
            else:
                new[key] = self.f.redact(value) if isinstance(value, str) else value
        return new

    def sent_file(self, entry: PersonalField, old: Any, *, authored: bool) -> Any:
        erase = authored or self.mode is Mode.ANONYMISE
        if entry.name == "sha256":
            return None if erase else old
        if erase:
            return ERASED_FILE
        return self.text(old, own=False)

    def references(self, entry: PersonalField, old: Any) -> Any:
        if self.mode is Mode.ANONYMISE:
            return type(old)() if entry.owner is Comment else old
        assert self.f is not None
        if self.f.person_id in old:
            return type(old)(i for i in old if i != self.f.person_id)
        return old

    def nested(self, old: Any, *, own: bool, authored: bool, path: str) -> Any:
        items = tuple(old)
        new = tuple(
            self.value(
                item, own=False, authored=authored and isinstance(item, Attachment), path=f"{path}[{n}]."
            )
            for n, item in enumerate(items)
        )
        if all(a is b for a, b in zip(items, new, strict=True)):
            return old
        return new


def forget_in(
    value: Any, forgetting: Forgetting, *, record: str, own: bool = False, keep_values: bool = False
) -> tuple[Any, list[Place]]:
    """``value`` with ``forgetting``'s person forgotten, and the places that
    changed. ``own`` marks the person's own contact or employee record (its
    identity is replaced, its notes cleared); ``keep_values`` keeps the old value
    of each place (for exports). An unchanged record comes back as itself."""
    walk = _Walk(Mode.FORGET, forgetting, record, keep_values)
    return walk.value(value, own=own, authored=False, path=""), walk.places


def anonymise(value: Any, *, record: str) -> tuple[Any, list[Place]]:
    """``value`` with every personal field blanked (retention), and the places
    that changed. Structure, instants and custom attributes are kept, so
    statistics and SLA results stay the same."""
    walk = _Walk(Mode.ANONYMISE, None, record, False)
    return walk.value(value, own=False, authored=False, path=""), walk.places


__all__ = [
    "ANONYMISED",
    "ERASED_FILE",
    "ERASED_PHONE",
    "Forgetting",
    "Mode",
    "PersonKind",
    "Place",
    "anonymise",
    "forget_in",
]
