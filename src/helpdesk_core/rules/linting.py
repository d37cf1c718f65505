"""Static checks of a rule table: mistakes an admin would want to hear about.

Findings (``LintFinding.kind``):

- ``unknown_value``: a condition names a value missing from the field's
  catalog (a typo like ``"hihg"``), or a calendar missing from ``calendars``.
- ``never_matches``: the rule's conditions contradict each other, or a
  positive condition lists no known value at all.
- ``shadowed``: an earlier enabled rule matches every ticket this enabled rule
  matches, so it can never win. The reasoning is conservative: it is reported
  only when it is certain, per condition kind (see :func:`_implies`). Shadowing
  by several earlier rules together is not detected.
- ``no_catch_all``: no enabled rule matches every ticket and there is no
  fallback, so some tickets may get no result.
- ``uncovered``: combinations of ``type × priority × client_category`` (those
  with a catalog) for which no enabled rule matches *for certain*. A rule
  covers a combination only when all its conditions are ``FieldIn`` /
  ``FieldNotIn`` on those fields and hold for it; a rule with any other
  condition (channel, company, an attribute, a time window …) may or may not
  match, so it covers nothing. One summary finding gives the counts, then at
  most ``max_uncovered`` combinations are listed.

Fields listed in ``multi_valued`` may hold several values at once; for them
``FieldIn`` sets are not intersected (``("G-1", "G-2")`` is in both
``["G-1"]`` and ``["G-2"]``). Every other field is taken to hold one value.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Collection, Mapping, Sequence
from enum import StrEnum
from typing import Final

import attrs

from helpdesk_core.rules.conditions import (
    AttributeEquals,
    AttributeIn,
    Calendars,
    Condition,
    FieldIn,
    FieldNotIn,
    InWeeklyWindow,
    InWorkingHours,
)
from helpdesk_core.rules.rule import R, Rule
from helpdesk_core.rules.table import RuleTable
from helpdesk_core.rules.wording import describe

COVERAGE_FIELDS: Final = ("type", "priority", "client_category")
"""The fields whose catalog product the ``uncovered`` check walks."""

MULTI_VALUED_FIELDS: Final = ("customer_group",)
"""Fields a ticket may hold several values of, by default."""


class FindingKind(StrEnum):
    """What kind of mistake a finding reports."""

    UNKNOWN_VALUE = "unknown_value"
    NEVER_MATCHES = "never_matches"
    SHADOWED = "shadowed"
    NO_CATCH_ALL = "no_catch_all"
    UNCOVERED = "uncovered"


@attrs.frozen
class LintFinding:
    """One finding; ``rule`` is None for findings about the whole table."""

    kind: FindingKind
    rule: str | None
    message: str


@attrs.frozen
class _Shape:
    """A rule's conditions grouped for reasoning (built once per rule)."""

    included: Mapping[str, tuple[frozenset[str], ...]]
    excluded: Mapping[str, frozenset[str]]
    attributes: Mapping[str, tuple[frozenset[str], ...]]
    timed: tuple[Condition, ...]

    @classmethod
    def of(cls, conditions: Sequence[Condition]) -> _Shape:
        included: dict[str, tuple[frozenset[str], ...]] = {}
        excluded: dict[str, frozenset[str]] = {}
        attributes: dict[str, tuple[frozenset[str], ...]] = {}
        timed: list[Condition] = []
        for condition in conditions:
            match condition:
                case FieldIn(field=field, values=values):
                    included[field] = (*included.get(field, ()), values)
                case FieldNotIn(field=field, values=values):
                    excluded[field] = excluded.get(field, frozenset()) | values
                case AttributeEquals(name=name, value=value):
                    attributes[name] = (*attributes.get(name, ()), frozenset((value,)))
                case AttributeIn(name=name, values=values):
                    attributes[name] = (*attributes.get(name, ()), values)
                case InWorkingHours() | InWeeklyWindow():
                    timed.append(condition)
        return cls(included, excluded, attributes, tuple(timed))

    def allowed(self, field: str) -> frozenset[str] | None:
        """For a single-valued field with FieldIn: the values it may take."""
        sets = self.included.get(field)
        if not sets:
            return None
        return frozenset.intersection(*sets) - self.excluded.get(field, frozenset())


