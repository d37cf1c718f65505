"""Routing in the desk: a ticket registered without an assignee gets the owner
and the observers routing decides, the decision is recorded in its history,
and a round-robin group's members take turns through the store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from desk_world import CONFIG_TEXT, START, everything, later, make_desk, seed

from helpdesk_core.config import Configuration, parse_configuration
from helpdesk_core.desk import Desk
from helpdesk_core.desk.routing_sources import cursor_setting
from helpdesk_core.errors import ConflictError, ValidationError
from helpdesk_core.model.parties import Company, Contact
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.model.ticket import SYSTEM, Assignee, Assignment, StatusChange
from helpdesk_core.routing import Link, Strategy, recorded_decision
from helpdesk_core.storage import open_store
from helpdesk_core.storage.protocols import Store

ROUTING = """
[routing]
default_assignee = "E-2"
observer_employees = ["E-1"]

[[routing.rules]]
name = "Incidents round robin"
when = { type = ["incident"], priority = ["high"] }
assignee = { group = "G-rr" }
strategy = "round_robin"
observer_groups = ["G-1"]

[[routing.rules]]
name = "Questions to the least loaded"
when = { type = ["question"] }
assignee = { group = "G-rr" }
strategy = "least_loaded"

[[routing.rules]]
name = "Phone to the field team"
when = { channel = ["phone"] }
assignee = { group = "G-1" }
"""


def config_with(routing: str = ROUTING) -> Configuration:
    return parse_configuration(CONFIG_TEXT + routing, source="desk-routing.toml")


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    store = open_store("memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'desk.db'}")
    seed(store)
    with store.unit_of_work() as uow:
        for n in (3, 4, 5):
            uow.employees.add(Employee(id=f"E-{n}", first_name="Agent", last_name=str(n), email=f"e{n}@desk.example"))
        uow.employee_groups.add(EmployeeGroup(id="G-rr", name="Round", members=["E-3", "E-4", "E-5"]))
        uow.commit()
    yield store
    store.close()


@pytest.fixture
def desk(store: Store) -> Desk:
    return make_desk(store, config=config_with())


def register(desk: Desk, minutes: float = 0, **fields: Any) -> Any:
    values: dict[str, Any] = {"subject": "Boiler stopped", "by": "E-1", "at": later(minutes)}
    values.update(fields)
    return desk.register_ticket(**values)


def test_a_rule_routes_the_ticket_and_its_history_records_the_decision(desk: Desk) -> None:
    outcome = register(desk, type="incident", priority="high", company="C-1", contact="P-1")
    ticket = desk.get(outcome.ticket.id).value
    assert ticket.assignee == Assignee(id="E-3")
    assert ticket.initial_assignee == Assignee(id="E-3"), "the ticket-history object's top-level assignee"
    [event] = ticket.events
    assert isinstance(event, Assignment) and event.by == SYSTEM and event.at == START
    decision = recorded_decision(ticket)
    assert decision is not None and decision == outcome.routing
    assert decision.rule == "Incidents round robin" and decision.decided_by is Link.RULE
    assert decision.strategy is not None and decision.strategy.strategy is Strategy.ROUND_ROBIN
    assert decision.fingerprint == desk.config.routing.fingerprint
    assert ticket.observer_employees == {"E-1"} and ticket.observer_groups == {"G-1"}
    [registered] = outcome.events
    assert registered.data["assignee"] == {"id": "E-3", "group": False}
    assert registered.data["routing"] == {"decided_by": "rule", "rule": "Incidents round robin"}


def test_the_owner_chain_answers_when_no_rule_matches(desk: Desk, store: Store) -> None:
    with store.unit_of_work() as uow:
        company = uow.companies.get("C-1")
        uow.companies.save(
            Company(id="C-1", name="Company C-1", responsible=Assignee(id="E-4")), expected_version=company.version
        )
        uow.commit()
    outcome = register(desk, company="C-1", contact="P-1")
    assert outcome.ticket.assignee == Assignee(id="E-4")
    assert outcome.routing is not None and outcome.routing.decided_by is Link.COMPANY
    no_company = register(desk, 1)
    assert no_company.ticket.assignee == Assignee(id="E-2"), "the account's default assignee"
    assert no_company.routing is not None and no_company.routing.decided_by is Link.DEFAULT_ASSIGNEE


def test_round_robin_takes_turns_through_the_stored_cursor(desk: Desk, store: Store) -> None:
    owners = [
        register(desk, n, type="incident", priority="high").ticket.assignee.id
        for n in range(7)
    ]
    assert owners == ["E-3", "E-4", "E-5", "E-3", "E-4", "E-5", "E-3"]
    assert store.settings.get(cursor_setting("G-rr")) == "E-3"
    again = make_desk(store, config=config_with(), at=later(30))
    assert again.register_ticket(subject="x", by="E-1", type="incident", priority="high").ticket.assignee == (
        Assignee(id="E-4")
    ), "a new desk (another process) continues where the store's cursor stands"


def test_least_loaded_counts_the_stored_tickets_in_load_statuses(desk: Desk) -> None:
    for n, owner in enumerate(["E-3", "E-3", "E-4"]):
        register(desk, n, assignee=Assignee(id=owner))
    closed = register(desk, 3, assignee=Assignee(id="E-5"))
    desk.transition(closed.ticket.id, "resolved", by="E-1", at=later(4))
    outcome = register(desk, 5, type="question")
    assert outcome.ticket.assignee == Assignee(id="E-5"), "a resolved ticket does not count toward load"
    loads = {m.employee: m.load for m in outcome.routing.strategy.members}
    assert loads == {"E-3": 2, "E-4": 1, "E-5": 0}


def test_a_given_assignee_is_kept_and_the_default_observers_are_added(desk: Desk, store: Store) -> None:
    with store.unit_of_work() as uow:
        contact = uow.contacts.get("P-1")
        uow.contacts.save(
            Contact(id="P-1", first_name="Jana", company="C-1", observer_employees=["E-4"]),
            expected_version=contact.version,
        )
        uow.commit()
    outcome = register(desk, type="incident", priority="high", contact="P-1", assignee=Assignee(id="E-2"))
    assert outcome.ticket.assignee == Assignee(id="E-2") and outcome.ticket.events == ()
    assert outcome.routing is None and recorded_decision(outcome.ticket) is None
    assert outcome.ticket.observer_employees == {"E-1", "E-4"}
    assert store.settings.get(cursor_setting("G-rr")) is None, "the table was not asked"


def test_a_group_that_keeps_the_ticket_owns_it(desk: Desk) -> None:
    outcome = register(desk, channel="phone")
    assert outcome.ticket.assignee == Assignee(id="G-1", group=True)
    assert outcome.routing is not None and outcome.routing.strategy is not None
    assert outcome.routing.strategy.chosen is None


def test_without_routing_and_responsibles_nothing_is_recorded(store: Store) -> None:
    desk = make_desk(store, config=config_with(""))
    outcome = register(desk, company="C-1", contact="P-1")
    assert outcome.ticket.assignee is None and outcome.ticket.events == ()
    assert outcome.routing is not None and outcome.routing.decided_by is Link.NOBODY


def test_a_deactivated_owner_is_passed_over_and_the_record_says_so(store: Store) -> None:
    desk = make_desk(store, config=config_with('[routing]\ndefault_assignee = "E-9"\n'))
    outcome = register(desk)
    assert outcome.ticket.assignee is None
    decision = recorded_decision(desk.get(outcome.ticket.id).value)
    assert decision is not None and "E-9" in " ".join(decision.lines())
    assert "deactivated" in " ".join(decision.lines())


def test_unknown_or_deactivated_observers_are_left_out_with_a_warning(store: Store) -> None:
    desk = make_desk(
        store, config=config_with('[routing]\nobserver_employees = ["E-1", "E-77", "E-9"]\nobserver_groups = ["G-x"]\n')
    )
    outcome = register(desk)
    assert outcome.ticket.observer_employees == {"E-1"} and outcome.ticket.observer_groups == frozenset()
    assert outcome.warnings == (
        "routing: observer employee 'E-77' does not exist; not added",
        "routing: observer employee E-9 is deactivated; not added",
        "routing: observer group 'G-x' does not exist; not added",
    )


def test_a_refused_registration_does_not_move_the_cursor(desk: Desk, store: Store) -> None:
    register(desk, type="incident", priority="high")
    before = everything(store)
    with pytest.raises(ValidationError):
        register(desk, 1, type="incident", priority="high", attributes={"unknown": 1})
    assert everything(store) == before
    assert store.settings.get(cursor_setting("G-rr")) == "E-3"


def test_two_registrations_from_the_same_cursor_cannot_both_commit(store: Store) -> None:
    """The cursor moves by compare-and-set: the loser of a race is refused
    (and retried by ``Desk.retrying``), never handed the same member."""
    desk = make_desk(store, config=config_with())
    with store.unit_of_work() as uow:
        uow.settings.put(cursor_setting("G-rr"), "E-3", expected=None)
        uow.commit()
    with store.unit_of_work() as uow:
        uow.settings.put(cursor_setting("G-rr"), "E-5", expected="E-3")
        with pytest.raises(ConflictError):
            uow.settings.put(cursor_setting("G-rr"), "E-4", expected="E-3")
    assert desk.register_ticket(subject="x", by="E-1", type="incident", priority="high").ticket.assignee == (
        Assignee(id="E-4")
    )


def test_a_routed_ticket_moves_on_like_any_other(desk: Desk) -> None:
    outcome = register(desk, type="incident", priority="high")
    moved = desk.transition(outcome.ticket.id, "in_progress", by="E-3", at=later(10))
    assert moved.ticket.events[-1] == StatusChange(at=later(10), to="in_progress", by="E-3")
    assert moved.ticket.assignee == Assignee(id="E-3")


@pytest.mark.parametrize(
    "fields",
    [
        {"type": "incident", "priority": "high"},
        {"type": "question"},
        {"channel": "phone"},
        {"company": "C-1", "contact": "P-1"},
        {},
    ],
)
def test_a_registration_reads_only_the_people_routing_can_name_and_decides_the_same(
    store: Store, fields: dict[str, Any]
) -> None:
    """A registration reads the employees the table and the chain can name and
    the members of the groups they name, not the whole staff — with the same
    decision as over everybody."""
    from helpdesk_core.desk.routing_sources import routing_facts_in, staff_in
    from helpdesk_core.routing import route

    config = config_with()
    with store.unit_of_work() as uow:
        uow.employees.add(Employee(id="E-50", first_name="Not", last_name="Named", email="e50@desk.example"))
        uow.commit()
    facts = routing_facts_in(store, config, registered_at=START, **fields)
    few, everybody = staff_in(store, config, facts), staff_in(store, config)
    assert "E-50" in everybody.employees and "E-50" not in few.employees
    assert set(few.employees) <= {"E-1", "E-2", "E-3", "E-4", "E-5"}
    policy = config.routing
    assert route(facts, START, table=policy.table, settings=policy.settings, staff=few) == route(
        facts, START, table=policy.table, settings=policy.settings, staff=everybody
    )
