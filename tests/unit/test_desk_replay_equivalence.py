"""Replaying a history event by event through the desk stores what importing
it whole stores, and gives the same SLA rows.

Every history of ``examples/tickets.jsonl`` (under ``examples/helpdesk.toml``)
and of ``tests/scenarios/sla/*.jsonl`` (under the scenarios' SLA policy, with
the automation preset of their graph) is

* imported whole into one memory store (:func:`import_ticket_histories`), and
* replayed into another through the desk: ``register_ticket`` at
  ``created_at``, then one use case per event at its instant — a status move
  by the contact of a resolved ticket is ``confirm``/``reopen``, a contact's
  comment ``customer_reply``, every other event the use case of its kind.

**Automatic moves.** A status change by ``system`` that the automation
explains (:func:`~helpdesk_core.workflow.automatic_rule`: the return of a
postponed ticket, an auto-close, a reopen after a reply) is *not* replayed:
the desk makes it itself, dated at the rule's instant, either when the next
use case applies what was due at its ``at`` or — for one that ends the
history — when the scheduler settles the ticket at that instant. That the
stored histories are then equal proves the desk reproduces them exactly. A
``system`` move the automation does not explain is a move by hand along the
graph and is replayed with ``transition(by="system")``.

**Compared as the desk records a history.** Both stores get the history as
a desk would have recorded it (:func:`as_the_desk_records`), which differs
from the file in three ways only, each pinned by ``NORMALISED``:

* the desk records who acted: a comment without ``by`` (several SLA
  scenarios) gets ``system`` for an employee's, the contact for a customer's;
* a use case takes no unknown keys for an event (``extra``): they are left out;
* an automatic move is dated at its rule's instant, as the automation dates
  it (``examples`` T-1005 closes three days after its resolution where
  ``auto_close_after`` is 48 h: a scheduler that ran a day late; the desk
  closes it at 48 h).

Where nothing was normalised, the desk's row is also checked against the
scenario's expected row. A customer comment on a ticket that names
no contact cannot be made through the desk at all (only the ticket's contact
replies): such scenarios are listed in ``NOT_REPLAYABLE`` with the refusal the
desk gives, which the test checks too.

The parties every history names (companies, contacts, employees, groups)
are stored first in both stores, identically.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import attrs
import pytest
from test_sla_scenarios import POLICY as SCENARIO_POLICY

from helpdesk_core.config import Configuration, load_configuration
from helpdesk_core.desk import Desk, FixedClock, import_ticket_histories
from helpdesk_core.desk.scheduler import settle_ticket
from helpdesk_core.desk.ticket_import import ImportRefused
from helpdesk_core.errors import PermissionDenied, TransitionError
from helpdesk_core.model.parties import Company, Contact
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.model.ticket import (
    SYSTEM,
    Assignment,
    Comment,
    Event,
    ObserverChange,
    PriorityChange,
    SlaOverride,
    StatusChange,
    Ticket,
    TypeChange,
)
from helpdesk_core.serialization import ticket_from_json, ticket_to_json_line
from helpdesk_core.storage import open_store
from helpdesk_core.storage.protocols import Store
from helpdesk_core.workflow import (
    DEFAULT_GRAPH,
    DEFAULT_POLICY,
    USERESPONSE_GRAPH,
    USERESPONSE_POLICY,
    StatusCategory,
    automatic_rule,
    due_transitions,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
SCENARIOS = ROOT / "tests" / "scenarios" / "sla"

NOT_REPLAYABLE = {"R-1", "R-2"}
"""Scenarios with a customer's comment on a ticket that names no contact."""
REFUSED = {"R-3": "cannot move from 'open' to 'open'"}
"""Scenarios whose history the workflow refuses (a move the graph has no
edge for): the import and the desk refuse them alike."""

NORMALISED = {
    "examples:T-1005", "customer:1", "customer:2", "customer:3", "manual:3", "reaction:1", "reaction:2",
    "reaction:5",
}
"""The histories :func:`as_the_desk_records` changes (see the module doc)."""

PRESETS = {"default": (DEFAULT_GRAPH, DEFAULT_POLICY), "useresponse": (USERESPONSE_GRAPH, USERESPONSE_POLICY)}


