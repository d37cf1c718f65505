"""The kinds of record an import file can hold, as data: the file's keys (the
columns of docs/formats.md, extended but never renamed), which keys are lists,
which hold external ids of which other kind, and which key identifies a row.

A kind is keyed by ``external_id`` except service periods, which live inside
their contract and are keyed by the contract and the period's first day.
"""

from __future__ import annotations

import attrs


@attrs.frozen
class Reference:
    """A key whose cells hold external ids of records of kind ``target``
    (``targets`` when either of two kinds will do, e.g. a responsible that is
    an employee or an employee group; the first kind that knows the id wins)."""

    key: str
    targets: tuple[str, ...]
    noun: str
    """How a message names one referenced record: ``"company"``."""
    many: bool = False


@attrs.frozen
class Kind:
    """One importable kind of record.

    ``name`` is the CLI word and the file stem in a bundle (``companies`` →
    ``companies.csv`` or ``companies.jsonl``); ``noun`` names one record in
    messages; ``required`` keys must have a value whenever a record is created.
    """

    name: str
    noun: str
    keys: tuple[str, ...]
    required: tuple[str, ...]
    lists: frozenset[str] = frozenset()
    references: tuple[Reference, ...] = ()
    identity: tuple[str, ...] = ("external_id",)

    def reference(self, key: str) -> Reference | None:
        """The reference carried by ``key``, if that key holds external ids."""
        for reference in self.references:
            if reference.key == key:
                return reference
        return None


_RESPONSIBLE = Reference("responsible", ("employees", "employee-groups"), "responsible employee")

EMPLOYEE_GROUPS = Kind(
    name="employee-groups",
    noun="employee group",
    keys=("external_id", "name", "manager", "members"),
    required=("external_id", "name"),
    lists=frozenset({"members"}),
    references=(
        Reference("manager", ("employees",), "employee"),
        Reference("members", ("employees",), "employee", many=True),
    ),
)
EMPLOYEES = Kind(
    name="employees",
    noun="employee",
    keys=(
        "external_id",
        "first_name",
        "last_name",
        "email",
        "role",
        "active",
        "groups",
        "calendar",
        "capacity",
    ),
    required=("external_id", "email"),
    lists=frozenset({"groups"}),
    references=(Reference("groups", ("employee-groups",), "employee group", many=True),),
)
CUSTOMER_GROUPS = Kind(
    name="customer-groups",
    noun="customer group",
    keys=("external_id", "name", "sla", "responsible"),
    required=("external_id", "name"),
    references=(_RESPONSIBLE,),
)
COMPANIES = Kind(
    name="companies",
    noun="company",
    keys=(
        "external_id",
        "name",
        "category",
        "email",
        "phone",
        "domains",
        "responsible",
        "customer_groups",
    ),
    required=("external_id", "name"),
    lists=frozenset({"domains", "customer_groups"}),
    references=(
        _RESPONSIBLE,
        Reference("customer_groups", ("customer-groups",), "customer group", many=True),
    ),
)
CONTACTS = Kind(
    name="contacts",
    noun="contact",
    keys=(
        "external_id",
        "company",
        "first_name",
        "last_name",
        "email",
        "phone",
        "mobile",
        "responsible",
        "portal_access",
    ),
    required=("external_id",),
    references=(Reference("company", ("companies",), "company"), _RESPONSIBLE),
)
CONTRACTS = Kind(
    name="contracts",
    noun="contract",
    keys=("external_id", "number", "companies", "start", "end"),
    required=("external_id", "number", "companies", "start"),
    lists=frozenset({"companies"}),
    references=(Reference("companies", ("companies",), "company", many=True),),
)
SERVICE_PERIODS = Kind(
    name="service-periods",
    noun="service period",
    keys=("contract", "start", "end", "paid", "remind_on"),
    required=("contract", "start", "end", "paid"),
    references=(Reference("contract", ("contracts",), "contract"),),
    identity=("contract", "start"),
)
SERVICE_OBJECTS = Kind(
    name="service-objects",
    noun="service object",
    keys=("external_id", "name", "company", "address", "responsible"),
    required=("external_id", "name", "company"),
    references=(Reference("company", ("companies",), "company"), _RESPONSIBLE),
)
EQUIPMENT = Kind(
    name="equipment",
    noun="equipment",
    keys=(
        "external_id",
        "type",
        "company",
        "manufacturer",
        "model",
        "serial",
        "service_object",
    ),
    required=("external_id", "type", "company"),
    references=(
        Reference("company", ("companies",), "company"),
        Reference("service_object", ("service-objects",), "service object"),
    ),
)

KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (
        EMPLOYEE_GROUPS,
        EMPLOYEES,
        CUSTOMER_GROUPS,
        COMPANIES,
        CONTACTS,
        CONTRACTS,
        SERVICE_PERIODS,
        SERVICE_OBJECTS,
        EQUIPMENT,
    )
}
"""Every kind, in the order a bundle applies them: a contract's own row comes
before its service periods, so a period sees the contract's new dates."""


def kind_named(name: str) -> Kind:
    """The kind called ``name``; a ValidationError lists the known ones."""
    from helpdesk_core.errors import ValidationError

    try:
        return KINDS[name]
    except KeyError:
        raise ValidationError(
            f"unknown import kind {name!r} (expected one of: {', '.join(KINDS)})"
        ) from None


__all__ = ["KINDS", "Kind", "Reference", "kind_named"]
