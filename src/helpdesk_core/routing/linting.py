"""Static checks of the routing configuration against the staff directory.

The table's own mistakes come from :func:`helpdesk_core.rules.lint`
(``unknown_value``, ``never_matches`` — an unreachable rule —, ``shadowed``);
routing adds what only it knows: assignees and observers that do not exist or
are deactivated, groups without (active) members, members whose calendar is
unknown, and a table without a catch-all whose owner chain ends in nobody.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterator, Mapping

import attrs

from helpdesk_core.model.ticket import Assignee
from helpdesk_core.routing.policy import RoutingSettings, RoutingTable, Strategy
from helpdesk_core.routing.staff import StaffSnapshot
from helpdesk_core.rules import FindingKind, lint


class RoutingFindingKind(enum.StrEnum):
    """What kind of mistake a routing finding reports."""

    UNKNOWN_VALUE = "unknown_value"
    NEVER_MATCHES = "never_matches"
    SHADOWED = "shadowed"
    NO_CATCH_ALL = "no_catch_all"
    UNKNOWN_EMPLOYEE = "unknown_employee"
    UNKNOWN_GROUP = "unknown_group"
    DEACTIVATED = "deactivated"
    EMPTY_GROUP = "empty_group"
    UNKNOWN_CALENDAR = "unknown_calendar"


@attrs.frozen
class RoutingFinding:
    """One finding; ``rule`` is None for findings about the settings or the whole table."""

    kind: RoutingFindingKind
    rule: str | None
    message: str


_FROM_RULES = {
    FindingKind.UNKNOWN_VALUE: RoutingFindingKind.UNKNOWN_VALUE,
    FindingKind.NEVER_MATCHES: RoutingFindingKind.NEVER_MATCHES,
    FindingKind.SHADOWED: RoutingFindingKind.SHADOWED,
}


def _people(
    where: str, rule: str | None, assignee: Assignee, staff: StaffSnapshot, *, responsible: bool
) -> Iterator[RoutingFinding]:
    if assignee.group:
        group = staff.groups.get(assignee.id)
        if group is None:
            yield RoutingFinding(
                RoutingFindingKind.UNKNOWN_GROUP, rule, f"{where}: {assignee.id!r} is not a known group"
            )
        elif responsible and not group.members:
            yield RoutingFinding(
                RoutingFindingKind.EMPTY_GROUP, rule, f"{where}: group {assignee.id} has no members"
            )
        return
    employee = staff.employees.get(assignee.id)
    if employee is None:
        yield RoutingFinding(
            RoutingFindingKind.UNKNOWN_EMPLOYEE,
            rule,
            f"{where}: {assignee.id!r} is not a known employee",
        )
    elif not employee.active:
        fate = (
            "cannot be responsible; the owner chain answers instead"
            if responsible
            else "observes nothing useful"
        )
        yield RoutingFinding(
            RoutingFindingKind.DEACTIVATED,
            rule,
            f"{where}: employee {assignee.id} is deactivated and {fate}",
        )


def _observers(
    where: str,
    rule: str | None,
    employees: Collection[str],
    groups: Collection[str],
    staff: StaffSnapshot,
) -> Iterator[RoutingFinding]:
    for employee in sorted(employees):
        yield from _people(
            f"{where}.observer_employees", rule, Assignee(id=employee), staff, responsible=False
        )
    for group in sorted(groups):
        yield from _people(
            f"{where}.observer_groups", rule, Assignee(id=group, group=True), staff, responsible=False
        )


def _strategy_group(
    where: str, rule: str, group_id: str, staff: StaffSnapshot
) -> Iterator[RoutingFinding]:
    group = staff.groups.get(group_id)
    if group is None or not group.members:
        return
    active = [m for m in sorted(group.members) if m in staff.employees and staff.employees[m].active]
    if not active:
        yield RoutingFinding(
            RoutingFindingKind.EMPTY_GROUP,
            rule,
            f"{where}: no member of group {group_id} is an active employee, so it always keeps the ticket",
        )
    for member in active:
        calendar = staff.employees[member].calendar
        if calendar is not None and calendar not in staff.calendars:
            yield RoutingFinding(
                RoutingFindingKind.UNKNOWN_CALENDAR,
                rule,
                f"{where}: member {member} of group {group_id} has calendar {calendar!r}, which is not "
                "known, so the strategy always passes them over",
            )


def lint_routing(
    table: RoutingTable,
    settings: RoutingSettings,
    staff: StaffSnapshot,
    *,
    catalogs: Mapping[str, Collection[str]] | None = None,
    sla_rules: Collection[str] | None = None,
) -> tuple[RoutingFinding, ...]:
    """Every finding: the table's rules in evaluation order, then the settings,
    then the whole table. ``staff`` is the directory (loads and cursors are not
    read); ``catalogs`` as for :func:`helpdesk_core.rules.lint`; ``sla_rules``,
    when given, the SLA rule names ``sla_responsible`` may name."""
    findings: list[RoutingFinding] = []
    by_rule: dict[str | None, list[RoutingFinding]] = {}
    for finding in lint(table, catalogs or {}, calendars=tuple(staff.calendars)):
        kind = _FROM_RULES.get(finding.kind)
        if kind is not None:
            by_rule.setdefault(finding.rule, []).append(
                RoutingFinding(kind, finding.rule, finding.message)
            )
    for rule in table.in_order:
        findings.extend(by_rule.get(rule.name, ()))
        where = f"rule {rule.name!r}"
        result = rule.result
        findings.extend(
            _people(f"{where}.assignee", rule.name, result.assignee, staff, responsible=True)
        )
        if result.strategy is not Strategy.KEEP_GROUP:
            findings.extend(_strategy_group(f"{where}.assignee", rule.name, result.assignee.id, staff))
        findings.extend(
            _observers(where, rule.name, result.observer_employees, result.observer_groups, staff)
        )
    if settings.default_assignee is not None:
        findings.extend(
            _people("routing.default_assignee", None, settings.default_assignee, staff, responsible=True)
        )
    for name, assignee in sorted(settings.sla_responsible.items()):
        if sla_rules is not None and name not in sla_rules:
            known = ", ".join(sorted(sla_rules)) or "none"
            findings.append(
                RoutingFinding(
                    RoutingFindingKind.UNKNOWN_VALUE,
                    None,
                    f"routing.sla_responsible.{name}: {name!r} is not an SLA rule (known: {known})",
                )
            )
        findings.extend(
            _people(f"routing.sla_responsible.{name}", None, assignee, staff, responsible=True)
        )
    findings.extend(
        _observers("routing", None, settings.observer_employees, settings.observer_groups, staff)
    )
    if not any(rule.enabled and rule.is_catch_all for rule in table.rules):
        if settings.default_assignee is None:
            fate = "and routing.default_assignee is not set, so such a ticket may get no owner"
        else:
            fate = f"which ends with routing.default_assignee {settings.default_assignee.id}"
        findings.append(
            RoutingFinding(
                RoutingFindingKind.NO_CATCH_ALL,
                None,
                "no enabled rule matches every ticket: tickets no rule matches go down "
                f"the owner chain, {fate}",
            )
        )
    return tuple(findings)


__all__ = ["RoutingFinding", "RoutingFindingKind", "lint_routing"]
