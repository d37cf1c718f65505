"""Observers changed after registration: the ``observers`` history event, its
fold, and everything that reads histories accepting it."""

from __future__ import annotations

import pytest
from desk_world import CONFIG, START, later

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.references import parties_named
from helpdesk_core.model.ticket import ObserverChange, StatusChange, Ticket
from helpdesk_core.privacy.erasure import Forgetting, anonymise, forget_in
from helpdesk_core.privacy.identifiers import PersonIdentifiers
from helpdesk_core.serialization import ticket_from_json, ticket_to_json_line
from helpdesk_core.sla import evaluate, explain

TICKET = Ticket.register(
    id="T-1", subject="Boiler", created_at=START, observer_employees=["E-1"], observer_groups=["G-1"]
).with_event(StatusChange(at=later(5), to="in_progress", by="E-1"))
WATCHED = (
    TICKET.with_event(ObserverChange(at=later(10), employee="E-2", by="E-1"))
    .with_event(ObserverChange(at=later(11), employee="E-1", added=False, by="E-1"))
    .with_event(ObserverChange(at=later(12), group="G-2", by="E-1"))
    .with_event(ObserverChange(at=later(13), group="G-1", added=False, by="E-1"))
)


def test_the_current_observers_fold_the_registration_and_the_changes() -> None:
    assert TICKET.current_observer_employees == {"E-1"} and TICKET.current_observer_groups == {"G-1"}
    assert WATCHED.current_observer_employees == {"E-2"} and WATCHED.current_observer_groups == {"G-2"}
    assert WATCHED.observer_employees == {"E-1"}, "the registration is kept as it was"


def test_an_observer_change_names_an_employee_or_a_group_not_both() -> None:
    with pytest.raises(ValidationError, match="not both"):
        ObserverChange(at=START, employee="E-1", group="G-1")


def test_the_history_line_round_trips_with_the_observers_kind() -> None:
    line = ticket_to_json_line(WATCHED)
    assert '"kind":"observers"' in line and '"added":false' in line
    assert ticket_from_json(line) == WATCHED


def test_the_sla_ignores_observer_changes_and_explain_names_them() -> None:
    policy = CONFIG.sla
    assert policy is not None
    as_of = later(hours=2)
    row = evaluate(WATCHED, policy=policy, graph=CONFIG.graph, as_of=as_of)
    assert row == evaluate(TICKET, policy=policy, graph=CONFIG.graph, as_of=as_of)
    assert explain(WATCHED, policy=policy, graph=CONFIG.graph, as_of=as_of).row == row


def test_an_import_checks_the_observers_an_event_names() -> None:
    named = [(r.where, r.kind, r.id) for r in parties_named(WATCHED)]
    assert ("events[1]", "employees", "E-2") in named and ("events[3]", "employee_groups", "G-2") in named


def test_forgetting_an_employee_removes_them_from_observer_changes_too() -> None:
    forgetting = Forgetting(
        person_id="E-2", person_kind="employee", identifiers=PersonIdentifiers(names=["Emil"]),
        pseudonym="forgotten-1",
    )
    forgotten, places = forget_in(WATCHED, forgetting, record="ticket T-1")
    assert forgotten.events[1] == ObserverChange(at=later(10), employee=None, by="E-1")
    assert forgotten.events[2:] == WATCHED.events[2:]
    assert forgotten.current_observer_employees == frozenset()
    assert [(p.kind, p.field) for p in places] == [("event employee", "events[1].employee")]
    kept, _ = anonymise(WATCHED, record="ticket T-1")
    assert [e for e in kept.events if isinstance(e, ObserverChange)] == list(WATCHED.events[1:])
