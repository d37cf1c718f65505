"""Work queues (``Desk.queue``) read from the stored SLA states' index: the
same tickets, in the same order, as folding every ticket's history; unusable
records re-projected; a store not built under the configuration folded, and
saying so."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest

from helpdesk_core.config import Configuration, parse_configuration
from helpdesk_core.desk import Desk, FixedClock
from helpdesk_core.errors import ValidationError
from helpdesk_core.model.ticket import Assignment, StatusChange
from helpdesk_core.reports.customers import customer_directory
from helpdesk_core.sample import DEMO_CONFIGURATION, DEMO_END, sample_customers, sample_tickets
from helpdesk_core.sla import evaluate
from helpdesk_core.sla_states.fingerprint import FINGERPRINT_SETTING
from helpdesk_core.sla_states.queues import QueueEntry, end_of_day
from helpdesk_core.sla_states.state import owed_dues, ticket_sla_state
from helpdesk_core.storage import Store, open_store, save_all
from helpdesk_core.testing.sla_states import keep_every_sla_state

CONFIG = parse_configuration(DEMO_CONFIGURATION)
NOW = DEMO_END
TICKETS = 400


def fill(store: Store, config: Configuration = CONFIG, *, trust: bool = True) -> None:
    customers = sample_customers(7, companies=12)
    with store.unit_of_work() as uow:
        save_all(uow.customer_groups, customers.customer_groups)
        save_all(uow.companies, customers.companies)
        save_all(uow.employee_groups, customers.groups)
        save_all(uow.employees, customers.staff)
        for ticket in sample_tickets(7, TICKETS, customers=customers, end=NOW, days=20):
            uow.tickets.add(ticket)
        uow.commit()
    keep_every_sla_state(store, config, trust=trust)


@pytest.fixture(scope="module")
def filled_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file filled for the module; each test gets its own copy."""
    path = tmp_path_factory.mktemp("queues") / "filled.db"
    template = open_store(f"sqlite:///{path}")
    try:
        fill(template)
    finally:
        template.close()
    return path


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    if request.param == "memory":
        opened = open_store("memory://")
        fill(opened)
    else:
        opened = open_store(f"sqlite:///{copy_database(request.getfixturevalue('filled_sqlite'), tmp_path / 'q.db')}")
    yield opened
    opened.close()


def copy_database(source: Path, target: Path) -> Path:
    """A byte-for-byte independent copy of a closed SQLite store (SQLite's backup API)."""
    original, copy = sqlite3.connect(source), sqlite3.connect(target)
    try:
        original.backup(copy)
    finally:
        copy.close()
        original.close()
    return target


def desk(store: Store, config: Configuration = CONFIG) -> Desk:
    return Desk(store, config, FixedClock(NOW))


def folded(store: Store, state: str | None, now: datetime = NOW, **only: Any) -> list[str]:
    """The queue by brute force: every ticket folded, its owed dues tested
    as the queue's meaning says, sorted by (earliest owed due, id)."""
    assert CONFIG.sla is not None
    directory = customer_directory(store)
    day_end = end_of_day(now, CONFIG.home_zone)
    found = []
    for ticket in store.iter_tickets():
        if ticket.created_at > now:
            continue
        projection = ticket_sla_state(
            ticket, policy=CONFIG.sla, graph=CONFIG.graph, customer=directory(ticket)
        ).projection
        owed = [d for d in owed_dues(projection) if d is not None]
        if not owed:
            continue
        due = min(owed)
        at_risk = projection.at_risk_from
        assignee = None if ticket.assignee is None else ticket.assignee.id
        if state == "overdue" and not due <= now:
            continue
        if state == "at_risk" and not (at_risk is not None and at_risk <= now < due):
            continue
        if state == "due_today" and not now <= due < day_end:
            continue
        if "assignee" in only and assignee != only["assignee"]:
            continue
        if only.get("without_responsible") and assignee is not None:
            continue
        if "company" in only and ticket.company != only["company"]:
            continue
        found.append((due, ticket.id))
    return [ticket for _, ticket in sorted(found)]


def ids(entries: Any) -> list[str]:
    return [entry.ticket for entry in entries]


@pytest.mark.parametrize("state", ["overdue", "at_risk", "due_today", None])
def test_a_queue_from_the_index_lists_what_folding_every_ticket_lists(store: Store, state: Any) -> None:
    expected = folded(store, state)
    assert expected, f"the sample desk has {state} tickets"
    queue = desk(store).queue(state, limit=1000)
    assert not queue.folded and queue.warnings == ()
    assert ids(queue) == expected
    for entry in queue:
        ticket = store.get_ticket(entry.ticket)
        assert entry.subject == ticket.subject and entry.status == ticket.status
        assert entry.row == evaluate(
            ticket, policy=CONFIG.sla, graph=CONFIG.graph, as_of=NOW,  # type: ignore[arg-type]
            customer=customer_directory(store)(ticket),
        )  # fmt: skip
        assert entry.state == entry.row.state.value


