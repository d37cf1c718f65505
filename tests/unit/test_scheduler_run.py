"""``run_due`` over a stored desk: the same work as the workflow and the SLA
ticket by ticket, found through the schedule, done once."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

import attrs
import pytest
from test_scheduler_decisions import CONFIG, CUSTOMERS, T0, closed_with_late_reply, tickets

from helpdesk_core.config import Configuration
from helpdesk_core.desk import scheduler
from helpdesk_core.desk.clock import Clock as DeskClock
from helpdesk_core.desk.clock import FixedClock
from helpdesk_core.desk.scheduler import run_due, settle_ticket
from helpdesk_core.desk.service import Desk
from helpdesk_core.model.domain_events import OutboxEntry, ScheduleEntry
from helpdesk_core.model.staff import EmployeeGroup
from helpdesk_core.model.ticket import SYSTEM, Assignee, Comment, StatusChange, Ticket
from helpdesk_core.sample import DEMO_END
from helpdesk_core.sla.notices import GroupRoster, escalations_due
from helpdesk_core.storage.memory import MemorySchedule, MemoryStore
from helpdesk_core.storage.protocols import STALE_WAKEUP, Store, UnitOfWork
from helpdesk_core.workflow.automatic import apply_due

GROUPS = tuple(
    EmployeeGroup(id=g.id, name=g.name, members=g.members, notification_list=g.members, manager="E-1")
    for g in CUSTOMERS.groups
)
_BEFORE = timedelta(microseconds=1)


@attrs.frozen
class Clock:
    at: datetime

    def now(self) -> datetime:
        return self.at


@attrs.frozen
class PlainDesk:
    """What the scheduler needs of a desk: a store, a configuration, a clock."""

    store: Store
    config: Configuration = CONFIG
    clock: DeskClock = Clock(DEMO_END)


def stored_desk(histories: list[Ticket]) -> PlainDesk:
    store = MemoryStore()
    with store.unit_of_work() as uow:
        for group in GROUPS:
            uow.employee_groups.add(group)
        for employee in CUSTOMERS.staff:
            uow.employees.add(employee)
        for ticket in histories:
            uow.tickets.add(ticket)  # as an import does: the entry is stale
        uow.commit()
    return PlainDesk(store)


def outbox(store: Store) -> list[OutboxEntry]:
    return store.outbox.entries(limit=1_000_000)


def histories(store: Store) -> dict[str, Ticket]:
    return {s.value.id: s.value for s in store.tickets.iter_tickets()}


@pytest.fixture(params=[1, 7], ids=["one per unit of work", "seven per unit of work"])
def batch(request: pytest.FixtureRequest) -> int:
    """Tickets settled per unit of work."""
    value: int = request.param
    return value


NOWS = (DEMO_END, DEMO_END + timedelta(hours=3), DEMO_END + timedelta(hours=40), DEMO_END + timedelta(days=9))


def test_run_due_does_what_the_workflow_and_the_sla_do_ticket_by_ticket(batch: int) -> None:
    originals = tickets(150)
    desk = stored_desk(originals)
    assert CONFIG.sla is not None
    roster = GroupRoster(GROUPS)
    expected = {t.id: t for t in originals}
    expected_events: Counter[tuple[Any, ...]] = Counter()
    since: dict[str, datetime] = {t.id: t.created_at - _BEFORE for t in originals}
    for now in NOWS:
        actions = run_due(desk, now, batch=batch)
        for ticket_id, ticket in list(expected.items()):
            after = apply_due(ticket, now, CONFIG.automation, CONFIG.graph)
            for event in after.events[len(ticket.events):]:
                assert isinstance(event, StatusChange)
                expected_events[("status_changed", ticket_id, event.at, event.to)] += 1
            for notice in escalations_due(
                after, since=since[ticket_id], until=now, policy=CONFIG.sla, graph=CONFIG.graph,
                directory=roster,
            ):
                kind = "deadline_breached" if notice.reached_at >= notice.due else "deadline_approaching"
                expected_events[(kind, ticket_id, notice.instant, notice.key)] += 1
            expected[ticket_id] = after
            since[ticket_id] = now
        assert histories(desk.store) == expected
        assert all(a.action != "skipped" for a in actions)
    found: Counter[tuple[Any, ...]] = Counter()
    for entry in outbox(desk.store):
        domain = entry.event
        detail = domain.data["to"] if domain.kind == "status_changed" else domain.data["key"]
        found[(domain.kind, domain.ticket, domain.at, detail)] += 1
        if domain.kind == "status_changed":
            assert domain.by == SYSTEM
    assert found == expected_events
    kinds = Counter(kind for kind, *_ in found)
    assert kinds["status_changed"] > 30 and kinds["deadline_approaching"] > 30 and kinds["deadline_breached"] > 3


def test_run_due_reports_each_thing_it_did(batch: int) -> None:
    desk = stored_desk(tickets(60))
    actions = run_due(desk, NOWS[2], batch=batch)
    entries = outbox(desk.store)
    assert len(actions) == len(entries)
    assert [(a.ticket, a.at) for a in actions] == [(e.event.ticket, e.event.at) for e in entries]
    for action, entry in zip(actions, entries, strict=True):
        assert action.action == ("status" if entry.event.kind == "status_changed" else "escalation")


def test_run_due_twice_at_the_same_instant_does_nothing_the_second_time(batch: int) -> None:
    desk = stored_desk(tickets(80))
    first = run_due(desk, NOWS[2], batch=batch)
    assert len(first) > 20
    stored, entries = histories(desk.store), outbox(desk.store)
    assert run_due(desk, NOWS[2], batch=batch) == ()
    assert run_due(desk, NOWS[1], batch=batch) == ()  # an earlier instant: nothing either
    assert histories(desk.store) == stored
    assert outbox(desk.store) == entries


def test_after_a_run_nothing_is_due_before_the_next_wakeup() -> None:
    desk = stored_desk(tickets(80))
    run_due(desk, DEMO_END)
    wake = scheduler.next_wakeup(desk)
    assert wake is not None and wake > DEMO_END
    assert run_due(desk, wake - _BEFORE) == ()
    assert run_due(desk, wake) != ()


def test_run_due_reads_only_the_due_tickets() -> None:
    """The schedule, not a scan: after the first run a later run reads the
    tickets whose wake-up has come, nothing else."""
    desk = stored_desk(tickets(100))
    run_due(desk, DEMO_END)
    wake = scheduler.next_wakeup(desk)
    assert wake is not None
    due = desk.store.schedule.due(wake)
    read: list[str] = []
    real_find = type(desk.store).unit_of_work

    @contextmanager
    def counting(self: MemoryStore) -> Iterator[UnitOfWork]:
        with real_find(self) as uow:
            original = uow.tickets.find

            def find(id: str) -> Any:
                read.append(id)
                return original(id)

            uow.tickets.find = find  # type: ignore[method-assign]
            yield uow

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MemoryStore, "unit_of_work", counting)
        run_due(desk, wake)
    assert sorted(read) == sorted(e.ticket for e in due) and 0 < len(read) < 10


def test_tickets_written_by_an_import_are_looked_at_first(batch: int) -> None:
    desk = stored_desk(tickets(30))
    assert scheduler.next_wakeup(desk) == STALE_WAKEUP
    run_due(desk, DEMO_END, batch=batch)
    assert scheduler.next_wakeup(desk) not in (None, STALE_WAKEUP)
    # an import rewrites a ticket whose wake-up lay far ahead: resolved long ago
    resolved = Ticket.register(id="T-900", subject="x", created_at=T0).with_event(
        StatusChange(at=T0 + timedelta(hours=1), to="resolved", by="E-2")
    )
    with desk.store.unit_of_work() as uow:
        uow.tickets.add(resolved)
        uow.commit()
    entry = desk.store.schedule.find("T-900")
    assert entry is not None and entry.stale
    assert scheduler.next_wakeup(desk) == STALE_WAKEUP
    actions = run_due(desk, DEMO_END, batch=batch)
    assert [(a.ticket, a.action, a.data["to"]) for a in actions if a.action == "status"] == [
        ("T-900", "status", "closed")
    ]
    closed = desk.store.get_ticket("T-900").events[-1]
    assert isinstance(closed, StatusChange) and closed.at == T0 + timedelta(hours=49) and closed.by == SYSTEM


def test_a_late_reply_on_a_closed_ticket_makes_one_linked_follow_up(batch: int) -> None:
    desk = stored_desk([closed_with_late_reply("T-500")])
    reply_at = T0 + timedelta(days=10)
    actions = run_due(desk, reply_at + timedelta(hours=1), batch=batch)
    follow = [a for a in actions if a.action == "follow_up"]
    assert [(a.ticket, a.at, a.data["follow_up"]) for a in follow] == [("T-500", reply_at, "T-1001")]
    new = desk.store.get_ticket("T-1001")
    assert new.extra["follow_up_of"] == "T-500"
    assert new.created_at == reply_at and new.contact == "P-1" and new.company == "C-1"
    assert len(new.events) == 1 and isinstance(new.events[0], Comment) and new.events[0].body == "Broken again"
    assert desk.store.get_ticket("T-500").status == "closed"
    kinds = [e.event.kind for e in outbox(desk.store)]
    assert kinds[:3] == ["ticket_registered", "comment_added", "follow_up_registered"]
    # the follow-up itself was settled in the same unit of work
    follow_entry = desk.store.schedule.find("T-1001")
    assert follow_entry is not None and not follow_entry.stale
    for later in (reply_at + timedelta(hours=1), reply_at + timedelta(days=30)):
        again = run_due(desk, later, batch=batch)
        assert all(a.action != "follow_up" for a in again)
    assert desk.store.tickets.count() == 2


def test_a_broken_ticket_is_skipped_and_the_run_goes_on(batch: int) -> None:
    broken = Ticket.register(id="T-0", subject="x", created_at=T0).with_event(
        StatusChange(at=T0 + timedelta(minutes=1), to="lost_in_migration", by="E-2")
    )
    desk = stored_desk([broken, *tickets(40)])
    actions = run_due(desk, NOWS[2], batch=batch)
    skipped = [a for a in actions if a.action == "skipped"]
    assert [(a.ticket, a.data["error_type"]) for a in skipped] == [("T-0", "ValidationError")]
    assert "lost_in_migration" in skipped[0].detail
    assert len(actions) > 10  # the other tickets were settled
    entry = desk.store.schedule.find("T-0")
    assert entry is not None and entry.stale  # tried again next time
    again = run_due(desk, NOWS[2], batch=batch)
    assert [(a.ticket, a.action) for a in again] == [("T-0", "skipped")]


def test_a_ticket_settled_by_another_scheduler_meanwhile_is_done_once() -> None:
    """The other scheduler commits between our read and our commit: our unit of
    work fails with a conflict, the retry finds nothing left to do."""
    desk = stored_desk([closed_with_late_reply("T-500"), *tickets(20)])
    now = NOWS[3]
    other = PlainDesk(desk.store)
    real = MemoryStore.unit_of_work
    interfered: list[str] = []

    @contextmanager
    def meddling(self: MemoryStore) -> Iterator[UnitOfWork]:
        with real(self) as uow:  # this unit of work reads the store as it is now …
            if not interfered:  # … and the other scheduler commits before it does
                interfered.append("yes")
                assert "follow_up" in [a.action for a in settle_ticket(other, "T-500", now)]
            yield uow

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MemoryStore, "unit_of_work", meddling)
        mine = settle_ticket(desk, "T-500", now)
    assert interfered
    assert mine == []  # the other one made the follow-up
    assert desk.store.tickets.count() == 22
    assert [e.event.kind for e in outbox(desk.store)].count("follow_up_registered") == 1


def test_put_never_moves_checked_through_back() -> None:
    desk = stored_desk(tickets(10))
    run_due(desk, NOWS[3])
    with desk.store.unit_of_work() as uow:
        uow.tickets.append(
            "T-1", [Comment(at=NOWS[3], author="employee", body="x", by="E-1")],
            expected_version=uow.tickets.get("T-1").version,
        )
        uow.commit()
    run_due(desk, NOWS[1])
    entry = desk.store.schedule.find("T-1")
    assert entry is not None
    assert entry == ScheduleEntry(ticket="T-1", wake_at=entry.wake_at, checked_through=NOWS[3])


def live_desk(store: MemoryStore) -> Desk:
    company = CUSTOMERS.companies[0]
    with store.unit_of_work() as uow:
        for group in GROUPS:
            uow.employee_groups.add(group)
        for employee in CUSTOMERS.staff:
            uow.employees.add(employee)
        uow.companies.add(company)
        for contact in CUSTOMERS.contacts_of(company.id):
            uow.contacts.add(contact)
        uow.commit()
    return Desk(store, CONFIG, FixedClock(T0))


def test_the_desk_runs_the_scheduler_and_its_follow_up_is_the_schedulers() -> None:
    """Through the desk: a resolved ticket auto-closes on ``run_due``; a late
    reply made through the desk and the same reply imported onto the closed
    ticket give the same follow-up ticket and the same out-box entries."""
    company = CUSTOMERS.companies[0]
    contact = CUSTOMERS.contacts_of(company.id)[0].id
    desk = live_desk(MemoryStore())
    registered = desk.register_ticket(
        subject="Printer", by="E-1", at=T0, company=company.id, contact=contact,
        assignee=Assignee(id="E-2"), priority="critical",
    )
    ticket_id = registered.ticket.id
    desk.transition(ticket_id, "resolved", by="E-2", at=T0 + timedelta(hours=1))
    closing = T0 + timedelta(hours=49)
    assert desk.next_wakeup() == T0 + timedelta(minutes=15)  # half the reaction time of 30 min
    warned = desk.run_due(T0 + timedelta(hours=2))
    assert [(a.action, a.at, a.data["kind"]) for a in warned] == [
        ("escalation", T0 + timedelta(minutes=15), "deadline_approaching")
    ]
    assert desk.next_wakeup() == closing
    assert [a.action for a in desk.run_due(closing - _BEFORE)] == []
    actions = desk.run_due(closing)
    assert [(a.ticket, a.action, a.at, a.data["to"]) for a in actions] == [
        (ticket_id, "status", closing, "closed")
    ]
    assert desk.run_due(closing) == ()
    closed = desk.get(ticket_id).value
    # the same history imported, with the customer's late reply on it
    late = T0 + timedelta(days=20)
    reply = Comment(at=late, author="contact", by=contact, body="Broken again", public=True)
    imported = live_desk(MemoryStore())
    with imported.store.unit_of_work() as uow:
        uow.tickets.add(closed.with_event(reply))
        uow.commit()
    # … and the reply made live
    made = desk.customer_reply(ticket_id, body="Broken again", by=contact, at=late)
    assert made.follow_up_of == ticket_id
    done = imported.run_due(late + timedelta(minutes=1))
    assert [(a.ticket, a.data["follow_up"]) for a in done if a.action == "follow_up"] == [
        (ticket_id, made.ticket.id)
    ]
    assert imported.get(made.ticket.id).value == made.ticket

    def follow_up_events(store: Store) -> list[tuple[str, str | None, Any]]:
        kinds = ("ticket_registered", "comment_added", "follow_up_registered")
        return [
            (e.event.kind, e.event.ticket, {k: v for k, v in e.event.data.items() if k != "reason"})
            for e in outbox(store)
            if e.event.kind in kinds and e.event.at == late
        ]

    assert follow_up_events(imported.store) == follow_up_events(desk.store)
    assert desk.run_due(late + timedelta(minutes=1)) == imported.run_due(late + timedelta(minutes=1)) == ()


def test_a_changed_policy_makes_every_ticket_due_once() -> None:
    """The stored wake-ups were computed under the old automation: after the
    auto-close shrinks from 48 h to 24 h a ticket resolved 30 h ago closes on
    the next run (dated at its new instant), not 18 h late."""
    resolved_at = T0 + timedelta(hours=1)
    resolved = Ticket.register(id="T-900", subject="x", created_at=T0).with_event(
        StatusChange(at=resolved_at, to="resolved", by="E-2")
    )
    desk = stored_desk([resolved, *tickets(20)])
    run_due(desk, T0 + timedelta(hours=2))
    entry = desk.store.schedule.find("T-900")
    assert entry is not None and entry.wake_at == resolved_at + timedelta(hours=48)
    assert scheduler.policy_fingerprint(CONFIG) == scheduler.policy_fingerprint(attrs.evolve(CONFIG))
    shorter = attrs.evolve(
        CONFIG, automation=attrs.evolve(CONFIG.automation, auto_close_after=timedelta(hours=24))
    )
    assert scheduler.policy_fingerprint(shorter) != scheduler.policy_fingerprint(CONFIG)
    changed = attrs.evolve(desk, config=shorter)
    actions = run_due(changed, T0 + timedelta(hours=30))
    assert [(a.ticket, a.at, a.data["to"]) for a in actions if a.action == "status"] == [
        ("T-900", resolved_at + timedelta(hours=24), "closed")
    ]
    assert run_due(changed, T0 + timedelta(hours=30)) == ()  # the schedule is now the new policy's
    later = T0 + timedelta(hours=31)
    rescheduled: list[MemorySchedule] = []

    def reschedule(schedule: MemorySchedule) -> int:
        rescheduled.append(schedule)
        return 0

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(MemorySchedule, "mark_all_stale", reschedule)
        run_due(changed, later)
    assert rescheduled == []  # once per policy
    assert desk.store.settings.get(scheduler.POLICY_SETTING) == scheduler.policy_fingerprint(shorter)


def test_going_back_to_an_earlier_policy_is_a_change_too() -> None:
    """48 h, then 24 h, then 48 h again: the wake-ups stored under 24 h are
    wrong under 48 h, although the store has seen 48 h before."""
    resolved_at = T0 + timedelta(hours=1)
    resolved = Ticket.register(id="T-900", subject="x", created_at=T0).with_event(
        StatusChange(at=resolved_at, to="resolved", by="E-2")
    )
    desk = stored_desk([resolved])
    shorter = attrs.evolve(
        desk, config=attrs.evolve(CONFIG, automation=attrs.evolve(CONFIG.automation, auto_close_after=timedelta(hours=24)))
    )
    run_due(desk, T0 + timedelta(hours=2))
    run_due(shorter, T0 + timedelta(hours=3))
    assert desk.store.schedule.find("T-900") == ScheduleEntry(
        ticket="T-900", wake_at=resolved_at + timedelta(hours=24), checked_through=T0 + timedelta(hours=3)
    )
    assert run_due(desk, T0 + timedelta(hours=4)) == ()
    entry = desk.store.schedule.find("T-900")
    assert entry is not None and entry.wake_at == resolved_at + timedelta(hours=48), "back under 48 h"
    assert run_due(desk, resolved_at + timedelta(hours=24)) == (), "not closed by the 24 h rule any more"


def test_the_policy_fingerprint_is_the_same_in_every_process() -> None:
    code = (
        "import sys; sys.path.insert(0, 'tests/unit')\n"
        "from test_scheduler_decisions import CONFIG\n"
        "from helpdesk_core.desk.scheduler import policy_fingerprint\n"
        "print(policy_fingerprint(CONFIG))"
    )
    seen = {
        subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout.strip()
        for seed in ("1", "2")
    }
    assert seen == {scheduler.policy_fingerprint(CONFIG)}


def test_serve_reports_a_stuck_ticket_once_and_stops_when_told() -> None:
    """The loop of ``helpdesk run``: rounds until ``stop`` is set; a ticket
    that cannot be settled is retried each round but reported once."""
    broken = Ticket.register(id="T-0", subject="x", created_at=T0).with_event(
        StatusChange(at=T0 + timedelta(minutes=1), to="lost_in_migration", by="E-2")
    )
    desk = stored_desk([broken, *tickets(5)])
    stop = threading.Event()
    rounds: list[datetime] = []

    class Rounds:
        def now(self) -> datetime:
            rounds.append(NOWS[2])
            if len(rounds) >= 8:  # two clock readings a round
                stop.set()
            return NOWS[2]

    heard: list[scheduler.DueAction] = []
    started = time.monotonic()
    scheduler.serve(attrs.evolve(desk, clock=Rounds()), stop=stop, poll=0.01, on_action=heard.append)
    assert time.monotonic() - started < 5
    assert len(rounds) >= 8
    assert [a.ticket for a in heard if a.action == "skipped"] == ["T-0"]
    assert len(heard) == len(outbox(desk.store)) + 1  # every action, once


def test_a_scheduler_sleeps_until_the_next_wakeup_at_most_a_poll() -> None:
    pause = scheduler._pause
    assert pause(None, NOWS[1], NOWS[1], 5.0) == 5.0
    assert pause(NOWS[1] + timedelta(seconds=2), NOWS[1], NOWS[1], 5.0) == 2.0
    assert pause(NOWS[1] + timedelta(hours=2), NOWS[1], NOWS[1], 5.0) == 5.0
    assert pause(NOWS[1], NOWS[1], NOWS[1], 5.0) == 5.0  # still due after a run: no busy loop
    assert pause(NOWS[1] + timedelta(seconds=1), NOWS[1], NOWS[1] + timedelta(seconds=3), 5.0) == 0.0
