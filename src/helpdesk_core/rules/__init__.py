"""Generic first-match rule tables: SLA rules and routing rules.

Rules are evaluated top to bottom by ``order``; the first enabled rule whose
conditions all hold on a ticket's *facts* wins, else the table's fallback.
Tables are data: they can be printed, linted, diffed and explained.
See ``docs/rules.md``.
"""

from helpdesk_core.rules.conditions import (
    CONDITION_TYPES,
    WEEKDAYS,
    AttributeEquals,
    AttributeIn,
    Calendars,
    Condition,
    Facts,
    FieldIn,
    FieldNotIn,
    InWeeklyWindow,
    InWorkingHours,
    SupportsIsWorking,
    condition_kind,
)
from helpdesk_core.rules.explain import ConditionVerdict, Explanation, Outcome, RuleVerdict
from helpdesk_core.rules.linting import FindingKind, LintFinding, lint
from helpdesk_core.rules.rule import Match, Rule, RuleFault
from helpdesk_core.rules.table import RuleTable
from helpdesk_core.rules.when import WHEN_FIELDS, conditions_from_when
from helpdesk_core.rules.wording import describe

__all__ = [
    "CONDITION_TYPES",
    "WEEKDAYS",
    "WHEN_FIELDS",
    "AttributeEquals",
    "AttributeIn",
    "Calendars",
    "Condition",
    "ConditionVerdict",
    "Explanation",
    "Facts",
    "FieldIn",
    "FieldNotIn",
    "FindingKind",
    "InWeeklyWindow",
    "InWorkingHours",
    "LintFinding",
    "Match",
    "Outcome",
    "Rule",
    "RuleFault",
    "RuleTable",
    "RuleVerdict",
    "SupportsIsWorking",
    "condition_kind",
    "conditions_from_when",
    "describe",
    "lint",
]
