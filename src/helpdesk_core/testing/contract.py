"""The storage contract: one suite every backend runs (after pyeventsourcing's
``eventsourcing/tests/persistence.py``).

A backend's test module subclasses :class:`StoreContract` under a name pytest
collects and provides the ``store_url`` fixture — a URL that opens a fresh,
empty store::

    class TestMyStore(StoreContract):
        @pytest.fixture
        def store_url(self, tmp_path: Path) -> str:
            return f"mydb:///{tmp_path}/x"

Override the ``store`` fixture instead when the store is not opened by URL.
Every test here is something a user of the store would notice: what was saved
comes back equal, a stale write is refused, nothing uncommitted survives.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from helpdesk_core.errors import ConflictError, HistoryError, NotFound, ValidationError
from helpdesk_core.model.assets import Equipment, ServiceObject
from helpdesk_core.model.contracts import Contract, ServicePeriod
from helpdesk_core.model.domain_events import DomainEvent, OutboxEntry, ScheduleEntry
from helpdesk_core.model.parties import Company, Contact, CustomerGroup, PortalAccess
from helpdesk_core.model.staff import Employee, EmployeeGroup, Role
from helpdesk_core.model.ticket import (
    Assignee,
    Assignment,
    Attachment,
    Comment,
    Event,
    PriorityChange,
    SlaOverride,
    StatusChange,
    Ticket,
    TypeChange,
)
from helpdesk_core.privacy.consent import ConsentChange
from helpdesk_core.privacy.holds import HeldByLaw
from helpdesk_core.privacy.identifiers import PhoneNumber, contact_identifiers
from helpdesk_core.storage import Repository, Store, Stored, UnitOfWork, open_store
from helpdesk_core.storage.protocols import DEFAULT_CONSUMER, STALE_WAKEUP, SlaStateRecord, StandingState
from helpdesk_core.storage.sla_queue import QueueRequest, queue_request

START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=1)))
"""A Monday morning in Prague (UTC+01:00): the registration of sample tickets."""

ONE_MEGABYTE = 1_000_000
"""Characters in the large description (about 1.5 MB of UTF-8)."""


def sample_ticket(id: str = "T-1", *, at: datetime = START, **fields: Any) -> Ticket:
    """A ticket with one event of every kind, as a help desk would record them."""
    events = (
        Assignment(at=at + timedelta(minutes=5), to="E-1", by="E-0"),
        StatusChange(at=at + timedelta(minutes=10), to="in_progress", by="E-1"),
        Comment(
            at=at + timedelta(minutes=20),
            author="contact",
            body="Tiskárna pořád hlásí „paper jam“ 🖨️",
            by="P-1",
            attachments=(Attachment(name="jam.jpg", size=48_213, content_type="image/jpeg"),),
            headers={"Message-ID": "<1@example.com>"},
        ),
        PriorityChange(at=at + timedelta(minutes=30), to="high", by="E-1"),
        TypeChange(at=at + timedelta(minutes=31), to="incident"),
        SlaOverride(at=at + timedelta(minutes=32), resolution_due=at + timedelta(hours=8), rule="vip"),
    )
    values: dict[str, Any] = {
        "id": id,
        "subject": "Printer jams",
        "created_at": at,
        "priority": "normal",
        "company": "C-1",
        "contact": "P-1",
        "attributes": {"floor": 3, "tags": ["printer"]},
        "events": events,
        **fields,
    }
    return Ticket.register(**values)


def sample_aggregates() -> dict[str, tuple[Any, Any]]:
    """For each kind of aggregate (the unit of work's attribute name): a value
    and a changed version of it with the same id."""
    period = ServicePeriod(
        start=date(2026, 1, 1), end=date(2026, 3, 31), paid=True, remind_on=date(2026, 3, 15)
    )
    company = Company(
        id="C-1",
        name="Kavárna Ústí s.r.o.",
        email="office@kavarna.example",
        domains=["kavarna.example"],
        responsible=Assignee(id="G-1", group=True),
        customer_groups=["CG-1"],
        external_id="crm-17",
    )
    contact = Contact(
        id="P-1",
        first_name="Jana",
        last_name="Nováková",
        company="C-1",
        email="jana@kavarna.example",
        portal_access=PortalAccess.COMPANY_TICKETS,
        external_id="crm-p-1",
    )
    contract = Contract(
        id="K-1",
        number="2026/01",
        companies=["C-1", "C-2"],
        start=date(2026, 1, 1),
        periods=[period],
        external_id="erp-k-1",
    )
    values: dict[str, tuple[Any, Any]] = {
        "companies": (company, attrs.evolve(company, name="Kavárna Ústí a.s.")),
        "contacts": (contact, attrs.evolve(contact, notes="prefers phone")),
        "customer_groups": (
            CustomerGroup(id="CG-1", name="VIP", sla="vip", priority=1, external_id="g-1"),
            CustomerGroup(id="CG-1", name="VIP clients", sla="vip", priority=1, external_id="g-1"),
        ),
        "contracts": (
            contract,
            contract.with_period(ServicePeriod(start=date(2026, 4, 1), end=date(2026, 6, 30), paid=False)),
        ),
        "service_objects": (
            ServiceObject(id="S-1", name="Café on the square", company="C-1", external_id="pos-1"),
            ServiceObject(
                id="S-1", name="Café on the square", company="C-1", address="Náměstí 1", external_id="pos-1"
            ),
        ),
        "equipment": (
            Equipment(
                id="Q-1",
                type="printer",
                company="C-1",
                serial="X1",
                attributes={"dpi": 600},
                external_id="inv-1",
            ),
            Equipment(
                id="Q-1",
                type="printer",
                company="C-1",
                serial="X1",
                service_object="S-1",
                attributes={"dpi": 1200},
                external_id="inv-1",
            ),
        ),
        "employees": (
            Employee(
                id="E-1",
                first_name="Petr",
                email="petr@desk.example",
                role=Role.ADMINISTRATOR,
                groups=["G-1"],
                external_id="hr-1",
            ),
            Employee(
                id="E-1",
                first_name="Petr",
                email="petr@desk.example",
                active=False,
                groups=["G-1"],
                external_id="hr-1",
            ),
        ),
        "employee_groups": (
            EmployeeGroup(id="G-1", name="1st line", members=["E-1"], external_id="hr-g-1"),
            EmployeeGroup(
                id="G-1", name="1st line", members=["E-1"], notification_list=["E-1"], external_id="hr-g-1"
            ),
        ),
    }
    return values


KIND_NAMES = tuple(sample_aggregates())

FORGET_AT = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)
"""When the sample erasure runs (the desk's clock, passed in)."""


def privacy_sample(store: Store) -> Contact:
    """A store where Jana Nováková (P-1, external id crm-p-1) is mentioned in
    many places and spellings, beside Jan Novák (P-2), a similar name who must
    stay untouched. Returns Jana's contact."""
    jana = attrs.evolve(
        sample_aggregates()["contacts"][0],
        copy_email="J.Novakova@Home.example",
        phone="+420 601 123 456",
        mobile="00420 777 888 999",
        notes="Prefers phone calls",
    )
    jan = Contact(
        id="P-2", first_name="Jan", last_name="Novák", email="jan@kavarna.example", phone="602 111 222"
    )
    company, _ = sample_aggregates()["companies"]
    mail = Comment(
        at=START + timedelta(hours=2),
        author="contact",
        body="Dobrý den,\nvolejte mi na (601) 123-456 nebo 777 888 999.\nJana Nováková",
        by="P-1",
        mentions=("E-1",),
        attachments=(
            Attachment(name="Jana_Novakova_cv.pdf", size=1200, sha256="a" * 64),
            Attachment(name="printer.jpg", size=800, sha256="b" * 64),
        ),
        headers={
            "From": "Jana Nováková <jana@kavarna.example>",
            "Cc": "Jan Novák <jan@kavarna.example>",
            "Message-ID": "<20260302.jana@kavarna.example@mail.example>",
        },
    )
    note = Comment(
        at=START + timedelta(hours=3),
        author="employee",
        public=False,
        body="@Jana Nováková wants a call; NOVÁKOVÁ JANA also wrote from J.NOVAKOVA@home.example. "
        "Jan Novák (602 111 222) is her colleague.",
        by="E-1",
        mentions=("P-1", "P-2"),
    )
    tickets = [
        sample_ticket(
            "T-1", subject="Tiskárna — Jana Nováková", events=(*sample_ticket().events, mail, note)
        ),
        sample_ticket("T-2", contact="P-2", description="Jan Novák: printer; call +420601123456 (Jana)"),
        sample_ticket("T-3", contact="P-2", description="Nothing about anybody", events=()),
    ]
    with store.unit_of_work() as uow:
        uow.companies.add(company)
        uow.contacts.add(jana)
        uow.contacts.add(jan)
        for ticket in tickets:
            uow.tickets.add(ticket)
        uow.commit()
    found: Contact = jana
    return found


def _everything(store: Store) -> dict[str, Any]:
    found: dict[str, Any] = {"tickets": list(store.tickets.iter_tickets())}
    for name in (*KIND_NAMES, "audit_records", "consents", "legal_holds"):
        found[name] = list(getattr(store, name).iter())
    return found


def _repository(uow: UnitOfWork, name: str) -> Repository[Any]:
    repository: Repository[Any] = getattr(uow, name)
    return repository


def desk_events(count: int) -> list[DomainEvent]:
    """``count`` domain events as a desk writes them to the out-box: texts in
    several scripts, a list and a number in ``data``."""
    return [
        DomainEvent(
            kind="comment_added",
            ticket=f"T-{n}",
            at=START + timedelta(minutes=n),
            by="E-1",
            data={"body": "Tiskárna „hoří“ 🔥", "mentions": ["E-2"], "n": n + 0.5},
        )
        for n in range(1, count + 1)
    ]


def _note(at: datetime) -> Comment:
    return Comment(at=at, author="employee", body="checked", by="E-1", public=False)


def add_tickets(store: Store, tickets: list[Ticket]) -> None:
    """Add ``tickets`` in one committed unit of work."""
    with store.unit_of_work() as uow:
        for ticket in tickets:
            uow.tickets.add(ticket)
        uow.commit()


def sla_record(
    ticket: str, *, due: datetime | None, at_risk: datetime | None = None, fingerprint: str = "F1"
) -> SlaStateRecord:
    """A stored SLA state of ``ticket`` counting towards ``due`` (None: paused),
    with a document the store keeps as it is."""
    return SlaStateRecord(
        ticket=ticket,
        document=f'{{"ticket": "{ticket}", "note": "Tiskárna 🖨️", "n": 1.50}}',
        fingerprint=fingerprint,
        clock="counting" if due is not None else "paused",
        due=due,
        at_risk_from=at_risk,
        assignee="E-1",
        company="C-1",
    )


def _sla_queue(**filters: Any) -> QueueRequest:
    return queue_request(**{**_NO_FILTER, **filters})


_NO_FILTER: dict[str, Any] = {
    "now": None, "state": None, "due_from": None, "due_before": None, "assignee": None,
    "without_responsible": False, "company": None, "order": "due", "limit": 50, "after": None,
}  # fmt: skip
_NOON = datetime(2026, 3, 2, 12, tzinfo=UTC)
SLA_QUEUES: dict[str, QueueRequest] = {
    "overdue now": _sla_queue(now=_NOON, state="overdue"),
    "at risk now": _sla_queue(now=_NOON, state="at_risk"),
    "due today": _sla_queue(due_from=_NOON, due_before=_NOON + timedelta(hours=12)),
    "without responsible": _sla_queue(without_responsible=True),
    "assignee's queue by due": _sla_queue(assignee="E-1"),
    "assignee's overdue": _sla_queue(assignee="E-1", now=_NOON, state="overdue"),
    "company's at risk": _sla_queue(company="C-1", now=_NOON, state="at_risk"),
}
"""The work queues a desk asks for, as checked requests: the SQL backends'
tests show each one's query plan (``sql_sla.queue_sql``)."""


class StoreContract:
    """The promises every store keeps; see the module docstring for use."""

    @pytest.fixture
    def store_url(self) -> str:
        raise NotImplementedError("a backend's test class provides the store_url fixture")

    @pytest.fixture
    def store(self, store_url: str) -> Iterator[Store]:
        store = open_store(store_url)
        try:
            yield store
        finally:
            store.close()

    # -- round trips ---------------------------------------------------------

    @pytest.mark.parametrize("kind", KIND_NAMES)
    def test_every_aggregate_comes_back_equal_at_version_1(self, store: Store, kind: str) -> None:
        value, _ = sample_aggregates()[kind]
        with store.unit_of_work() as uow:
            assert _repository(uow, kind).add(value) == 1
            uow.commit()
        reader = getattr(store, kind)
        assert reader.get(value.id) == Stored(value, 1)
        assert reader.find(value.id) == Stored(value, 1)
        assert reader.get_by_external_id(value.external_id) == Stored(value, 1)
        assert reader.count() == 1

    @pytest.mark.parametrize("kind", KIND_NAMES)
    def test_a_saved_change_bumps_the_version(self, store: Store, kind: str) -> None:
        value, changed = sample_aggregates()[kind]
        with store.unit_of_work() as uow:
            _repository(uow, kind).add(value)
            uow.commit()
        with store.unit_of_work() as uow:
            assert _repository(uow, kind).save(changed, expected_version=1) == 2
            uow.commit()
        assert getattr(store, kind).get(value.id) == Stored(changed, 2)

    def test_missing_aggregates_are_not_found(self, store: Store) -> None:
        assert store.companies.find("C-404") is None
        assert store.companies.get_by_external_id("nobody") is None
        assert store.tickets.find("T-404") is None
        with pytest.raises(NotFound, match="C-404"):
            store.companies.get("C-404")
        with pytest.raises(NotFound, match="T-404"):
            store.tickets.get("T-404")

    def test_a_ticket_with_its_whole_history_comes_back_equal(self, store: Store) -> None:
        ticket = sample_ticket()
        add_tickets(store, [ticket])
        stored = store.tickets.get("T-1")
        assert stored == Stored(ticket, 1)
        assert stored.value.status == "in_progress"
        assert stored.value.created_at.utcoffset() == timedelta(hours=1), "the offset is kept"

    def test_find_many_gives_the_stored_tickets_with_histories_and_versions(self, store: Store) -> None:
        registered = Ticket.register(id="T-0", subject="no events yet", created_at=START)
        add_tickets(store, [sample_ticket("T-1"), sample_ticket("T-2"), registered])
        with store.unit_of_work() as uow:
            stored = uow.tickets.get("T-2")
            uow.tickets.append("T-2", [_note(START + timedelta(days=1))], expected_version=stored.version)
            uow.commit()
        wanted = ["T-2", "T-9", "T-1", "T-2", "T-0"]
        found = store.tickets.find_many(wanted)
        assert found == {t: store.tickets.get(t) for t in ("T-0", "T-1", "T-2")}, "T-9 left out"
        assert found["T-2"].version == 2 and len(found["T-2"].value.events) == len(sample_ticket().events) + 1
        assert store.tickets.find_many([]) == {}
        many = [f"T-{n}" for n in range(1200)]  # more ids than one query takes
        assert set(store.tickets.find_many(many)) == {"T-0", "T-1", "T-2"}

    def test_unicode_and_a_one_megabyte_description_survive(self, store: Store) -> None:
        text = 'Žluťoučký kůň úpěl ďábelské ódy — 日本語 — 🧯\n\t"quoted" \\ back\x01' * 20_000
        text = text[:ONE_MEGABYTE]
        ticket = sample_ticket("Č-ř 1/😀", description=text, subject="Ünïcödé ✓")
        add_tickets(store, [ticket])
        back = store.tickets.get("Č-ř 1/😀").value
        assert back.description == text
        assert back == ticket

    # -- external ids ----------------------------------------------------------

    def test_an_external_id_belongs_to_one_aggregate(self, store: Store) -> None:
        company, _ = sample_aggregates()["companies"]
        other = attrs.evolve(company, id="C-2")
        with store.unit_of_work() as uow:
            uow.companies.add(company)
            uow.commit()
        with pytest.raises(ConflictError, match="crm-17"), store.unit_of_work() as uow:
            uow.companies.add(other)
            uow.commit()
        assert store.companies.count() == 1

    def test_changing_an_external_id_frees_the_old_one(self, store: Store) -> None:
        company, _ = sample_aggregates()["companies"]
        with store.unit_of_work() as uow:
            uow.companies.add(company)
            uow.commit()
        with store.unit_of_work() as uow:
            uow.companies.save(attrs.evolve(company, external_id="crm-18"), expected_version=1)
            uow.companies.add(attrs.evolve(company, id="C-2"))
            uow.commit()
        assert store.companies.get_by_external_id("crm-17") == store.companies.get("C-2")
        assert store.companies.get_by_external_id("crm-18") == store.companies.get("C-1")

    def test_a_batch_lookup_finds_what_single_lookups_find_and_leaves_out_others(self, store: Store) -> None:
        company, _ = sample_aggregates()["companies"]
        others = [attrs.evolve(company, id=f"C-{n}", external_id=f"crm-x{n}") for n in range(2, 1202)]
        with store.unit_of_work() as uow:
            for value in (company, *others):
                uow.companies.add(value)
            uow.commit()
        ids = ["C-none", company.id, *(o.id for o in others), company.id]
        found = store.companies.find_many(ids)
        assert found == {id: store.companies.get(id) for id in ids if id != "C-none"}
        externals = ["nobody", "crm-17", *(o.external_id for o in reversed(others) if o.external_id)]
        by_external = store.companies.find_many_by_external_id(externals)
        assert set(by_external) == set(externals) - {"nobody"}
        assert by_external["crm-17"] == store.companies.get(company.id)
        assert by_external["crm-x1201"] == Stored(others[-1], 1)
        assert store.companies.find_many([]) == {} == store.contacts.find_many_by_external_id(["crm-17"])
        with store.unit_of_work() as uow:
            uow.companies.save(attrs.evolve(company, name="Renamed"), expected_version=1)
            assert uow.companies.find_many([company.id])[company.id].version == 2
            assert store.companies.find_many([company.id])[company.id].version == 1

    def test_adding_many_stores_each_at_version_1_and_refuses_a_taken_id(self, store: Store) -> None:
        company, _ = sample_aggregates()["companies"]
        many = [attrs.evolve(company, id=f"C-{n}", external_id=f"crm-m{n}") for n in range(1, 1502)]
        with store.unit_of_work() as uow:
            assert uow.companies.add_many(iter(many)) == len(many)
            assert uow.companies.add_many([]) == 0
            uow.commit()
        assert store.companies.count() == len(many)
        assert store.companies.get("C-1501") == Stored(many[-1], 1)
        assert store.companies.get_by_external_id("crm-m7") == Stored(many[6], 1)
        taken = [
            attrs.evolve(company, id="C-new", external_id="crm-new"),
            attrs.evolve(many[3], name="Again"),
        ]
        with pytest.raises(ConflictError), store.unit_of_work() as uow:
            uow.companies.add_many(taken)
            uow.commit()
        with pytest.raises(ConflictError), store.unit_of_work() as uow:
            uow.companies.add_many([attrs.evolve(company, id="C-other", external_id="crm-m9")])
            uow.commit()
        assert store.companies.count() == len(many)
        assert store.companies.find("C-new") is None

    # -- versions and conflicts --------------------------------------------------

    def test_adding_an_existing_id_is_a_conflict(self, store: Store) -> None:
        add_tickets(store, [sample_ticket()])
        with pytest.raises(ConflictError, match="T-1"), store.unit_of_work() as uow:
            uow.tickets.add(sample_ticket(subject="Another"))
            uow.commit()
        assert store.tickets.get("T-1").value.subject == "Printer jams"

    @pytest.mark.parametrize("kind", KIND_NAMES)
    def test_saving_a_stale_version_is_a_conflict_and_changes_nothing(self, store: Store, kind: str) -> None:
        value, changed = sample_aggregates()[kind]
        with store.unit_of_work() as uow:
            _repository(uow, kind).add(value)
            uow.commit()
        with store.unit_of_work() as uow:
            _repository(uow, kind).save(value, expected_version=1)
            uow.commit()
        with pytest.raises(ConflictError, match="version"), store.unit_of_work() as uow:
            _repository(uow, kind).save(changed, expected_version=1)
            uow.commit()
        assert getattr(store, kind).get(value.id) == Stored(value, 2)

    def test_a_writer_based_on_a_stale_read_loses_no_event(self, store: Store) -> None:
        add_tickets(store, [sample_ticket()])
        read_by_both = store.tickets.get("T-1")
        first = Comment(at=START + timedelta(hours=1), author="employee", body="first", by="E-1")
        second = Comment(at=START + timedelta(hours=2), author="employee", body="second", by="E-2")
        with store.unit_of_work() as uow:
            uow.tickets.append("T-1", [first], expected_version=read_by_both.version)
            uow.commit()
        with pytest.raises(ConflictError), store.unit_of_work() as uow:
            uow.tickets.append("T-1", [second], expected_version=read_by_both.version)
            uow.commit()
        retried = store.tickets.get("T-1")
        with store.unit_of_work() as uow:
            uow.tickets.append("T-1", [second], expected_version=retried.version)
            uow.commit()
        assert [c.body for c in store.tickets.get("T-1").value.comments][-2:] == ["first", "second"]
        assert store.tickets.get("T-1").version == 3

    def test_saving_with_no_expected_version_refuses_an_existing_one(self, store: Store) -> None:
        add_tickets(store, [sample_ticket()])
        with pytest.raises(ConflictError), store.unit_of_work() as uow:
            uow.tickets.save(sample_ticket(subject="Other"), expected_version=None)
        assert store.tickets.get("T-1").value.subject == "Printer jams"

    def test_saving_a_deleted_aggregate_is_a_conflict(self, store: Store) -> None:
        company, changed = sample_aggregates()["companies"]
        with store.unit_of_work() as uow:
            uow.companies.add(company)
            uow.commit()
        with store.unit_of_work() as uow:
            uow.companies.delete("C-1", expected_version=1)
            uow.commit()
        with pytest.raises(ConflictError, match="gone"), store.unit_of_work() as uow:
            uow.companies.save(changed, expected_version=1)

    # -- history -----------------------------------------------------------------

    def test_appending_events_extends_the_history(self, store: Store) -> None:
        add_tickets(store, [sample_ticket()])
        later: list[Event] = [
            Comment(at=START + timedelta(hours=1), author="employee", body="Fixed the tray", by="E-1"),
            StatusChange(at=START + timedelta(hours=1), to="resolved", by="E-1"),
        ]
        with store.unit_of_work() as uow:
            assert uow.tickets.append("T-1", later, expected_version=1) == 2
            uow.commit()
        stored = store.tickets.get("T-1")
        assert stored.version == 2
        assert stored.value == sample_ticket().with_event(later[0]).with_event(later[1])
        assert [s.value.id for s in store.tickets.iter_tickets(status="resolved")] == ["T-1"]
        assert list(store.tickets.iter_tickets(status="in_progress")) == []

    def test_an_appended_event_earlier_than_the_history_is_refused(self, store: Store) -> None:
        add_tickets(store, [sample_ticket()])
        early = Comment(at=START + timedelta(minutes=1), author="employee", body="too early")
        with pytest.raises(HistoryError, match="T-1"), store.unit_of_work() as uow:
            uow.tickets.append("T-1", [early], expected_version=1)
        assert store.tickets.get("T-1") == Stored(sample_ticket(), 1)

    def test_saving_a_ticket_with_a_rewritten_history_keeps_exactly_that_history(self, store: Store) -> None:
        ticket = sample_ticket()
        add_tickets(store, [ticket])
        comment = ticket.events[2]
        assert isinstance(comment, Comment)
        erased = attrs.evolve(comment, body="[erased]", headers={}, attachments=())
        rewritten = attrs.evolve(ticket, events=(*ticket.events[:2], erased, *ticket.events[3:5]))
        with store.unit_of_work() as uow:
            uow.tickets.save(rewritten, expected_version=1)
            uow.commit()
        assert store.tickets.get("T-1") == Stored(rewritten, 2)
        grown = rewritten.with_event(StatusChange(at=START + timedelta(hours=3), to="resolved"))
        with store.unit_of_work() as uow:
            uow.tickets.save(grown, expected_version=2)
            uow.commit()
        assert store.tickets.get("T-1") == Stored(grown, 3)

    def test_assigned_counts_follow_every_write_of_an_assignee(self, store: Store) -> None:
        """What routing's load and the workload report read: per employee,
        their tickets by current status, as the tickets themselves say after
        registration, reassignment (to an employee, a group, nobody) and a
        rewrite by ``save``."""
        from helpdesk_core.storage.documents import assigned_counts_of

        tickets = [sample_ticket(id) for id in ("T-1", "T-2", "T-3", "T-4")]  # E-1's, in progress
        add_tickets(store, tickets)
        later = START + timedelta(hours=5)
        with store.unit_of_work() as uow:
            uow.tickets.append("T-2", [StatusChange(at=later, to="resolved", by="E-1")], expected_version=1)
            uow.tickets.append("T-3", [Assignment(at=later, to="E-2")], expected_version=1)
            uow.tickets.append("T-4", [Assignment(at=later, to="E-2"), Assignment(at=later, to=None)],
                               expected_version=1)
            moved = store.tickets.get("T-1").value
            uow.tickets.save(moved.with_event(Assignment(at=later, to="G-1", group=True)), expected_version=1)
            uow.commit()
        everyone = ["E-1", "E-2", "E-9"]
        expected = assigned_counts_of((s.value for s in store.tickets.iter_tickets()), everyone)
        assert expected == {"E-1": {"resolved": 1}, "E-2": {"in_progress": 1}}
        assert store.tickets.assigned_counts(everyone) == expected
        assert store.tickets.assigned_counts(["E-2"]) == {"E-2": {"in_progress": 1}}
        assert store.tickets.assigned_counts([]) == {}

    # -- transactions --------------------------------------------------------------

    def test_leaving_the_unit_of_work_without_commit_keeps_nothing(self, store: Store) -> None:
        company, _ = sample_aggregates()["companies"]
        with store.unit_of_work() as uow:
            uow.tickets.add(sample_ticket())
            uow.companies.add(company)
            assert uow.tickets.get("T-1").version == 1, "a unit of work reads its own writes"
        assert store.tickets.find("T-1") is None
        assert store.companies.count() == 0

    def test_an_error_inside_the_unit_of_work_keeps_nothing(self, store: Store) -> None:
        class Boom(Exception):
            pass

        with pytest.raises(Boom), store.unit_of_work() as uow:
            uow.tickets.add(sample_ticket())
            raise Boom
        assert store.tickets.count() == 0

    def test_rollback_drops_what_came_after_the_last_commit(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.tickets.add(sample_ticket("T-1"))
            uow.commit()
            uow.tickets.add(sample_ticket("T-2"))
            uow.rollback()
            uow.tickets.add(sample_ticket("T-3"))
            uow.commit()
            uow.tickets.add(sample_ticket("T-4"))
        assert sorted(s.value.id for s in store.tickets.iter_tickets()) == ["T-1", "T-3"]

    def test_uncommitted_writes_are_invisible_outside(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.tickets.add(sample_ticket())
            assert store.tickets.find("T-1") is None
            uow.commit()
        assert store.tickets.get("T-1").version == 1

    # -- deletes ---------------------------------------------------------------------

    @pytest.mark.parametrize("kind", KIND_NAMES)
    def test_a_deleted_aggregate_is_gone(self, store: Store, kind: str) -> None:
        value, _ = sample_aggregates()[kind]
        with store.unit_of_work() as uow:
            _repository(uow, kind).add(value)
            uow.commit()
        with pytest.raises(ConflictError), store.unit_of_work() as uow:
            _repository(uow, kind).delete(value.id, expected_version=2)
        with store.unit_of_work() as uow:
            _repository(uow, kind).delete(value.id, expected_version=1)
            uow.commit()
        assert getattr(store, kind).find(value.id) is None
        assert getattr(store, kind).get_by_external_id(value.external_id) is None
        assert getattr(store, kind).count() == 0

    def test_a_deleted_ticket_takes_its_history_along(self, store: Store) -> None:
        add_tickets(store, [sample_ticket()])
        with store.unit_of_work() as uow:
            uow.tickets.delete("T-1", expected_version=1)
            uow.commit()
        fresh = Ticket.register(id="T-1", subject="Again", created_at=START)
        add_tickets(store, [fresh])
        assert store.tickets.get("T-1") == Stored(fresh, 1)

    # -- streaming -------------------------------------------------------------------

    def test_streaming_returns_every_ticket_once_in_creation_order(self, store: Store) -> None:
        zones = [UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5))]
        tickets = []
        for n in range(57):
            at = (START + timedelta(minutes=7 * (n % 9))).astimezone(zones[n % 3])
            history = sample_ticket(at=at).events[: n % 6]
            tickets.append(sample_ticket(f"T-{n:03d}", at=at, company=f"C-{n % 2}", events=history))
        add_tickets(store, list(reversed(tickets)))
        expected = sorted(tickets, key=lambda t: (t.created_at, t.id))
        streamed = [s.value for s in store.tickets.iter_tickets(batch_size=10)]
        assert streamed == expected, "ordered by instant (any offset), ties by id, across batches"
        assert [s.value for s in store.tickets.iter_tickets(batch_size=1)] == expected
        middle = expected[24]
        resumed = [
            s.value for s in store.tickets.iter_tickets(after=(middle.created_at, middle.id), batch_size=7)
        ]
        assert resumed == expected[25:]
        of_c1 = [s.value for s in store.tickets.iter_tickets(company="C-1", batch_size=4)]
        assert of_c1 == [t for t in expected if t.company == "C-1"]

    def test_streaming_an_empty_store_yields_nothing(self, store: Store) -> None:
        assert list(store.tickets.iter_tickets()) == []
        assert list(store.contacts.iter()) == []

    def test_aggregates_stream_in_code_point_order_of_ids(self, store: Store) -> None:
        ids = ["b", "B", "a", "é", "Z", "ž", "😀", "a-10", "a-9", "A"]
        with store.unit_of_work() as uow:
            for id in ids:
                uow.customer_groups.add(CustomerGroup(id=id, name=f"group {id}"))
            uow.commit()
        assert [s.value.id for s in store.customer_groups.iter(batch_size=3)] == sorted(ids)
        after_a = [id for id in sorted(ids) if id > "a"]
        assert [s.value.id for s in store.customer_groups.iter(after="a", batch_size=2)] == after_a

    # -- privacy ---------------------------------------------------------------------

    def test_forgetting_a_contact_leaves_no_identifier_in_any_text_column(self, store: Store) -> None:
        from helpdesk_core.desk import privacy as desk_privacy

        jana = privacy_sample(store)
        before = {s.value.id: s.value for s in store.tickets.iter_tickets()}
        result = desk_privacy.forget_contact(store, "crm-p-1", by="dpo", now=FORGET_AT)
        assert result.proof.clean and result.proof.scanned > 10, result.proof
        again = desk_privacy.prove_forgotten(store, contact_identifiers(jana))
        assert again.remaining == 0
        after = {s.value.id: s.value for s in store.tickets.iter_tickets()}
        assert after.keys() == before.keys()
        for id, ticket in after.items():
            old = before[id]
            assert [(e.kind, e.at, getattr(e, "by", None)) for e in ticket.events] == [
                (e.kind, e.at, getattr(e, "by", None)) for e in old.events
            ], "events, instants and authors stay"
            facts = (ticket.status, ticket.contact, ticket.created_at)
            assert facts == (old.status, old.contact, old.created_at)
        assert "Jan Novák (602 111 222) is her colleague" in after["T-1"].comments[-1].body
        assert after["T-2"].description.startswith("Jan Novák: printer; call [phone erased]")
        assert store.contacts.get("P-2").value.display_name == "Jan Novák"
        forgotten = store.contacts.get("P-1").value
        assert forgotten.display_name == result.record.pseudonym
        erased = (forgotten.email, forgotten.phone, forgotten.notes, forgotten.external_id)
        assert erased == (None, None, "", None)
        assert forgotten.company == "C-1", "statistics per company stay"
        mail = after["T-1"].comments[-2]
        assert [a.name for a in mail.attachments] == ["attachment", "attachment"]
        assert [a.sha256 for a in mail.attachments] == [None, None]
        assert mail.headers["Cc"] == "Jan Novák <jan@kavarna.example>"
        assert "P-1" not in after["T-1"].comments[-1].mentions
        assert set(result.sent_files) == {"a" * 64, "b" * 64}

    def test_forgetting_a_contact_erases_them_from_the_out_box_too(self, store: Store) -> None:
        from helpdesk_core.desk import privacy as desk_privacy

        privacy_sample(store)
        mail = store.tickets.get("T-1").value.comments[-2]
        events = [
            DomainEvent(
                kind="comment_added",
                ticket="T-1",
                at=mail.at,
                by="P-1",
                data={"body": mail.body, "from": mail.headers["From"], "mentions": ["E-1"]},
            ),
            DomainEvent(
                kind="ticket_registered",
                ticket="T-2",
                at=START,
                by="E-1",
                data={"subject": "Jan Novák: printer; call +420601123456 (Jana)"},
            ),
            DomainEvent(kind="status_changed", ticket="T-3", at=START, data={"from": "new", "to": "open"}),
        ]
        with store.unit_of_work() as uow:
            uow.outbox.append(events)
            uow.outbox.acknowledge("webhooks", 1)
            uow.commit()
        exported = desk_privacy.export_person(store, "crm-p-1")
        assert {m["record"] for m in exported["mentions"]} >= {"out-box entry 1", "out-box entry 2"}
        result = desk_privacy.forget_contact(store, "crm-p-1", by="dpo", now=FORGET_AT)
        assert result.proof.clean, result.proof
        entries = store.outbox.entries()
        assert [e.position for e in entries] == [1, 2, 3], "positions stay"
        hers, colleague, other = (e.event for e in entries)
        said = json.dumps(hers.data, ensure_ascii=False)
        for identifier in ("Nováková", "jana@kavarna.example", "777 888 999", "123-456"):
            assert identifier not in said, said
        assert result.record.pseudonym is not None and result.record.pseudonym in said
        assert (hers.kind, hers.ticket, hers.at, hers.by) == ("comment_added", "T-1", mail.at, "P-1")
        assert hers.data["mentions"] == ["E-1"]
        assert colleague.data == {"subject": "Jan Novák: printer; call [phone erased] (Jana)"}, (
            "outside her tickets only her addresses and numbers go; a namesake keeps his name"
        )
        assert other == events[2]
        assert store.outbox.acknowledged("webhooks") == 1
        assert result.summary.counts["out-box entry data"] == 2, "two entries changed"

    def test_the_audit_record_holds_hashes_never_a_plain_value(self, store: Store) -> None:
        from helpdesk_core.desk import privacy as desk_privacy
        from helpdesk_core.privacy.audit import identifier_hashes
        from helpdesk_core.serialization import converter

        jana = privacy_sample(store)
        identifiers = contact_identifiers(jana)
        result = desk_privacy.forget_contact(store, "crm-p-1", by="dpo", now=FORGET_AT)
        records = [s.value for s in store.audit_records.iter()]  # type: ignore[attr-defined]
        [record] = [r for r in records if r.action == "forget-contact"]
        [scrub] = [r for r in records if r.action == "scrub"]
        assert (scrub.subject, scrub.identifier_hashes) == (record.id, ()), "the scrub completed, on record"
        assert (record.by, record.at, record.subject) == ("dpo", FORGET_AT, "P-1")
        assert record == result.record
        assert set(identifier_hashes(record.salt, identifiers)) <= set(record.identifier_hashes)
        text = str(converter.unstructure(record)).lower()
        for value in (*identifiers.plain_values(), "601123456", "novakova", "nováková"):
            assert value.lower() not in text
        assert desk_privacy.forgotten_record_for(store, identifiers) == record
        with pytest.raises(NotFound, match=f"forgotten on .*{record.id}"):
            desk_privacy.find_contact(store, "crm-p-1")

    def test_a_failure_half_way_through_forgetting_leaves_the_store_unchanged(self, store: Store) -> None:
        from helpdesk_core.desk import privacy as desk_privacy

        privacy_sample(store)
        before = _everything(store)

        class Injected(Exception):
            pass

        class FailingTickets:
            def __init__(self, inner: Any) -> None:
                self._inner = inner

            def save(self, value: Ticket, *, expected_version: int | None) -> int:
                if value.id == "T-2":
                    raise Injected
                return int(self._inner.save(value, expected_version=expected_version))

            def __getattr__(self, name: str) -> Any:
                return getattr(self._inner, name)

        class FailingUnitOfWork:
            def __init__(self, inner: Any) -> None:
                self._inner = inner
                self.tickets = FailingTickets(inner.tickets)

            def __getattr__(self, name: str) -> Any:
                return getattr(self._inner, name)

        class FailingStore:
            def __getattr__(self, name: str) -> Any:
                return getattr(store, name)

            @contextmanager
            def unit_of_work(self) -> Iterator[Any]:
                with store.unit_of_work() as uow:
                    yield FailingUnitOfWork(uow)

        with pytest.raises(Injected):
            desk_privacy.forget_contact(FailingStore(), "crm-p-1", by="dpo", now=FORGET_AT)
        assert _everything(store) == before, "nothing of the half-done erasure is kept"

    def test_export_holds_what_the_erasure_would_change_and_nothing_after_it(self, store: Store) -> None:
        from helpdesk_core.desk import privacy as desk_privacy

        privacy_sample(store)
        desk_privacy.record_consent(
            store, "crm-p-1", ConsentChange(purpose="newsletter", opted_in=True, at=START, source="web form")
        )
        document = desk_privacy.export_person(store, "crm-p-1")
        json.dumps(document)
        assert document["contact"]["email"] == "jana@kavarna.example"
        assert document["contact"]["phone"] == "+420 601 123 456"
        assert [t["id"] for t in document["tickets"]] == ["T-1"], "T-2 is Jan's: she only commented"
        assert [c["body"][:9] for c in document["comments"]] == ["Tiskárna ", "Dobrý den", "Tiskárna "]
        places = {(m["record"], m["field"]): m["value"] for m in document["mentions"]}
        assert places["ticket T-2", "description"] == "[name withheld]: printer; call +420601123456 (Jana)"
        assert places["ticket T-1", "events[7].body"].endswith("J.NOVAKOVA@home.example. […]")
        assert "602 111 222" not in json.dumps(document), "Jan's number is his"
        assert document["consent"][0]["purpose"] == "newsletter"
        plan = desk_privacy.summarise(desk_privacy.plan_forget(store, "crm-p-1"))
        exported = len(document["mentions"]) + len(document["contact"]) - 2
        assert plan.places == exported, "export and erasure walk the same places"
        desk_privacy.forget_contact(store, "crm-p-1", by="dpo", now=FORGET_AT)
        after = json.dumps(desk_privacy.export_person(store, "P-1"), ensure_ascii=False)
        for plain in ("nováková", "novakova", "jana@", "601", "777 888", "crm-p-1"):
            assert plain not in after.lower()

    def test_a_legal_hold_keeps_what_it_covers_and_is_named(self, store: Store) -> None:
        from helpdesk_core.desk import privacy as desk_privacy

        privacy_sample(store)
        hold = desk_privacy.place_hold(
            store, scope="ticket", target="T-2", reason="court case 12/2026", by="dpo", now=START
        )
        plan = desk_privacy.summarise(desk_privacy.plan_forget(store, "crm-p-1"))
        assert [(h.record, h.hold.id) for h in plan.held] == [("ticket T-2", hold.id)]
        result = desk_privacy.forget_contact(store, "crm-p-1", by="dpo", now=FORGET_AT)
        assert result.record.held == (hold.id,)
        assert "+420601123456" in store.tickets.get("T-2").value.description
        assert result.proof.clean and result.proof.held == 1
        other = desk_privacy.place_hold(
            store, scope="contact", target="P-2", reason="audit", by="dpo", now=START
        )
        with pytest.raises(HeldByLaw, match=f"{other.id} on contact P-2: audit"):
            desk_privacy.forget_contact(store, "P-2", by="dpo", now=FORGET_AT)
        desk_privacy.release_hold(store, other.id, now=FORGET_AT)
        assert desk_privacy.list_holds(store) == [hold]

    def test_a_legal_hold_on_a_ticket_keeps_its_out_box_entries_too(self, store: Store) -> None:
        from helpdesk_core.desk import privacy as desk_privacy

        privacy_sample(store)
        held = DomainEvent(kind="ticket_registered", ticket="T-2", at=START, data={"phone": "+420601123456"})
        with store.unit_of_work() as uow:
            uow.outbox.append([held])
            uow.commit()
        hold = desk_privacy.place_hold(
            store, scope="ticket", target="T-2", reason="court case 12/2026", by="dpo", now=START
        )
        result = desk_privacy.forget_contact(store, "crm-p-1", by="dpo", now=FORGET_AT)
        assert store.outbox.entries()[0].event == held
        assert [h.record for h in result.summary.held] == ["ticket T-2", "out-box entry 1"]
        assert result.record.held == (hold.id,)
        assert result.proof.clean and result.proof.held == 2, result.proof

    def test_replay_forgets_again_a_person_restored_from_a_backup(self, store: Store) -> None:
        from helpdesk_core.desk import privacy as desk_privacy

        jana = privacy_sample(store)
        first = desk_privacy.forget_contact(store, "crm-p-1", by="dpo", now=FORGET_AT)
        stored = store.contacts.get("P-1")
        with store.unit_of_work() as uow:
            uow.contacts.save(jana, expected_version=stored.version)
            uow.commit()
        plan = desk_privacy.plan_replay(store)
        assert [(i.id, i.because) for i in plan.items] == [("P-1", ("email", "phone", "external id"))]
        [again] = desk_privacy.replay(store, plan, by="dpo", now=FORGET_AT + timedelta(days=1))
        assert again.record.pseudonym == first.record.pseudonym
        assert again.proof.clean
        assert store.contacts.get("P-1").value.display_name == first.record.pseudonym
        assert desk_privacy.plan_replay(store).items == ()

    def test_consent_ledgers_and_the_audience_survive_the_store(self, store: Store) -> None:
        from helpdesk_core.desk import privacy as desk_privacy

        privacy_sample(store)
        for contact, opted_in in (("P-1", True), ("P-2", True)):
            desk_privacy.record_consent(
                store,
                contact,
                ConsentChange(purpose="newsletter", opted_in=opted_in, at=START, source="form"),
            )
        desk_privacy.record_consent(
            store, "P-2", ConsentChange(purpose="newsletter", opted_in=False, at=START + timedelta(days=1))
        )
        assert [r.contact for r in desk_privacy.mailing_audience(store, "newsletter")] == ["P-1"]
        assert len(desk_privacy.consent_history(store, "P-2").changes) == 2
        desk_privacy.forget_contact(store, "P-1", by="dpo", now=FORGET_AT)
        assert list(desk_privacy.mailing_audience(store, "newsletter")) == []

    def test_phone_numbers_in_other_spellings_are_found_by_the_proof(self, store: Store) -> None:
        from helpdesk_core.desk import privacy as desk_privacy

        jana = privacy_sample(store)
        phone = PhoneNumber.parse("+420 601 123 456")
        assert phone is not None
        text = " / ".join(phone.variants())
        add_tickets(store, [sample_ticket("T-9", description=text, events=())])
        found = desk_privacy.prove_forgotten(store, contact_identifiers(jana))
        assert not found.clean
        desk_privacy.forget_contact(store, "P-1", by="dpo", now=FORGET_AT)
        assert store.tickets.get("T-9").value.description.count("[phone erased]") == len(phone.variants())

    # -- the live desk: out-box, schedule, sequences ---------------------------------

    def test_the_out_box_keeps_committed_events_in_order_with_gap_free_positions(self, store: Store) -> None:
        first, second, third = desk_events(3)
        with store.unit_of_work() as uow:
            appended = uow.outbox.append([first, second])
            assert [e.position for e in appended] == [1, 2]
            assert uow.outbox.last_position() == 2, "a unit of work sees its own entries"
            assert store.outbox.last_position() == 0, "nobody else does before the commit"
            uow.commit()
        with store.unit_of_work() as uow:
            assert [e.position for e in uow.outbox.append([third])] == [3]
            uow.commit()
        entries = store.outbox.entries()
        assert entries == [OutboxEntry(position=n, event=e) for n, e in enumerate(desk_events(3), 1)]
        assert entries[0].event.data == {"body": "Tiskárna „hoří“ 🔥", "mentions": ["E-2"], "n": 1.5}
        assert store.outbox.entries(after=1, limit=1) == entries[1:2]
        assert store.outbox.last_position() == 3

    def test_a_rolled_back_out_box_append_leaves_no_entry_and_no_gap(self, store: Store) -> None:
        first, second, third = desk_events(3)
        with store.unit_of_work() as uow:
            uow.outbox.append([first])
            uow.commit()
        with store.unit_of_work() as uow:
            uow.outbox.append([second, second])  # left without commit
        with store.unit_of_work() as uow:
            uow.outbox.append([second])
            uow.rollback()
            uow.outbox.append([third])
            uow.commit()
        assert [(e.position, e.event) for e in store.outbox.entries()] == [(1, first), (2, third)]

    def test_each_consumer_acknowledges_on_its_own(self, store: Store) -> None:
        events = desk_events(3)
        with store.unit_of_work() as uow:
            uow.outbox.append(events)
            uow.commit()
        assert store.outbox.acknowledged() == 0
        assert [e.position for e in store.outbox.pending()] == [1, 2, 3]
        with store.unit_of_work() as uow:
            uow.outbox.acknowledge(DEFAULT_CONSUMER, 2)
            uow.outbox.acknowledge("webhooks", 1)
            uow.commit()
        assert [e.position for e in store.outbox.pending()] == [3]
        assert [e.position for e in store.outbox.pending("webhooks", limit=1)] == [2]
        assert [e.position for e in store.outbox.pending("audit")] == [1, 2, 3]
        with store.unit_of_work() as uow:
            uow.outbox.acknowledge(DEFAULT_CONSUMER, 1)  # backwards: changes nothing
            uow.commit()
        assert store.outbox.acknowledged() == 2
        refused = pytest.raises(ValidationError, match=r"position 4, the last entry is at 3")
        with refused, store.unit_of_work() as uow:
            uow.outbox.acknowledge("webhooks", 4)
        assert store.outbox.acknowledged("webhooks") == 1

    def test_an_acknowledgement_left_uncommitted_is_not_kept(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.outbox.append(desk_events(2))
            uow.commit()
        with store.unit_of_work() as uow:
            uow.outbox.acknowledge(DEFAULT_CONSUMER, 2)
            assert uow.outbox.acknowledged() == 2
        assert store.outbox.acknowledged() == 0
        assert len(store.outbox.pending()) == 2

    def test_an_out_box_event_whose_data_is_not_json_is_refused(self, store: Store) -> None:
        nan = DomainEvent(kind="comment_added", ticket="T-1", at=START, data={"score": float("nan")})
        when = DomainEvent(kind="comment_added", ticket="T-1", at=START, data={"when": START})
        for bad in (nan, when):
            with pytest.raises(ValidationError, match="T-1"), store.unit_of_work() as uow:
                uow.outbox.append([bad])
        assert store.outbox.last_position() == 0

    def test_every_ticket_write_marks_its_schedule_entry_stale_keeping_checked_through(
        self, store: Store
    ) -> None:
        checked = START + timedelta(hours=1)
        with store.unit_of_work() as uow:
            uow.tickets.add(sample_ticket("T-1"))
            assert uow.schedule.find("T-1") == ScheduleEntry(ticket="T-1", stale=True)
            uow.commit()
        assert store.schedule.find("T-1") == ScheduleEntry(ticket="T-1", stale=True)
        assert store.schedule.find("T-404") is None
        with store.unit_of_work() as uow:
            uow.schedule.put(
                ScheduleEntry(ticket="T-1", wake_at=START + timedelta(days=2), checked_through=checked),
                checked_through_was=None,
            )
            uow.commit()
        assert store.schedule.find("T-1") == ScheduleEntry(
            ticket="T-1", wake_at=START + timedelta(days=2), checked_through=checked
        )
        stale = ScheduleEntry(ticket="T-1", checked_through=checked, stale=True)
        later = START + timedelta(hours=2)

        def append(uow: UnitOfWork) -> None:
            uow.tickets.append("T-1", [_note(later)], expected_version=1)

        def save(uow: UnitOfWork) -> None:
            uow.tickets.save(attrs.evolve(sample_ticket("T-1"), subject="Changed"), expected_version=2)

        writes = [append, save]
        for write in writes:
            with store.unit_of_work() as uow:
                write(uow)
                uow.commit()
            assert store.schedule.find("T-1") == stale
            with store.unit_of_work() as uow:
                uow.schedule.put(
                    ScheduleEntry(ticket="T-1", wake_at=later, checked_through=checked),
                    checked_through_was=checked,
                )
                uow.commit()
        with store.unit_of_work() as uow:
            uow.tickets.delete("T-1", expected_version=3)
            uow.commit()
        assert store.schedule.find("T-1") is None
        assert store.schedule.next_wakeup() is None

    def test_putting_a_schedule_entry_is_compare_and_set_on_checked_through(self, store: Store) -> None:
        add_tickets(store, [sample_ticket("T-1")])
        first = START + timedelta(hours=1)
        with store.unit_of_work() as uow:
            uow.schedule.put(ScheduleEntry(ticket="T-1", checked_through=first), checked_through_was=None)
            uow.commit()
        for was in (None, START):  # a scheduler that read the entry before the first put
            with pytest.raises(ConflictError, match="T-1"), store.unit_of_work() as uow:
                uow.schedule.put(
                    ScheduleEntry(ticket="T-1", checked_through=START + timedelta(hours=2)),
                    checked_through_was=was,
                )
        assert store.schedule.find("T-1") == ScheduleEntry(ticket="T-1", checked_through=first)
        in_prague = first.astimezone(timezone(timedelta(hours=1)))
        with store.unit_of_work() as uow:
            uow.schedule.put(ScheduleEntry(ticket="T-1", wake_at=first), checked_through_was=in_prague)
            uow.commit()
        assert store.schedule.find("T-1") == ScheduleEntry(ticket="T-1", wake_at=first)

    def test_a_scheduler_cannot_overwrite_a_wake_up_changed_meanwhile(self, store: Store) -> None:
        """A scheduler reads the entry, then the ticket, and computes the
        wake-up; a desk writer changes the ticket and its wake-up meanwhile.
        Whatever the interleaving the store allows, the wake-up kept is the
        one of the ticket as finally stored (here: START + its version in hours)."""
        add_tickets(store, [sample_ticket("T-1")])

        def wake_of(version: int) -> datetime:
            return START + timedelta(hours=version)

        def desk_writer() -> None:
            with store.unit_of_work() as uow:
                entry = uow.schedule.find("T-1")
                stored = uow.tickets.get("T-1")
                at = START + timedelta(days=1)
                version = uow.tickets.append("T-1", [_note(at)], expected_version=stored.version)
                uow.schedule.put(
                    ScheduleEntry(ticket="T-1", wake_at=wake_of(version)),
                    checked_through_was=None if entry is None else entry.checked_through,
                )
                uow.commit()

        writer = threading.Thread(target=desk_writer)
        try:
            with store.unit_of_work() as uow:
                entry = uow.schedule.find("T-1")  # first the entry, then the ticket
                assert entry is not None
                stored = uow.tickets.get("T-1")
                writer.start()
                time.sleep(0.3)  # the writer commits now, or waits for this transaction
                uow.schedule.put(
                    ScheduleEntry(ticket="T-1", wake_at=wake_of(stored.version)),
                    checked_through_was=entry.checked_through,
                )
                uow.commit()
        except ConflictError:
            pass  # refused at commit (the memory store): the writer came first
        writer.join(timeout=30)
        final = store.tickets.get("T-1")
        assert final.version == 2, "the writer committed"
        assert store.schedule.find("T-1") == ScheduleEntry(ticket="T-1", wake_at=wake_of(final.version))

    def test_due_entries_come_stale_first_then_by_wake_up_and_page_by_keyset(self, store: Store) -> None:
        add_tickets(store, [sample_ticket(f"T-{n}") for n in range(1, 8)])
        wake = {
            "T-1": START + timedelta(hours=3),
            "T-2": START + timedelta(hours=1),
            "T-3": START + timedelta(hours=1),
            "T-4": None,
            "T-5": START + timedelta(days=9),
            "T-6": START - timedelta(days=400),
        }
        with store.unit_of_work() as uow:
            for ticket, at in wake.items():
                uow.schedule.put(ScheduleEntry(ticket=ticket, wake_at=at), checked_through_was=None)
            uow.commit()
        now = START + timedelta(hours=3)
        expected = ["T-7", "T-6", "T-2", "T-3", "T-1"]  # T-7 stale; T-4 nothing ahead; T-5 later
        assert [e.ticket for e in store.schedule.due(now)] == expected
        pages: list[str] = []
        after: ScheduleEntry | None = None
        while page := store.schedule.due(now, after=after, limit=2):
            pages += [e.ticket for e in page]
            after = page[-1]
        assert pages == expected
        assert [e.ticket for e in store.schedule.due(START)] == ["T-7", "T-6"]
        assert store.schedule.next_wakeup() == STALE_WAKEUP, "a stale entry: look now"
        with store.unit_of_work() as uow:
            uow.schedule.put(ScheduleEntry(ticket="T-7", wake_at=None), checked_through_was=None)
            uow.commit()
        assert store.schedule.next_wakeup() == START - timedelta(days=400)

    def test_marking_every_entry_stale_keeps_what_was_checked(self, store: Store) -> None:
        add_tickets(store, [sample_ticket(f"T-{n}") for n in (1, 2, 3)])
        checked = START + timedelta(hours=2)
        with store.unit_of_work() as uow:
            uow.schedule.put(
                ScheduleEntry(ticket="T-1", wake_at=START + timedelta(days=2), checked_through=checked),
                checked_through_was=None,
            )
            uow.schedule.put(ScheduleEntry(ticket="T-2", wake_at=None), checked_through_was=None)
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.schedule.mark_all_stale() == 2, "T-3 was stale already"
            uow.rollback()
        assert store.schedule.find("T-2") == ScheduleEntry(ticket="T-2", wake_at=None)
        with store.unit_of_work() as uow:
            assert uow.schedule.mark_all_stale() == 2
            uow.commit()
        assert [store.schedule.find(f"T-{n}") for n in (1, 2, 3)] == [
            ScheduleEntry(ticket="T-1", checked_through=checked, stale=True),
            ScheduleEntry(ticket="T-2", stale=True),
            ScheduleEntry(ticket="T-3", stale=True),
        ]
        assert [e.ticket for e in store.schedule.due(START)] == ["T-1", "T-2", "T-3"]

    def test_a_rolled_back_schedule_change_is_not_kept(self, store: Store) -> None:
        add_tickets(store, [sample_ticket("T-1")])
        with store.unit_of_work() as uow:
            uow.schedule.put(ScheduleEntry(ticket="T-1", wake_at=START), checked_through_was=None)
        assert store.schedule.find("T-1") == ScheduleEntry(ticket="T-1", stale=True)

    def test_sequences_count_from_their_start_without_gaps(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            assert uow.sequences.current("tickets") is None
            assert [uow.sequences.next("tickets", start=1001) for _ in range(3)] == [1001, 1002, 1003]
            assert uow.sequences.next("other") == 1, "each name counts on its own"
            assert uow.sequences.current("tickets") == 1003
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.sequences.next("tickets", start=1001) == 1004  # given back below
        with store.unit_of_work() as uow:
            assert uow.sequences.next("tickets", start=1001) == 1004, "a rolled-back number comes back"
            uow.sequences.advance("tickets", 2000)
            assert uow.sequences.next("tickets") == 2001
            uow.sequences.advance("tickets", 10)  # never backwards
            assert uow.sequences.current("tickets") == 2001
            uow.sequences.advance("fresh", 41)
            assert uow.sequences.next("fresh") == 42
            uow.commit()
        with store.unit_of_work() as uow:
            assert uow.sequences.current("tickets") == 2001
            assert uow.sequences.current("fresh") == 42

    def test_taken_names_the_ticket_ids_the_store_holds(self, store: Store) -> None:
        add_tickets(store, [sample_ticket("T-1"), sample_ticket("T-3")])
        with store.unit_of_work() as uow:
            uow.tickets.add(sample_ticket("T-5"))
            ids = [f"T-{n}" for n in range(1, 1200)]
            assert uow.tickets.taken(ids) == {"T-1", "T-3", "T-5"}
            assert uow.tickets.taken([]) == set()

    # -- store settings ------------------------------------------------------------

    def test_store_settings_are_unset_until_put_and_each_put_is_compare_and_set(self, store: Store) -> None:
        assert store.settings.get("sla.fingerprint") is None
        with store.unit_of_work() as uow:
            uow.settings.put("sla.fingerprint", "A", expected=None)
            assert uow.settings.get("sla.fingerprint") == "A", "the unit of work reads its own write"
            assert store.settings.get("sla.fingerprint") is None, "invisible outside until committed"
            uow.commit()
        assert store.settings.get("sla.fingerprint") == "A"
        stale_writer = r"store setting 'sla.fingerprint' is 'A', not unset"
        with store.unit_of_work() as uow, pytest.raises(ConflictError, match=stale_writer):
            uow.settings.put("sla.fingerprint", "B", expected=None)  # based on an older value: loses
        with store.unit_of_work() as uow, pytest.raises(ConflictError, match=r"is 'A', not 'Z'"):
            uow.settings.put("sla.fingerprint", "B", expected="Z")
        with store.unit_of_work() as uow:
            uow.settings.put("sla.fingerprint", "B", expected="A")
            uow.settings.put("sla.fingerprint", "A", expected="B")  # back again: a change too
            uow.settings.put("scheduler.policy", "p1", expected=None)
            uow.commit()
        assert (store.settings.get("sla.fingerprint"), store.settings.get("scheduler.policy")) == ("A", "p1")
        with store.unit_of_work() as uow, pytest.raises(ConflictError, match=r"'other' is unset, not 'p1'"):
            uow.settings.put("other", "x", expected="p1")

    def test_concurrent_setting_writers_lose_no_update(self, store: Store) -> None:
        """Four writers each read the setting and put it with their name added,
        at the same moment. Whatever the store serialises or refuses, every
        writer that committed is in the final value: none overwrote another."""
        with store.unit_of_work() as uow:
            uow.settings.put("names", "", expected=None)
            uow.commit()
        winners: list[str] = []
        start = threading.Barrier(4)

        def writer(name: str) -> None:
            start.wait(timeout=30)
            try:
                with store.unit_of_work() as uow:
                    old = uow.settings.get("names")
                    time.sleep(0.05)
                    uow.settings.put("names", f"{old},{name}", expected=old)
                    uow.commit()
            except ConflictError:
                return
            winners.append(name)

        threads = [threading.Thread(target=writer, args=(f"W{n}",)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        final = store.settings.get("names")
        assert final is not None and winners
        assert sorted(final.split(",")[1:]) == sorted(winners)

    def test_a_setting_rolled_back_or_left_uncommitted_is_not_kept(self, store: Store) -> None:
        with store.unit_of_work() as uow:
            uow.settings.put("scheduler.policy", "p1", expected=None)
            uow.commit()
            uow.settings.put("scheduler.policy", "p2", expected="p1")
            uow.rollback()
            assert uow.settings.get("scheduler.policy") == "p1"
            uow.settings.put("scheduler.policy", "p3", expected="p1")
        assert store.settings.get("scheduler.policy") == "p1"

    # -- stored SLA states -----------------------------------------------------------

    def test_an_sla_state_comes_back_equal_in_utc_and_a_put_replaces_it(self, store: Store) -> None:
        add_tickets(store, [sample_ticket("T-1"), sample_ticket("T-2")])
        record = sla_record("T-1", due=START + timedelta(hours=8), at_risk=START + timedelta(hours=6))
        record = attrs.evolve(
            record, next_change=START + timedelta(hours=6), reaction_due=START + timedelta(hours=1),
            resolution_due=START + timedelta(hours=8), reacted=True, status_category="open",
        )  # fmt: skip
        with store.unit_of_work() as uow:
            uow.sla_states.put(record)
            assert uow.sla_states.get("T-1") == record
            uow.commit()
        back = store.sla_states.get("T-1")
        assert back == record and back is not None
        assert back.document == record.document, "the document is kept byte for byte"
        assert back.due is not None and back.due.utcoffset() == timedelta(0), "instants come back in UTC"
        assert store.sla_states.get("T-2") is None
        assert store.sla_states.count() == 1
        assert store.sla_states.fingerprints(["T-1", "T-2", "T-9"]) == {"T-1": "F1"}
        changed = attrs.evolve(
            record, fingerprint="F2", clock="paused", due=None, assignee=None, document="{}"
        )
        with store.unit_of_work() as uow:
            uow.sla_states.put(changed)
            uow.commit()
        assert store.sla_states.get("T-1") == changed
        assert store.sla_states.count() == 1

    def test_an_sla_state_needs_its_ticket_and_plain_aware_values(self, store: Store) -> None:
        add_tickets(store, [sample_ticket("T-1")])
        missing = "SLA state of ticket 'T-9': the store holds no such ticket"
        with store.unit_of_work() as uow, pytest.raises(NotFound, match=missing):
            uow.sla_states.put(sla_record("T-9", due=START))
        with store.unit_of_work() as uow:
            naive = sla_record("T-1", due=START.replace(tzinfo=None))
            with pytest.raises(ValidationError, match="ticket 'T-1': due must be an aware date-time"):
                uow.sla_states.put(naive)
            with pytest.raises(ValidationError, match="ticket 'T-1': clock 'running' is not one of"):
                uow.sla_states.put(attrs.evolve(sla_record("T-1", due=START), clock="running"))
            uow.sla_states.put(sla_record("T-1", due=START))
            uow.commit()
        assert store.sla_states.count() == 1

    def test_put_many_writes_a_batch_and_with_versions_skips_tickets_written_since(
        self, store: Store
    ) -> None:
        add_tickets(store, [sample_ticket(f"T-{n}") for n in range(1, 5)])
        versions = {t: store.tickets.get(t).version for t in ("T-1", "T-2", "T-3", "T-4")}
        with store.unit_of_work() as uow:  # T-2 written after its state was computed
            stored = uow.tickets.get("T-2")
            uow.tickets.append("T-2", [_note(START + timedelta(days=1))], expected_version=stored.version)
            uow.commit()
        records = [sla_record(t, due=START + timedelta(hours=n)) for n, t in enumerate(versions, 1)]
        with store.unit_of_work() as uow:
            written = uow.sla_states.put_many(
                [*records, sla_record("T-9", due=START)], ticket_versions={**versions, "T-9": 1}
            )
            uow.commit()
        assert written == 3, "T-2 moved on, T-9 is no ticket: both skipped"
        assert store.sla_states.get("T-2") is None
        assert [store.sla_states.get(t) for t in ("T-1", "T-3", "T-4")] == [
            records[0], records[2], records[3]
        ], "written fresh, not stale"
        with store.unit_of_work() as uow:
            assert uow.sla_states.put_many(records) == 4, "without versions: at each ticket's version now"
            uow.commit()
        assert store.sla_states.get("T-2") == records[1]
        missing = "SLA state of ticket 'T-9': the store holds no such ticket"
        with store.unit_of_work() as uow, pytest.raises(NotFound, match=missing):
            uow.sla_states.put_many([records[0], sla_record("T-9", due=START)])
        with store.unit_of_work() as uow:
            uow.sla_states.put_many([attrs.evolve(records[0], fingerprint="F9")])
            # left without a commit: nothing of the batch is kept
        assert store.sla_states.get("T-1") == records[0]

    def test_standing_pages_every_ticket_by_id_with_the_records_usable_under_a_fingerprint(
        self, store: Store
    ) -> None:
        add_tickets(store, [sample_ticket(t) for t in ("T-3", "T-1", "T-5", "T-2", "T-4")])
        with store.unit_of_work() as uow:
            uow.sla_states.put(sla_record("T-1", due=START))  # usable
            uow.sla_states.put(sla_record("T-2", due=START, fingerprint="F0"))  # another fingerprint
            uow.sla_states.put(sla_record("T-3", due=START))  # made stale below
            uow.sla_states.put(attrs.evolve(sla_record("T-5", due=None), company=None))  # usable
            uow.commit()
        with store.unit_of_work() as uow:
            stored = uow.tickets.get("T-3")
            uow.tickets.append("T-3", [_note(START + timedelta(days=1))], expected_version=stored.version)
            uow.commit()
        document = sla_record("T-1", due=START).document
        expected = [
            StandingState("T-1", "C-1", document),
            StandingState("T-2"),
            StandingState("T-3"),
            StandingState("T-4"),
            StandingState("T-5", None, sla_record("T-5", due=None).document),
        ]
        assert store.sla_states.standing("F1") == expected
        assert store.sla_states.standing("F1", limit=2) == expected[:2]
        assert store.sla_states.standing("F1", after="T-2", limit=2) == expected[2:4]
        assert store.sla_states.standing("F1", after="T-5") == []
        assert [s.document for s in store.sla_states.standing("F0")] == [
            None, sla_record("T-2", due=START, fingerprint="F0").document, None, None, None
        ]
        assert store.sla_states.standing("F1") == expected, "reading changes nothing"

    def test_every_ticket_write_marks_its_sla_state_stale_and_deleting_the_ticket_deletes_it(
        self, store: Store
    ) -> None:
        add_tickets(store, [sample_ticket("T-1"), sample_ticket("T-2")])
        record = sla_record("T-1", due=START + timedelta(hours=8))
        with store.unit_of_work() as uow:
            uow.sla_states.put(record)
            uow.sla_states.put(sla_record("T-2", due=START + timedelta(hours=9)))
            uow.commit()
        later = START + timedelta(days=1)
        with store.unit_of_work() as uow:  # a write that does not keep the SLA state: stale
            stored = uow.tickets.get("T-1")
            uow.tickets.append("T-1", [_note(later)], expected_version=stored.version)
            assert uow.sla_states.get("T-1") == attrs.evolve(record, stale=True)
            uow.commit()
        assert store.sla_states.get("T-1") == attrs.evolve(record, stale=True)
        assert store.sla_states.fingerprints(["T-1", "T-2"]) == {"T-1": "", "T-2": "F1"}
        assert [r.stale for r in store.sla_states.queue()] == [True, False], "stale rows stay in the queues"
        with store.unit_of_work() as uow:  # the state first, then the ticket: stale at once
            uow.sla_states.put(record)
            stored = uow.tickets.get("T-1")
            uow.tickets.append("T-1", [_note(later + timedelta(minutes=1))], expected_version=stored.version)
            assert uow.sla_states.get("T-1") == attrs.evolve(record, stale=True)
        with store.unit_of_work() as uow:  # the desk's order: the ticket, then its state
            stored = uow.tickets.get("T-1")
            uow.tickets.append("T-1", [_note(later + timedelta(hours=1))], expected_version=stored.version)
            uow.sla_states.put(record)
            uow.commit()
        assert store.sla_states.get("T-1") == record
        with store.unit_of_work() as uow:  # save marks it too
            stored = uow.tickets.get("T-1")
            renamed = attrs.evolve(stored.value, subject="Printer on fire")
            uow.tickets.save(renamed, expected_version=stored.version)
            uow.commit()
        assert store.sla_states.fingerprints(["T-1"]) == {"T-1": ""}
        with store.unit_of_work() as uow:
            uow.tickets.delete("T-1", expected_version=uow.tickets.get("T-1").version)
            assert uow.sla_states.get("T-1") is None
            uow.commit()
        assert store.sla_states.get("T-1") is None
        assert [r.ticket for r in store.sla_states.queue()] == ["T-2"]

    def test_the_latest_event_is_the_last_instant_any_ticket_changed(self, store: Store) -> None:
        assert store.tickets.latest_event() is None, "no ticket: no event"
        add_tickets(store, [sample_ticket("T-1"), sample_ticket("T-2", at=START - timedelta(days=3))])
        last = sample_ticket("T-1").updated_at
        assert store.tickets.latest_event() == last
        bare = Ticket.register(id="T-3", subject="new", created_at=last + timedelta(hours=1))
        add_tickets(store, [bare])
        assert store.tickets.latest_event() == bare.created_at, "a ticket without events: its registration"
        with store.unit_of_work() as uow:
            uow.tickets.append("T-2", [_note(last + timedelta(days=2))], expected_version=1)
            assert uow.tickets.latest_event() == last + timedelta(days=2)
            uow.commit()
        found = store.tickets.latest_event()
        assert found == last + timedelta(days=2) and found is not None and found.utcoffset() is not None

    def test_tickets_stream_with_their_usable_sla_state_or_their_history(self, store: Store) -> None:
        tickets = [
            sample_ticket(f"T-{n}", at=START + timedelta(hours=n), company=f"C-{n % 2}") for n in range(1, 7)
        ]
        add_tickets(store, tickets)
        with store.unit_of_work() as uow:  # T-1 none; T-2 stale; T-3 of another fingerprint
            for n in range(2, 7):
                uow.sla_states.put(sla_record(f"T-{n}", due=START, fingerprint="F2" if n == 3 else "F1"))
            uow.tickets.append("T-2", [_note(START + timedelta(days=1))], expected_version=1)
            uow.commit()
        entries = list(store.tickets.iter_with_sla_states("F1", batch_size=2))
        assert [e.ticket for e in entries] == [t.id for t in tickets], "the report's order"
        assert [e.unusable for e in entries] == ["missing", "stale", "configuration", None, None, None]
        assert [e.company for e in entries] == ["C-1", "C-0", "C-1", "C-0", "C-1", "C-0"]
        assert [e.created_at for e in entries] == [t.created_at for t in tickets]
        assert entries[3].document == sla_record("T-4", due=START).document and entries[3].history is None
        assert entries[0].document is None and entries[0].history == tickets[0]
        assert entries[1].history == store.get_ticket("T-2"), "the history as it stands"
        positions = store.tickets.positions(2)
        ranged = store.tickets.iter_with_sla_states("F1", after=positions[0], through=positions[1])
        assert [e.ticket for e in ranged] == ["T-3", "T-4"]
        of_company = store.tickets.iter_with_sla_states("F2", company="C-1")
        assert [(e.ticket, e.unusable) for e in of_company] == [
            ("T-1", "missing"), ("T-3", None), ("T-5", "configuration"),
        ]  # fmt: skip
        assert list(store.tickets.iter_with_sla_states("F1", after=positions[-1])) == []

    def test_sla_queues_are_sorted_by_due_filtered_and_paged(self, store: Store) -> None:
        now = START + timedelta(hours=10)
        hour = timedelta(hours=1)
        plan: dict[str, tuple[datetime | None, datetime | None, str | None, str]] = {
            # ticket: due, at risk from, assignee, company
            "T-1": (now - 2 * hour, now - 4 * hour, "E-1", "C-1"),
            "T-2": (now, now - hour, None, "C-2"),
            "T-3": (now + hour, now - hour, "E-1", "C-1"),
            "T-4": (now + hour, now + hour / 2, "E-2", "C-1"),
            "T-5": (None, None, "E-1", "C-1"),  # a paused clock: in no queue
            "T-6": (now + timedelta(microseconds=1), now, None, "C-2"),
            "T-7": (now - 2 * hour, now - 3 * hour, "E-2", "C-3"),
            "T-8": (now + timedelta(days=3), now + timedelta(days=2), "E-1", "C-3"),
            "T-10": (now - timedelta(days=400), now - timedelta(days=401), "E-1", "C-3"),
        }
        add_tickets(store, [sample_ticket(t) for t in plan])
        with store.unit_of_work() as uow:
            for ticket, (due, at_risk, assignee, company) in plan.items():
                record = sla_record(ticket, due=due, at_risk=at_risk)
                uow.sla_states.put(attrs.evolve(record, assignee=assignee, company=company))
            uow.commit()

        def queue(**filters: Any) -> list[str]:
            return [r.ticket for r in store.sla_states.queue(**filters)]

        everything = ["T-10", "T-1", "T-7", "T-2", "T-6", "T-3", "T-4", "T-8"]
        assert queue() == everything, "by due instant, ties by ticket id in code-point order"
        assert queue(now=now, state="overdue") == ["T-10", "T-1", "T-7", "T-2"]
        assert queue(now=now, state="at_risk") == ["T-6", "T-3"]
        end_of_day = datetime(2026, 3, 3, tzinfo=START.tzinfo)
        assert queue(due_from=now, due_before=end_of_day) == ["T-2", "T-6", "T-3", "T-4"]
        assert queue(due_before=end_of_day) == everything[:-1], "due today, overdue ones too"
        assert queue(assignee="E-1") == ["T-10", "T-1", "T-3", "T-8"]
        assert queue(now=now, state="overdue", assignee="E-1") == ["T-10", "T-1"]
        assert queue(now=now, state="at_risk", assignee="E-1") == ["T-3"]
        assert queue(without_responsible=True) == ["T-2", "T-6"]
        assert queue(company="C-1") == ["T-1", "T-3", "T-4"]
        assert queue(company="C-3", due_before=now) == ["T-10", "T-7"]
        assert queue(limit=0) == [] and queue(limit=2) == ["T-10", "T-1"]
        for filters in ({}, {"assignee": "E-1"}, {"now": now, "state": "overdue"}, {"company": "C-1"}):
            pages: list[str] = []
            after = None
            while page := store.sla_states.queue(**filters, limit=2, after=after):
                pages += [r.ticket for r in page]
                after = page[-1]
            assert pages == queue(**filters), filters

    def test_sla_queue_arguments_are_checked(self, store: Store) -> None:
        now = START
        for filters, message in (
            ({"state": "late", "now": now}, "state 'late' is not one of overdue, at_risk"),
            ({"state": "overdue"}, "state 'overdue' needs now"),
            ({"order": "priority"}, "order 'priority' is not one of due"),
            ({"limit": -1}, "limit must be a whole number >= 0"),
            ({"now": START.replace(tzinfo=None), "state": "overdue"}, "now must be an aware date-time"),
            ({"assignee": "E-1", "without_responsible": True}, "exclude each other"),
        ):
            with pytest.raises(ValidationError, match=message):
                store.sla_states.queue(**filters)

    def test_a_rolled_back_sla_state_change_is_not_kept_and_a_rebuild_can_start_empty(
        self, store: Store
    ) -> None:
        add_tickets(store, [sample_ticket("T-1"), sample_ticket("T-2")])
        with store.unit_of_work() as uow:
            uow.sla_states.put(sla_record("T-1", due=START))
            uow.commit()
            uow.sla_states.put(sla_record("T-2", due=START))
            assert uow.sla_states.delete("T-1") is True
            assert uow.sla_states.delete("T-1") is False
            uow.rollback()
            assert uow.sla_states.count() == 1
            uow.sla_states.put(sla_record("T-2", due=START))
        assert [r.ticket for r in store.sla_states.queue()] == ["T-1"]
        with store.unit_of_work() as uow:
            uow.sla_states.put(sla_record("T-2", due=START))
            assert uow.sla_states.delete_all() == 2
            assert uow.sla_states.count() == 0
        assert store.sla_states.count() == 1
        with store.unit_of_work() as uow:
            assert uow.sla_states.delete_all() == 1
            uow.commit()
        assert store.sla_states.count() == 0 and store.sla_states.queue() == []

    def test_the_dashboard_counts_settled_open_records_and_lists_the_rest(self, store: Store) -> None:
        as_of = START + timedelta(hours=2)
        day_end = START + timedelta(hours=12)
        hour, tick = timedelta(hours=1), timedelta(microseconds=1)
        open_ = {"status_category": "open", "status": "in_progress"}
        plan: dict[str, dict[str, Any]] = {
            "T-01": {**open_, "breached_from": as_of - hour},
            "T-02": {**open_, "breached_from": as_of},
            "T-03": {"status_category": "new", "status": "new", "resolution_due": as_of + hour,
                     "reacted": True},
            "T-04": {"status_category": "waiting", "status": "postponed", "assignee": None, "reacted": True,
                     "reaction_due": as_of + hour, "resolution_due": as_of + timedelta(days=1)},
            "T-05": {**open_, "reaction_due": as_of, "breached_from": as_of + tick},
            "T-06": {**open_, "clock": "paused", "assignee": None},
            "T-07": {**open_, "clock": "paused", "breached_from": as_of - hour},
            "T-08": {"status_category": "resolved", "status": "resolved", "breached_from": as_of - hour},
            "T-09": {**open_, "fingerprint": "F2", "breached_from": as_of - hour},
            "T-10": {**open_, "breached_from": as_of - hour},
            "T-11": {"status_category": None, "breached_from": as_of - hour},
            "T-12": {**open_, "breached_from": as_of - hour},
            "T-13": {**open_, "breached_from": as_of - hour},
            "T-15": {**open_, "resolution_due": day_end},
        }  # fmt: skip
        created = {"T-12": as_of, "T-13": as_of + hour}
        add_tickets(store, [sample_ticket(t, at=created.get(t, START)) for t in [*plan, "T-14"]])
        with store.unit_of_work() as uow:
            for ticket, fields in plan.items():
                clock = fields.pop("clock", "counting")
                uow.sla_states.put(attrs.evolve(sla_record(ticket, due=None), clock=clock, **fields))
            uow.commit()
        with store.unit_of_work() as uow:  # T-10's ticket written after its record: stale
            stored = uow.tickets.get("T-10")
            again = attrs.evolve(stored.value, subject="Printer jams again")
            uow.tickets.save(again, expected_version=stored.version)
            uow.commit()
        counts = store.sla_states.dashboard_counts(
            fingerprint="F1", as_of=as_of, day_end=day_end, initial_status="new"
        )
        assert (counts.open, counts.overdue, counts.in_progress) == (8, 3, 6), counts
        assert (counts.due_today, counts.without_responsible) == (2, 2), counts
        assert counts.moving == (("T-06", sla_record("T-06", due=None).document),)
        unsettled = store.sla_states.unsettled(
            fingerprint="F1", as_of=as_of, open_statuses=["new", "in_progress"]
        )
        assert unsettled == ["T-09", "T-10", "T-11", "T-12", "T-14"]
        assert store.sla_states.unsettled(fingerprint="F1", as_of=as_of, open_statuses=["new"]) == ["T-12"], (
            "closed now (not open): only a ticket with events after as_of"
        )
        assert store.sla_states.unsettled(fingerprint="F1", as_of=as_of, open_statuses=[]) == ["T-12"]
        assert store.sla_states.dashboard_counts(
            fingerprint="F3", as_of=as_of, day_end=day_end, initial_status="new"
        ).open == 0  # fmt: skip

    def test_tickets_active_since_an_instant(self, store: Store) -> None:
        add_tickets(store, [sample_ticket("T-1"), sample_ticket("T-3", at=START + timedelta(days=1)),
                            sample_ticket("T-2", at=START + timedelta(days=2), events=())])  # fmt: skip
        last = START + timedelta(minutes=32)  # T-1's last event

        def active(since: datetime) -> list[str]:
            return [s.value.id for s in store.tickets.iter_tickets(active_since=since, batch_size=1)]

        assert active(last) == ["T-1", "T-3", "T-2"]
        assert active(last + timedelta(microseconds=1)) == ["T-3", "T-2"]
        assert active(START + timedelta(days=2)) == ["T-2"], "the registration when no event"
        assert active(START + timedelta(days=3)) == []
        company = store.tickets.iter_tickets(active_since=last, company="C-9")
        assert list(company) == []

    def test_an_sla_state_keeps_when_it_is_breached_and_the_status(self, store: Store) -> None:
        add_tickets(store, [sample_ticket("T-1"), sample_ticket("T-2")])
        breached = START + timedelta(hours=8, microseconds=1)
        record = attrs.evolve(
            sla_record("T-1", due=START + timedelta(hours=8)),
            breached_from=breached.astimezone(timezone(timedelta(hours=2))),
            status="in_progress",
            status_category="open",
        )
        quiet = attrs.evolve(sla_record("T-2", due=None), breached_from=None, status=None)
        with store.unit_of_work() as uow:
            uow.sla_states.put(record)
            uow.sla_states.put(quiet)
            uow.commit()
        back = store.sla_states.get("T-1")
        assert back == record and back is not None
        assert back.breached_from == breached and back.breached_from.utcoffset() == timedelta(0)
        assert back.status == "in_progress"
        assert store.sla_states.get("T-2") == quiet
        with store.unit_of_work() as uow, pytest.raises(ValidationError, match="breached_from"):
            uow.sla_states.put(attrs.evolve(record, breached_from=START.replace(tzinfo=None)))
        with store.unit_of_work() as uow, pytest.raises(ValidationError, match="status"):
            uow.sla_states.put(attrs.evolve(record, status=7))  # type: ignore[arg-type]

    def test_marking_a_company_stale_marks_only_its_records_until_each_is_put_again(
        self, store: Store
    ) -> None:
        add_tickets(store, [sample_ticket("T-1"), sample_ticket("T-2"), sample_ticket("T-3")])
        records = {
            "T-1": sla_record("T-1", due=START + timedelta(hours=1)),
            "T-2": attrs.evolve(sla_record("T-2", due=None), company="C-2"),
            "T-3": sla_record("T-3", due=START + timedelta(hours=3)),
        }
        with store.unit_of_work() as uow:
            for record in records.values():
                uow.sla_states.put(record)
            uow.commit()
        with store.unit_of_work() as uow:  # rolled back: nothing marked
            assert uow.sla_states.mark_stale("C-1") == 2
            assert uow.sla_states.get("T-1") == attrs.evolve(records["T-1"], stale=True)
        assert [r.stale for r in store.sla_states.queue()] == [False, False]
        with store.unit_of_work() as uow:
            assert uow.sla_states.mark_stale("C-1") == 2
            assert uow.sla_states.mark_stale("C-1") == 0, "marked already"
            assert uow.sla_states.mark_stale("C-9") == 0
            uow.commit()
        assert store.sla_states.get("T-1") == attrs.evolve(records["T-1"], stale=True)
        assert store.sla_states.get("T-3") == attrs.evolve(records["T-3"], stale=True)
        assert store.sla_states.get("T-2") == records["T-2"]
        assert store.sla_states.fingerprints(["T-1", "T-2", "T-3"]) == {"T-1": "", "T-2": "F1", "T-3": ""}
        assert [(r.ticket, r.stale) for r in store.sla_states.queue()] == [("T-1", True), ("T-3", True)]
        with store.unit_of_work() as uow:  # a writer keeping the state makes it fresh again
            uow.sla_states.put(records["T-1"])
            uow.commit()
        assert store.sla_states.get("T-1") == records["T-1"]
        assert store.sla_states.get("T-3") == attrs.evolve(records["T-3"], stale=True)

    # -- the store -------------------------------------------------------------------

    def test_the_store_reports_its_schema_version(self, store: Store) -> None:
        assert store.schema_version() >= 1


__all__ = [
    "FORGET_AT",
    "KIND_NAMES",
    "SLA_QUEUES",
    "StoreContract",
    "add_tickets",
    "desk_events",
    "privacy_sample",
    "sample_aggregates",
    "sample_ticket",
    "sla_record",
]
