"""Routing a ticket as the desk registers it.

Without an assignee, :func:`route_new_ticket` asks
:func:`~helpdesk_core.routing.route` in the registering unit of work: the
ticket is registered with the decision's owner (the ticket-history object's
top-level ``assignee``, as for an owner given by hand), and an ``assign``
event to that same owner at the same instant records the whole decision
(when it is worth recording: :attr:`RoutedRegistration.worth_recording`); a
round-robin group's cursor moves by compare-and-set on the store setting
``routing.cursor.<group>`` — of two registrations that read the same cursor,
one commits and the other gets a :class:`~helpdesk_core.errors.ConflictError`
(retried by :meth:`Desk.retrying`), so a group's members take turns even
under concurrent registrations.

With an assignee given by hand the table is not asked (somebody decided);
the default observers (the account's, the company's and the contact's) are
added all the same.

An observer the configuration or a party names that does not exist or is
deactivated is left out with a warning, never a refused registration.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from helpdesk_core.config import Configuration
from helpdesk_core.desk.routing_sources import cursor_setting, routing_facts_in, staff_in
from helpdesk_core.model.ticket import Assignee
from helpdesk_core.routing.decision import RoutingDecision
from helpdesk_core.routing.router import default_observers, route
from helpdesk_core.storage.protocols import UnitOfWork


@attrs.frozen(kw_only=True)
class RoutedRegistration:
    """What routing adds to a registration: the ``decision`` (None when an
    assignee was given by hand), the observers to add (known and active ones
    only), ``warnings`` about those left out, and the round-robin cursor the
    decision was based on (compared when it moves)."""

    decision: RoutingDecision | None
    observer_employees: frozenset[str] = frozenset()
    observer_groups: frozenset[str] = frozenset()
    warnings: tuple[str, ...] = ()
    cursor_was: str | None = None

    @property
    def worth_recording(self) -> bool:
        """Whether the decision goes into an ``assign`` event: when it chose
        an owner, or when the table or the chain named somebody it could not
        use (a matching rule, a fault, a deactivated or unknown person). When
        nothing names anybody — no rule matches, no link names a person — the
        ticket is simply registered without owner, with no event to say so."""
        decision = self.decision
        if decision is None:
            return False
        return (
            decision.assignee is not None
            or decision.rule is not None
            or decision.fault is not None
            or any(step.assignee is not None for step in decision.chain)
        )

    def move_cursor(self, uow: UnitOfWork) -> None:
        """Store the round-robin group's new cursor, if the decision moved one
        (:class:`ConflictError` when another registration moved it meanwhile)."""
        cursor = None if self.decision is None else self.decision.cursor
        if cursor is not None:
            group, member = cursor
            uow.settings.put(cursor_setting(group), member, expected=self.cursor_was)

    def summary(self) -> dict[str, Any]:
        """The ``routing`` detail of the ``ticket_registered`` domain event."""
        decision = self.decision
        if decision is None:
            return {}
        return {"routing": {"decided_by": decision.decided_by.value, "rule": decision.rule}}


def route_new_ticket(
    uow: UnitOfWork,
    config: Configuration,
    *,
    at: datetime,
    assignee: Assignee | None,
    type: str | None,
    priority: str | None,
    channel: str | None,
    attributes: Mapping[str, Any] | None,
    company: str | None,
    contact: str | None,
    service_object: str | None,
) -> RoutedRegistration:
    """Route a ticket with these values registered at ``at`` (see the module doc)."""
    facts = routing_facts_in(
        uow,
        config,
        registered_at=at,
        type=type,
        priority=priority,
        channel=channel,
        attributes=attributes,
        company=company,
        contact=contact,
        service_object=service_object,
    )
    policy = config.routing
    decision = None
    cursor_was = None
    if assignee is None:
        staff = staff_in(uow, config, facts)
        decision = route(facts, at, table=policy.table, settings=policy.settings, staff=staff)
        employees, groups = decision.observer_employees, decision.observer_groups
        if decision.cursor is not None:
            cursor_was = staff.cursors.get(decision.cursor[0])
    else:
        employees, groups = default_observers(facts, policy.settings)
    warnings: list[str] = []
    known = uow.employees.find_many(employees)
    kept_employees = set()
    for employee in sorted(employees):
        found = known.get(employee)
        if found is None:
            warnings.append(f"routing: observer employee {employee!r} does not exist; not added")
        elif not found.value.active:
            warnings.append(f"routing: observer employee {employee} is deactivated; not added")
        else:
            kept_employees.add(employee)
    known_groups = uow.employee_groups.find_many(groups)
    for group in sorted(set(groups) - set(known_groups)):
        warnings.append(f"routing: observer group {group!r} does not exist; not added")
    return RoutedRegistration(
        decision=decision,
        observer_employees=frozenset(kept_employees),
        observer_groups=frozenset(groups) & frozenset(known_groups),
        warnings=tuple(warnings),
        cursor_was=cursor_was,
    )


__all__ = ["RoutedRegistration", "route_new_ticket"]
