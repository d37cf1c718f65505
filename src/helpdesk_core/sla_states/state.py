"""One ticket's stored SLA state as a value, and the record a store indexes.

:class:`TicketSlaState` is what a report needs of a ticket at any ``as_of``
at or after its last event, without its history: the SLA projection
(:class:`~helpdesk_core.sla.projection.SlaProjection`), the facts reports
filter and group by (status, priority, type, responsible, as after the last
event) and the customer facts the rule selection used. The last ones are
kept so that a reader can tell a state computed before the customer's client
category or groups changed (:func:`customer_key`): such a state is folded
again, not trusted.

:func:`sla_state_record` reduces the value to the
:class:`~helpdesk_core.storage.protocols.SlaStateRecord` a store keeps: the
JSON document and the indexed columns of the work queues. Pure: no I/O.
"""

from __future__ import annotations

from datetime import datetime

import attrs

from helpdesk_core.model.ticket import Ticket
from helpdesk_core.reports.as_of import TicketAsOf
from helpdesk_core.sla.clock import KnowsStatuses
from helpdesk_core.sla.policy import SlaPolicy
from helpdesk_core.sla.projection import SlaProjection, project
from helpdesk_core.sla.row import Clock
from helpdesk_core.sla.selection import CustomerFacts
from helpdesk_core.storage.protocols import SlaStateRecord

CustomerKey = tuple[str | None, tuple[str, ...], tuple[tuple[str, str], ...]]
"""What of a customer the rule selection reads: client category, customer
groups in priority order, each group's SLA rule (sorted by group)."""


def customer_key(customer: CustomerFacts | None) -> CustomerKey | None:
    """The part of ``customer`` a projection depends on, comparable with ``==``
    (``CustomerFacts`` itself does not compare ``group_sla``)."""
    if customer is None:
        return None
    return (
        customer.client_category,
        tuple(customer.customer_groups),
        tuple(sorted(customer.group_sla.items())),
    )


@attrs.frozen(kw_only=True)
class TicketSlaState:
    """A ticket's SLA clock after its last event (``projection``), its facts
    after that event (``facts``) and what its customer looked like to the rule
    selection (``customer``, see :func:`customer_key`)."""

    projection: SlaProjection
    facts: TicketAsOf
    customer: CustomerKey | None

    @property
    def ticket(self) -> str:
        return self.projection.ticket

    @property
    def last_event(self) -> datetime:
        return self.projection.last_event


def ticket_sla_state(
    ticket: Ticket,
    *,
    policy: SlaPolicy,
    graph: KnowsStatuses,
    customer: CustomerFacts | None = None,
) -> TicketSlaState:
    """The stored SLA state of ``ticket`` as it stands (one fold of its history)."""
    assignee = ticket.assignee
    return TicketSlaState(
        projection=project(ticket, policy=policy, graph=graph, customer=customer),
        facts=TicketAsOf(
            status=ticket.status,
            priority=ticket.priority,
            type=ticket.type,
            assignee=None if assignee is None else assignee.id,
        ),
        customer=customer_key(customer),
    )


def owed_dues(projection: SlaProjection) -> tuple[datetime | None, datetime | None]:
    """The reaction and resolution due instants still owed (None for a target
    achieved, without a due, or — resolution — paused with a due that moves)."""
    reaction = projection.reaction_due if projection.reacted_at is None else None
    resolution = projection.resolution_due
    if projection.clock is Clock.STOPPED:
        resolution = None
    return reaction, resolution


def sla_state_record(
    state: TicketSlaState,
    *,
    document: str,
    fingerprint: str,
    company: str | None,
    status_category: str | None,
) -> SlaStateRecord:
    """The record a store keeps for ``state``: ``document`` is its JSON
    (:func:`~helpdesk_core.serialization.ticket_sla_state_to_json`), the
    columns are the queues'. ``due`` is the earliest due instant still owed;
    ``at_risk_from`` the projection's (at risk while nothing owed is past due);
    ``next_change`` when the state changes by itself."""
    projection = state.projection
    reaction, resolution = owed_dues(projection)
    owed = [due for due in (reaction, resolution) if due is not None]
    return SlaStateRecord(
        ticket=projection.ticket,
        document=document,
        fingerprint=fingerprint,
        clock=projection.clock.value,
        due=min(owed, default=None),
        at_risk_from=projection.at_risk_from if owed else None,
        next_change=projection.next_change,
        reaction_due=projection.reaction_due,
        resolution_due=projection.resolution_due,
        reacted=projection.reacted_at is not None,
        resolved=projection.clock is Clock.STOPPED,
        assignee=state.facts.assignee,
        company=company,
        status_category=status_category,
        breached_from=projection.breached_from,
        status=state.facts.status,
    )


__all__ = [
    "CustomerKey",
    "TicketSlaState",
    "customer_key",
    "owed_dues",
    "sla_state_record",
    "ticket_sla_state",
]
