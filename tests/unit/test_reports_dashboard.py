"""The dashboard counts of a small desk written out by hand."""

from __future__ import annotations

import json
from datetime import date, datetime
from zoneinfo import ZoneInfo

from helpdesk_core.config import parse_configuration
from helpdesk_core.reports import dashboard
from helpdesk_core.serialization import ticket_from_json

CONFIG = parse_configuration(
    """
[[calendars]]
name = "24x7"
tz = "UTC"
week = { mon = [["00:00", "24:00"]], tue = [["00:00", "24:00"]], wed = [["00:00", "24:00"]],
         thu = [["00:00", "24:00"]], fri = [["00:00", "24:00"]], sat = [["00:00", "24:00"]],
         sun = [["00:00", "24:00"]] }

[[sla.rules]]
name = "Low"
when = { priority = ["low"] }
calendar = "24x7"
reaction = "1h"
resolution = "40h"

[[sla.rules]]
name = "Default"
calendar = "24x7"
reaction = "1h"
resolution = "4h"
"""
)
AS_OF = datetime.fromisoformat("2026-03-10T12:00:00+00:00")


def ticket(id: str, created: str, *events: dict[str, object], **fields: object) -> str:
    return json.dumps({"id": id, "subject": "x", "created_at": f"2026-03-{created}:00+00:00",
                       "events": [{**e, "at": f"2026-03-{e['at']}:00+00:00"} for e in events], **fields})


DESK = [
    # A: nobody reacted within the hour, nobody responsible: overdue
    ticket("A", "10T08:00"),
    # B: in progress, resolution due at 15:30 today
    ticket("B", "10T11:30", {"at": "10T11:31", "kind": "assign", "to": "E-1"},
           {"at": "10T11:35", "kind": "status", "to": "in_progress"}),
    # C: resolved on the 9th
    ticket("C", "09T10:00", {"at": "09T10:10", "kind": "status", "to": "in_progress"},
           {"at": "09T12:00", "kind": "status", "to": "resolved"}),
    # D: postponed (waiting, not in progress), responsible from the start, due in 40 h
    ticket("D", "10T09:00", {"at": "10T09:05", "kind": "status", "to": "postponed",
                             "until": "2026-03-12T09:00:00+00:00"},
           priority="low", assignee={"id": "E-2"}),
    # E: registered after the dashboard's instant
    ticket("E", "11T08:00"),
    # F: resolved on the 8th, reopened on the 9th, resolved again on the 10th
    ticket("F", "08T10:00", {"at": "08T11:00", "kind": "status", "to": "resolved"},
           {"at": "09T09:00", "kind": "status", "to": "open"},
           {"at": "10T10:00", "kind": "status", "to": "resolved"}),
]


def test_counters_and_days_of_a_desk_written_out() -> None:
    board = dashboard(
        (ticket_from_json(line) for line in DESK),
        policy=CONFIG.sla,
        graph=CONFIG.graph,
        as_of=AS_OF,
        zone=ZoneInfo("UTC"),
        first_day=date(2026, 3, 8),
        last_day=date(2026, 3, 11),
    )
    assert board.counters() == {
        "open": 3,
        "overdue": 1,
        "in progress": 1,
        "due today": 1,
        "without responsible": 1,
    }
    assert [(d.day.day, d.created, d.resolved) for d in board.days] == [
        (8, 1, 1),
        (9, 1, 1),
        (10, 3, 1),
        (11, 0, 0),
    ]


def test_without_sla_rules_nothing_is_overdue_or_due_and_days_default_to_two_weeks() -> None:
    board = dashboard(
        (ticket_from_json(line) for line in DESK),
        policy=None,
        graph=CONFIG.graph,
        as_of=AS_OF,
        zone=ZoneInfo("Europe/Prague"),
    )
    assert (board.open, board.overdue, board.due_today) == (3, 0, 0)
    assert len(board.days) == 14 and board.days[-1].day == date(2026, 3, 10)


def test_the_first_and_last_days_of_the_calendar_have_a_dashboard() -> None:
    """A library caller is not held to the CLI's years: the day loop, the
    default period and the end of the day do not overflow at date.min/max."""
    utc = ZoneInfo("UTC")
    last = dashboard([], policy=None, graph=CONFIG.graph,
                               as_of=datetime.fromisoformat("9999-12-31T12:00:00+00:00"), zone=utc)
    assert last.days[-1].day == date(9999, 12, 31) and len(last.days) == 14
    first = dashboard([], policy=None, graph=CONFIG.graph,
                                as_of=datetime.fromisoformat("0001-01-02T12:00:00+00:00"), zone=utc)
    assert [d.day for d in first.days] == [date(1, 1, 1), date(1, 1, 2)]
