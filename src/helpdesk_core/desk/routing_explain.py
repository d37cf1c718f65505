"""Why a ticket has the owner it has: the routing decision its registration
recorded, in words, and whether the configuration has changed since — or,
for a ticket that was not routed (an owner given by hand, an import), how
today's table would route it. Also the answer for the facts of a ticket that
is not registered yet. One call each for ``helpdesk routing explain``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

import attrs

from helpdesk_core.config import Configuration
from helpdesk_core.config_keys import refuse_unknown_keys
from helpdesk_core.desk.routing_sources import RoutingSources, staff_in, ticket_routing_facts
from helpdesk_core.errors import ConfigError, ValidationError
from helpdesk_core.model.checks import require_aware
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.routing.decision import RoutingDecision
from helpdesk_core.routing.explanation import RoutingExplanation, first_owner
from helpdesk_core.routing.facts import RoutingFacts
from helpdesk_core.routing.recorded import recorded_decision
from helpdesk_core.routing.router import route

FACT_KEYS: Final = tuple(field.name for field in attrs.fields(RoutingFacts))
"""The keys a ``--facts`` JSON object may hold: the fields of
:class:`~helpdesk_core.routing.RoutingFacts`."""

_OBJECT_KEYS: Final = ("attributes", "customer_group_responsible")


def decision_of(ticket: Ticket) -> RoutingDecision | None:
    """:func:`~helpdesk_core.routing.recorded_decision` of ``ticket``; one
    that cannot be read (a history written by hand or by another tool) is a
    :class:`ValidationError` naming the ticket."""
    try:
        return recorded_decision(ticket)
    except ValidationError as error:
        raise ValidationError(f"ticket {ticket.id}: the recorded routing decision: {error}") from None


def explain_routing(sources: RoutingSources, config: Configuration, ticket_id: str) -> RoutingExplanation:
    """Why ticket ``ticket_id`` has its owner (``NotFound`` for an unknown id).

    A routed ticket: the decision its registration recorded. A ticket that
    was not routed: how ``config``'s table routes its facts as registered at
    its registration instant, with the staff, load and round-robin cursors as
    stored now — the same answer :func:`~helpdesk_core.desk.routing_replay.replay_routing`
    gives it (but for round robin, which a replay simulates)."""
    ticket = sources.tickets.get(ticket_id).value
    current = config.routing.fingerprint
    decision = decision_of(ticket)
    if decision is not None:
        return RoutingExplanation(
            ticket=ticket.id, recorded=True, decision=decision, current_fingerprint=current
        )
    today = route(
        ticket_routing_facts(sources, config, ticket),
        ticket.created_at,
        table=config.routing.table,
        settings=config.routing.settings,
        staff=staff_in(sources, config),
    )
    return RoutingExplanation(
        ticket=ticket.id,
        recorded=False,
        decision=today,
        current_fingerprint=current,
        owner=first_owner(ticket),
    )


def facts_from_json(data: object, *, registered_at: datetime) -> RoutingFacts:
    """Routing facts written as a JSON object with the fields of
    :class:`~helpdesk_core.routing.RoutingFacts`; a key it does not know is
    refused (naming the closest), ``registered_at`` defaults to
    ``registered_at``. A :class:`ValidationError` names the field."""
    from helpdesk_core.serialization import routing_facts_from_json

    if not isinstance(data, Mapping):
        raise ValidationError(f"routing facts: expected a JSON object, got {type(data).__name__}")
    try:
        refuse_unknown_keys(data, FACT_KEYS, "routing facts")
    except ConfigError as error:
        raise ValidationError(str(error)) from None
    for key in _OBJECT_KEYS:  # the converter's message for these would not name the field
        if key in data and not isinstance(data[key], Mapping):
            raise ValidationError(f"routing facts: {key}: expected a JSON object, got {data[key]!r}")
    filled: dict[str, Any] = {"registered_at": registered_at.isoformat(), **data}
    return routing_facts_from_json(filled)


def explain_facts(
    sources: RoutingSources,
    config: Configuration,
    data: object,
    at: datetime,
    *,
    source: str | None = None,
) -> RoutingExplanation:
    """How ``config``'s table and the staff as stored now route the facts
    ``data`` at ``at``: a JSON object (:func:`facts_from_json`;
    ``registered_at`` defaults to ``at``), or its JSON text. A mistake is a
    :class:`ValidationError` naming the field (after ``source``, the file's
    name, when given)."""
    from helpdesk_core.serialization import json_from_line

    require_aware(at, "routing instant")
    try:
        facts = facts_from_json(json_from_line(data) if isinstance(data, str) else data, registered_at=at)
    except ValidationError as error:
        if source is None:
            raise
        raise ValidationError(f"{source}: {error}") from None
    decision = route_facts(sources, config, facts, at)
    return RoutingExplanation(
        ticket=None, recorded=False, decision=decision, current_fingerprint=config.routing.fingerprint
    )


def route_facts(
    sources: RoutingSources, config: Configuration, facts: RoutingFacts, at: datetime
) -> RoutingDecision:
    """The decision for ``facts`` at ``at`` under ``config``, with the staff,
    load and round-robin cursors as stored now (nothing is stored)."""
    return route(
        facts,
        at,
        table=config.routing.table,
        settings=config.routing.settings,
        staff=staff_in(sources, config),
    )


__all__ = [
    "FACT_KEYS",
    "RoutingExplanation",
    "decision_of",
    "explain_facts",
    "explain_routing",
    "facts_from_json",
    "route_facts",
]
