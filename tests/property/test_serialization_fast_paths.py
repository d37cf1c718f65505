"""The fast paths of the converter write and read exactly what it wrote and read
before them.

The plain-case structure hooks, the union-free unstructure hooks and the reused
JSON encoder are pure speed: the texts below were written by the converter
before those paths existed (golden strings, byte for byte), and for generated
and deliberately broken documents the plain path must agree with cattrs' full
hooks — same value or same error message. The full hooks are reached by
handing the same data in as a read-only mapping, which the plain path leaves
alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from types import MappingProxyType
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_serialization_roundtrip import ids, tickets

from helpdesk_core.errors import HelpdeskError
from helpdesk_core.model.parties import Company, Contact, PortalAccess
from helpdesk_core.model.ticket import (
    Assignee,
    Assignment,
    Attachment,
    Comment,
    PriorityChange,
    SlaOverride,
    StatusChange,
    Ticket,
    TypeChange,
)
from helpdesk_core.serialization import converter, ticket_from_json, ticket_to_json_line
from helpdesk_core.storage.documents import KINDS, event_documents, ticket_from_documents, ticket_header

CET = timezone(timedelta(hours=1))
CONTACTS = next(k for k in KINDS if k.cls is Contact)
COMPANIES = next(k for k in KINDS if k.cls is Company)


def _examples() -> tuple[Ticket, Ticket, Contact, Contact, Company]:
    at = datetime(2026, 3, 2, 8, 55, tzinfo=CET)
    ticket = Ticket(
        id="T-1001",
        subject="Kotel nefunguje – „urgentní“",
        created_at=at,
        description="Line one\nline two",
        initial_type="incident",
        initial_priority="high",
        initial_assignee=Assignee(id="G-support", group=True),
        channel="email",
        company="C-7",
        contact="P-19",
        observer_employees=frozenset({"E-9", "E-2"}),
        attributes={"floor": 3, "vip": True},
        events=(
            Comment(
                at=at + timedelta(minutes=25),
                author="employee",
                body="On it.",
                by="E-3",
                mentions=("E-4",),
                attachments=(Attachment(name="log.pdf", size=1024, sha256="ab" * 32),),
                headers={"From": "jana@firma.example"},
            ),
            StatusChange(
                at=at + timedelta(hours=1),
                to="postponed",
                until=datetime(2026, 3, 3, 9, tzinfo=CET),
                by="E-3",
            ),
            StatusChange(
                at=datetime(2026, 3, 3, 8, tzinfo=UTC), to="open", by="system", extra={"x_note": "auto"}
            ),
            PriorityChange(at=datetime(2026, 3, 3, 9, 30, tzinfo=CET), to="critical"),
            TypeChange(at=datetime(2026, 3, 3, 9, 31, tzinfo=CET), to="problem", by="E-3"),
            Assignment(at=datetime(2026, 3, 3, 9, 32, tzinfo=CET), to="G-2", group=True),
            Assignment(at=datetime(2026, 3, 3, 9, 33, tzinfo=CET), to=None),
            SlaOverride(
                at=datetime(2026, 3, 3, 9, 34, tzinfo=CET),
                resolution_due=datetime(2026, 3, 4, 12, tzinfo=CET),
                rule="VIP",
            ),
        ),
        extra={"x_source": "legacy"},
    )
    bare = Ticket(id="T-2", subject="Empty", created_at=datetime(2026, 1, 1, tzinfo=UTC))
    contact = Contact(
        id="P-19",
        first_name="Łukasz",
        last_name="Nováková",
        company="C-7",
        email="lukasz@firma.example",
        copy_email="boss@firma.example",
        phone="+420 251 000 123",
        mobile=None,
        responsible=Assignee(id="E-3"),
        portal_access=PortalAccess.COMPANY_TICKETS,
        service_objects=frozenset({"S-2", "S-1"}),
        customer_groups=frozenset({"CG-1"}),
        notes="VIP – call first",
        external_id="X-19",
    )
    individual = Contact(id="P-20", last_name="Svoboda")
    company = Company(
        id="C-7",
        name="Firma s.r.o.",
        category="vip",
        email="info@firma.example",
        phone="+420 2",
        domains=frozenset({"Firma.example", "firma.cz"}),
        responsible=Assignee(id="G-sales", group=True),
        observer_groups=frozenset({"G-1"}),
        customer_groups=frozenset({"CG-1", "CG-0"}),
        external_id="CO-7",
    )
    return ticket, bare, contact, individual, company


GOLDEN_TICKET_LINE = '{"id":"T-1001","subject":"Kotel nefunguje – „urgentní“","created_at":"2026-03-02T08:55:00+01:00","description":"Line one\\nline two","type":"incident","priority":"high","assignee":{"id":"G-support","group":true},"channel":"email","company":"C-7","contact":"P-19","observer_employees":["E-2","E-9"],"attributes":{"floor":3,"vip":true},"events":[{"kind":"comment","at":"2026-03-02T09:20:00+01:00","author":"employee","body":"On it.","by":"E-3","mentions":["E-4"],"attachments":[{"name":"log.pdf","size":1024,"content_type":"application/octet-stream","sha256":"abababababababababababababababababababababababababababababababab"}],"headers":{"From":"jana@firma.example"}},{"kind":"status","at":"2026-03-02T09:55:00+01:00","to":"postponed","until":"2026-03-03T09:00:00+01:00","by":"E-3"},{"kind":"status","at":"2026-03-03T08:00:00+00:00","to":"open","by":"system","x_note":"auto"},{"kind":"priority","at":"2026-03-03T09:30:00+01:00","to":"critical"},{"kind":"type","at":"2026-03-03T09:31:00+01:00","to":"problem","by":"E-3"},{"kind":"assign","at":"2026-03-03T09:32:00+01:00","to":"G-2","group":true},{"kind":"assign","at":"2026-03-03T09:33:00+01:00","to":null},{"kind":"sla","at":"2026-03-03T09:34:00+01:00","resolution_due":"2026-03-04T12:00:00+01:00","rule":"VIP"}],"x_source":"legacy"}'
GOLDEN_BARE_TICKET_LINE = (
    '{"id":"T-2","subject":"Empty","created_at":"2026-01-01T00:00:00+00:00","events":[]}'
)
GOLDEN_TICKET_HEADER = '{"id":"T-1001","subject":"Kotel nefunguje – „urgentní“","created_at":"2026-03-02T08:55:00+01:00","description":"Line one\\nline two","type":"incident","priority":"high","assignee":{"id":"G-support","group":true},"channel":"email","company":"C-7","contact":"P-19","observer_employees":["E-2","E-9"],"attributes":{"floor":3,"vip":true},"x_source":"legacy"}'
GOLDEN_CONTACT = '{"id":"P-19","first_name":"Łukasz","last_name":"Nováková","company":"C-7","email":"lukasz@firma.example","copy_email":"boss@firma.example","phone":"+420 251 000 123","mobile":null,"responsible":"E-3","portal_access":"company_tickets","service_objects":["S-1","S-2"],"supervised_companies":[],"employee":null,"observer_employees":[],"observer_groups":[],"notes":"VIP – call first","customer_groups":["CG-1"],"external_id":"X-19"}'
GOLDEN_INDIVIDUAL = '{"id":"P-20","first_name":"","last_name":"Svoboda","company":null,"email":null,"copy_email":null,"phone":null,"mobile":null,"responsible":null,"portal_access":"none","service_objects":[],"supervised_companies":[],"employee":null,"observer_employees":[],"observer_groups":[],"notes":"","customer_groups":[],"external_id":null}'
GOLDEN_COMPANY = '{"id":"C-7","name":"Firma s.r.o.","category":"vip","email":"info@firma.example","phone":"+420 2","domains":["firma.cz","firma.example"],"responsible":{"id":"G-sales","group":true},"observer_employees":[],"observer_groups":["G-1"],"customer_groups":["CG-0","CG-1"],"external_id":"CO-7"}'


def test_tickets_are_written_byte_for_byte_as_before() -> None:
    ticket, bare, *_ = _examples()
    assert ticket_to_json_line(ticket) == GOLDEN_TICKET_LINE
    assert ticket_to_json_line(bare) == GOLDEN_BARE_TICKET_LINE
    assert ticket_header(ticket) == GOLDEN_TICKET_HEADER
    assert event_documents(ticket.events) == [
        json.dumps(e, ensure_ascii=False, separators=(",", ":"))
        for e in json.loads(GOLDEN_TICKET_LINE)["events"]
    ]


def test_golden_tickets_read_back_equal() -> None:
    ticket, bare, *_ = _examples()
    assert ticket_from_json(GOLDEN_TICKET_LINE) == ticket
    assert ticket_from_json(GOLDEN_BARE_TICKET_LINE) == bare
    assert ticket_from_documents(GOLDEN_TICKET_HEADER, event_documents(ticket.events)) == ticket


@pytest.mark.parametrize(
    ("index", "golden"), [(2, GOLDEN_CONTACT), (3, GOLDEN_INDIVIDUAL), (4, GOLDEN_COMPANY)]
)
def test_parties_are_stored_byte_for_byte_as_before(index: int, golden: str) -> None:
    value = _examples()[index]
    kind = CONTACTS if isinstance(value, Contact) else COMPANIES
    assert kind.encode(value) == golden
    assert kind.decode(golden) == value


def _read_only(document: dict[str, Any]) -> Mapping[str, Any]:
    """``document`` (and each of its events) as a read-only mapping: the full
    hooks' input. Values stay as they are, so error messages quote them alike."""
    data = dict(document)
    if isinstance(data.get("events"), list):
        data["events"] = [MappingProxyType(e) if isinstance(e, dict) else e for e in data["events"]]
    return MappingProxyType(data)


