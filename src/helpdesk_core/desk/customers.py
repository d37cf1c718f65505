"""The customer facts the SLA needs, looked up in a store for one ticket
(:func:`customer_directory`, for many tickets, is in
:mod:`helpdesk_core.reports.customers` and re-exported here)."""

from __future__ import annotations

from helpdesk_core.model.ticket import Ticket
from helpdesk_core.reports.customers import customer_directory, customer_facts
from helpdesk_core.sla import CustomerFacts
from helpdesk_core.storage.protocols import Store


def customer_facts_of(store: Store, ticket: Ticket) -> CustomerFacts:
    """The customer facts of one ticket: its company, then only that company's
    customer groups (two look-ups; none without a company)."""
    found = None if ticket.company is None else store.companies.find(ticket.company)
    company = None if found is None else found.value
    groups = {} if company is None else store.customer_groups.find_many(company.customer_groups)
    return customer_facts(company, {id: stored.value for id, stored in groups.items()})


__all__ = ["customer_directory", "customer_facts_of"]
