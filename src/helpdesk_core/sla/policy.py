"""The SLA policy: the ``[sla]`` section of ``helpdesk.toml`` as a value.

A policy is a first-match :class:`~helpdesk_core.rules.RuleTable` whose results
are :class:`SlaTerms` (which calendar, how much working time to react and to
resolve), the calendars those terms name, and the share of a target below
which a ticket is *at risk*. It is built once and evaluated over millions of
tickets, so everything is parsed and resolved here, not per ticket.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any, Final

import attrs

from helpdesk_core.errors import ConfigError, ValidationError
from helpdesk_core.rules.rule import Rule
from helpdesk_core.rules.table import RuleTable
from helpdesk_core.rules.when import conditions_from_when
from helpdesk_core.sla.durations import parse_duration
from helpdesk_core.sla.escalation import EscalationPlan, plans_from_config
from helpdesk_core.sla.selection import CustomerFacts, RuleSelector, Selection
from helpdesk_core.sla.terms import AppliedRule, OnChange, SlaRule, SlaTerms, on_change
from helpdesk_core.worktime import WorkingCalendar

_RULE_KEYS: Final = (
    "name",
    "enabled",
    "when",
    "calendar",
    "reaction",
    "resolution",
    "escalation",
    "on_change",
)
_SECTION_KEYS: Final = ("at_risk_share", "rules", "escalations")


def _share(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if (
        not isinstance(value, int | float)
        or isinstance(value, bool)
        or not math.isfinite(value)
        or not 0 <= value <= 1
    ):
        raise ValidationError(
            f"SlaPolicy.at_risk_share: expected a number from 0 to 1, got {value!r}"
        )


def _readonly(value: Mapping[str, WorkingCalendar]) -> Mapping[str, WorkingCalendar]:
    return MappingProxyType(dict(value))


def _readonly_plans(
    value: Mapping[str, EscalationPlan] | None,
) -> Mapping[str, EscalationPlan] | None:
    return None if value is None else MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class SlaPolicy:
    """The SLA rules table, the calendars it names and the at-risk threshold.

    ``at_risk_share`` (a fraction, 0 to 1): a running target is *at risk* when
    less than this share of it remains. Construction refuses a rule naming a
    calendar that is not in ``calendars``.

    ``escalations`` are the escalation plans by name. When given (even empty),
    every rule's ``escalation`` must name one of them and every
    ``working_hours_only`` calendar must be in ``calendars``; None means the
    policy declares no plans and rule ``escalation`` names are left unchecked
    (a configuration written before plans existed still loads).
    """

    table: RuleTable[SlaTerms]
    calendars: Mapping[str, WorkingCalendar] = attrs.field(converter=_readonly)
    at_risk_share: float = attrs.field(default=0.2, validator=_share)
    escalations: Mapping[str, EscalationPlan] | None = attrs.field(
        default=None, converter=_readonly_plans
    )
    _applied: Mapping[str, AppliedRule] = attrs.field(init=False, repr=False, eq=False)
    _selector: RuleSelector = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if self.table.fallback is not None:
            raise ValidationError(
                "SlaPolicy.table: an SLA table has no fallback terms; "
                "end it with a rule without `when` instead (it matches every ticket)"
            )
        applied: dict[str, AppliedRule] = {}
        for index, rule in enumerate(self.table.rules):
            name = rule.result.calendar
            calendar = self.calendars.get(name)
            if calendar is None:
                raise ValidationError(
                    f"sla.rules[{index}].calendar: unknown calendar {name!r} "
                    f"(known: {_known(self.calendars)})"
                )
            applied[rule.name] = AppliedRule(rule, calendar)
        problem = _escalation_problem(self.table.in_order, self.escalations, self.calendars)
        if problem is not None:
            raise ValidationError(problem)
        object.__setattr__(self, "_applied", MappingProxyType(applied))
        object.__setattr__(
            self, "_selector", RuleSelector(self.table, self.calendars, self._applied)
        )

    @classmethod
    def from_config(
        cls,
        section: Mapping[str, Any],
        *,
        calendars: Mapping[str, WorkingCalendar],
        path: str = "sla",
    ) -> SlaPolicy:
        """The policy written in the ``[sla]`` section (``docs/formats.md``).

        ``calendars`` are the configured calendars by name. Every mistake is a
        :class:`ConfigError` naming its place, e.g. ``sla.rules[1].calendar:
        unknown calendar 'x' (known: 24x7, prague-office)``.
        """
        if not isinstance(section, Mapping):
            raise ConfigError(f"{path}: expected a table, got {section!r}")
        _refuse_unknown(section, _SECTION_KEYS, path)
        share = section.get("at_risk_share", 0.2)
        if (
            not isinstance(share, int | float)
            or isinstance(share, bool)
            or not 0 <= share <= 1  # before isfinite: a huge whole number overflows a float
            or not math.isfinite(share)
        ):
            got = "a whole number larger than 1" if isinstance(share, int) and share > 1 else repr(share)
            raise ConfigError(
                f"{path}.at_risk_share: expected a number from 0 to 1 (e.g. 0.2), got {got}"
            )
        raw_rules = section.get("rules", [])
        if not isinstance(raw_rules, Sequence) or isinstance(raw_rules, str):
            raise ConfigError(f"{path}.rules: expected a list of [[{path}.rules]] tables")
        rules = tuple(
            _rule_from_config(raw, order=index, calendars=calendars, path=f"{path}.rules[{index}]")
            for index, raw in enumerate(raw_rules)
        )
        seen: dict[str, int] = {}
        for index, rule in enumerate(rules):
            if rule.name in seen:
                raise ConfigError(
                    f"{path}.rules[{index}].name: {rule.name!r} is already the name of "
                    f"{path}.rules[{seen[rule.name]}]"
                )
            seen[rule.name] = index
        plans = None
        if "escalations" in section:
            plans = plans_from_config(
                section["escalations"], calendars=calendars, path=f"{path}.escalations"
            )
        problem = _escalation_problem(rules, plans, calendars, path=path)
        if problem is not None:
            raise ConfigError(problem)
        return cls(
            table=RuleTable(rules),
            calendars=calendars,
            at_risk_share=float(share),
            escalations=plans,
        )

    @property
    def rules(self) -> tuple[SlaRule, ...]:
        """The rules in evaluation order, disabled ones included."""
        return self.table.in_order

    def applied(self, name: str) -> AppliedRule | None:
        """The rule called ``name`` with its calendar, or None when there is none.

        A rule chosen by hand or by a customer group may be disabled in the
        table: disabling only takes a rule out of automatic selection.
        """
        return self._applied.get(name)

    def select(
        self,
        facts: Mapping[str, object],
        *,
        customer: CustomerFacts,
        manual: str | None = None,
        manual_note: str = "",
    ) -> Selection:
        """The rule in force for ``facts`` (see :mod:`helpdesk_core.sla.selection`):
        the rule chosen by hand, else the customer group's, else the table's."""
        return self._selector.select(
            facts, customer=customer, manual=manual, manual_note=manual_note
        )

    @property
    def selector(self) -> RuleSelector:
        """The policy's rule selector, which remembers its answers for the run."""
        return self._selector

    @property
    def tests_status(self) -> bool:
        """Whether a rule of the table tests the ticket's status (then every
        status change selects the rule again, like a priority change)."""
        return "status" in self._selector.tested

    def rule_names(self) -> tuple[str, ...]:
        """Every rule name, in evaluation order."""
        return tuple(rule.name for rule in self.table.in_order)

    def escalation_plan(self, name: str) -> EscalationPlan | None:
        """The escalation plan called ``name``, or None when the policy has none such."""
        if self.escalations is None:
            return None
        return self.escalations.get(name)


