"""Properties of ``route`` on random staff: never a deactivated owner, never
over capacity with a strategy, and round robin fair over N qualifying members."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.model.ticket import Assignee
from helpdesk_core.routing import (
    RoutingFacts,
    RoutingResult,
    RoutingSettings,
    StaffSnapshot,
    Strategy,
    route,
)
from helpdesk_core.rules import FieldIn, Rule, RuleTable
from helpdesk_core.worktime import WorkingCalendar

AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WEEK = {d: [["08:00", "16:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
CALENDARS = {
    "day": WorkingCalendar.from_dict({"name": "day", "tz": "UTC", "week": WEEK}),
    "night": WorkingCalendar.from_dict(
        {"name": "night", "tz": "UTC", "week": {d: [["20:00", "24:00"]] for d in WEEK}}
    ),
}
IDS = [f"E-{n}" for n in range(1, 9)]

employees = st.builds(
    lambda id_, active, calendar, capacity: Employee(
        id=id_, first_name=id_, email=f"{id_.lower()}@desk.example", active=active,
        calendar=calendar, capacity=capacity,
    ),
    st.sampled_from(IDS),
    st.booleans(),
    st.sampled_from([None, "day", "night", "unknown"]),
    st.none() | st.integers(0, 4),
)


@st.composite
def worlds(draw: st.DrawFn) -> tuple[StaffSnapshot, RoutingFacts, RuleTable[RoutingResult], RoutingSettings]:
    people = {e.id: e for e in draw(st.lists(employees, max_size=8))}
    members = draw(st.frozensets(st.sampled_from(IDS)))
    group = EmployeeGroup(id="G-1", name="Team", members=members)
    load = draw(st.dictionaries(st.sampled_from(IDS), st.integers(0, 5)))
    cursor = draw(st.none() | st.sampled_from(IDS))
    staff = StaffSnapshot.of(
        people.values(), [group], calendars=CALENDARS, load=load,
        cursors={} if cursor is None else {"G-1": cursor},
    )
    to_group = draw(st.integers(0, 3)) > 0  # mostly the group: that is where strategies act
    assignee = Assignee(id="G-1", group=True) if to_group else Assignee(id=draw(st.sampled_from(IDS)))
    strategy = draw(st.sampled_from(list(Strategy))) if assignee.group else Strategy.KEEP_GROUP
    rule = Rule(
        name="r", order=0, result=RoutingResult(assignee=assignee, strategy=strategy),
        conditions=(FieldIn("type", frozenset({"incident"})),),
    )
    links = st.none() | st.sampled_from(IDS).map(lambda i: Assignee(id=i))
    facts = RoutingFacts(
        registered_at=AT + timedelta(hours=draw(st.integers(0, 23))),
        type=draw(st.sampled_from(["incident", "question"])),
        service_object_responsible=draw(links),
        contact_responsible=draw(links),
        company_responsible=draw(links),
    )
    return staff, facts, RuleTable((rule,)), RoutingSettings(default_assignee=draw(links))


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_route_never_makes_a_deactivated_or_unknown_employee_responsible(
    world: tuple[StaffSnapshot, RoutingFacts, RuleTable[RoutingResult], RoutingSettings],
) -> None:
    staff, facts, table, routing = world
    decision = route(facts, facts.registered_at, table=table, settings=routing, staff=staff)
    if decision.assignee is not None and not decision.assignee.group:
        assert staff.employees[decision.assignee.id].active


@settings(max_examples=300, deadline=None)
@given(worlds())
def test_a_strategy_never_hands_a_ticket_over_capacity_or_outside_working_hours(
    world: tuple[StaffSnapshot, RoutingFacts, RuleTable[RoutingResult], RoutingSettings],
) -> None:
    staff, facts, table, routing = world
    at = facts.registered_at
    decision = route(facts, at, table=table, settings=routing, staff=staff)
    outcome = decision.strategy
    if outcome is None or outcome.chosen is None:
        return
    chosen = staff.employees[outcome.chosen]
    assert chosen.active and outcome.chosen in staff.groups["G-1"].members
    if chosen.capacity is not None:
        assert staff.load_of(chosen.id) + 1 <= chosen.capacity
    if chosen.calendar is not None:
        assert CALENDARS[chosen.calendar].is_working(at)


@settings(max_examples=100, deadline=None)
@given(
    st.frozensets(st.sampled_from(IDS), min_size=1),
    st.frozensets(st.sampled_from(IDS)),
    st.none() | st.sampled_from(IDS),
    st.integers(1, 3),
)
def test_round_robin_gives_each_of_n_qualifying_members_one_ticket_per_n_decisions(
    qualifying: frozenset[str], others: frozenset[str], cursor: str | None, rounds: int
) -> None:
    """Members outside ``qualifying`` are deactivated; feeding the returned
    cursor back, every window of N consecutive decisions names each qualifying
    member once."""
    members = qualifying | others
    people = [
        Employee(id=i, first_name=i, email=f"{i.lower()}@desk.example", active=i in qualifying)
        for i in members
    ]
    group = EmployeeGroup(id="G-1", name="Team", members=members)
    table = RuleTable((Rule(name="r", order=0, result=RoutingResult(
        assignee=Assignee(id="G-1", group=True), strategy=Strategy.ROUND_ROBIN)),))
    cursors = {} if cursor is None else {"G-1": cursor}
    chosen: list[str] = []
    n = len(qualifying)
    for _ in range(n * rounds + n - 1):
        staff = StaffSnapshot.of(people, [group], cursors=cursors)
        decision = route(RoutingFacts(registered_at=AT), AT, table=table,
                         settings=RoutingSettings(), staff=staff)
        assert decision.cursor is not None and decision.assignee is not None
        chosen.append(decision.assignee.id)
        cursors = {decision.cursor[0]: decision.cursor[1]}
    for start in range(len(chosen) - n + 1):
        assert sorted(chosen[start : start + n]) == sorted(qualifying)
