"""A snapshot of the staff as routing sees it at one instant: who exists and is
active, who is in which group, their calendars and capacities, how many tickets
each holds, and where each group's round robin stands. The caller (the desk)
reads it from the store; routing only reads it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any

import attrs

from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.rules import SupportsIsWorking


def _readonly(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


@attrs.frozen(kw_only=True)
class StaffSnapshot:
    """The staff at one instant.

    ``employees`` and ``groups`` by id (deactivated employees included: routing
    must know them to pass them over). ``calendars`` by name: the table's time
    conditions and the employees' own ``calendar`` are looked up here.
    ``load`` is, per employee, the number of tickets they are responsible for
    in statuses that count toward load (absent: 0). ``cursors`` is, per group,
    the member the group's round robin gave its last ticket to.
    """

    employees: Mapping[str, Employee] = attrs.field(factory=dict, converter=_readonly)
    groups: Mapping[str, EmployeeGroup] = attrs.field(factory=dict, converter=_readonly)
    calendars: Mapping[str, SupportsIsWorking] = attrs.field(factory=dict, converter=_readonly)
    load: Mapping[str, int] = attrs.field(factory=dict, converter=_readonly)
    cursors: Mapping[str, str] = attrs.field(factory=dict, converter=_readonly)

    @classmethod
    def of(
        cls,
        employees: Iterable[Employee],
        groups: Iterable[EmployeeGroup] = (),
        *,
        calendars: Mapping[str, SupportsIsWorking] | None = None,
        load: Mapping[str, int] | None = None,
        cursors: Mapping[str, str] | None = None,
    ) -> StaffSnapshot:
        """The snapshot of these employees and groups."""
        return cls(
            employees={employee.id: employee for employee in employees},
            groups={group.id: group for group in groups},
            calendars=calendars or {},
            load=load or {},
            cursors=cursors or {},
        )

    def load_of(self, employee: str) -> int:
        """The tickets counting toward ``employee``'s load (0 when none recorded)."""
        return self.load.get(employee, 0)


__all__ = ["StaffSnapshot"]
