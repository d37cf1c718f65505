"""``explain``'s deadline moves, folded once, equal reading the clock again from
the start at every instant (what it did before, in quadratic time); and the
work grows linearly with the history.

Histories mix every event that moves a deadline: status changes (counting,
pausing, resolving, reopening), public and private comments, priority and type
changes that switch between rules on two calendars (``reselect`` and
``keep_elapsed``), rules chosen by hand and deadlines set by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.model.ticket import (
    Comment,
    Event,
    PriorityChange,
    SlaOverride,
    StatusChange,
    Ticket,
    TypeChange,
)
from helpdesk_core.sla import SlaPolicy, explain
from helpdesk_core.sla.clock import replay, row_of
from helpdesk_core.sla.explain import DueMove, _event_words
from helpdesk_core.workflow import DEFAULT_GRAPH
from helpdesk_core.worktime import WorkingCalendar

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
CALENDARS = {
    "office": WorkingCalendar.from_dict(
        {"name": "office", "tz": "Europe/Prague", "week": {d: [["09:00", "17:00"]] for d in WEEKDAYS},
         "public_holidays": [{"country": "CZ"}]}
    ),
    "late": WorkingCalendar.from_dict(
        {"name": "late", "tz": "America/New_York",
         "week": {d: [["08:00", "12:00"], ["13:00", "20:00"]] for d in WEEKDAYS}}
    ),
    "always": WorkingCalendar.from_dict(
        {"name": "always", "tz": "UTC", "week": {d: [["00:00", "24:00"]] for d in (*WEEKDAYS, "sat", "sun")}}
    ),
}


@cache
def policy(first_change: str, second_change: str, by_status: bool) -> SlaPolicy:
    rules: list[dict[str, object]] = [
        {"name": "Critical", "when": {"priority": ["critical"]}, "calendar": "always",
         "reaction": 15, "resolution": 240, "on_change": first_change},
        {"name": "Problems", "when": {"type": ["problem"]}, "calendar": "late",
         "reaction": 60, "resolution": 600, "on_change": second_change},
    ]
    if by_status:
        rules.append({"name": "Waiting", "when": {"status": ["postponed"]}, "calendar": "office",
                      "reaction": 30, "resolution": 120, "on_change": "keep_elapsed"})
    rules.append({"name": "Default", "calendar": "office", "reaction": 240, "resolution": 960})
    return SlaPolicy.from_config({"rules": rules}, calendars=CALENDARS)


policies = st.builds(
    policy,
    st.sampled_from(("reselect", "keep_elapsed")),
    st.sampled_from(("reselect", "keep_elapsed")),
    st.booleans(),
)
GAPS = st.integers(min_value=0, max_value=60 * 24 * 3).map(lambda m: timedelta(minutes=m))
ZONES = (UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5)))


@st.composite
def histories(draw: st.DrawFn) -> tuple[Ticket, datetime]:
    base = datetime(2026, 3, 1, tzinfo=UTC)
    created = (base + timedelta(minutes=draw(st.integers(0, 60 * 24 * 60)))).astimezone(
        draw(st.sampled_from(ZONES))
    )
    at = created
    events: list[Event] = []
    for _ in range(draw(st.integers(0, 14))):
        at = at + draw(GAPS)
        what = draw(st.sampled_from(("status", "status", "status", "comment", "priority", "type", "sla")))
        if what == "status":
            to = draw(st.sampled_from(("open", "in_progress", "postponed", "resolved", "closed")))
            events.append(StatusChange(at=at, to=to, until=at + timedelta(days=1)))
        elif what == "comment":
            events.append(Comment(at=at, author=draw(st.sampled_from(("employee", "contact"))),
                                  public=draw(st.booleans())))
        elif what == "priority":
            events.append(PriorityChange(at=at, to=draw(st.sampled_from(("normal", "critical")))))
        elif what == "type":
            events.append(TypeChange(at=at, to=draw(st.sampled_from(("incident", "problem")))))
        else:
            hand = at + draw(GAPS)
            choice = draw(st.sampled_from(("rule", "resolution", "reaction")))
            events.append(
                SlaOverride(
                    at=at,
                    rule="Critical" if choice == "rule" else None,
                    resolution_due=hand if choice == "resolution" else None,
                    reaction_due=hand if choice == "reaction" else None,
                )
            )
    ticket = Ticket.register(id="T-1", subject="s", created_at=created, events=events)
    return ticket, at + draw(GAPS)


def moves_read_again_at_every_instant(
    ticket: Ticket, sla: SlaPolicy, as_of: datetime
) -> tuple[DueMove, ...]:
    """The former algorithm: replay the history from the start for each instant."""
    instants, reasons = [ticket.created_at], ["registered"]
    for event in ticket.events:
        if event.at > as_of:
            break
        if event.at == instants[-1]:
            reasons[-1] = f"{reasons[-1]}; {_event_words(event)}"
        else:
            instants.append(event.at)
            reasons.append(_event_words(event))
    moves: list[DueMove] = []
    reaction = resolution = None
    for instant, reason in zip(instants, reasons, strict=True):
        row = row_of(replay(ticket, policy=sla, graph=DEFAULT_GRAPH, as_of=instant),
                     at_risk_share=sla.at_risk_share)
        if row.reaction_due != reaction:
            moves.append(DueMove(instant, "reaction", reaction, row.reaction_due, reason))
            reaction = row.reaction_due
        if row.resolution_due != resolution:
            moves.append(DueMove(instant, "resolution", resolution, row.resolution_due, reason))
            resolution = row.resolution_due
    final = row_of(replay(ticket, policy=sla, graph=DEFAULT_GRAPH, as_of=as_of), at_risk_share=sla.at_risk_share)
    if final.resolution_due != resolution:
        moves.append(DueMove(as_of, "resolution", resolution, final.resolution_due, "the pause goes on"))
    return tuple(moves)


@settings(max_examples=300, deadline=None)
@given(histories(), policies)
def test_the_moves_folded_once_are_those_read_again_at_every_instant(
    case: tuple[Ticket, datetime], sla: SlaPolicy
) -> None:
    ticket, as_of = case
    timeline = explain(ticket, policy=sla, graph=DEFAULT_GRAPH, as_of=as_of)
    assert timeline.moves == moves_read_again_at_every_instant(ticket, sla, as_of)


def _long_history(events: int) -> tuple[Ticket, datetime]:
    """A ticket moved between counting and pausing ``events`` times, an hour apart."""
    created = datetime(2026, 3, 2, 8, tzinfo=UTC)
    history = [
        StatusChange(at=created + timedelta(hours=n + 1), to="postponed" if n % 2 == 0 else "in_progress",
                     until=created + timedelta(days=9999))
        for n in range(events)
    ]
    ticket = Ticket.register(id="T-1", subject="s", created_at=created, events=history)
    return ticket, created + timedelta(hours=events + 1)


def _rules_selected(events: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """How often explain asks the rule table for the rule, for a history of
    ``events`` status changes under a policy that tests the status (so the
    rule is selected again at every status change)."""
    sla = policy("reselect", "reselect", True)
    assert sla.tests_status
    asked = 0
    real = SlaPolicy.select

    def counting(self: SlaPolicy, *args: Any, **kwargs: Any) -> Any:
        nonlocal asked
        asked += 1
        return real(self, *args, **kwargs)

    with monkeypatch.context() as patched:
        patched.setattr(SlaPolicy, "select", counting)
        ticket, as_of = _long_history(events)
        explain(ticket, policy=sla, graph=DEFAULT_GRAPH, as_of=as_of)
    return asked


def test_explain_works_linearly_in_the_events(monkeypatch: pytest.MonkeyPatch) -> None:
    """Counted, not timed: doubling the history doubles the work (reading the
    clock again from the start at every instant did 1 + 2 + … + n selections,
    four times as many for twice the events, 500,000 for 1,000)."""
    small, large = _rules_selected(1_000, monkeypatch), _rules_selected(2_000, monkeypatch)
    assert large <= 2.2 * small, (small, large)
    assert small <= 3 * 1_000, small
