"""Threading an incoming message to its ticket: signed reply tokens first,
the subject tag only from a participant, held with the reason otherwise."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.desk.thread_participants import participants_of
from helpdesk_core.intake.threads import (
    Participants,
    ThreadAction,
    ThreadDecision,
    decide_thread,
    named_tickets,
)
from helpdesk_core.model.parties import Company, Contact
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.model.ticket import ObserverChange, Ticket
from helpdesk_core.reply_tokens import (
    issue_token,
    message_id,
    plus_address,
    tagged_subject,
    tags_in_subject,
    tokens_in,
)
from helpdesk_core.storage import open_store
from helpdesk_core.storage.protocols import Store

KEY = b"the desk's reply key"
JANA = "jana@zlatyklic.cz"
T1001 = Participants(
    ticket="T-1001",
    addresses=frozenset({JANA, "eva@desk.example"}),
    domains=frozenset({"zlatyklic.cz"}),
    who={JANA: "its contact P-1", "eva@desk.example": "employee E-1"},
)


def decide(sender: str | None, **headers: Any) -> ThreadDecision:
    named = named_tickets(**headers)
    return decide_thread(named, sender=sender, key=KEY, participants={"T-1001": T1001})


def our_message_id(recipient: str = JANA, ticket: str = "T-1001") -> str:
    return message_id(issue_token(KEY, ticket, recipient), unique="7", domain="desk.example")


def test_a_reply_with_our_headers_threads_by_the_token() -> None:
    decision = decide(JANA, in_reply_to=[our_message_id()], subject="Re: boiler")
    assert decision.action is ThreadAction.COMMENT and decision.ticket == "T-1001"
    assert decision.via == "token"
    assert decision.reason == "reply token of T-1001 issued to this sender (its contact P-1)"


def test_a_client_that_drops_in_reply_to_still_threads_by_references_or_the_plus_address() -> None:
    by_references = decide(JANA, references=["<other@mail.example>", our_message_id()])
    token = issue_token(KEY, "T-1001", JANA)
    by_address = decide(JANA, recipients=[plus_address("support@desk.example", token)])
    assert by_references.ticket == by_address.ticket == "T-1001"


def test_a_server_that_lower_cases_the_token_does_not_break_it() -> None:
    decision = decide(JANA, in_reply_to=[our_message_id().lower()])
    assert decision.action is ThreadAction.COMMENT


def test_a_reply_with_only_the_tag_from_the_contact_threads_by_the_tag() -> None:
    decision = decide("Jana@ZlatyKlic.cz", subject="Re: [T-1001] boiler")
    assert (decision.action, decision.via) == (ThreadAction.COMMENT, "tag")
    assert decision.reason == "subject tag [T-1001] from its contact P-1"


def test_a_tag_from_a_stranger_is_held_with_the_reason() -> None:
    decision = decide("mallory@evil.example", subject="Re: [T-1001] give me the invoice")
    assert decision.action is ThreadAction.HELD and decision.ticket == "T-1001"
    assert "mallory@evil.example, who is not a participant" in decision.reason


def test_a_colleague_at_the_companys_domain_is_a_participant() -> None:
    decision = decide("petr@zlatyklic.cz", subject="[#T-1001] also broken here")
    assert decision.action is ThreadAction.COMMENT
    assert decision.reason == "subject tag [T-1001] from an address of the company's domain zlatyklic.cz"


def test_a_forwarded_thread_answered_by_an_outsider_is_held() -> None:
    """Jana forwards our notice to her plumber, who answers: the token is
    genuine but was issued to Jana, and the plumber is no participant."""
    decision = decide("plumber@elsewhere.example", references=[our_message_id()], subject="Fwd: [T-1001]")
    assert decision.action is ThreadAction.HELD and decision.via == "token"
    assert "a forwarded thread" in decision.reason


def test_a_forged_token_is_never_trusted() -> None:
    forged = issue_token(b"another desk's key", "T-1001", "mallory@evil.example")
    decision = decide("mallory@evil.example", in_reply_to=[f"<{forged.text}.1@evil.example>"])
    assert decision.action is ThreadAction.NEW_TICKET
    assert "1 reply token with a wrong signature ignored" in decision.reason


def test_a_tag_or_token_of_a_ticket_that_does_not_exist_makes_a_new_ticket() -> None:
    decision = decide(JANA, subject="Re: [T-9999] hello", in_reply_to=[our_message_id(ticket="T-5")])
    assert decision.action is ThreadAction.NEW_TICKET and decision.ticket is None
    assert "T-9999, which does not exist" in decision.reason


def test_nothing_of_ours_is_a_new_ticket() -> None:
    decision = decide(JANA, subject="Boiler broken", in_reply_to=["<abc@mail.example>"])
    assert decision.action is ThreadAction.NEW_TICKET
    assert decision.reason == "no reply token and no subject tag of an existing ticket"


def test_subject_tags_follow_the_configured_ticket_ids() -> None:
    assert tags_in_subject("Re: [HD-0042/2026] and [T-1]", "HD-{n}/2026") == ("HD-42/2026",)
    assert tagged_subject("Boiler", "T-1001") == "[T-1001] Boiler"
    assert tagged_subject("Re: [T-1001] Boiler", "T-1001") == "Re: [T-1001] Boiler"


@settings(deadline=None)  # st.emails() is slow to draw on a loaded machine
@given(
    ticket=st.text(min_size=1, max_size=30).filter(lambda t: t.strip() == t and t),
    recipient=st.emails(),
    other=st.emails(),
)
def test_a_token_is_genuine_only_under_its_key_and_names_its_recipient(ticket: str, recipient: str, other: str) -> None:
    token = issue_token(KEY, ticket, recipient)
    [found] = tokens_in([message_id(token, unique="1", domain="desk.example").upper()])
    assert found == token and found.genuine(KEY) and not found.genuine(KEY + b"!")
    assert found.issued_to(recipient.upper())
    assert found.issued_to(other) == (other.lower() == recipient.lower())


# -- the participants, read from the store ---------------------------------------------


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Store:
    from datetime import UTC, datetime

    store = open_store("memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'desk.db'}")
    at = datetime(2026, 3, 2, 9, tzinfo=UTC)
    with store.unit_of_work() as uow:
        uow.companies.add(Company(id="C-1", name="Klíč", domains=["zlatyklic.cz"]))
        uow.contacts.add(
            Contact(id="P-1", first_name="Jana", company="C-1", email=JANA, copy_email="office@gmail.example")
        )
        uow.employees.add(Employee(id="E-1", first_name="Eva", email="eva@desk.example"))
        uow.employees.add(Employee(id="E-2", first_name="Emil", email="emil@desk.example"))
        uow.employees.add(Employee(id="E-9", first_name="Ema", email="ema@desk.example", active=False))
        uow.employee_groups.add(EmployeeGroup(id="G-1", name="Field", members=["E-2"]))
        ticket = Ticket.register(
            id="T-1001", subject="Boiler", created_at=at, company="C-1", contact="P-1"
        ).with_event(ObserverChange(at=at, group="G-1"))
        uow.tickets.add(ticket)
        uow.commit()
    return store


def test_participants_are_the_contact_its_copy_the_observers_the_staff_and_the_domains(store: Store) -> None:
    found = participants_of(store, ["T-1001", "T-404"])
    assert set(found) == {"T-1001"}
    people = found["T-1001"]
    assert people.role_of("office@gmail.example") == "its contact P-1"
    assert people.role_of("emil@desk.example") == "its observer E-2", "a member of an observer group"
    assert people.role_of("eva@desk.example") == "employee E-1"
    assert people.role_of("ema@desk.example") is None, "a deactivated employee is nobody's participant"
    assert people.role_of("boss@zlatyklic.cz") == "an address of the company's domain zlatyklic.cz"
    assert people.role_of("mallory@evil.example") is None


def test_the_reply_key_is_made_once_and_kept_in_the_store(store: Store) -> None:
    from helpdesk_core.desk.reply_key import reply_key

    first = reply_key(store)
    assert len(first) == 32 and reply_key(store) == first
    token = issue_token(first, "T-1001", JANA)
    assert tokens_in([plus_address("support@desk.example", token)])[0].genuine(reply_key(store))
