"""Routing: who becomes responsible for a new ticket and who observes it.

``route(facts, at, table=…, settings=…, staff=…)`` is pure and returns a
:class:`RoutingDecision` — the assignee, the observers (employees and groups
apart), the rule or owner-chain link that decided, the configuration
fingerprint, why each earlier rule did not match, what a group's strategy did
and why nobody qualified, and any condition fault. See ``docs/routing.md``.

Each name is imported on first use: the configuration loads only the
routing table's parser (``routing.policy``), not the router.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from helpdesk_core.lazy_exports import lazy_exports

if TYPE_CHECKING:
    from helpdesk_core.routing.decision import (
        ChainStep,
        Link,
        MemberVerdict,
        PassedRule,
        RoutingDecision,
        RoutingFault,
        StrategyOutcome,
    )
    from helpdesk_core.routing.facts import RoutingFacts
    from helpdesk_core.routing.linting import RoutingFinding, RoutingFindingKind, lint_routing
    from helpdesk_core.routing.load import WorkloadRow, load_by_employee, load_by_status, workload
    from helpdesk_core.routing.policy import (
        ROUTING_FIELDS,
        OwnerChain,
        RoutingPolicy,
        RoutingResult,
        RoutingRule,
        RoutingSettings,
        RoutingTable,
        Strategy,
        assignee_from_config,
        fingerprint,
    )
    from helpdesk_core.routing.recorded import ROUTING_KEY, recorded_decision, routing_assignment
    from helpdesk_core.routing.router import default_observers, refusal, route
    from helpdesk_core.routing.staff import StaffSnapshot
    from helpdesk_core.routing.strategies import hand_over, member_verdict

_EXPORTS = {
    "ChainStep": "decision",
    "Link": "decision",
    "MemberVerdict": "decision",
    "PassedRule": "decision",
    "RoutingDecision": "decision",
    "RoutingFault": "decision",
    "StrategyOutcome": "decision",
    "RoutingFacts": "facts",
    "RoutingFinding": "linting",
    "RoutingFindingKind": "linting",
    "lint_routing": "linting",
    "WorkloadRow": "load",
    "load_by_employee": "load",
    "load_by_status": "load",
    "workload": "load",
    "ROUTING_FIELDS": "policy",
    "OwnerChain": "policy",
    "RoutingPolicy": "policy",
    "RoutingResult": "policy",
    "RoutingRule": "policy",
    "RoutingSettings": "policy",
    "RoutingTable": "policy",
    "Strategy": "policy",
    "assignee_from_config": "policy",
    "fingerprint": "policy",
    "ROUTING_KEY": "recorded",
    "recorded_decision": "recorded",
    "routing_assignment": "recorded",
    "default_observers": "router",
    "refusal": "router",
    "route": "router",
    "StaffSnapshot": "staff",
    "hand_over": "strategies",
    "member_verdict": "strategies",
}
"""Each public name and the module of the package defining it."""

__getattr__ = lazy_exports(__name__, _EXPORTS)

__all__ = [
    "ROUTING_FIELDS",
    "ROUTING_KEY",
    "ChainStep",
    "Link",
    "MemberVerdict",
    "OwnerChain",
    "PassedRule",
    "RoutingDecision",
    "RoutingFacts",
    "RoutingFault",
    "RoutingFinding",
    "RoutingFindingKind",
    "RoutingPolicy",
    "RoutingResult",
    "RoutingRule",
    "RoutingSettings",
    "RoutingTable",
    "StaffSnapshot",
    "Strategy",
    "StrategyOutcome",
    "WorkloadRow",
    "assignee_from_config",
    "default_observers",
    "fingerprint",
    "hand_over",
    "lint_routing",
    "load_by_employee",
    "load_by_status",
    "member_verdict",
    "recorded_decision",
    "refusal",
    "route",
    "routing_assignment",
    "workload",
]
