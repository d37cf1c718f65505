"""The people intake looks senders and callers up in, read from a store once
per run (:class:`~helpdesk_core.intake.people.PeopleDirectory`), and the
contact intake creates for an unknown sender."""

from __future__ import annotations

from helpdesk_core.config import IntakeSettings
from helpdesk_core.desk.ticket_ids import allocate_id
from helpdesk_core.intake.people import NewContact, PeopleDirectory
from helpdesk_core.model.parties import Contact
from helpdesk_core.storage.protocols import Store, UnitOfWork

CONTACT_SEQUENCE = "intake_contact_number"
"""The counter of the contacts intake creates (``[intake] contact_ids``)."""


def people_directory(store: Store) -> PeopleDirectory:
    """Every employee, contact, company and contract of ``store``, indexed:
    one read of each (in batches), whatever the number of messages looked up."""
    return PeopleDirectory.of(
        employees=(s.value for s in store.employees.iter()),
        contacts=(s.value for s in store.contacts.iter()),
        companies=(s.value for s in store.companies.iter()),
        contracts=(s.value for s in store.contracts.iter()),
    )


def add_new_contact(uow: UnitOfWork, draft: NewContact, settings: IntakeSettings) -> Contact:
    """Store ``draft`` as a contact in ``uow`` (the registering transaction),
    its id the next free one of ``[intake] contact_ids`` (ids already taken by
    imported contacts are skipped); a rolled-back unit of work stores neither
    the contact nor the number."""
    contact = Contact(
        id=allocate_id(
            uow,
            sequence=CONTACT_SEQUENCE,
            start=1,
            id_of=settings.contact_id,
            taken=lambda ids: uow.contacts.find_many(ids).keys(),
        ),
        first_name=draft.first_name,
        last_name=draft.last_name,
        email=draft.email,
        company=draft.company,
        notes="created by intake for an unknown sender",
    )
    uow.contacts.add(contact)
    return contact


__all__ = ["CONTACT_SEQUENCE", "add_new_contact", "people_directory"]
