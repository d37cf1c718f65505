"""Keeping each ticket's stored SLA state beside every write of the ticket.

Every library writer of tickets — the desk's use cases, the scheduler's
automatic status changes, follow-up tickets, the ticket-history import, the
privacy rewrites, ``helpdesk demo`` and ``helpdesk generate`` — calls one of
these in the unit of work that writes the ticket, **after** the ticket write
(a record put before it would be read back stale: the write bumps the
ticket's version):

* :func:`keep_sla_state` — the ticket changed: fold its history once, put the
  record (its document, the queues' columns, the fingerprint it was computed
  under);
* :func:`keep_after_rewrite` — the ticket was rewritten without a change the
  SLA reads (a person forgotten, a text anonymised): the record read before
  the rewrite is put again, unchanged, so that it is not stale;
* :func:`adopt_when_empty` — the store holds no ticket but the ones this unit
  of work wrote (and kept): the store setting ``sla.fingerprint`` says from
  now on that every state was kept under this configuration, so a new desk
  needs no ``helpdesk sla rebuild``;
* :func:`withdraw_fingerprint` — a writer that cannot keep the states (a
  ticket-history import called without the configuration) takes the setting
  back: the queues fold until ``helpdesk sla rebuild``.

Nothing here commits: a failure anywhere before the commit leaves the store
as it was, states included.
"""

from __future__ import annotations

from typing import Literal

from helpdesk_core.config import Configuration
from helpdesk_core.errors import ConflictError, ValidationError
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.rules.table import RuleTable
from helpdesk_core.serialization import ticket_sla_state_to_json
from helpdesk_core.sla.policy import SlaPolicy
from helpdesk_core.sla.selection import CustomerFacts
from helpdesk_core.sla_states.fingerprint import FINGERPRINT_SETTING
from helpdesk_core.sla_states.state import sla_state_record, ticket_sla_state
from helpdesk_core.storage.protocols import SlaStateRecord, UnitOfWork
from helpdesk_core.workflow.graph import TransitionGraph

NO_SLA = SlaPolicy(table=RuleTable(()), calendars={})
"""The policy of a desk without SLA rules: every row says ``no_sla`` (the
states are kept all the same, so that adding rules later is a rebuild)."""

WITHDRAWN = ""
"""The value of ``sla.fingerprint`` once a writer could not keep the states:
no configuration's fingerprint, so every reader folds until a rebuild."""


def sla_policy(config: Configuration) -> SlaPolicy:
    """The SLA policy states are computed under: the configured one, else
    :data:`NO_SLA`."""
    return config.sla or NO_SLA


def status_category(graph: TransitionGraph, status: str) -> str | None:
    """The category of ``status`` as the queues index it (None for a status
    the workflow does not know, e.g. of an imported history)."""
    if not graph.knows(status):
        return None
    return graph.category(status).value


def sla_state_record_of(
    ticket: Ticket,
    *,
    config: Configuration,
    customer: CustomerFacts | None,
    fingerprint: str,
) -> SlaStateRecord:
    """``ticket``'s SLA state as it now stands (one fold of its history, with
    ``customer`` the facts of its company as the rule selection sees them),
    as the record a store keeps, computed under ``fingerprint``
    (:func:`~helpdesk_core.sla_states.fingerprint.sla_fingerprint` of
    ``config``). Pure: what the writers put and the rebuild writes."""
    state = ticket_sla_state(ticket, policy=sla_policy(config), graph=config.graph, customer=customer)
    return sla_state_record(
        state,
        document=ticket_sla_state_to_json(state),
        fingerprint=fingerprint,
        company=ticket.company,
        status_category=status_category(config.graph, ticket.status),
    )


def keep_sla_state(
    uow: UnitOfWork,
    ticket: Ticket,
    *,
    config: Configuration,
    customer: CustomerFacts | None,
    fingerprint: str,
) -> SlaStateRecord:
    """Put ``ticket``'s record (:func:`sla_state_record_of`) in ``uow``. Call
    it after the ticket's write in the same unit of work."""
    record = sla_state_record_of(ticket, config=config, customer=customer, fingerprint=fingerprint)
    uow.sla_states.put(record)
    return record


def keep_after_rewrite(uow: UnitOfWork, before: SlaStateRecord | None) -> bool:
    """After a rewrite of a ticket that changes nothing the SLA reads (its
    instants, statuses, priorities, types, deadlines, rules, assignees and
    company stay as they were), put again ``before`` — the ticket's record as
    read in this unit of work *before* the rewrite — so that it is not read
    back stale. A record that was missing or already stale stays so (the
    rewrite must not bless a state computed from an older history). Returns
    whether the record was put again."""
    if before is None or before.stale:
        return False
    uow.sla_states.put(before)
    return True


Adoption = Literal["adopted", "in force", "other tickets", "set meanwhile"]
"""What :func:`adopt_when_empty` found: it set the setting; the setting held
the fingerprint already; the store holds tickets it did not write (a rebuild
must set it); another writer set the setting meanwhile."""


def adopt_when_empty(uow: UnitOfWork, fingerprint: str, *, written: int = 1) -> Adoption:
    """Set the store setting ``sla.fingerprint`` to ``fingerprint`` when it
    says something else and the store holds at most ``written`` tickets —
    those this unit of work wrote, each with its state kept under
    ``fingerprint``: then every stored state is fresh under it, as after a
    complete ``helpdesk sla rebuild``.

    Costs one settings read when the setting already holds ``fingerprint``
    (the usual case), plus a count of the tickets otherwise: a caller that
    was told ``"other tickets"`` may stop asking (tickets are not removed).
    Compare-and-set: when another writer set the setting meanwhile, it is
    left as that writer set it (``"set meanwhile"``)."""
    if written < 0:
        raise ValidationError(f"adopt_when_empty: written must be at least 0, got {written}")
    in_force = uow.settings.get(FINGERPRINT_SETTING)
    if in_force == fingerprint:
        return "in force"
    if uow.tickets.count() > written:
        return "other tickets"
    try:
        uow.settings.put(FINGERPRINT_SETTING, fingerprint, expected=in_force)
    except ConflictError:
        return "set meanwhile"
    return "adopted"


def withdraw_fingerprint(uow: UnitOfWork) -> bool:
    """Take back the store setting ``sla.fingerprint`` (set it to
    :data:`WITHDRAWN`) after tickets were written without their states: the
    queues and the dashboard must not trust the index until ``helpdesk sla
    rebuild``. Returns whether it held a fingerprint."""
    in_force = uow.settings.get(FINGERPRINT_SETTING)
    if in_force is None or in_force == WITHDRAWN:
        return False
    uow.settings.put(FINGERPRINT_SETTING, WITHDRAWN, expected=in_force)
    return True


__all__ = [
    "NO_SLA",
    "WITHDRAWN",
    "Adoption",
    "adopt_when_empty",
    "keep_after_rewrite",
    "keep_sla_state",
    "sla_policy",
    "sla_state_record_of",
    "status_category",
    "withdraw_fingerprint",
]
