"""The acceptance property of the stored SLA states: for random histories
appended event by event **through the desk** (registrations of every kind of
customer, moves by hand — pauses included —, replies that reopen or make a
follow-up, priority and type changes, deadlines and rules set by hand,
assignments, the scheduler's automatic moves), on the memory store and on
SQLite, after every step every ticket's stored state is fresh, was computed
under the desk's fingerprint and its customer's current facts, and its row
equals :func:`evaluate` of the stored history at the last event and at
random later instants (DST changes and public holidays included: the demo
configuration's calendars, histories started around them).

50 examples of up to 25 steps (``SLA_STATES_EXAMPLES`` for a longer hunt).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from helpdesk_core.config import parse_configuration
from helpdesk_core.desk import Desk, FixedClock
from helpdesk_core.errors import HelpdeskError
from helpdesk_core.model.parties import Company, Contact, CustomerGroup
from helpdesk_core.model.staff import Employee
from helpdesk_core.model.ticket import Assignee, Ticket
from helpdesk_core.sample import DEMO_CONFIGURATION
from helpdesk_core.serialization import ticket_sla_state_from_json, ticket_sla_state_to_json
from helpdesk_core.sla import evaluate
from helpdesk_core.sla_states.fingerprint import FINGERPRINT_SETTING
from helpdesk_core.sla_states.keeping import sla_policy, status_category
from helpdesk_core.sla_states.state import customer_key, sla_state_record, ticket_sla_state
from helpdesk_core.storage import open_store
from helpdesk_core.storage.protocols import Store

CONFIG = parse_configuration(DEMO_CONFIGURATION, source="demo configuration")
POLICY = sla_policy(CONFIG)
PRAGUE = ZoneInfo("Europe/Prague")
STARTS = (
    datetime(2026, 3, 2, 9, 0, tzinfo=PRAGUE),  # a Monday morning
    datetime(2026, 3, 27, 15, 30, tzinfo=PRAGUE),  # the Friday before summer time
    datetime(2026, 10, 23, 16, 0, tzinfo=PRAGUE),  # the Friday before winter time
    datetime(2026, 12, 22, 14, 0, tzinfo=PRAGUE),  # before Christmas, a short day and holidays
    datetime(2026, 4, 30, 20, 0, tzinfo=PRAGUE),  # an evening before May Day
)
COMPANIES = (None, "C-CLIENT", "C-VIP", "C-PARTNER", "C-SK", "C-GOLD")
CONTACT_OF = {"C-CLIENT": "P-1", "C-VIP": "P-2", "C-PARTNER": "P-3", "C-SK": "P-4", "C-GOLD": "P-5"}
ADVANCES = (0, 1, 7, 45, 180, 60 * 9, 60 * 26, 60 * 50, 60 * 24 * 4)
"""Minutes between two steps: within a working day, across nights, past the
48 h auto-close and the reopen window."""


def seed(store: Store) -> None:
    with store.unit_of_work() as uow:
        uow.customer_groups.add(CustomerGroup(id="slovakia", name="Slovakia", priority=1))
        uow.customer_groups.add(CustomerGroup(id="gold", name="Gold", sla="Gold support", priority=2))
        for company, category, groups in (
            ("C-CLIENT", "client", ()),
            ("C-VIP", "vip", ()),
            ("C-PARTNER", "partner", ("gold",)),
            ("C-SK", "client", ("slovakia",)),
            ("C-GOLD", "client", ("gold", "slovakia")),
        ):
            uow.companies.add(Company(id=company, name=company, category=category, customer_groups=groups))
            uow.contacts.add(Contact(id=CONTACT_OF[company], first_name="Jana", company=company))
        uow.employees.add(Employee(id="E-1", first_name="Eva", email="eva@desk.example"))
        uow.employees.add(Employee(id="E-2", first_name="Emil", email="emil@desk.example"))
        uow.commit()


@contextmanager
def store_of(kind: str) -> Iterator[Store]:
    if kind == "memory":
        store = open_store("memory://")
        try:
            yield store
        finally:
            store.close()
        return
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(f"sqlite:///{Path(folder) / 'desk.sqlite3'}")
        try:
            yield store
        finally:
            store.close()


Step = tuple[str, int, int, int]
"""(what, which ticket, a choice, minutes to advance before it)."""

steps = st.lists(
    st.tuples(
        st.sampled_from(
            (
                "register",
                "register",
                "move",
                "move",
                "move",
                "employee_comment",
                "reply",
                "priority",
                "type",
                "set_due",
                "rule",
                "assign",
                "run_due",
                "run_due",
            )
        ),
        st.integers(0, 3),
        st.integers(0, 1000),
        st.sampled_from(ADVANCES),
    ),
    min_size=1,
    max_size=25,
)

PRIORITIES = ("low", "normal", "high", "critical")
TYPES = ("incident", "request", "question", "maintenance")
RULES = ("Gold support", "Default", "Critical incidents", "Slovak customers")


def apply(desk: Desk, clock: FixedClock, step: Step, tickets: list[str]) -> None:
    """One use case of the desk at the clock's instant (a refused one stores nothing)."""
    what, which, choice, _ = step
    now = clock.now()
    if what == "register" or not tickets:
        company = COMPANIES[choice % len(COMPANIES)]
        contact = None if company is None else CONTACT_OF[company]
        outcome = desk.register_ticket(
            subject="Printer", by="E-1", company=company, contact=contact,
            type=TYPES[choice % 4], priority=PRIORITIES[(choice // 4) % 4],
            assignee=Assignee(id="E-2") if choice % 3 == 0 else None,
        )  # fmt: skip
        tickets.append(outcome.ticket.id)
        return
    ticket_id = tickets[which % len(tickets)]
    ticket = desk.get(ticket_id).value
    if what == "move":
        targets = sorted(CONFIG.graph.targets(ticket.status))
        if not targets:
            return
        to = targets[choice % len(targets)]
        until = now + timedelta(hours=1 + choice % 30) if CONFIG.graph.status(to).requires_until else None
        desk.transition(ticket_id, to, by="E-1", until=until)
    elif what == "employee_comment":
        desk.comment(ticket_id, body="On it", author="employee", public=choice % 2 == 0, by="E-1")
    elif what == "reply":
        if ticket.contact is not None:
            desk.customer_reply(ticket_id, body="Still broken", by=ticket.contact)
    elif what == "priority":
        desk.change_priority(ticket_id, PRIORITIES[choice % 4], by="E-1")
    elif what == "type":
        desk.change_type(ticket_id, TYPES[choice % 4], by="E-1")
    elif what == "set_due":
        due = now + timedelta(minutes=30 + 37 * (choice % 50))
        if choice % 2:
            desk.set_due(ticket_id, resolution=due, by="E-1")
        else:
            desk.set_due(ticket_id, reaction=due, by="E-1")
    elif what == "rule":
        desk.set_due(ticket_id, rule=RULES[choice % len(RULES)], by="E-1")
    elif what == "assign":
        desk.assign(ticket_id, None if choice % 3 == 0 else Assignee(id=("E-1", "E-2")[choice % 2]), by="E-1")
    elif what == "run_due":
        desk.run_due(now)


def check_every_state(desk: Desk, store: Store, later: list[int]) -> None:
    """Every ticket's stored state is fresh and gives the folded row."""
    for stored in store.tickets.iter_tickets():
        ticket = stored.value
        where = f"ticket {ticket.id} after {len(ticket.events)} events"
        record = store.sla_states.get(ticket.id)
        assert record is not None, where
        assert not record.stale, where
        assert record.fingerprint == desk.sla_fingerprint, where
        customer = desk.customer_facts(ticket)
        state = ticket_sla_state_from_json(record.document)
        assert state.customer == customer_key(customer), where
        # the indexed columns are those of a fresh computation
        fresh = ticket_sla_state(ticket, policy=POLICY, graph=CONFIG.graph, customer=customer)
        expected = sla_state_record(
            fresh, document=record.document, fingerprint=record.fingerprint, company=ticket.company,
            status_category=status_category(CONFIG.graph, ticket.status),
        )  # fmt: skip
        assert record == expected, where
        # (compared as documents: PEP 495 makes a wall time in a DST gap unequal to any other zone's)
        assert record.document == ticket_sla_state_to_json(fresh), where
        event(f"clock {record.clock}")
        if ticket.extra.get("follow_up_of"):
            event("a follow-up ticket")
        if any(e.by == "system" for e in ticket.events if hasattr(e, "to")):
            event("an automatic move")
        last = _last_event(ticket)
        for minutes in (0, *later):
            as_of = last + timedelta(minutes=minutes)
            folded = evaluate(ticket, policy=POLICY, graph=CONFIG.graph, as_of=as_of, customer=customer)
            row = state.projection.row(as_of, policy=POLICY)
            assert row.to_json() == folded.to_json(), f"{where}, as of {as_of.isoformat()}"


def _last_event(ticket: Ticket) -> datetime:
    return ticket.events[-1].at if ticket.events else ticket.created_at


@pytest.mark.parametrize("kind", ["memory", "sqlite"])
@settings(
    max_examples=int(os.environ.get("SLA_STATES_EXAMPLES", "50")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(
    start=st.sampled_from(STARTS),
    history=steps,
    later=st.lists(st.integers(1, 60 * 24 * 20), min_size=1, max_size=3),
)
def test_stored_state_row_equals_the_fold_after_every_use_case(
    kind: str, start: datetime, history: list[Step], later: list[int]
) -> None:
    with store_of(kind) as store:
        seed(store)
        clock = FixedClock(start)
        desk = Desk(store, CONFIG, clock)
        tickets: list[str] = []
        for step in history:
            clock.advance(timedelta(minutes=step[3]))
            with contextlib.suppress(HelpdeskError):  # refused: nothing stored (the desk's tests hold that)
                apply(desk, clock, step, tickets)
            tickets = sorted({t.value.id for t in store.tickets.iter_tickets()} | set(tickets))
            check_every_state(desk, store, later)
        # the desk started on an empty store: the states are trusted
        assert store.settings.get(FINGERPRINT_SETTING) == desk.sla_fingerprint


def test_a_desk_on_a_store_with_older_tickets_does_not_adopt_the_fingerprint() -> None:
    """Tickets written before (without states) keep the setting unset: the
    readers fold until ``helpdesk sla rebuild``."""
    with store_of("memory") as store:
        seed(store)
        start = STARTS[0]
        with store.unit_of_work() as uow:
            uow.tickets.add(Ticket.register(id="OLD-1", subject="Old", created_at=start, status="open"))
            uow.commit()
        desk = Desk(store, CONFIG, FixedClock(start))
        outcome = desk.register_ticket(subject="New", by="E-1")
        assert store.settings.get(FINGERPRINT_SETTING) is None
        record = store.sla_states.get(outcome.ticket.id)
        assert record is not None and not record.stale
        assert record.fingerprint == desk.sla_fingerprint
