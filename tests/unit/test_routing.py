"""Routing written out: the table's conditions, the owner chain, observers,
group strategies, faults, decisions as JSON, and the routing lint."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from helpdesk_core.config import parse_configuration
from helpdesk_core.errors import ConfigError, ValidationError
from helpdesk_core.model.assets import ServiceObject
from helpdesk_core.model.parties import Company, Contact, CustomerGroup
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.model.ticket import Assignee, Ticket
from helpdesk_core.routing import (
    Link,
    RoutingDecision,
    RoutingFacts,
    RoutingFindingKind,
    RoutingPolicy,
    StaffSnapshot,
    Strategy,
    lint_routing,
    load_by_employee,
    load_by_status,
    route,
    workload,
)
from helpdesk_core.serialization import (
    converter,
    routing_decision_from_json,
    routing_decision_to_json,
    routing_facts_from_json,
)
from helpdesk_core.workflow import DEFAULT_GRAPH
from helpdesk_core.worktime import WorkingCalendar

PRAGUE = ZoneInfo("Europe/Prague")
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=PRAGUE)
SATURDAY_10 = datetime(2026, 3, 7, 10, 0, tzinfo=PRAGUE)
WEEK = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
OFFICE = WorkingCalendar.from_dict({"name": "office", "tz": "Europe/Prague", "week": WEEK})
ON_LEAVE = WorkingCalendar.from_dict(
    {"name": "jana", "tz": "Europe/Prague", "week": WEEK, "holidays": ["2026-03-02"]}
)
CALENDAR_TOML = """
[[calendars]]
name = "office"
tz = "Europe/Prague"
week = { mon = [["09:00", "17:00"]], tue = [["09:00", "17:00"]], wed = [["09:00", "17:00"]],
         thu = [["09:00", "17:00"]], fri = [["09:00", "17:00"]] }
"""


def policy(text: str) -> RoutingPolicy:
    return parse_configuration(CALENDAR_TOML + text).routing


def person(id_: str, **fields: Any) -> Employee:
    return Employee(id=id_, first_name=id_, email=f"{id_.lower()}@desk.example", **fields)


def staff(
    *employees: Employee,
    groups: tuple[EmployeeGroup, ...] = (),
    load: dict[str, int] | None = None,
    cursors: dict[str, str] | None = None,
) -> StaffSnapshot:
    people = employees or tuple(person(f"E-{n}") for n in range(1, 10))
    return StaffSnapshot.of(
        people,
        groups,
        calendars={"office": OFFICE, "jana": ON_LEAVE},
        load=load,
        cursors=cursors,
    )


def facts(**fields: Any) -> RoutingFacts:
    fields.setdefault("registered_at", MONDAY_10)
    return RoutingFacts(**fields)


def decide(p: RoutingPolicy, f: RoutingFacts, s: StaffSnapshot | None = None, at: datetime = MONDAY_10) -> RoutingDecision:
    return route(f, at, table=p.table, settings=p.settings, staff=s or staff())


# --- every condition kind -------------------------------------------------------

CONDITIONS = [
    ('type = ["outage"]', {"type": "outage"}, {"type": "question"}),
    ('priority = ["critical", "high"]', {"priority": "high"}, {"priority": "low"}),
    ('channel = "phone"', {"channel": "phone"}, {"channel": "email"}),
    ('client_category = ["vip"]', {"client_category": "vip"}, {"client_category": "regular"}),
    ('company = ["C-7"]', {"company": "C-7"}, {"company": "C-8"}),
    ('customer_group = ["G-gold"]', {"customer_groups": ("G-x", "G-gold")}, {"customer_groups": ("G-x",)}),
    ('not_channel = ["portal"]', {"channel": "email"}, {"channel": "portal"}),
    ('attributes.region = "north"', {"attributes": {"region": "north"}}, {"attributes": {"region": "south"}}),
    (
        'attributes = { region = ["north", "east"] }',
        {"attributes": {"region": "east"}},
        {"attributes": {}},
    ),
    ('registered_in_hours = "office"', {"registered_at": MONDAY_10}, {"registered_at": SATURDAY_10}),
    ('registered_outside_hours = "office"', {"registered_at": SATURDAY_10}, {"registered_at": MONDAY_10}),
    (
        'registered_between = { days = ["sat", "sun"], from = "08:00", to = "20:00", tz = "Europe/Prague" }',
        {"registered_at": SATURDAY_10},
        {"registered_at": MONDAY_10},
    ),
]


@pytest.mark.parametrize(("when", "matching", "other"), CONDITIONS, ids=[c[0].split()[0] for c in CONDITIONS])
def test_each_condition_kind_decides_between_the_rule_and_the_owner_chain(
    when: str, matching: dict[str, Any], other: dict[str, Any]
) -> None:
    p = policy(
        f"""
