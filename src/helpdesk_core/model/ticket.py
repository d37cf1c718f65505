"""Tickets and their append-only history of events.

A ticket keeps the facts *as registered* (``initial_*`` fields) and a tuple of
events. Everything current — status, priority, type, assignee, the postponed
until-time, whether the customer spoke last — is a fold over that history, so
the history alone explains every derived fact and replays under another policy.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timezone
from typing import Any, ClassVar, Literal

import attrs

from helpdesk_core.errors import HistoryError, ValidationError
from helpdesk_core.model.checks import (
    aware,
    identifier,
    identifiers,
    instant,
    non_blank,
    non_negative,
    required_identifier,
)

AuthorKind = Literal["employee", "contact"]
"""Who wrote a comment: somebody of the service desk, or somebody of the customer."""

SYSTEM = "system"
"""The ``by`` of events made by automation rather than a person."""


def _sha256(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    hexdigits = "0123456789abcdef"
    if not (isinstance(value, str) and len(value) == 64 and all(c in hexdigits for c in value)):
        raise ValidationError(
            f"Attachment.sha256: expected 64 lowercase hex digits, got {value!r}"
        )


def _id_set(ids: Iterable[str]) -> frozenset[str]:
    return frozenset(ids)


def _id_tuple(ids: Iterable[str]) -> tuple[str, ...]:
    return tuple(ids)


def _attachment_tuple(attachments: Iterable[Attachment]) -> tuple[Attachment, ...]:
    return tuple(attachments)


def _author_kind(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in ("employee", "contact"):
        raise ValidationError(
            f"Comment.author: expected 'employee' or 'contact', got {value!r}"
        )


@attrs.frozen(kw_only=True)
class Attachment:
    """Metadata of a file attached to a comment; the bytes live elsewhere.

    ``size`` is in bytes; ``sha256`` the hex digest of the content.
    """

    name: str = attrs.field(validator=non_blank)
    size: int = attrs.field(validator=non_negative)
    content_type: str = "application/octet-stream"
    sha256: str | None = attrs.field(default=None, validator=_sha256)


@attrs.frozen(kw_only=True)
class Assignee:
    """Who is responsible: an employee, or an employee group (``group=True``)."""

    id: str = attrs.field(validator=required_identifier)
    group: bool = False


@attrs.frozen(kw_only=True)
class StatusChange:
    """The ticket moved to status ``to``; ``until`` is required by statuses such
    as *postponed* and is when the ticket returns to work by itself."""

    kind: ClassVar[str] = "status"
    at: datetime = attrs.field(validator=instant)
    to: str = attrs.field(validator=required_identifier)
    until: datetime | None = attrs.field(default=None, validator=aware)
    by: str | None = attrs.field(default=None, validator=identifier)
    extra: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Comment:
    """A comment. ``public`` comments are seen by the customer; private ones
    (notes) only by employees. ``by`` is the author's employee or contact id."""

    kind: ClassVar[str] = "comment"
    at: datetime = attrs.field(validator=instant)
    author: AuthorKind = attrs.field(validator=_author_kind)
    public: bool = True
    body: str = ""
    by: str | None = attrs.field(default=None, validator=identifier)
    channel: str | None = None
    mentions: tuple[str, ...] = attrs.field(default=(), converter=_id_tuple, validator=identifiers)
    attachments: tuple[Attachment, ...] = attrs.field(default=(), converter=_attachment_tuple)
    headers: Mapping[str, str] = attrs.field(factory=dict)
    extra: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class PriorityChange:
    """The priority became ``to``; the SLA rule is selected again."""

    kind: ClassVar[str] = "priority"
    at: datetime = attrs.field(validator=instant)
    to: str = attrs.field(validator=required_identifier)
    by: str | None = attrs.field(default=None, validator=identifier)
    extra: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class TypeChange:
    """The ticket type became ``to``; the SLA rule is selected again."""

    kind: ClassVar[str] = "type"
    at: datetime = attrs.field(validator=instant)
    to: str = attrs.field(validator=required_identifier)
    by: str | None = attrs.field(default=None, validator=identifier)
    extra: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class Assignment:
    """Responsibility passed to employee ``to`` (or group, ``group=True``);
    ``to=None`` leaves the ticket without anybody responsible."""

    kind: ClassVar[str] = "assign"
    at: datetime = attrs.field(validator=instant)
    to: str | None = attrs.field(validator=identifier)
    group: bool = False
    by: str | None = attrs.field(default=None, validator=identifier)
    extra: Mapping[str, Any] = attrs.field(factory=dict)

    @property
    def assignee(self) -> Assignee | None:
        return None if self.to is None else Assignee(id=self.to, group=self.group)


