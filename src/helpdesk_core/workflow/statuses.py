"""Statuses an admin defines, each mapped onto one fixed category.

Help desks let admins name statuses freely ("Needs clarification", "On hold");
the library reasons about them through a small fixed set of categories, so SLA,
workload and reports work for any configuration.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import identifier, non_blank


class StatusCategory(enum.Enum):
    """What a status means to the rules, whatever the admin calls it."""

    NEW = "new"
    """Registered, nobody has touched it yet."""
    OPEN = "open"
    """Being worked on by the service desk."""
    WAITING = "waiting"
    """Waiting for the customer, a third party or a date."""
    RESOLVED = "resolved"
    """Solved from the service side; the customer may confirm or reopen."""
    CLOSED = "closed"
    """Done. Closed tickets never count for SLA or workload."""

    @property
    def is_done(self) -> bool:
        """Resolved or closed: the resolution target is achieved."""
        return self in (StatusCategory.RESOLVED, StatusCategory.CLOSED)


def _category(value: object) -> StatusCategory:
    if isinstance(value, StatusCategory):
        return value
    try:
        return StatusCategory(value)
    except ValueError:
        allowed = ", ".join(c.value for c in StatusCategory)
        raise ValidationError(f"status category {value!r} is not one of: {allowed}") from None


def _closed_never_counts(instance: Status, attribute: attrs.Attribute[Any], value: bool) -> None:
    if value and instance.category is StatusCategory.CLOSED:
        raise ValidationError(f"status {instance.id!r}: a closed-category status never counts toward load")


@attrs.frozen(kw_only=True)
class Status:
    """One admin-defined status.

    ``pauses_sla``: time spent here does not count toward the resolution target.
    ``counts_toward_load``: tickets here count in the assignee's workload.
    ``requires_until``: moving here needs an until-time (e.g. *postponed*), when
    the ticket returns to work by itself.
    """

    id: str = attrs.field(validator=identifier)
    category: StatusCategory = attrs.field(converter=_category)
    name: str = attrs.field(validator=non_blank)
    pauses_sla: bool = False
    counts_toward_load: bool = attrs.field(default=True, validator=_closed_never_counts)
    requires_until: bool = False
    notify_customer: bool = False

    @classmethod
    def define(
        cls, id: str, category: StatusCategory | str, name: str | None = None, **flags: bool
    ) -> Status:
        """A status; a closed one defaults to not counting toward load."""
        category = _category(category)
        flags.setdefault("counts_toward_load", category is not StatusCategory.CLOSED)
        label = name or id.replace("_", " ").capitalize()
        return cls(id=id, category=category, name=label, **flags)


__all__ = ["Status", "StatusCategory"]