def _outcome(read: Any, data: object) -> object:
    try:
        return read(data)
    except (HelpdeskError, ValueError, TypeError, KeyError, AttributeError) as error:
        return f"{type(error).__name__}: {error}"


BROKEN_VALUES = st.sampled_from(
    [
        None,
        5,
        2.5,
        True,
        "",
        " ",
        "x y",
        "zzz",
        "open",
        "2026-01-01T00:00:00",
        "2026-01-01T00:00:00+01:00",
        [],
        ["E-1", None],
        ["E-1"],
        {},
        {"id": "E-1"},
    ]
)


@st.composite
def broken(draw: st.DrawFn, document: Mapping[str, Any]) -> dict[str, Any]:
    """``document`` with one key set to an odd value, dropped, or added."""
    data = dict(document)
    how = draw(st.sampled_from(["set", "drop", "add"]))
    key = (
        draw(st.sampled_from(sorted(data)))
        if how != "add"
        else draw(st.sampled_from(["x_new", "kind", "responsible", "until", "public"]))
    )
    if how == "drop":
        del data[key]
    else:
        data[key] = draw(BROKEN_VALUES)
    return data


def maybe_broken(document: dict[str, Any], data: st.DataObject) -> dict[str, Any]:
    """A ticket document as it is, or with one of its events or itself broken."""
    if document["events"] and data.draw(st.booleans()):
        index = data.draw(st.integers(0, len(document["events"]) - 1))
        document["events"][index] = data.draw(broken(document["events"][index]))
    elif data.draw(st.booleans()):
        document = data.draw(broken(document))
    return document


