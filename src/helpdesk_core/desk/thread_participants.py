"""The participants of the tickets an incoming message names, read from the
store for :func:`~helpdesk_core.intake.threads.decide_thread`: the contact
and the contact's copy address, the observers (employees, and the members of
observer groups), every active employee of the desk, and the company's
domains. A deactivated employee is nobody's participant any more."""

from __future__ import annotations

from collections.abc import Iterable

from helpdesk_core.intake.threads import Participants
from helpdesk_core.storage.protocols import Store, UnitOfWork


def participants_of(sources: Store | UnitOfWork, tickets: Iterable[str]) -> dict[str, Participants]:
    """Each ticket of ``tickets`` the store holds, with its participants."""
    found = sources.tickets.find_many(tickets)
    if not found:
        return {}
    active = [stored.value for stored in sources.employees.iter() if stored.value.active]
    staff = {employee.email.lower(): f"employee {employee.id}" for employee in active}
    employee_emails = {employee.id: employee.email.lower() for employee in active}
    groups = {stored.value.id: stored.value for stored in sources.employee_groups.iter()}
    out: dict[str, Participants] = {}
    for ticket_id, stored in found.items():
        ticket = stored.value
        who = dict(staff)
        if ticket.contact is not None and (contact := sources.contacts.find(ticket.contact)) is not None:
            for address in contact.value.notification_emails:
                who[address.lower()] = f"its contact {contact.value.id}"
        observing = set(ticket.current_observer_employees)
        for group in ticket.current_observer_groups:
            if group in groups:
                observing |= set(groups[group].members)
        for employee in sorted(observing):
            if employee in employee_emails:
                who[employee_emails[employee]] = f"its observer {employee}"
        domains: frozenset[str] = frozenset()
        if ticket.company is not None and (company := sources.companies.find(ticket.company)) is not None:
            domains = company.value.domains
        out[ticket_id] = Participants(ticket=ticket_id, addresses=frozenset(who), domains=domains, who=who)
    return out


__all__ = ["participants_of"]
