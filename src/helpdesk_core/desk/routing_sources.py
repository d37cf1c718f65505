"""What routing reads from the store: the facts of a ticket and the staff.

Routing itself (:mod:`helpdesk_core.routing`) is pure; this shell looks up
what it needs through a :class:`RoutingSources` — a store or a unit of work,
both offer it — for the desk's registration, ``routing explain`` and
``routing replay``:

- :func:`routing_facts_in`: the company, contact, service object and
  customer groups of a new ticket (and the SLA rule in force, read only by
  the AyMINE owner chain);
- :func:`staff_in`: every employee and group, the configured calendars, the
  load of the members of groups a rule hands over by a strategy, and each
  round-robin group's cursor (the store setting ``routing.cursor.<group>``,
  moved by compare-and-set with the registration that used it).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Protocol

from helpdesk_core.config import Configuration
from helpdesk_core.model.assets import ServiceObject
from helpdesk_core.model.parties import Company, Contact, CustomerGroup
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.model.ticket import Assignee, Ticket
from helpdesk_core.reports.customers import customer_facts
from helpdesk_core.routing.facts import RoutingFacts
from helpdesk_core.routing.load import load_of_counts
from helpdesk_core.routing.policy import OwnerChain, Strategy
from helpdesk_core.routing.staff import StaffSnapshot
from helpdesk_core.storage.protocols import Reader, StoreSettingsReader, TicketReader

CURSOR_PREFIX = "routing.cursor."
"""Store settings ``routing.cursor.<group>``: the member a round-robin group
gave its last ticket to."""


def cursor_setting(group: str) -> str:
    """The store setting holding ``group``'s round-robin cursor."""
    return f"{CURSOR_PREFIX}{group}"


class RoutingSources(Protocol):
    """What routing reads: a :class:`~helpdesk_core.storage.Store` or a
    :class:`~helpdesk_core.storage.UnitOfWork`."""

    @property
    def tickets(self) -> TicketReader: ...

    @property
    def companies(self) -> Reader[Company]: ...

    @property
    def contacts(self) -> Reader[Contact]: ...

    @property
    def customer_groups(self) -> Reader[CustomerGroup]: ...

    @property
    def service_objects(self) -> Reader[ServiceObject]: ...

    @property
    def employees(self) -> Reader[Employee]: ...

    @property
    def employee_groups(self) -> Reader[EmployeeGroup]: ...

    @property
    def settings(self) -> StoreSettingsReader: ...


def routing_facts_in(
    sources: RoutingSources,
    config: Configuration,
    *,
    registered_at: datetime,
    type: str | None = None,
    priority: str | None = None,
    channel: str | None = None,
    attributes: Mapping[str, Any] | None = None,
    company: str | None = None,
    contact: str | None = None,
    service_object: str | None = None,
) -> RoutingFacts:
    """The routing facts of a ticket with these values; parties that do not
    exist are treated as absent (registration refuses them before routing)."""
    found_company = None if company is None else _value(sources.companies.find(company))
    found_contact = None if contact is None else _value(sources.contacts.find(contact))
    place = None if service_object is None else _value(sources.service_objects.find(service_object))
    group_ids: set[str] = set() if found_company is None else set(found_company.customer_groups)
    if found_contact is not None:
        group_ids |= found_contact.customer_groups
    groups = {id: stored.value for id, stored in sources.customer_groups.find_many(group_ids).items()}
    sla_rule = None
    if config.routing.settings.owner_chain is OwnerChain.AYMINE and config.sla is not None:
        selection = config.sla.selector.select_ticket(
            type,
            priority,
            config.graph.initial,
            channel,
            company,
            attributes or {},
            registered_at,
            customer_facts(found_company, groups),
        )
        sla_rule = selection.name
    return RoutingFacts.of(
        registered_at=registered_at,
        type=type,
        priority=priority,
        channel=channel,
        attributes=attributes,
        company=found_company,
        contact=found_contact,
        service_object=place,
        customer_groups=groups.values(),
        sla_rule=sla_rule,
    )


def ticket_routing_facts(sources: RoutingSources, config: Configuration, ticket: Ticket) -> RoutingFacts:
    """The routing facts of a stored ticket as it was registered (its
    initial type and priority, its parties as the store holds them now)."""
    return routing_facts_in(
        sources,
        config,
        registered_at=ticket.created_at,
        type=ticket.initial_type,
        priority=ticket.initial_priority,
        channel=ticket.channel,
        attributes=ticket.attributes,
        company=ticket.company,
        contact=ticket.contact,
        service_object=ticket.service_object,
    )


def strategy_groups(config: Configuration) -> dict[str, set[Strategy]]:
    """Each group a routing rule hands over by a strategy, with the strategies."""
    found: dict[str, set[Strategy]] = {}
    for rule in config.routing.table.in_order:
        result = rule.result
        if result.assignee.group and result.strategy is not Strategy.KEEP_GROUP:
            found.setdefault(result.assignee.id, set()).add(result.strategy)
    return found


def named_by(config: Configuration, facts: RoutingFacts) -> tuple[set[str], set[str]]:
    """The employees and the groups a decision on ``facts`` can name: every
    rule's assignee, each link of the owner chain (the parties' responsibles,
    the customer groups', the SLA rules', the account default) — the members
    of the groups not included."""
    named: list[Assignee | None] = [rule.result.assignee for rule in config.routing.table.in_order]
    settings = config.routing.settings
    named += [
        facts.service_object_responsible,
        facts.contact_responsible,
        facts.company_responsible,
        settings.default_assignee,
        *facts.customer_group_responsible.values(),
        *settings.sla_responsible.values(),
    ]
    employees = {a.id for a in named if a is not None and not a.group}
    groups = {a.id for a in named if a is not None and a.group}
    return employees, groups


def staff_in(
    sources: RoutingSources, config: Configuration, facts: RoutingFacts | None = None
) -> StaffSnapshot:
    """The staff as routing sees it now: the employees and groups (with
    ``facts``, only those a decision on them can name — :func:`named_by` —
    and the members of those groups, so a registration reads as many people
    as the configuration names, not the whole staff; without, everybody), the
    configured calendars, the load of each member of a strategy group (tickets
    in statuses whose ``counts_toward_load`` flag is set; a status the
    workflow does not know counts) and each round-robin group's cursor."""
    if facts is None:
        employees = [stored.value for stored in sources.employees.iter()]
        groups = {stored.value.id: stored.value for stored in sources.employee_groups.iter()}
    else:
        wanted, wanted_groups = named_by(config, facts)
        groups = {id: stored.value for id, stored in sources.employee_groups.find_many(wanted_groups).items()}
        wanted |= {member for group in groups.values() for member in group.members}
        employees = [stored.value for stored in sources.employees.find_many(wanted).values()]
    handing_over = strategy_groups(config)
    members = {m for g in handing_over if g in groups for m in groups[g].members}
    load = load_of_counts(sources.tickets.assigned_counts(members), config.graph) if members else {}
    cursors = {}
    for group, strategies in handing_over.items():
        if Strategy.ROUND_ROBIN in strategies:
            cursor = sources.settings.get(cursor_setting(group))
            if cursor is not None:
                cursors[group] = cursor
    return StaffSnapshot.of(
        employees, groups.values(), calendars=config.calendars, load=load, cursors=cursors
    )


def _value(stored: Any) -> Any:
    return None if stored is None else stored.value


__all__ = [
    "CURSOR_PREFIX",
    "RoutingSources",
    "cursor_setting",
    "named_by",
    "routing_facts_in",
    "staff_in",
    "strategy_groups",
    "ticket_routing_facts",
]
