"""``privacy export`` hands a person what is about them and nothing of anybody
else (GDPR Art. 15(4)): Jana comments on Petr's ticket, whose subject and
description hold his and his wife's data, and an internal note names her."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from helpdesk_core.desk import privacy as desk_privacy
from helpdesk_core.model.parties import Contact
from helpdesk_core.model.staff import Employee
from helpdesk_core.model.ticket import Comment, Ticket
from helpdesk_core.privacy.identifiers import contact_identifiers
from helpdesk_core.privacy.redaction import LEFT_OUT, Redaction, about_them, excerpt, others_among
from helpdesk_core.storage import Store, open_store
from helpdesk_core.testing.contract import START

JANA = Contact(
    id="P-1", first_name="Jana", last_name="Nováková", email="jana@kavarna.example", phone="+420 601 123 456"
)
PETR = Contact(
    id="P-2", first_name="Petr", last_name="Svoboda", email="petr.svoboda@firma.example",
    phone="+420 602 555 666", notes="Disputes every invoice",
)
NAMESAKE = Contact(id="P-3", first_name="Jana", last_name="Nováková", email="jana.n@jinde.example")
EVA = Employee(id="E-1", first_name="Eva", last_name="Dvořáková", email="eva@desk.example")

HER_COMMENT = (
    "I confirm what Petr Svoboda says. Call me on +420 601 123 456 or ask petr.svoboda@firma.example.\n"
    "Regards, Jana Nováková"
)
NOTE_ABOUT_HER = (
    "Petr Svoboda is a difficult customer. Jana Nováková (jana@kavarna.example) backs his claim. "
    "Check with Eva Dvořáková, eva@desk.example."
)
THIRD_PARTIES = (
    "Svoboda", "602 555 666", "602555666", "petr.svoboda", "Marie", "marie@", "Dvořáková", "eva@desk",
    "difficult", "invoice", "impatient", "jana.n@jinde", "Disputes",
)


def _desk(store: Store) -> None:
    petrs = Ticket.register(
        id="T-10",
        subject="Svoboda: invoice dispute",
        created_at=START,
        contact="P-2",
        description="Petr Svoboda (602 555 666) disputes invoice 2026/17; his wife Marie Svobodová "
        "(marie@home.example) called too.",
        events=(
            Comment(at=START + timedelta(hours=1), author="contact", by="P-2", body="Please call my wife."),
            Comment(at=START + timedelta(hours=2), author="contact", by="P-1", body=HER_COMMENT, mentions=("E-1",)),
            Comment(at=START + timedelta(hours=3), author="employee", by="E-1", public=False, body=NOTE_ABOUT_HER),
        ),
    )
    hers = Ticket.register(
        id="T-11",
        subject="Printer",
        created_at=START + timedelta(days=1),
        contact="P-1",
        description="Printer broken; the key is with Petr Svoboda",
        events=(
            Comment(
                at=START + timedelta(days=1, hours=1), author="employee", by="E-1",
                body="Eva Dvořáková comes on Monday; call 602 555 666 for the key.",
            ),
            Comment(
                at=START + timedelta(days=1, hours=2), author="employee", by="E-1", public=False,
                body="Customer is impatient.",
            ),
        ),
    )
    with store.unit_of_work() as uow:
        for contact in (JANA, PETR, NAMESAKE):
            uow.contacts.add(contact)
        uow.employees.add(EVA)
        uow.tickets.add(petrs)
        uow.tickets.add(hers)
        uow.commit()


@pytest.fixture
def document() -> dict[str, object]:
    store = open_store("memory://")
    _desk(store)
    return desk_privacy.export_person(store, "P-1")


def test_the_export_holds_her_tickets_her_comments_and_the_sentences_about_her(
    document: dict[str, object],
) -> None:
    assert document["tickets"] == [
        {
            "id": "T-11",
            "subject": "Printer",
            "description": "Printer broken; the key is with [name withheld]",
            "created_at": "2026-03-03T09:00:00+01:00",
            "status": "open",
            "company": None,
            "replies": [
                {
                    "at": "2026-03-03T10:00:00+01:00",
                    "author": "employee",
                    "body": "[name withheld] comes on Monday; call [phone withheld] for the key.",
                }
            ],
        }
    ], "only the ticket where she is the contact; internal notes are not replies"
    comments = document["comments"]
    assert isinstance(comments, list)
    assert [(c["ticket"], c["body"], c["mentions"]) for c in comments] == [
        (
            "T-10",
            "I confirm what [name withheld] says. Call me on +420 601 123 456 or ask [e-mail withheld].\n"
            "Regards, Jana Nováková",
            [],
        )
    ]
    assert document["mentions"] == [
        {
            "record": "ticket T-10",
            "field": "events[1].body",
            "value": f"{LEFT_OUT} Call me on +420 601 123 456 or ask [e-mail withheld]. Regards, Jana Nováková",
        },
        {
            "record": "ticket T-10",
            "field": "events[2].body",
            "value": f"{LEFT_OUT} Jana Nováková (jana@kavarna.example) backs his claim. {LEFT_OUT}",
        },
    ]
    assert document["contact"] == {
        "id": "P-1", "company": None, "first_name": "Jana", "last_name": "Nováková",
        "email": "jana@kavarna.example", "phone": "+420 601 123 456",
    }
    assert "Art. 15(4)" in str(document["left_out"])


def test_nothing_of_third_parties_is_in_the_export(document: dict[str, object]) -> None:
    text = json.dumps(document, ensure_ascii=False)
    leaked = [value for value in THIRD_PARTIES if value.casefold() in text.casefold()]
    assert leaked == []
    assert "P-2" not in text and "E-1" not in text, "not even other people's ids"
    assert "Svoboda: invoice dispute" not in text, "the subject of a ticket she only commented on"


def test_a_namesake_keeps_her_name_and_loses_his_address() -> None:
    subject = contact_identifiers(JANA)
    people = [contact_identifiers(c) for c in (PETR, NAMESAKE)]
    text = "Jana Nováková (jana.n@jinde.example) and Jana Nováková (jana@kavarna.example), 602-555-666"
    redaction = Redaction.of(subject, others_among([text], people, subject))
    assert redaction.text(text) == (
        "Jana Nováková ([e-mail withheld]) and Jana Nováková (jana@kavarna.example), [phone withheld]"
    )


def test_an_address_or_number_of_somebody_the_desk_does_not_know_is_withheld() -> None:
    subject = contact_identifiers(JANA)
    redaction = Redaction.of(subject, others_among([], [], subject))
    assert redaction.text("mail x.y@else.example or +44 20 7946 0958, not 601 123 456; on 2026-03-02") == (
        "mail [e-mail withheld] or [phone withheld], not 601 123 456; on 2026-03-02"
    )


def test_an_excerpt_keeps_the_sentences_the_erasure_changes() -> None:
    old = "First about Bob. Jana called! Then the weather.\nJana again"
    new = "First about Bob. forgotten-1 called! Then the weather.\nforgotten-1 again"
    assert excerpt(old, new) == f"{LEFT_OUT} Jana called! {LEFT_OUT} Jana again"
    assert about_them(("P-1", "P-2"), ("P-2",)) == ["P-1"]
    assert about_them({"From": "Jana <j@x.example>", "To": "b@x.example"}, {"From": "x", "To": "b@x.example"}) == {
        "From": "Jana <j@x.example>"
    }


def test_a_forgotten_person_is_recognised_by_the_keyed_hashes_alone() -> None:
    from helpdesk_core.privacy.audit import AuditRecord, identifier_hashes
    from helpdesk_core.privacy.recognition import Recogniser, written_identifiers

    salt = "ab" * 16
    record = AuditRecord(
        id="F-1", action="forget-contact", subject="P-1", by="dpo", at=START, salt=salt,
        identifier_hashes=identifier_hashes(salt, contact_identifiers(JANA, region="CZ")),
    )
    recogniser = Recogniser([record])

    def kind(text: str) -> str | None:
        return recogniser.kind_in(written_identifiers(text, region="CZ"))

    assert kind("Wrote: NOVÁKOVÁ, Jana.") == "name"
    assert kind("call 601-123-456 today") == "phone"
    assert kind("from <Jana@Kavarna.example>") == "email"
    assert kind("Jana Novákové, Petr Svoboda, 602 555 666, jana@kavarna.example.org") is None
