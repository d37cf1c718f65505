"""The scheduler's pure part: what falls due for one ticket, and when to look again.

``due_work`` must agree with the workflow's ``apply_due`` and the SLA's
``escalations_due`` (the scheduler adds no rules of its own), and ``wakeup_of``
must be a safe sleep: nothing falls due before it, something does at it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from helpdesk_core.config import Configuration, parse_configuration
from helpdesk_core.desk.scheduler import DueAction, DueWork, due_work, notice_kind, wakeup_of
from helpdesk_core.model.staff import EmployeeGroup
from helpdesk_core.model.ticket import SYSTEM, Assignee, Comment, StatusChange, Ticket
from helpdesk_core.sample import DEMO_END, sample_customers, sample_tickets
from helpdesk_core.sla.notices import GroupRoster, escalations_due, next_escalation
from helpdesk_core.workflow.automatic import apply_due, next_wakeup

CONFIG_TEXT = """
[[calendars]]
name = "24x7"
tz = "UTC"
week = { mon = [["00:00", "24:00"]], tue = [["00:00", "24:00"]], wed = [["00:00", "24:00"]],
         thu = [["00:00", "24:00"]], fri = [["00:00", "24:00"]], sat = [["00:00", "24:00"]],
         sun = [["00:00", "24:00"]] }

[[calendars]]
name = "office"
tz = "Europe/Prague"
week = { mon = [["08:00", "17:00"]], tue = [["08:00", "17:00"]], wed = [["08:00", "17:00"]],
         thu = [["08:00", "17:00"]], fri = [["08:00", "15:00"]] }

[workflow]
preset = "default"

[workflow.automation]
auto_close_after = "48h"
reopen_window = "72h"

[[sla.escalations]]
name = "standard"
levels = [
  { at = "50%", of = "reaction", notify = ["assignee"] },
  { at = "80%", of = "resolution", notify = ["assignee", "group_manager"] },
  { at = "+0m", of = "resolution", notify = ["employee:E-1"], channel = "sms" },
  { at = "+2h", of = "resolution", notify = ["employee:E-2"], working_hours_only = "office" },
]

[[sla.rules]]
name = "Critical"
when = { priority = ["critical"] }
calendar = "24x7"
reaction = "30m"
resolution = "4h"
escalation = "standard"

