"""What forgetting does to one record, written out: e-mail headers, files the
person sent, mentions, their own record, and an employee's."""

from __future__ import annotations

from datetime import timedelta

from helpdesk_core.model.parties import Contact, PortalAccess
from helpdesk_core.model.staff import Employee
from helpdesk_core.model.ticket import Attachment, Comment
from helpdesk_core.privacy.erasure import (
    ERASED_FILE,
    ERASED_PHONE,
    Forgetting,
    PossibleMention,
    forget_in,
    rewrite,
)
from helpdesk_core.privacy.identifiers import contact_identifiers, employee_identifiers
from helpdesk_core.testing.contract import START, sample_ticket

JANA = Contact(
    id="P-1",
    first_name="Jana",
    last_name="Nováková",
    email="jana@kavarna.example",
    phone="601 123 456",
    portal_access=PortalAccess.OWN_TICKETS,
    notes="allergic to cats",
    external_id="crm-17",
)
PSEUDONYM = "forgotten-0123456789"
FORGET_JANA = Forgetting(
    person_id="P-1",
    person_kind="contact",
    identifiers=contact_identifiers(JANA, region="CZ"),
    pseudonym=PSEUDONYM,
)


def _mail(**fields: object) -> Comment:
    values: dict[str, object] = {"at": START + timedelta(hours=1), "author": "contact", "by": "P-1", **fields}
    return Comment(**values)  # type: ignore[arg-type]


def test_headers_lose_the_address_and_a_message_id_that_embeds_it() -> None:
    mail = _mail(
        headers={
            "From": '"Nováková, Jana" <JANA@kavarna.example>',
            "To": "helpdesk@desk.example",
            "Message-ID": "<CAF=jana=kavarna.example@mail.gmail.example>",
            "References": "<1234@desk.example>",
        }
    )
    ticket = sample_ticket(events=[mail])
    new, places = forget_in(ticket, FORGET_JANA, record="ticket T-1")
    headers = new.comments[0].headers
    assert headers == {
        "From": f'"{PSEUDONYM}" <{PSEUDONYM}@forgotten.invalid>',
        "To": "helpdesk@desk.example",
        "Message-ID": f"<{PSEUDONYM}@forgotten.invalid>",
        "References": "<1234@desk.example>",
    }
    assert [p.kind for p in places] == ["comment headers"]


def test_files_the_person_sent_lose_name_and_digest_others_only_the_identifiers() -> None:
    sent = _mail(attachments=[Attachment(name="Jana Nováková CV.pdf", size=5, sha256="d" * 64)])
    received = Comment(
        at=START + timedelta(hours=2),
        author="employee",
        by="E-1",
        attachments=[Attachment(name="offer for Jana Nováková.pdf", size=5, sha256="e" * 64)],
    )
    new, _ = forget_in(sample_ticket(events=[sent, received]), FORGET_JANA, record="ticket T-1")
    assert new.comments[0].attachments == (Attachment(name=ERASED_FILE, size=5),)
    assert new.comments[1].attachments == (
        Attachment(name=f"offer for {PSEUDONYM}.pdf", size=5, sha256="e" * 64),
    )


def test_mentions_of_the_person_go_and_the_rest_stay() -> None:
    note = Comment(
        at=START + timedelta(hours=1),
        author="employee",
        by="E-1",
        body="@Jana Nováková, call 601123456",
        mentions=("P-1", "E-2"),
    )
    new, _ = forget_in(sample_ticket(events=[note]), FORGET_JANA, record="ticket T-1")
    assert new.comments[0].mentions == ("E-2",)
    assert new.comments[0].body == f"@{PSEUDONYM}, call {ERASED_PHONE}"


def test_the_own_record_keeps_its_id_company_and_groups_under_the_pseudonym() -> None:
    jana = Contact(
        id="P-1",
        first_name="Jana",
        last_name="Nováková",
        company="C-1",
        email="jana@kavarna.example",
        customer_groups=["VIP"],
        notes="allergic to cats",
        external_id="crm-17",
    )
    new, places = forget_in(jana, FORGET_JANA, record="contact P-1", own=True)
    assert new == Contact(id="P-1", first_name=PSEUDONYM, company="C-1", customer_groups=["VIP"])
    assert {p.kind for p in places} == {
        "contact first name",
        "contact last name",
        "contact email",
        "contact notes",
        "contact external id",
    }
    assert forget_in(new, FORGET_JANA, record="contact P-1", own=True)[1] == [], (
        "forgetting twice changes nothing"
    )


