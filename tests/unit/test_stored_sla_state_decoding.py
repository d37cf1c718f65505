"""``ticket_sla_state_from_stored``: the batch report's read of the documents
the store keeps gives exactly the strict decoder's value, and anything that is
not such a document is read strictly — refused with the strict decoder's
message (ticket and field) or, when valid, read the same."""

from __future__ import annotations

import json

import pytest

from helpdesk_core.config import load_configuration
from helpdesk_core.errors import ValidationError
from helpdesk_core.reports.customers import CustomerDirectory
from helpdesk_core.sample import DEMO_CONFIGURATION, DEMO_END, sample_customers, sample_tickets
from helpdesk_core.serialization import (
    ticket_sla_state_from_json,
    ticket_sla_state_from_stored,
    ticket_sla_state_to_json,
)
from helpdesk_core.sla_states.state import TicketSlaState, ticket_sla_state


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> list[TicketSlaState]:
    config_file = tmp_path_factory.mktemp("decoding") / "demo.toml"
    config_file.write_text(DEMO_CONFIGURATION, encoding="utf-8")
    config = load_configuration(config_file)
    assert config.sla is not None
    customers = sample_customers(3, companies=20)
    directory = CustomerDirectory({c.id: c for c in customers.companies}.get, customers.customer_groups)
    return [
        ticket_sla_state(ticket, policy=config.sla, graph=config.graph, customer=directory(ticket))
        for ticket in sample_tickets(3, 400, customers=customers, end=DEMO_END, days=200)
    ]


def test_stored_documents_decode_to_the_strict_value(states: list[TicketSlaState]) -> None:
    clocks = {state.projection.clock for state in states}
    assert len(clocks) == 3, "counting, paused and stopped clocks"
    assert any(state.projection.resolution_owed is not None for state in states)
    for state in states:
        document = ticket_sla_state_to_json(state)
        fast = ticket_sla_state_from_stored(document)
        assert fast == ticket_sla_state_from_json(document) == state
        assert ticket_sla_state_to_json(fast) == document
        assert ticket_sla_state_from_stored(document.encode()) == state


def _spoiled(document: str, where: str, key: str, value: object) -> str:
    data = json.loads(document)
    (data["projection"] if where == "projection" else data)[key] = value
    return json.dumps(data)


@pytest.mark.parametrize(
    ("where", "key", "value", "message"),
    [
        ("projection", "last_event", "2026-04-01T10:00:00", "last_event: .*must be timezone-aware"),
        ("projection", "paused", 1.5, "paused"),
        ("projection", "clock", "running", "not a valid Clock"),
        ("projection", "reaction_due_set_by_hand", "false", "reaction_due_set_by_hand"),
        ("projection", "surprise", 1, "unknown field 'surprise'"),
        ("state", "status", 7, "status: expected a text"),
        ("state", "customer", ["vip", "gold", []], "customer: expected null or"),
    ],
)
def test_anything_else_is_refused_with_the_strict_message(
    states: list[TicketSlaState], where: str, key: str, value: object, message: str
) -> None:
    document = _spoiled(ticket_sla_state_to_json(states[0]), where, key, value)
    with pytest.raises(ValidationError, match=message) as strict:
        ticket_sla_state_from_json(document)
    with pytest.raises(ValidationError, match=message) as fast:
        ticket_sla_state_from_stored(document)
    assert str(fast.value) == str(strict.value)
    assert states[0].ticket in str(fast.value), "the message names the ticket"


def test_a_valid_document_of_another_spelling_is_read_strictly(states: list[TicketSlaState]) -> None:
    state = next(s for s in states if s.customer is not None)
    document = ticket_sla_state_to_json(state)
    data = json.loads(document)
    data["projection"]["last_event"] = state.projection.last_event.isoformat()
    data["customer"] = list(data["customer"])
    respelled = json.dumps(data, indent=1)
    assert ticket_sla_state_from_stored(respelled) == ticket_sla_state_from_json(respelled) == state
    with pytest.raises(ValidationError, match="malformed JSON"):
        ticket_sla_state_from_stored(document[:-1])
    with pytest.raises(ValidationError, match="expected a JSON object"):
        ticket_sla_state_from_stored("[]")

