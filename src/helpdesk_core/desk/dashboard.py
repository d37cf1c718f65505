"""Reading the operational dashboard (:mod:`helpdesk_core.reports.dashboard`)
from a store: its counters from the stored SLA states' index when the store
is trusted (its ``sla.fingerprint`` setting equals the configuration's), its
days from the tickets active in the period only.

Trusted: ``open``, ``overdue``, ``in progress``, ``due today`` and ``without
responsible`` are counted by the store over the settled records (one pass,
no document read: :meth:`~helpdesk_core.storage.protocols.SlaStateReader.dashboard_counts`);
a paused clock that still owes resolution time has a due that moves with
``as_of``, so its document is decoded and its row computed (one calendar
call); tickets the index cannot count (no usable record, or a last event
after ``as_of``: :meth:`~helpdesk_core.storage.protocols.SlaStateReader.unsettled`)
are folded. The created/resolved days read only the tickets whose last event
is at or after the period's first instant (or ``as_of``, if earlier).
Untrusted (or a configuration without SLA rules): every ticket is read and
folded as :func:`~helpdesk_core.reports.dashboard.dashboard` does, and the
dashboard's ``warnings`` say that ``helpdesk sla rebuild`` refreshes the states.
Either way the numbers are the same.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime, time
from typing import TYPE_CHECKING

import attrs

from helpdesk_core.model.checks import require_aware
from helpdesk_core.reports.customers import customer_directory
from helpdesk_core.reports.dashboard import Dashboard, DashboardTally, dashboard, default_period
from helpdesk_core.serialization import ticket_sla_state_from_json
from helpdesk_core.sla import evaluate
from helpdesk_core.sla_states.fingerprint import FINGERPRINT_SETTING, sla_fingerprint
from helpdesk_core.sla_states.queues import stale_store_warnings, trusts_index

if TYPE_CHECKING:
    from helpdesk_core.config import Configuration
    from helpdesk_core.model.ticket import Ticket
    from helpdesk_core.storage.protocols import Store, Stored


def read_dashboard(
    store: Store,
    config: Configuration,
    *,
    as_of: datetime,
    first_day: date | None = None,
    last_day: date | None = None,
    tickets: Callable[[Iterable[Ticket]], Iterable[Ticket]] | None = None,
) -> Dashboard:
    """The dashboard of the store as of ``as_of``; the period defaults to the
    14 local days (the desk's home zone) ending with the day of ``as_of``.
    ``tickets`` wraps each stream of tickets read (a progress bar)."""
    require_aware(as_of, "as_of")
    zone = config.home_zone
    first, last = default_period(as_of, zone)
    first_day = first if first_day is None else first_day
    last_day = last if last_day is None else last_day
    watched = tickets or (lambda stream: stream)
    policy = config.sla
    fingerprint = sla_fingerprint(config)
    setting = store.settings.get(FINGERPRINT_SETTING)
    directory = customer_directory(store)
    if policy is None or not trusts_index(setting, fingerprint):
        board = dashboard(
            watched(store.iter_tickets()), policy=policy, graph=config.graph, as_of=as_of, zone=zone,
            first_day=first_day, last_day=last_day, customers=directory,
        )  # fmt: skip
        return (
            board
            if policy is None
            else attrs.evolve(board, warnings=stale_store_warnings(setting, tickets=store.tickets.count()))
        )
    tally = DashboardTally(graph=config.graph, as_of=as_of, zone=zone, first_day=first_day, last_day=last_day)
    counts = store.sla_states.dashboard_counts(
        fingerprint=fingerprint, as_of=as_of, day_end=tally.end_of_day, initial_status=config.graph.initial
    )
    tally.add_counted(
        open=counts.open, overdue=counts.overdue, in_progress=counts.in_progress,
        due_today=counts.due_today, without_responsible=counts.without_responsible,
    )  # fmt: skip
    for _, document in counts.moving:
        tally.add_row(ticket_sla_state_from_json(document).projection.row(as_of, policy=policy))

    sla = policy

    def fold(ticket: Ticket) -> None:
        row = evaluate(ticket, policy=sla, graph=config.graph, as_of=as_of, customer=directory(ticket))
        tally.add_open(ticket, row)

    open_statuses = [s.id for s in config.graph.statuses if not s.category.is_done]
    unsettled = set(
        store.sla_states.unsettled(fingerprint=fingerprint, as_of=as_of, open_statuses=open_statuses)
    )
    since = min(as_of, _first_instant(first_day, tally))
    for stored in watched(_values(store.tickets.iter_tickets(active_since=since))):
        is_open = tally.add_days(stored)
        if stored.id in unsettled:
            unsettled.discard(stored.id)
            if is_open:
                fold(stored)
    for ticket_id in sorted(unsettled):  # records missing or stale, tickets quiet since the period began
        found = store.tickets.find(ticket_id)
        if found is not None and tally.is_open(found.value):
            fold(found.value)
    return tally.dashboard()


def _values(stream: Iterable[Stored[Ticket]]) -> Iterator[Ticket]:
    for stored in stream:
        yield stored.value


def _first_instant(day: date, tally: DashboardTally) -> datetime:
    """The first instant of ``day`` in the dashboard's zone."""
    return datetime.combine(day, time(), tzinfo=tally.zone)


__all__ = ["read_dashboard"]
