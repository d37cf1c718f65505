"""The field registry: where personal data can live, and what erasure, export
and retention do with each place.

Every field of every stored class is classified here — a test walks the model
and fails on a field that is not — so that a new field cannot be forgotten by
the erasure, nor left out of the export: both read this one table.

Treatments:

``IDENTITY``
    Part of the identity of the record's own person (a contact's name, an
    employee's e-mail). Replaced on that person's own record; left alone on
    anybody else's (a namesake keeps their name).
``TEXT``
    Free text about anyone: identifiers inside are replaced; on the person's
    own record the whole text is cleared; retention blanks it.
``TEXT_TREE``
    A JSON-like mapping (custom attributes, unknown keys): every string leaf is
    treated as ``TEXT``.
``HEADERS``
    E-mail headers: values as ``TEXT``; a Message-ID-like value that embeds the
    person's address is replaced whole.
``SENT_FILE``
    An attachment's name or digest: when the person sent it, replaced (the name)
    or dropped (the digest of its content); otherwise the name is ``TEXT``.
``REFERENCES``
    Ids of people (@mentions, observers): the person's id is removed (a
    single id, such as the employee of an observer change, becomes None).
``NESTED``
    Records inside the record (events, attachments), classified on their own.
``KEPT``
    No personal data: ids of records, instants, statuses, numbers.
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from helpdesk_core.model.assets import Equipment, ServiceObject
from helpdesk_core.model.contracts import Contract, ServicePeriod
from helpdesk_core.model.domain_events import DomainEvent, ScheduleEntry
from helpdesk_core.model.parties import Company, Contact, CustomerGroup
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.model.ticket import (
    Assignee,
    Assignment,
    Attachment,
    Comment,
    ObserverChange,
    PriorityChange,
    SlaOverride,
    StatusChange,
    Ticket,
    TypeChange,
)
from helpdesk_core.privacy.consent import ConsentChange, ConsentLedger
from helpdesk_core.privacy.holds import LegalHold


class Treatment(enum.Enum):
    """What happens to a field; see the module docstring."""

    IDENTITY = "identity"
    TEXT = "text"
    TEXT_TREE = "text_tree"
    HEADERS = "headers"
    SENT_FILE = "sent_file"
    REFERENCES = "references"
    NESTED = "nested"
    KEPT = "kept"


class Replacement(enum.Enum):
    """What an ``IDENTITY`` field becomes on the person's own record."""

    PSEUDONYM = "pseudonym"
    """The person's pseudonym (``forgotten-…``)."""
    PSEUDONYM_EMAIL = "pseudonym_email"
    """``forgotten-…@forgotten.invalid``, for a required address."""
    DEFAULT = "default"
    """The field's default: empty, None, no portal access."""


@attrs.frozen
class PersonalField:
    """One field of one class: its treatment, the ``kind`` under which its
    changes are counted in plans, and for ``IDENTITY`` fields the replacement.
    ``kept_by_retention`` marks text that rules depend on (custom attributes)."""

    owner: type
    name: str
    treatment: Treatment
    kind: str = ""
    replacement: Replacement = Replacement.DEFAULT
    kept_by_retention: bool = False


def _fields(
    owner: type, kind: str, **treatments: Treatment | tuple[Treatment, Replacement]
) -> list[PersonalField]:
    found = []
    for name, value in treatments.items():
        if isinstance(value, tuple):
            found.append(PersonalField(owner, name, value[0], kind, value[1]))
        else:
            found.append(PersonalField(owner, name, value, kind))
    return found


K = Treatment.KEPT
T = Treatment.TEXT
I = Treatment.IDENTITY  # noqa: E741
TREE = Treatment.TEXT_TREE
_EVENT_KEPT = {"at": K, "by": K}

