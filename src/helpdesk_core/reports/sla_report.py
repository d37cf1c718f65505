"""The batch SLA report: one row per ticket, streamed, and a running tally.

Rows come one at a time from any iterable of tickets, so a report over millions
of tickets holds one ticket in memory at a time; the tally keeps only counts.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import datetime

import attrs

from helpdesk_core.model.ticket import Ticket
from helpdesk_core.sla import CustomerFacts, SlaPolicy, SlaRow, SlaState, evaluate
from helpdesk_core.sla.clock import KnowsStatuses

CustomerLookup = Callable[[Ticket], CustomerFacts | None]
"""Finds the client category and customer groups of a ticket's customer."""


def sla_rows(
    tickets: Iterable[Ticket],
    *,
    policy: SlaPolicy,
    graph: KnowsStatuses,
    as_of: datetime,
    customers: CustomerLookup | None = None,
) -> Iterator[SlaRow]:
    """The SLA report row of every ticket, as of ``as_of``, in the tickets' order.

    Tickets registered after ``as_of`` did not exist yet and are left out.
    """
    for ticket in tickets:
        if ticket.created_at > as_of:
            continue
        customer = customers(ticket) if customers is not None else None
        yield evaluate(ticket, policy=policy, graph=graph, as_of=as_of, customer=customer)


def _percent(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100.0 * part / whole, 1)


@attrs.frozen
class SlaSummary:
    """Counts of a report. A target is *judged* once it was achieved or its due
    instant passed; compliance is the share of judged targets that were met,
    in percent, ``None`` when nothing was judged yet."""

    tickets: int
    states: dict[str, int]
    reaction_judged: int
    reaction_met: int
    resolution_judged: int
    resolution_met: int

    @property
    def reaction_compliance(self) -> float | None:
        return _percent(self.reaction_met, self.reaction_judged)

    @property
    def resolution_compliance(self) -> float | None:
        return _percent(self.resolution_met, self.resolution_judged)

    def to_json(self) -> dict[str, object]:
        return {
            "tickets": self.tickets,
            **{state.value: self.states.get(state.value, 0) for state in SlaState},
            "reaction_compliance": self.reaction_compliance,
            "resolution_compliance": self.resolution_compliance,
        }


@attrs.define
class SlaTally:
    """Adds rows up as they stream past."""

    tickets: int = 0
    states: dict[str, int] = attrs.field(factory=dict)
    reaction_judged: int = 0
    reaction_met: int = 0
    resolution_judged: int = 0
    resolution_met: int = 0

    def add(self, row: SlaRow) -> SlaRow:
        """Count ``row`` and hand it back, so a tally can sit inside a stream."""
        self.tickets += 1
        self.states[row.state.value] = self.states.get(row.state.value, 0) + 1
        if row.reaction_due is not None and (row.reacted_at is not None or row.reaction_breached):
            self.reaction_judged += 1
            self.reaction_met += not row.reaction_breached
        if row.resolution_due is not None and (row.resolved_at is not None or row.resolution_breached):
            self.resolution_judged += 1
            self.resolution_met += not row.resolution_breached
        return row

    def summary(self) -> SlaSummary:
        return SlaSummary(
            tickets=self.tickets,
            states=dict(self.states),
            reaction_judged=self.reaction_judged,
            reaction_met=self.reaction_met,
            resolution_judged=self.resolution_judged,
            resolution_met=self.resolution_met,
        )


__all__ = ["CustomerLookup", "SlaSummary", "SlaTally", "sla_rows"]
