"""First-match rule tables: the first enabled rule whose conditions all hold wins.

The fault policy: a condition that raises (a missing or naive
``registered_at``, an unknown calendar, a malformed fact) stops the evaluation
and the table answers with its **fallback**, reporting the fault. It never
counts as "did not match", because then a later, less specific rule would win
because of an error and nobody would notice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Generic

import attrs

from helpdesk_core.errors import HelpdeskError, ValidationError
from helpdesk_core.rules.conditions import Calendars, Check, Facts, SupportsIsWorking
from helpdesk_core.rules.explain import ConditionVerdict, Explanation, Outcome, RuleVerdict
from helpdesk_core.rules.rule import Match, R, Rule, RuleFault
from helpdesk_core.rules.wording import reason

_NO_CALENDARS: Mapping[str, SupportsIsWorking] = MappingProxyType({})


def _rules(value: Iterable[Rule[R]]) -> tuple[Rule[R], ...]:
    rules = tuple(value)
    seen: set[str] = set()
    for index, rule in enumerate(rules):
        if not isinstance(rule, Rule):
            raise ValidationError(f"rules[{index}]: expected a Rule, got {type(rule).__name__}")
        if rule.name in seen:
            raise ValidationError(f"rules[{index}].name: {rule.name!r} is used by another rule")
        seen.add(rule.name)
    return rules


def _fault_message(error: Exception) -> str:
    if isinstance(error, HelpdeskError):
        return str(error)
    return f"{type(error).__name__}: {error}"


@attrs.frozen
class _Step(Generic[R]):
    """A precompiled enabled rule: its checks and its ready-made Match."""

    rule: Rule[R]
    checks: tuple[Check, ...]
    match: Match[R]


@attrs.frozen
class RuleTable(Generic[R]):
    """Rules evaluated top to bottom by ``order`` (ties keep their position).

    ``rules`` are kept as given, so a table prints and diffs as it was
    written; ``in_order`` is the evaluation order. ``fallback`` answers when
    no enabled rule matches or when a condition raised (see the module doc).
    """

    rules: tuple[Rule[R], ...] = attrs.field(converter=_rules)
    fallback: R | None = None
    _in_order: tuple[Rule[R], ...] = attrs.field(init=False, repr=False, eq=False)
    _steps: tuple[_Step[R], ...] = attrs.field(init=False, repr=False, eq=False)
    _no_match: Match[R] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        in_order = tuple(sorted(self.rules, key=lambda rule: rule.order))
        steps = tuple(
            _Step(
                rule=rule,
                checks=tuple(condition.compile() for condition in rule.conditions),
                match=Match(rule=rule, result=rule.result),
            )
            for rule in in_order
            if rule.enabled
        )
        object.__setattr__(self, "_in_order", in_order)
        object.__setattr__(self, "_steps", steps)
        object.__setattr__(self, "_no_match", Match(rule=None, result=self.fallback))

    @property
    def in_order(self) -> tuple[Rule[R], ...]:
        """All rules, disabled ones included, in evaluation order."""
        return self._in_order

    def first_match(self, facts: Facts, *, calendars: Calendars = _NO_CALENDARS) -> Match[R]:
        """The first enabled rule whose conditions all hold, else the fallback.

        ``calendars`` maps the names used by working-hours conditions to
        calendars. A condition that raises ends the evaluation with the
        fallback and one :class:`RuleFault` in ``faults``.
        """
        for step in self._steps:
            for check in step.checks:
                try:
                    holds = check(facts, calendars)
                except Exception as error:
                    condition = step.rule.conditions[step.checks.index(check)]
                    fault = RuleFault(step.rule.name, condition, _fault_message(error))
                    return Match(rule=None, result=self.fallback, faults=(fault,))
                if not holds:
                    break
            else:
                return step.match
        return self._no_match

    def explain(self, facts: Facts, *, calendars: Calendars = _NO_CALENDARS) -> Explanation[R]:
        """Every rule down to the winner, each with why it lost or won."""
        steps: list[RuleVerdict[R]] = []
        compiled = {id(step.rule): step.checks for step in self._steps}
        for rule in self._in_order:
            if not rule.enabled:
                steps.append(RuleVerdict(rule=rule, outcome=Outcome.DISABLED, reason="rule disabled"))
                continue
            satisfied: list[ConditionVerdict] = []
            for condition, check in zip(rule.conditions, compiled[id(rule)], strict=True):
                try:
                    holds = check(facts, calendars)
                except Exception as error:
                    message = _fault_message(error)
                    steps.append(
                        RuleVerdict(
                            rule=rule,
                            outcome=Outcome.FAULT,
                            reason=message,
                            failed=ConditionVerdict(condition, holds=False, reason=message),
                            satisfied=tuple(satisfied),
                        )
                    )
                    fault = RuleFault(rule.name, condition, message)
                    match = Match(rule=None, result=self.fallback, faults=(fault,))
                    return self._explanation(steps, match)
                words = reason(condition, facts, calendars, holds=holds)
                verdict = ConditionVerdict(condition, holds=holds, reason=words)
                if not holds:
                    steps.append(
                        RuleVerdict(
                            rule=rule,
                            outcome=Outcome.FAILED,
                            reason=words,
                            failed=verdict,
                            satisfied=tuple(satisfied),
                        )
                    )
                    break
                satisfied.append(verdict)
            else:
                steps.append(
                    RuleVerdict(
                        rule=rule,
                        outcome=Outcome.MATCHED,
                        reason="all conditions hold",
                        satisfied=tuple(satisfied),
                    )
                )
                return self._explanation(steps, Match(rule=rule, result=rule.result))
        return self._explanation(steps, self._no_match)

    def _explanation(self, steps: list[RuleVerdict[R]], match: Match[R]) -> Explanation[R]:
        return Explanation(steps=tuple(steps), match=match, has_fallback=self.fallback is not None)
