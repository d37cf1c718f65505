"""The service side: employees, their roles and their groups.

Group membership is written in two places because both files carry it — an
employee's ``groups`` (employees import) and a group's ``members``. Neither is
derived from the other; :func:`membership_conflicts` lists where they disagree
so that an import or a config lint can refuse the pair.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import (
    email_address,
    enum_member,
    flag,
    id_set,
    identifier,
    identifier_set,
    member_of,
    non_blank,
    non_negative,
    required,
    required_identifier,
    text,
)

_SHOWN_TICKETS = 10
"""How many blocking tickets a refused deactivation names before counting the rest."""


class StillResponsible(ValidationError):
    """An employee cannot be deactivated: ``tickets`` are the unclosed tickets
    they are still responsible for (reassign or close them first)."""

    def __init__(self, tickets: Collection[str], message: str) -> None:
        super().__init__(message)
        self.tickets = tuple(tickets)


class Role(enum.Enum):
    """What an employee may do (``docs/model.md``, Staff)."""

    ADMINISTRATOR = "administrator"
    """Everything, settings included."""
    LEAD_SPECIALIST = "lead_specialist"
    """No settings; reports if granted."""
    SPECIALIST = "specialist"
    """Tickets and the knowledge base; sees the customers of their own tickets."""


def _role(value: Role | str) -> Role:
    return enum_member(Role, value)


def _capacity(instance: object, attribute: attrs.Attribute[int | None], value: object) -> None:
    if value is not None:
        non_negative(instance, attribute, value)


@attrs.frozen(kw_only=True)
class Employee:
    """Somebody of the service desk. A deactivated employee (``active=False``)
    can neither log in nor be responsible for a ticket, and keeps their history.
    At least one of ``first_name`` / ``last_name`` is required.

    ``calendar`` names the working calendar of their own hours (None: routing
    treats them as always at work); ``capacity`` is how many tickets in statuses
    that count toward load they may hold before a routing strategy passes them
    over (None: no limit). Neither limits assigning by hand."""

    id: str = attrs.field(validator=required_identifier)
    first_name: str = attrs.field(default="", validator=text)
    last_name: str = attrs.field(default="", validator=text)
    email: str = attrs.field(validator=[required, email_address])
    role: Role = attrs.field(
        default=Role.SPECIALIST, converter=_role, validator=member_of(Role)
    )
    active: bool = attrs.field(default=True, validator=flag)
    groups: frozenset[str] = attrs.field(
        default=frozenset(), converter=id_set, validator=identifier_set
    )
    external_id: str | None = attrs.field(default=None, validator=identifier)
    calendar: str | None = attrs.field(default=None, validator=identifier)
    capacity: int | None = attrs.field(default=None, validator=_capacity)

    def __attrs_post_init__(self) -> None:
        if not (self.first_name.strip() or self.last_name.strip()):
            raise ValidationError(
                f"Employee.first_name/last_name: employee {self.id} needs a first or a last "
                f"name, got {self.first_name!r} and {self.last_name!r}"
            )

    @property
    def display_name(self) -> str:
        """First and last name as people write them."""
        return " ".join(p for p in (self.first_name.strip(), self.last_name.strip()) if p)

    @property
    def can_be_responsible(self) -> bool:
        """Only an active employee may be made responsible for a ticket."""
        return self.active

    def deactivated(self, *, unclosed_tickets: Collection[str]) -> Employee:
        """This employee, deactivated. ``unclosed_tickets`` are the ids of the
        unclosed tickets they are responsible for (the caller, which has the
        tickets, computes them); any such ticket refuses the deactivation."""
        if unclosed_tickets:
            ids = sorted(unclosed_tickets)
            shown = ", ".join(ids[:_SHOWN_TICKETS])
            rest = len(ids) - _SHOWN_TICKETS
            more = f" and {rest} more" if rest > 0 else ""
            raise StillResponsible(
                ids,
                f"employee {self.id} ({self.display_name}) cannot be deactivated while "
                f"responsible for {len(ids)} unclosed ticket(s): {shown}{more}; "
                "reassign or close them first"
            )
        return attrs.evolve(self, active=False)

    def activated(self) -> Employee:
        """This employee, active again."""
        return attrs.evolve(self, active=True)


@attrs.frozen(kw_only=True)
class EmployeeGroup:
    """A group of employees by function (1st line, field engineers…).

    ``notification_list`` are the members told about tickets assigned to the
    group; it is a subset of ``members`` (an outsider who wants the mail is made
    an observer instead). ``manager`` need not be a member: a head of department
    may manage a group without working its tickets.
    """

    id: str = attrs.field(validator=required_identifier)
    name: str = attrs.field(validator=non_blank)
    members: frozenset[str] = attrs.field(
        default=frozenset(), converter=id_set, validator=identifier_set
    )
    notification_list: frozenset[str] = attrs.field(
        default=frozenset(), converter=id_set, validator=identifier_set
    )
    manager: str | None = attrs.field(default=None, validator=identifier)
    external_id: str | None = attrs.field(default=None, validator=identifier)

    def __attrs_post_init__(self) -> None:
        outsiders = self.notification_list - self.members
        if outsiders:
            raise ValidationError(
                f"EmployeeGroup.notification_list: group {self.id}: "
                f"{', '.join(sorted(outsiders))} not among the members"
            )


def membership_conflicts(
    employees: Iterable[Employee], groups: Iterable[EmployeeGroup]
) -> tuple[str, ...]:
    """Every place where an employee's ``groups`` and a group's ``members``
    disagree, one sentence each, sorted. Pass all employees and all groups:
    an id missing from either is reported as unknown."""
    by_id = {g.id: g for g in groups}
    people = {e.id: e for e in employees}
    problems: set[str] = set()
    for employee in people.values():
        for group_id in employee.groups:
            group = by_id.get(group_id)
            if group is None:
                problems.add(f"employee {employee.id} lists unknown group {group_id}")
            elif employee.id not in group.members:
                problems.add(
                    f"employee {employee.id} lists group {group_id}, "
                    "which does not list them as a member"
                )
    for group in by_id.values():
        for member in group.members:
            if member not in people:
                problems.add(f"group {group.id} lists unknown employee {member}")
            elif group.id not in people[member].groups:
                problems.add(
                    f"group {group.id} lists member {member}, who does not list the group"
                )
    return tuple(sorted(problems))


__all__ = ["Employee", "EmployeeGroup", "Role", "StillResponsible", "membership_conflicts"]
