"""Why a table chose what it chose, rule by rule, in words and as data."""

from __future__ import annotations

from enum import StrEnum
from typing import Generic

import attrs

from helpdesk_core.rules.conditions import Condition
from helpdesk_core.rules.rule import Match, R, Rule
from helpdesk_core.rules.wording import describe


class Outcome(StrEnum):
    """What happened to one rule during an evaluation."""

    DISABLED = "disabled"
    FAILED = "failed"
    FAULT = "fault"
    MATCHED = "matched"


@attrs.frozen
class ConditionVerdict:
    """One condition of a rule, whether it held, and why in words."""

    condition: Condition
    holds: bool
    reason: str


@attrs.frozen
class RuleVerdict(Generic[R]):
    """One rule visited before (or as) the winner.

    ``failed`` is the first condition that did not hold (FAILED) or could not
    be decided (FAULT); ``satisfied`` are the conditions that held before it,
    or all of them for the winner. ``reason`` is the failure in words, the
    fault's message, or ``"rule disabled"``.
    """

    rule: Rule[R]
    outcome: Outcome
    reason: str
    failed: ConditionVerdict | None = None
    satisfied: tuple[ConditionVerdict, ...] = ()


@attrs.frozen
class Explanation(Generic[R]):
    """Every rule above the winner with the reason it lost, then the winner.

    ``match`` is exactly what :meth:`RuleTable.first_match` returns for the
    same facts; ``has_fallback`` tells the last line what happens when no rule
    decides.
    """

    steps: tuple[RuleVerdict[R], ...]
    match: Match[R]
    has_fallback: bool

    def lines(self) -> tuple[str, ...]:
        """The explanation as text, one line per rule (winner's conditions indented)."""
        lines: list[str] = []
        for step in self.steps:
            name = repr(step.rule.name)
            match step.outcome:
                case Outcome.DISABLED:
                    lines.append(f"{name} is skipped: {step.reason}")
                case Outcome.FAILED:
                    lines.append(f"{name} does not match: {step.reason}")
                case Outcome.FAULT:
                    asked = f" ({describe(step.failed.condition)})" if step.failed else ""
                    lines.append(f"{name} cannot be evaluated{asked}: {step.reason}")
                case Outcome.MATCHED:
                    if not step.satisfied:
                        lines.append(f"{name} matches: it has no conditions")
                    else:
                        lines.append(f"{name} matches:")
                        lines.extend(f"  {verdict.reason}" for verdict in step.satisfied)
        if self.match.rule is None:
            opening = "evaluation stopped at the fault" if self.match.faults else "no rule matches"
            if self.has_fallback:
                lines.append(f"{opening}: the fallback applies")
            else:
                lines.append(f"{opening} and there is no fallback")
        return tuple(lines)
