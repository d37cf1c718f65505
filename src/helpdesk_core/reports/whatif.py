"""What if the SLA policy were another one? The same histories evaluated
under the configuration in force and under a proposed one, side by side: the
change in compliance and every ticket whose state would change — a backtest of
a policy change before it goes live.

Both sides are exactly the rows of two separate SLA reports (same tickets,
same instant, same customer facts), so the numbers agree with them.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import datetime
from typing import Any

import attrs

from helpdesk_core.model.ticket import Ticket
from helpdesk_core.reports.sla_report import CustomerLookup, SlaSummary, SlaTally
from helpdesk_core.sla import SlaPolicy, SlaRow, SlaState, evaluate
from helpdesk_core.sla.clock import KnowsStatuses
from helpdesk_core.sla.durations import format_duration
from helpdesk_core.sla.terms import AppliedRule
from helpdesk_core.worktime import WorkingCalendar


@attrs.frozen
class Side:
    """One configuration of a comparison: its SLA policy and its status graph."""

    policy: SlaPolicy
    graph: KnowsStatuses


@attrs.frozen
class Comparison:
    """One ticket's row under the current (``before``) and the proposed
    (``after``) configuration; ``cause`` says why the state changes (empty
    when it does not)."""

    before: SlaRow
    after: SlaRow
    cause: str = ""

    @property
    def ticket(self) -> str:
        return self.before.ticket

    @property
    def state_changed(self) -> bool:
        return self.before.state is not self.after.state

    def to_json(self) -> dict[str, Any]:
        """The comparison as one flat row (``WHATIF_COLUMNS``)."""
        before, after = self.before, self.after
        return {
            "ticket": before.ticket,
            "state_before": before.state.value,
            "state_after": after.state.value,
            "rule_before": before.rule,
            "rule_after": after.rule,
            "resolution_due_before": _instant(before.resolution_due),
            "resolution_due_after": _instant(after.resolution_due),
            "reaction_due_before": _instant(before.reaction_due),
            "reaction_due_after": _instant(after.reaction_due),
            "cause": self.cause,
        }


def _instant(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


WHATIF_COLUMNS = (
    "ticket",
    "state_before",
    "state_after",
    "rule_before",
    "rule_after",
    "resolution_due_before",
    "resolution_due_after",
    "reaction_due_before",
    "reaction_due_after",
    "cause",
)
"""The columns of a what-if row, in order (the reaction and ``cause`` columns
were added after the first seven, which keep their places)."""

_TARGETS = ("reaction", "resolution")


def cause_of(before: SlaRow, after: SlaRow, current: Side, proposed: Side) -> str:
    """Why ``before`` (under ``current``) and ``after`` (under ``proposed``)
    differ, in the words of the configuration, for each target whose due
    instant or verdict changed, e.g. ``rule 'Gold' instead of 'Standard':
    reaction 2h → 1h, resolution 16h → 8h``. The text names rules, durations
    and calendars only (no instants), so equal causes add up over many
    tickets."""
    parts: dict[str, list[str]] = {}
    for target in _TARGETS:
        if (getattr(before, f"{target}_due") == getattr(after, f"{target}_due")
                and getattr(before, f"{target}_breached") == getattr(after, f"{target}_breached")):
            continue
        cause = _target_cause(target, getattr(before, f"{target}_rule"), getattr(after, f"{target}_rule"),
                              current, proposed)
        what, detail = cause if cause is not None else (_history_cause(target, current, proposed), None)
        details = parts.setdefault(what, [])
        if detail is not None and detail not in details:
            details.append(detail)
    if parts:
        return "; ".join(
            what + (f": {', '.join(details)}" if details else "") for what, details in parts.items()
        )
    if before.rule != after.rule:  # e.g. a rule without a target judged yet, or no rule at all
        return f"{_rule(after.rule)} instead of {_rule(before.rule, short=True)}"
    if {before.state, after.state} <= {SlaState.RUNNING, SlaState.AT_RISK}:
        share_before, share_after = current.policy.at_risk_share, proposed.policy.at_risk_share
        if share_before != share_after:
            return f"at_risk_share {share_before:g} → {share_after:g}"
    return _history_cause(None, current, proposed)


def _rule(name: str | None, *, short: bool = False) -> str:
    if name is None:
        return "no rule"
    return repr(name) if short else f"rule {name!r}"


def _target_cause(
    target: str, name_before: str | None, name_after: str | None, current: Side, proposed: Side
) -> tuple[str, str | None] | None:
    """What changed ``target``'s judgement and how (None: not its rule)."""
    rule_before = None if name_before is None else current.policy.applied(name_before)
    rule_after = None if name_after is None else proposed.policy.applied(name_after)
    if name_before != name_after:
        what = f"{_rule(name_after)} instead of {_rule(name_before, short=True)}"
        if rule_before is not None and rule_after is not None:
            return what, _terms(target, rule_before, rule_after)
        if rule_after is not None:
            return what, f"{target} {_duration(target, rule_after, show_calendar=True)}"
        return what, None
    if rule_before is None or rule_after is None:
        return None
    terms_before, terms_after = rule_before.terms, rule_after.terms
    if (getattr(terms_before, target) != getattr(terms_after, target)
            or terms_before.calendar != terms_after.calendar):
        return f"rule {name_after!r}", _terms(target, rule_before, rule_after)
    changed = _calendar_changes(rule_before.calendar, rule_after.calendar)
    if changed:
        return f"calendar {terms_after.calendar!r}", f"other {', '.join(changed)}"
    if terms_before.on_change is not terms_after.on_change:
        change = f"on_change {terms_before.on_change.value} → {terms_after.on_change.value}"
        return f"rule {name_after!r}", change
    return None


