"""ACCEPTANCE: a generated store in which one person is mentioned in many
places and spellings; after ``forget_contact`` the scan of every text finds
none of their identifiers, a person with a similar name is untouched, and the
SLA report of every ticket is the same as before (the report has no contact
column, so the rows are equal as a whole).

ACCEPTANCE (issue 12, "forget with namesakes"): a generated desk where several
people share names, surnames and companies; after forgetting one, every other
person's records are byte-identical in the SQLite file, and none of the
forgotten one's identifiers — in every form item 7 lists — is left in their
records nor anywhere in the file, its WAL or SHM (but for a form another person
writes of themselves, e.g. the full name of a namesake)."""

from __future__ import annotations

import json
import sqlite3
import tempfile
from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from helpdesk_core.desk import privacy as desk_privacy
from helpdesk_core.model.parties import Contact
from helpdesk_core.model.ticket import Attachment, Comment, Event, StatusChange, Ticket
from helpdesk_core.privacy.identifiers import PhoneNumber, contact_identifiers
from helpdesk_core.privacy.matching import IdentifierMatcher
from helpdesk_core.sla import SlaPolicy, evaluate
from helpdesk_core.storage import MemoryStore, SqliteStore
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


# -- ACCEPTANCE: forget with namesakes ---------------------------------------------

NAMES = [
    ("Jana", "Nováková"),
    ("Eva", "Nováková"),
    ("Jana", "Černá"),
    ("Hana", "Černá"),
    ("Jan", "Novák"),
    ("Petr", "Svoboda"),
    ("Petra", "Svobodová"),
]
"""A small pool, so that generated desks repeat full names, surnames and first names."""
DECLINED = {
    "Jana": ("Janě", "Janu"),
    "Eva": ("Evě", "Evu"),
    "Hana": ("Haně", "Hanu"),
    "Jan": ("Janovi", "Jana"),
    "Petr": ("Petrovi", "Petra"),
    "Petra": ("Petře", "Petru"),
    "Nováková": ("Novákové", "Novákovou"),
    "Černá": ("Černé", "Černou"),
    "Novák": ("Novákovi", "Nováka"),
    "Svoboda": ("Svobodovi", "Svobodu"),
    "Svobodová": ("Svobodové", "Svobodovou"),
}
"""Dative and accusative, as a desk's texts write them."""
ASCII = str.maketrans("áčďéěíňóřšťúůýž", "acdeeinorstuuyz")


def _person(index: int, first: str, last: str, company: str) -> Contact:
    local = f"{first}.{last}{index}".lower().translate(ASCII)
    return Contact(
        id=f"P-{index}",
        first_name=first,
        last_name=last,
        company=company,
        email=f"{local}@example.com",
        phone=f"+420 60{index} 123 456",
        external_id=f"crm-{index}",
    )


def _forms(person: Contact) -> list[str]:
    """Every form item 7 of issue 12 lists, as people write them."""
    first, last = person.first_name, person.last_name
    assert person.email is not None and person.phone is not None
    digits = "".join(c for c in person.phone if c.isdigit())
    return [
        f"{first} {last}",
        f"{last}, {first}",
        f"{last.upper()} {first.upper()}",
        f"{DECLINED[first][0]} {DECLINED[last][0]}",
        f"{DECLINED[first][1]} {DECLINED[last][1]}",
        f"paní {DECLINED[last][0]}",
        last,
        f"{first[0]}. {last}",
        person.email,
        person.email.partition("@")[0],
        person.phone,
        digits,
        digits[3:],
    ]


@st.composite
def namesake_desks(draw: st.DrawFn) -> tuple[list[Contact], list[Ticket]]:
    names = draw(st.lists(st.sampled_from(NAMES), min_size=3, max_size=6))
    people = [
        _person(n, first, last, draw(st.sampled_from(["C-1", "C-2"])))
        for n, (first, last) in enumerate(names)
    ]
    tickets = []
    for person in people:
        forms = _forms(person)
        text = st.lists(st.sampled_from(forms), min_size=1, max_size=3).map(" | ".join)
        for n in range(draw(st.integers(1, 2))):
            at = START + timedelta(hours=draw(st.integers(0, 100)))
            events: list[Event] = [
                Comment(
                    at=at + timedelta(minutes=10),
                    author="contact",
                    by=person.id,
                    body=draw(text),
                    headers={"From": f"{person.display_name} <{person.email}>"},
                ),
                Comment(
                    at=at + timedelta(minutes=20),
                    author="employee",
                    by="E-1",
                    body=f"Dobrý den, {draw(text)}",
                ),
            ]
            tickets.append(
                Ticket.register(
                    id=f"T-{person.id}-{n}",
                    subject=draw(text),
                    description=draw(text),
                    created_at=at,
                    contact=person.id,
                    company=person.company,
                    events=events,
                )
            )
    return people, tickets


def _rows(path: Path, contact: str) -> list[tuple[object, ...]]:
    """Every stored row of a person's records — their contact row, the
    tickets where they are the contact and their events — as the file holds them."""
    with closing(sqlite3.connect(path)) as raw:
        tickets = [r[0] for r in raw.execute("SELECT id FROM tickets WHERE id LIKE ?", (f"T-{contact}-%",))]
        marks = ", ".join("?" for _ in tickets)
        return [
            *raw.execute("SELECT * FROM contacts WHERE id = ?", (contact,)),
            *raw.execute(f"SELECT * FROM tickets WHERE id IN ({marks}) ORDER BY id", tickets),
            *raw.execute(f"SELECT * FROM ticket_events WHERE ticket_id IN ({marks}) ORDER BY 1, 2", tickets),
        ]


def _in_files(path: Path, needles: list[str]) -> set[str]:
    raw = b"".join(
        Path(f"{path}{suffix}").read_bytes().lower()
        for suffix in ("", "-wal", "-shm")
        if Path(f"{path}{suffix}").exists()
    )
    return {n for n in needles if n.lower().encode("utf-8") in raw}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(namesake_desks())
def test_forgetting_one_of_several_namesakes_leaves_the_others_byte_identical_and_no_trace_in_the_files(
    desk: tuple[list[Contact], list[Ticket]],
) -> None:
    people, tickets = desk
    forgotten, others = people[0], people[1:]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "desk.sqlite3"
        store = SqliteStore(path)
        try:
            with store.unit_of_work() as uow:
                for person in people:
                    uow.contacts.add(person)
                for ticket in tickets:
                    uow.tickets.add(ticket)
                uow.commit()
            before = {p.id: _rows(path, p.id) for p in others}
            theirs = " ".join(f for p in others for f in [*_forms(p), p.display_name]).lower()
            # a form another person also writes of themselves may stay (in their records)
            exclusive = [f for f in _forms(forgotten) if f.lower() not in theirs]
            assert forgotten.email in _in_files(path, exclusive)

            result = desk_privacy.forget_contact(store, forgotten.id, by="dpo", now=AS_OF, region="CZ")

            assert result.proof.clean, result.proof.findings
            for person in others:
                assert _rows(path, person.id) == before[person.id], f"{person.id} {person.display_name}"
            own = _rows(path, forgotten.id)
            for form in _forms(forgotten):
                assert not any(form.lower() in str(cell).lower() for row in own for cell in row), form
        finally:
            store.close()
        assert _in_files(path, exclusive) == set(), "no form of theirs is left in the file, WAL or SHM"