@attrs.frozen
class Case:
    name: str
    ticket: Ticket
    config: Configuration
    as_of: datetime
    expected: dict[str, Any] | None = None


def _scenario_cases() -> Iterator[Any]:
    for path in sorted(SCENARIOS.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            case = json.loads(line)
            graph, automation = PRESETS[case.get("graph", "default")]
            config = Configuration(graph=graph, automation=automation, sla=SCENARIO_POLICY)
            expected = None if "customer" in case else case["expected"]
            yield pytest.param(
                Case(f"{path.stem}:{number}", ticket_from_json(case["ticket"]), config,
                     datetime.fromisoformat(case["as_of"]), expected),
                id=f"{path.stem}:{number}",
            )


def _example_cases() -> Iterator[Any]:
    config = load_configuration(EXAMPLES / "helpdesk.toml")
    for line in (EXAMPLES / "tickets.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            ticket = ticket_from_json(line)
            as_of = ticket.updated_at.replace(year=ticket.updated_at.year + 1)
            yield pytest.param(Case(f"examples:{ticket.id}", ticket, config, as_of), id=f"examples:{ticket.id}")


def as_the_desk_records(ticket: Ticket, config: Configuration) -> Ticket:
    """The history as a desk records it: the actors filled in, no unknown
    keys on events, automatic moves dated at their rule's instant."""
    events: list[Event] = []
    for event in ticket.events:
        if isinstance(event, Comment) and event.by is None:
            event = attrs.evolve(event, by=ticket.contact if event.author == "contact" else SYSTEM)
        event = attrs.evolve(event, extra={})
        before = attrs.evolve(ticket, events=tuple(events))
        if isinstance(event, StatusChange) and automatic_rule(before, event, config.automation, config.graph):
            made = [
                due.event
                for due in due_transitions([before], event.at, config.automation, config.graph)
                if due.event is not None and due.event.to == event.to
            ]
            event = attrs.evolve(event, at=made[0].at)
        events.append(event)
    return attrs.evolve(ticket, events=tuple(events))


def seed(store: Store, ticket: Ticket) -> None:
    """Store every party the history names (employees for anybody acting
    who is not its contact)."""
    employees = {e.by for e in ticket.events if e.by not in (None, SYSTEM, ticket.contact)}
    groups: set[str] = set()
    for assignee in [ticket.initial_assignee, *(e.assignee for e in ticket.events if isinstance(e, Assignment))]:
        if assignee is not None:
            (groups if assignee.group else employees).add(assignee.id)
    employees |= set(ticket.observer_employees)
    groups |= set(ticket.observer_groups)
    with store.unit_of_work() as uow:
        if ticket.company is not None:
            uow.companies.add(Company(id=ticket.company, name=f"Company {ticket.company}"))
        if ticket.contact is not None:
            uow.contacts.add(Contact(id=ticket.contact, first_name="Customer", company=ticket.company))
        for employee in sorted(e for e in employees if e is not None):
            uow.employees.add(Employee(id=employee, first_name=employee, email=f"{employee.lower()}@desk.example"))
        for group in sorted(groups):
            uow.employee_groups.add(EmployeeGroup(id=group, name=group))
        uow.commit()


def replay(desk: Desk, ticket: Ticket) -> None:
    """Register the ticket and make each of its events through the desk."""
    desk.register_ticket(
        id=ticket.id, subject=ticket.subject, by=SYSTEM, at=ticket.created_at,
        description=ticket.description, type=ticket.initial_type, priority=ticket.initial_priority,
        channel=ticket.channel, company=ticket.company, contact=ticket.contact,
        service_object=ticket.service_object, equipment=ticket.equipment, contract=ticket.contract,
        assignee=ticket.initial_assignee, observer_employees=ticket.observer_employees,
        observer_groups=ticket.observer_groups, attributes=ticket.attributes,
    )
    config = desk.config
    left_to_the_desk: datetime | None = None
    for index, event in enumerate(ticket.events):
        before = attrs.evolve(ticket, events=ticket.events[:index])
        if isinstance(event, StatusChange) and automatic_rule(before, event, config.automation, config.graph):
            left_to_the_desk = event.at  # the desk makes it itself
            continue
        left_to_the_desk = None
        make(desk, ticket, before, event)
    if left_to_the_desk is not None:
        settle_ticket(desk, ticket.id, left_to_the_desk)


def make(desk: Desk, ticket: Ticket, before: Ticket, event: Event) -> None:
    at, by, id = event.at, event.by or SYSTEM, ticket.id
    if isinstance(event, StatusChange):
        resolved = desk.config.graph.category(before.status) is StatusCategory.RESOLVED
        if by == ticket.contact and resolved and event.to == desk.config.automation.reopen_to:
            desk.reopen(id, by=by, at=at)
        elif by == ticket.contact and resolved:
            desk.confirm(id, by=by, at=at)
        else:
            desk.transition(id, event.to, by=by, at=at, until=event.until)
    elif isinstance(event, Comment) and event.author == "contact":
        desk.customer_reply(id, body=event.body, by=by, at=at, channel=event.channel,
                            attachments=event.attachments)
    elif isinstance(event, Comment):
        desk.comment(id, body=event.body, author="employee", public=event.public, by=by, at=at,
                     mentions=event.mentions, attachments=event.attachments, channel=event.channel)
    elif isinstance(event, PriorityChange):
        desk.change_priority(id, event.to, by=by, at=at)
    elif isinstance(event, TypeChange):
        desk.change_type(id, event.to, by=by, at=at)
    elif isinstance(event, Assignment):
        desk.assign(id, event.assignee, by=by, at=at)
    elif isinstance(event, SlaOverride):
        desk.set_due(id, resolution=event.resolution_due, reaction=event.reaction_due, rule=event.rule,
                     by=by, at=at)
    elif isinstance(event, ObserverChange):
        change = desk.add_observer if event.added else desk.remove_observer
        change(id, employee=event.employee, group=event.group, by=by, at=at)
    else:  # pragma: no cover - every kind is listed above
        raise AssertionError(f"no use case for {event.kind}")


def imported(store: Store, ticket: Ticket, config: Configuration, tmp_path: Path) -> None:
    path = tmp_path / f"{ticket.id}.jsonl"
    path.write_text(ticket_to_json_line(ticket) + "\n", encoding="utf-8")
    summary = import_ticket_histories(
        path, store=store, graph=config.graph, policy=config.automation, catalogs=config.catalogs
    )
    assert summary.created == 1


@pytest.mark.parametrize("case", [*_example_cases(), *_scenario_cases()])
def test_replaying_event_by_event_stores_what_importing_whole_stores(case: Case, tmp_path: Path) -> None:
    whole, by_event = open_store("memory://"), open_store("memory://")
    ticket = as_the_desk_records(case.ticket, case.config)
    unchanged = ticket == case.ticket
    assert unchanged is (case.name not in NORMALISED)
    for store in (whole, by_event):
        seed(store, ticket)
    clock = FixedClock(case.as_of)
    desk, reference = Desk(by_event, case.config, clock), Desk(whole, case.config, clock)
    if ticket.id in REFUSED:
        with pytest.raises(ImportRefused, match=REFUSED[ticket.id]):
            imported(whole, ticket, case.config, tmp_path)
        with pytest.raises(TransitionError, match=REFUSED[ticket.id]):
            replay(desk, ticket)
        return
    imported(whole, ticket, case.config, tmp_path)
    if ticket.id in NOT_REPLAYABLE:
        with pytest.raises(PermissionDenied, match="the ticket has no contact"):
            replay(desk, ticket)
        return
    replay(desk, ticket)

    assert desk.get(ticket.id).value == whole.tickets.get(ticket.id).value
    instants = sorted({ticket.created_at, *(e.at for e in ticket.events), case.as_of})
    for as_of in instants:
        assert desk.sla_status(ticket.id, as_of=as_of) == reference.sla_status(ticket.id, as_of=as_of)
    if case.expected is not None and unchanged:
        row = desk.sla_status(ticket.id, as_of=case.as_of).row.to_json()
        assert {key: row[key] for key in case.expected} == case.expected
