"""Properties of escalation notices over arbitrary histories, plans and windows:
a scheduler that cuts time into windows anywhere gets exactly the notices of
one long window, and ``next_escalation`` names the first of them."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.model.staff import EmployeeGroup
from helpdesk_core.model.ticket import (
    Assignee,
    Assignment,
    Comment,
    Event,
    PriorityChange,
    SlaOverride,
    StatusChange,
    Ticket,
)
from helpdesk_core.sla import GroupRoster, SlaPolicy, escalations_due, next_escalation
from helpdesk_core.workflow import DEFAULT_GRAPH
from helpdesk_core.worktime import WorkingCalendar

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
CALENDARS = {
    "office": WorkingCalendar.from_dict(
        {"name": "office", "tz": "Europe/Prague",
         "week": {d: [["09:00", "17:00"]] for d in WEEKDAYS},
         "public_holidays": [{"country": "CZ"}]}
    ),
    "late": WorkingCalendar.from_dict(
        {"name": "late", "tz": "America/New_York",
         "week": {**{d: [["08:00", "12:00"], ["13:00", "20:00"]] for d in WEEKDAYS},
                  "sat": [["22:00", "06:00"]]}}
    ),
    "24x7": WorkingCalendar.from_dict(
        {"name": "24x7", "tz": "UTC",
         "week": {d: [["00:00", "24:00"]] for d in (*WEEKDAYS, "sat", "sun")}}
    ),
}
ROSTER = GroupRoster(
    [
        EmployeeGroup(id="G-1", name="First line", members={"E-1", "E-2"},
                      notification_list={"E-1", "E-2"}, manager="M-1"),
        EmployeeGroup(id="G-2", name="Field", members={"E-2", "E-3"},
                      notification_list={"E-3"}),
    ]
)
KINDS = dict(policy=None, graph=DEFAULT_GRAPH, directory=ROSTER)

levels = st.fixed_dictionaries(
    {
        "at": st.sampled_from(["0%", "50%", "80%", "100%", "150%",
                               "-2h", "-1h", "-15m", "+0m", "+30m", "+3h"]),
        "of": st.sampled_from(["reaction", "resolution"]),
        "notify": st.lists(
            st.sampled_from(["assignee", "assignee_group", "group_manager", "employee:E-9"]),
            min_size=1, max_size=3,
        ),
    },
    optional={"working_hours_only": st.sampled_from(sorted(CALENDARS)),
              "channel": st.sampled_from(["sms", "push"])},
)
durations = st.sampled_from(["15m", "1h", "4h", "16h"])


@st.composite
def policies(draw: st.DrawFn) -> SlaPolicy:
    plans = [{"name": name, "levels": draw(st.lists(levels, min_size=1, max_size=4))}
             for name in ("p1", "p2")]
    return SlaPolicy.from_config(
        {
            "rules": [
                {"name": "Critical", "when": {"priority": ["critical"]},
                 "calendar": draw(st.sampled_from(sorted(CALENDARS))),
                 "reaction": draw(durations), "resolution": draw(durations),
                 "escalation": draw(st.sampled_from(["p1", "p2"])),
                 "on_change": draw(st.sampled_from(["reselect", "keep_elapsed"]))},
                {"name": "Default", "calendar": draw(st.sampled_from(sorted(CALENDARS))),
                 "reaction": draw(durations), "resolution": draw(durations),
                 "escalation": "p1"},
            ],
            "escalations": plans,
        },
        calendars=CALENDARS,
    )


GAPS = st.integers(min_value=0, max_value=60 * 24 * 3).map(lambda m: timedelta(minutes=m))
ZONES = (UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5)))
STATUSES = ("open", "in_progress", "postponed", "resolved", "closed")


@st.composite
def tickets(draw: st.DrawFn) -> Ticket:
    base = datetime(2026, 3, 1, tzinfo=UTC)
    created = (base + timedelta(minutes=draw(st.integers(0, 60 * 24 * 45)))).astimezone(
        draw(st.sampled_from(ZONES))
    )
    at = created
    events: list[Event] = []
    for _ in range(draw(st.integers(0, 7))):
        at = at + draw(GAPS)
        kind = draw(st.sampled_from(["status", "comment", "priority", "assign", "sla"]))
        if kind == "status":
            events.append(StatusChange(at=at, to=draw(st.sampled_from(STATUSES)),
                                       until=at + timedelta(days=1)))
        elif kind == "comment":
            events.append(Comment(at=at, author=draw(st.sampled_from(("employee", "contact"))),
                                  public=draw(st.booleans())))
        elif kind == "priority":
            events.append(PriorityChange(at=at, to=draw(st.sampled_from(["critical", "low"]))))
        elif kind == "assign":
            who = draw(st.sampled_from(["E-1", "E-2", "G-1", "G-2"]))
            events.append(Assignment(at=at, to=who, group=who.startswith("G")))
        else:
            events.append(SlaOverride(at=at, resolution_due=at + draw(GAPS)))
    return Ticket.register(
        id="T-1", subject="s", created_at=created, events=events,
        priority=draw(st.sampled_from(["critical", "low"])),
        assignee=draw(st.sampled_from([None, Assignee(id="E-1"), Assignee(id="G-2", group=True)])),
    )


def kinds(sla: SlaPolicy) -> dict[str, Any]:
    return {**KINDS, "policy": sla}


@settings(max_examples=120, deadline=None)
@given(tickets(), policies(), st.lists(GAPS, min_size=1, max_size=4),
       st.integers(-60 * 24, 60 * 24 * 3))
def test_cutting_a_window_anywhere_gives_exactly_the_same_notices(
    ticket: Ticket, sla: SlaPolicy, cuts: list[timedelta], offset: int
) -> None:
    start = ticket.created_at + timedelta(minutes=offset)
    bounds = [start]
    for gap in cuts:
        bounds.append(bounds[-1] + gap)
    whole = escalations_due(ticket, since=bounds[0], until=bounds[-1], **kinds(sla))
    pieces = [
        notice
        for since, until in pairwise(bounds)
        for notice in escalations_due(ticket, since=since, until=until, **kinds(sla))
    ]
    assert pieces == list(whole)
    assert len({n.key for n in whole}) == len(whole)
    assert all(bounds[0] < n.instant <= bounds[-1] for n in whole)
    assert all(n.instant >= n.reached_at >= ticket.created_at for n in whole)


@settings(max_examples=120, deadline=None)
@given(tickets(), policies(), st.integers(-60 * 24, 60 * 24 * 5))
def test_next_escalation_is_the_first_notice_of_a_long_window(
    ticket: Ticket, sla: SlaPolicy, offset: int
) -> None:
    after = ticket.created_at + timedelta(minutes=offset)
    horizon = after + timedelta(days=120)
    notices = escalations_due(ticket, since=after, until=horizon, **kinds(sla))
    wake = next_escalation(ticket, after=after, **kinds(sla))
    if notices:
        assert wake == notices[0].instant
    else:
        assert wake is None or wake > horizon
