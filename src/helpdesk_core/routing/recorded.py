"""The routing decision a ticket's history recorded at its registration.

When the desk routes a new ticket, it registers it with the decision's owner
and writes an ``assign`` event to that same owner with the registration (at
the registration instant, by ``system``) carrying the whole decision under
``extra["routing"]`` — also when it names nobody but something was named — so
``helpdesk routing explain`` can say months later who decided and why, under
which configuration fingerprint, whatever the table and the staff are now.
"""

from __future__ import annotations

from typing import Final

from helpdesk_core.model.ticket import SYSTEM, Assignment, Ticket
from helpdesk_core.routing.decision import RoutingDecision

ROUTING_KEY: Final = "routing"
"""The key of an ``assign`` event's ``extra`` that holds a routing decision."""


def recorded_decision(ticket: Ticket) -> RoutingDecision | None:
    """The decision routing made when ``ticket`` was registered, or None when
    it was not routed (an assignee given by hand, an import, an older desk)."""
    from helpdesk_core.serialization import routing_decision_from_json

    for event in ticket.events:
        if event.at != ticket.created_at:
            return None
        if isinstance(event, Assignment) and event.by == SYSTEM and ROUTING_KEY in event.extra:
            return routing_decision_from_json(event.extra[ROUTING_KEY])
    return None


def routing_assignment(decision: RoutingDecision) -> Assignment:
    """The ``assign`` event that records ``decision`` at its instant, by ``system``."""
    from helpdesk_core.serialization import routing_decision_to_json

    assignee = decision.assignee
    return Assignment(
        at=decision.at,
        to=None if assignee is None else assignee.id,
        group=False if assignee is None else assignee.group,
        by=SYSTEM,
        extra={ROUTING_KEY: routing_decision_to_json(decision)},
    )


__all__ = ["ROUTING_KEY", "recorded_decision", "routing_assignment"]
