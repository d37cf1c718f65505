"""The parties a ticket names: its company and contact, who it is assigned to
(at registration and by every ``assign`` event), who wrote its comments and
who was made an observer by an ``observers`` event.

A ticket history may only name parties the desk knows; importing one checks
each of these against the store (:func:`helpdesk_core.desk.import_ticket_histories`).
Who moved a status or changed a priority (``by`` of other events) is not
listed: it may be ``system``, an integration or a person the desk keeps no
record of; nor is a comment written by ``system`` (the desk's automation,
which the desk lets write employees' comments).
"""

from __future__ import annotations

from typing import Literal

import attrs

from helpdesk_core.model.ticket import SYSTEM, Assignee, Assignment, Comment, ObserverChange, Ticket

PartyKind = Literal["companies", "contacts", "employees", "employee_groups"]
"""Where a named party lives (the unit-of-work repository)."""

NOUNS: dict[PartyKind, str] = {
    "companies": "company",
    "contacts": "contact",
    "employees": "employee",
    "employee_groups": "employee group",
}


@attrs.frozen
class PartyReference:
    """``where`` in the ticket (``company``, ``events[2]``) names the party
    ``id`` of ``kind``; ``role`` says how (``assigned to``, ``comment by``)."""

    where: str
    role: str
    kind: PartyKind
    id: str

    def unknown(self) -> str:
        """The message for a reference the desk does not know."""
        noun = NOUNS[self.kind]
        where = "" if self.where == noun else f"{self.where}: "
        role = f"{self.role} " if self.role else ""
        return f"{where}{role}{noun} {self.id!r} is not known"


def _assignee(where: str, role: str, assignee: Assignee) -> PartyReference:
    kind: PartyKind = "employee_groups" if assignee.group else "employees"
    return PartyReference(where, role, kind, assignee.id)


def parties_named(ticket: Ticket) -> tuple[PartyReference, ...]:
    """Every party ``ticket`` names, in the order of its history JSONL line."""
    named: list[PartyReference] = []
    if ticket.company is not None:
        named.append(PartyReference("company", "", "companies", ticket.company))
    if ticket.contact is not None:
        named.append(PartyReference("contact", "", "contacts", ticket.contact))
    if ticket.initial_assignee is not None:
        named.append(_assignee("assignee", "", ticket.initial_assignee))
    for index, event in enumerate(ticket.events):
        where = f"events[{index}]"
        if isinstance(event, Assignment) and event.assignee is not None:
            named.append(_assignee(where, "assigned to", event.assignee))
        elif isinstance(event, Comment) and event.by not in (None, SYSTEM):
            kind: PartyKind = "contacts" if event.author == "contact" else "employees"
            named.append(PartyReference(where, "comment by", kind, event.by))
        elif isinstance(event, ObserverChange):
            if event.employee is not None:
                named.append(PartyReference(where, "observer", "employees", event.employee))
            if event.group is not None:
                named.append(PartyReference(where, "observer", "employee_groups", event.group))
    return tuple(named)


__all__ = ["NOUNS", "PartyKind", "PartyReference", "parties_named"]