def _escalation_problem(
    rules: Sequence[SlaRule],
    plans: Mapping[str, EscalationPlan] | None,
    calendars: Mapping[str, WorkingCalendar],
    *,
    path: str = "sla",
) -> str | None:
    """The first rule naming an undefined plan, or plan naming an unknown
    calendar, as an error message; None when all is well."""
    plans = plans or {}
    for index, rule in enumerate(rules):
        name = rule.result.escalation
        if name is not None and name not in plans:
            return (
                f"{path}.rules[{index}].escalation: unknown escalation plan {name!r} "
                f"(known: {_known(plans)})"
            )
    for plan in plans.values():
        for level_index, level in enumerate(plan.levels):
            hours = level.working_hours_only
            if hours is not None and hours not in calendars:
                return (
                    f"escalation plan {plan.name!r} level {level_index}: working_hours_only "
                    f"names unknown calendar {hours!r} (known: {_known(calendars)})"
                )
    return None


def _known(names: Mapping[str, object]) -> str:
    return ", ".join(sorted(names)) or "none"


def _refuse_unknown(table: Mapping[str, Any], known: Sequence[str], path: str) -> None:
    for key in table:
        if key not in known:
            raise ConfigError(f"{path}.{key}: unknown key (expected one of: {', '.join(known)})")


def _rule_from_config(
    raw: object, *, order: int, calendars: Mapping[str, WorkingCalendar], path: str
) -> SlaRule:
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{path}: expected a table, got {raw!r}")
    _refuse_unknown(raw, _RULE_KEYS, path)
    for key in ("name", "calendar", "reaction", "resolution"):
        if key not in raw:
            raise ConfigError(f"{path}: missing {key!r}")
    name = raw["name"]
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{path}.name: expected a non-empty rule name, got {name!r}")
    enabled = raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{path}.enabled: expected true or false, got {enabled!r}")
    calendar = raw["calendar"]
    if not isinstance(calendar, str) or calendar not in calendars:
        raise ConfigError(
            f"{path}.calendar: unknown calendar {calendar!r} (known: {_known(calendars)})"
        )
    escalation = raw.get("escalation")
    if escalation is not None and (not isinstance(escalation, str) or not escalation):
        raise ConfigError(f"{path}.escalation: expected the name of an escalation plan")
    try:
        change = on_change(raw.get("on_change", OnChange.RESELECT.value))
    except ValidationError as error:
        raise ConfigError(f"{path}.{error}") from None
    conditions = conditions_from_when(raw.get("when", {}), path=f"{path}.when")
    terms = SlaTerms(
        calendar=calendar,
        reaction=parse_duration(raw["reaction"], path=f"{path}.reaction"),
        resolution=parse_duration(raw["resolution"], path=f"{path}.resolution"),
        escalation=escalation,
        on_change=change,
    )
    return Rule(name=name, order=order, enabled=enabled, conditions=conditions, result=terms)


__all__ = ["SlaPolicy"]
