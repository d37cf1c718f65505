"""``explain``'s header names the target each deadline was actually judged
against: the rule judging the reaction (the one in force when it came), the
rule judging the resolution, a deadline set by hand instead of the rule's."""

from __future__ import annotations

from datetime import datetime, timedelta

from helpdesk_core.model import Comment, Ticket
from helpdesk_core.model.ticket import PriorityChange, SlaOverride, StatusChange
from helpdesk_core.sla import SlaPolicy, explain
from helpdesk_core.workflow import DEFAULT_GRAPH
from helpdesk_core.worktime import WorkingCalendar

OFFICE = WorkingCalendar.from_dict({
    "name": "office",
    "tz": "Europe/Prague",
    "week": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
})
ROUND = WorkingCalendar.from_dict({
    "name": "24x7", "tz": "UTC", "week": {d: [["00:00", "24:00"]] for d in ("mon", "tue", "wed", "thu", "fri",
                                                                         "sat", "sun")},
})
POLICY = SlaPolicy.from_config(
    {"rules": [
        {"name": "Gold", "when": {"priority": ["high"]}, "calendar": "24x7", "reaction": "1h",
         "resolution": "8h"},
        {"name": "Standard", "calendar": "office", "reaction": "2h", "resolution": "16h"},
    ]},
    calendars={"office": OFFICE, "24x7": ROUND},
)
MON_9 = datetime.fromisoformat("2026-03-02T09:00:00+01:00")
AS_OF = datetime.fromisoformat("2026-03-06T12:00:00+01:00")


def header(ticket: Ticket) -> list[str]:
    """The lines a person reads above the segments, without the table's lines."""
    lines = explain(ticket, policy=POLICY, graph=DEFAULT_GRAPH, as_of=AS_OF).lines()
    head = list(lines[: lines.index("segments:")])
    return [line for line in head if not line.startswith("  ")]


def registered() -> Ticket:
    return Ticket.register(id="T-1", subject="s", priority="normal", created_at=MON_9)


def test_the_reaction_is_judged_by_the_rule_in_force_when_it_came() -> None:
    ticket = (registered()
              .with_event(Comment(at=MON_9 + timedelta(minutes=30), by="E-1", author="employee", public=True,
                                  body="On it."))
              .with_event(PriorityChange(at=MON_9 + timedelta(hours=1), to="high", by="E-1")))
    assert header(ticket)[-2:] == [
        "reaction target: 2h of working time on office, rule 'Standard', "
        "in force at the reaction (2026-03-02T09:30+01:00)",
        "resolution target: 8h of working time on 24x7, rule 'Gold'",
    ]


def test_a_deadline_set_by_hand_is_the_target_shown() -> None:
    due = datetime.fromisoformat("2026-03-03T12:00:00+01:00")
    ticket = registered().with_event(SlaOverride(at=MON_9 + timedelta(hours=1), resolution_due=due, by="E-2"))
    lines = explain(ticket, policy=POLICY, graph=DEFAULT_GRAPH, as_of=AS_OF).lines()
    assert header(ticket)[-2:] == [
        "reaction target: 2h of working time on office, rule 'Standard'",
        "resolution target: due 2026-03-03T12:00+01:00, set by hand by E-2 at 2026-03-02T10:00+01:00 "
        "(instead of 16h of working time on office, rule 'Standard')",
    ]
    assert lines[-1].startswith("counted working time 35h (the resolution deadline was set by hand); ")


def test_the_resolution_is_judged_by_the_rule_in_force_when_it_came() -> None:
    resolved = MON_9 + timedelta(hours=3)
    ticket = (registered()
              .with_event(PriorityChange(at=MON_9 + timedelta(hours=1), to="high", by="E-1"))
              .with_event(StatusChange(at=resolved, to="resolved", by="E-1"))
              .with_event(PriorityChange(at=resolved + timedelta(hours=1), to="normal", by="E-1")))
    assert header(ticket)[-2:] == [
        "reaction target: 1h of working time on 24x7, rule 'Gold', in force at the reaction (2026-03-02T12:00+01:00)",
        "resolution target: 8h of working time on 24x7, rule 'Gold', in force at the resolution "
        "(2026-03-02T12:00+01:00)",
    ]
