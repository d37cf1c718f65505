"""A small help desk for the desk's tests: a configuration, parties of two
companies, and a way to read everything a store holds (to prove that a
refused use case stored nothing)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from helpdesk_core.config import Configuration, parse_configuration
from helpdesk_core.desk import Desk, FixedClock
from helpdesk_core.desk.ticket_ids import SEQUENCE
from helpdesk_core.model.assets import Equipment, ServiceObject
from helpdesk_core.model.contracts import Contract, ServicePeriod
from helpdesk_core.model.parties import Company, Contact
from helpdesk_core.model.staff import Employee, EmployeeGroup
from helpdesk_core.storage.protocols import Store

PRAGUE = ZoneInfo("Europe/Prague")
START = datetime(2026, 3, 2, 9, 0, tzinfo=PRAGUE)
"""A Monday, 09:00 in Prague: the office is open."""

CONFIG_TEXT = """
[[calendars]]
name = "office"
tz = "Europe/Prague"
week = { mon = [["09:00", "17:00"]], tue = [["09:00", "17:00"]], wed = [["09:00", "17:00"]],
         thu = [["09:00", "17:00"]], fri = [["09:00", "17:00"]] }

[workflow]
preset = "default"

[workflow.automation]
auto_close_after = "48h"
reopen_window = "72h"

[catalog]
ticket_types = [{ id = "incident", name = "Incident" }, { id = "question", name = "Question" }]
priorities = [
  { id = "normal", name = "Normal", order = 1 },
  { id = "high", name = "High", order = 2 },
]
attributes = [{ id = "floor", name = "Floor", kind = "text" }]

[sla]
at_risk_share = 0.2

[[sla.rules]]
name = "High"
when = { priority = ["high"] }
calendar = "office"
reaction = "1h"
resolution = "8h"

[[sla.rules]]
name = "Default"
calendar = "office"
reaction = "4h"
resolution = "16h"
"""

CONFIG: Configuration = parse_configuration(CONFIG_TEXT, source="desk-test.toml")


def seed(store: Store) -> None:
    """Two companies with a contact, a service object, equipment and
    contracts each; employees E-1 and E-2 (active), E-9 (deactivated); group G-1."""
    march = ServicePeriod(start=date(2026, 1, 1), end=date(2026, 12, 31), paid=True)
    unpaid = ServicePeriod(start=date(2026, 1, 1), end=date(2026, 12, 31), paid=False)
    with store.unit_of_work() as uow:
        for company in ("C-1", "C-2"):
            uow.companies.add(Company(id=company, name=f"Company {company}"))
        uow.contacts.add(Contact(id="P-1", first_name="Jana", company="C-1"))
        uow.contacts.add(Contact(id="P-3", first_name="Olga", company="C-1"))
        uow.contacts.add(Contact(id="P-2", first_name="Petr", company="C-2"))
        uow.service_objects.add(ServiceObject(id="SO-1", name="Cafe", company="C-1"))
        uow.service_objects.add(ServiceObject(id="SO-2", name="Shop", company="C-2"))
        uow.equipment.add(Equipment(id="EQ-1", type="boiler", company="C-1", service_object="SO-1"))
        uow.equipment.add(Equipment(id="EQ-2", type="boiler", company="C-2"))
        uow.contracts.add(
            Contract(id="K-1", number="2026/1", companies=["C-1"], start=date(2026, 1, 1), periods=[march])
        )
        uow.contracts.add(
            Contract(id="K-2", number="2026/2", companies=["C-1"], start=date(2026, 1, 1), periods=[unpaid])
        )
        uow.contracts.add(
            Contract(id="K-3", number="2026/3", companies=["C-2"], start=date(2026, 1, 1), periods=[march])
        )
        uow.employees.add(Employee(id="E-1", first_name="Eva", email="eva@desk.example"))
        uow.employees.add(Employee(id="E-2", first_name="Emil", email="emil@desk.example"))
        uow.employees.add(Employee(id="E-9", first_name="Ema", email="ema@desk.example", active=False))
        uow.employee_groups.add(EmployeeGroup(id="G-1", name="First line", members=["E-1", "E-2"]))
        uow.commit()


def make_desk(store: Store, *, config: Configuration = CONFIG, at: datetime = START) -> Desk:
    return Desk(store, config, FixedClock(at))


def everything(store: Store) -> dict[str, Any]:
    """All a store holds that a use case can change: tickets with versions,
    the out-box, every ticket's schedule entry and the ticket-number counter."""
    tickets = {s.value.id: s for s in store.tickets.iter_tickets()}
    with store.unit_of_work() as uow:
        counter = uow.sequences.current(SEQUENCE)
    return {
        "tickets": tickets,
        "outbox": store.outbox.entries(after=0, limit=10_000),
        "schedule": {ticket: store.schedule.find(ticket) for ticket in tickets},
        "counter": counter,
    }


def later(minutes: float = 0, *, hours: float = 0, days: float = 0) -> datetime:
    return START + timedelta(minutes=minutes, hours=hours, days=days)