[[sla.rules]]
name = "Default"
calendar = "office"
reaction = "2h"
resolution = "8h"
escalation = "standard"
"""

CONFIG: Configuration = parse_configuration(CONFIG_TEXT, source="test")
CUSTOMERS = sample_customers(7, companies=12, employees=6)
ROSTER = GroupRoster(
    EmployeeGroup(
        id=group.id, name=group.name, members=group.members,
        notification_list=group.members, manager="E-1",
    )
    for group in CUSTOMERS.groups
)
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday


def tickets(count: int = 120) -> list[Ticket]:
    return list(sample_tickets(11, count, customers=CUSTOMERS, end=DEMO_END, days=6, graph=CONFIG.graph))


def work(ticket: Ticket, checked: datetime | None, now: datetime) -> DueWork:
    return due_work(ticket, checked, now, config=CONFIG, directory=ROSTER, customer=None)


def wake(ticket: Ticket, checked: datetime | None) -> datetime | None:
    return wakeup_of(ticket, checked, config=CONFIG, directory=ROSTER, customer=None)


def open_ticket(id: str = "T-1", **fields: Any) -> Ticket:
    return Ticket.register(id=id, subject="Printer", created_at=T0, assignee=Assignee(id="E-3"), **fields)


def test_the_wakeup_of_a_new_ticket_is_its_first_escalation_level() -> None:
    ticket = open_ticket(priority="critical")  # 24x7: reaction 30 min, level at 50 %
    assert wake(ticket, None) == T0 + timedelta(minutes=15)
    assert wake(ticket, T0 + timedelta(minutes=15)) == T0 + timedelta(hours=4) * 0.8


def test_the_wakeup_of_a_resolved_ticket_is_its_auto_close() -> None:
    ticket = open_ticket(priority="critical").with_event(
        StatusChange(at=T0 + timedelta(minutes=5), to="resolved", by="E-3")
    )
    assert wake(ticket, T0 + timedelta(minutes=5)) == T0 + timedelta(minutes=5, hours=48)


def test_the_wakeup_of_a_postponed_ticket_is_its_until_time() -> None:
    until = T0 + timedelta(minutes=10)
    ticket = open_ticket(priority="critical").with_event(
        StatusChange(at=T0 + timedelta(minutes=1), to="postponed", until=until, by="E-3")
    )
    assert wake(ticket, T0 + timedelta(minutes=1)) == until


def test_wakeup_of_is_the_earliest_of_the_workflow_and_the_escalation_plan() -> None:
    for ticket in tickets(60):
        assert CONFIG.sla is not None
        escalation = next_escalation(
            ticket, after=ticket.created_at - timedelta(microseconds=1), policy=CONFIG.sla,
            graph=CONFIG.graph, directory=ROSTER,
        )
        status = next_wakeup(ticket, CONFIG.automation, CONFIG.graph)
        expected = min((at for at in (escalation, status) if at is not None), default=None)
        assert wake(ticket, None) == expected, ticket.id


@pytest.mark.parametrize("hours", [0, 1, 7, 30, 60, 200])
def test_due_work_is_apply_due_and_escalations_due(hours: int) -> None:
    now = DEMO_END + timedelta(hours=hours)
    assert CONFIG.sla is not None
    for ticket in tickets():
        checked = DEMO_END - timedelta(hours=3)
        done = work(ticket, checked, now)
        applied = apply_due(ticket, now, CONFIG.automation, CONFIG.graph)
        assert done.ticket == applied
        assert done.events == applied.events[len(ticket.events):]
        assert all(event.by == SYSTEM for event in done.events)
        assert done.notices == escalations_due(
            applied, since=checked, until=now, policy=CONFIG.sla, graph=CONFIG.graph, directory=ROSTER
        )
        assert done.checked_through == now


def test_due_work_twice_at_the_same_instant_does_nothing_the_second_time() -> None:
    now = DEMO_END + timedelta(hours=30)
    busy = 0
    for ticket in tickets():
        first = work(ticket, None, now)
        busy += bool(first.changes or first.notices)
        second = work(first.ticket, first.checked_through, now)
        assert (second.changes, second.notices, second.follow_up) == ((), (), None)
        assert second.wake_at == first.wake_at
    assert busy > 20  # the sample has plenty to do


def test_a_run_split_in_two_does_what_one_run_does() -> None:
    middle, end = DEMO_END + timedelta(hours=5), DEMO_END + timedelta(hours=80)
    for ticket in tickets():
        whole = work(ticket, None, end)
        first = work(ticket, None, middle)
        second = work(first.ticket, first.checked_through, end)
        assert second.ticket == whole.ticket
        assert {n.key for n in first.notices} | {n.key for n in second.notices} == {
            n.key for n in whole.notices
        }
        assert second.wake_at == whole.wake_at


def test_nothing_falls_due_before_the_wakeup_and_something_at_it() -> None:
    """The instant stored as ``wake_at`` is a safe sleep for the scheduler."""
    checked = DEMO_END
    woken = 0
    for ticket in tickets():
        settled = work(ticket, None, checked)
        at = settled.wake_at
        if at is None:
            continue
        before = work(settled.ticket, checked, at - timedelta(microseconds=1))
        assert (before.changes, before.notices, before.follow_up) == ((), (), None), ticket.id
        then = work(settled.ticket, checked, at)
        assert then.changes or then.notices, ticket.id
        woken += 1
    assert woken > 10


def closed_with_late_reply(id: str = "T-1") -> Ticket:
    reply = Comment(at=T0 + timedelta(days=10), author="contact", by="P-1", body="Broken again")
    return (
        open_ticket(id, contact="P-1", company="C-1")
        .with_event(StatusChange(at=T0 + timedelta(hours=1), to="resolved", by="E-3"))
        .with_event(StatusChange(at=T0 + timedelta(hours=2), to="closed", by="E-3"))
        .with_event(reply)
    )


def test_a_late_reply_on_a_closed_ticket_asks_for_a_follow_up_once() -> None:
    ticket = closed_with_late_reply()
    reply_at = T0 + timedelta(days=10)
    assert wake(ticket, None) == reply_at
    assert wake(ticket, T0 + timedelta(days=3)) == reply_at
    assert work(ticket, T0 + timedelta(days=3), reply_at - timedelta(seconds=1)).follow_up is None
    first = work(ticket, T0 + timedelta(days=3), reply_at + timedelta(days=1))
    assert first.follow_up is not None and first.follow_up.comment.at == reply_at
    assert first.ticket.status == "closed" and first.changes == ()
    assert work(ticket, first.checked_through, reply_at + timedelta(days=1)).follow_up is None
    assert work(ticket, first.checked_through, reply_at + timedelta(days=9)).follow_up is None
    assert wake(ticket, first.checked_through) is None


def test_a_reply_within_the_reopen_window_reopens_instead() -> None:
    ticket = closed_with_late_reply()
    reply = Comment(at=T0 + timedelta(hours=5), author="contact", by="P-1", body="Still broken")
    early = Ticket.register(id="T-2", subject="x", created_at=T0).with_event(
        StatusChange(at=T0 + timedelta(hours=1), to="resolved", by="E-3")
    ).with_event(StatusChange(at=T0 + timedelta(hours=2), to="closed", by="E-3")).with_event(reply)
    done = work(early, None, T0 + timedelta(days=1))
    assert done.follow_up is None
    assert [(e.to, e.at, e.by) for e in done.events] == [("open", reply.at, SYSTEM)]
    assert ticket.status == "closed"


def test_notices_at_or_after_the_due_are_breaches() -> None:
    ticket = open_ticket(priority="critical")
    done = work(ticket, None, T0 + timedelta(hours=7))
    kinds = [(n.level, n.target.value, notice_kind(n)) for n in done.notices]
    assert kinds == [
        (0, "reaction", "deadline_approaching"),
        (1, "resolution", "deadline_approaching"),
        (1, "resolution", "deadline_approaching"),
        (2, "resolution", "deadline_breached"),
        (3, "resolution", "deadline_breached"),
    ]
    assert {n.recipient for n in done.notices if n.level == 1} == {"E-3", "E-1"}


def test_a_due_action_as_json_has_ticket_action_and_instant() -> None:
    action = DueAction(
        ticket="T-1", action="status", at=T0, detail="auto-close", data={"to": "closed", "rule": "auto_close"}
    )
    assert action.to_json() == {
        "ticket": "T-1", "action": "status", "at": "2026-03-02T09:00:00+00:00",
        "to": "closed", "rule": "auto_close",
    }
    assert action.line() == "2026-03-02T09:00:00+00:00 T-1 status: auto-close"
