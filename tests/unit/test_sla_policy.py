"""Reading the ``[sla]`` section: durations, rules, calendars and their errors."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from helpdesk_core.errors import ConfigError, ValidationError
from helpdesk_core.model.ticket import SlaOverride, Ticket
from helpdesk_core.sla import (
    CustomerFacts,
    OnChange,
    SlaPolicy,
    Source,
    evaluate,
    explain,
    format_duration,
    parse_duration,
)
from helpdesk_core.workflow import DEFAULT_GRAPH
from helpdesk_core.worktime import WorkingCalendar

OFFICE = WorkingCalendar.from_dict(
    {
        "name": "office",
        "tz": "Europe/Prague",
        "week": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
        "holidays": ["2026-03-04"],
    }
)
CALENDARS = {"office": OFFICE}


def rule(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "name": "Default",
        "calendar": "office",
        "reaction": "4h",
        "resolution": "16h",
    }
    base.update(overrides)
    return base


@pytest.mark.parametrize(
    ("written", "minutes"),
    [("45m", 45), ("4h", 240), ("1h30m", 90), (90, 90), ("0m", 0), (" 2h 5m ", 125), ("1H", 60)],
)
def test_durations_as_written_in_configuration(written: object, minutes: int) -> None:
    assert parse_duration(written, path="x") == timedelta(minutes=minutes)


@pytest.mark.parametrize("written", ["4x", "", "h", "1.5h", "-5m", -5, True, None, 2.5])
def test_a_bad_duration_names_its_place(written: object) -> None:
    with pytest.raises(ConfigError, match=r"^sla\.rules\[3\]\.reaction: "):
        parse_duration(written, path="sla.rules[3].reaction")


def test_the_exact_message_of_a_bad_duration() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_duration("4x", path="sla.rules[3].reaction")
    assert str(caught.value) == (
        "sla.rules[3].reaction: '4x' is not a duration "
        "(write e.g. '30m', '4h', '1h30m' or minutes)"
    )


def test_days_are_refused_with_the_reason() -> None:
    with pytest.raises(ConfigError, match=r"no day unit.*write hours"):
        parse_duration("1d", path="sla.rules[0].resolution")


@pytest.mark.parametrize(
    ("value", "text"),
    [(timedelta(minutes=90), "1h30m"), (timedelta(0), "0m"), (timedelta(hours=-2), "-2h")],
)
def test_durations_print_as_written(value: timedelta, text: str) -> None:
    assert format_duration(value) == text


def test_a_policy_from_configuration() -> None:
    policy = SlaPolicy.from_config(
        {
            "at_risk_share": 0.25,
            "escalations": [
                {"name": "call-boss", "levels": [{"at": "80%", "of": "resolution", "notify": ["group_manager"]}]}
            ],
            "rules": [
                rule(name="Fast", when={"priority": ["high"]}, reaction="30m", resolution=120,
                     escalation="call-boss", on_change="keep_elapsed"),
                rule(enabled=False, name="Off"),
                rule(),
            ],
        },
        calendars=CALENDARS,
    )
    assert policy.at_risk_share == 0.25
    assert policy.rule_names() == ("Fast", "Off", "Default")
    fast = policy.rules[0].result
    assert fast.reaction == timedelta(minutes=30) and fast.resolution == timedelta(hours=2)
    assert fast.escalation == "call-boss" and fast.on_change is OnChange.KEEP_ELAPSED
    assert policy.rules[2].result.on_change is OnChange.RESELECT
    assert not policy.rules[1].enabled


@pytest.mark.parametrize(
    ("section", "message"),
    [
        ({"rules": [rule(), rule(name="B", calendar="x")]},
         r"^sla\.rules\[1\]\.calendar: unknown calendar 'x' \(known: office\)$"),
        ({"rules": [rule(reaction="4x")]}, r"^sla\.rules\[0\]\.reaction: '4x' is not a duration"),
        ({"rules": [rule(), rule()]}, r"^sla\.rules\[1\]\.name: 'Default' is already the name"),
        ({"rules": [rule(on_change="later")]}, r"^sla\.rules\[0\]\.on_change: expected one of"),
        ({"rules": [rule(when={"priorty": ["high"]})]}, r"^sla\.rules\[0\]\.when\.priorty"),
        ({"rules": [rule(reacton="1h")]}, r"^sla\.rules\[0\]\.reacton: unknown key"),
        ({"rules": [{"name": "X", "calendar": "office", "reaction": "1h"}]},
         r"^sla\.rules\[0\]: missing 'resolution'"),
        ({"at_risk_share": 1.5}, r"^sla\.at_risk_share: expected a number from 0 to 1"),
        ({"at_risk_share": 10**400},  # overflowed a float on the way to the check (CLI fuzz)
         r"^sla\.at_risk_share: expected a number from 0 to 1 \(e\.g\. 0\.2\), got a whole number larger than 1$"),
        ({"rules": [rule(enabled="yes")]}, r"^sla\.rules\[0\]\.enabled: expected true or false"),
    ],
)
def test_configuration_mistakes_name_their_place(section: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        SlaPolicy.from_config(section, calendars=CALENDARS)


def test_the_path_prefix_is_the_callers() -> None:
    with pytest.raises(ConfigError, match=r"^tenants\.a\.sla\.rules\[0\]\.calendar"):
        SlaPolicy.from_config(
            {"rules": [rule(calendar="nope")]}, calendars=CALENDARS, path="tenants.a.sla"
        )


MON_9 = datetime.fromisoformat("2026-03-02T09:00:00+01:00")
POLICY = SlaPolicy.from_config(
    {"rules": [rule(name="Fast", when={"priority": ["high"]}, reaction="1h", resolution="2h"),
               rule(name="Hidden", enabled=False, reaction="5m", resolution="10m"),
               rule(when={"not_type": ["internal"]})]},
    calendars=CALENDARS,
)


def ticket(**fields: Any) -> Ticket:
    return Ticket.register(id="T-1", subject="s", created_at=MON_9, **fields)


def test_a_naive_as_of_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"as_of.*timezone-aware"):
        evaluate(ticket(), policy=POLICY, graph=DEFAULT_GRAPH, as_of=datetime(2026, 3, 2, 12))


def test_as_of_before_registration_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"T-1: as_of .* is before its registration"):
        evaluate(ticket(), policy=POLICY, graph=DEFAULT_GRAPH, as_of=MON_9 - timedelta(hours=1))


def test_a_disabled_rule_can_still_be_chosen_by_hand() -> None:
    chosen = ticket().with_event(SlaOverride(at=MON_9, rule="Hidden", by="E-1"))
    row = evaluate(chosen, policy=POLICY, graph=DEFAULT_GRAPH, as_of=MON_9)
    assert row.rule == "Hidden"
    assert row.resolution_due == MON_9 + timedelta(minutes=10)
    assert "chosen by hand by E-1" in row.rule_reason


def test_an_unknown_rule_chosen_by_hand_falls_back_to_the_table_and_says_so() -> None:
    chosen = ticket(priority="high").with_event(SlaOverride(at=MON_9, rule="Gone"))
    row = evaluate(chosen, policy=POLICY, graph=DEFAULT_GRAPH, as_of=MON_9)
    assert row.rule == "Fast"
    assert "'Gone', is not configured" in row.rule_reason


def test_the_first_customer_group_naming_a_known_rule_wins() -> None:
    customer = CustomerFacts(
        customer_groups=("G-1", "G-2", "G-3"),
        group_sla={"G-1": "Renamed", "G-2": "Hidden", "G-3": "Fast"},
    )
    row = evaluate(ticket(), policy=POLICY, graph=DEFAULT_GRAPH, as_of=MON_9, customer=customer)
    assert row.rule == "Hidden"
    assert "customer group 'G-2'" in row.rule_reason and "'Renamed'" in row.rule_reason


def test_selection_answers_from_the_table_by_the_facts_it_tests() -> None:
    facts: dict[str, object] = {"priority": "high", "type": "incident", "company": "C-1"}
    first = POLICY.select(facts, customer=CustomerFacts())
    again = POLICY.select({**facts, "company": "C-2"}, customer=CustomerFacts())
    assert first.name == again.name == "Fast" and first.source is Source.TABLE
    nothing = POLICY.select({"type": "internal"}, customer=CustomerFacts())
    assert nothing.applied is None and nothing.source is Source.NONE


def test_explain_shows_the_rule_the_holiday_and_the_deadlines() -> None:
    history = ticket(priority="high")
    as_of = datetime.fromisoformat("2026-03-05T10:00:00+01:00")
    timeline = explain(history, policy=POLICY, graph=DEFAULT_GRAPH, as_of=as_of)
    text = "\n".join(timeline.lines())
    assert "rule 'Fast'" in text and "'Fast' matches:" in text
    assert any(period.reason == "holiday" for period in timeline.skipped)
    assert "holiday" in text
    assert timeline.row.state.value == "breached"
    assert [move.target for move in timeline.moves] == ["reaction", "resolution"]


@pytest.mark.parametrize(
    "when",
    [
        {"priority": ["high"]},
        {"company": ["C-1"], "channel": ["phone"]},
        {"status": ["in_progress"], "client_category": ["vip"]},
        {"customer_group": ["G-1"], "not_type": ["internal"]},
        {"attributes.region": ["north"]},  # tests an attribute: asked through the facts
        {"registered_in_hours": "office"},  # tests the registration time: never kept
    ],
)
def test_selecting_by_a_tickets_facts_one_by_one_answers_as_the_facts_mapping(when: dict[str, Any]) -> None:
    from itertools import product

    from helpdesk_core.sla.selection import ticket_facts

    policy = SlaPolicy.from_config(
        {"rules": [rule(name="Special", when=when, reaction="1h"), rule()]}, calendars=CALENDARS
    )
    customers = [CustomerFacts(), CustomerFacts(client_category="vip", customer_groups=("G-1",))]
    customers.append(CustomerFacts(client_category="vip", customer_groups=("G-1",)))  # equal, not the same
    names = []
    for _ in range(2):  # the second round answers from what the first one kept
        for values in product(
            ("incident", "internal"), ("high", None), ("open", "in_progress"), ("phone", None),
            ("C-1", "C-2"), ({"region": "north"}, {}), (MON_9, MON_9 - timedelta(hours=12)),
            customers,
        ):
            kind, priority, status, channel, company, attributes, registered, customer = values
            facts = ticket_facts(
                type=kind, priority=priority, status=status, channel=channel, company=company,
                attributes=attributes, registered_at=registered, customer=customer,
            )
            one_by_one = policy.selector.select_ticket(
                kind, priority, status, channel, company, attributes, registered, customer
            )
            assert one_by_one == policy.select(facts, customer=customer), values
            names.append(one_by_one.name)
    assert {"Special", "Default"} <= set(names)
