"""The customer facts of tickets, looked up through any company finder and
remembered for the rest of a run: a batch report over a million tickets of a
few thousand companies asks the store once per company, not once per ticket."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any, Protocol

from helpdesk_core.model.parties import Company, CustomerGroup, groups_by_priority
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.sla import NO_CUSTOMER, CustomerFacts

CompanyFinder = Callable[[str], Company | None]
"""Finds a company by id (None when there is none), e.g. a store reader's ``find``."""

DEFAULT_CACHE_SIZE = 10_000
"""Companies remembered at most; the cache is emptied when full (memory stays bounded)."""


def customer_facts(company: Company | None, groups: dict[str, CustomerGroup]) -> CustomerFacts:
    """What the SLA needs to know about ``company``: its client category and
    its customer groups, most important first (group priority, then id), with
    the SLA rule each group carries. ``groups`` are every customer group by id;
    a group the company names but that does not exist is left out."""
    if company is None:
        return NO_CUSTOMER
    known = groups_by_priority(groups[g] for g in company.customer_groups if g in groups)
    return CustomerFacts(
        client_category=company.category,
        customer_groups=tuple(g.id for g in known),
        group_sla={g.id: g.sla for g in known if g.sla is not None},
    )


class CustomerDirectory:
    """Customer facts of tickets by their company, with a bounded per-run cache.

    Call it with a ticket (it is a :data:`~helpdesk_core.reports.CustomerLookup`).
    A ticket without a company, or whose company is not found, has no customer
    facts. ``lookups`` counts the calls to ``find``.
    """

    def __init__(
        self,
        find: CompanyFinder,
        groups: Iterable[CustomerGroup],
        *,
        cache_size: int = DEFAULT_CACHE_SIZE,
    ) -> None:
        self._find = find
        self._groups = {group.id: group for group in groups}
        self._cache: dict[str, CustomerFacts] = {}
        self._cache_size = cache_size
        self.lookups = 0

    def __call__(self, ticket: Ticket) -> CustomerFacts:
        return self.of_company(ticket.company)

    def of_company(self, company: str | None) -> CustomerFacts:
        """The customer facts of the tickets of ``company`` (None: no company)."""
        if company is None:
            return NO_CUSTOMER
        facts = self._cache.get(company)
        if facts is None:
            self.lookups += 1
            facts = customer_facts(self._find(company), self._groups)
            if len(self._cache) >= self._cache_size:
                self._cache.clear()
            self._cache[company] = facts
        return facts


class _Companies(Protocol):
    def find(self, id: str, /) -> Any: ...


class _CustomerGroups(Protocol):
    def iter(self) -> Iterator[Any]: ...


class CustomerSource(Protocol):
    """What :func:`customer_directory` reads: a store (its company and customer
    group readers), named by what is used so that this module stays pure."""

    @property
    def companies(self) -> _Companies: ...

    @property
    def customer_groups(self) -> _CustomerGroups: ...


def customer_directory(store: CustomerSource) -> CustomerDirectory:
    """Customer facts of tickets through the store's company reader, cached for
    the run (every customer group is read once, now): what a batch report over
    many tickets of few companies wants. The I/O is the store's; this function
    only calls its readers."""

    def find(company_id: str) -> Company | None:
        found = store.companies.find(company_id)
        company: Company | None = None if found is None else found.value
        return company

    return CustomerDirectory(find, (stored.value for stored in store.customer_groups.iter()))


__all__ = [
    "DEFAULT_CACHE_SIZE",
    "CompanyFinder",
    "CustomerDirectory",
    "CustomerSource",
    "customer_directory",
    "customer_facts",
]
