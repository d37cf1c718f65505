"""Reading a work queue (:mod:`~helpdesk_core.sla_states.queues`) from a store:
the imperative shell of the queues (``Desk.queue`` and ``helpdesk sla queue``
call :func:`read_queue`).

Trusted store (its ``sla.fingerprint`` setting equals the configuration's):
the store's index gives the tickets in due order, a range scan stopping at
the limit; each entry's ticket is read (its subject) and its row as of
``now`` comes from the stored document — unless the record is stale, of
another fingerprint or of another customer key: then the ticket is projected
again and kept only if it still belongs to the queue. Otherwise every ticket
is folded (correct, slower) and the queue's ``warnings`` say so.

Only the modules a trusted queue needs are imported up front; the fold's
(customer directory, projection) when used.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from helpdesk_core.errors import ValidationError
from helpdesk_core.sla_states.fingerprint import FINGERPRINT_SETTING, sla_fingerprint
from helpdesk_core.sla_states.queues import (
    DEFAULT_LIMIT,
    QueueEntry,
    QueueState,
    SlaQueue,
    stale_store_warnings,
    store_filters,
    trusts_index,
)
from helpdesk_core.storage.protocols import SlaStateRecord
from helpdesk_core.storage.sla_queue import QueueRequest, queue_request

if TYPE_CHECKING:
    from helpdesk_core.config import Configuration
    from helpdesk_core.model.ticket import Ticket
    from helpdesk_core.sla import CustomerFacts, SlaPolicy, SlaRow
    from helpdesk_core.sla_states.state import TicketSlaState
    from helpdesk_core.storage.protocols import Store

_Folded = tuple["Ticket", "TicketSlaState", "CustomerFacts | None"]
T = TypeVar("T")
_NEXT_PAGES = 200
"""Records read per query after the first page (of ``limit``): entries
dropped after re-projection are replaced by the next ones."""


def read_queue(
    store: Store,
    config: Configuration,
    *,
    now: datetime,
    state: QueueState | None = None,
    due_before: datetime | None = None,
    assignee: str | None = None,
    company: str | None = None,
    without_responsible: bool = False,
    order: str = "due",
    limit: int = DEFAULT_LIMIT,
    after: QueueEntry | None = None,
) -> SlaQueue:
    """The queue ``state`` as of ``now`` (see :mod:`~helpdesk_core.sla_states.queues`):
    at most ``limit`` entries in due order, after ``after`` (the previous
    page's last entry). :class:`ValidationError` naming the argument for an
    unknown state or order, a negative limit, a naive instant, or an assignee
    together with ``without_responsible``. Without SLA rules it is empty."""
    zone = config.home_zone
    request = membership(
        state, now=now, zone=zone, due_before=due_before, assignee=assignee,
        without_responsible=without_responsible, company=company, order=order, limit=limit, after=after,
    )  # fmt: skip
    policy = config.sla
    if policy is None or limit == 0:
        return SlaQueue(state=state, now=now, entries=())
    fingerprint = sla_fingerprint(config)
    setting = store.settings.get(FINGERPRINT_SETTING)
    if not trusts_index(setting, fingerprint):
        folded = _folded(store, config, policy, now=now, request=request, fingerprint=fingerprint)
        return SlaQueue(
            state=state,
            now=now,
            entries=folded,
            folded=True,
            warnings=stale_store_warnings(setting, tickets=store.tickets.count()),
        )
    store_state, due_from, before = store_filters(state, now=now, zone=zone, due_before=due_before)
    entries: list[QueueEntry] = []
    position = position_after(after)
    size = limit
    while len(entries) < limit:
        page = store.sla_states.queue(
            now=now, state=store_state, due_from=due_from, due_before=before, assignee=assignee,
            without_responsible=without_responsible, company=company, order=order, limit=size,
            after=position,
        )  # fmt: skip
        for record in page:
            entry = _entry(store, config, policy, record, now=now, fingerprint=fingerprint, request=request)
            if entry is not None:
                entries.append(entry)
                if len(entries) == limit:
                    break
        if len(page) < size:
            break
        position, size = page[-1], _NEXT_PAGES
    return SlaQueue(state=state, now=now, entries=tuple(entries))


def _entry(
    store: Store,
    config: Configuration,
    policy: SlaPolicy,
    record: SlaStateRecord,
    *,
    now: datetime,
    fingerprint: str,
    request: QueueRequest,
) -> QueueEntry | None:
    """The entry of ``record``'s ticket; the ticket projected again when the
    record is not usable (then None when it no longer belongs to the queue)."""
    from helpdesk_core.desk.customers import customer_facts_of
    from helpdesk_core.serialization import ticket_sla_state_from_json
    from helpdesk_core.sla_states.state import customer_key

    found = store.tickets.find(record.ticket)
    if found is None or found.value.created_at > now:
        return None
    ticket = found.value
    customer = customer_facts_of(store, ticket)
    sla_state: TicketSlaState | None = None
    if not record.stale and record.fingerprint == fingerprint:
        sla_state = ticket_sla_state_from_json(record.document)
        if sla_state.customer != customer_key(customer):
            sla_state = None
    if sla_state is None:
        sla_state, record = _projected(ticket, config, policy, customer, fingerprint)
        if not request.admits(record):
            return None
    row = _row(sla_state, ticket, config, policy, customer, now)
    return queue_entry(record, subject=ticket.subject, status=ticket.status, row=row)


def _projected(
    ticket: Ticket, config: Configuration, policy: SlaPolicy, customer: CustomerFacts | None, fingerprint: str
) -> tuple[TicketSlaState, SlaStateRecord]:
    """The ticket's state folded from its history, and its record."""
    from helpdesk_core.sla_states.state import sla_state_record, ticket_sla_state

    sla_state = ticket_sla_state(ticket, policy=policy, graph=config.graph, customer=customer)
    record = sla_state_record(
        sla_state,
        document="",
        fingerprint=fingerprint,
        company=ticket.company,
        status_category=config.graph.status(ticket.status).category.value,
    )
    return sla_state, record


def _row(
    sla_state: TicketSlaState,
    ticket: Ticket,
    config: Configuration,
    policy: SlaPolicy,
    customer: CustomerFacts | None,
    now: datetime,
) -> SlaRow:
    """The row as of ``now``: from the projection (``now`` at or after the
    ticket's last event), else folded."""
    if now >= sla_state.last_event:
        return sla_state.projection.row(now, policy=policy)
    from helpdesk_core.sla import evaluate

    return evaluate(ticket, policy=policy, graph=config.graph, as_of=now, customer=customer)


def _folded(
    store: Store,
    config: Configuration,
    policy: SlaPolicy,
    *,
    now: datetime,
    request: QueueRequest,
    fingerprint: str,
) -> tuple[QueueEntry, ...]:
    """The queue from every ticket's history (the stored states untrusted)."""
    from helpdesk_core.reports.customers import customer_directory

    directory = customer_directory(store)

    def candidates() -> Iterator[tuple[SlaStateRecord, _Folded]]:
        for ticket in store.iter_tickets(company=request.company):
            if ticket.created_at <= now:
                customer = directory(ticket)
                sla_state, record = _projected(ticket, config, policy, customer, fingerprint)
                yield record, (ticket, sla_state, customer)

    entries = []
    for record, found in first_in_due_order(candidates(), request):
        ticket, sla_state, customer = found
        row = _row(sla_state, ticket, config, policy, customer, now)
        entries.append(queue_entry(record, subject=ticket.subject, status=ticket.status, row=row))
    return tuple(entries)


def position_after(entry: QueueEntry | None) -> SlaStateRecord | None:
    """The keyset position of a queue's next page: after ``entry`` (the last
    entry of the previous page) in due order."""
    if entry is None:
        return None
    return SlaStateRecord(ticket=entry.ticket, document="", fingerprint="", clock="counting", due=entry.due)


def membership(
    state: QueueState | None,
    *,
    now: datetime,
    zone: ZoneInfo,
    due_before: datetime | None,
    assignee: str | None,
    without_responsible: bool,
    company: str | None,
    order: str,
    limit: int,
    after: QueueEntry | None,
) -> QueueRequest:
    """The queue's request checked (:class:`ValidationError` naming the
    argument), which also tells whether a record belongs to it
    (:meth:`QueueRequest.admits`): what a re-projected or folded ticket is
    held to."""
    if not isinstance(now, datetime) or now.utcoffset() is None:
        raise ValidationError(f"SLA queue: now must be an aware date-time, got {now!r}")
    store_state, due_from, due_before = store_filters(state, now=now, zone=zone, due_before=due_before)
    return queue_request(
        now=now,
        state=store_state,
        due_from=due_from,
        due_before=due_before,
        assignee=assignee,
        without_responsible=without_responsible,
        company=company,
        order=order,
        limit=limit,
        after=position_after(after),
    )


def queue_entry(record: SlaStateRecord, *, subject: str, status: str, row: SlaRow) -> QueueEntry:
    """The entry of a ticket admitted by its (fresh) ``record``."""
    assert record.due is not None  # admitted records have one
    # shown in the zone of the row's due (the rule's calendar), as the report shows it
    dues = (row.reaction_due, row.resolution_due)
    due = next((d for d in dues if d is not None and d == record.due), record.due)
    at_risk = record.at_risk_from
    return QueueEntry(
        ticket=record.ticket,
        subject=subject,
        state=row.state.value,
        due=due,
        at_risk_from=None if at_risk is None else at_risk.astimezone(due.tzinfo),
        assignee=record.assignee,
        company=record.company,
        status=status,
        row=row,
    )


def first_in_due_order(
    candidates: Iterable[tuple[SlaStateRecord, T]], request: QueueRequest
) -> list[tuple[SlaStateRecord, T]]:
    """Of ``candidates`` (a record beside anything), those ``request`` admits,
    in due order, at most its limit: the folding reader's selection."""
    admitted = ((r, x) for r, x in candidates if request.admits(r))
    return heapq.nsmallest(request.limit, admitted, key=lambda pair: (pair[0].due, pair[0].ticket))


__all__ = ["membership", "position_after", "read_queue"]
