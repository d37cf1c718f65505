"""The customer base of the sample desk: companies in the three client
categories, their contacts and contracts, customer groups and the staff.

Pure: every value follows from the seed; nothing is read or written.
"""

from __future__ import annotations

import random
from datetime import date

import attrs

from helpdesk_core.model.contracts import Contract, ServicePeriod
from helpdesk_core.model.parties import Company, Contact, CustomerGroup
from helpdesk_core.model.staff import Employee, EmployeeGroup, Role
from helpdesk_core.model.ticket import Assignee

CATEGORIES = (("client", 60), ("partner", 25), ("vip", 15))
"""Client categories and their weights (percent of companies)."""

SLOVAK = "slovakia"
"""The customer group of companies served from the Bratislava office."""
GOLD = "gold"
"""The customer group whose default SLA is the rule ``Gold support``."""

_NAMES = (
    "Teplárna", "Vodárna", "Pekárna", "Tiskárna", "Nemocnice", "Hotel", "Škola", "Stavby",
    "Logistika", "Lékárna", "Pivovar", "Autoservis", "Kavárna", "Sklárna", "Mlékárna",
)
_PLACES = (
    "Praha", "Brno", "Ostrava", "Plzeň", "Liberec", "Olomouc", "Zlín", "Jihlava",
    "Bratislava", "Košice", "Žilina", "Nitra",
)
_FIRST = ("Jana", "Petr", "Eva", "Tomáš", "Lucie", "Martin", "Zuzana", "Jakub", "Katarína", "Marek")
_LAST = ("Nováková", "Svoboda", "Dvořáková", "Černý", "Horváthová", "Kováč", "Procházka", "Veselá")


@attrs.frozen(kw_only=True)
class SampleCustomers:
    """Everything but the tickets. ``staff`` are the employees who work
    tickets; ``groups`` the employee groups tickets may be assigned to."""

    companies: tuple[Company, ...]
    contacts: tuple[Contact, ...]
    customer_groups: tuple[CustomerGroup, ...]
    contracts: tuple[Contract, ...]
    staff: tuple[Employee, ...]
    groups: tuple[EmployeeGroup, ...]

    def contacts_of(self, company: str) -> tuple[Contact, ...]:
        """The contacts of one company, in id order."""
        return tuple(c for c in self.contacts if c.company == company)


def sample_customers(seed: int, *, companies: int = 60, employees: int = 12) -> SampleCustomers:
    """A customer base of ``companies`` companies (2 to 4 contacts each, one
    contract each with yearly service periods) and ``employees`` employees in
    two groups, the same for the same arguments."""
    rng = random.Random(f"customers/{seed}")
    categories = [c for c, _ in CATEGORIES]
    weights = [w for _, w in CATEGORIES]
    staff = tuple(
        Employee(
            id=f"E-{n}",
            first_name=rng.choice(_FIRST),
            last_name=rng.choice(_LAST),
            email=f"e{n}@desk.example",
            role=Role.ADMINISTRATOR if n == 1 else Role.SPECIALIST,
            groups=("G-support",) if n % 3 else ("G-field",),
        )
        for n in range(1, employees + 1)
    )
    groups = tuple(
        EmployeeGroup(id=group, name=name, members=[e.id for e in staff if group in e.groups])
        for group, name in (("G-support", "First line"), ("G-field", "Field engineers"))
    )
    customer_groups = (
        CustomerGroup(id=GOLD, name="Gold support", sla="Gold support", priority=0),
        CustomerGroup(id=SLOVAK, name="Slovak customers", priority=1),
    )
    made_companies: list[Company] = []
    contacts: list[Contact] = []
    contracts: list[Contract] = []
    for n in range(1, companies + 1):
        company_id = f"C-{n}"
        slovak = rng.random() < 0.25
        place = rng.choice(_PLACES[8:] if slovak else _PLACES[:8])
        category = rng.choices(categories, weights)[0]
        member_of = [SLOVAK] if slovak else []
        if category != "client" and rng.random() < 0.3:
            member_of.append(GOLD)
        domain = f"c{n}.example"
        made_companies.append(
            Company(
                id=company_id,
                name=f"{rng.choice(_NAMES)} {place} {n}",
                category=category,
                email=f"info@{domain}",
                domains=[domain],
                responsible=Assignee(id=rng.choice(staff).id),
                customer_groups=member_of,
                external_id=f"ext-{company_id}",
            )
        )
        for m in range(1, rng.randint(2, 4) + 1):
            contacts.append(
                Contact(
                    id=f"P-{n}-{m}",
                    first_name=rng.choice(_FIRST),
                    last_name=rng.choice(_LAST),
                    company=company_id,
                    email=f"p{m}@{domain}",
                )
            )
        start = date(2024 + rng.randint(0, 1), rng.randint(1, 12), 1)
        periods = [
            ServicePeriod(start=date(start.year + k, start.month, 1),
                          end=date(start.year + k + 1, start.month, 1).replace(day=1) - _ONE_DAY,
                          paid=k < 2 or rng.random() < 0.8)
            for k in range(3)
        ]
        contracts.append(
            Contract(
                id=f"K-{n}",
                number=f"{start.year}/{n:03d}",
                companies=[company_id],
                start=start,
                periods=periods,
            )
        )
    return SampleCustomers(
        companies=tuple(made_companies),
        contacts=tuple(contacts),
        customer_groups=customer_groups,
        contracts=tuple(contracts),
        staff=staff,
        groups=groups,
    )


_ONE_DAY = date(2000, 1, 2) - date(2000, 1, 1)

__all__ = ["CATEGORIES", "GOLD", "SLOVAK", "SampleCustomers", "sample_customers"]
