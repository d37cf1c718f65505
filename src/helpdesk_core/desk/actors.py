"""Who may do what at the desk: the baseline before roles (issue 19).

* ``system`` — the desk's own automation and integrations acting for it: may
  do everything an employee may;
* an **active employee** — registers, comments (as an employee), moves,
  assigns, changes priority, type, deadlines and observers; an unknown or
  deactivated employee is refused;
* the ticket's **contact** — registers a ticket for themself, replies
  (public comments as the contact), confirms or reopens a resolved ticket;
  nothing else, and only on their own tickets.

An employee may not write as the contact, nor the contact as an employee.
Every refusal is :class:`~helpdesk_core.errors.PermissionDenied` (exit code
9) naming the ticket, the actor and what was refused; nothing is stored.
"""

from __future__ import annotations

from typing import Literal

import attrs

from helpdesk_core.errors import PermissionDenied
from helpdesk_core.model.ticket import SYSTEM
from helpdesk_core.storage.protocols import UnitOfWork

ActorKind = Literal["system", "employee", "contact"]


@attrs.frozen
class Actor:
    """Who acts: ``id`` as given in ``by`` and which kind of party it is."""

    id: str
    kind: ActorKind


def _refused(where: str, by: str, what: str, why: str) -> PermissionDenied:
    return PermissionDenied(f"{where}: {by!r} may not {what}: {why}")


def employee_acting(uow: UnitOfWork, by: str, *, where: str, what: str) -> Actor:
    """``by`` as an employee (or the system) allowed to ``what``; refused for
    anybody else (a contact, an unknown id, a deactivated employee)."""
    if by == SYSTEM:
        return Actor(by, "system")
    found = uow.employees.find(by)
    if found is None:
        if uow.contacts.find(by) is not None:
            raise _refused(where, by, what, "a contact may only reply, confirm or reopen")
        raise _refused(where, by, what, "no employee of the desk has this id")
    if not found.value.active:
        raise _refused(where, by, what, f"employee {by} is deactivated")
    return Actor(by, "employee")


def contact_acting(contact: str | None, by: str, *, where: str, what: str) -> Actor:
    """``by`` as the ticket's ``contact``; refused for anybody else."""
    if contact is None:
        raise _refused(where, by, what, "the ticket has no contact, so only employees act on it")
    if by != contact:
        raise _refused(where, by, what, f"only the ticket's contact {contact} may")
    return Actor(by, "contact")


__all__ = ["Actor", "ActorKind", "contact_acting", "employee_acting"]
