"""What happened at the desk, as the out-box keeps it for its consumers.

A :class:`DomainEvent` is produced by a desk use case (or the scheduler) and
stored in the out-box **in the same transaction** as the change it reports, so
a consumer (notifications, webhooks, an audit feed) can never miss one nor see
one that was rolled back. Events are plain values; ``data`` holds JSON values
only (text, numbers, booleans, null, lists and objects of them).

Ticket-history events (:mod:`helpdesk_core.model.ticket`) say what happened *to
a ticket*; domain events say what the desk *did*, for whom to tell: several
domain events may come from one history event (``comment_added`` and one
``mentioned`` per mention), and some have no history event at all
(``deadline_approaching`` is a fact of the clock, not of the ticket).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import aware, identifier, instant
from helpdesk_core.model.ticket import Assignee, Comment, Ticket

DOMAIN_EVENT_KINDS: tuple[str, ...] = (
    "ticket_registered",
    "status_changed",
    "assignee_changed",
    "priority_changed",
    "type_changed",
    "due_set",
    "observer_added",
    "observer_removed",
    "comment_added",
    "mentioned",
    "follow_up_registered",
    "deadline_approaching",
    "deadline_breached",
    "period_ending",
)
"""Every kind of domain event the desk writes to the out-box."""


def _kind(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if value not in DOMAIN_EVENT_KINDS:
        raise ValidationError(
            f"DomainEvent.kind: expected one of {', '.join(DOMAIN_EVENT_KINDS)}, got {value!r}"
        )


def _position(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValidationError(f"OutboxEntry.position: expected a whole number >= 1, got {value!r}")


@attrs.frozen(kw_only=True)
class DomainEvent:
    """One thing the desk did: ``kind`` (one of :data:`DOMAIN_EVENT_KINDS`), the
    ``ticket`` it concerns (None for events of no ticket, e.g. a service period
    ending), the instant ``at`` it happened (the history event's instant, or
    the deadline's), who did it (``by``: an employee or contact id, ``system``)
    and the details a consumer needs in ``data`` (e.g. ``{"from": "open", "to":
    "resolved"}`` for ``status_changed``)."""

    kind: str = attrs.field(validator=_kind)
    ticket: str | None = attrs.field(validator=identifier)
    at: datetime = attrs.field(validator=instant)
    by: str | None = attrs.field(default=None, validator=identifier)
    data: Mapping[str, Any] = attrs.field(factory=dict)


@attrs.frozen(kw_only=True)
class OutboxEntry:
    """A domain event as the out-box holds it: ``position`` numbers the entries
    1, 2, 3, … without gaps in commit order, so a consumer that remembers the
    last position it handled resumes exactly where it stopped."""

    position: int = attrs.field(validator=_position)
    event: DomainEvent


@attrs.frozen(kw_only=True)
class ScheduleEntry:
    """When the scheduler must next look at a ticket.

    ``wake_at``: the earliest instant at which something becomes due for the
    ticket by itself — an automatic status change, an escalation notice — or
    None when nothing is ahead. A ticket written by anything but the desk's
    scheduler-aware code (an import, a privacy rewrite) is marked ``stale``:
    its wake-up is unknown and the next :meth:`Desk.run_due` looks at it first.

    ``checked_through``: everything due up to and including this instant has
    been handled (escalation notices sent to the out-box, follow-ups made);
    None when the scheduler has never looked at the ticket.
    """

    ticket: str = attrs.field(validator=identifier)
    wake_at: datetime | None = attrs.field(default=None, validator=aware)
    checked_through: datetime | None = attrs.field(default=None, validator=aware)
    stale: bool = False


def assignee_data(assignee: Assignee | None) -> dict[str, Any] | None:
    """An assignee as domain events carry it: ``{"id": …, "group": …}`` or None."""
    return None if assignee is None else {"id": assignee.id, "group": assignee.group}


def comment_data(comment: Comment) -> dict[str, Any]:
    """What ``comment_added`` tells of a comment (attachments by name)."""
    return {
        "author": comment.author,
        "public": comment.public,
        "body": comment.body,
        "channel": comment.channel,
        "mentions": list(comment.mentions),
        "attachments": [attachment.name for attachment in comment.attachments],
    }


def ticket_registered(ticket: Ticket, *, by: str, warnings: Sequence[str] = (), **more: Any) -> DomainEvent:
    """The ``ticket_registered`` event of a new ticket; ``more`` adds details
    (``follow_up_of`` for a follow-up)."""
    return DomainEvent(
        kind="ticket_registered",
        ticket=ticket.id,
        at=ticket.created_at,
        by=by,
        data={
            "subject": ticket.subject,
            "status": ticket.initial_status,
            "type": ticket.initial_type,
            "priority": ticket.initial_priority,
            "channel": ticket.channel,
            "company": ticket.company,
            "contact": ticket.contact,
            "assignee": assignee_data(ticket.assignee),
            "warnings": list(warnings),
            **more,
        },
    )


def comment_added(ticket_id: str, comment: Comment) -> DomainEvent:
    """The ``comment_added`` event of ``comment`` on ticket ``ticket_id``."""
    return DomainEvent(
        kind="comment_added", ticket=ticket_id, at=comment.at, by=comment.by, data=comment_data(comment)
    )


__all__ = [
    "DOMAIN_EVENT_KINDS",
    "DomainEvent",
    "OutboxEntry",
    "ScheduleEntry",
    "assignee_data",
    "comment_added",
    "comment_data",
    "ticket_registered",
]
