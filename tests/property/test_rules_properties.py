"""Properties of first-match tables and of their lint, on random tables and facts."""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.rules import (
    WEEKDAYS,
    AttributeEquals,
    AttributeIn,
    Condition,
    FieldIn,
    FieldNotIn,
    FindingKind,
    InWeeklyWindow,
    InWorkingHours,
    Rule,
    RuleTable,
    lint,
)

CATALOGS: dict[str, list[str]] = {
    "type": ["incident", "question", "request"],
    "priority": ["low", "high", "critical"],
    "client_category": ["vip", "regular"],
    "status": ["open", "closed"],
    "customer_group": ["G-1", "G-2", "G-3"],
}
MULTI_VALUED = frozenset({"customer_group"})
REGIONS = ["north", "south", "east"]
WINDOWS = [
    InWeeklyWindow(frozenset({"mon", "tue", "wed"}), time(8), time(18), "Europe/Prague"),
    InWeeklyWindow(frozenset({"fri", "sat"}), time(22), time(6), "America/New_York"),
    InWeeklyWindow(frozenset({"sun"}), time(12), time(12), "UTC"),
]
START = datetime(2026, 3, 1, tzinfo=UTC)
TICKETS_PER_TABLE = 100


class HalfHours:
    """A fake calendar working the first half of every hour."""

    def is_working(self, t: datetime, /) -> bool:
        return t.minute < 30


CALENDARS = {"office": HalfHours()}


class Fault(Exception):
    """The oracle could not decide a condition."""


def _values(field: str) -> st.SearchStrategy[frozenset[str]]:
    return st.frozensets(st.sampled_from([*CATALOGS[field], "unknown"]), max_size=3)


def conditions(*, calendars: list[str], fields: list[str]) -> st.SearchStrategy[Condition]:
    """Field conditions on ``fields``; with every field, also attributes and times."""
    some_field = st.sampled_from(fields)
    field_conditions = st.one_of(
        some_field.flatmap(lambda f: _values(f).map(lambda v: FieldIn(f, v))),
        some_field.flatmap(lambda f: _values(f).map(lambda v: FieldNotIn(f, v))),
    )
    others = st.one_of(
        st.sampled_from(REGIONS).map(lambda r: AttributeEquals("region", r)),
        st.frozensets(st.sampled_from(REGIONS), max_size=2).map(lambda v: AttributeIn("region", v)),
        st.builds(InWorkingHours, st.sampled_from(calendars), st.booleans()),
        st.sampled_from(WINDOWS),
    )
    # With few fields, only field conditions: rules then overlap often.
    return field_conditions if len(fields) < 3 else field_conditions | others


def _variant(condition: Condition) -> st.SearchStrategy[Condition]:
    """A condition on the same field with other values, maybe of the other field
    kind (or the condition itself)."""
    match condition:
        case FieldIn(field=field) | FieldNotIn(field=field):
            return (
                st.just(condition)
                | _values(field).map(lambda v: FieldIn(field, v))
                | _values(field).map(lambda v: FieldNotIn(field, v))
            )
        case AttributeIn() | AttributeEquals():
            regions = st.frozensets(st.sampled_from(REGIONS), max_size=2)
            return st.just(condition) | regions.map(lambda v: AttributeIn("region", v))
        case _:
            return st.just(condition)


@st.composite
def tables(
    draw: st.DrawFn, *, calendars: list[str], fallback: bool, fields: list[str] | None = None
) -> RuleTable[int]:
    """Random rules, half of them variants of an earlier rule (kept, changed, dropped
    or added conditions), so that rules often nearly shadow each other."""
    any_condition = conditions(calendars=calendars, fields=fields or sorted(CATALOGS))
    count = draw(st.integers(1, 7))
    written: list[tuple[Condition, ...]] = []
    for _ in range(count):
        derived: bool = draw(st.booleans())
        if written and derived:
            base = draw(st.sampled_from(written))
            kept = [draw(_variant(c)) for c in base if draw(st.integers(0, 3)) > 0]
            added = draw(st.lists(any_condition, min_size=0 if kept else 1, max_size=1))
            written.append((*kept, *added))
        elif draw(st.integers(0, 9)) == 0:
            written.append(())
        else:
            written.append(tuple(draw(st.lists(any_condition, min_size=1, max_size=3))))
    rules = [
        Rule(
            name=f"rule {index}",
            order=draw(st.integers(0, 4)),
            result=index,
            enabled=draw(st.sampled_from([True, True, True, False])),
            conditions=rule_conditions,
        )
        for index, rule_conditions in enumerate(written)
    ]
    return RuleTable(rules, fallback=draw(st.just(-1) if fallback else st.none() | st.just(-1)))


def ticket_facts(rnd: random.Random, *, strange: bool) -> dict[str, object]:
    """Facts from the catalogs (fields may be missing); ``strange`` adds unknown
    values and missing registration times.

    Drawn from a ``Random`` seeded by hypothesis, so that each table meets a
    hundred tickets cheaply; a failure reports the facts in its message.
    """
    facts: dict[str, object] = {}
    for field, values in CATALOGS.items():
        choices = [*values, "unknown"] if strange else values
        if field in MULTI_VALUED:
            facts[field] = tuple(rnd.sample(choices, rnd.randint(0, 3)))
        elif rnd.random() < 0.85:
            facts[field] = rnd.choice(choices)
    region = rnd.choice([None, *REGIONS])
    facts["attributes"] = {} if region is None else {"region": region}
    # Whole hours and minutes next to them, where windows open and close.
    at = START + timedelta(hours=rnd.randint(0, 24 * 21), minutes=rnd.choice([0, 1, 29, 30, 59]))
    if not strange or rnd.random() < 0.9:
        facts["registered_at"] = at
    return facts


