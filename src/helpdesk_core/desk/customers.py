"""The customer facts the SLA needs, looked up in a store: the shell side of
:mod:`helpdesk_core.reports.customers` (which stays pure)."""

from __future__ import annotations

from helpdesk_core.model.parties import Company
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.reports.customers import CustomerDirectory, customer_facts
from helpdesk_core.sla import CustomerFacts
from helpdesk_core.storage.protocols import Store


def customer_directory(store: Store) -> CustomerDirectory:
    """Customer facts of tickets through the store's company reader, cached for
    the run (every customer group is read once, now): what a batch report over
    many tickets of few companies wants."""

    def find(company_id: str) -> Company | None:
        found = store.companies.find(company_id)
        return None if found is None else found.value

    return CustomerDirectory(find, (stored.value for stored in store.customer_groups.iter()))


def customer_facts_of(store: Store, ticket: Ticket) -> CustomerFacts:
    """The customer facts of one ticket: its company, then only that company's
    customer groups (two look-ups; none without a company)."""
    found = None if ticket.company is None else store.companies.find(ticket.company)
    company = None if found is None else found.value
    groups = {} if company is None else store.customer_groups.find_many(company.customer_groups)
    return customer_facts(company, {id: stored.value for id, stored in groups.items()})


__all__ = ["customer_directory", "customer_facts_of"]
