"""The SLA projection written out: what it keeps for a counting, a paused and
a stopped clock, how its row moves with ``as_of``, its JSON, and the instants
in the repeated hour of a DST change (the property test is
``tests/property/test_sla_projection_properties.py``)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.ticket import Comment, StatusChange, Ticket
from helpdesk_core.serialization import sla_projection_from_json, sla_projection_to_json
from helpdesk_core.sla import Clock, SlaPolicy, SlaState, evaluate
from helpdesk_core.sla.projection import project
from helpdesk_core.workflow import DEFAULT_GRAPH
from helpdesk_core.worktime import WorkingCalendar

PRAGUE = ZoneInfo("Europe/Prague")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CALENDARS = {
    "always": WorkingCalendar.from_dict(
        {"name": "always", "tz": "Europe/Prague", "week": {d: [["00:00", "24:00"]] for d in DAYS}}
    ),
    "office": WorkingCalendar.from_dict(
        {"name": "office", "tz": "Europe/Prague", "week": {d: [["09:00", "17:00"]] for d in DAYS[:5]}}
    ),
}


def policy(calendar: str) -> SlaPolicy:
    return SlaPolicy.from_config(
        {"rules": [{"name": "Only", "calendar": calendar, "reaction": "30m", "resolution": "4h"}],
         "at_risk_share": 0.25},
        calendars=CALENDARS,
    )


MONDAY = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_a_counting_clock_keeps_its_dues_and_the_instants_its_state_changes() -> None:
    sla = policy("always")
    ticket = Ticket.register(id="T-1", subject="s", created_at=MONDAY).with_event(
        Comment(at=MONDAY + timedelta(minutes=10), author="employee", public=True)
    )
    projection = project(ticket, policy=sla, graph=DEFAULT_GRAPH)
    assert projection.clock is Clock.COUNTING
    assert projection.reaction_due == MONDAY + timedelta(minutes=30)
    assert projection.resolution_due == MONDAY + timedelta(hours=4)
    assert projection.resolution_owed is None
    # a quarter of 4 h left: at risk from 12:00 on (strictly after), breached after 13:00
    assert projection.at_risk_from == MONDAY + timedelta(hours=3, microseconds=1)
    assert projection.breached_from == MONDAY + timedelta(hours=4, microseconds=1)
    assert projection.next_change == projection.at_risk_from
    states = [projection.row(MONDAY + timedelta(hours=h), policy=sla).state for h in (1, 3, 3.5, 4, 5)]
    assert states == [SlaState.RUNNING, SlaState.RUNNING, SlaState.AT_RISK, SlaState.AT_RISK,
                      SlaState.BREACHED]


def test_a_paused_clock_owes_working_time_and_its_due_moves_with_as_of() -> None:
    sla = policy("office")
    ticket = Ticket.register(id="T-2", subject="s", created_at=MONDAY).with_event(
        StatusChange(at=MONDAY + timedelta(hours=1), to="postponed", until=MONDAY + timedelta(days=9))
    )
    projection = project(ticket, policy=sla, graph=DEFAULT_GRAPH)
    assert projection.clock is Clock.PAUSED
    assert projection.clock_since == MONDAY + timedelta(hours=1)
    assert projection.resolution_due is None
    assert projection.resolution_owed == timedelta(hours=3)
    assert projection.next_change is None  # nothing changes by itself while paused
    for days in (0, 1, 4):
        as_of = MONDAY + timedelta(days=days, hours=2)
        row = projection.row(as_of, policy=sla)
        assert row == evaluate(ticket, policy=sla, graph=DEFAULT_GRAPH, as_of=as_of)
        assert row.paused_minutes == days * 24 * 60 + 60
    assert projection.row(MONDAY + timedelta(days=1, hours=2), policy=sla).resolution_due == (
        datetime(2026, 3, 3, 14, tzinfo=UTC)  # Tuesday 11:00 (10:00 UTC) + 3 h of office time
    )


def test_a_row_before_the_last_event_is_refused() -> None:
    sla = policy("always")
    ticket = Ticket.register(id="T-3", subject="s", created_at=MONDAY).with_event(
        StatusChange(at=MONDAY + timedelta(hours=2), to="in_progress")
    )
    projection = project(ticket, policy=sla, graph=DEFAULT_GRAPH)
    with pytest.raises(ValidationError, match=r"ticket T-3: as_of 2026-03-02T10:00:00\+00:00 is before"):
        projection.row(MONDAY + timedelta(hours=1), policy=sla)


def test_a_row_names_a_calendar_the_policy_does_not_have() -> None:
    ticket = Ticket.register(id="T-4", subject="s", created_at=MONDAY).with_event(
        StatusChange(at=MONDAY + timedelta(hours=1), to="postponed", until=MONDAY + timedelta(days=9))
    )
    projection = project(ticket, policy=policy("office"), graph=DEFAULT_GRAPH)
    renamed = SlaPolicy.from_config(
        {"rules": [{"name": "Only", "calendar": "always", "reaction": "30m", "resolution": "4h"}]},
        calendars={"always": CALENDARS["always"]},
    )
    with pytest.raises(ValidationError, match=r"ticket T-4: the calendar 'office' .* stale"):
        projection.row(MONDAY + timedelta(days=1), policy=renamed)


def test_the_json_round_trip_and_its_strictness() -> None:
    ticket = Ticket.register(id="T-5", subject="s", created_at=MONDAY).with_event(
        StatusChange(at=MONDAY + timedelta(hours=1), to="postponed", until=MONDAY + timedelta(days=9))
    )
    projection = project(ticket, policy=policy("office"), graph=DEFAULT_GRAPH)
    text = sla_projection_to_json(projection)
    assert '"resolution_owed":10800000000' in text  # 3 h in microseconds
    assert sla_projection_from_json(text) == projection
    with pytest.raises(ValidationError, match="SLA projection of ticket T-5: unknown field 'colour'"):
        sla_projection_from_json(text[:-1] + ',"colour":1}')
    with pytest.raises(ValidationError, match="ticket T-5: missing required field 'paused'"):
        sla_projection_from_json(text.replace('"paused":0,', ""))
    with pytest.raises(ValidationError, match="ticket T-5: paused: expected a whole number of micro"):
        sla_projection_from_json(text.replace('"paused":0', '"paused":"0"'))
    with pytest.raises(ValidationError, match=r"ticket T-5: last_event: .* must be timezone-aware"):
        sla_projection_from_json(text.replace('"last_event":"2026-03-02T10:00:00+00:00"',
                                              '"last_event":"2026-03-02T10:00:00"'))


def test_an_instant_in_the_repeated_hour_is_compared_as_an_instant() -> None:
    """25 October 2026, Prague: 02:00–03:00 happens twice. A reaction due at
    02:30 CEST (00:30 UTC) is breached at 02:10 CET (01:10 UTC), later — though
    its wall clock reads earlier (evaluate said "not breached" before)."""
    sla = policy("always")
    ticket = Ticket.register(id="T-6", subject="s", created_at=datetime(2026, 10, 25, 0, tzinfo=UTC))
    as_of = datetime(2026, 10, 25, 1, 10, tzinfo=UTC).astimezone(PRAGUE)
    row = evaluate(ticket, policy=sla, graph=DEFAULT_GRAPH, as_of=as_of)
    assert row.reaction_due is not None
    assert row.reaction_due.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert row.reaction_breached
    assert project(ticket, policy=sla, graph=DEFAULT_GRAPH).row(as_of, policy=sla) == row


def test_json_that_is_not_json_is_refused_in_words() -> None:
    with pytest.raises(ValidationError, match="SLA projection: NaN is not a JSON number"):
        sla_projection_from_json('{"ticket": "T-1", "paused": NaN}')
    with pytest.raises(ValidationError, match="SLA projection: expected a JSON object, got a list"):
        sla_projection_from_json("[1]")
