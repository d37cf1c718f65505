"""A routing decision with where it comes from, in words: the decision a
ticket's registration recorded (history), or today's answer for a ticket that
was not routed or for facts written by hand. ``helpdesk routing explain``
prints :meth:`RoutingExplanation.lines`; the desk builds the value
(``helpdesk_core.desk.routing_explain``).
"""

from __future__ import annotations

import attrs

from helpdesk_core.model.ticket import Assignee, Assignment, Ticket
from helpdesk_core.routing.decision import RoutingDecision


def who(assignee: Assignee | None) -> str:
    """``employee E-3``, ``group G-1`` or ``nobody``."""
    if assignee is None:
        return "nobody"
    return f"group {assignee.id}" if assignee.group else f"employee {assignee.id}"


def first_owner(ticket: Ticket) -> Assignee | None:
    """Who became responsible when ``ticket`` was registered: its initial
    assignee, else the first ``assign`` event at the registration instant,
    else nobody."""
    if ticket.initial_assignee is not None:
        return ticket.initial_assignee
    for event in ticket.events:
        if event.at != ticket.created_at:
            break
        if isinstance(event, Assignment):
            return event.assignee
    return None


@attrs.frozen(kw_only=True)
class RoutingExplanation:
    """A routing decision with where it comes from.

    ``recorded``: ``decision`` is the one the ticket's registration recorded
    (history). Otherwise it is today's answer: how the current table and
    staff route the ticket's facts (``ticket`` set, ``owner`` the owner it was
    given at registration) or facts written by hand (``ticket`` None).
    ``current_fingerprint`` is the fingerprint of the configuration in force.
    """

    ticket: str | None
    recorded: bool
    decision: RoutingDecision
    current_fingerprint: str | None
    owner: Assignee | None = None

    @property
    def under_another_configuration(self) -> bool:
        """Whether a recorded decision was made under a configuration other
        than the one in force."""
        return self.recorded and self.decision.fingerprint != self.current_fingerprint

    def lines(self) -> tuple[str, ...]:
        """The explanation in words, one line each."""
        decision = self.decision
        if self.recorded:
            head = [
                f"ticket {self.ticket} was routed at {decision.at.isoformat()} "
                f"under configuration {decision.fingerprint}"
            ]
            if self.under_another_configuration:
                tail = [
                    "decided under another configuration: the routing configuration in force now "
                    f"is {self.current_fingerprint}"
                ]
            else:
                tail = ["the routing configuration in force now is the same"]
            return (*head, *decision.lines(), *tail)
        today = (
            "today's answer, not history: the configuration in force "
            f"({self.current_fingerprint}) and today's staff would route it so:"
        )
        if self.ticket is None:
            head = [
                f"facts routed at {decision.at.isoformat()} under the configuration in force "
                f"({self.current_fingerprint}), with the staff as stored now"
            ]
        elif self.owner is None:
            head = [
                f"ticket {self.ticket} has no routing decision recorded: it was registered without "
                "an owner (routing named nobody, or an import left it so)",
                today,
            ]
        else:
            head = [
                f"ticket {self.ticket} was not routed: {who(self.owner)} was made responsible "
                "by hand or by an import",
                today,
            ]
        return (*head, *decision.lines())


__all__ = ["RoutingExplanation", "first_owner", "who"]
