"""What routing needs to know about a ticket that is not registered yet.

The caller (the desk) looks the parties up; routing does no I/O. The same
facts can be written by hand (``helpdesk routing explain --facts``) or rebuilt
from a stored ticket (a replay).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

import attrs

from helpdesk_core.model.assets import ServiceObject
from helpdesk_core.model.checks import aware, id_set, identifier, identifier_set, identifiers
from helpdesk_core.model.parties import Company, Contact, CustomerGroup, groups_by_priority
from helpdesk_core.model.ticket import Assignee

_assignee = attrs.validators.optional(attrs.validators.instance_of(Assignee))


def _ids(value: Iterable[str]) -> frozenset[str]:
    return id_set(value)


def _id_tuple(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(dict.fromkeys(value))


def _attributes(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


def _responsibles(value: Mapping[str, Assignee]) -> Mapping[str, Assignee]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class RoutingFacts:
    """Everything :func:`~helpdesk_core.routing.route` reads about one ticket.

    ``customer_groups`` are in the order their responsibles are asked (most
    important first); ``customer_group_responsible`` maps a customer group to
    its responsible (groups without one are absent). ``sla_rule`` is the name
    of the SLA rule in force, for the AyMINE owner chain. ``registered_at``
    is the instant the time conditions of the table test (timezone-aware).
    """

    registered_at: datetime = attrs.field(validator=aware)
    type: str | None = attrs.field(default=None, validator=identifier)
    priority: str | None = attrs.field(default=None, validator=identifier)
    channel: str | None = attrs.field(default=None, validator=identifier)
    client_category: str | None = attrs.field(default=None, validator=identifier)
    company: str | None = attrs.field(default=None, validator=identifier)
    customer_groups: tuple[str, ...] = attrs.field(
        default=(), converter=_id_tuple, validator=identifiers
    )
    attributes: Mapping[str, Any] = attrs.field(factory=dict, converter=_attributes, hash=False)
    service_object_responsible: Assignee | None = attrs.field(default=None, validator=_assignee)
    contact_responsible: Assignee | None = attrs.field(default=None, validator=_assignee)
    company_responsible: Assignee | None = attrs.field(default=None, validator=_assignee)
    contact_observer_employees: frozenset[str] = attrs.field(
        default=frozenset(), converter=_ids, validator=identifier_set
    )
    contact_observer_groups: frozenset[str] = attrs.field(
        default=frozenset(), converter=_ids, validator=identifier_set
    )
    company_observer_employees: frozenset[str] = attrs.field(
        default=frozenset(), converter=_ids, validator=identifier_set
    )
    company_observer_groups: frozenset[str] = attrs.field(
        default=frozenset(), converter=_ids, validator=identifier_set
    )
    sla_rule: str | None = None
    customer_group_responsible: Mapping[str, Assignee] = attrs.field(
        factory=dict, converter=_responsibles, hash=False
    )

    def for_rules(self) -> dict[str, object]:
        """The facts a rule table's conditions test (``helpdesk_core.rules.Facts``)."""
        return {
            "type": self.type,
            "priority": self.priority,
            "channel": self.channel,
            "client_category": self.client_category,
            "company": self.company,
            "customer_group": self.customer_groups,
            "attributes": self.attributes,
            "registered_at": self.registered_at,
        }

    @classmethod
    def of(
        cls,
        *,
        registered_at: datetime,
        type: str | None = None,
        priority: str | None = None,
        channel: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        company: Company | None = None,
        contact: Contact | None = None,
        service_object: ServiceObject | None = None,
        customer_groups: Iterable[CustomerGroup] = (),
        sla_rule: str | None = None,
    ) -> RoutingFacts:
        """The facts of a ticket of ``company`` / ``contact`` / ``service_object``
        (each may be None). ``customer_groups`` are the groups of the company and
        the contact; they are asked in price-list order (priority, then id)."""
        groups = groups_by_priority(customer_groups)
        return cls(
            registered_at=registered_at,
            type=type,
            priority=priority,
            channel=channel,
            client_category=None if company is None else company.category,
            company=None if company is None else company.id,
            customer_groups=tuple(group.id for group in groups),
            attributes=attributes or {},
            service_object_responsible=None if service_object is None else service_object.responsible,
            contact_responsible=None if contact is None else contact.responsible,
            company_responsible=None if company is None else company.responsible,
            contact_observer_employees=frozenset() if contact is None else contact.observer_employees,
            contact_observer_groups=frozenset() if contact is None else contact.observer_groups,
            company_observer_employees=frozenset() if company is None else company.observer_employees,
            company_observer_groups=frozenset() if company is None else company.observer_groups,
            sla_rule=sla_rule,
            customer_group_responsible={
                group.id: group.responsible for group in groups if group.responsible is not None
            },
        )


__all__ = ["RoutingFacts"]
