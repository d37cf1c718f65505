"""Catalogs: ticket types, priorities, client categories, custom attributes, and the checks."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.catalog import (
    DEFAULT_CLIENT_CATEGORIES,
    AttributeDefinition,
    AttributeKind,
    Catalogs,
    ClientCategory,
    Priority,
    TicketType,
)
from helpdesk_core.model.parties import Company
from helpdesk_core.model.staff import Role
from helpdesk_core.model.ticket import PriorityChange, Ticket, TypeChange

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=1)))

PRIORITIES = (
    Priority(id="critical", name="Critical", order=3, colour="#D32F2F"),
    Priority(id="low", name="Low", order=0),
    Priority(id="high", name="High", order=2, colour="#f57c00"),
    Priority(id="normal", name="Normal", order=1),
)
TYPES = (
    TicketType(id="incident", name="Incident"),
    TicketType(id="design", name="Design", internal=True),
)
ATTRIBUTES = (
    AttributeDefinition(id="floor", name="Floor", kind="number", required_on_create=True),
    AttributeDefinition(id="visit", name="Visit day", kind=AttributeKind.DATE),
    AttributeDefinition(id="zone", name="Zone", kind="choice", choices=["north", "south"]),
    AttributeDefinition(id="note", name="Note", kind="text"),
)
FULL = Catalogs(
    ticket_types=TYPES,
    priorities=PRIORITIES,
    client_categories=DEFAULT_CLIENT_CATEGORIES,
    attributes=ATTRIBUTES,
)


def ticket(**fields: Any) -> Ticket:
    base: dict[str, Any] = {"id": "T-1", "subject": "Boiler", "created_at": T0}
    base.update(fields)
    return Ticket.register(**base)


# --- entries ----------------------------------------------------------------------


def test_colour_is_stored_lower_case() -> None:
    assert PRIORITIES[0].colour == "#d32f2f"


@pytest.mark.parametrize("colour", ["red", "#fff", "#12345g", "d32f2f", "#d32f2f0"])
def test_bad_colour_is_refused(colour: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Priority(id="p", name="P", order=0, colour=colour)
    assert str(caught.value) == (
        f"Priority.colour: expected a colour '#rrggbb' (six hex digits), got {colour.lower()!r}"
    )


def test_default_client_categories() -> None:
    assert [(c.id, c.name) for c in DEFAULT_CLIENT_CATEGORIES] == [
        ("client", "Client"),
        ("partner", "Partner"),
        ("vip", "VIP client"),
    ]


def test_choice_attribute_needs_choices() -> None:
    with pytest.raises(ValidationError) as caught:
        AttributeDefinition(id="zone", name="Zone", kind="choice")
    assert str(caught.value) == (
        "AttributeDefinition.choices: attribute zone is a choice and needs at least one value, "
        "got none"
    )


def test_choices_on_another_kind_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        AttributeDefinition(id="floor", name="Floor", kind="number", choices=["1", "2"])
    assert str(caught.value) == (
        "AttributeDefinition.choices: attribute floor is of kind 'number'; only a 'choice' "
        "attribute takes values, got ['1', '2']"
    )


def test_duplicate_choice_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        AttributeDefinition(id="zone", name="Zone", kind="choice", choices=["a", "b", "a"])
    assert str(caught.value) == "AttributeDefinition.choices: 'a' is listed twice"


def test_unknown_attribute_kind_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        AttributeDefinition(id="x", name="X", kind="boolean")
    assert str(caught.value) == (
        "AttributeDefinition.kind: expected one of text, number, date, choice, got 'boolean'"
    )


def test_attribute_visibility() -> None:
    everyone = ATTRIBUTES[0]
    assert everyone.visible_to_roles == frozenset(Role)
    assert not everyone.visible_to_contacts
    admins = attrs.evolve(everyone, visible_to_roles=["administrator"], visible_to_contacts=True)
    assert admins.visible_to_roles == {Role.ADMINISTRATOR}
    with pytest.raises(ValidationError, match=r"^AttributeDefinition.visible_to_roles: expected"):
        attrs.evolve(everyone, visible_to_roles=["janitor"])


@pytest.mark.parametrize(
    ("attribute", "value", "problem"),
    [
        ("floor", 3, None),
        ("floor", 2.5, None),
        ("floor", "3", "attribute 'floor' expects a number, got '3'"),
        ("floor", True, "attribute 'floor' expects a number, got True"),
        ("floor", float("nan"), "attribute 'floor' expects a number, got nan"),
        ("visit", "2026-03-02", None),
        ("visit", date(2026, 3, 2), None),
        ("visit", "2026-02-30", "attribute 'visit' expects a date YYYY-MM-DD, got '2026-02-30'"),
        ("visit", "20260302", "attribute 'visit' expects a date YYYY-MM-DD, got '20260302'"),
        ("visit", T0, f"attribute 'visit' expects a date YYYY-MM-DD, got {T0!r}"),
        ("zone", "north", None),
        ("zone", "east", "attribute 'zone' expects one of north, south, got 'east'"),
        ("note", "", None),
        ("note", 5, "attribute 'note' expects a text, got 5"),
        ("note", None, None),
    ],
)
def test_attribute_value_kinds(attribute: str, value: object, problem: str | None) -> None:
    definition = next(d for d in ATTRIBUTES if d.id == attribute)
    assert definition.value_problem(value) == problem


# --- Catalogs ---------------------------------------------------------------------


def test_priorities_in_order_and_known_values() -> None:
    assert [p.id for p in FULL.priorities_in_order()] == ["low", "normal", "high", "critical"]
    assert FULL.known_values() == {
        "type": ("incident", "design"),
        "priority": ("low", "normal", "high", "critical"),
        "client_category": ("client", "partner", "vip"),
        "attributes.zone": ("north", "south"),
    }


def test_known_values_only_for_present_sections() -> None:
    assert Catalogs().known_values() == {}
    assert Catalogs(priorities=()).known_values() == {"priority": ()}
    assert Catalogs().priorities_in_order() == ()


def test_duplicate_ids_and_shared_orders_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Catalogs(ticket_types=[TYPES[0], TYPES[0]])
    assert str(caught.value) == "Catalogs.ticket_types: id 'incident' is defined twice"
    with pytest.raises(ValidationError) as caught:
        Catalogs(priorities=[*PRIORITIES, Priority(id="urgent", name="Urgent", order=3)])
    assert str(caught.value) == (
        "Catalogs.priorities: 'critical' and 'urgent' share order 3; each priority needs its "
        "own place"
    )


def test_section_of_the_wrong_entries_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Catalogs(priorities=["low"])
    assert str(caught.value) == "Catalogs.priorities[0]: expected a Priority, got 'low'"


def test_internal_types() -> None:
    assert FULL.is_internal("design")
    assert not FULL.is_internal("incident")
    assert not FULL.is_internal("unknown")
    assert not Catalogs().is_internal("design")
    assert FULL.ticket_type("design") == TYPES[1]


def test_unknown_priority_is_refused_naming_the_ticket() -> None:
    with pytest.raises(ValidationError) as caught:
        FULL.check_ticket(ticket(priority="urgnet", type="incident"))
    assert str(caught.value) == (
        "ticket T-1: unknown priority 'urgnet' (known: low, normal, high, critical)"
    )


def test_unknown_type_anywhere_in_the_history_is_refused() -> None:
    later = ticket(type="incident").with_event(TypeChange(at=T0, to="incidnet"))
    with pytest.raises(ValidationError) as caught:
        FULL.check_ticket(later)
    assert str(caught.value) == "ticket T-1: unknown type 'incidnet' (known: incident, design)"


def test_every_problem_is_reported_at_once() -> None:
    bad = ticket(
        priority="urgnet", attributes={"zone": "east", "flor": 2, "visit": "tomorrow"}
    ).with_event(PriorityChange(at=T0, to="hihg"))
    with pytest.raises(ValidationError) as caught:
        FULL.check_new_ticket(bad)
    assert str(caught.value) == (
        "ticket T-1: unknown priority 'urgnet' (known: low, normal, high, critical); "
        "unknown priority 'hihg' (known: low, normal, high, critical); "
        "attribute 'zone' expects one of north, south, got 'east'; "
        "unknown attribute 'flor' (known: floor, visit, zone, note); "
        "attribute 'visit' expects a date YYYY-MM-DD, got 'tomorrow'; "
        "required attribute 'floor' (Floor) is missing"
    )


def test_required_attributes_are_checked_on_create_only() -> None:
    without_floor = ticket(attributes={"zone": "north"})
    FULL.check_ticket(without_floor)
    with pytest.raises(ValidationError) as caught:
        FULL.check_new_ticket(attrs.evolve(without_floor, attributes={"floor": None}))
    assert str(caught.value) == "ticket T-1: required attribute 'floor' (Floor) is missing"
    FULL.check_new_ticket(attrs.evolve(without_floor, attributes={"floor": 0}))


def test_no_section_accepts_any_id() -> None:
    anything = ticket(priority="whatever", type="any", attributes={"x": object()})
    Catalogs().check_new_ticket(anything)
    assert Catalogs().ticket_problems(anything) == ()


def test_empty_section_refuses_every_id() -> None:
    with pytest.raises(ValidationError) as caught:
        Catalogs(ticket_types=()).check_ticket(ticket(type="incident"))
    assert str(caught.value) == "ticket T-1: unknown type 'incident' (known: none)"
    Catalogs(ticket_types=()).check_ticket(ticket())


def test_company_category_check() -> None:
    FULL.check_company(Company(id="C-1", name="Slavia", category="vip"))
    with pytest.raises(ValidationError) as caught:
        FULL.check_company(Company(id="C-1", name="Slavia", category="gold"))
    assert str(caught.value) == (
        "company C-1: unknown client category 'gold' (known: client, partner, vip)"
    )
    Catalogs().check_company(Company(id="C-1", name="Slavia", category="gold"))


def test_categories_compare_by_value() -> None:
    assert ClientCategory(id="vip", name="VIP client") in DEFAULT_CLIENT_CATEGORIES


# --- random catalogs ----------------------------------------------------------------

ids = st.from_regex(r"\A[a-z][a-z0-9_]{0,9}\Z")
names = st.text(min_size=1, max_size=12).filter(str.strip)
colours = st.from_regex(r"\A#[0-9a-fA-F]{6}\Z")


@st.composite
def priority_sections(draw: st.DrawFn) -> tuple[Priority, ...]:
    chosen = draw(st.lists(ids, unique=True, max_size=6))
    orders = draw(st.permutations(range(len(chosen))))
    return tuple(
        Priority(id=i, name=draw(names), order=o, colour=draw(colours))
        for i, o in zip(chosen, orders, strict=True)
    )


@settings(max_examples=60, deadline=None)
@given(priority_sections(), ids)
def test_random_priority_catalog_accepts_exactly_its_ids(
    priorities: tuple[Priority, ...], used: str
) -> None:
    catalogs = Catalogs(priorities=priorities)
    ordered = catalogs.priorities_in_order()
    assert [p.order for p in ordered] == sorted(p.order for p in priorities)
    problems = catalogs.ticket_problems(ticket(priority=used))
    assert (problems == ()) == (used in {p.id for p in priorities})


@settings(max_examples=60, deadline=None)
@given(priority_sections().filter(bool), st.sampled_from(["id", "name", "order", "colour"]))
def test_random_priorities_refuse_an_invalid_change(
    priorities: tuple[Priority, ...], field: str
) -> None:
    bad: dict[str, Any] = {"id": "", "name": "", "order": -1, "colour": "#12"}
    priority = priorities[0]
    assert attrs.evolve(priority) == priority
    with pytest.raises(ValidationError, match=rf"^Priority\.{field}: "):
        attrs.evolve(priority, **{field: bad[field]})
