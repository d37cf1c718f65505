"""The customer side: companies, their contacts, and customer groups.

Membership of a customer group is recorded once, on the member: a company or a
contact lists its ``customer_groups``. A :class:`CustomerGroup` holds no list of
members, so the two can never disagree; :func:`group_members` reads membership
back from the members.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from typing import Any

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import (
    domain_names,
    email_address,
    email_problem,
    enum_member,
    id_set,
    identifier,
    identifier_set,
    instance_or_none,
    member_of,
    non_blank,
    non_negative,
    required_identifier,
    text,
)
from helpdesk_core.model.ticket import Assignee

_assignee = instance_or_none(Assignee, "an Assignee (an employee or a group)")


def _domains(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        return value  # type: ignore[return-value]
    return frozenset(d.strip().lower() if isinstance(d, str) else d for d in value)


def _ids(value: Iterable[str]) -> frozenset[str]:
    """:func:`id_set`, returning a frozenset at once: most sets of a record are
    the empty default, and ``frozenset(s)`` is ``s`` for a frozenset anyway."""
    if value.__class__ is frozenset:
        return value
    return id_set(value)


def _id_members(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    """:func:`identifier_set`, with the empty frozenset (the default of most
    sets, always valid) let through without a call."""
    if value.__class__ is frozenset and not value:
        return
    identifier_set(instance, attribute, value)


def _domain_set(instance: Any, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, frozenset):
        raise ValidationError(
            f"{type(instance).__name__}.{attribute.name}: expected a collection of domains, "
            f"got {value!r}"
        )
    domain_names(instance, attribute, value)


@attrs.frozen(kw_only=True)
class Company:
    """A customer organisation.

    ``category`` is a client-category id (see ``catalog.ClientCategory``);
    ``domains`` are the mail domains of its people, lower-cased, so that mail from
    an unknown sender at ``@example.com`` can be filed under the company.
    ``responsible`` is the account manager, an employee or an employee group.
    """

    id: str = attrs.field(validator=required_identifier)
    name: str = attrs.field(validator=non_blank)
    category: str = attrs.field(default="client", validator=required_identifier)
    email: str | None = attrs.field(default=None, validator=email_address)
    phone: str | None = attrs.field(default=None, validator=text)
    domains: frozenset[str] = attrs.field(
        default=frozenset(), converter=_domains, validator=_domain_set
    )
    responsible: Assignee | None = attrs.field(default=None, validator=_assignee)
    observer_employees: frozenset[str] = attrs.field(
        default=frozenset(), converter=_ids, validator=_id_members
    )
    observer_groups: frozenset[str] = attrs.field(
        default=frozenset(), converter=_ids, validator=_id_members
    )
    customer_groups: frozenset[str] = attrs.field(
        default=frozenset(), converter=_ids, validator=_id_members
    )
    external_id: str | None = attrs.field(default=None, validator=identifier)

    def owns_email(self, address: str) -> bool:
        """True when ``address`` is at one of the company's domains (any case)."""
        if email_problem(address) is not None:
            return False
        return address.rsplit("@", 1)[1].lower() in self.domains


class PortalAccess(enum.Enum):
    """What a contact may see on the client portal. One level per contact; which
    tickets each level shows is decided by the visibility rules, not here."""

    NONE = "none"
    """No portal login."""
    OWN_TICKETS = "own_tickets"
    """Only the tickets where the contact is the contact."""
    COMPANY_TICKETS = "company_tickets"
    """Every ticket of the contact's company (needs a company)."""
    SERVICE_OBJECT_TICKETS = "service_object_tickets"
    """Tickets of the service objects listed in ``Contact.service_objects``."""
    SUPERVISED_COMPANIES = "supervised_companies"
    """Tickets of the companies listed in ``Contact.supervised_companies``."""
    REPORTS = "reports"
    """Company tickets and the portal reports (needs a company)."""


def _portal_access(value: PortalAccess | str) -> PortalAccess:
    return enum_member(PortalAccess, value)