[routing]
default_assignee = "E-9"
[[routing.rules]]
name = "Special"
when = {{ {when} }}
assignee = "E-1"
"""
    )
    hit = decide(p, facts(**matching))
    assert (hit.assignee, hit.decided_by, hit.rule) == (Assignee(id="E-1"), Link.RULE, "Special")
    miss = decide(p, facts(**other))
    assert (miss.assignee, miss.decided_by, miss.rule) == (Assignee(id="E-9"), Link.DEFAULT_ASSIGNEE, None)
    assert [step.rule for step in miss.passed_over] == ["Special"]
    assert miss.passed_over[0].outcome == "failed"


def test_first_enabled_match_from_the_top_wins_and_each_earlier_rule_says_why_not() -> None:
    p = policy(
        """
[[routing.rules]]
name = "Disabled"
enabled = false
assignee = "E-1"
[[routing.rules]]
name = "Critical"
when = { priority = "critical" }
assignee = "E-2"
[[routing.rules]]
name = "Phone"
when = { channel = "phone" }
assignee = "E-3"
[[routing.rules]]
name = "Everything else"
assignee = "E-4"
"""
    )
    decision = decide(p, facts(priority="high", channel="phone"))
    assert decision.assignee == Assignee(id="E-3")
    assert [(s.rule, s.outcome) for s in decision.passed_over] == [
        ("Disabled", "disabled"),
        ("Critical", "failed"),
    ]
    assert decision.passed_over[1].reason == "priority is 'high', not one of ['critical']"
    assert "'Phone' matches" in decision.lines()


# --- the default owner chain ------------------------------------------------------

ALL_LINKS: dict[str, Any] = {
    "service_object_responsible": Assignee(id="E-1"),
    "contact_responsible": Assignee(id="E-2"),
    "company_responsible": Assignee(id="E-3"),
}


@pytest.mark.parametrize(
    ("missing", "owner", "link"),
    [
        ((), Assignee(id="E-1"), Link.SERVICE_OBJECT),
        (("service_object_responsible",), Assignee(id="E-2"), Link.CONTACT),
        (("service_object_responsible", "contact_responsible"), Assignee(id="E-3"), Link.COMPANY),
        (tuple(ALL_LINKS), Assignee(id="E-9"), Link.DEFAULT_ASSIGNEE),
    ],
)
def test_the_owner_chain_asks_each_link_in_turn(
    missing: tuple[str, ...], owner: Assignee, link: Link
) -> None:
    p = policy('[routing]\ndefault_assignee = "E-9"\n')
    present = {key: value for key, value in ALL_LINKS.items() if key not in missing}
    decision = decide(p, facts(**present))
    assert (decision.assignee, decision.decided_by) == (owner, link)
    assert [step.used for step in decision.chain] == [False] * len(missing) + [True]


def test_without_a_default_assignee_an_empty_chain_leaves_the_ticket_without_owner() -> None:
    decision = decide(policy(""), facts())
    assert (decision.assignee, decision.decided_by) == (None, Link.NOBODY)
    assert decision.chain[-1].reason == "routing.default_assignee is not set"


def test_a_deactivated_or_unknown_link_is_passed_over_and_the_decision_says_so() -> None:
    p = policy('[routing]\ndefault_assignee = "E-9"\n')
    people = (person("E-1", active=False), person("E-9"))
    decision = decide(
        p,
        facts(service_object_responsible=Assignee(id="E-1"), contact_responsible=Assignee(id="E-404")),
        staff(*people),
    )
    assert decision.assignee == Assignee(id="E-9")
    assert [step.reason for step in decision.chain[:2]] == [
        "the service object's responsible is employee E-1, who is deactivated",
        "the contact's responsible is employee E-404, who is not a known employee",
    ]


def test_a_rule_naming_a_deactivated_employee_falls_to_the_owner_chain() -> None:
    p = policy('[routing]\ndefault_assignee = "E-9"\n[[routing.rules]]\nname = "All"\nassignee = "E-1"\n')
    decision = decide(p, facts(company_responsible=Assignee(id="E-3")), staff(person("E-1", active=False), person("E-3"), person("E-9")))
    assert (decision.assignee, decision.decided_by, decision.rule) == (Assignee(id="E-3"), Link.COMPANY, "All")
    assert decision.chain[0].reason == "rule 'All' names employee E-1, who is deactivated"


def test_the_aymine_chain_asks_the_sla_rule_then_the_customer_groups_first() -> None:
    p = policy(
        """