def _present(value: object) -> set[object]:
    if value is None:
        return set()
    return set(value) if isinstance(value, tuple) else {value}


def _in_window(window: InWeeklyWindow, at: datetime) -> bool:
    """Minutes since the window opened on the (local) day it opened."""
    local = at.astimezone(ZoneInfo(window.tz))
    now = local.hour * 60 + local.minute
    opens = window.start.hour * 60 + window.start.minute
    closes = window.end.hour * 60 + window.end.minute
    length = (closes - opens) % 1440 or 1440
    opened_on = local.weekday() if now >= opens else (local.weekday() - 1) % 7
    return WEEKDAYS[opened_on] in window.days and (now - opens) % 1440 < length


def oracle_holds(condition: Condition, facts: dict[str, object]) -> bool:
    """The meaning of each condition, written independently of the library."""
    attributes = facts.get("attributes")
    assert isinstance(attributes, dict)
    match condition:
        case FieldIn(field=field, values=values):
            return bool(_present(facts.get(field)) & values)
        case FieldNotIn(field=field, values=values):
            return not _present(facts.get(field)) & values
        case AttributeEquals(name=name, value=value):
            return attributes.get(name) == value
        case AttributeIn(name=name, values=values):
            return attributes.get(name) in values
        case InWorkingHours(calendar=calendar, inside=inside):
            at = facts.get("registered_at")
            if not isinstance(at, datetime) or calendar not in CALENDARS:
                raise Fault
            return (at.minute < 30) == inside
        case InWeeklyWindow():
            at = facts.get("registered_at")
            if not isinstance(at, datetime):
                raise Fault
            return _in_window(condition, at)


def brute_force(table: RuleTable[int], facts: dict[str, object]) -> tuple[str | None, int | None, str | None]:
    """(winner, result, faulty rule): the first enabled rule by (order, position)."""
    ranked = sorted(enumerate(table.rules), key=lambda pair: (pair[1].order, pair[0]))
    for _, rule in ranked:
        if not rule.enabled:
            continue
        try:
            if all(oracle_holds(condition, facts) for condition in rule.conditions):
                return rule.name, rule.result, None
        except Fault:
            return None, table.fallback, rule.name
    return None, table.fallback, None


@settings(max_examples=150, deadline=None)
@given(table=tables(calendars=["office", "elsewhere"], fallback=False), seed=st.integers(0, 2**32))
def test_first_match_is_the_first_enabled_rule_in_order_whose_conditions_all_hold(
    table: RuleTable[int], seed: int
) -> None:
    rnd = random.Random(seed)
    for _ in range(TICKETS_PER_TABLE):
        facts = ticket_facts(rnd, strange=True)
        match = table.first_match(facts, calendars=CALENDARS)
        faulty = match.faults[0].rule if match.faults else None
        winner = match.rule.name if match.rule else None
        assert (winner, match.result, faulty) == brute_force(table, facts), facts
        assert table.explain(facts, calendars=CALENDARS).match == match


@settings(max_examples=200, deadline=None)
@given(
    table=st.sampled_from([["priority", "customer_group"], sorted(CATALOGS)]).flatmap(
        lambda fields: tables(calendars=["office"], fallback=True, fields=fields)
    ),
    seed=st.integers(0, 2**32),
)
def test_a_rule_lint_calls_shadowed_or_never_matching_never_wins(
    table: RuleTable[int], seed: int
) -> None:
    rnd = random.Random(seed)
    findings = lint(table, CATALOGS, multi_valued=MULTI_VALUED)
    losers = {
        f.rule for f in findings if f.kind in (FindingKind.SHADOWED, FindingKind.NEVER_MATCHES)
    }
    for _ in range(TICKETS_PER_TABLE):
        facts = ticket_facts(rnd, strange=False)
        match = table.first_match(facts, calendars=CALENDARS)
        assert match.rule is None or match.rule.name not in losers, facts


@settings(max_examples=120, deadline=None)
@given(table=tables(calendars=["office"], fallback=False), seed=st.integers(0, 2**32))
def test_a_ticket_in_a_combination_not_reported_uncovered_always_gets_a_rule(
    table: RuleTable[int], seed: int
) -> None:
    rnd = random.Random(seed)
    fields = ("type", "priority", "client_category")
    catalogs = {field: CATALOGS[field] for field in fields}
    uncovered = {
        f.message for f in lint(table, catalogs, max_uncovered=1000) if f.kind is FindingKind.UNCOVERED
    }
    for _ in range(TICKETS_PER_TABLE):
        facts = ticket_facts(rnd, strange=False)
        if not all(field in facts for field in fields):
            continue
        combination = ", ".join(f"{field}={facts[field]!r}" for field in fields)
        if f"{combination} matches no rule for certain" not in uncovered:
            assert table.first_match(facts, calendars=CALENDARS).rule is not None, facts
