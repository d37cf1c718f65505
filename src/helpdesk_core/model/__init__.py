"""The help desk's things: tickets and their events, parties, contracts, staff, catalogs."""

from helpdesk_core.model.ticket import (
    EVENT_KINDS,
    SYSTEM,
    Assignee,
    Assignment,
    Attachment,
    AuthorKind,
    Comment,
    Event,
    PriorityChange,
    SlaOverride,
    StatusChange,
    Ticket,
    TypeChange,
)

__all__ = [
    "EVENT_KINDS",
    "SYSTEM",
    "Assignee",
    "Assignment",
    "Attachment",
    "AuthorKind",
    "Comment",
    "Event",
    "PriorityChange",
    "SlaOverride",
    "StatusChange",
    "Ticket",
    "TypeChange",
]