[routing]
owner_chain = "aymine"
default_assignee = "E-9"
sla_responsible = { Gold = "E-5" }
"""
    )
    base = {
        "customer_groups": ("G-silver", "G-gold"),
        "customer_group_responsible": {"G-gold": Assignee(id="E-6"), "G-silver": Assignee(id="E-7")},
        "company_responsible": Assignee(id="E-3"),
    }
    assert decide(p, facts(sla_rule="Gold", **base)).decided_by is Link.SLA_RULE
    by_group = decide(p, facts(sla_rule="Standard", **base))
    assert (by_group.assignee, by_group.decided_by) == (Assignee(id="E-7"), Link.CUSTOMER_GROUP)
    by_company = decide(p, facts(sla_rule="Gold", company_responsible=Assignee(id="E-3")), staff(
        *(person(f"E-{n}") for n in (3, 9)), person("E-5", active=False)
    ))
    assert (by_company.assignee, by_company.decided_by) == (Assignee(id="E-3"), Link.COMPANY)


def test_facts_of_the_parties_carry_their_responsibles_and_observers() -> None:
    company = Company(id="C-1", name="Kavárna", category="vip", responsible=Assignee(id="E-3"),
                      observer_groups={"G-sales"}, customer_groups={"G-gold"})
    contact = Contact(id="P-1", first_name="Jana", company="C-1", responsible=Assignee(id="E-2"),
                      observer_employees={"E-8"})
    place = ServiceObject(id="S-1", name="Bar", company="C-1", responsible=Assignee(id="E-1"))
    gold = CustomerGroup(id="G-gold", name="Gold", responsible=Assignee(id="E-6"), priority=1)
    f = RoutingFacts.of(registered_at=MONDAY_10, company=company, contact=contact, service_object=place,
                        customer_groups=[gold], sla_rule="Gold")
    assert (f.client_category, f.company, f.customer_groups) == ("vip", "C-1", ("G-gold",))
    assert f.customer_group_responsible == {"G-gold": Assignee(id="E-6")}
    decision = decide(policy(""), f)
    assert (decision.assignee, decision.observer_employees, decision.observer_groups) == (
        Assignee(id="E-1"), frozenset({"E-8"}), frozenset({"G-sales"})
    )


# --- observers --------------------------------------------------------------------


def test_observers_are_the_union_of_account_company_contact_and_rule_kept_apart() -> None:
    p = policy(
        """
