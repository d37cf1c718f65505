"""Lint of rule tables: shadowed rules, contradictions, typos, gaps."""

from __future__ import annotations

from datetime import time

from helpdesk_core.rules import (
    AttributeEquals,
    AttributeIn,
    Condition,
    FieldIn,
    FieldNotIn,
    FindingKind,
    InWeeklyWindow,
    InWorkingHours,
    LintFinding,
    Rule,
    RuleTable,
    lint,
)

CATALOGS = {
    "type": ["incident", "question"],
    "priority": ["low", "normal", "high", "critical"],
    "client_category": ["vip", "regular"],
}


def rule(name: str, order: int, *conditions: Condition, enabled: bool = True) -> Rule[str]:
    return Rule(name=name, order=order, result=name, conditions=conditions, enabled=enabled)


def of_kind(findings: tuple[LintFinding, ...], kind: FindingKind) -> list[tuple[str | None, str]]:
    return [(f.rule, f.message) for f in findings if f.kind is kind]


def test_a_rule_below_a_broader_rule_is_shadowed() -> None:
    table = RuleTable(
        [
            rule("Urgent", 1, FieldIn("priority", {"high", "critical"})),
            rule("VIP critical", 2, FieldIn("priority", {"critical"}), FieldIn("client_category", {"vip"})),
            rule("Default", 3),
        ]
    )
    assert of_kind(lint(table, CATALOGS), FindingKind.SHADOWED) == [
        (
            "VIP critical",
            "rule 'VIP critical' can never win: 'Urgent' comes first "
            "and matches every ticket that 'VIP critical' matches",
        )
    ]


def test_the_narrower_rule_first_is_the_fix_and_not_shadowed() -> None:
    table = RuleTable(
        [
            rule("VIP critical", 1, FieldIn("priority", {"critical"}), FieldIn("client_category", {"vip"})),
            rule("Urgent", 2, FieldIn("priority", {"high", "critical"})),
            rule("Default", 3),
        ]
    )
    assert lint(table, CATALOGS) == ()


def test_a_catch_all_shadows_everything_below_it_and_a_disabled_one_nothing() -> None:
    table = RuleTable(
        [
            rule("Off", 1, enabled=False),
            rule("Everything", 2),
            rule("Questions", 3, FieldIn("type", {"question"})),
        ]
    )
    assert [name for name, _ in of_kind(lint(table, CATALOGS), FindingKind.SHADOWED)] == [
        "Questions"
    ]


def test_exclusions_shadow_what_they_cannot_exclude() -> None:
    table = RuleTable(
        [
            rule("Not closed", 1, FieldNotIn("status", {"closed"})),
            rule("Open", 2, FieldIn("status", {"open"})),
            rule("Neither closed nor resolved", 3, FieldNotIn("status", {"closed", "resolved"})),
            rule("Default", 4),
        ]
    )
    assert [name for name, _ in of_kind(lint(table, {}), FindingKind.SHADOWED)] == [
        "Open",
        "Neither closed nor resolved",
    ]


def test_multi_valued_fields_are_not_shadowed_by_exclusions() -> None:
    # Groups ("G-1", "G-2") are in G-1 and not outside G-2: "Not G-2" does not cover "G-1".
    table = RuleTable(
        [
            rule("Not G-2", 1, FieldNotIn("customer_group", {"G-2"})),
            rule("G-1", 2, FieldIn("customer_group", {"G-1"})),
            rule("Default", 3),
        ]
    )
    assert of_kind(lint(table, {}), FindingKind.SHADOWED) == []
    single_valued = lint(table, {}, multi_valued=())
    assert [name for name, _ in of_kind(single_valued, FindingKind.SHADOWED)] == ["G-1"]


def test_time_and_attribute_conditions_shadow_only_when_the_same_condition_repeats() -> None:
    window = InWeeklyWindow(frozenset({"mon"}), time(8), time(18), "UTC")
    table = RuleTable(
        [
            rule("In hours", 1, InWorkingHours("office")),
            rule("In hours, north", 2, InWorkingHours("office"), AttributeEquals("region", "north")),
            rule("Window", 3, window),
            rule("Other window", 4, InWeeklyWindow(frozenset({"mon"}), time(9), time(17), "UTC")),
            rule("North or south", 5, AttributeIn("region", {"north", "south"})),
            rule("North", 6, AttributeEquals("region", "north")),
            rule("Default", 7),
        ]
    )
    assert [name for name, _ in of_kind(lint(table, {}), FindingKind.SHADOWED)] == [
        "In hours, north",
        "North",
    ]


