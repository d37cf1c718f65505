"""The batch SLA report read from each ticket's stored SLA state.

A report as of an instant at or after the store's latest event
(:meth:`~helpdesk_core.storage.protocols.TicketReader.latest_event`) needs no
history: each ticket's stored state (its SLA projection and its facts after
the last event) gives the row, ``projection.row(as_of)``, equal to
:func:`~helpdesk_core.sla.clock.evaluate` of the history. The store streams
the tickets in the report's order beside their states
(:meth:`~helpdesk_core.storage.protocols.TicketReader.iter_with_sla_states`);
a ticket whose state cannot be used — none stored, written since, computed
under another SLA configuration (fingerprint), for other customer facts
(the company's category or groups changed), or with an event after the
report's instant — is folded from its history instead, so the lines are
exactly those of :func:`~helpdesk_core.reports.sla_report.report_lines`
over the folded tickets, only faster. :class:`ReportReading` counts the
tickets read and those folded, by reason (``helpdesk sla report`` warns
once when some were, and ``helpdesk sla rebuild`` refreshes them).

An earlier instant, ``whatif`` and ``helpdesk sla report --recompute`` fold
every ticket (:func:`report_source` decides).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Protocol

import attrs

from helpdesk_core.config import Configuration
from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import require_aware
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.reports.customers import CustomerDirectory, CustomerSource, customer_directory
from helpdesk_core.reports.sla_report import (
    EVERYTHING,
    ReportFilter,
    ReportLine,
    line_folder,
)
from helpdesk_core.serialization import ticket_sla_state_from_stored
from helpdesk_core.sla.clock import KnowsStatuses, later
from helpdesk_core.sla.policy import SlaPolicy
from helpdesk_core.sla.selection import NO_CUSTOMER, CustomerFacts
from helpdesk_core.sla_states.fingerprint import sla_fingerprint
from helpdesk_core.sla_states.state import CustomerKey, customer_key

UNUSABLE_REASONS = ("missing", "stale", "configuration", "customer", "later", "unreadable")
"""Why a ticket's stored SLA state is not read: the store's three reasons
(``TicketWithSlaState.unusable``: none stored, the ticket written since,
another configuration), then the reader's: the customer's facts changed since
(``"customer"``), the ticket has an event after the report's instant
(``"later"``), the document is not a stored SLA state (``"unreadable"``)."""

_REASONS = {
    "missing": "missing",
    "stale": "written since",
    "configuration": "of another SLA configuration",
    "customer": "for other customer facts",
    "later": "with a later event",
    "unreadable": "unreadable",
}
"""How the warning names each reason of :data:`UNUSABLE_REASONS`."""


Position = tuple[datetime, str]
"""A place in the report's ticket order (``TicketPosition``): registration, id."""