def _implies(shape: _Shape, condition: Condition, multi_valued: Collection[str]) -> bool:
    """Whether every fact set satisfying ``shape`` satisfies ``condition``.

    False means "not certain", never "certainly not".
    """
    match condition:
        case FieldIn(field=field, values=values):
            if any(mine <= values for mine in shape.included.get(field, ())):
                return True
            allowed = None if field in multi_valued else shape.allowed(field)
            return allowed is not None and allowed <= values
        case FieldNotIn(field=field, values=values):
            if values <= shape.excluded.get(field, frozenset()):
                return True
            allowed = None if field in multi_valued else shape.allowed(field)
            return allowed is not None and allowed.isdisjoint(values)
        case AttributeEquals(name=name, value=value):
            return any(mine <= {value} for mine in shape.attributes.get(name, ()))
        case AttributeIn(name=name, values=values):
            return any(mine <= values for mine in shape.attributes.get(name, ()))
        case InWorkingHours() | InWeeklyWindow():
            return condition in shape.timed


def _covers(earlier: Rule[R], shape: _Shape, multi_valued: Collection[str]) -> bool:
    return all(_implies(shape, condition, multi_valued) for condition in earlier.conditions)


_EVERYTHING: Final = _Shape({}, {}, {}, ())


def _contradiction(
    rule: Rule[R], catalogs: Mapping[str, Collection[str]], multi_valued: Collection[str]
) -> str | None:
    """Why the rule can never match, or None when it may."""
    shape = _Shape.of(rule.conditions)
    for condition in rule.conditions:
        match condition:
            case FieldIn(values=values) | AttributeIn(values=values) if not values:
                return f"{describe(condition)}: the list is empty"
            case InWeeklyWindow(days=days) if not days:
                return f"{describe(condition)}: the window has no days"
    for field, sets in shape.included.items():
        excluded = shape.excluded.get(field, frozenset())
        known = catalogs.get(field)
        words = " and ".join(
            describe(c)
            for c in rule.conditions
            if isinstance(c, FieldIn | FieldNotIn) and c.field == field
        )
        candidates = [s - excluded for s in sets] if field in multi_valued else [shape.allowed(field)]
        for candidate in candidates:
            if not candidate:
                return f"no {field} satisfies {words}"
            if known is not None and candidate.isdisjoint(known):
                return f"no known {field} satisfies {words}"
    for name, sets in shape.attributes.items():
        known = catalogs.get(f"attributes.{name}")
        if known is not None and any(s.isdisjoint(known) for s in sets):
            return f"no known value of attribute {name} satisfies its condition"
    return None


def _in_catalog_order(values: Collection[str]) -> list[str]:
    """A catalog as written when it is a sequence (low, normal, high…), else sorted."""
    if isinstance(values, Sequence) and not isinstance(values, str):
        return [str(value) for value in values]
    return sorted(map(str, values))


def _unknown_values(
    rule: Rule[R],
    catalogs: Mapping[str, Collection[str]],
    calendars: Collection[str] | None,
) -> list[LintFinding]:
    findings: list[LintFinding] = []
    for condition in rule.conditions:
        match condition:
            case FieldIn(field=field, values=values) | FieldNotIn(field=field, values=values):
                subject, known = field, catalogs.get(field)
            case AttributeEquals(name=name, value=value):
                subject, values = f"attribute {name}", frozenset((value,))
                known = catalogs.get(f"attributes.{name}")
            case AttributeIn(name=name, values=values):
                subject, known = f"attribute {name}", catalogs.get(f"attributes.{name}")
            case InWorkingHours(calendar=calendar):
                subject, values, known = "calendar", frozenset((calendar,)), calendars
            case _:
                continue
        if known is None:
            continue
        for value in sorted(values.difference(known)):
            choices = _in_catalog_order(known)
            close = difflib.get_close_matches(value, choices, n=1)
            hint = f", did you mean {close[0]!r}?" if close else ""
            findings.append(
                LintFinding(
                    FindingKind.UNKNOWN_VALUE,
                    rule.name,
                    f"rule {rule.name!r}: {value!r} is not a known {subject}{hint} "
                    f"(known: {', '.join(choices)})",
                )
            )
    return findings


