"""ACCEPTANCE: the SLA engine run over 100,000 generated histories with no error.

Histories are generated deterministically (a seeded ``random.Random``) and
look like a help desk's: public and private comments, postpones and returns,
resolutions, reopens and closes along the default graph, priority and type
changes, deadlines and rules set by hand. The test prints the time per ticket
(``pytest -s -m slow tests/unit/test_sla_batch.py``).
"""

from __future__ import annotations

import random
import time
from collections import Counter
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from helpdesk_core.model.ticket import (
    Comment,
    Event,
    PriorityChange,
    SlaOverride,
    StatusChange,
    Ticket,
    TypeChange,
)
from helpdesk_core.sla import CustomerFacts, SlaPolicy, SlaState, evaluate
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
            "public_holidays": [{"country": "US"}],
        }
    ),
    "24x7": WorkingCalendar.from_dict(
        {"name": "24x7", "tz": "UTC",
         "week": {d: [["00:00", "24:00"]] for d in (*WEEKDAYS, "sat", "sun")}}
    ),
}
POLICY = SlaPolicy.from_config(
    {
        "rules": [
            {"name": "VIP", "when": {"client_category": ["vip"], "priority": ["high", "critical"]},
             "calendar": "24x7", "reaction": "30m", "resolution": "4h"},
            {"name": "Critical", "when": {"priority": ["critical"]}, "calendar": "late",
             "reaction": "1h", "resolution": "6h", "on_change": "keep_elapsed"},
            {"name": "Incidents", "when": {"type": ["incident"], "not_priority": ["low"]},
             "calendar": "office", "reaction": "2h", "resolution": "1h30m"},
            {"name": "Gold", "enabled": False, "calendar": "24x7",
             "reaction": "15m", "resolution": "2h"},
            {"name": "Default", "when": {"not_type": ["internal"]}, "calendar": "office",
             "reaction": "4h", "resolution": "16h"},
        ]
    },
    calendars=CALENDARS,
)
CUSTOMERS = (
    CustomerFacts(),
    CustomerFacts(client_category="vip"),
    CustomerFacts(client_category="regular", customer_groups=("G-1",)),
    CustomerFacts(customer_groups=("G-2", "G-gold"), group_sla={"G-gold": "Gold"}),
)
ZONES = (UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5)))
PRIORITIES = ("low", "normal", "high", "critical")
TYPES = ("question", "incident", "internal")
START = datetime(2025, 12, 1, tzinfo=UTC)


def _history(rng: random.Random, number: int) -> tuple[Ticket, datetime, CustomerFacts]:
    zone = rng.choice(ZONES)
    created = (START + timedelta(minutes=rng.randrange(0, 60 * 24 * 400))).astimezone(zone)
    at = created
    status = "open"
    events: list[Event] = []
    for _ in range(rng.randrange(0, 14)):
        at = at + timedelta(minutes=rng.choice((1, 7, 30, 90, 240, 600, 1500, 4000)))
        roll = rng.random()
        if roll < 0.30:
            events.append(
                Comment(at=at, author=rng.choice(("employee", "contact")),
                        public=rng.random() < 0.7, body="…", by="E-1")
            )
        elif roll < 0.75:
            targets = sorted(DEFAULT_GRAPH.targets(status))
            if not targets:
                targets = ["open"]  # a reopen of a closed ticket by the desk itself
            status = rng.choice(targets)
            until = at + timedelta(days=1) if status == "postponed" else None
            events.append(StatusChange(at=at, to=status, until=until, by="E-1"))
        elif roll < 0.85:
            events.append(PriorityChange(at=at, to=rng.choice(PRIORITIES), by="E-1"))
        elif roll < 0.90:
            events.append(TypeChange(at=at, to=rng.choice(TYPES), by="E-1"))
        elif roll < 0.96:
            due = at + timedelta(hours=rng.randrange(1, 72))
            events.append(SlaOverride(at=at, resolution_due=due, by="E-1"))
        else:
            events.append(SlaOverride(at=at, rule=rng.choice(("Gold", "Default", "Gone")), by="E-1"))
    ticket = Ticket.register(
        id=f"T-{number}",
        subject="generated",
        created_at=created,
        type=rng.choice(TYPES),
        priority=rng.choice(PRIORITIES),
        events=events,
    )
    as_of = at + timedelta(minutes=rng.choice((0, 5, 60 * 24, 60 * 24 * 30)))
    if events and rng.random() < 0.2:
        as_of = rng.choice(events).at
    return ticket, as_of, rng.choice(CUSTOMERS)


def generate(count: int, seed: int) -> list[tuple[Ticket, datetime, CustomerFacts]]:
    """``count`` histories, the same ones for the same seed."""
    rng = random.Random(seed)
    return [_history(rng, number) for number in range(count)]


def test_generation_is_deterministic_and_varied() -> None:
    first, again = generate(300, seed=7), generate(300, seed=7)
    assert [t.events for t, _, _ in first] == [t.events for t, _, _ in again]
    kinds = Counter(type(e).__name__ for t, _, _ in first for e in t.events)
    assert {"Comment", "StatusChange", "PriorityChange", "TypeChange", "SlaOverride"} <= set(kinds)
    states = Counter(
        evaluate(t, policy=POLICY, graph=DEFAULT_GRAPH, as_of=a, customer=c).state
        for t, a, c in first
    )
    assert set(states) == set(SlaState), states


@pytest.mark.slow
def test_the_engine_over_100000_generated_histories(capsys: Any) -> None:
    histories = generate(100_000, seed=2026)
    states: Counter[SlaState] = Counter()
    began = time.perf_counter()
    for ticket, as_of, customer in histories:
        row = evaluate(ticket, policy=POLICY, graph=DEFAULT_GRAPH, as_of=as_of, customer=customer)
        states[row.state] += 1
        if row.resolution_due is not None and row.resolved_at is not None:
            assert row.resolution_breached is (row.resolved_at > row.resolution_due)
    elapsed = time.perf_counter() - began
    assert sum(states.values()) == 100_000
    events = sum(len(t.events) for t, _, _ in histories)
    with capsys.disabled():
        print(
            f"\nSLA evaluate: 100,000 histories ({events:,} events) in {elapsed:.2f} s, "
            f"{elapsed / 100_000 * 1e6:.1f} µs per ticket; states {dict(states)}"
        )
    assert elapsed < 60
