"""What a desk use case hands back: the ticket as stored, its version and the
domain events it wrote to the out-box; and what ``sla_status`` answers."""

from __future__ import annotations

import attrs

from helpdesk_core.model.domain_events import DomainEvent
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.routing.decision import RoutingDecision
from helpdesk_core.sla import SlaRow


@attrs.frozen(kw_only=True)
class Outcome:
    """The result of one use case.

    ``ticket`` is the ticket as stored after it (for a customer reply that
    made a follow-up: the new ticket), ``version`` its stored version,
    ``events`` exactly the domain events that went to the out-box, in order,
    ``warnings`` what deserves a word without refusing (a contract that does
    not cover the day), ``follow_up_of`` the closed ticket a follow-up was
    made for. ``routing`` is the decision that chose the owner and the
    observers of a ticket registered without an assignee (recorded in its
    ``assign`` event too).
    """

    ticket: Ticket
    version: int
    events: tuple[DomainEvent, ...] = ()
    warnings: tuple[str, ...] = ()
    follow_up_of: str | None = None
    routing: RoutingDecision | None = None


@attrs.frozen(kw_only=True)
class SlaStatus:
    """The SLA row of a ticket as of an instant, and the working time left.

    ``reaction_left`` / ``resolution_left``: whole working minutes on the
    calendar of the rule judging the target, from ``row.as_of`` to the due
    instant; negative once breached (minutes past the due); None once the
    target is achieved or when it has no due instant (no SLA).
    """

    row: SlaRow
    reaction_left: int | None
    resolution_left: int | None


__all__ = ["Outcome", "SlaStatus"]
