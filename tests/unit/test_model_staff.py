"""Employees, roles and groups; deactivation is refused while tickets are unclosed."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.staff import Employee, EmployeeGroup, Role, membership_conflicts

JANA = Employee(id="E-3", first_name="Jana", last_name="Nováková", email="jana@desk.cz")


def test_employee_defaults() -> None:
    assert JANA.role is Role.SPECIALIST
    assert JANA.active
    assert JANA.can_be_responsible
    assert JANA.display_name == "Jana Nováková"


def test_role_is_read_from_its_value_text() -> None:
    assert attrs.evolve(JANA, role="lead_specialist").role is Role.LEAD_SPECIALIST


def test_unknown_role_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        attrs.evolve(JANA, role="boss")
    assert str(caught.value) == (
        "Employee.role: expected one of administrator, lead_specialist, specialist, got 'boss'"
    )


def test_employee_needs_an_email() -> None:
    with pytest.raises(ValidationError) as caught:
        Employee(id="E-4", first_name="Petr", email=None)  # type: ignore[arg-type]
    assert str(caught.value) == "Employee.email: is required, got None"
    with pytest.raises(ValidationError) as caught:
        Employee(id="E-4", first_name="Petr", email="petr@desk")
    assert str(caught.value) == (
        "Employee.email: 'petr@desk' is not an e-mail address (the domain has no dot)"
    )


def test_employee_needs_a_name() -> None:
    with pytest.raises(ValidationError) as caught:
        Employee(id="E-4", email="petr@desk.cz")
    assert str(caught.value) == (
        "Employee.first_name/last_name: employee E-4 needs a first or a last name, got '' and ''"
    )


def test_active_must_be_a_bool() -> None:
    with pytest.raises(ValidationError) as caught:
        attrs.evolve(JANA, active="yes")  # type: ignore[arg-type]
    assert str(caught.value) == "Employee.active: expected true or false, got 'yes'"


# --- deactivation ----------------------------------------------------------------


def test_deactivation_without_unclosed_tickets() -> None:
    gone = JANA.deactivated(unclosed_tickets=[])
    assert not gone.active
    assert not gone.can_be_responsible
    assert gone.activated() == JANA


def test_deactivation_is_refused_naming_the_tickets() -> None:
    with pytest.raises(ValidationError) as caught:
        JANA.deactivated(unclosed_tickets={"T-2", "T-1"})
    assert str(caught.value) == (
        "employee E-3 (Jana Nováková) cannot be deactivated while responsible for "
        "2 unclosed ticket(s): T-1, T-2; reassign or close them first"
    )


def test_deactivation_refusal_names_ten_tickets_and_counts_the_rest() -> None:
    tickets = [f"T-{n:02d}" for n in range(1, 13)]
    with pytest.raises(ValidationError) as caught:
        JANA.deactivated(unclosed_tickets=tickets)
    assert str(caught.value) == (
        "employee E-3 (Jana Nováková) cannot be deactivated while responsible for "
        "12 unclosed ticket(s): T-01, T-02, T-03, T-04, T-05, T-06, T-07, T-08, T-09, T-10 "
        "and 2 more; reassign or close them first"
    )


# --- groups ----------------------------------------------------------------------


def test_group_notification_list_must_be_members() -> None:
    group = EmployeeGroup(
        id="G-1", name="First line", members={"E-1", "E-2"}, notification_list={"E-1"}
    )
    assert group.notification_list == {"E-1"}
    with pytest.raises(ValidationError) as caught:
        attrs.evolve(group, notification_list={"E-1", "E-9", "E-8"})
    assert str(caught.value) == (
        "EmployeeGroup.notification_list: group G-1: E-8, E-9 not among the members"
    )


def test_group_manager_need_not_be_a_member() -> None:
    group = EmployeeGroup(id="G-1", name="First line", members={"E-1"}, manager="E-9")
    assert group.manager == "E-9"


def test_membership_conflicts() -> None:
    in_both = attrs.evolve(JANA, groups={"G-1"})
    claims = Employee(id="E-4", first_name="Petr", email="petr@desk.cz", groups={"G-1", "G-7"})
    unclaimed = Employee(id="E-5", first_name="Eva", email="eva@desk.cz")
    group = EmployeeGroup(id="G-1", name="First line", members={"E-3", "E-5", "E-6"})
    assert membership_conflicts([in_both, claims, unclaimed], [group]) == (
        "employee E-4 lists group G-1, which does not list them as a member",
        "employee E-4 lists unknown group G-7",
        "group G-1 lists member E-5, who does not list the group",
        "group G-1 lists unknown employee E-6",
    )
    assert membership_conflicts([in_both], [attrs.evolve(group, members={"E-3"})]) == ()


# --- random employees --------------------------------------------------------------

ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,11}\Z")
labels = st.from_regex(r"\A[a-z0-9]{1,8}\Z")
emails = st.builds(lambda a, b, c: f"{a}@{b}.{c}", labels, labels, labels)
employees = st.builds(
    Employee,
    id=ids,
    first_name=st.text(min_size=1, max_size=12).filter(str.strip),
    email=emails,
    role=st.sampled_from(Role),
    active=st.booleans(),
    groups=st.frozensets(ids, max_size=3),
)


@settings(max_examples=60, deadline=None)
@given(employees, st.sampled_from(["id", "email", "role", "active", "groups"]))
def test_random_employees_refuse_an_invalid_change(employee: Employee, field: str) -> None:
    bad: dict[str, Any] = {
        "id": "",
        "email": "no-at-sign",
        "role": "root",
        "active": 1,
        "groups": "G-1",
    }
    assert attrs.evolve(employee) == employee
    with pytest.raises(ValidationError, match=rf"^Employee\.{field}: "):
        attrs.evolve(employee, **{field: bad[field]})


@settings(max_examples=40, deadline=None)
@given(employees, st.frozensets(ids, min_size=1, max_size=20))
def test_random_deactivation_is_refused_whenever_tickets_are_unclosed(
    employee: Employee, tickets: frozenset[str]
) -> None:
    with pytest.raises(ValidationError, match=rf"responsible for {len(tickets)} unclosed"):
        employee.deactivated(unclosed_tickets=tickets)
    assert employee.deactivated(unclosed_tickets=()).active is False


def test_an_employee_may_name_a_calendar_and_a_capacity_and_old_documents_still_load() -> None:
    from helpdesk_core.serialization import converter

    old = {"id": "E-1", "first_name": "Lenka", "email": "lenka@servis.cz", "role": "specialist"}
    loaded = converter.structure(old, Employee)
    assert (loaded.calendar, loaded.capacity) == (None, None)
    busy = attrs.evolve(loaded, calendar="prague-office", capacity=3)
    assert converter.structure(converter.unstructure(busy), Employee) == busy
    with pytest.raises(ValidationError, match=r"Employee.capacity: expected a whole number >= 0, got -1"):
        attrs.evolve(loaded, capacity=-1)