def _terms(target: str, before: AppliedRule, after: AppliedRule) -> str:
    calendars = before.terms.calendar != after.terms.calendar
    return (f"{target} {_duration(target, before, show_calendar=calendars)} → "
            f"{_duration(target, after, show_calendar=calendars)}")


def _duration(target: str, rule: AppliedRule, *, show_calendar: bool) -> str:
    text = format_duration(getattr(rule.terms, target))
    return f"{text} on {rule.terms.calendar}" if show_calendar else text


def _calendar_changes(before: WorkingCalendar, after: WorkingCalendar) -> list[str]:
    """What differs between two definitions of a calendar, in a desk's words."""
    changes = []
    if before.tz != after.tz:
        changes.append(f"zone ({before.tz} → {after.tz})")
    if before.week != after.week:
        changes.append("working hours")
    if before.holidays != after.holidays or before.public_holidays != after.public_holidays:
        changes.append("holidays")
    if before.exceptions != after.exceptions:
        changes.append("exception days")
    return changes


def _history_cause(target: str | None, current: Side, proposed: Side) -> str:
    """The cause when the rule judging a target is alike on both sides: the
    statuses (which pause or end the clock), or the rules in force earlier in
    the history (whose working time a ``keep_elapsed`` rule carries)."""
    if current.graph != proposed.graph:
        return "the status graph (which statuses pause the clock or resolve)"
    what = "" if target is None else f" ({target})"
    return f"the rules in force earlier in the history{what}"


def compare(
    tickets: Iterable[Ticket],
    *,
    current: Side,
    proposed: Side,
    as_of: datetime,
    customers: CustomerLookup | None = None,
) -> Iterator[Comparison]:
    """Every ticket registered by ``as_of`` evaluated under both sides, in the
    tickets' order (one ticket in memory at a time)."""
    for ticket in tickets:
        if ticket.created_at > as_of:
            continue
        customer = customers(ticket) if customers is not None else None
        before = evaluate(ticket, policy=current.policy, graph=current.graph, as_of=as_of, customer=customer)
        after = evaluate(ticket, policy=proposed.policy, graph=proposed.graph, as_of=as_of, customer=customer)
        cause = "" if before.state is after.state else cause_of(before, after, current, proposed)
        yield Comparison(before, after, cause)


