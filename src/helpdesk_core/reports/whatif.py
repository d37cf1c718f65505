"""What if the SLA policy were another one? The same histories evaluated
under the configuration in force and under a proposed one, side by side: the
change in compliance and every ticket whose state would change — a backtest of
a policy change before it goes live.

Both sides are exactly the rows of two separate SLA reports (same tickets,
same instant, same customer facts), so the numbers agree with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import attrs

from helpdesk_core.model.ticket import Ticket
from helpdesk_core.reports.sla_report import CustomerLookup, SlaSummary, SlaTally
from helpdesk_core.sla import SlaPolicy, SlaRow, evaluate
from helpdesk_core.sla.clock import KnowsStatuses


@attrs.frozen
class Side:
    """One configuration of a comparison: its SLA policy and its status graph."""

    policy: SlaPolicy
    graph: KnowsStatuses


@attrs.frozen
class Comparison:
    """One ticket's row under the current (``before``) and the proposed
    (``after``) configuration."""

    before: SlaRow
    after: SlaRow

    @property
    def ticket(self) -> str:
        return self.before.ticket

    @property
    def state_changed(self) -> bool:
        return self.before.state is not self.after.state

    def to_json(self) -> dict[str, Any]:
        """The comparison as one flat row (``WHATIF_COLUMNS``)."""
        before, after = self.before, self.after
        return {
            "ticket": before.ticket,
            "state_before": before.state.value,
            "state_after": after.state.value,
            "rule_before": before.rule,
            "rule_after": after.rule,
            "resolution_due_before": _instant(before.resolution_due),
            "resolution_due_after": _instant(after.resolution_due),
        }


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


WHATIF_COLUMNS = (
    "ticket",
    "state_before",
    "state_after",
    "rule_before",
    "rule_after",
    "resolution_due_before",
    "resolution_due_after",
)
"""The columns of a what-if row, in order."""


def compare(
    tickets: Iterable[Ticket],
    *,
    current: Side,
    proposed: Side,
    as_of: datetime,
    customers: CustomerLookup | None = None,
) -> Iterator[Comparison]:
    """Every ticket registered by ``as_of`` evaluated under both sides, in the
    tickets' order (one ticket in memory at a time)."""
    for ticket in tickets:
        if ticket.created_at > as_of:
            continue
        customer = customers(ticket) if customers is not None else None
        before = evaluate(ticket, policy=current.policy, graph=current.graph, as_of=as_of, customer=customer)
        after = evaluate(ticket, policy=proposed.policy, graph=proposed.graph, as_of=as_of, customer=customer)
        yield Comparison(before, after)


@attrs.frozen
class WhatIfSummary:
    """The two reports' summaries and how many tickets changed state."""

    before: SlaSummary
    after: SlaSummary
    changed: int
    transitions: dict[tuple[str, str], int]
    """How many tickets went from one state to another, by ``(before, after)``."""

    @staticmethod
    def _delta(before: float | None, after: float | None) -> float | None:
        return None if before is None or after is None else round(after - before, 1)

    @property
    def reaction_change(self) -> float | None:
        """Percentage points the reaction compliance would move (None: not comparable)."""
        return self._delta(self.before.reaction_compliance, self.after.reaction_compliance)

    @property
    def resolution_change(self) -> float | None:
        """Percentage points the resolution compliance would move (None: not comparable)."""
        return self._delta(self.before.resolution_compliance, self.after.resolution_compliance)

    def to_json(self) -> dict[str, Any]:
        return {
            "before": self.before.to_json(),
            "after": self.after.to_json(),
            "changed": self.changed,
            "reaction_change": self.reaction_change,
            "resolution_change": self.resolution_change,
            "transitions": [
                {"from": a, "to": b, "tickets": n} for (a, b), n in sorted(self.transitions.items())
            ],
        }


@attrs.define
class WhatIfTally:
    """Adds comparisons up as they stream past."""

    before: SlaTally = attrs.field(factory=SlaTally)
    after: SlaTally = attrs.field(factory=SlaTally)
    transitions: dict[tuple[str, str], int] = attrs.field(factory=dict)

    def add(self, comparison: Comparison) -> Comparison:
        """Count ``comparison`` and hand it back."""
        self.before.add(comparison.before)
        self.after.add(comparison.after)
        if comparison.state_changed:
            key = (comparison.before.state.value, comparison.after.state.value)
            self.transitions[key] = self.transitions.get(key, 0) + 1
        return comparison

    def summary(self) -> WhatIfSummary:
        return WhatIfSummary(
            before=self.before.summary(),
            after=self.after.summary(),
            changed=sum(self.transitions.values()),
            transitions=dict(self.transitions),
        )


__all__ = ["WHATIF_COLUMNS", "Comparison", "Side", "WhatIfSummary", "WhatIfTally", "compare"]
