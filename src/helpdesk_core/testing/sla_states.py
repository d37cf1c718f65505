"""Test support: a store whose SLA states are all kept, as the desk keeps
them (one fold of each history), without the rebuild's machinery — what the
queue and dashboard tests start from."""

from __future__ import annotations

from helpdesk_core.config import Configuration
from helpdesk_core.reports.customers import customer_directory
from helpdesk_core.serialization import ticket_sla_state_to_json
from helpdesk_core.sla_states.fingerprint import FINGERPRINT_SETTING, sla_fingerprint
from helpdesk_core.sla_states.state import sla_state_record, ticket_sla_state
from helpdesk_core.storage.protocols import SlaStateRecord, Store


def state_record(store: Store, config: Configuration, ticket_id: str) -> SlaStateRecord:
    """The record the desk would keep for the stored ticket ``ticket_id`` now."""
    assert config.sla is not None
    ticket = store.get_ticket(ticket_id)
    state = ticket_sla_state(
        ticket, policy=config.sla, graph=config.graph, customer=customer_directory(store)(ticket)
    )
    return sla_state_record(
        state,
        document=ticket_sla_state_to_json(state),
        fingerprint=sla_fingerprint(config),
        company=ticket.company,
        status_category=config.graph.status(ticket.status).category.value,
    )


def keep_every_sla_state(store: Store, config: Configuration, *, trust: bool = True) -> int:
    """Put every stored ticket's SLA state under ``config``; with ``trust``,
    set the store's ``sla.fingerprint`` to the configuration's (a complete
    build happened). Returns how many states were put."""
    ids = [ticket.id for ticket in store.iter_tickets()]
    with store.unit_of_work() as uow:
        for ticket_id in ids:
            uow.sla_states.put(state_record(store, config, ticket_id))
        if trust:
            was = uow.settings.get(FINGERPRINT_SETTING)
            uow.settings.put(FINGERPRINT_SETTING, sla_fingerprint(config), expected=was)
        uow.commit()
    return len(ids)


__all__ = ["keep_every_sla_state", "state_record"]
