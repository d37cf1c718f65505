"""What a new ticket names must exist and belong together.

The company, the contact (of that company), the service object, the
equipment and the contract (all of that company), the assignee (an active
employee or an existing group) and the observers are looked up in the
registering unit of work; the first problem is a
:class:`~helpdesk_core.errors.ValidationError` naming the field and the value.
A contract that does not cover the registration day is a warning, not a
refusal (:meth:`Contract.coverage_warning`). A ticket registered without a
company belongs to its contact's (or service object's, or equipment's)
company: :func:`implied_company`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.ticket import Assignee
from helpdesk_core.storage.protocols import UnitOfWork


def check_assignee(uow: UnitOfWork, assignee: Assignee, *, where: str) -> None:
    """An employee assignee must exist and be active; a group must exist."""
    if assignee.group:
        if uow.employee_groups.find(assignee.id) is None:
            raise ValidationError(f"{where}: assignee: no employee group {assignee.id!r}")
        return
    found = uow.employees.find(assignee.id)
    if found is None:
        raise ValidationError(f"{where}: assignee: no employee {assignee.id!r}")
    if not found.value.can_be_responsible:
        raise ValidationError(
            f"{where}: assignee: employee {assignee.id} is deactivated and cannot be responsible"
        )


def check_observers(uow: UnitOfWork, employees: Iterable[str], groups: Iterable[str], *, where: str) -> None:
    """Every observer named must exist (employees by id, groups by id)."""
    employees, groups = sorted(set(employees)), sorted(set(groups))
    known = uow.employees.find_many(employees)
    for employee in employees:
        if employee not in known:
            raise ValidationError(f"{where}: observer_employees: no employee {employee!r}")
    known_groups = uow.employee_groups.find_many(groups)
    for group in groups:
        if group not in known_groups:
            raise ValidationError(f"{where}: observer_groups: no employee group {group!r}")


def implied_company(
    uow: UnitOfWork, *, contact: str | None, service_object: str | None, equipment: str | None
) -> str | None:
    """The company a ticket registered without one belongs to: the contact's,
    else the service object's, else the equipment's (None when none names
    one). :func:`check_parties` then checks that the others agree."""
    if contact is not None and (found := uow.contacts.find(contact)) is not None and found.value.company:
        return found.value.company
    if service_object is not None and (place := uow.service_objects.find(service_object)) is not None:
        return place.value.company
    if equipment is not None and (item := uow.equipment.find(equipment)) is not None:
        return item.value.company
    return None


def check_parties(
    uow: UnitOfWork,
    *,
    where: str,
    day: date,
    company: str | None,
    contact: str | None,
    service_object: str | None,
    equipment: str | None,
    contract: str | None,
) -> tuple[str, ...]:
    """Refuse parties that do not exist or do not belong together; return the
    warnings (the contract's coverage of ``day``)."""
    if company is not None and uow.companies.find(company) is None:
        raise ValidationError(f"{where}: company: no company {company!r}")
    if contact is not None:
        found_contact = uow.contacts.find(contact)
        if found_contact is None:
            raise ValidationError(f"{where}: contact: no contact {contact!r}")
        of = found_contact.value.company
        if company is not None and of is not None and of != company:
            raise ValidationError(
                f"{where}: contact: {contact} is a contact of company {of}, not of {company}"
            )
    object_company = None
    if service_object is not None:
        found_object = uow.service_objects.find(service_object)
        if found_object is None:
            raise ValidationError(f"{where}: service_object: no service object {service_object!r}")
        object_company = found_object.value.company
        _same_company(where, "service_object", service_object, object_company, company)
    if equipment is not None:
        found_equipment = uow.equipment.find(equipment)
        if found_equipment is None:
            raise ValidationError(f"{where}: equipment: no equipment {equipment!r}")
        item = found_equipment.value
        _same_company(where, "equipment", equipment, item.company, company)
        if service_object is not None and item.service_object not in (None, service_object):
            raise ValidationError(
                f"{where}: equipment: {equipment} is placed at service object "
                f"{item.service_object}, not at {service_object}"
            )
    warnings: list[str] = []
    if contract is not None:
        found_contract = uow.contracts.find(contract)
        if found_contract is None:
            raise ValidationError(f"{where}: contract: no contract {contract!r}")
        agreement = found_contract.value
        if company is None or company not in agreement.companies:
            held = ", ".join(sorted(agreement.companies))
            raise ValidationError(
                f"{where}: contract: {contract} is a contract of {held}, "
                f"not of {company if company is not None else 'a ticket without a company'}"
            )
        warning = agreement.coverage_warning(day)
        if warning is not None:
            warnings.append(warning)
    return tuple(warnings)


def _same_company(where: str, field: str, id: str, of: str, company: str | None) -> None:
    if of != company:
        wanted = company if company is not None else "a ticket without a company"
        raise ValidationError(f"{where}: {field}: {id} belongs to company {of}, not to {wanted}")


__all__ = ["check_assignee", "check_observers", "check_parties", "implied_company"]