@attrs.frozen
class WhatIfSummary:
    """The two reports' summaries and how many tickets changed state."""

    before: SlaSummary
    after: SlaSummary
    changed: int
    transitions: dict[tuple[str, str], int]
    """How many tickets went from one state to another, by ``(before, after)``."""
    causes: dict[tuple[str, str], dict[str, int]] = attrs.field(factory=dict)
    """How many tickets of each transition changed for each cause."""
    reaction_moved: int = 0
    """Tickets whose reaction due instant differs (whether or not their state does)."""
    resolution_moved: int = 0
    """Tickets whose resolution due instant differs (whether or not their state does)."""

    def causes_of(self, transition: tuple[str, str]) -> list[tuple[str, int]]:
        """The causes of ``transition``, the most frequent first."""
        counts = self.causes.get(transition, {})
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))

    @staticmethod
    def _delta(before: float | None, after: float | None) -> float | None:
        return None if before is None or after is None else round(after - before, 1)

    @property
    def reaction_change(self) -> float | None:
        """Percentage points the reaction compliance would move (None: not comparable)."""
        return self._delta(self.before.reaction_compliance, self.after.reaction_compliance)

    @property
    def resolution_change(self) -> float | None:
        """Percentage points the resolution compliance would move (None: not comparable)."""
        return self._delta(self.before.resolution_compliance, self.after.resolution_compliance)

    def to_json(self) -> dict[str, Any]:
        return {
            "before": self.before.to_json(),
            "after": self.after.to_json(),
            "changed": self.changed,
            "reaction_moved": self.reaction_moved,
            "resolution_moved": self.resolution_moved,
            "reaction_change": self.reaction_change,
            "resolution_change": self.resolution_change,
            "transitions": [
                {"from": a, "to": b, "tickets": n,
                 "causes": [{"cause": c, "tickets": k} for c, k in self.causes_of((a, b))]}
                for (a, b), n in sorted(self.transitions.items())
            ],
        }


@attrs.define
class WhatIfTally:
    """Adds comparisons up as they stream past."""

    before: SlaTally = attrs.field(factory=SlaTally)
    after: SlaTally = attrs.field(factory=SlaTally)
    transitions: dict[tuple[str, str], int] = attrs.field(factory=dict)
    causes: dict[tuple[str, str], dict[str, int]] = attrs.field(factory=dict)
    reaction_moved: int = 0
    resolution_moved: int = 0

    def add(self, comparison: Comparison) -> Comparison:
        """Count ``comparison`` and hand it back."""
        self.before.add(comparison.before)
        self.after.add(comparison.after)
        before, after = comparison.before, comparison.after
        if before.reaction_due != after.reaction_due:
            self.reaction_moved += 1
        if before.resolution_due != after.resolution_due:
            self.resolution_moved += 1
        if comparison.state_changed:
            key = (comparison.before.state.value, comparison.after.state.value)
            self.transitions[key] = self.transitions.get(key, 0) + 1
            causes = self.causes.setdefault(key, {})
            causes[comparison.cause] = causes.get(comparison.cause, 0) + 1
        return comparison

    def summary(self) -> WhatIfSummary:
        return WhatIfSummary(
            before=self.before.summary(),
            after=self.after.summary(),
            changed=sum(self.transitions.values()),
            transitions=dict(self.transitions),
            causes={key: dict(counts) for key, counts in self.causes.items()},
            reaction_moved=self.reaction_moved,
            resolution_moved=self.resolution_moved,
        )


__all__ = ["WHATIF_COLUMNS", "Comparison", "Side", "WhatIfSummary", "WhatIfTally", "cause_of", "compare"]