@attrs.frozen(kw_only=True)
class SlaOverride:
    """Deadlines or the SLA rule set by hand. A deadline set by hand is not
    moved by later pauses; ``rule`` names an SLA rule chosen by hand, which wins
    over the rule table."""

    kind: ClassVar[str] = "sla"
    at: datetime = attrs.field(validator=instant)
    resolution_due: datetime | None = attrs.field(default=None, validator=aware)
    reaction_due: datetime | None = attrs.field(default=None, validator=aware)
    rule: str | None = None
    by: str | None = attrs.field(default=None, validator=identifier)
    extra: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class ObserverChange:
    """An employee (``employee``) or an employee group (``group``) started
    (``added=True``) or stopped (``added=False``) observing the ticket: being
    told about it without being responsible for it. One of the two is named;
    an observer change naming neither is what erasing the person it named
    leaves in the history (it changes nothing)."""

    kind: ClassVar[str] = "observers"
    at: datetime = attrs.field(validator=instant)
    employee: str | None = attrs.field(default=None, validator=identifier)
    group: str | None = attrs.field(default=None, validator=identifier)
    added: bool = True
    by: str | None = attrs.field(default=None, validator=identifier)
    extra: Mapping[str, Any] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        if self.employee is not None and self.group is not None:
            raise ValidationError(
                f"ObserverChange: name an employee or a group, not both "
                f"(got employee {self.employee!r} and group {self.group!r})"
            )


Event = StatusChange | Comment | PriorityChange | TypeChange | Assignment | SlaOverride | ObserverChange
EVENT_KINDS: Mapping[str, type[Event]] = {
    cls.kind: cls
    for cls in (
        StatusChange, Comment, PriorityChange, TypeChange, Assignment, SlaOverride, ObserverChange
    )
}
"""Event classes by the ``kind`` tag of the ticket-history JSONL."""


def _event_tuple(events: Iterable[Event]) -> tuple[Event, ...]:
    return tuple(events)



def _earlier(at: datetime, previous: datetime) -> bool:
    """Whether instant ``at`` lies before ``previous``."""
    if at.tzinfo is previous.tzinfo and type(at.tzinfo) is not timezone:
        # Python compares two datetimes of the same zone by their wall clocks,
        # which is wrong in the hour repeated when DST ends: compare instants.
        return at.astimezone(UTC) < previous.astimezone(UTC)
    return at < previous


def _refuse_earlier(ticket: Ticket, index: int, event: Event, previous: datetime) -> None:
    if _earlier(event.at, previous):
        raise HistoryError(
            f"ticket {ticket.id}: events[{index}] ({event.kind}) at {event.at.isoformat()} "
            f"is earlier than {previous.isoformat()}; a history only grows forward"
        )


def _chronological(
    instance: Ticket, attribute: attrs.Attribute[Any], events: tuple[Event, ...]
) -> None:
    previous = instance.created_at
    for index, event in enumerate(events):
        _refuse_earlier(instance, index, event, previous)
        previous = event.at


