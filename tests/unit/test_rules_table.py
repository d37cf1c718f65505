"""First-match rule tables: order, fallback, faults, explanations, `when` parsing."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import attrs
import pytest

from helpdesk_core.errors import ConfigError, ValidationError
from helpdesk_core.rules import (
    CONDITION_TYPES,
    AttributeEquals,
    AttributeIn,
    Condition,
    FieldIn,
    FieldNotIn,
    InWeeklyWindow,
    InWorkingHours,
    Rule,
    RuleTable,
    conditions_from_when,
    describe,
)

PRAGUE = ZoneInfo("Europe/Prague")
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=PRAGUE)


def facts(**overrides: object) -> dict[str, object]:
    base: dict[str, object] = {
        "type": "incident",
        "priority": "high",
        "channel": "email",
        "company": "C-7",
        "client_category": "regular",
        "customer_group": ("G-1", "G-2"),
        "status": "open",
        "attributes": {"region": "north"},
        "registered_at": MONDAY_10,
    }
    base.update(overrides)
    return base


class OfficeHours:
    """A tiny calendar: Monday to Friday, 09:00–17:00 in Prague."""

    def is_working(self, t: datetime, /) -> bool:
        local = t.astimezone(PRAGUE)
        return local.weekday() < 5 and 9 <= local.hour < 17


def rule(name: str, order: int, *conditions: Condition, enabled: bool = True) -> Rule[str]:
    return Rule(name=name, order=order, result=name, conditions=conditions, enabled=enabled)


# --- first match -----------------------------------------------------------------


def test_the_first_matching_rule_from_the_top_wins() -> None:
    table = RuleTable(
        [
            rule("VIP", 10, FieldIn("client_category", {"vip"})),
            rule("High", 20, FieldIn("priority", {"high", "critical"})),
            rule("Incidents", 30, FieldIn("type", {"incident"})),
        ]
    )
    match = table.first_match(facts())
    assert match.rule is not None and match.rule.name == "High"
    assert match.result == "High"
    assert match.faults == ()
    assert not match.used_fallback


def test_explicit_order_beats_position_and_ties_keep_position() -> None:
    table = RuleTable(
        [
            rule("Written first", 20, FieldIn("type", {"incident"})),
            rule("Tie A", 5, FieldIn("priority", {"low"})),
            rule("Tie B", 5, FieldIn("priority", {"high"})),
            rule("Tie C", 5, FieldIn("priority", {"high"})),
        ]
    )
    assert [r.name for r in table.in_order] == ["Tie A", "Tie B", "Tie C", "Written first"]
    assert table.first_match(facts()).result == "Tie B"
    assert table.first_match(facts(priority="normal")).result == "Written first"
    assert table.rules[0].name == "Written first"


def test_a_disabled_rule_is_skipped() -> None:
    table = RuleTable(
        [
            rule("Off", 1, FieldIn("type", {"incident"}), enabled=False),
            rule("On", 2, FieldIn("type", {"incident"})),
        ]
    )
    assert table.first_match(facts()).result == "On"


def test_the_fallback_answers_when_no_rule_matches() -> None:
    rules = [rule("Questions", 1, FieldIn("type", {"question"}))]
    with_fallback = RuleTable(rules, fallback="default terms")
    match = with_fallback.first_match(facts())
    assert (match.rule, match.result, match.faults) == (None, "default terms", ())
    assert match.used_fallback
    assert RuleTable(rules).first_match(facts()).result is None


def test_a_rule_without_conditions_matches_everything() -> None:
    table = RuleTable([rule("Questions", 1, FieldIn("type", {"question"})), rule("Default", 2)])
    assert table.first_match({}).result == "Default"


def test_a_condition_that_raises_sends_the_ticket_to_the_fallback_and_is_reported() -> None:
    in_hours = InWorkingHours("office")
    table = RuleTable(
        [
            rule("Office incidents", 1, FieldIn("type", {"incident"}), in_hours),
            rule("Everything else", 2),
        ],
        fallback="fallback",
    )
    match = table.first_match(facts(), calendars={})
    assert match.rule is None
    assert match.result == "fallback"
    assert [(f.rule, f.condition, f.message) for f in match.faults] == [
        ("Office incidents", in_hours, "calendar 'office' is not known (known: none)")
    ]


@pytest.mark.parametrize(
    ("registered_at", "message"),
    [
        (None, "fact 'registered_at' is missing"),
        (
            datetime(2026, 3, 2, 10, 0),
            "fact 'registered_at': 2026-03-02T10:00:00 is naive; "
            "a timezone-aware datetime is required",
        ),
        ("2026-03-02", "fact 'registered_at': expected a datetime, got '2026-03-02' (str)"),
    ],
)
def test_a_bad_registration_time_is_a_fault_not_a_miss(
    registered_at: object, message: str
) -> None:
    window = InWeeklyWindow(frozenset({"mon"}), time(8), time(18), "Europe/Prague")
    table = RuleTable([rule("Window", 1, window), rule("Default", 2)], fallback="fallback")
    match = table.first_match(facts(registered_at=registered_at))
    assert match.result == "fallback"
    assert [f.message for f in match.faults] == [message]


def test_a_rule_whose_earlier_condition_fails_never_reaches_its_faulty_one() -> None:
    table = RuleTable(
        [
            rule("Questions in hours", 1, FieldIn("type", {"question"}), InWorkingHours("nope")),
            rule("Default", 2),
        ]
    )
    assert table.first_match(facts()).result == "Default"


def test_rule_names_are_unique_in_a_table() -> None:
    with pytest.raises(ValidationError, match=r"rules\[1\]\.name: 'A' is used by another rule"):
        RuleTable([rule("A", 1), rule("A", 2)])


def test_invalid_rules_and_conditions_cannot_be_built() -> None:
    with pytest.raises(ValidationError, match="order: expected an integer, got '1'"):
        Rule(name="A", order="1", result=1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="got the string 'high'"):
        FieldIn("priority", "high")
    with pytest.raises(ValidationError, match="tz: 'Mars/Olympus' is not an IANA time zone"):
        InWeeklyWindow(frozenset({"mon"}), time(8), time(9), "Mars/Olympus")
    with pytest.raises(ValidationError, match="days: 'monday' is not a weekday"):
        InWeeklyWindow(frozenset({"monday"}), time(8), time(9), "UTC")


# --- condition semantics -----------------------------------------------------------


def test_multi_valued_facts_match_on_any_overlap() -> None:
    table = RuleTable(
        [
            rule("Group 2", 1, FieldIn("customer_group", {"G-2", "G-9"})),
            rule("Not group 1", 2, FieldNotIn("customer_group", {"G-1"})),
            rule("Default", 3),
        ]
    )
    assert table.first_match(facts(customer_group=("G-1", "G-2"))).result == "Group 2"
    assert table.first_match(facts(customer_group=frozenset({"G-3"}))).result == "Not group 1"
    assert table.first_match(facts(customer_group=("G-1", "G-3"))).result == "Default"


def test_a_missing_fact_fails_field_in_and_passes_field_not_in() -> None:
    table = RuleTable(
        [
            rule("Email", 1, FieldIn("channel", {"email"})),
            rule("Not phone", 2, FieldNotIn("channel", {"phone"})),
        ]
    )
    without_channel = facts()
    del without_channel["channel"]
    assert table.first_match(without_channel).result == "Not phone"
    assert table.first_match(facts(channel=None)).result == "Not phone"
    assert table.first_match(facts(customer_group=())).result == "Email"


def test_attribute_conditions_read_the_attributes_fact() -> None:
    table = RuleTable(
        [
            rule("North", 1, AttributeEquals("region", "north")),
            rule("South or east", 2, AttributeIn("region", {"south", "east"})),
            rule("Default", 3),
        ]
    )
    assert table.first_match(facts()).result == "North"
    assert table.first_match(facts(attributes={"region": "east"})).result == "South or east"
    assert table.first_match(facts(attributes={})).result == "Default"
    assert table.first_match(facts(attributes=None)).result == "Default"


def test_weekly_window_is_read_on_the_wall_clock_of_its_zone() -> None:
    office = InWeeklyWindow(frozenset({"mon", "tue"}), time(8), time(18), "Europe/Prague")
    table = RuleTable([rule("Office", 1, office), rule("Default", 2)])
    at = [
        datetime(2026, 3, 2, 7, 0, tzinfo=UTC),  # Mon 08:00 Prague: start included
        datetime(2026, 3, 2, 17, 0, tzinfo=UTC),  # Mon 18:00 Prague: end excluded
        datetime(2026, 3, 3, 16, 59, tzinfo=UTC),  # Tue 17:59 Prague
        datetime(2026, 3, 4, 9, 0, tzinfo=UTC),  # Wednesday
    ]
    assert [table.first_match(facts(registered_at=t)).result for t in at] == [
        "Office",
        "Default",
        "Office",
        "Default",
    ]


def test_weekly_window_follows_daylight_saving_time() -> None:
    office = InWeeklyWindow(frozenset({"mon"}), time(8), time(18), "Europe/Prague")
    table = RuleTable([rule("Office", 1, office), rule("Default", 2)])
    # 06:30 UTC is 07:30 in winter (CET) but 08:30 in summer (CEST, from 29 March 2026).
    before_change = datetime(2026, 3, 23, 6, 30, tzinfo=UTC)
    after_change = before_change + timedelta(weeks=1)
    assert table.first_match(facts(registered_at=before_change)).result == "Default"
    assert table.first_match(facts(registered_at=after_change)).result == "Office"


def test_a_night_window_runs_past_midnight_and_belongs_to_its_start_day() -> None:
    night = InWeeklyWindow(frozenset({"fri"}), time(22), time(6), "Europe/Prague")
    table = RuleTable([rule("Friday night", 1, night), rule("Default", 2)])

    def winner(day: int, hour: int, minute: int = 0) -> str | None:
        at = datetime(2026, 3, day, hour, minute, tzinfo=PRAGUE)
        return table.first_match(facts(registered_at=at)).result

    assert winner(6, 22) == "Friday night"  # Friday 22:00
    assert winner(7, 5, 59) == "Friday night"  # Saturday 05:59
    assert winner(7, 6) == "Default"  # Saturday 06:00: end excluded
    assert winner(7, 23) == "Default"  # Saturday night is not Friday night
    assert winner(6, 3) == "Default"  # Friday 03:00 belongs to Thursday night


def test_working_hours_condition_asks_the_named_calendar() -> None:
    table = RuleTable(
        [
            rule("Out of hours", 1, InWorkingHours("office", inside=False)),
            rule("In hours", 2, InWorkingHours("office")),
        ]
    )
    calendars = {"office": OfficeHours()}
    evening = datetime(2026, 3, 2, 20, 0, tzinfo=PRAGUE)
    assert table.first_match(facts(), calendars=calendars).result == "In hours"
    assert table.first_match(facts(registered_at=evening), calendars=calendars).result == (
        "Out of hours"
    )


# --- explain ---------------------------------------------------------------------


def test_explain_gives_every_losing_rule_then_the_winner_in_words() -> None:
    table = RuleTable(
        [
            rule("VIP incidents", 10, FieldIn("type", {"incident"}), FieldIn("client_category", {"vip"})),
            rule("Night shift", 20, enabled=False),
            rule("Low", 30, FieldIn("priority", {"low"})),
            rule("Groups", 40, FieldNotIn("status", {"closed"}), FieldIn("customer_group", {"G-2"})),
            rule("Default", 50),
        ],
        fallback="fallback",
    )
    explanation = table.explain(facts())
    assert explanation.lines() == (
        "'VIP incidents' does not match: client_category is 'regular', not one of ['vip']",
        "'Night shift' is skipped: rule disabled",
        "'Low' does not match: priority is 'high', not one of ['low']",
        "'Groups' matches:",
        "  status is 'open', not one of the excluded ['closed']",
        "  customer_group is ['G-1', 'G-2'], overlapping ['G-2']",
    )
    assert explanation.match == table.first_match(facts())
    first = explanation.steps[0]
    assert first.failed is not None and first.failed.condition == FieldIn("client_category", {"vip"})
    assert [v.condition for v in first.satisfied] == [FieldIn("type", {"incident"})]


def test_explain_says_when_no_rule_matches_or_a_fault_stops_it() -> None:
    in_hours = InWorkingHours("office")
    table = RuleTable(
        [rule("Questions", 1, FieldIn("type", {"question"})), rule("Office", 2, in_hours)]
    )
    assert table.explain(facts(), calendars={}).lines() == (
        "'Questions' does not match: type is 'incident', not one of ['question']",
        "'Office' cannot be evaluated (registered inside the working hours of 'office'): "
        "calendar 'office' is not known (known: none)",
        "evaluation stopped at the fault and there is no fallback",
    )
    evening = datetime(2026, 3, 2, 20, 0, tzinfo=PRAGUE)
    explanation = table.explain(facts(registered_at=evening), calendars={"office": OfficeHours()})
    assert explanation.lines()[1:] == (
        "'Office' does not match: registered at 2026-03-02T20:00:00+01:00, "
        "outside the working hours of 'office'",
        "no rule matches and there is no fallback",
    )


def test_explain_words_for_missing_multi_valued_and_window_facts() -> None:
    window = InWeeklyWindow(frozenset({"sat", "sun"}), time(22), time(6), "Europe/Prague")
    table = RuleTable(
        [
            rule("Phone", 1, FieldIn("channel", {"phone"})),
            rule("Group 9", 2, FieldIn("customer_group", {"G-9"})),
            rule("Weekend nights", 3, window),
            rule("Default", 4),
        ],
        fallback="fallback",
    )
    assert table.explain(facts(channel=None)).lines() == (
        "'Phone' does not match: channel missing, not one of ['phone']",
        "'Group 9' does not match: customer_group is ['G-1', 'G-2'], none of them one of ['G-9']",
        "'Weekend nights' does not match: registered mon 10:00 Europe/Prague, "
        "outside sat, sun from 22:00 to 06:00 the next day (Europe/Prague)",
        "'Default' matches: it has no conditions",
    )


# --- describe and the `when` table ---------------------------------------------------


def test_describe_says_what_each_condition_asks() -> None:
    assert [describe(c) for c in _one_of_each()] == [
        "type is 'incident'",
        "status is not one of ['closed', 'resolved']",
        "attribute region is 'north'",
        "attribute region is one of ['east', 'south']",
        "registered outside the working hours of 'office'",
        "registered mon, fri from 08:00 to 18:00 (Europe/Prague)",
    ]


def _one_of_each() -> list[Condition]:
    return [
        FieldIn("type", {"incident"}),
        FieldNotIn("status", {"resolved", "closed"}),
        AttributeEquals("region", "north"),
        AttributeIn("region", {"south", "east"}),
        InWorkingHours("office", inside=False),
        InWeeklyWindow(frozenset({"fri", "mon"}), time(8), time(18), "Europe/Prague"),
    ]


def test_conditions_from_when_reads_every_key_in_order() -> None:
    when: Mapping[str, object] = {
        "type": "incident",
        "priority": ["high", "critical"],
        "not_status": ["closed"],
        "attributes": {"region": ["north"], "floor": ["1", "2"]},
        "attributes.building": "A",
        "registered_in_hours": "office",
        "registered_outside_hours": "24x7",
        "registered_between": {"days": ["sat", "sun"], "from": "22:00", "to": "06:00", "tz": "UTC"},
    }
    assert conditions_from_when(when, path="sla.rules[0].when") == (
        FieldIn("type", {"incident"}),
        FieldIn("priority", {"high", "critical"}),
        FieldNotIn("status", {"closed"}),
        AttributeEquals("region", "north"),
        AttributeIn("floor", {"1", "2"}),
        AttributeEquals("building", "A"),
        InWorkingHours("office", inside=True),
        InWorkingHours("24x7", inside=False),
        InWeeklyWindow(frozenset({"sat", "sun"}), time(22), time(6), "UTC"),
    )


def test_registered_between_defaults_to_every_day_and_accepts_24_00() -> None:
    (window,) = conditions_from_when(
        {"registered_between": {"from": "18:00", "to": "24:00", "tz": "UTC"}}, path="w"
    )
    assert window == InWeeklyWindow(
        frozenset({"mon", "tue", "wed", "thu", "fri", "sat", "sun"}), time(18), time(0), "UTC"
    )
    table = RuleTable([rule("Evening", 1, window)])
    late = datetime(2026, 3, 4, 23, 59, tzinfo=UTC)
    assert table.first_match(facts(registered_at=late)).result == "Evening"


EXPECTED_KEYS = (
    "type, priority, channel, company, client_category, customer_group, status, "
    "not_type, not_priority, not_channel, not_company, not_client_category, "
    "not_customer_group, not_status, attributes.NAME, registered_in_hours, "
    "registered_outside_hours, registered_between"
)


@pytest.mark.parametrize(
    ("when", "message"),
    [
        (
            {"priorty": ["high"]},
            "sla.rules[2].when.priorty: unknown condition key, did you mean 'priority'? "
            f"(expected one of: {EXPECTED_KEYS})",
        ),
        (
            {"colour": ["red"]},
            f"sla.rules[2].when.colour: unknown condition key (expected one of: {EXPECTED_KEYS})",
        ),
        (
            {"priority": ["high", 3]},
            "sla.rules[2].when.priority[1]: expected a string, got 3 (int)",
        ),
        (
            {"type": {"incident": True}},
            "sla.rules[2].when.type: expected a string or a list of strings, "
            "got {'incident': True} (dict)",
        ),
        (
            {"registered_in_hours": ""},
            "sla.rules[2].when.registered_in_hours: expected a calendar name, got ''",
        ),
        (
            {"registered_between": {"days": ["mon"], "form": "08:00", "to": "18:00", "tz": "UTC"}},
            "sla.rules[2].when.registered_between.form: unknown key, did you mean 'from'? "
            "(expected: days, from, to, tz)",
        ),
        (
            {"registered_between": {"from": "08:00", "to": "18:00"}},
            "sla.rules[2].when.registered_between: missing 'tz'",
        ),
        (
            {"registered_between": {"days": ["mon", "thur"], "from": "8:00", "to": "18:00", "tz": "UTC"}},
            "sla.rules[2].when.registered_between.days[1]: 'thur' is not a weekday, "
            "did you mean 'thu'? (expected some of: mon, tue, wed, thu, fri, sat, sun)",
        ),
        (
            {"registered_between": {"from": "8:00", "to": "18:00", "tz": "UTC"}},
            'sla.rules[2].when.registered_between.from: expected a time of day "HH:MM" '
            "(00:00 to 23:59), got '8:00'",
        ),
        (
            {"registered_between": {"from": "08:00", "to": "18:00", "tz": "Europe/Praha"}},
            "sla.rules[2].when.registered_between.tz: 'Europe/Praha' is not an IANA time zone",
        ),
        (
            {"registered_between": {"from": "08:00", "to": "18:00", "tz": "Europe/" + "x" * 300}},
            "sla.rules[2].when.registered_between.tz: 'Europe/" + "x" * 73 + "…' is not an IANA time zone",
        ),
        (
            {"attributes": ["region"]},
            "sla.rules[2].when.attributes: expected a table NAME = [values], got ['region'] (list)",
        ),
    ],
)
def test_bad_when_tables_raise_config_errors_naming_the_place(
    when: Mapping[str, object], message: str
) -> None:
    with pytest.raises(ConfigError) as raised:
        conditions_from_when(when, path="sla.rules[2].when")
    assert str(raised.value) == message


def test_routing_may_allow_more_fields_in_when() -> None:
    conditions = conditions_from_when(
        {"service_object": ["boiler"]}, path="routing.rules[0].when", fields=("service_object",)
    )
    assert conditions == (FieldIn("service_object", {"boiler"}),)


# --- tables are data -------------------------------------------------------------------


def test_conditions_round_trip_through_a_cattrs_tagged_union_on_their_kind() -> None:
    from helpdesk_core.serialization import converter

    assert len({cls.kind for cls in CONDITION_TYPES}) == len(CONDITION_TYPES)
    conditions = _one_of_each()
    raw = converter.unstructure(conditions, list[Condition])
    assert [item["kind"] for item in raw] == [
        "field_in",
        "field_not_in",
        "attribute_equals",
        "attribute_in",
        "in_working_hours",
        "in_weekly_window",
    ]
    assert (raw[5]["start"], raw[5]["end"]) == ("08:00", "18:00")
    assert converter.structure(raw, list[Condition]) == conditions


def test_tables_compare_and_evolve_as_values() -> None:
    table = RuleTable([rule("A", 1, FieldIn("type", {"incident"})), rule("B", 2)], fallback="x")
    same = RuleTable([rule("A", 1, FieldIn("type", {"incident"})), rule("B", 2)], fallback="x")
    assert table == same
    disabled = attrs.evolve(table, rules=(attrs.evolve(table.rules[0], enabled=False), table.rules[1]))
    assert disabled != table
    assert disabled.first_match(facts()).result == "B"
