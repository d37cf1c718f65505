"""The storage contract: one suite every backend runs (after pyeventsourcing's
``tests/persistence.py``).

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

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import attrs
import pytest

from helpdesk_core.errors import ConflictError, HistoryError, NotFound
from helpdesk_core.model.assets import Equipment, ServiceObject
from helpdesk_core.model.contracts import Contract, ServicePeriod
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
from helpdesk_core.storage import Repository, Store, Stored, UnitOfWork, open_store

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


def _repository(uow: UnitOfWork, name: str) -> Repository[Any]:
    repository: Repository[Any] = getattr(uow, name)
    return repository


def add_tickets(store: Store, tickets: list[Ticket]) -> None:
    """Add ``tickets`` in one committed unit of work."""
    with store.unit_of_work() as uow:
        for ticket in tickets:
            uow.tickets.add(ticket)
        uow.commit()


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

    # -- the store -------------------------------------------------------------------

    def test_the_store_reports_its_schema_version(self, store: Store) -> None:
        assert store.schema_version() >= 1


__all__ = ["KIND_NAMES", "StoreContract", "add_tickets", "sample_aggregates", "sample_ticket"]
