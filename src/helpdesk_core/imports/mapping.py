"""From a row's cells to a model value, kind by kind.

Keys are the model's field names, so a row becomes a set of field *changes*:
a key present in the file sets its field (an empty cell clears it), a key the
file does not have leaves the field as it is. A new record starts from the
model's defaults; an existing one keeps every field the file format does not
carry (observers, notes, service periods…). Invalid values never reach the
model: each cell is checked first (:mod:`helpdesk_core.imports.cells`), and
the model's own validators then check the record as a whole.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, Protocol

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.imports import cells
from helpdesk_core.imports.kinds import KINDS, Kind, Reference
from helpdesk_core.model.assets import Equipment, ServiceObject
from helpdesk_core.model.contracts import Contract, ServicePeriod
from helpdesk_core.model.parties import Company, Contact, CustomerGroup, PortalAccess
from helpdesk_core.model.staff import Employee, EmployeeGroup, Role
from helpdesk_core.model.ticket import Assignee

Record = Company | Contact | CustomerGroup | Contract | ServiceObject | Equipment | Employee | EmployeeGroup


class Resolver(Protocol):
    """Turns an external id in a reference cell into ``(kind name, id)`` of the
    record it names, or raises :class:`CellProblem` saying why it cannot."""

    def __call__(self, reference: Reference, external_id: str) -> tuple[str, str]: ...


@attrs.frozen
class RowContext:
    """What reading a cell may need besides the cell: the default phone region
    (ISO 3166 code) and the reference resolver of this import."""

    region: str
    resolve: Resolver


Cell = Callable[[Kind, str, object, RowContext], object]


def _text(kind: Kind, key: str, value: object, ctx: RowContext) -> object:
    return cells.text(key, value)


def _blank_is_empty(kind: Kind, key: str, value: object, ctx: RowContext) -> object:
    return cells.text(key, value) or ""


def _email(kind: Kind, key: str, value: object, ctx: RowContext) -> object:
    return cells.email(key, value)


def _phone(kind: Kind, key: str, value: object, ctx: RowContext) -> object:
    return cells.phone(key, value, region=ctx.region)


def _day(kind: Kind, key: str, value: object, ctx: RowContext) -> object:
    return cells.day(key, value)


def _whole_number(kind: Kind, key: str, value: object, ctx: RowContext) -> object:
    return cells.whole_number(key, value)


def _flag(kind: Kind, key: str, value: object, ctx: RowContext) -> object:
    return cells.flag(key, value)


def _domains(kind: Kind, key: str, value: object, ctx: RowContext) -> object:
    return frozenset(d.lower() for d in cells.text_list(key, value))


def _category(kind: Kind, key: str, value: object, ctx: RowContext) -> object:
    return cells.text(key, value) or "client"


def _one_ref(kind: Kind, key: str, value: object, ctx: RowContext) -> object:
    external_id = cells.text(key, value)
    if external_id is None:
        return None
    return ctx.resolve(_reference(kind, key), external_id)[1]


def _many_refs(kind: Kind, key: str, value: object, ctx: RowContext) -> object:
    reference = _reference(kind, key)
    return frozenset(ctx.resolve(reference, e)[1] for e in cells.text_list(key, value))


def _assignee(kind: Kind, key: str, value: object, ctx: RowContext) -> object:
    external_id = cells.text(key, value)
    if external_id is None:
        return None
    target, id_ = ctx.resolve(_reference(kind, key), external_id)
    return Assignee(id=id_, group=target == "employee-groups")


def _choice(enum_class: type[PortalAccess] | type[Role], default: str) -> Cell:
    allowed = [str(m.value) for m in enum_class]
    members: dict[str, object] = {str(m.value): m for m in enum_class}
    fallback = enum_class(default)

    def read(kind: Kind, key: str, value: object, ctx: RowContext) -> object:
        word = cells.text(key, value)
        if word is None:
            return fallback
        normal = word.lower().replace(" ", "_").replace("-", "_")
        member = members.get(normal)
        if member is None:
            raise cells.CellProblem(f"{key}: expected one of {', '.join(allowed)}, got {word!r}")
        return member

    return read


def _active(kind: Kind, key: str, value: object, ctx: RowContext) -> object:
    active = cells.flag(key, value)
    return True if active is None else active


def _reference(kind: Kind, key: str) -> Reference:
    reference = kind.reference(key)
    assert reference is not None, f"{kind.name}.{key} is not a reference"
    return reference


CELLS: dict[str, dict[str, Cell]] = {
    "employee-groups": {"name": _text, "manager": _one_ref, "members": _many_refs},
    "employees": {
        "first_name": _blank_is_empty,
        "last_name": _blank_is_empty,
        "email": _email,
        "role": _choice(Role, "specialist"),
        "active": _active,
        "groups": _many_refs,
        "calendar": _text,
        "capacity": _whole_number,
    },
    "customer-groups": {"name": _text, "sla": _text, "responsible": _assignee},
    "companies": {
        "name": _text,
        "category": _category,
        "email": _email,
        "phone": _phone,
        "domains": _domains,
        "responsible": _assignee,
        "customer_groups": _many_refs,
    },
    "contacts": {
        "company": _one_ref,
        "first_name": _blank_is_empty,
        "last_name": _blank_is_empty,
        "email": _email,
        "phone": _phone,
        "mobile": _phone,
        "responsible": _assignee,
        "portal_access": _choice(PortalAccess, "none"),
    },
    "contracts": {"number": _text, "companies": _many_refs, "start": _day, "end": _day},
    "service-objects": {
        "name": _text,
        "company": _one_ref,
        "address": _blank_is_empty,
        "responsible": _assignee,
    },
    "equipment": {
        "type": _text,
        "company": _one_ref,
        "manufacturer": _blank_is_empty,
        "model": _blank_is_empty,
        "serial": _blank_is_empty,
        "service_object": _one_ref,
    },
    "service-periods": {"start": _day, "end": _day, "paid": _flag, "remind_on": _day},
}
"""Per kind, how each key's cell becomes its field's value."""

RECORD_CLASSES: dict[str, type[Any]] = {
    "employee-groups": EmployeeGroup,
    "employees": Employee,
    "customer-groups": CustomerGroup,
    "companies": Company,
    "contacts": Contact,
    "contracts": Contract,
    "service-objects": ServiceObject,
    "equipment": Equipment,
}
"""The model class each kind's rows become (service periods become part of a
:class:`Contract`)."""

assert set(CELLS) == set(KINDS)


def _check_required(kind: Kind, values: Mapping[str, object], creating: bool) -> None:
    for key in kind.required:
        if key in kind.identity:
            continue
        if key not in values:
            if creating:
                raise cells.CellProblem(
                    f"{key}: required to create a {kind.noun}, but the file has no {key!r} column"
                )
        elif cells.is_empty(values[key]):
            raise cells.CellProblem(f"{key}: required for a {kind.noun}, but the cell is empty")


_READERS: dict[str, tuple[tuple[str, Cell], ...]] = {
    name: tuple((key, CELLS[name][key]) for key in kind.keys if key not in kind.identity)
    for name, kind in KINDS.items()
}
"""Per kind, its non-identity keys in file-format order with their readers."""

_KEPT_AS_WRITTEN = frozenset({_email, _phone})
"""Readers whose result, once stored, reads back unchanged: a cell equal to
the stored value needs no second check (re-imports skip the slow checks)."""


def field_changes(
    kind: Kind,
    values: Mapping[str, object],
    ctx: RowContext,
    *,
    creating: bool,
    base: object | None = None,
) -> dict[str, object]:
    """The model fields this row sets, keyed by field name, each cell checked.
    Only the keys present in ``values`` appear; identity keys are left out.
    ``base`` is the record the row updates, if any."""
    _check_required(kind, values, creating)
    changes: dict[str, object] = {}
    for key, read in _READERS[kind.name]:
        if key not in values:
            continue
        value = values[key]
        if (
            base is not None
            and read in _KEPT_AS_WRITTEN
            and isinstance(value, str)
            and value
            and value == getattr(base, key)
        ):
            changes[key] = value
        else:
            changes[key] = read(kind, key, value, ctx)
    return changes


def build_record(
    kind: Kind,
    changes: Mapping[str, object],
    *,
    base: Record | None,
    new_id: str,
    external_id: str | None,
) -> Record:
    """The record after this row: ``base`` with ``changes``, or a new record
    with id ``new_id`` when there is no base. Model validation applies."""
    if base is not None:
        return attrs.evolve(base, **changes)  # type: ignore[arg-type]
    record: Record = RECORD_CLASSES[kind.name](id=new_id, external_id=external_id, **changes)
    return record


def with_period(
    contract: Contract, periods: Mapping[date, ServicePeriod], changes: Mapping[str, object]
) -> tuple[ServicePeriod | None, ServicePeriod]:
    """The service period of ``changes``, checked to fit ``contract`` whose
    periods are now ``periods`` (by first day): it replaces the period that
    starts on the same day, or is added. Returns the period replaced (None
    when added) and the period as imported; the caller puts it into
    ``periods`` and builds the contract once, with all of them, at the end.
    Keys absent from ``changes`` are kept from the replaced period.

    A period that fits — inside the contract's term, overlapping none of the
    others — makes a valid contract, and nothing more is built; one that does
    not is put into the contract as before, whose validators say why."""
    start = changes["start"]
    old = periods.get(start)  # type: ignore[call-overload]
    period: ServicePeriod
    if old is not None:
        if all(getattr(old, k) == v for k, v in changes.items()):
            period = old
        else:
            period = attrs.evolve(old, **changes)
    else:
        for key in ("end", "paid"):
            if key not in changes:
                raise cells.CellProblem(
                    f"{key}: required to create a service period, but the file has no {key!r} column"
                )
        period = ServicePeriod(**changes)  # type: ignore[arg-type]
    if not _fits(contract, periods, period):
        others = tuple(p for p in periods.values() if p.start != start)
        try:
            attrs.evolve(contract, periods=(*others, period))
        except ValidationError as error:
            raise ValidationError(str(error).replace(f"contract {contract.id}: ", "")) from None
    return old, period


def _fits(contract: Contract, periods: Mapping[date, ServicePeriod], period: ServicePeriod) -> bool:
    """Whether ``contract`` with ``period`` among ``periods`` (replacing the one
    of the same first day) passes the contract's validators: the other fields
    are those of a valid contract, so it does when the period lies within the
    term and overlaps no other period (both ends included)."""
    if not (contract.in_force(period.start) and contract.in_force(period.end)):
        return False
    for other in periods.values():
        if other.start != period.start and other.start <= period.end and period.start <= other.end:
            return False
    return True


def with_periods(contract: Contract, periods: Mapping[date, ServicePeriod]) -> Contract:
    """``contract`` holding ``periods`` (each checked by :func:`with_period`):
    the contract itself when they are the ones it has."""
    chosen = tuple(periods.values())
    if chosen == contract.periods:
        return contract
    return attrs.evolve(contract, periods=chosen)


__all__ = [
    "CELLS",
    "RECORD_CLASSES",
    "Record",
    "Resolver",
    "RowContext",
    "build_record",
    "field_changes",
    "with_period",
    "with_periods",
]
