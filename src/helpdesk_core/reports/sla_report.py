"""The batch SLA report: one row per ticket, streamed, and a running tally.

Rows come one at a time from any iterable of tickets, so a report over millions
of tickets holds one ticket in memory at a time; the tallies keep only counts
(one set per group with ``group_by``).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import NamedTuple

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import aware, require_aware
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.reports.as_of import TicketAsOf, ticket_as_of
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
        state = row.state.value
        states = self.states
        states[state] = states.get(state, 0) + 1
        if row.reaction_due is not None and (row.reacted_at is not None or row.reaction_breached):
            self.reaction_judged += 1
            self.reaction_met += not row.reaction_breached
        if row.resolution_due is not None and (row.resolved_at is not None or row.resolution_breached):
            self.resolution_judged += 1
            self.resolution_met += not row.resolution_breached
        return row

    def merge(self, other: SlaTally) -> None:
        """Add the counts of ``other`` (a tally of other rows, e.g. of another
        range of tickets counted in another process)."""
        self.tickets += other.tickets
        for state, count in other.states.items():
            self.states[state] = self.states.get(state, 0) + count
        self.reaction_judged += other.reaction_judged
        self.reaction_met += other.reaction_met
        self.resolution_judged += other.resolution_judged
        self.resolution_met += other.resolution_met

    def summary(self) -> SlaSummary:
        return SlaSummary(
            tickets=self.tickets,
            states=dict(self.states),
            reaction_judged=self.reaction_judged,
            reaction_met=self.reaction_met,
            resolution_judged=self.resolution_judged,
            resolution_met=self.resolution_met,
        )


class GroupBy(enum.StrEnum):
    """What the per-group summaries of a report are keyed by. Priority, type
    and assignee are the ticket's as of the report's instant; ``rule`` is the
    rule in force then."""

    PRIORITY = "priority"
    COMPANY = "company"
    ASSIGNEE = "assignee"
    RULE = "rule"
    TYPE = "type"


NO_VALUE = "(none)"
"""The group of tickets without the grouped value (no company, nobody responsible, no SLA rule…)."""


def _states(values: Iterable[SlaState | str]) -> frozenset[SlaState]:
    return frozenset(SlaState(value) for value in values)


@attrs.frozen(kw_only=True)
class ReportFilter:
    """Which tickets a report shows; every criterion given must hold.

    ``created_from`` (included) and ``created_before`` (excluded) bound the
    registration instant; ``company``, ``assignee`` (employee or group id) and
    ``priority`` are compared with the ticket as of the report's instant;
    ``states`` keeps rows in one of these states (empty: every state).
    """

    created_from: datetime | None = attrs.field(default=None, validator=aware)
    created_before: datetime | None = attrs.field(default=None, validator=aware)
    company: str | None = None
    assignee: str | None = None
    priority: str | None = None
    states: frozenset[SlaState] = attrs.field(default=frozenset(), converter=_states)

    def admits_ticket(self, ticket: Ticket, as_of: datetime) -> bool:
        """Whether the ticket itself (before its SLA is evaluated) is wanted."""
        return self._admits(ticket.created_at, ticket.company, lambda: ticket_as_of(ticket, as_of))

    def admits_facts(self, created_at: datetime, company: str | None, facts: TicketAsOf) -> bool:
        """:meth:`admits_ticket` for a ticket known by its registration, its
        company and its facts as of the report's instant (a stored SLA state's)."""
        return self._admits(created_at, company, lambda: facts)

    def _admits(self, created: datetime, company: str | None, facts_of: Callable[[], TicketAsOf]) -> bool:
        if self.created_from is not None and created < self.created_from:
            return False
        if self.created_before is not None and created >= self.created_before:
            return False
        if self.company is not None and company != self.company:
            return False
        if self.assignee is not None or self.priority is not None:
            facts = facts_of()
            if self.assignee is not None and facts.assignee != self.assignee:
                return False
            if self.priority is not None and facts.priority != self.priority:
                return False
        return True

    @property
    def tests_tickets(self) -> bool:
        """Whether a criterion tests the ticket itself (not only its row's state)."""
        return not (
            self.created_from is None
            and self.created_before is None
            and self.company is None
            and self.assignee is None
            and self.priority is None
        )

    def admits_row(self, row: SlaRow) -> bool:
        """Whether the evaluated row is wanted (its state)."""
        return not self.states or row.state in self.states


EVERYTHING = ReportFilter()
"""The filter that keeps every ticket."""


class ReportLine(NamedTuple):
    """A row of the report with what it is grouped by: the ticket's company
    and either the ticket it was folded from or, for a row read from a stored
    SLA state, the ticket's facts as of the row's instant (``known_facts``). A
    named tuple, the cheapest immutable value to make once per ticket."""

    row: SlaRow
    company: str | None
    ticket: Ticket | None = None
    known_facts: TicketAsOf | None = None

    def facts(self) -> TicketAsOf:
        """The ticket as of the row's instant."""
        if self.known_facts is not None:
            return self.known_facts
        assert self.ticket is not None, "a report line holds its ticket or its facts"
        return ticket_as_of(self.ticket, self.row.as_of)

    def group(self, by: GroupBy) -> str:
        """The value this line is grouped under; :data:`NO_VALUE` when it has none."""
        value: str | None
        if by is GroupBy.RULE:
            value = self.row.rule
        elif by is GroupBy.COMPANY:
            value = self.company
        else:
            facts = self.facts()
            value = {GroupBy.PRIORITY: facts.priority, GroupBy.TYPE: facts.type}.get(by, facts.assignee)
        return NO_VALUE if value is None else value


def report_lines(
    tickets: Iterable[Ticket],
    *,
    policy: SlaPolicy,
    graph: KnowsStatuses,
    as_of: datetime,
    customers: CustomerLookup | None = None,
    only: ReportFilter = EVERYTHING,
) -> Iterator[ReportLine]:
    """The report's lines in the tickets' order: tickets registered after
    ``as_of`` and tickets or rows ``only`` refuses are left out."""
    require_aware(as_of, "as_of")
    fold = line_folder(policy=policy, graph=graph, as_of=as_of, customers=customers, only=only)
    for ticket in tickets:
        line = fold(ticket)
        if line is not None:
            yield line


def line_folder(
    *,
    policy: SlaPolicy,
    graph: KnowsStatuses,
    as_of: datetime,
    customers: CustomerLookup | None = None,
    only: ReportFilter = EVERYTHING,
) -> Callable[[Ticket], ReportLine | None]:
    """The report line of one ticket, folded from its history (None when the
    ticket was registered after ``as_of`` or ``only`` refuses it or its row):
    what :func:`report_lines` does for each ticket."""
    admits_ticket = only.admits_ticket if only.tests_tickets else None
    states = only.states

    def fold(ticket: Ticket) -> ReportLine | None:
        if admits_ticket is not None and not admits_ticket(ticket, as_of):
            return None
        customer = None if customers is None else customers(ticket)
        try:
            row = evaluate(ticket, policy=policy, graph=graph, as_of=as_of, customer=customer)
        except ValidationError:
            if ticket.created_at > as_of:  # registered later: it did not exist yet
                return None
            raise
        if not states or row.state in states:
            return ReportLine(row, ticket.company, ticket)
        return None

    return fold


@attrs.define
class GroupedTally:
    """A tally of every row and, with ``by``, one per group."""

    by: GroupBy | None = None
    total: SlaTally = attrs.field(factory=SlaTally)
    groups: dict[str, SlaTally] = attrs.field(factory=dict)

    def add(self, line: ReportLine) -> ReportLine:
        """Count ``line`` and hand it back, so a tally can sit inside a stream."""
        self.total.add(line.row)
        if self.by is not None:
            key = line.group(self.by)
            tally = self.groups.get(key)
            if tally is None:
                tally = self.groups[key] = SlaTally()
            tally.add(line.row)
        return line

    def merge(self, other: GroupedTally) -> None:
        """Add the counts of ``other``, grouped the same way, group by group."""
        if other.by is not self.by:
            raise ValueError(f"cannot merge a tally grouped by {other.by} into one grouped by {self.by}")
        self.total.merge(other.total)
        for key, tally in other.groups.items():
            mine = self.groups.get(key)
            if mine is None:
                mine = self.groups[key] = SlaTally()
            mine.merge(tally)

    def summaries(self, order: Sequence[str] = ()) -> list[tuple[str, SlaSummary]]:
        """The summary of each group: the values of ``order`` first, in that
        order (the catalog's priorities, the rule table's rules), then the others
        in natural order (``E-2`` before ``E-10``), :data:`NO_VALUE` last."""
        rank = {value: place for place, value in enumerate(order)}
        unranked = len(rank)
        keys = sorted(self.groups, key=lambda k: (k == NO_VALUE, rank.get(k, unranked), _natural(k)))
        return [(key, self.groups[key].summary()) for key in keys]


_DIGITS = re.compile(r"(\d+)")


def _natural(value: str) -> tuple[tuple[str | int, ...], str]:
    """Sort key comparing runs of digits as numbers and the rest ignoring case;
    the text itself breaks ties (``E-01`` and ``E-1``)."""
    parts = _DIGITS.split(value)  # text at even places, digit runs at odd ones
    return tuple(int(part) if place % 2 else part.casefold() for place, part in enumerate(parts)), value


__all__ = [
    "EVERYTHING",
    "NO_VALUE",
    "CustomerLookup",
    "GroupBy",
    "GroupedTally",
    "ReportFilter",
    "ReportLine",
    "SlaSummary",
    "SlaTally",
    "line_folder",
    "report_lines",
    "sla_rows",
]