[routing]
observer_employees = ["E-9"]
observer_groups = ["G-desk"]
[[routing.rules]]
name = "All"
assignee = "E-1"
observer_employees = ["E-2"]
observer_groups = ["G-managers"]
"""
    )
    decision = decide(
        p,
        facts(
            company_observer_employees={"E-3"},
            company_observer_groups={"G-sales"},
            contact_observer_employees={"E-4", "E-9"},
            contact_observer_groups={"G-desk"},
        ),
    )
    assert decision.observer_employees == {"E-2", "E-3", "E-4", "E-9"}
    assert decision.observer_groups == {"G-desk", "G-managers", "G-sales"}
    without_rule = decide(policy('[routing]\nobserver_employees = ["E-9"]\n'), facts(contact_observer_groups={"G-x"}))
    assert without_rule.observer_employees == {"E-9"}
    assert without_rule.observer_groups == {"G-x"}


# --- strategies -------------------------------------------------------------------

FIELD = EmployeeGroup(id="G-field", name="Field", members={"E-1", "E-2", "E-3", "E-4"})


def group_policy(strategy: str) -> RoutingPolicy:
    return policy(
        f'[[routing.rules]]\nname = "Field"\nassignee = {{ group = "G-field" }}\nstrategy = "{strategy}"\n'
    )


def field_staff(load: dict[str, int] | None = None, cursors: dict[str, str] | None = None) -> StaffSnapshot:
    """E-1 on holiday today in their own calendar, E-2 deactivated, E-3 at
    capacity, E-4 free: only E-4 qualifies on Monday 10:00."""
    return staff(
        person("E-1", calendar="jana"),
        person("E-2", active=False),
        person("E-3", capacity=2),
        person("E-4", calendar="office", capacity=5),
        groups=(FIELD,),
        load={"E-3": 2, "E-4": 4, **(load or {})},
        cursors=cursors,
    )


@pytest.mark.parametrize("strategy", ["round_robin", "least_loaded"])
def test_a_strategy_passes_over_the_member_on_holiday_the_deactivated_and_the_full(strategy: str) -> None:
    decision = decide(group_policy(strategy), facts(), field_staff())
    assert decision.assignee == Assignee(id="E-4")
    assert decision.strategy is not None
    assert [(m.employee, m.qualifies, m.reason) for m in decision.strategy.members] == [
        ("E-1", False, "outside the working hours of 'jana' at 2026-03-02T10:00:00+01:00"),
        ("E-2", False, "deactivated"),
        ("E-3", False, "at capacity (2 of 2 tickets)"),
        ("E-4", True, "active, inside the working hours of 'office', 4 of 5 tickets"),
    ]


@pytest.mark.parametrize("strategy", ["round_robin", "least_loaded"])
def test_when_nobody_qualifies_the_group_keeps_the_ticket_and_says_why(strategy: str) -> None:
    decision = decide(group_policy(strategy), facts(), field_staff(load={"E-4": 5}))
    assert decision.assignee == Assignee(id="G-field", group=True)
    assert decision.strategy is not None and decision.strategy.chosen is None
    assert decision.strategy.reason == "no member qualifies, so the group keeps the ticket"
    assert decision.strategy.members[-1].reason == "at capacity (5 of 5 tickets)"
    assert decision.cursor is None


def test_keep_group_is_the_default_and_hands_nothing_on() -> None:
    p = policy('[[routing.rules]]\nname = "Field"\nassignee = { group = "G-field" }\n')
    assert p.table.rules[0].result.strategy is Strategy.KEEP_GROUP
    decision = decide(p, facts(), field_staff())
    assert decision.assignee == Assignee(id="G-field", group=True)
    assert decision.strategy is not None and decision.strategy.members == ()


def test_round_robin_continues_after_the_stored_cursor_and_wraps_around() -> None:
    group = EmployeeGroup(id="G-field", name="Field", members={"E-1", "E-2", "E-3"})
    people = [person("E-1"), person("E-2"), person("E-3")]
    p = group_policy("round_robin")
    chosen = []
    cursor: dict[str, str] = {}
    for _ in range(4):
        decision = decide(p, facts(), staff(*people, groups=(group,), cursors=cursor))
        assert decision.cursor is not None
        cursor = {decision.cursor[0]: decision.cursor[1]}
        chosen.append(decision.assignee.id if decision.assignee else None)
    assert chosen == ["E-1", "E-2", "E-3", "E-1"]


def test_least_loaded_takes_the_fewest_tickets_and_breaks_ties_by_id() -> None:
    group = EmployeeGroup(id="G-field", name="Field", members={"E-1", "E-2", "E-3"})
    people = [person("E-1"), person("E-2"), person("E-3")]
    p = group_policy("least_loaded")
    assert decide(p, facts(), staff(*people, groups=(group,), load={"E-1": 3, "E-2": 1, "E-3": 1})).assignee == Assignee(id="E-2")
    assert decide(p, facts(), staff(*people, groups=(group,), load={"E-1": 0, "E-2": 1})).assignee == Assignee(id="E-1")


def test_a_group_without_members_keeps_the_ticket() -> None:
    empty = EmployeeGroup(id="G-field", name="Field")
    decision = decide(group_policy("round_robin"), facts(), staff(person("E-1"), groups=(empty,)))
    assert decision.assignee == Assignee(id="G-field", group=True)
    assert decision.strategy is not None
    assert decision.strategy.reason == "the group has no members, so it keeps the ticket"


# --- faults -----------------------------------------------------------------------


def test_a_condition_that_raises_sends_the_ticket_down_the_chain_and_records_the_fault() -> None:
    p = policy(
        """