@attrs.frozen(kw_only=True)
class Contact:
    """A person on the customer side, of a company or an individual (``company=None``).

    ``copy_email`` is a second address that receives the same notifications.
    ``employee`` links a contact who is also one of our employees. At least one of
    ``first_name`` / ``last_name`` is required: many people are known by one name.
    """

    id: str = attrs.field(validator=required_identifier)
    first_name: str = attrs.field(default="", validator=text)
    last_name: str = attrs.field(default="", validator=text)
    company: str | None = attrs.field(default=None, validator=identifier)
    email: str | None = attrs.field(default=None, validator=email_address)
    copy_email: str | None = attrs.field(default=None, validator=email_address)
    phone: str | None = attrs.field(default=None, validator=text)
    mobile: str | None = attrs.field(default=None, validator=text)
    responsible: Assignee | None = attrs.field(default=None, validator=_assignee)
    portal_access: PortalAccess = attrs.field(
        default=PortalAccess.NONE,
        converter=_portal_access,
        validator=member_of(PortalAccess),
    )
    service_objects: frozenset[str] = attrs.field(
        default=frozenset(), converter=_ids, validator=_id_members
    )
    supervised_companies: frozenset[str] = attrs.field(
        default=frozenset(), converter=_ids, validator=_id_members
    )
    employee: str | None = attrs.field(default=None, validator=identifier)
    observer_employees: frozenset[str] = attrs.field(
        default=frozenset(), converter=_ids, validator=_id_members
    )
    observer_groups: frozenset[str] = attrs.field(
        default=frozenset(), converter=_ids, validator=_id_members
    )
    notes: str = attrs.field(default="", validator=text)
    customer_groups: frozenset[str] = attrs.field(
        default=frozenset(), converter=_ids, validator=_id_members
    )
    external_id: str | None = attrs.field(default=None, validator=identifier)

    def __attrs_post_init__(self) -> None:
        if not (self.first_name.strip() or self.last_name.strip()):
            raise ValidationError(
                f"Contact.first_name/last_name: contact {self.id} needs a first or a last "
                f"name, got {self.first_name!r} and {self.last_name!r}"
            )
        needs_company = (PortalAccess.COMPANY_TICKETS, PortalAccess.REPORTS)
        if self.portal_access in needs_company and self.company is None:
            raise ValidationError(
                f"Contact.portal_access: contact {self.id} is an individual (no company), "
                f"so {self.portal_access.value!r} is impossible"
            )

    @property
    def display_name(self) -> str:
        """First and last name as people write them, e.g. ``"Jana Nováková"``."""
        return " ".join(p for p in (self.first_name.strip(), self.last_name.strip()) if p)

    @property
    def notification_emails(self) -> tuple[str, ...]:
        """The addresses a notification goes to: ``email`` then ``copy_email``."""
        found = (self.email, self.copy_email)
        return tuple(dict.fromkeys(a for a in found if a is not None))


@attrs.frozen(kw_only=True)
class CustomerGroup:
    """A set of customers across directories (AyMINE), carrying a default SLA
    rule and price lists. Being in a group grants no access to anything.

    ``priority`` orders price lists when a customer is in several groups:
    the lower number applies first. ``sla`` names an SLA rule.
    Members are not stored here: see the module docstring.
    """

    id: str = attrs.field(validator=required_identifier)
    name: str = attrs.field(validator=non_blank)
    sla: str | None = attrs.field(default=None, validator=identifier)
    responsible: Assignee | None = attrs.field(default=None, validator=_assignee)
    priority: int = attrs.field(default=0, validator=non_negative)
    external_id: str | None = attrs.field(default=None, validator=identifier)


def groups_by_priority(groups: Iterable[CustomerGroup]) -> tuple[CustomerGroup, ...]:
    """Customer groups in the order their price lists apply (priority, then id)."""
    return tuple(sorted(groups, key=lambda g: (g.priority, g.id)))


def group_members(
    group_id: str, parties: Iterable[Company | Contact]
) -> tuple[Company | Contact, ...]:
    """The companies and contacts among ``parties`` that list ``group_id``."""
    return tuple(p for p in parties if group_id in p.customer_groups)


__all__ = [
    "Company",
    "Contact",
    "CustomerGroup",
    "PortalAccess",
    "group_members",
    "groups_by_priority",
]