REGISTRY: tuple[PersonalField, ...] = (
    *_fields(
        Contact, "contact",
        id=K, first_name=(I, Replacement.PSEUDONYM), last_name=I, company=K, email=I, copy_email=I,
        phone=I, mobile=I, responsible=K, portal_access=I, service_objects=K, supervised_companies=K,
        employee=K, observer_employees=K, observer_groups=K, notes=T, customer_groups=K, external_id=I,
    ),
    *_fields(
        Employee, "employee",
        id=K, first_name=(I, Replacement.PSEUDONYM), last_name=I, email=(I, Replacement.PSEUDONYM_EMAIL),
        role=K, active=K, groups=K, external_id=I, calendar=K, capacity=K,
    ),
    *_fields(
        Company, "company",
        id=K, name=T, category=K, email=T, phone=T, domains=K, responsible=K, observer_employees=K,
        observer_groups=K, customer_groups=K, external_id=K,
    ),
    *_fields(CustomerGroup, "customer group", id=K, name=T, sla=K, responsible=K, priority=K, external_id=K),
    *_fields(
        Contract, "contract", id=K, number=T, companies=K, start=K, end=K, periods=K, external_id=K
    ),
    *_fields(ServicePeriod, "contract", start=K, end=K, paid=K, remind_on=K),
    *_fields(
        ServiceObject, "service object", id=K, name=T, company=K, address=T, responsible=K, external_id=K
    ),
    *_fields(
        Equipment, "equipment",
        id=K, type=K, company=K, manufacturer=T, model=T, serial=T, service_object=K, attributes=TREE,
        external_id=K,
    ),
    *_fields(
        EmployeeGroup, "employee group",
        id=K, name=T, members=K, notification_list=K, manager=K, external_id=K,
    ),
    *_fields(Assignee, "ticket", id=K, group=K),
    *_fields(
        Ticket, "ticket",
        id=K, subject=T, created_at=K, description=T, initial_status=K, initial_type=K, initial_priority=K,
        initial_assignee=K, channel=K, company=K, contact=K, service_object=K, equipment=K, contract=K,
        observer_employees=Treatment.REFERENCES, observer_groups=K, events=Treatment.NESTED, extra=TREE,
    ),
    PersonalField(Ticket, "attributes", TREE, "ticket", kept_by_retention=True),
    *_fields(
        Comment, "comment",
        **_EVENT_KEPT, author=K, public=K, body=T, channel=K, mentions=Treatment.REFERENCES,
        attachments=Treatment.NESTED, headers=Treatment.HEADERS, extra=TREE,
    ),
    *_fields(Attachment, "attachment", name=Treatment.SENT_FILE, size=K, content_type=K,
             sha256=Treatment.SENT_FILE),
    *_fields(StatusChange, "event", **_EVENT_KEPT, to=K, until=K, extra=TREE),
    *_fields(PriorityChange, "event", **_EVENT_KEPT, to=K, extra=TREE),
    *_fields(TypeChange, "event", **_EVENT_KEPT, to=K, extra=TREE),
    *_fields(Assignment, "event", **_EVENT_KEPT, to=K, group=K, extra=TREE),
    *_fields(
        SlaOverride, "event", **_EVENT_KEPT, resolution_due=K, reaction_due=K, rule=K, extra=TREE
    ),
    *_fields(
        ObserverChange, "event", **_EVENT_KEPT, employee=Treatment.REFERENCES, group=K, added=K,
        extra=TREE,
    ),
    *(  # a field named "kind" cannot go through _fields
        PersonalField(DomainEvent, name, TREE if name == "data" else K, "out-box entry")
        for name in ("kind", "ticket", "at", "by", "data")
    ),
    *_fields(ScheduleEntry, "schedule", ticket=K, wake_at=K, checked_through=K, stale=K),
    *_fields(ConsentLedger, "consent", id=K, changes=Treatment.NESTED),
    *_fields(ConsentChange, "consent", purpose=K, opted_in=K, at=K, source=T),
    *_fields(
        LegalHold, "legal hold", id=K, scope=K, target=K, reason=T, at=K, by=K, released_at=K
    ),
)
"""Every field of every class the store keeps (the audit record holds no
personal data by construction and is not listed)."""

_BY_OWNER: dict[type, tuple[PersonalField, ...]] = {}
for _entry in REGISTRY:
    _BY_OWNER[_entry.owner] = (*_BY_OWNER.get(_entry.owner, ()), _entry)

CLASSIFIED: tuple[type, ...] = tuple(_BY_OWNER)
"""The classes the registry covers."""

MESSAGE_ID_HEADERS = frozenset({"message-id", "in-reply-to", "references", "x-original-message-id"})
"""Headers whose value is an id that may embed an address; replaced whole."""


def fields_of(owner: type) -> tuple[PersonalField, ...]:
    """The registry entries of ``owner``, in the order of its attrs fields."""
    return _BY_OWNER.get(owner, ())


def personal_fields(owner: type) -> tuple[PersonalField, ...]:
    """The entries of ``owner`` that may hold personal data (all but ``KEPT``)."""
    return tuple(f for f in fields_of(owner) if f.treatment is not Treatment.KEPT)


def unclassified(owner: type) -> tuple[str, ...]:
    """The attrs fields of ``owner`` that the registry does not mention."""
    known = {f.name for f in fields_of(owner)}
    names: tuple[Any, ...] = attrs.fields(owner)
    return tuple(a.name for a in names if a.name not in known)


def counted_kind(entry: PersonalField) -> str:
    """The plan kind of a change in ``entry``: ``comment body``, ``contact email``."""
    return f"{entry.kind} {entry.name.replace('_', ' ')}"


__all__ = [
    "CLASSIFIED",
    "MESSAGE_ID_HEADERS",
    "REGISTRY",
    "PersonalField",
    "Replacement",
    "Treatment",
    "counted_kind",
    "fields_of",
    "personal_fields",
    "unclassified",
]
