"""How a group assignee hands a new ticket to one of its members.

A member qualifies when they are a known, active employee, inside the working
hours of their own calendar at the instant (no calendar: always), and under
their capacity (no capacity: no limit). Members are taken in the order a
person reads their ids — digits as numbers, so E-3 comes before E-12
(:func:`reading_order`) — and ties are broken the same way, so the same
snapshot always gives the same member. When nobody qualifies the group
keeps the ticket and the outcome says why, member by member.
"""

from __future__ import annotations

import re
from datetime import datetime

from helpdesk_core.model.staff import EmployeeGroup
from helpdesk_core.routing.decision import MemberVerdict, StrategyOutcome
from helpdesk_core.routing.policy import Strategy
from helpdesk_core.routing.staff import StaffSnapshot

_RUNS = re.compile(r"(\d+)")


def reading_order(employee: str) -> tuple[tuple[tuple[int, int | str], ...], str]:
    """The sort key of an id as a person reads it: runs of digits compared as
    numbers (``E-3`` < ``E-12``), the id itself last (``E-03`` and ``E-3``
    stay apart)."""
    runs = tuple(
        (1, int(run)) if run.isdigit() else (0, run) for run in _RUNS.split(employee) if run
    )
    return runs, employee


def member_verdict(employee_id: str, at: datetime, staff: StaffSnapshot) -> MemberVerdict:
    """Whether ``employee_id`` may be handed a ticket at ``at``, and why."""
    load = staff.load_of(employee_id)
    employee = staff.employees.get(employee_id)
    if employee is None:
        return MemberVerdict(
            employee=employee_id, qualifies=False, reason="not a known employee", load=load
        )
    if not employee.active:
        return MemberVerdict(employee=employee_id, qualifies=False, reason="deactivated", load=load)
    hours = "no calendar of their own"
    if employee.calendar is not None:
        calendar = staff.calendars.get(employee.calendar)
        if calendar is None:
            return MemberVerdict(
                employee=employee_id,
                qualifies=False,
                reason=f"their calendar {employee.calendar!r} is not known",
                load=load,
            )
        if not calendar.is_working(at):
            return MemberVerdict(
                employee=employee_id,
                qualifies=False,
                reason=f"outside the working hours of {employee.calendar!r} at {at.isoformat()}",
                load=load,
            )
        hours = f"inside the working hours of {employee.calendar!r}"
    if employee.capacity is not None and load >= employee.capacity:
        return MemberVerdict(
            employee=employee_id,
            qualifies=False,
            reason=f"at capacity ({load} of {employee.capacity} tickets)",
            load=load,
        )
    limit = (
        "no capacity limit" if employee.capacity is None else f"{load} of {employee.capacity} tickets"
    )
    return MemberVerdict(
        employee=employee_id, qualifies=True, reason=f"active, {hours}, {limit}", load=load
    )


def hand_over(
    group: EmployeeGroup, strategy: Strategy, at: datetime, staff: StaffSnapshot
) -> StrategyOutcome:
    """The member of ``group`` that ``strategy`` chooses at ``at``, or why none."""
    if strategy is Strategy.KEEP_GROUP:
        return StrategyOutcome(
            group=group.id, strategy=strategy, chosen=None, reason="the group keeps the ticket"
        )
    members = sorted(group.members, key=reading_order)
    if not members:
        return StrategyOutcome(
            group=group.id,
            strategy=strategy,
            chosen=None,
            reason="the group has no members, so it keeps the ticket",
        )
    verdicts = tuple(member_verdict(member, at, staff) for member in members)
    qualifying = [verdict for verdict in verdicts if verdict.qualifies]
    if not qualifying:
        return StrategyOutcome(
            group=group.id,
            strategy=strategy,
            chosen=None,
            reason="no member qualifies, so the group keeps the ticket",
            members=verdicts,
        )
    if strategy is Strategy.ROUND_ROBIN:
        last = staff.cursors.get(group.id)
        after = [
            v for v in qualifying if last is None or reading_order(v.employee) > reading_order(last)
        ]
        chosen = (after or qualifying)[0].employee
        where = (
            "the first qualifying member" if last is None else f"the next qualifying member after {last}"
        )
        return StrategyOutcome(
            group=group.id,
            strategy=strategy,
            chosen=chosen,
            reason=f"{chosen} is {where} (by id)",
            members=verdicts,
            cursor=chosen,
        )
    best = min(qualifying, key=lambda v: (v.load, reading_order(v.employee)))
    return StrategyOutcome(
        group=group.id,
        strategy=strategy,
        chosen=best.employee,
        reason=f"{best.employee} holds the fewest tickets ({best.load}; ties by id)",
        members=verdicts,
    )


__all__ = ["hand_over", "member_verdict", "reading_order"]
