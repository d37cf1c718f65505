"""The router — ``route``: the owner and the observers of a new ticket, as a decision.

1. The routing table is explained on the ticket's facts: the first enabled
   matching rule names the assignee (a group may hand the ticket to a member by
   its strategy) and adds its observers.
2. When no rule matches, when a condition raised (the fault is recorded; a
   later rule never wins because of an error), or when the winner's assignee
   cannot be responsible (deactivated, unknown), the owner chain answers: the
   service object's responsible → the contact's → the company's → the
   account's ``default_assignee`` (the AyMINE chain asks the SLA rule's and the
   customer groups' responsibles first). A link naming a deactivated or
   unknown employee is passed over, and the decision says so.
3. Observers are the union of the account's, the company's and the contact's,
   plus the winning rule's: employees and groups kept apart.

Pure: no I/O, no clock; the same facts, instant, configuration and snapshot
give the same decision.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from helpdesk_core.model.checks import require_aware
from helpdesk_core.model.ticket import Assignee
from helpdesk_core.routing.decision import (
    LINK_WORDS,
    ChainStep,
    Link,
    PassedRule,
    RoutingDecision,
    RoutingFault,
    StrategyOutcome,
)
from helpdesk_core.routing.facts import RoutingFacts
from helpdesk_core.routing.policy import OwnerChain, RoutingSettings, RoutingTable, fingerprint
from helpdesk_core.routing.staff import StaffSnapshot
from helpdesk_core.routing.strategies import hand_over
from helpdesk_core.rules import Outcome, describe

_LINK_WORDS = {Link.RULE: "the rule's assignee", **LINK_WORDS}


def _who(assignee: Assignee) -> str:
    return f"group {assignee.id}" if assignee.group else f"employee {assignee.id}"


def refusal(assignee: Assignee, staff: StaffSnapshot) -> str | None:
    """Why ``assignee`` cannot be made responsible, or None when they can."""
    if assignee.group:
        return None if assignee.id in staff.groups else "is not a known group"
    employee = staff.employees.get(assignee.id)
    if employee is None:
        return "is not a known employee"
    if not employee.can_be_responsible:
        return "is deactivated"
    return None


def _links(
    facts: RoutingFacts, settings: RoutingSettings
) -> Iterator[tuple[Link, Assignee | None, str]]:
    """Each link of the owner chain: what it names, and the words for nobody."""
    if settings.owner_chain is OwnerChain.AYMINE:
        if facts.sla_rule is None:
            yield Link.SLA_RULE, None, "no SLA rule is in force"
        else:
            named = settings.sla_responsible.get(facts.sla_rule)
            yield Link.SLA_RULE, named, f"the SLA rule {facts.sla_rule!r} names nobody responsible"
        asked = [g for g in facts.customer_groups if g in facts.customer_group_responsible]
        if not asked:
            yield Link.CUSTOMER_GROUP, None, "no customer group of the ticket names a responsible"
        for group in asked:
            yield Link.CUSTOMER_GROUP, facts.customer_group_responsible[group], ""
    yield (
        Link.SERVICE_OBJECT,
        facts.service_object_responsible,
        "no service object, or it names nobody responsible",
    )
    yield Link.CONTACT, facts.contact_responsible, "no contact, or the contact names nobody responsible"
    yield Link.COMPANY, facts.company_responsible, "no company, or the company names nobody responsible"
    yield Link.DEFAULT_ASSIGNEE, settings.default_assignee, "routing.default_assignee is not set"


def default_observers(
    facts: RoutingFacts, settings: RoutingSettings
) -> tuple[frozenset[str], frozenset[str]]:
    """The default observers of a ticket with ``facts``: the union of the
    account's, the company's and the contact's — employees, then groups."""
    employees = (
        settings.observer_employees | facts.company_observer_employees | facts.contact_observer_employees
    )
    groups = settings.observer_groups | facts.company_observer_groups | facts.contact_observer_groups
    return employees, groups


def route(
    facts: RoutingFacts,
    at: datetime,
    *,
    table: RoutingTable,
    settings: RoutingSettings,
    staff: StaffSnapshot,
) -> RoutingDecision:
    """The owner and observers of a ticket with ``facts``, routed at ``at``
    (the instant strategies check working hours at; timezone-aware).

    A round-robin decision carries the group's new cursor
    (:attr:`RoutingDecision.cursor`); the caller stores it with the ticket,
    so the next decision sees it in ``staff.cursors``.
    """
    require_aware(at, "routing instant")
    explanation = table.explain(facts.for_rules(), calendars=staff.calendars)
    passed = tuple(
        PassedRule(rule=step.rule.name, outcome=step.outcome.value, reason=step.reason)
        for step in explanation.steps
        if step.outcome is not Outcome.MATCHED
    )
    fault = None
    if explanation.match.faults:
        first = explanation.match.faults[0]
        fault = RoutingFault(rule=first.rule, condition=describe(first.condition), message=first.message)
    observer_employees, observer_groups = default_observers(facts, settings)
    winner = explanation.match.rule
    chain: list[ChainStep] = []

    def decided(
        assignee: Assignee | None, by: Link, strategy: StrategyOutcome | None = None
    ) -> RoutingDecision:
        return RoutingDecision(
            at=at,
            assignee=assignee,
            observer_employees=observer_employees,
            observer_groups=observer_groups,
            decided_by=by,
            rule=None if winner is None else winner.name,
            fingerprint=fingerprint(table, settings),
            passed_over=passed,
            chain=tuple(chain),
            strategy=strategy,
            fault=fault,
        )

    if winner is not None:
        result = winner.result
        observer_employees |= result.observer_employees
        observer_groups |= result.observer_groups
        refused = refusal(result.assignee, staff)
        if refused is None:
            if not result.assignee.group:
                return decided(result.assignee, Link.RULE)
            outcome = hand_over(staff.groups[result.assignee.id], result.strategy, at, staff)
            chosen = result.assignee if outcome.chosen is None else Assignee(id=outcome.chosen)
            return decided(chosen, Link.RULE, outcome)
        chain.append(
            ChainStep(
                link=Link.RULE,
                assignee=result.assignee,
                used=False,
                reason=f"rule {winner.name!r} names {_who(result.assignee)}, who {refused}",
            )
        )
    for link, named, nobody in _links(facts, settings):
        if named is None:
            chain.append(ChainStep(link=link, assignee=None, used=False, reason=nobody))
            continue
        refused = refusal(named, staff)
        words = f"{_LINK_WORDS[link]} is {_who(named)}"
        if refused is None:
            chain.append(ChainStep(link=link, assignee=named, used=True, reason=words))
            return decided(named, link)
        chain.append(ChainStep(link=link, assignee=named, used=False, reason=f"{words}, who {refused}"))
    return decided(None, Link.NOBODY)


__all__ = ["default_observers", "refusal", "route"]