def test_filters_limit_and_paging(store: Store) -> None:
    some = desk(store).queue("overdue", limit=1000).entries
    assignee = next(e.assignee for e in some if e.assignee is not None)
    company = some[0].company
    the_desk = desk(store)
    assert ids(the_desk.queue("overdue", assignee=assignee, limit=1000)) == folded(
        store, "overdue", assignee=assignee
    )
    assert ids(the_desk.queue("overdue", company=company, limit=1000)) == folded(
        store, "overdue", company=company
    )
    assert ids(the_desk.queue(without_responsible=True, limit=1000)) == folded(
        store, None, without_responsible=True
    )
    everything = ids(the_desk.queue("overdue", limit=1000))
    assert ids(the_desk.queue("overdue", limit=7)) == everything[:7]
    pages: list[str] = []
    after: QueueEntry | None = None
    while page := the_desk.queue("overdue", limit=9, after=after).entries:
        pages += ids(page)
        after = page[-1]
    assert pages == everything


def test_a_store_not_built_under_the_configuration_is_folded_and_says_so(store: Store) -> None:
    trusted = desk(store).queue("overdue", limit=50)
    with store.unit_of_work() as uow:
        uow.settings.put(FINGERPRINT_SETTING, "another", expected=uow.settings.get(FINGERPRINT_SETTING))
        uow.sla_states.delete_all()
        uow.commit()
    queue = desk(store).queue("overdue", limit=50)
    assert queue.folded and queue.entries == trusted.entries
    assert queue.warnings == (
        "the stored SLA states were computed under another SLA configuration: every ticket was folded "
        "(correct, slower); run `helpdesk sla rebuild` to refresh them",
    )
    never = open_store("memory://")
    fill(never, trust=False)
    queue = desk(never).queue("overdue", limit=50)
    assert queue.folded and queue.entries == trusted.entries
    assert len(queue.warnings) == 1 and queue.warnings[0].startswith("the stored SLA states were never built")


def test_a_changed_configuration_is_not_read_from_the_index(store: Store) -> None:
    tighter = parse_configuration(DEMO_CONFIGURATION.replace('reaction = "4h"', 'reaction = "1h"'))
    assert tighter.sla != CONFIG.sla, "the demo configuration has a 4 h reaction target"
    queue = desk(store, tighter).queue("overdue", limit=1000)
    assert queue.folded and queue.warnings


def test_a_stale_record_is_projected_again_before_it_is_listed(store: Store) -> None:
    """A ticket written without its state kept (a writer outside the desk):
    resolved, it leaves the overdue queue; reassigned, it shows its new
    responsible — though its stored record still says otherwise."""
    overdue = desk(store).queue("overdue", limit=1000).entries
    resolved, reassigned = overdue[0], overdue[1]
    with store.unit_of_work() as uow:
        for entry, event in (
            (resolved, StatusChange(at=NOW - timedelta(minutes=1), to="resolved", by="E-1")),
            (reassigned, Assignment(at=NOW - timedelta(minutes=1), to="E-77", by="E-1")),
        ):
            stored = uow.tickets.get(entry.ticket)
            uow.tickets.append(entry.ticket, [event], expected_version=stored.version)
        uow.commit()
    assert store.sla_states.get(resolved.ticket).stale  # type: ignore[union-attr]
    queue = desk(store).queue("overdue", limit=1000)
    assert resolved.ticket not in ids(queue)
    again = next(e for e in queue if e.ticket == reassigned.ticket)
    assert again.assignee == "E-77" and again.row.as_of == NOW
    assert ids(queue) == folded(store, "overdue")
    old = desk(store).queue("overdue", assignee=reassigned.assignee, limit=1000)
    assert reassigned.ticket not in ids(old), (
        "found by its stale record's assignee, dropped once re-projected"
    )


def test_due_today_ends_with_the_local_day_of_the_home_zone() -> None:
    zone = CONFIG.home_zone
    assert zone.key == "Europe/Prague"
    late = datetime(2026, 3, 28, 23, 30, tzinfo=zone)
    assert end_of_day(late, zone) == datetime(2026, 3, 29, tzinfo=zone)
    assert end_of_day(late.astimezone(zone).replace(hour=0), zone) == datetime(2026, 3, 29, tzinfo=zone)


def test_queue_arguments_are_checked(store: Store) -> None:
    the_desk = desk(store)
    calls: list[tuple[dict[str, Any], str]] = [
        ({"state": "late"}, "state 'late' is not one of overdue, at_risk, due_today"),
        ({"state": "overdue", "order": "priority"}, "order 'priority' is not one of due"),
        ({"state": "overdue", "limit": -1}, "limit must be a whole number >= 0"),
        ({"assignee": "E-1", "without_responsible": True}, "exclude each other"),
        ({"now": NOW.replace(tzinfo=None)}, "aware"),
    ]
    for arguments, message in calls:
        with pytest.raises(ValidationError, match=message):
            the_desk.queue(**arguments)


def test_without_sla_rules_a_queue_is_empty(store: Store) -> None:
    queue = desk(store, attrs.evolve(CONFIG, sla=None)).queue("overdue")
    assert queue.entries == () and not queue.folded


def test_an_empty_store_folds_nothing_and_warns_of_nothing() -> None:
    empty = open_store("memory://")
    queue = desk(empty).queue("overdue")
    assert queue.entries == () and queue.folded and queue.warnings == ()
    from helpdesk_core.desk.dashboard import read_dashboard

    board = read_dashboard(empty, CONFIG, as_of=NOW)
    assert board.warnings == () and board.open == 0