[routing]
default_assignee = "E-9"
[[routing.rules]]
name = "Office hours"
when = { registered_in_hours = "office" }
assignee = "E-1"
[[routing.rules]]
name = "Catch-all"
assignee = "E-2"
"""
    )
    no_calendars = StaffSnapshot.of([person("E-1"), person("E-2"), person("E-9")])
    decision = decide(p, facts(company_responsible=Assignee(id="E-2")), no_calendars)
    assert (decision.assignee, decision.decided_by, decision.rule) == (Assignee(id="E-2"), Link.COMPANY, None)
    assert decision.fault is not None
    assert decision.fault.rule == "Office hours"
    assert decision.fault.condition == "registered inside the working hours of 'office'"
    assert "calendar 'office' is not known" in decision.fault.message
    assert [(s.rule, s.outcome) for s in decision.passed_over] == [("Office hours", "fault")]
    assert "the table stopped at the fault in 'Office hours': the owner chain decides" in decision.lines()


# --- decisions as data ----------------------------------------------------------


def test_a_decision_round_trips_through_json_and_names_its_configuration() -> None:
    p = group_policy("round_robin")
    decision = decide(p, facts(), field_staff())
    text = json.dumps(converter.unstructure(decision))
    back = converter.structure(json.loads(text), RoutingDecision)
    assert back == decision
    assert type(back.decided_by) is Link and type(back.strategy.strategy) is Strategy, (  # type: ignore[union-attr]
        "enum members come back, not texts that merely compare equal"
    )
    assert json.loads(text)["strategy"]["cursor"] == "E-4"
    assert decision.fingerprint == p.fingerprint and decision.fingerprint is not None
    other = group_policy("least_loaded")
    assert other.fingerprint != p.fingerprint


def test_route_refuses_a_naive_instant() -> None:
    p = policy("")
    with pytest.raises(ValidationError, match=r"routing instant: 2026-03-02T10:00:00 must be timezone-aware"):
        route(facts(), datetime(2026, 3, 2, 10), table=p.table, settings=p.settings, staff=staff())


# --- configuration ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[[routing.rules]]\nname = "x"\nassignee = "E-1"\nstrategy = "round-robin"\n',
         "routing.rules[0].strategy: 'round-robin' is not one of keep_group, round_robin, least_loaded"),
        ('[[routing.rules]]\nname = "x"\nassignee = "E-1"\nstrategy = "least_loaded"\n',
         "routing.rules[0].strategy: 'least_loaded' hands a group's ticket to a member"),
        ('[[routing.rules]]\nname = "x"\nwhen = { priority = "high" }\n', "routing.rules[0]: missing 'assignee'"),
        ('[[routing.rules]]\nname = "x"\nassignee = "E-1"\nwhen = { registered_in_hours = "home" }\n',
         "routing.rules[0].when.registered_in_hours: unknown calendar 'home' (known: office)"),
        ('[[routing.rules]]\nname = "x"\nassignee = { team = "G-1" }\n', "routing.rules[0].assignee: expected"),
        ('[routing]\ndefault_asignee = "E-1"\n', "did you mean 'default_assignee'?"),
        ('[routing]\nowner_chain = "okdesk"\n', "routing.owner_chain: 'okdesk' is not one of standard, aymine"),
        ('[[routing.rules]]\nname = "x"\nassignee = "E-1"\n[[routing.rules]]\nname = "x"\nassignee = "E-2"\n',
         "routing.rules[1].name: 'x' is already the name of routing.rules[0]"),
    ],
)
def test_configuration_mistakes_name_the_file_the_place_and_the_value(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_configuration(CALENDAR_TOML + text, source="helpdesk.toml")
    assert str(caught.value).startswith("helpdesk.toml: ")
    assert message in str(caught.value)


def test_a_configuration_without_routing_routes_everything_down_the_chain() -> None:
    p = parse_configuration("").routing
    assert p.table.rules == () and p.settings.default_assignee is None


# --- lint -------------------------------------------------------------------------


def test_lint_reports_every_kind_of_routing_mistake() -> None:
    p = policy(
        """