def test_a_namesake_keeps_their_record_a_name_there_is_a_possible_mention_an_address_is_erased() -> None:
    namesake = Contact(
        id="P-9",
        first_name="Jana",
        last_name="Nováková",
        notes="not the Jana Nováková of P-1 (jana@kavarna.example)",
    )
    done = rewrite(namesake, FORGET_JANA, record="contact P-9")
    assert not done.linked
    assert done.value.display_name == "Jana Nováková"
    assert done.value.notes == f"not the Jana Nováková of P-1 ({PSEUDONYM}@forgotten.invalid)"
    assert done.mentions == [PossibleMention("contact P-9", "notes", "name", "Jana Nováková")]


def _forget_jana_beside(namesake_id: str) -> Forgetting:
    return Forgetting(
        person_id="P-1",
        person_kind="contact",
        identifiers=contact_identifiers(JANA, region="CZ"),
        pseudonym=PSEUDONYM,
        company="C-1",
        namesakes=[("contact", namesake_id)],
        namesake_names=["Jana Nováková"],
    )


def test_a_namesakes_own_ticket_stays_byte_identical_even_in_the_same_company() -> None:
    forgetting = _forget_jana_beside("B-2")
    signed = Comment(
        at=START + timedelta(hours=1), author="contact", by="B-2", body="Printer jammed.\nJana Nováková"
    )
    theirs = sample_ticket(
        "T-7", contact="B-2", company="C-1", subject="Jana Nováková: printer", events=[signed]
    )
    done = rewrite(theirs, forgetting, record="ticket T-7")
    assert done.value is theirs and done.places == [] and not done.linked
    assert [m.field for m in done.mentions] == ["subject", "events[0].body"]


def test_in_her_own_ticket_every_form_goes_but_a_comment_by_a_namesake_stays() -> None:
    forgetting = _forget_jana_beside("B-2")
    by_namesake = Comment(at=START + timedelta(hours=2), author="contact", by="B-2", body="Jana Nováková")
    hers = sample_ticket(
        "T-8",
        contact="P-1",
        description="Volala paní Novákové, předejte Janu Novákovou. J. Nováková, tel. 420601123456, Jana",
        events=[by_namesake],
    )
    done = rewrite(hers, forgetting, record="ticket T-8")
    assert done.linked
    assert done.value.description == (
        f"Volala paní {PSEUDONYM}, předejte {PSEUDONYM}. {PSEUDONYM}, tel. {ERASED_PHONE}, Jana"
    )
    assert done.value.comments[0].body == "Jana Nováková", "the namesake's own comment"
    assert [m.field for m in done.mentions] == ["events[0].body"]


def test_an_employee_is_forgotten_with_a_pseudonymous_address_and_leaves_observer_lists() -> None:
    petr = Employee(
        id="E-1", first_name="Petr", last_name="Malý", email="petr.maly@desk.example", external_id="hr-1"
    )
    forgetting = Forgetting(
        person_id="E-1", person_kind="employee", identifiers=employee_identifiers(petr), pseudonym=PSEUDONYM
    )
    new, _ = forget_in(petr, forgetting, record="employee E-1", own=True)
    assert (new.display_name, new.email, new.external_id) == (
        PSEUDONYM,
        f"{PSEUDONYM}@forgotten.invalid",
        None,
    )
    answer = Comment(at=START + timedelta(hours=1), author="employee", by="E-1", body="Malý here")
    ticket = sample_ticket(
        observer_employees=["E-1", "E-2"], description="Petr Malý will call", events=[answer]
    )
    changed, _ = forget_in(ticket, forgetting, record="ticket T-1")
    assert changed.observer_employees == frozenset({"E-2"})
    assert changed.description == f"{PSEUDONYM} will call", "a ticket he wrote in is linked to him"
    assert changed.comments[0].body == f"{PSEUDONYM} here"
    elsewhere = sample_ticket("T-2", description="Petr Malý will call")
    assert forget_in(elsewhere, forgetting, record="ticket T-2")[0] is elsewhere
    assert [getattr(e, "by", None) for e in changed.events] == [getattr(e, "by", None) for e in ticket.events]
