"""The field registry classifies every field of every stored class, so that a
new field cannot slip past the erasure and the export; and what it calls
``KEPT`` is never changed by them."""

from __future__ import annotations

import inspect
from datetime import timedelta

import attrs
import pytest

from helpdesk_core.model import assets, contracts, domain_events, parties, staff, ticket
from helpdesk_core.model.parties import Contact
from helpdesk_core.model.staff import Employee
from helpdesk_core.privacy import consent, holds
from helpdesk_core.privacy.erasure import Forgetting, anonymise, forget_in
from helpdesk_core.privacy.identifiers import PersonIdentifiers
from helpdesk_core.privacy.registry import CLASSIFIED, Treatment, fields_of, unclassified
from helpdesk_core.testing.contract import START, sample_aggregates, sample_ticket

STORED_MODULES = (assets, contracts, parties, staff, ticket, consent, holds, domain_events)
NOT_STORED = {"Recipient", "OutboxEntry"}
"""attrs classes of those modules that are never stored (computed answers; an
out-box entry is its domain event, classified, kept under its position)."""


def stored_classes() -> list[type]:
    return [
        cls
        for module in STORED_MODULES
        for name, cls in inspect.getmembers(module, inspect.isclass)
        if attrs.has(cls) and cls.__module__ == module.__name__ and name not in NOT_STORED
    ]


@pytest.mark.parametrize("cls", stored_classes(), ids=lambda c: c.__name__)
def test_every_field_of_every_stored_class_is_classified(cls: type) -> None:
    assert cls in CLASSIFIED, f"{cls.__name__} is missing from the privacy registry"
    assert unclassified(cls) == ()


def test_the_check_catches_a_new_field() -> None:
    @attrs.frozen
    class Grown:
        name: str
        shoe_size: int

    assert unclassified(Grown) == ("name", "shoe_size")


def test_forgetting_never_changes_a_kept_field() -> None:
    everybody = PersonIdentifiers(
        names=["Jana Nováková", "Petr"], emails=["jana@kavarna.example", "office@kavarna.example"]
    )
    forgetting = Forgetting(
        person_id="P-1", person_kind="contact", identifiers=everybody, pseudonym="forgotten-1"
    )
    values = [v for pair in sample_aggregates().values() for v in pair]
    values.append(sample_ticket(description="Jana Nováková, Petr", observer_employees=["P-1"]))
    for value in values:
        for own in (False, True) if isinstance(value, Contact | Employee) else (False,):
            new, _ = forget_in(value, forgetting, record="r", own=own)
            for entry in fields_of(type(value)):
                if entry.treatment is Treatment.KEPT:
                    assert getattr(new, entry.name) == getattr(value, entry.name), (type(value), entry.name)


def test_anonymising_keeps_instants_authors_and_custom_attributes() -> None:
    ticket = sample_ticket()
    new, places = anonymise(ticket, record="ticket T-1")
    assert places
    assert [(e.kind, e.at) for e in new.events] == [(e.kind, e.at) for e in ticket.events]
    assert new.attributes == ticket.attributes
    assert new.events[-1].at == START + timedelta(minutes=32)
    assert anonymise(new, record="ticket T-1")[1] == [], "anonymising twice changes nothing"
