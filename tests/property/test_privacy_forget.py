"""ACCEPTANCE: a generated store in which one person is mentioned in many
places and spellings; after ``forget_contact`` the scan of every text finds
none of their identifiers, a person with a similar name is untouched, and the
SLA report of every ticket is the same as before (the report has no contact
column, so the rows are equal as a whole)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_core import desk_privacy
from helpdesk_core.model.parties import Contact
from helpdesk_core.model.ticket import Attachment, Comment, Event, StatusChange, Ticket
from helpdesk_core.privacy.identifiers import PhoneNumber, contact_identifiers
from helpdesk_core.privacy.matching import IdentifierMatcher
from helpdesk_core.sla import SlaPolicy, evaluate
from helpdesk_core.storage import MemoryStore
from helpdesk_core.workflow import DEFAULT_GRAPH
from helpdesk_core.worktime import WorkingCalendar

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
AS_OF = START + timedelta(days=30)
OFFICE = WorkingCalendar.from_dict(
    {
        "name": "office",
        "tz": "Europe/Prague",
        "week": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
    }
)
POLICY = SlaPolicy.from_config(
    {"rules": [{"name": "Default", "calendar": "office", "reaction": "2h", "resolution": "16h"}]},
    calendars={"office": OFFICE},
)

PEOPLE = [
    # (forgotten person, somebody with a similar name who must stay)
    (("Jana", "Nováková"), ("Jan", "Novák")),
    (("Jan", "Novák"), ("Jana", "Nováková")),
    (("Petr", "Svoboda"), ("Petra", "Svobodová")),
    (("Anna", "Černá"), ("Hana", "Černá")),
    (("Jiří", "Dvořák"), ("Jiří", "Dvořáček")),
]
PHONES = ["+420 601 123 456", "777888999", "+49 30 1234567", "+420 (602) 11-12-13"]
OTHER_PHONE = "+420 603 555 444"


def _spellings(first: str, last: str, email: str, phone: str) -> list[str]:
    """Ways people write this person in a help desk's texts."""
    number = PhoneNumber.parse(phone, region="CZ")
    assert number is not None
    ascii_last = last.translate(str.maketrans("áčďéěíňóřšťúůýž", "acdeeinorstuuyz"))
    return [
        f"{first} {last}",
        f"{last} {first}",
        f"{last.upper()}, {first.upper()}",
        f"{first.lower()} {ascii_last}",
        f"@{first} {last}",
        email,
        email.upper(),
        f"<{email}>",
        *number.variants(),
    ]


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[Contact, Contact, list[Ticket]]:
    (first, last), (other_first, other_last) = draw(st.sampled_from(PEOPLE))
    phone = draw(st.sampled_from(PHONES))
    email = f"{first[0].lower()}.{draw(st.sampled_from(['x', 'home', 'work']))}@example.com"
    person = Contact(id="P-1", first_name=first, last_name=last, email=email, mobile=phone, company="C-1")
    other_email = f"x{email}"
    other = Contact(
        id="P-2",
        first_name=other_first,
        last_name=other_last,
        email=other_email,
        phone=OTHER_PHONE,
        company="C-1",
    )
    mine = _spellings(first, last, email, phone)
    theirs = [f"{other_first} {other_last}", other_email, OTHER_PHONE, "ticket 4711", "call back at 9"]
    fragment = st.sampled_from(mine) | st.sampled_from(theirs)
    texts = st.lists(fragment, min_size=1, max_size=4).map(" | ".join)
    file_names = st.sampled_from([*mine, "scan.pdf"])  # a file the person sent loses its name whole
    tickets = []
    for n in range(draw(st.integers(1, 6))):
        created = START + timedelta(hours=draw(st.integers(0, 200)))
        events: list[Event] = []
        at = created
        for _ in range(draw(st.integers(0, 4))):
            at += timedelta(minutes=draw(st.integers(1, 600)))
            by_person = draw(st.booleans())
            events.append(
                Comment(
                    at=at,
                    author="contact" if by_person else "employee",
                    public=draw(st.booleans()),
                    body=draw(texts),
                    by="P-1" if by_person else "E-1",
                    mentions=draw(st.sampled_from([(), ("P-1",), ("P-2",), ("P-1", "P-2")])),
                    headers={"From": draw(texts), "Message-ID": f"<{n}.{email}@mail.example>"},
                    attachments=[Attachment(name=draw(file_names), size=10, sha256="c" * 64)],
                )
            )
            if draw(st.booleans()):
                at += timedelta(minutes=draw(st.integers(1, 3000)))
                events.append(
                    StatusChange(at=at, to=draw(st.sampled_from(["in_progress", "resolved"])), by="E-1")
                )
        tickets.append(
            Ticket.register(
                id=f"T-{n}",
                subject=draw(texts),
                description=draw(texts),
                created_at=created,
                contact=draw(st.sampled_from(["P-1", "P-2"])),
                company="C-1",
                attributes={"note": draw(texts)},
                events=events,
            )
        )
    return person, other, tickets


def _sla(store: MemoryStore) -> dict[str, object]:
    return {t.id: evaluate(t, policy=POLICY, graph=DEFAULT_GRAPH, as_of=AS_OF) for t in store.iter_tickets()}


def _leaves(data: object) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [leaf for value in data.values() for leaf in _leaves(value)]
    if isinstance(data, list):
        return [leaf for value in data for leaf in _leaves(value)]
    return []


def _hits(matcher: IdentifierMatcher, store: MemoryStore) -> int:
    """Full names, addresses and numbers found in every string stored, JSON
    documents decoded."""
    return sum(
        sum(1 for h in matcher.hits(text) if h.kind in ("name", "email", "phone"))
        for cell in store.scan_text()
        for text in _leaves(
            json.loads(cell.text) if cell.column == "document" or cell.column == "header" else cell.text
        )
    )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_forgetting_leaves_no_identifier_spares_the_namesake_and_keeps_the_sla(
    scenario: tuple[Contact, Contact, list[Ticket]],
) -> None:
    person, other, tickets = scenario
    store = MemoryStore()
    with store.unit_of_work() as uow:
        uow.contacts.add(person)
        uow.contacts.add(other)
        for ticket in tickets:
            uow.tickets.add(ticket)
        uow.commit()
    other_matcher = IdentifierMatcher(contact_identifiers(other, region="CZ"))
    other_before = _hits(other_matcher, store)
    sla_before = _sla(store)

    result = desk_privacy.forget_contact(store, "P-1", by="dpo", now=AS_OF, region="CZ")

    assert result.proof.clean, result.proof.findings
    again = desk_privacy.prove_forgotten(store, contact_identifiers(person, region="CZ"))
    assert again.remaining == 0
    assert _hits(other_matcher, store) == other_before, "the similar name is untouched"
    assert store.contacts.get("P-2").value == other
    assert _sla(store) == sla_before
    for ticket in store.iter_tickets():
        assert all("P-1" not in c.mentions for c in ticket.comments)
