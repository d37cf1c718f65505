"""The admin-defined lists a ticket's fields draw from: ticket types,
priorities, client categories and custom attributes.

A :class:`Catalogs` section left out (None) means the account does not keep
that list, and any id is accepted there; a section given, even empty, makes
every id outside it an error. So a desk works before anybody configured
anything, and a configured desk catches typos ("urgnet").
"""

from __future__ import annotations

import enum
import math
import re
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import (
    enum_member,
    flag,
    member_of,
    non_blank,
    non_negative,
    required_identifier,
)
from helpdesk_core.model.parties import Company
from helpdesk_core.model.staff import Role
from helpdesk_core.model.ticket import PriorityChange, Ticket, TypeChange

_COLOUR = re.compile(r"^#[0-9a-f]{6}$")
_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@attrs.frozen(kw_only=True)
class TicketType:
    """A kind of ticket ("Incident", "Installation"). Tickets of an ``internal``
    type are never shown to customers and send them no notifications."""

    id: str = attrs.field(validator=required_identifier)
    name: str = attrs.field(validator=non_blank)
    internal: bool = attrs.field(default=False, validator=flag)


def _lower(value: str) -> str:
    return value.lower() if isinstance(value, str) else value


def _colour(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _COLOUR.match(value):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: expected a colour '#rrggbb' "
            f"(six hex digits), got {value!r}"
        )


@attrs.frozen(kw_only=True)
class Priority:
    """A ticket priority. ``order`` sorts priorities from least to most urgent
    (0 first); ``colour`` is ``#rrggbb``, stored lower-case."""

    id: str = attrs.field(validator=required_identifier)
    name: str = attrs.field(validator=non_blank)
    order: int = attrs.field(validator=non_negative)
    colour: str = attrs.field(default="#808080", converter=_lower, validator=_colour)


@attrs.frozen(kw_only=True)
class ClientCategory:
    """A category of companies (Client, Partner, VIP client); SLA rules may match on it."""

    id: str = attrs.field(validator=required_identifier)
    name: str = attrs.field(validator=non_blank)


DEFAULT_CLIENT_CATEGORIES: tuple[ClientCategory, ...] = (
    ClientCategory(id="client", name="Client"),
    ClientCategory(id="partner", name="Partner"),
    ClientCategory(id="vip", name="VIP client"),
)
"""The categories a new account starts with (Okdesk's defaults)."""


class AttributeKind(enum.Enum):
    """What a custom attribute holds, and so which values it accepts."""

    TEXT = "text"
    """Any text."""
    NUMBER = "number"
    """A JSON number (int or float, finite); a numeric string is refused."""
    DATE = "date"
    """A day: a ``datetime.date`` or an ISO string ``YYYY-MM-DD``."""
    CHOICE = "choice"
    """One value from the definition's ``choices``."""


def _kind(value: AttributeKind | str) -> AttributeKind:
    return enum_member(AttributeKind, value)


