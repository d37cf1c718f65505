"""The routing table checked against the store's staff: the shell around
:func:`~helpdesk_core.routing.lint_routing`, which is pure. One call for
``helpdesk routing lint`` and for any Python caller."""

from __future__ import annotations

from helpdesk_core.config import Configuration
from helpdesk_core.routing.linting import RoutingFinding, lint_routing
from helpdesk_core.routing.staff import StaffSnapshot
from helpdesk_core.storage import Store


def routing_findings(store: Store, config: Configuration) -> tuple[RoutingFinding, ...]:
    """Every finding of ``config``'s routing table and settings against the
    employees and groups ``store`` holds and the configured calendars:
    shadowed rules, rules that never match, unknown values, unknown or
    deactivated people, groups without (active) members, unknown calendars,
    no catch-all, ``sla_responsible`` naming an SLA rule that does not exist."""
    staff = StaffSnapshot.of(
        (stored.value for stored in store.employees.iter()),
        (stored.value for stored in store.employee_groups.iter()),
        calendars=config.calendars,
    )
    return lint_routing(
        config.routing.table,
        config.routing.settings,
        staff,
        catalogs=config.catalogs.known_values(),
        sla_rules=None if config.sla is None else config.sla.rule_names(),
    )


__all__ = ["routing_findings"]
