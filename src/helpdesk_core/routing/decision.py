"""A routing decision as data: who, why, and under which configuration.

Everything here is plain (ids, words, enums, one instant), so the one converter
writes a decision into the ``assign`` event of a registration and reads it back
months later, when the table and the staff have long changed.
"""

from __future__ import annotations

import enum
from datetime import datetime

import attrs

from helpdesk_core.model.ticket import Assignee
from helpdesk_core.routing.policy import Strategy


class Link(enum.StrEnum):
    """Where the assignee came from: the table, or a link of the owner chain."""

    RULE = "rule"
    SLA_RULE = "sla_rule"
    CUSTOMER_GROUP = "customer_group"
    SERVICE_OBJECT = "service_object"
    CONTACT = "contact"
    COMPANY = "company"
    DEFAULT_ASSIGNEE = "default_assignee"
    NOBODY = "nobody"
    """Every link was empty or refused: the ticket is registered without an owner."""


@attrs.frozen(kw_only=True)
class PassedRule:
    """A rule above the deciding one and why it did not decide
    (``outcome``: ``disabled`` | ``failed`` | ``fault``)."""

    rule: str
    outcome: str
    reason: str


@attrs.frozen(kw_only=True)
class RoutingFault:
    """A condition that raised: the ticket went down the owner chain instead."""

    rule: str
    condition: str
    message: str


@attrs.frozen(kw_only=True)
class ChainStep:
    """One link asked for an owner. ``assignee`` is what the link named (None:
    it names nobody); ``used`` whether it became the owner; ``reason`` why
    (or why not: deactivated, unknown)."""

    link: Link
    assignee: Assignee | None
    used: bool
    reason: str


@attrs.frozen(kw_only=True)
class MemberVerdict:
    """One member of a group assignee and whether a strategy may choose them."""

    employee: str
    qualifies: bool
    reason: str
    load: int = 0


@attrs.frozen(kw_only=True)
class StrategyOutcome:
    """What a group's strategy did. ``chosen`` is the member who got the ticket
    (None: the group keeps it, ``reason`` says why). ``cursor`` is the value
    the caller stores as the group's round-robin cursor (None: leave it)."""

    group: str
    strategy: Strategy
    chosen: str | None
    reason: str
    members: tuple[MemberVerdict, ...] = ()
    cursor: str | None = None


@attrs.frozen(kw_only=True)
class RoutingDecision:
    """Who becomes responsible for a new ticket, who observes it, and why.

    ``decided_by`` is the table (``rule`` names the winner) or a link of the
    owner chain; ``rule`` may name a matching rule whose assignee was refused
    (then ``chain`` says why and what answered instead). ``passed_over`` lists
    each rule above the winner with why it did not decide. ``fault`` is set
    when a condition raised: the chain then decided, never a later rule.
    """

    at: datetime
    assignee: Assignee | None
    observer_employees: frozenset[str] = frozenset()
    observer_groups: frozenset[str] = frozenset()
    decided_by: Link
    rule: str | None = None
    fingerprint: str | None = None
    passed_over: tuple[PassedRule, ...] = ()
    chain: tuple[ChainStep, ...] = ()
    strategy: StrategyOutcome | None = None
    fault: RoutingFault | None = None

    @property
    def cursor(self) -> tuple[str, str] | None:
        """``(group, member)`` to store as the group's round-robin cursor, or None."""
        if self.strategy is None or self.strategy.cursor is None:
            return None
        return (self.strategy.group, self.strategy.cursor)

    @property
    def headline(self) -> str:
        """Who decided, in a few words: ``rule 'VIP' (round_robin in group
        G-1)``, ``the company's responsible``, ``nobody named an owner``."""
        if self.decided_by is Link.NOBODY:
            return "nobody named an owner"
        if self.decided_by is Link.RULE:
            words = f"rule {self.rule!r}"
            if self.strategy is not None:
                words += f" ({self.strategy.strategy.value} in group {self.strategy.group})"
        else:
            words = LINK_WORDS[self.decided_by]
        return words + (" after a fault in a condition" if self.fault is not None else "")

    def lines(self) -> tuple[str, ...]:
        """The decision in words, one line each, for ``routing explain``."""
        lines = [
            f"{step.rule!r} {_OUTCOME_WORDS.get(step.outcome, step.outcome)}: {step.reason}"
            for step in self.passed_over
        ]
        if self.fault is not None:
            lines.append(f"the table stopped at the fault in {self.fault.rule!r}: the owner chain decides")
        if self.rule is not None:
            lines.append(f"{self.rule!r} matches")
        elif self.fault is None:
            lines.append("no rule matches: the owner chain decides")
        for step in self.chain:
            lines.append(f"{step.link.value}: {step.reason}")
        if self.strategy is not None:
            for member in self.strategy.members:
                mark = "qualifies" if member.qualifies else "passed over"
                lines.append(f"  {member.employee} {mark}: {member.reason}")
            lines.append(
                f"{self.strategy.strategy.value} in group {self.strategy.group}: {self.strategy.reason}"
            )
        lines.append(f"assignee: {_who(self.assignee)}")
        lines.append(
            "observers: employees "
            f"{', '.join(sorted(self.observer_employees)) or 'none'}; "
            f"groups {', '.join(sorted(self.observer_groups)) or 'none'}"
        )
        return tuple(lines)


LINK_WORDS: dict[Link, str] = {
    Link.SLA_RULE: "the SLA rule's responsible",
    Link.CUSTOMER_GROUP: "the customer group's responsible",
    Link.SERVICE_OBJECT: "the service object's responsible",
    Link.CONTACT: "the contact's responsible",
    Link.COMPANY: "the company's responsible",
    Link.DEFAULT_ASSIGNEE: "the account's default assignee",
}

_OUTCOME_WORDS = {"disabled": "is skipped", "failed": "does not match", "fault": "cannot be evaluated"}


def _who(assignee: Assignee | None) -> str:
    if assignee is None:
        return "nobody"
    return f"group {assignee.id}" if assignee.group else f"employee {assignee.id}"


__all__ = [
    "LINK_WORDS",
    "ChainStep",
    "Link",
    "MemberVerdict",
    "PassedRule",
    "RoutingDecision",
    "RoutingFault",
    "StrategyOutcome",
]
