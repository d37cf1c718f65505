"""A filter naming what the desk does not know is refused before any work,
with the closest known spellings; what the desk knows includes what only its
tickets name."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from helpdesk_cli.main import cli
from helpdesk_core.desk.filters import check_assignee, check_company, check_priority, check_status
from helpdesk_core.errors import NotFound, ValidationError
from helpdesk_core.model.catalog import Catalogs
from helpdesk_core.model.parties import Company
from helpdesk_core.model.staff import Employee
from helpdesk_core.model.ticket import Assignee, Assignment, PriorityChange, Ticket
from helpdesk_core.storage import Store, open_store
from helpdesk_core.suggestions import did_you_mean
from helpdesk_core.workflow import DEFAULT_GRAPH

AT = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def store() -> Store:
    """Company C-1 stored, C-7 only on a ticket; employee E-1 stored, E-5 only
    in a ticket's history; priorities high and (later) urgent on tickets."""
    store = open_store("memory://")
    ticket = Ticket.register(id="T-1", subject="Boiler", created_at=AT, company="C-7", priority="high",
                             assignee=Assignee(id="E-1"))
    ticket = ticket.with_event(Assignment(at=AT, to="E-5"))
    ticket = ticket.with_event(PriorityChange(at=AT, to="urgent"))
    with store.unit_of_work() as uow:
        uow.companies.add(Company(id="C-1", name="Alfa"))
        uow.employees.add(Employee(id="E-1", first_name="Lenka", email="lenka@servis.cz"))
        uow.tickets.add(ticket)
        uow.commit()
    return store


def test_a_company_is_known_when_stored_or_named_by_a_ticket(store: Store) -> None:
    check_company(store, "C-1")
    check_company(store, "C-7")  # tickets imported without the customer base
    with pytest.raises(NotFound) as refused:
        check_company(store, "C-11")
    assert str(refused.value) == (
        "company 'C-11' is not known (no such company, and no ticket of it) (did you mean 'C-1'?)"
    )
    assert refused.value.exit_code == 3


def test_an_assignee_is_known_when_stored_or_ever_assigned(store: Store) -> None:
    check_assignee(store, "E-1")
    check_assignee(store, "E-5")  # in the history only
    with pytest.raises(NotFound) as refused:
        check_assignee(store, "E-55")
    assert str(refused.value) == (
        "assignee 'E-55' is not known (no such employee or group, and no ticket assigned to it) "
        "(did you mean 'E-5'?)"
    )


def test_a_status_is_known_by_the_graph_or_a_stored_ticket(store: Store) -> None:
    check_status(store, "resolved", graph=DEFAULT_GRAPH)
    with pytest.raises(ValidationError) as refused:
        check_status(store, "opne", graph=DEFAULT_GRAPH)
    assert refused.value.exit_code == 2
    assert str(refused.value).endswith("(did you mean 'open'?)")


def test_a_priority_is_known_by_the_catalog_else_by_the_tickets(store: Store) -> None:
    no_catalog = Catalogs()
    check_priority(store, "urgent", catalogs=no_catalog)  # a priority change in a history
    with pytest.raises(ValidationError) as refused:
        check_priority(store, "hihg", catalogs=no_catalog)
    assert str(refused.value) == (
        "unknown priority 'hihg' (no priority catalog is configured, and no stored ticket has it) "
        "(did you mean 'high'?)"
    )


def test_did_you_mean_names_only_close_spellings() -> None:
    assert did_you_mean("opne", ["open", "closed", "resolved"]) == " (did you mean 'open'?)"
    assert did_you_mean("xyz", ["open", "closed"]) == ""


def test_a_mistyped_choice_suggests_the_closest() -> None:
    result = CliRunner().invoke(cli, ["--db", "memory://", "sla", "report", "--group-by", "compnay"])
    assert result.exit_code == 2
    assert result.stderr.endswith(
        "Error: Invalid value for '--group-by': 'compnay' is not one of 'priority', 'company', 'assignee', "
        "'rule', 'type' (did you mean 'company'?).\n"
    )