@attrs.frozen(kw_only=True)
class Ticket:
    """One customer request and everything that happened to it.

    ``initial_*`` fields hold the values at registration; the properties of the
    same name without the prefix give the current ones, folded over ``events``.
    """

    id: str = attrs.field(validator=required_identifier)
    subject: str = attrs.field(validator=non_blank)
    created_at: datetime = attrs.field(validator=instant)
    description: str = ""
    initial_status: str = attrs.field(default="open", validator=required_identifier)
    initial_type: str | None = attrs.field(default=None, validator=identifier)
    initial_priority: str | None = attrs.field(default=None, validator=identifier)
    initial_assignee: Assignee | None = None
    channel: str | None = attrs.field(default=None, validator=identifier)
    company: str | None = attrs.field(default=None, validator=identifier)
    contact: str | None = attrs.field(default=None, validator=identifier)
    service_object: str | None = attrs.field(default=None, validator=identifier)
    equipment: str | None = attrs.field(default=None, validator=identifier)
    contract: str | None = attrs.field(default=None, validator=identifier)
    observer_employees: frozenset[str] = attrs.field(
        default=frozenset(), converter=_id_set, validator=identifiers
    )
    observer_groups: frozenset[str] = attrs.field(
        default=frozenset(), converter=_id_set, validator=identifiers
    )
    attributes: Mapping[str, Any] = attrs.field(factory=dict)
    events: tuple[Event, ...] = attrs.field(
        default=(), converter=_event_tuple, validator=_chronological
    )
    extra: Mapping[str, Any] = attrs.field(factory=dict)

    @classmethod
    def register(
        cls,
        *,
        id: str,
        subject: str,
        created_at: datetime,
        status: str = "open",
        type: str | None = None,
        priority: str | None = None,
        assignee: Assignee | None = None,
        **fields: Any,
    ) -> Ticket:
        """A new ticket with an empty history, in its initial ``status``."""
        return cls(
            id=id,
            subject=subject,
            created_at=created_at,
            initial_status=status,
            initial_type=type,
            initial_priority=priority,
            initial_assignee=assignee,
            **fields,
        )

    def with_event(self, event: Event) -> Ticket:
        """This ticket with ``event`` appended; an event before the last one is refused."""
        # The history held is chronological already (checked when this value
        # was made): only the new event against the last one needs checking,
        # and the other fields are copied as they are, not validated again —
        # appending stays O(1) checks instead of O(history).
        events = self.events
        _refuse_earlier(self, len(events), event, events[-1].at if events else self.created_at)
        ticket = object.__new__(type(self))
        for name in _TICKET_FIELDS:
            object.__setattr__(ticket, name, getattr(self, name))
        object.__setattr__(ticket, "events", (*events, event))
        return ticket

    @property
    def status(self) -> str:
        """The current status id."""
        for event in reversed(self.events):
            if isinstance(event, StatusChange):
                return event.to
        return self.initial_status

    @property
    def status_since(self) -> datetime:
        """When the ticket entered its current status."""
        for event in reversed(self.events):
            if isinstance(event, StatusChange):
                return event.at
        return self.created_at

    @property
    def until(self) -> datetime | None:
        """The until-time of the current status (e.g. postponed until), if any."""
        for event in reversed(self.events):
            if isinstance(event, StatusChange):
                return event.until
        return None

    @property
    def priority(self) -> str | None:
        """The current priority id."""
        for event in reversed(self.events):
            if isinstance(event, PriorityChange):
                return event.to
        return self.initial_priority

    @property
    def type(self) -> str | None:
        """The current ticket type id."""
        for event in reversed(self.events):
            if isinstance(event, TypeChange):
                return event.to
        return self.initial_type

    @property
    def assignee(self) -> Assignee | None:
        """Who is responsible now: an employee, a group, or nobody."""
        for event in reversed(self.events):
            if isinstance(event, Assignment):
                return event.assignee
        return self.initial_assignee

    @property
    def current_observer_employees(self) -> frozenset[str]:
        """The employees observing the ticket now: those named at registration,
        changed by every :class:`ObserverChange` since."""
        return self._observers(self.observer_employees, "employee")

    @property
    def current_observer_groups(self) -> frozenset[str]:
        """The employee groups observing the ticket now (as
        :attr:`current_observer_employees`)."""
        return self._observers(self.observer_groups, "group")

    def _observers(self, registered: frozenset[str], field: str) -> frozenset[str]:
        current = set(registered)
        for event in self.events:
            if isinstance(event, ObserverChange):
                who = getattr(event, field)
                if who is None:
                    continue
                if event.added:
                    current.add(who)
                else:
                    current.discard(who)
        return frozenset(current)

    @property
    def comments(self) -> tuple[Comment, ...]:
        """Every comment, public and private, oldest first."""
        return tuple(e for e in self.events if isinstance(e, Comment))

    @property
    def customer_spoke_last(self) -> bool:
        """True for a new ticket or one whose last comment came from the contact:
        what a help desk shows in bold as *unread*."""
        for event in reversed(self.events):
            if isinstance(event, Comment):
                return event.author == "contact"
        return True

    @property
    def updated_at(self) -> datetime:
        """The instant of the last event, or the registration."""
        return self.events[-1].at if self.events else self.created_at


_TICKET_FIELDS = tuple(field.name for field in attrs.fields(Ticket))
"""The fields :meth:`Ticket.with_event` copies."""


__all__ = [
    "EVENT_KINDS",
    "SYSTEM",
    "Assignee",
    "Assignment",
    "Attachment",
    "AuthorKind",
    "Comment",
    "Event",
    "ObserverChange",
    "PriorityChange",
    "SlaOverride",
    "StatusChange",
    "Ticket",
    "TypeChange",
]