def test_a_table_without_catch_all_nor_fallback_is_flagged() -> None:
    rules = [rule("Incidents", 1, FieldIn("type", {"incident"}))]
    assert of_kind(lint(RuleTable(rules), {}), FindingKind.NO_CATCH_ALL) == [
        (
            None,
            "no enabled rule matches every ticket and the table has no fallback: "
            "a ticket that no rule matches gets no result",
        )
    ]
    assert of_kind(lint(RuleTable(rules, fallback="x"), {}), FindingKind.NO_CATCH_ALL) == []
    disabled_default = RuleTable([*rules, rule("Default", 2, enabled=False)])
    assert len(of_kind(lint(disabled_default, {}), FindingKind.NO_CATCH_ALL)) == 1


def test_unknown_values_are_reported_with_a_suggestion() -> None:
    table = RuleTable(
        [
            rule("Typo", 1, FieldIn("priority", {"hihg", "critical"}), FieldNotIn("type", {"spam"})),
            rule("Office", 2, InWorkingHours("ofice")),
            rule("Default", 3),
        ]
    )
    findings = lint(table, CATALOGS, calendars=["office", "24x7"])
    assert of_kind(findings, FindingKind.UNKNOWN_VALUE) == [
        (
            "Typo",
            "rule 'Typo': 'hihg' is not a known priority, did you mean 'high'? "
            "(known: low, normal, high, critical)",
        ),
        ("Typo", "rule 'Typo': 'spam' is not a known type (known: incident, question)"),
        (
            "Office",
            "rule 'Office': 'ofice' is not a known calendar, did you mean 'office'? "
            "(known: office, 24x7)",
        ),
    ]
    assert of_kind(findings, FindingKind.NEVER_MATCHES) == []


def test_contradictory_rules_never_match() -> None:
    table = RuleTable(
        [
            rule("Empty", 1, FieldIn("type", set())),
            rule("Contradiction", 2, FieldIn("priority", {"high"}), FieldNotIn("priority", {"high"})),
            rule("All typos", 3, FieldIn("priority", {"hihg"})),
            rule("Two groups", 4, FieldIn("customer_group", {"G-1"}), FieldIn("customer_group", {"G-2"})),
            rule("No days", 5, InWeeklyWindow(frozenset(), time(8), time(9), "UTC")),
            rule("Default", 6),
        ]
    )
    assert of_kind(lint(table, CATALOGS), FindingKind.NEVER_MATCHES) == [
        ("Empty", "rule 'Empty' never matches: type is one of []: the list is empty"),
        (
            "Contradiction",
            "rule 'Contradiction' never matches: no priority satisfies "
            "priority is 'high' and priority is not one of ['high']",
        ),
        ("All typos", "rule 'All typos' never matches: no known priority satisfies priority is 'hihg'"),
        (
            "No days",
            "rule 'No days' never matches: registered no day from 08:00 to 09:00 (UTC): "
            "the window has no days",
        ),
    ]


def test_uncovered_combinations_are_counted_and_listed_up_to_a_cap() -> None:
    table = RuleTable(
        [
            rule("Incidents", 1, FieldIn("type", {"incident"})),
            rule("VIP", 2, FieldIn("client_category", {"vip"}), FieldNotIn("priority", {"low"})),
            rule("Critical by mail", 3, FieldIn("priority", {"critical"}), FieldIn("channel", {"email"})),
            rule("Critical in hours", 4, FieldIn("priority", {"critical"}), InWorkingHours("office")),
        ],
        fallback="x",
    )
    findings = of_kind(lint(table, CATALOGS, max_uncovered=2), FindingKind.UNCOVERED)
    # Questions: 4 priorities × 2 categories = 8, of which VIP covers normal/high/critical.
    assert findings == [
        (
            None,
            "5 of 16 combinations of type × priority × client_category match no rule for certain "
            "(the fallback applies to them); the first 2 listed",
        ),
        (None, "type='question', priority='low', client_category='vip' matches no rule for certain"),
        (
            None,
            "type='question', priority='low', client_category='regular' matches no rule for certain",
        ),
    ]


def test_coverage_uses_only_the_catalogued_fields_and_a_catch_all_covers_all() -> None:
    table = RuleTable([rule("Incidents", 1, FieldIn("type", {"incident"}))])
    findings = of_kind(lint(table, {"type": ["incident", "question"]}), FindingKind.UNCOVERED)
    assert findings == [
        (
            None,
            "1 of 2 combinations of type match no rule for certain "
            "(tickets with them get no result); all listed",
        ),
        (None, "type='question' matches no rule for certain"),
    ]
    covered = RuleTable([*table.rules, rule("Default", 2)])
    assert of_kind(lint(covered, CATALOGS), FindingKind.UNCOVERED) == []