def _uncovered(
    rules: Sequence[Rule[R]],
    catalogs: Mapping[str, Collection[str]],
    has_fallback: bool,
    max_uncovered: int,
) -> list[LintFinding]:
    fields = [field for field in COVERAGE_FIELDS if field in catalogs]
    if not fields:
        return []
    plain = [
        rule
        for rule in rules
        if rule.enabled
        and all(isinstance(c, FieldIn | FieldNotIn) and c.field in fields for c in rule.conditions)
    ]
    checks = [tuple(c.compile() for c in rule.conditions) for rule in plain]
    no_calendars: Calendars = {}
    combos = list(itertools.product(*(_in_catalog_order(catalogs[f]) for f in fields)))
    missing: list[dict[str, object]] = []
    for combo in combos:
        facts: dict[str, object] = dict(zip(fields, combo, strict=True))
        if not any(all(check(facts, no_calendars) for check in rule) for rule in checks):
            missing.append(facts)
    if not missing:
        return []
    product = " × ".join(fields)
    fate = "the fallback applies to them" if has_fallback else "tickets with them get no result"
    listed = min(len(missing), max_uncovered)
    summary = (
        f"{len(missing)} of {len(combos)} combinations of {product} match no rule for certain "
        f"({fate}); {'the first ' + str(listed) if listed < len(missing) else 'all'} listed"
    )
    findings = [LintFinding(FindingKind.UNCOVERED, None, summary)]
    for facts in missing[:listed]:
        shown = ", ".join(f"{field}={value!r}" for field, value in facts.items())
        findings.append(
            LintFinding(FindingKind.UNCOVERED, None, f"{shown} matches no rule for certain")
        )
    return findings


def lint(
    table: RuleTable[R],
    catalogs: Mapping[str, Collection[str]],
    *,
    multi_valued: Collection[str] = MULTI_VALUED_FIELDS,
    calendars: Collection[str] | None = None,
    max_uncovered: int = 10,
) -> tuple[LintFinding, ...]:
    """Every finding about ``table``: per rule in evaluation order, then the table's.

    ``catalogs`` maps a fact field (or ``"attributes.NAME"``) to its known
    values, e.g. ``{"priority": ["low", "normal", "high", "critical"]}``;
    fields without a catalog are open-ended. ``calendars``, when given, are
    the known calendar names.
    """
    findings: list[LintFinding] = []
    earlier: list[Rule[R]] = []
    for rule in table.in_order:
        findings.extend(_unknown_values(rule, catalogs, calendars))
        contradiction = _contradiction(rule, catalogs, multi_valued)
        if contradiction is not None:
            findings.append(
                LintFinding(
                    FindingKind.NEVER_MATCHES,
                    rule.name,
                    f"rule {rule.name!r} never matches: {contradiction}",
                )
            )
        if not rule.enabled:
            continue
        if contradiction is None:
            shape = _Shape.of(rule.conditions)
            for above in earlier:
                if _covers(above, shape, multi_valued):
                    findings.append(
                        LintFinding(
                            FindingKind.SHADOWED,
                            rule.name,
                            f"rule {rule.name!r} can never win: {above.name!r} comes first "
                            f"and matches every ticket that {rule.name!r} matches",
                        )
                    )
                    break
        earlier.append(rule)
    catch_all = any(_covers(rule, _EVERYTHING, multi_valued) for rule in earlier)
    if not catch_all and table.fallback is None:
        findings.append(
            LintFinding(
                FindingKind.NO_CATCH_ALL,
                None,
                "no enabled rule matches every ticket and the table has no fallback: "
                "a ticket that no rule matches gets no result",
            )
        )
    findings.extend(_uncovered(table.in_order, catalogs, table.fallback is not None, max_uncovered))
    return tuple(findings)