[routing]
default_assignee = "E-old"
observer_groups = ["G-ghost"]
[[routing.rules]]
name = "Everything"
when = { priority = ["high", "critical"] }
assignee = "E-1"
[[routing.rules]]
name = "Critical"
when = { priority = "critical" }
assignee = "E-1"
[[routing.rules]]
name = "Typo"
when = { priority = "hihg" }
assignee = "E-404"
[[routing.rules]]
name = "Empty team"
assignee = { group = "G-empty" }
strategy = "round_robin"
enabled = false
[[routing.rules]]
name = "Ghost team"
when = { channel = "phone" }
assignee = { group = "G-none" }
observer_employees = ["E-old"]
"""
    )
    directory = StaffSnapshot.of(
        [person("E-1"), person("E-old", active=False)],
        [EmployeeGroup(id="G-empty", name="Empty")],
        calendars={"office": OFFICE},
    )
    findings = lint_routing(
        p.table, p.settings, directory, catalogs={"priority": ["low", "normal", "high", "critical"]}
    )
    kinds = {(f.kind, f.rule) for f in findings}
    assert (RoutingFindingKind.SHADOWED, "Critical") in kinds
    assert (RoutingFindingKind.UNKNOWN_VALUE, "Typo") in kinds
    assert (RoutingFindingKind.NEVER_MATCHES, "Typo") in kinds
    assert (RoutingFindingKind.UNKNOWN_EMPLOYEE, "Typo") in kinds
    assert (RoutingFindingKind.EMPTY_GROUP, "Empty team") in kinds
    assert (RoutingFindingKind.UNKNOWN_GROUP, "Ghost team") in kinds
    assert (RoutingFindingKind.DEACTIVATED, "Ghost team") in kinds
    assert (RoutingFindingKind.DEACTIVATED, None) in kinds
    assert (RoutingFindingKind.UNKNOWN_GROUP, None) in kinds
    assert (RoutingFindingKind.NO_CATCH_ALL, None) in kinds
    messages = [f.message for f in findings]
    assert "rule 'Typo': 'hihg' is not a known priority, did you mean 'high'? (known: low, normal, high, critical)" in messages
    assert "routing.default_assignee: employee E-old is deactivated and cannot be responsible; the owner chain answers instead" in messages


def test_lint_names_an_sla_rule_the_aymine_chain_can_never_meet() -> None:
    p = policy('[routing]\nowner_chain = "aymine"\nsla_responsible = { Gold = "E-1", Goldd = "E-1" }\n')
    findings = lint_routing(p.table, p.settings, staff(), sla_rules=["Gold", "Standard"])
    assert [f.message for f in findings if f.kind is RoutingFindingKind.UNKNOWN_VALUE] == [
        "routing.sla_responsible.Goldd: 'Goldd' is not an SLA rule (known: Gold, Standard)"
    ]


def test_lint_of_a_sound_table_finds_nothing() -> None:
    p = policy(
        '[routing]\ndefault_assignee = "E-1"\n[[routing.rules]]\nname = "All"\n'
        'assignee = { group = "G-field" }\nstrategy = "least_loaded"\n'
    )
    directory = StaffSnapshot.of(
        [person("E-1", groups={"G-field"}, calendar="office")],
        [EmployeeGroup(id="G-field", name="Field", members={"E-1"})],
        calendars={"office": OFFICE},
    )
    assert lint_routing(p.table, p.settings, directory) == ()


def test_lint_warns_of_a_strategy_group_whose_members_are_all_deactivated_or_off_calendar() -> None:
    p = policy('[[routing.rules]]\nname = "All"\nassignee = { group = "G-field" }\nstrategy = "round_robin"\n')
    group = EmployeeGroup(id="G-field", name="Field", members={"E-1", "E-2"})
    gone = StaffSnapshot.of([person("E-1", active=False), person("E-2", active=False)], [group])
    assert RoutingFindingKind.EMPTY_GROUP in {f.kind for f in lint_routing(p.table, p.settings, gone)}
    lost = StaffSnapshot.of([person("E-1", calendar="mars"), person("E-2")], [group])
    assert RoutingFindingKind.UNKNOWN_CALENDAR in {f.kind for f in lint_routing(p.table, p.settings, lost)}


# --- the worked example of docs/routing.md ----------------------------------------

DOCS = Path(__file__).resolve().parents[2] / "docs" / "routing.md"


def test_the_worked_example_of_the_routing_docs_reads_as_written() -> None:
    text = DOCS.read_text(encoding="utf-8")
    toml = text.split("## A worked example", 1)[1].split("```toml\n", 1)[1].split("```", 1)[0]
    expected = text.split("an outage on Monday 10:00 reads:\n\n```\n", 1)[1].split("```", 1)[0]
    config = parse_configuration(toml)
    people = [person("E-1"), person("E-2"), person("E-3"), person("E-4", capacity=2), person("E-5"), person("E-7")]
    groups = [EmployeeGroup(id="G-field", name="Field", members={"E-3", "E-4", "E-5"})]
    snapshot = StaffSnapshot.of(
        people, groups, calendars=config.calendars, load={"E-3": 1, "E-4": 2}, cursors={"G-field": "E-3"}
    )

    def run(f: RoutingFacts, at: datetime) -> RoutingDecision:
        return route(f, at, table=config.routing.table, settings=config.routing.settings, staff=snapshot)

    decision = run(RoutingFacts(registered_at=MONDAY_10, type="outage"), MONDAY_10)
    assert "\n".join(decision.lines()) + "\n" == expected
    assert decision.cursor == ("G-field", "E-5")
    night = run(RoutingFacts(registered_at=SATURDAY_10, type="outage"), SATURDAY_10)
    assert (night.assignee, night.observer_employees, night.observer_groups) == (
        Assignee(id="E-7"), frozenset({"E-2"}), frozenset({"G-desk"})
    )
    question = run(RoutingFacts(registered_at=MONDAY_10, type="question", company_responsible=Assignee(id="E-3")), MONDAY_10)
    assert (question.assignee, question.decided_by) == (Assignee(id="E-3"), Link.COMPANY)
    nobody = run(RoutingFacts(registered_at=MONDAY_10, type="question"), MONDAY_10)
    assert nobody.assignee == Assignee(id="E-1")


# --- facts and decisions as JSON ------------------------------------------------


def test_facts_written_as_json_are_read_strictly_with_errors_naming_the_field() -> None:
    facts_json = {
        "registered_at": "2026-03-02T10:00:00+01:00",
        "type": "outage",
        "customer_groups": ["G-gold"],
        "attributes": {"region": "north"},
        "company_responsible": {"id": "G-field", "group": True},
        "customer_group_responsible": {"G-gold": "E-5"},
    }
    read = routing_facts_from_json(facts_json)
    assert read.registered_at == MONDAY_10
    assert read.company_responsible == Assignee(id="G-field", group=True)
    assert read.customer_group_responsible == {"G-gold": Assignee(id="E-5")}
    assert routing_facts_from_json(converter.unstructure(read)) == read
    for bad, message in [
        ({"type": "outage"}, "routing facts: missing required field 'registered_at'"),
        ({"registered_at": "2026-03-02T10:00:00"}, "must be timezone-aware"),
        ({"registered_at": "2026-03-02T10:00:00Z", "priority": 3}, "routing facts: priority: expected a text"),
        ([], "routing facts: expected a JSON object"),
    ]:
        with pytest.raises(ValidationError, match=re.escape(message)):
            routing_facts_from_json(bad)


def test_a_decision_recorded_by_an_older_version_still_reads() -> None:
    decision = decide(policy('[routing]\ndefault_assignee = "E-9"\n'), facts())
    recorded = routing_decision_to_json(decision)
    assert routing_decision_from_json(recorded) == decision
    trimmed = {k: v for k, v in recorded.items() if k not in ("chain", "fault", "strategy")}
    later = {**recorded, "added_later": 1}
    assert routing_decision_from_json(trimmed).assignee == Assignee(id="E-9")
    assert routing_decision_from_json(later) == decision
    with pytest.raises(ValidationError, match="routing decision: missing required field 'decided_by'"):
        routing_decision_from_json({k: v for k, v in recorded.items() if k != "decided_by"})


# --- workload ---------------------------------------------------------------------


def ticket(id_: str, owner: Assignee | None, status: str = "open") -> Ticket:
    return Ticket.register(id=id_, subject=id_, created_at=MONDAY_10, status=status, assignee=owner)


def test_load_counts_only_statuses_flagged_counts_toward_load_and_feeds_the_strategies() -> None:
    tickets = [
        ticket("T-1", Assignee(id="E-3")),
        ticket("T-2", Assignee(id="E-3"), "in_progress"),
        ticket("T-3", Assignee(id="E-3"), "postponed"),  # rests: does not count
        ticket("T-4", Assignee(id="E-4"), "resolved"),
        ticket("T-5", Assignee(id="E-4"), "closed"),
        ticket("T-6", Assignee(id="G-field", group=True)),
        ticket("T-7", Assignee(id="E-4"), "escalated"),  # imported from another workflow: counts
        ticket("T-8", None),
    ]
    assert load_by_employee(tickets, DEFAULT_GRAPH) == {"E-3": 2, "E-4": 1}
    snapshot = field_staff(load=load_by_employee(tickets, DEFAULT_GRAPH))
    assert snapshot.load_of("E-3") == 2  # E-3's capacity is 2: the strategies pass them over
    counts = load_by_status(tickets, DEFAULT_GRAPH)
    rows = {row.employee: row for row in workload(counts, DEFAULT_GRAPH, snapshot, MONDAY_10)}
    assert rows["E-3"].by_status == {"in_progress": 1, "open": 1}
    assert (rows["E-3"].capacity, rows["E-3"].at_capacity, rows["E-3"].working) == (2, True, None)
    assert (rows["E-1"].load, rows["E-1"].working) == (0, False)  # on holiday in their calendar
    assert (rows["E-4"].load, rows["E-4"].working, rows["E-2"].active) == (1, True, False)


def test_members_take_turns_in_the_order_a_person_reads_their_ids() -> None:
    """E-3 before E-12 (digits as numbers), for round robin and for the ties
    of least loaded; as text E-12 and E-20 came before E-3."""
    from helpdesk_core.routing.strategies import hand_over, reading_order

    members = [Employee(id=i, first_name="A", email=f"{i.lower()}@desk.example") for i in ("E-20", "E-3", "E-12")]
    group = EmployeeGroup(id="G-1", name="Field", members=["E-20", "E-3", "E-12"])
    turns, cursor = [], None
    for _ in range(4):
        snapshot = StaffSnapshot.of(members, [group], cursors={} if cursor is None else {"G-1": cursor})
        outcome = hand_over(group, Strategy.ROUND_ROBIN, MONDAY_10, snapshot)
        turns.append(outcome.chosen)
        cursor = outcome.cursor
    assert turns == ["E-3", "E-12", "E-20", "E-3"]
    tie = hand_over(group, Strategy.LEAST_LOADED, MONDAY_10, StaffSnapshot.of(members, [group]))
    assert tie.chosen == "E-3"
    assert sorted(["E-03", "E-3", "E-2", "X-1", "E-10"], key=reading_order) == ["E-2", "E-03", "E-3", "E-10", "X-1"]
