"""Follow-up tickets: a customer's reply to a ticket closed longer ago than
the reopen window does not reopen it; it opens a new ticket linked to it.

One registration for both places a follow-up comes from — the desk's
``customer_reply`` (the reply arrives now) and the scheduler (a late reply
found on an imported closed ticket) — so the new ticket and the out-box
entries are the same either way.
"""

from __future__ import annotations

from helpdesk_core.config import Configuration
from helpdesk_core.desk.registration import check_assignee
from helpdesk_core.desk.ticket_ids import allocate_ticket_id
from helpdesk_core.errors import ValidationError
from helpdesk_core.model.domain_events import DomainEvent, comment_added, ticket_registered
from helpdesk_core.model.ticket import Assignee, Ticket
from helpdesk_core.sla import CustomerFacts
from helpdesk_core.sla_states.keeping import keep_sla_state
from helpdesk_core.storage.protocols import UnitOfWork
from helpdesk_core.workflow import FollowUp


def follow_up_ticket(
    closed: Ticket,
    decision: FollowUp,
    new_id: str,
    *,
    status: str = "open",
    assignee: Assignee | None = None,
) -> Ticket:
    """The follow-up of ``closed`` asked for by ``decision``: at the reply's
    instant, in ``status`` (the graph's initial one), with the closed
    ticket's customer, assets, contract, type, priority and attributes,
    ``assignee`` responsible (the closed ticket's, when still possible), the
    reply as its first comment, linked by ``extra["follow_up_of"]``."""
    reply = decision.comment
    return Ticket.register(
        id=new_id,
        subject=closed.subject,
        created_at=reply.at,
        status=status,
        type=closed.type,
        priority=closed.priority,
        assignee=assignee,
        channel=reply.channel or closed.channel,
        company=closed.company,
        contact=closed.contact,
        service_object=closed.service_object,
        equipment=closed.equipment,
        contract=closed.contract,
        attributes=dict(closed.attributes),
        extra={"follow_up_of": closed.id},
    ).with_event(reply)


def still_responsible(uow: UnitOfWork, assignee: Assignee | None, where: str) -> Assignee | None:
    """``assignee`` when they may still be responsible (an active employee,
    an existing group), else nobody."""
    if assignee is None:
        return None
    try:
        check_assignee(uow, assignee, where=where)
    except ValidationError:
        return None
    return assignee


def register_follow_up(
    uow: UnitOfWork,
    closed: Ticket,
    decision: FollowUp,
    config: Configuration,
    *,
    by: str,
    customer: CustomerFacts | None,
    fingerprint: str,
) -> tuple[Ticket, int, list[DomainEvent]]:
    """Register the follow-up of ``closed`` in ``uow`` (its id from the
    ``[desk]`` sequence) and keep its stored SLA state (``customer``: the
    facts of the closed ticket's company, which is the follow-up's;
    ``fingerprint``: of ``config``'s SLA): the new ticket, its version and the out-box events —
    ``ticket_registered`` and ``comment_added`` of the new ticket (by the
    replying contact), ``follow_up_registered`` of the closed one (by ``by``:
    the contact when the reply arrives through the desk, ``system`` when the
    scheduler finds it)."""
    new_id = allocate_ticket_id(uow, config.desk)
    assignee = still_responsible(uow, closed.assignee, f"ticket {closed.id}: follow-up")
    ticket = follow_up_ticket(closed, decision, new_id, status=config.graph.initial, assignee=assignee)
    version = uow.tickets.add(ticket)
    keep_sla_state(uow, ticket, config=config, customer=customer, fingerprint=fingerprint)
    reply = decision.comment
    replier = reply.by if reply.by is not None else by
    linked = DomainEvent(
        kind="follow_up_registered",
        ticket=closed.id,
        at=reply.at,
        by=by,
        data={"follow_up": new_id, "closed_at": decision.closed_at.isoformat(), "reason": decision.reason},
    )
    registered = ticket_registered(ticket, by=replier, follow_up_of=closed.id)
    return ticket, version, [registered, comment_added(new_id, reply), linked]


__all__ = ["follow_up_ticket", "register_follow_up", "still_responsible"]
