"""The SLA projection is the fold, stored: for random histories of every shape
(pauses, reopens, priority and type changes, rules and deadlines set by hand,
rule changes under ``reselect`` and ``keep_elapsed``, a rule testing the
status, customer groups, DST changes, public holidays), the projection of
every prefix of the history gives, at the prefix's last event and at random
later instants, exactly the row :func:`evaluate` gives for that prefix — also
after a round trip through its JSON — and its ``state`` and ``next_change``
agree with the rows. Reading a row calls the calendar at most once.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.config import parse_configuration
from helpdesk_core.model.ticket import (
    Comment,
    Event,
    PriorityChange,
    SlaOverride,
    StatusChange,
    Ticket,
    TypeChange,
)
from helpdesk_core.reports.customers import CustomerDirectory
from helpdesk_core.sample import DEMO_CONFIGURATION, DEMO_END, sample_customers, sample_tickets
from helpdesk_core.serialization import sla_projection_from_json, sla_projection_to_json
from helpdesk_core.sla import Clock, CustomerFacts, SlaPolicy, SlaRow, SlaState, evaluate
from helpdesk_core.sla.clock import KnowsStatuses
from helpdesk_core.sla.projection import SlaProjection, project
from helpdesk_core.workflow import DEFAULT_GRAPH
from helpdesk_core.worktime import WorkingCalendar

sys.path.insert(0, str(Path(__file__).parent.parent / "unit"))
from test_sla_batch import POLICY as BATCH_POLICY
from test_sla_batch import generate

PRAGUE = ZoneInfo("Europe/Prague")
NEW_YORK = ZoneInfo("America/New_York")
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri")
CALENDARS = {
    "office": WorkingCalendar.from_dict(
        {"name": "office", "tz": "Europe/Prague", "week": {d: [["09:00", "17:00"]] for d in WEEKDAYS},
         "public_holidays": [{"country": "CZ"}], "exceptions": {"2026-12-23": [["09:00", "12:00"]]}}
    ),
    "late": WorkingCalendar.from_dict(
        {"name": "late", "tz": "America/New_York",
         "week": {**{d: [["08:00", "12:00"], ["13:00", "20:00"]] for d in WEEKDAYS},
                  "sat": [["22:00", "06:00"]]},
         "public_holidays": [{"country": "US"}]}
    ),
    "always": WorkingCalendar.from_dict(
        {"name": "always", "tz": "Europe/Prague",
         "week": {d: [["00:00", "24:00"]] for d in (*WEEKDAYS, "sat", "sun")}}
    ),
}


@cache
def policy(first_change: str, second_change: str, by_status: bool, share: float) -> SlaPolicy:
    rules: list[dict[str, object]] = [
        {"name": "Critical", "when": {"priority": ["critical"]}, "calendar": "always",
         "reaction": 15, "resolution": 240, "on_change": first_change},
        {"name": "Problems", "when": {"type": ["problem"]}, "calendar": "late",
         "reaction": 60, "resolution": 600, "on_change": second_change},
    ]
    if by_status:
        rules.append({"name": "Waiting", "when": {"status": ["postponed"]}, "calendar": "office",
                      "reaction": 30, "resolution": 120, "on_change": "keep_elapsed"})
    rules.append({"name": "Gold", "enabled": False, "calendar": "office", "reaction": 0,
                  "resolution": 30})
    rules.append({"name": "Default", "when": {"not_type": ["internal"]}, "calendar": "office",
                  "reaction": 240, "resolution": 960})
    return SlaPolicy.from_config({"rules": rules, "at_risk_share": share}, calendars=CALENDARS)


policies = st.builds(
    policy,
    st.sampled_from(("reselect", "keep_elapsed")),
    st.sampled_from(("reselect", "keep_elapsed")),
    st.booleans(),
    st.sampled_from((0.0, 0.2, 0.5, 1.0)),
)
CUSTOMERS = (
    None,
    CustomerFacts(customer_groups=("G-gold",), group_sla={"G-gold": "Gold"}),
    CustomerFacts(customer_groups=("G-x",), group_sla={"G-x": "Gone"}),
)
ZONES = (UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5)), PRAGUE, NEW_YORK)
STARTS = (
    datetime(2026, 3, 27, 12, tzinfo=UTC),  # the spring DST change in Europe (29 March) and Easter
    datetime(2026, 10, 23, 12, tzinfo=UTC),  # the autumn change (25 October; 1 November in the US)
    datetime(2026, 12, 21, 8, tzinfo=UTC),  # Christmas, and a short working day by exception
    datetime(2026, 6, 1, tzinfo=UTC),
)
GAPS = st.integers(min_value=0, max_value=60 * 24 * 3).map(lambda m: timedelta(minutes=m))
LATER = st.integers(min_value=0, max_value=60 * 24 * 20).map(lambda m: timedelta(minutes=m))
STATUSES = ("open", "in_progress", "postponed", "resolved", "closed")


@st.composite
def histories(draw: st.DrawFn) -> Ticket:
    start = draw(st.sampled_from(STARTS))
    created = (start + timedelta(minutes=draw(st.integers(0, 60 * 24 * 5)))).astimezone(
        draw(st.sampled_from(ZONES))
    )
    at = created
    events: list[Event] = []
    for _ in range(draw(st.integers(0, 12))):
        at = (at + draw(GAPS)).astimezone(draw(st.sampled_from(ZONES)))
        what = draw(st.sampled_from(("status", "status", "status", "comment", "priority", "type", "sla")))
        if what == "status":
            to = draw(st.sampled_from(STATUSES))
            events.append(StatusChange(at=at, to=to, until=at + timedelta(days=1)))
        elif what == "comment":
            events.append(Comment(at=at, author=draw(st.sampled_from(("employee", "contact"))),
                                  public=draw(st.booleans())))
        elif what == "priority":
            events.append(PriorityChange(at=at, to=draw(st.sampled_from(("normal", "critical")))))
        elif what == "type":
            events.append(TypeChange(at=at, to=draw(st.sampled_from(("incident", "problem", "internal")))))
        else:
            hand = (at + draw(GAPS) - timedelta(hours=draw(st.integers(0, 30)))).astimezone(
                draw(st.sampled_from(ZONES))
            )
            choice = draw(st.sampled_from(("rule", "rule", "resolution", "reaction")))
            events.append(
                SlaOverride(
                    at=at,
                    rule=draw(st.sampled_from(("Critical", "Gold", "Gone"))) if choice == "rule" else None,
                    resolution_due=hand if choice == "resolution" else None,
                    reaction_due=hand if choice == "reaction" else None,
                    by="E-1",
                )
            )
    return Ticket.register(
        id="T-1", subject="s", created_at=created, events=events,
        status=draw(st.sampled_from(("open", "open", "postponed", "resolved"))),
        type=draw(st.sampled_from(("incident", "problem", "internal"))),
        priority=draw(st.sampled_from(("normal", "critical"))),
    )


def prefixes(ticket: Ticket) -> Iterator[Ticket]:
    for count in range(len(ticket.events) + 1):
        yield attrs.evolve(ticket, events=ticket.events[:count])


def check(
    prefix: Ticket,
    projection: SlaProjection,
    as_of: datetime,
    *,
    policy: SlaPolicy,
    graph: KnowsStatuses,
    customer: CustomerFacts | None,
) -> SlaRow:
    """The projection's row at ``as_of`` is evaluate's, before and after a JSON round trip."""
    folded = evaluate(prefix, policy=policy, graph=graph, as_of=as_of, customer=customer)
    row = projection.row(as_of, policy=policy)
    where = (prefix.id, len(prefix.events), as_of.isoformat())
    assert row.to_json() == folded.to_json(), where
    assert row == folded, where
    assert row.to_json_text() == folded.to_json_text(), where
    assert projection.state(as_of) is folded.state, where
    document = sla_projection_to_json(projection)
    stored = sla_projection_from_json(document)
    # Compared as documents: the JSON keeps each instant with its UTC offset, not
    # its zone, and in the hour repeated when DST ends Python never calls a zoned
    # and a fixed-offset datetime equal (PEP 495), though they are the same instant.
    assert sla_projection_to_json(stored) == document, where
    assert stored.row(as_of, policy=policy).to_json() == folded.to_json(), where
    change = projection.next_change
    if change is not None and change > as_of:
        assert folded.state is projection.state(projection.last_event), where
    return folded


@settings(max_examples=250, deadline=None)
@given(histories(), policies, st.sampled_from(CUSTOMERS), st.lists(LATER, min_size=1, max_size=4),
       st.sampled_from(ZONES))
def test_the_projection_of_every_prefix_gives_the_rows_of_evaluate(
    ticket: Ticket,
    sla: SlaPolicy,
    customer: CustomerFacts | None,
    later: list[timedelta],
    zone: Any,
) -> None:
    for prefix in prefixes(ticket):
        projection = project(prefix, policy=sla, graph=DEFAULT_GRAPH, customer=customer)
        # instants are added to in UTC: adding to a zoned datetime in the hour DST
        # repeats works on the wall clock and drops the fold (an hour earlier)
        last = projection.last_event.astimezone(UTC)
        for delay in (timedelta(0), *later):
            check(prefix, projection, (last + delay).astimezone(zone),
                  policy=sla, graph=DEFAULT_GRAPH, customer=customer)
        change = projection.next_change
        if change is not None:  # the state changes there, and not before
            before = evaluate(prefix, policy=sla, graph=DEFAULT_GRAPH, customer=customer,
                              as_of=change - timedelta(microseconds=1))
            at = check(prefix, projection, change, policy=sla, graph=DEFAULT_GRAPH, customer=customer)
            assert before.state is projection.state(last)
            assert at.state is not before.state


class CountingCalendar:
    """A calendar that counts the calls made to it."""

    def __init__(self, calendar: WorkingCalendar, calls: Counter[str]) -> None:
        self._calendar = calendar
        self._calls = calls

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._calendar, name)
        if not callable(found):
            return found

        def counted(*args: Any, **kwargs: Any) -> Any:
            self._calls[name] += 1
            return found(*args, **kwargs)

        return counted


def counting(sla: SlaPolicy, calls: Counter[str]) -> SlaPolicy:
    calendars: Any = {name: CountingCalendar(c, calls) for name, c in sla.calendars.items()}
    return SlaPolicy(table=sla.table, calendars=calendars, at_risk_share=sla.at_risk_share)


@settings(max_examples=150, deadline=None)
@given(histories(), policies, st.sampled_from(CUSTOMERS), LATER)
def test_a_row_calls_the_calendar_at_most_once_and_only_for_a_paused_clock(
    ticket: Ticket, sla: SlaPolicy, customer: CustomerFacts | None, delay: timedelta
) -> None:
    calls: Counter[str] = Counter()
    watched = counting(sla, calls)
    projection = project(ticket, policy=sla, graph=DEFAULT_GRAPH, customer=customer)
    as_of = projection.last_event.astimezone(UTC) + delay
    row = projection.row(as_of, policy=watched)
    assert row == evaluate(ticket, policy=sla, graph=DEFAULT_GRAPH, as_of=as_of, customer=customer)
    if projection.resolution_owed is None:
        assert sum(calls.values()) == 0
    else:
        assert projection.clock is Clock.PAUSED
        assert calls == Counter(add=1)
    calls.clear()
    projection.state(as_of)
    assert projection.next_change is None or projection.next_change > projection.last_event
    assert sum(calls.values()) == 0


def test_the_calendar_counter_counts() -> None:
    calls: Counter[str] = Counter()
    watched = counting(BATCH_POLICY, calls)
    ticket = Ticket.register(id="T-1", subject="s", created_at=datetime(2026, 3, 2, 9, tzinfo=UTC))
    evaluate(ticket, policy=watched, graph=DEFAULT_GRAPH, as_of=datetime(2026, 3, 3, tzinfo=UTC))
    assert sum(calls.values()) >= 2


def test_every_prefix_of_generated_desks_gives_the_rows_of_evaluate() -> None:
    """The batch generator (every event kind, four customers, three calendars)
    and the demo desk, at every prefix, at the last event and later."""
    config = parse_configuration(DEMO_CONFIGURATION, source="demo configuration")
    customers = sample_customers(2026)
    companies = {company.id: company for company in customers.companies}
    directory = CustomerDirectory(companies.get, customers.customer_groups)
    demo: list[tuple[Ticket, CustomerFacts | None]] = [(t, directory(t)) for t in sample_tickets(2026, 300, customers=customers, end=DEMO_END, days=60)]
    assert config.sla is not None
    desks: list[tuple[SlaPolicy, KnowsStatuses, list[tuple[Ticket, CustomerFacts | None]]]] = [
        (BATCH_POLICY, DEFAULT_GRAPH, [(t, c) for t, _, c in generate(600, seed=15)]),
        (config.sla, config.graph, demo),
    ]
    seen: Counter[str] = Counter()
    for sla, graph, cases in desks:
        for ticket, customer in cases:
            for prefix in prefixes(ticket):
                projection = project(prefix, policy=sla, graph=graph, customer=customer)
                for delay in (timedelta(0), timedelta(minutes=7), timedelta(hours=5), timedelta(days=9)):
                    row = check(prefix, projection, projection.last_event.astimezone(UTC) + delay,
                                policy=sla, graph=graph, customer=customer)
                    seen[row.state.value] += 1
                    seen[f"clock:{row.clock.value}"] += 1
                    seen["owes"] += projection.resolution_owed is not None
                    seen["by hand"] += row.resolution_due_set_by_hand
    for kind in ("no_sla", "breached", "met", "at_risk", "running", "clock:paused", "owes", "by hand"):
        assert seen[kind] > 0, kind
    assert seen[SlaState.AT_RISK.value] > 100
