"""Properties of the SLA clock over arbitrary histories and real calendars."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from functools import cache

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.model.ticket import Comment, Event, StatusChange, Ticket
from helpdesk_core.sla import SegmentKind, SlaPolicy, evaluate, explain
from helpdesk_core.workflow import DEFAULT_GRAPH
from helpdesk_core.worktime import WorkingCalendar

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
CALENDARS = {
    "office": WorkingCalendar.from_dict(
        {
            "name": "office",
            "tz": "Europe/Prague",
            "week": {d: [["09:00", "17:00"]] for d in WEEKDAYS},
            "public_holidays": [{"country": "CZ"}],
            "exceptions": {"2026-12-23": [["09:00", "12:00"]]},
        }
    ),
    "late": WorkingCalendar.from_dict(
        {
            "name": "late",
            "tz": "America/New_York",
            "week": {**{d: [["08:00", "12:00"], ["13:00", "20:00"]] for d in WEEKDAYS},
                     "sat": [["22:00", "06:00"]]},
            "holidays": ["2026-03-09"],
        }
    ),
}
TARGETS = (timedelta(0), timedelta(minutes=30), timedelta(hours=4), timedelta(hours=16),
           timedelta(minutes=90))


@cache
def policy(calendar: str, reaction: timedelta, resolution: timedelta) -> SlaPolicy:
    minutes = int(resolution.total_seconds() // 60)
    return SlaPolicy.from_config(
        {"rules": [{"name": "Only", "calendar": calendar,
                    "reaction": int(reaction.total_seconds() // 60), "resolution": minutes}]},
        calendars=CALENDARS,
    )


policies = st.builds(
    policy, st.sampled_from(sorted(CALENDARS)), st.sampled_from(TARGETS), st.sampled_from(TARGETS)
)
STATUSES = ("open", "in_progress", "postponed", "resolved", "closed")
GAPS = st.integers(min_value=0, max_value=60 * 24 * 4).map(lambda m: timedelta(minutes=m))
ZONES = (UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5)))


@st.composite
def histories(
    draw: st.DrawFn, statuses: tuple[str, ...] = STATUSES
) -> tuple[Ticket, datetime]:
    base = datetime(2026, 3, 1, tzinfo=UTC)
    created = (base + timedelta(minutes=draw(st.integers(0, 60 * 24 * 60)))).astimezone(
        draw(st.sampled_from(ZONES))
    )
    at = created
    events: list[Event] = []
    for _ in range(draw(st.integers(0, 8))):
        at = at + draw(GAPS)
        if draw(st.booleans()):
            to = draw(st.sampled_from(statuses))
            events.append(StatusChange(at=at, to=to, until=at + timedelta(days=1)))
        else:
            events.append(
                Comment(at=at, author=draw(st.sampled_from(("employee", "contact"))),
                        public=draw(st.booleans()))
            )
    ticket = Ticket.register(id="T-1", subject="s", created_at=created, events=events)
    return ticket, at + draw(GAPS)


@settings(max_examples=150, deadline=None)
@given(histories(), policies)
def test_counted_segments_sum_to_the_elapsed_working_time(
    case: tuple[Ticket, datetime], sla: SlaPolicy
) -> None:
    ticket, as_of = case
    timeline = explain(ticket, policy=sla, graph=DEFAULT_GRAPH, as_of=as_of)
    assert timeline.counted == timeline.elapsed
    calendar = sla.calendars[sla.rules[0].result.calendar]
    whole = calendar.between(ticket.created_at, as_of)
    assert sum((s.working or timedelta(0) for s in timeline.segments), timedelta(0)) == whole
    lost = sum(
        (s.working or timedelta(0) for s in timeline.segments if s.kind is not SegmentKind.COUNTED),
        timedelta(0),
    )
    assert timeline.elapsed == whole - lost


@settings(max_examples=150, deadline=None)
@given(histories(), policies)
def test_pausing_never_brings_the_deadline_earlier(
    case: tuple[Ticket, datetime], sla: SlaPolicy
) -> None:
    ticket, as_of = case
    unpaused = attrs.evolve(
        ticket,
        events=[
            attrs.evolve(e, to="in_progress")
            if isinstance(e, StatusChange) and e.to == "postponed" else e
            for e in ticket.events
        ],
    )
    paused_row = evaluate(ticket, policy=sla, graph=DEFAULT_GRAPH, as_of=as_of)
    plain_row = evaluate(unpaused, policy=sla, graph=DEFAULT_GRAPH, as_of=as_of)
    assert paused_row.resolution_due is not None and plain_row.resolution_due is not None
    assert paused_row.resolution_due >= plain_row.resolution_due
    assert paused_row.reaction_due == plain_row.reaction_due


@settings(max_examples=150, deadline=None)
@given(histories(statuses=("open", "in_progress")), policies, st.booleans())
def test_without_pauses_reopens_or_overrides_the_due_is_the_calendar_sum(
    case: tuple[Ticket, datetime], sla: SlaPolicy, resolve: bool
) -> None:
    ticket, as_of = case
    if resolve:
        ticket = ticket.with_event(StatusChange(at=as_of, to="resolved"))
    row = evaluate(ticket, policy=sla, graph=DEFAULT_GRAPH, as_of=as_of)
    terms = sla.rules[0].result
    calendar = sla.calendars[terms.calendar]
    assert row.resolution_due == calendar.add(ticket.created_at, terms.resolution)
    assert row.reaction_due == calendar.add(ticket.created_at, terms.reaction)
    assert row.paused_minutes == 0


@settings(max_examples=200, deadline=None)
@given(histories(), policies)
def test_breached_exactly_when_achieved_or_still_awaited_after_the_due_instant(
    case: tuple[Ticket, datetime], sla: SlaPolicy
) -> None:
    ticket, as_of = case
    row = evaluate(ticket, policy=sla, graph=DEFAULT_GRAPH, as_of=as_of)
    assert row.reaction_due is not None and row.resolution_due is not None
    reaction_end = row.reacted_at if row.reacted_at is not None else as_of
    assert row.reaction_breached is (reaction_end > row.reaction_due)
    resolution_end = row.resolved_at if row.resolved_at is not None else as_of
    assert row.resolution_breached is (resolution_end > row.resolution_due)
    assert (row.state.value == "breached") is (row.reaction_breached or row.resolution_breached)


@settings(max_examples=100, deadline=None)
@given(histories(), policies, st.data())
def test_as_of_is_the_same_as_cutting_the_history_there(
    case: tuple[Ticket, datetime], sla: SlaPolicy, data: st.DataObject
) -> None:
    ticket, as_of = case
    instants = [ticket.created_at, *(e.at for e in ticket.events), as_of]
    cut = data.draw(st.sampled_from(instants))
    earlier = attrs.evolve(ticket, events=[e for e in ticket.events if e.at <= cut])
    assert evaluate(ticket, policy=sla, graph=DEFAULT_GRAPH, as_of=cut) == evaluate(
        earlier, policy=sla, graph=DEFAULT_GRAPH, as_of=cut
    )