class _Entry(Protocol):
    """A ticket beside its stored SLA state (``TicketWithSlaState``)."""

    @property
    def ticket(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def company(self) -> str | None: ...
    @property
    def document(self) -> str | None: ...
    @property
    def history(self) -> Ticket | None: ...
    @property
    def unusable(self) -> str | None: ...


class _Found(Protocol):
    @property
    def value(self) -> Ticket: ...


class _Tickets(Protocol):
    def latest_event(self) -> datetime | None: ...

    def iter_with_sla_states(
        self, fingerprint: str, *, after: Position | None = ..., through: Position | None = ...,
        company: str | None = ...,
    ) -> Iterator[_Entry]: ...  # fmt: skip

    def iter_tickets(
        self, *, after: Position | None = ..., company: str | None = ..., through: Position | None = ...
    ) -> Iterator[_Found]: ...

    def find(self, id: str, /) -> _Found | None: ...


class ReportStore(CustomerSource, Protocol):
    """What a report reads of a store (any :class:`~helpdesk_core.storage.Store`),
    named by what is used so that this module does no I/O of its own."""

    @property
    def tickets(self) -> _Tickets: ...


@attrs.frozen
class ReportSource:
    """How a report gets its rows: ``fingerprint`` is the SLA configuration's
    (:func:`~helpdesk_core.sla_states.fingerprint.sla_fingerprint`) when the
    stored states are read, None when every ticket is folded."""

    policy: SlaPolicy
    graph: KnowsStatuses
    fingerprint: str | None

    @property
    def reads_stored_states(self) -> bool:
        return self.fingerprint is not None


def report_source(
    store: ReportStore, config: Configuration, as_of: datetime, *, recompute: bool = False
) -> ReportSource:
    """Where a report as of ``as_of`` under ``config`` reads its rows: the
    stored states when ``as_of`` is at or after the store's latest event (or
    the store holds no ticket), else — and with ``recompute`` — every ticket's
    history. ``config`` must have SLA rules."""
    require_aware(as_of, "as_of")
    policy = config.sla
    if policy is None:
        raise ValidationError(f"{config.source}: no SLA rules are configured")
    if not recompute:
        latest = store.tickets.latest_event()
        if latest is None or not later(latest, as_of):
            return ReportSource(policy, config.graph, sla_fingerprint(config))
    return ReportSource(policy, config.graph, None)


@attrs.define
class ReportReading:
    """What a reading found: ``read`` tickets, of which ``folded`` (by reason,
    :data:`~helpdesk_core.storage.protocols.UNUSABLE_REASONS`) were folded from
    their histories because their stored SLA state could not be used (a
    report that folds everything counts none)."""

    read: int = 0
    folded: dict[str, int] = attrs.field(factory=dict)

    def merge(self, other: ReportReading) -> None:
        """Add the counts of ``other`` (another range, read by another process)."""
        self.read += other.read
        for reason, count in other.folded.items():
            self.folded[reason] = self.folded.get(reason, 0) + count

    def warning(self) -> str | None:
        """What to tell the user once when tickets were folded, else None."""
        total = sum(self.folded.values())
        if not total:
            return None
        reasons = ", ".join(
            f"{self.folded[reason]} {_REASONS[reason]}"
            for reason in UNUSABLE_REASONS
            if self.folded.get(reason)
        )
        tickets = (
            "1 ticket's stored SLA state is" if total == 1 else f"{total} tickets' stored SLA states are"
        )
        return f"{tickets} stale ({reasons}); the report folded them; run `helpdesk sla rebuild`"


_UNKNOWN: object = object()


def sla_report_lines(
    store: ReportStore,
    source: ReportSource,
    *,
    as_of: datetime,
    only: ReportFilter = EVERYTHING,
    customers: CustomerDirectory | None = None,
    after: Position | None = None,
    through: Position | None = None,
    reading: ReportReading | None = None,
) -> Iterator[ReportLine]:
    """The report's lines for the tickets of ``store`` after ``after`` up to
    ``through`` (positions in the report's order, both open by default), the
    same as :func:`~helpdesk_core.reports.sla_report.report_lines` over the
    tickets folded, read as ``source`` says. ``reading`` (when given) counts
    what was read. ``customers`` defaults to the store's
    (:func:`~helpdesk_core.reports.customers.customer_directory`)."""
    require_aware(as_of, "as_of")
    if customers is None:
        customers = customer_directory(store)
    if reading is None:
        reading = ReportReading()
    policy, graph, fingerprint = source.policy, source.graph, source.fingerprint
    fold = line_folder(policy=policy, graph=graph, as_of=as_of, customers=customers, only=only)
    if fingerprint is None:
        for stored in store.tickets.iter_tickets(after=after, through=through, company=only.company):
            reading.read += 1
            line = fold(stored.value)
            if line is not None:
                yield line
        return
    keys: dict[str | None, CustomerKey | None] = {}
    admits = only.admits_facts if only.tests_tickets else None
    states = only.states
    folded = reading.folded
    decode = ticket_sla_state_from_stored
    utc_as_of = as_of.astimezone(UTC)  # compared with any instant by the instants, also in a DST fold
    entries = store.tickets.iter_with_sla_states(
        fingerprint, after=after, through=through, company=only.company
    )
    for entry in entries:
        reading.read += 1
        ticket: Ticket | None = entry.history
        if ticket is not None:
            reason = entry.unusable or "missing"
        else:
            try:
                state = decode(entry.document)  # type: ignore[arg-type]
            except ValidationError:  # derived data: the history still answers
                reason = "unreadable"
            else:
                company = entry.company
                key = keys.get(company, _UNKNOWN)
                if key is _UNKNOWN:
                    key = keys[company] = _comparable(customers.of_company(company))
                customer = state.customer
                projection = state.projection
                if (_NO_KEY if customer is None else customer) != key:
                    reason = "customer"
                elif projection.last_event > utc_as_of:  # written while the report runs
                    reason = "later"
                else:
                    if admits is not None and not admits(entry.created_at, company, state.facts):
                        continue
                    row = projection.row(as_of, policy=policy)
                    if not states or row.state in states:
                        yield ReportLine(row, company, None, state.facts)
                    continue
            found = store.tickets.find(entry.ticket)
            if found is None:  # deleted since the page was read
                continue
            ticket = found.value
        folded[reason] = folded.get(reason, 0) + 1
        line = fold(ticket)
        if line is not None:
            yield line


def _comparable(customer: CustomerFacts | None) -> CustomerKey | None:
    """The key of ``customer``, no customer facts and empty ones alike (the
    rule selection reads them the same)."""
    return _comparable_key(customer_key(customer))


_NO_KEY = customer_key(NO_CUSTOMER)


def _comparable_key(key: CustomerKey | None) -> CustomerKey | None:
    return _NO_KEY if key is None else key


__all__ = [
    "UNUSABLE_REASONS",
    "Position",
    "ReportReading",
    "ReportSource",
    "ReportStore",
    "report_source",
    "sla_report_lines",
]