@settings(max_examples=100, deadline=None)
@given(tickets(), st.data())
def test_plain_ticket_reading_agrees_with_the_full_hooks(ticket: Ticket, data: st.DataObject) -> None:
    document = maybe_broken(json.loads(ticket_to_json_line(ticket)), data)
    assert _outcome(ticket_from_json, document) == _outcome(ticket_from_json, _read_only(document))


texts = st.text(max_size=12)
emails = st.none() | st.from_regex(r"[a-zé.]{1,6}@[a-z]{1,5}\.(cz|example)", fullmatch=True) | texts
assignees = st.none() | st.builds(Assignee, id=ids, group=st.booleans())


@st.composite
def contacts(draw: st.DrawFn) -> Contact:
    company = draw(st.none() | ids)
    access = draw(st.sampled_from(list(PortalAccess)))
    if company is None and access in (PortalAccess.COMPANY_TICKETS, PortalAccess.REPORTS):
        access = PortalAccess.NONE
    return Contact(
        id=draw(ids),
        first_name=draw(st.text(min_size=1, max_size=12).filter(str.strip)),
        last_name=draw(texts),
        company=company,
        email=draw(st.none() | st.from_regex(r"[a-zé.]{1,6}@[a-z]{1,5}\.(cz|example)", fullmatch=True)),
        phone=draw(st.none() | texts),
        mobile=draw(st.none() | texts),
        responsible=draw(assignees),
        portal_access=access,
        service_objects=draw(st.frozensets(ids, max_size=2)),
        customer_groups=draw(st.frozensets(ids, max_size=3)),
        employee=draw(st.none() | ids),
        notes=draw(texts),
        external_id=draw(st.none() | ids),
    )


@st.composite
def companies(draw: st.DrawFn) -> Company:
    return Company(
        id=draw(ids),
        name=draw(st.text(min_size=1, max_size=12).filter(str.strip)),
        category=draw(st.sampled_from(["client", "vip"])),
        email=draw(st.none() | st.from_regex(r"[a-z.]{1,6}@[a-z]{1,5}\.cz", fullmatch=True)),
        phone=draw(st.none() | texts),
        domains=draw(st.frozensets(st.from_regex(r"[a-zA-Z]{1,5}\.[a-z]{2,3}", fullmatch=True), max_size=3)),
        responsible=draw(assignees),
        customer_groups=draw(st.frozensets(ids, max_size=3)),
        external_id=draw(st.none() | ids),
    )


def _as_before(value: Contact | Company) -> str:
    """The stored text as the converter wrote it before the fast paths: cattrs'
    generic hook for the class (union dispatch per field), ``json.dumps``."""
    from cattrs.gen import make_dict_unstructure_fn

    generic = make_dict_unstructure_fn(type(value), converter)
    return json.dumps(generic(value), ensure_ascii=False, separators=(",", ":"))


@settings(max_examples=100, deadline=None)
@given(st.one_of(contacts(), companies()), st.data())
def test_parties_round_trip_and_agree_with_the_full_hooks(
    value: Contact | Company, data: st.DataObject
) -> None:
    kind = CONTACTS if isinstance(value, Contact) else COMPANIES
    text = kind.encode(value)
    assert text == _as_before(value)
    assert kind.decode(text) == value
    document = data.draw(broken(json.loads(text))) if data.draw(st.booleans()) else json.loads(text)

    def read(d: object) -> object:
        return converter.structure(d, kind.cls)

    assert _outcome(read, document) == _outcome(read, _read_only(document))