def _choices(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return value  # type: ignore[return-value]
    return tuple(value)


def _choice_list(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    where = f"{type(instance).__name__}.{attribute.name}"
    if not isinstance(value, tuple):
        raise ValidationError(f"{where}: expected a list of values, got {value!r}")
    seen: set[str] = set()
    for choice in value:
        if not isinstance(choice, str) or not choice.strip():
            raise ValidationError(f"{where}: {choice!r} is not a value (a non-blank text)")
        if choice in seen:
            raise ValidationError(f"{where}: {choice!r} is listed twice")
        seen.add(choice)


def _roles(value: Iterable[Role | str]) -> frozenset[Role]:
    if isinstance(value, str):
        return value  # type: ignore[return-value]
    return frozenset(enum_member(Role, r) for r in value)


def _role_set(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    check = member_of(Role)
    if not isinstance(value, frozenset):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: expected a collection of roles, "
            f"got {value!r}"
        )
    for role in sorted(value, key=str):
        check(instance, attribute, role)


@attrs.frozen(kw_only=True)
class AttributeDefinition:
    """A custom ticket attribute. ``choices`` is required for, and only for, a
    ``choice`` attribute. ``visible_to_roles`` are the employee roles that see it
    (all by default); ``visible_to_contacts`` shows it on the client portal."""

    id: str = attrs.field(validator=required_identifier)
    name: str = attrs.field(validator=non_blank)
    kind: AttributeKind = attrs.field(converter=_kind, validator=member_of(AttributeKind))
    choices: tuple[str, ...] = attrs.field(default=(), converter=_choices, validator=_choice_list)
    required_on_create: bool = attrs.field(default=False, validator=flag)
    visible_to_roles: frozenset[Role] = attrs.field(
        default=frozenset(Role), converter=_roles, validator=_role_set
    )
    visible_to_contacts: bool = attrs.field(default=False, validator=flag)

    def __attrs_post_init__(self) -> None:
        if self.kind is AttributeKind.CHOICE and not self.choices:
            raise ValidationError(
                f"AttributeDefinition.choices: attribute {self.id} is a choice and needs at "
                "least one value, got none"
            )
        if self.kind is not AttributeKind.CHOICE and self.choices:
            raise ValidationError(
                f"AttributeDefinition.choices: attribute {self.id} is of kind "
                f"{self.kind.value!r}; only a 'choice' attribute takes values, got "
                f"{list(self.choices)!r}"
            )

    def value_problem(self, value: object) -> str | None:
        """Why ``value`` does not fit this attribute, or None. None (no value)
        always fits: whether a value is required is a separate question."""
        if value is None:
            return None
        label = f"attribute {self.id!r}"
        if self.kind is AttributeKind.TEXT:
            ok = isinstance(value, str)
            expected = "a text"
        elif self.kind is AttributeKind.NUMBER:
            ok = (
                isinstance(value, int | float)
                and not isinstance(value, bool)
                and math.isfinite(value)
            )
            expected = "a number"
        elif self.kind is AttributeKind.DATE:
            ok = _is_day(value)
            expected = "a date YYYY-MM-DD"
        else:
            ok = isinstance(value, str) and value in self.choices
            expected = f"one of {', '.join(self.choices)}"
        return None if ok else f"{label} expects {expected}, got {value!r}"


def _is_day(value: object) -> bool:
    if isinstance(value, datetime):
        return False
    if isinstance(value, date):
        return True
    if not isinstance(value, str) or not _ISO_DAY.match(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _optional_tuple(value: Iterable[Any] | None) -> tuple[Any, ...] | None:
    if value is None or isinstance(value, str) or not isinstance(value, Iterable):
        return value  # type: ignore[return-value]
    return tuple(value)


def _section(kind: type[Any]) -> Any:
    def check(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None:
            return
        where = f"Catalogs.{attribute.name}"
        if not isinstance(value, tuple):
            raise ValidationError(
                f"{where}: expected a list of {kind.__name__} or None, got {value!r}"
            )
        seen: set[str] = set()
        for index, entry in enumerate(value):
            if not isinstance(entry, kind):
                raise ValidationError(
                    f"{where}[{index}]: expected a {kind.__name__}, got {entry!r}"
                )
            if entry.id in seen:
                raise ValidationError(f"{where}: id {entry.id!r} is defined twice")
            seen.add(entry.id)

    return check


def _distinct_orders(
    instance: Any, attribute: attrs.Attribute[Any], value: tuple[Priority, ...] | None
) -> None:
    if not isinstance(value, tuple):
        return
    by_order: dict[int, str] = {}
    for priority in value:
        if priority.order in by_order:
            raise ValidationError(
                f"Catalogs.priorities: {by_order[priority.order]!r} and {priority.id!r} share "
                f"order {priority.order}; each priority needs its own place"
            )
        by_order[priority.order] = priority.id


def _unique(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(values))


def _known(ids: Iterable[str]) -> str:
    listed = ", ".join(ids)
    return listed or "none"


@attrs.frozen(kw_only=True)
class Catalogs:
    """The account's catalogs. Each section is None (not kept: any id passes)
    or the full list of allowed entries (an id outside it is refused)."""

    ticket_types: tuple[TicketType, ...] | None = attrs.field(
        default=None, converter=_optional_tuple, validator=_section(TicketType)
    )
    priorities: tuple[Priority, ...] | None = attrs.field(
        default=None,
        converter=_optional_tuple,
        validator=[_section(Priority), _distinct_orders],
    )
    client_categories: tuple[ClientCategory, ...] | None = attrs.field(
        default=None, converter=_optional_tuple, validator=_section(ClientCategory)
    )
    attributes: tuple[AttributeDefinition, ...] | None = attrs.field(
        default=None, converter=_optional_tuple, validator=_section(AttributeDefinition)
    )

    def priorities_in_order(self) -> tuple[Priority, ...]:
        """Priorities from least to most urgent; empty without a priorities section."""
        return tuple(sorted(self.priorities or (), key=lambda p: p.order))

    def ticket_type(self, type_id: str | None) -> TicketType | None:
        """The ticket type of that id, or None (unknown, or no types section)."""
        return next((t for t in self.ticket_types or () if t.id == type_id), None)

    def is_internal(self, type_id: str | None) -> bool:
        """True when ``type_id`` is a known internal type: such tickets are hidden
        from customers. An unknown type is treated as public."""
        found = self.ticket_type(type_id)
        return found is not None and found.internal

    def known_values(self) -> Mapping[str, tuple[str, ...]]:
        """Allowed values per rule-table ``when`` key, for linting rule tables:
        ``type``, ``priority`` (in order), ``client_category`` and, for each
        choice attribute, ``attributes.<id>``. Only for the sections present."""
        known: dict[str, tuple[str, ...]] = {}
        if self.ticket_types is not None:
            known["type"] = tuple(t.id for t in self.ticket_types)
        if self.priorities is not None:
            known["priority"] = tuple(p.id for p in self.priorities_in_order())
        if self.client_categories is not None:
            known["client_category"] = tuple(c.id for c in self.client_categories)
        for definition in self.attributes or ():
            if definition.kind is AttributeKind.CHOICE:
                known[f"attributes.{definition.id}"] = definition.choices
        return known

    def ticket_problems(self, ticket: Ticket, *, on_create: bool = False) -> tuple[str, ...]:
        """Everything about ``ticket`` that these catalogs refuse, one phrase
        each: unknown types and priorities anywhere in its history, unknown
        attributes, values of the wrong kind and — ``on_create`` — missing
        required-on-create attributes."""
        problems: list[str] = []
        if self.ticket_types is not None:
            types = [t.id for t in self.ticket_types]
            problems.extend(
                f"unknown type {t!r} (known: {_known(types)})"
                for t in _types_used(ticket)
                if t not in types
            )
        if self.priorities is not None:
            ordered = [p.id for p in self.priorities_in_order()]
            problems.extend(
                f"unknown priority {p!r} (known: {_known(ordered)})"
                for p in _priorities_used(ticket)
                if p not in ordered
            )
        if self.attributes is not None:
            problems.extend(self._attribute_problems(ticket.attributes, on_create=on_create))
        return tuple(problems)

    def _attribute_problems(
        self, values: Mapping[str, Any], *, on_create: bool
    ) -> list[str]:
        definitions = {d.id: d for d in self.attributes or ()}
        problems: list[str] = []
        for name, value in values.items():
            definition = definitions.get(name)
            if definition is None:
                problems.append(
                    f"unknown attribute {name!r} (known: {_known(definitions)})"
                )
                continue
            problem = definition.value_problem(value)
            if problem is not None:
                problems.append(problem)
        if on_create:
            problems.extend(
                f"required attribute {d.id!r} ({d.name}) is missing"
                for d in definitions.values()
                if d.required_on_create and _is_missing(values.get(d.id))
            )
        return problems

    def check_ticket(self, ticket: Ticket) -> None:
        """Raise ValidationError naming the ticket and every problem found."""
        _raise_for(f"ticket {ticket.id}", self.ticket_problems(ticket))

    def check_new_ticket(self, ticket: Ticket) -> None:
        """As :meth:`check_ticket`, and required-on-create attributes must be set."""
        _raise_for(f"ticket {ticket.id}", self.ticket_problems(ticket, on_create=True))

    def check_company(self, company: Company) -> None:
        """Raise ValidationError when the company's category is not in the catalog."""
        if self.client_categories is None:
            return
        known = [c.id for c in self.client_categories]
        if company.category not in known:
            _raise_for(
                f"company {company.id}",
                [f"unknown client category {company.category!r} (known: {_known(known)})"],
            )


def _priorities_used(ticket: Ticket) -> tuple[str, ...]:
    first = [ticket.initial_priority] if ticket.initial_priority is not None else []
    return _unique([*first, *(e.to for e in ticket.events if isinstance(e, PriorityChange))])


def _types_used(ticket: Ticket) -> tuple[str, ...]:
    first = [ticket.initial_type] if ticket.initial_type is not None else []
    return _unique([*first, *(e.to for e in ticket.events if isinstance(e, TypeChange))])


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _raise_for(what: str, problems: Iterable[str]) -> None:
    found = list(problems)
    if found:
        raise ValidationError(f"{what}: {'; '.join(found)}")


__all__ = [
    "DEFAULT_CLIENT_CATEGORIES",
    "AttributeDefinition",
    "AttributeKind",
    "Catalogs",
    "ClientCategory",
    "Priority",
    "TicketType",
]
