"""One rule of a first-match table, and what evaluating a table yields."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Generic, TypeVar

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.rules.conditions import CONDITION_TYPES, Condition

R = TypeVar("R")


def _conditions(value: Iterable[Condition]) -> tuple[Condition, ...]:
    conditions = tuple(value)
    for index, condition in enumerate(conditions):
        if not isinstance(condition, CONDITION_TYPES):
            kinds = ", ".join(cls.__name__ for cls in CONDITION_TYPES)
            raise ValidationError(
                f"conditions[{index}]: expected one of {kinds}, "
                f"got {condition!r} ({type(condition).__name__})"
            )
    return conditions


def _name(_instance: object, _attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"name: expected a non-empty rule name, got {value!r}")


def _order(_instance: object, _attribute: attrs.Attribute[int], value: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValidationError(f"order: expected an integer, got {value!r}")


def _enabled(_instance: object, _attribute: attrs.Attribute[bool], value: bool) -> None:
    if not isinstance(value, bool):
        raise ValidationError(f"enabled: expected true or false, got {value!r}")


@attrs.frozen(kw_only=True)
class Rule(Generic[R]):
    """A named rule: when every condition holds, ``result`` applies.

    ``order`` places the rule in its table (lower first; equal orders keep
    their position). ``enabled=False`` keeps the rule in the table but skips it.
    A rule without conditions matches every ticket (a catch-all). Conditions
    are checked in the order written and stop at the first that fails.
    """

    name: str = attrs.field(validator=_name)
    order: int = attrs.field(validator=_order)
    result: R
    conditions: tuple[Condition, ...] = attrs.field(default=(), converter=_conditions)
    enabled: bool = attrs.field(default=True, validator=_enabled)

    @property
    def is_catch_all(self) -> bool:
        """Whether the rule matches every ticket (it has no conditions)."""
        return not self.conditions


@attrs.frozen
class RuleFault:
    """A condition that could not be decided, so the table used its fallback.

    ``message`` is the error's own words ("calendar 'x' is not known …").
    """

    rule: str
    condition: Condition
    message: str


@attrs.frozen
class Match(Generic[R]):
    """The outcome of :meth:`RuleTable.first_match`.

    ``rule`` is the winning rule, or None when no rule matched or a fault
    stopped the evaluation; ``result`` is the winner's result, else the
    table's fallback (which may itself be None).
    """

    rule: Rule[R] | None
    result: R | None
    faults: tuple[RuleFault, ...] = ()

    @property
    def used_fallback(self) -> bool:
        """Whether the result is the table's fallback rather than a rule's."""
        return self.rule is None
