"""Who wrote, who called: the people of the desk looked up by address or number.

A :class:`PeopleDirectory` is built ONCE per run from what the store holds
(employees, contacts, companies and contract numbers; the shell does it:
:func:`helpdesk_core.desk.people_directory.people_directory`), so a batch of
messages costs one read, not one per message. Every lookup here is pure.

:meth:`PeopleDirectory.by_address` answers with a :class:`Sender`:

1. an **employee** or a **contact** whose ``email`` is the address (any case);
   a contact's ``copy_email`` matches too, but only when no ``email`` does
   (the copy address is somebody else's inbox first: a secretary who is a
   contact herself is that contact, not her boss);
2. else a **company** whose own ``email`` is the address;
3. else a company one of whose ``domains`` is the address's domain, or an
   enclosing domain of it: ``mail.example.com`` is at ``example.com``
   (sub-domains belong to the company; the longest listed domain wins, so a
   company listing ``cz.example.com`` beats one listing ``example.com``);
4. else **unknown**.

Two people (or two companies at the same level) with one address are
**ambiguous**: reported with every candidate, never guessed. An employee and a
contact with one address are one person only when the contact is linked to
that employee (``Contact.employee``).

Only the sender is ever looked up to be linked or created: Cc addresses are
never turned into contacts (:func:`link_sender` takes one sender).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Literal

import attrs

from helpdesk_core.model.checks import email_problem
from helpdesk_core.model.contracts import Contract
from helpdesk_core.model.parties import Company, Contact
from helpdesk_core.model.staff import Employee

SenderKind = Literal["employee", "contact", "company", "unknown", "ambiguous"]
UnknownSender = Literal["create_contact", "link_company_only", "hold"]


@attrs.frozen
class Person:
    """One employee or contact an address (or a number) belongs to, and the
    field of theirs that matched (``email``, ``copy_email``, ``phone``, ``mobile``)."""

    kind: Literal["employee", "contact", "company"]
    id: str
    name: str
    company: str | None
    field: str

    def describe(self) -> str:
        """``contact P-1 (Jana Nováková, of C-1) by copy_email``."""
        of = "" if self.company is None or self.kind == "company" else f", of {self.company}"
        return f"{self.kind} {self.id} ({self.name}{of}) by {self.field}"


@attrs.frozen
class Sender:
    """Who an address belongs to: ``kind`` and the ids it links (``employee``,
    ``contact``, ``company``), with ``reason`` in words; ``candidates`` lists
    every match of an ambiguous address."""

    address: str
    kind: SenderKind
    reason: str
    employee: str | None = None
    contact: str | None = None
    company: str | None = None
    candidates: tuple[Person, ...] = ()

    @property
    def is_person(self) -> bool:
        """True when an employee or a contact wrote (not only a company matched)."""
        return self.kind in ("employee", "contact")


@attrs.frozen
class NewContact:
    """A contact intake is to create for an unknown sender (the id is
    allocated when it is stored, in the ticket's own transaction)."""

    email: str
    first_name: str
    last_name: str
    company: str | None


@attrs.frozen
class SenderLink:
    """What a ticket from ``sender`` links, under the ``unknown_sender`` policy:
    an existing ``contact`` and/or ``company``, a ``new_contact`` to create,
    or ``held`` (not registered); ``reason`` says why, in words."""

    sender: Sender
    contact: str | None
    company: str | None
    new_contact: NewContact | None
    held: bool
    reason: str


def normal_address(address: str) -> str:
    """The address as looked up: white space around it removed, lower-cased."""
    return address.strip().lower()


def address_domain(address: str) -> str | None:
    """The domain of an address (lower-case), None for something that is not one."""
    address = normal_address(address)
    if email_problem(address) is not None:
        return None
    return address.rsplit("@", 1)[1]


@attrs.frozen
class PeopleDirectory:
    """Employees, contacts and companies indexed by address, domain and phone
    digits, and contract numbers (a web form's order number). Build it with
    :meth:`of`; it never changes."""

    employees: Mapping[str, Employee]
    contacts: Mapping[str, Contact]
    companies: Mapping[str, Company]
    by_email: Mapping[str, tuple[Person, ...]]
    """address → the people whose ``email`` it is (employees and contacts)."""
    by_copy_email: Mapping[str, tuple[Person, ...]]
    """address → the contacts whose ``copy_email`` it is."""
    by_company_email: Mapping[str, tuple[str, ...]]
    by_domain: Mapping[str, tuple[str, ...]]
    """domain → the companies listing it."""
    contract_companies: Mapping[str, tuple[tuple[str, frozenset[str]], ...]]
    """a contract number (trimmed, lower-case) → (contract id, its companies)."""

    @classmethod
    def of(
        cls,
        *,
        employees: Iterable[Employee] = (),
        contacts: Iterable[Contact] = (),
        companies: Iterable[Company] = (),
        contracts: Iterable[Contract] = (),
    ) -> PeopleDirectory:
        """The directory of these people (one pass over each)."""
        staff = {e.id: e for e in employees}
        people = {c.id: c for c in contacts}
        firms = {c.id: c for c in companies}
        by_email: dict[str, list[Person]] = {}
        by_copy: dict[str, list[Person]] = {}
        for employee in staff.values():
            by_email.setdefault(normal_address(employee.email), []).append(
                Person("employee", employee.id, employee.display_name, None, "email")
            )
        for contact in people.values():
            if contact.email is not None:
                by_email.setdefault(normal_address(contact.email), []).append(
                    Person("contact", contact.id, contact.display_name, contact.company, "email")
                )
            if contact.copy_email is not None:
                by_copy.setdefault(normal_address(contact.copy_email), []).append(
                    Person("contact", contact.id, contact.display_name, contact.company, "copy_email")
                )
        company_email: dict[str, list[str]] = {}
        by_domain: dict[str, list[str]] = {}
        for company in firms.values():
            if company.email is not None:
                company_email.setdefault(normal_address(company.email), []).append(company.id)
            for domain in company.domains:
                by_domain.setdefault(domain.lower(), []).append(company.id)
        numbers: dict[str, list[tuple[str, frozenset[str]]]] = {}
        for contract in contracts:
            numbers.setdefault(contract.number.strip().lower(), []).append(
                (contract.id, contract.companies)
            )
        return cls(
            employees=staff,
            contacts=people,
            companies=firms,
            by_email={a: tuple(p) for a, p in by_email.items()},
            by_copy_email={a: tuple(p) for a, p in by_copy.items()},
            by_company_email={a: tuple(sorted(c)) for a, c in company_email.items()},
            by_domain={d: tuple(sorted(c)) for d, c in by_domain.items()},
            contract_companies={n: tuple(sorted(c)) for n, c in numbers.items()},
        )

    def with_contact(self, contact: Contact) -> PeopleDirectory:
        """This directory with ``contact`` added (or replaced): a run that
        creates a contact for an unknown sender looks the next message from
        the same address up as that contact, without reading the store again."""
        kept = {c.id: c for c in self.contacts.values() if c.id != contact.id}
        by_email = {a: tuple(p for p in people if p.id != contact.id or p.kind != "contact")
                    for a, people in self.by_email.items()}
        by_copy = {
            a: tuple(p for p in people if p.id != contact.id) for a, people in self.by_copy_email.items()
        }
        person = Person("contact", contact.id, contact.display_name, contact.company, "email")
        if contact.email is not None:
            address = normal_address(contact.email)
            by_email[address] = (*by_email.get(address, ()), person)
        if contact.copy_email is not None:
            address = normal_address(contact.copy_email)
            by_copy[address] = (*by_copy.get(address, ()), attrs.evolve(person, field="copy_email"))
        return attrs.evolve(
            self,
            contacts={**kept, contact.id: contact},
            by_email={a: p for a, p in by_email.items() if p},
            by_copy_email={a: p for a, p in by_copy.items() if p},
        )

    def by_address(self, address: str) -> Sender:
        """Who ``address`` belongs to (see the module docstring for the order)."""
        normal = normal_address(address)
        problem = email_problem(normal)
        if problem is not None:
            return Sender(normal, "unknown", f"{address!r} is not an e-mail address ({problem})")
        people = self.by_email.get(normal, ())
        if people:
            return self._person(normal, people)
        copies = self.by_copy_email.get(normal, ())
        if copies:
            return self._person(normal, copies)
        return self._company_of(normal)

    def _person(self, address: str, people: tuple[Person, ...]) -> Sender:
        staff = [p for p in people if p.kind == "employee"]
        contacts = [p for p in people if p.kind == "contact"]
        linked = (
            len(staff) == 1
            and len(contacts) == 1
            and self.contacts[contacts[0].id].employee == staff[0].id
        )
        if len(people) > 1 and not linked:
            listed = "; ".join(p.describe() for p in people)
            return Sender(
                address,
                "ambiguous",
                f"{address} belongs to {len(people)} people: {listed}; a person decides",
                candidates=people,
            )
        if contacts:
            contact = contacts[0]
            also = f" (also employee {staff[0].id})" if staff else ""
            return Sender(
                address,
                "contact",
                f"{address} is {contact.describe()}{also}",
                employee=staff[0].id if staff else None,
                contact=contact.id,
                company=contact.company,
            )
        employee = staff[0]
        return Sender(address, "employee", f"{address} is {employee.describe()}", employee=employee.id)

    def _company_of(self, address: str) -> Sender:
        own = self.by_company_email.get(address, ())
        if len(own) == 1:
            return Sender(address, "company", f"{address} is the e-mail of company {own[0]}", company=own[0])
        if own:
            return self._ambiguous_companies(address, own, "the e-mail")
        domain = address.rsplit("@", 1)[1]
        labels = domain.split(".")
        for start in range(len(labels) - 1):
            candidate = ".".join(labels[start:])
            found = self.by_domain.get(candidate, ())
            if len(found) == 1:
                under = "" if start == 0 else f" (a sub-domain of {candidate})"
                return Sender(
                    address,
                    "company",
                    f"nobody has {address}; its domain {domain}{under} is company {found[0]}'s",
                    company=found[0],
                )
            if found:
                return self._ambiguous_companies(address, found, f"the domain {candidate}")
        return Sender(address, "unknown", f"nobody has {address} and no company has the domain {domain}")

    def _ambiguous_companies(self, address: str, companies: tuple[str, ...], what: str) -> Sender:
        candidates = tuple(
            Person("company", c, self.companies[c].name, c, "email" if what == "the e-mail" else "domains")
            for c in companies
        )
        return Sender(
            address,
            "ambiguous",
            f"{what} of {address} belongs to {len(companies)} companies: {', '.join(companies)}; "
            "a person decides",
            candidates=candidates,
        )

    def order_company(self, number: str) -> tuple[str | None, str]:
        """The company of a known order — an order number is known when it is
        the ``number`` of a stored contract (any case, spaces around ignored) of
        exactly one company — and the reason in words."""
        found = self.contract_companies.get(number.strip().lower(), ())
        if not found:
            return None, f"order {number!r} is not a contract number we know"
        companies = sorted({c for _, held in found for c in held})
        contracts = ", ".join(id for id, _ in found)
        if len(companies) != 1:
            return None, (
                f"order {number!r} is contract {contracts} of {len(companies)} companies "
                f"({', '.join(companies)}): no company linked"
            )
        return companies[0], f"order {number!r} is contract {contracts} of company {companies[0]}"


def link_sender(sender: Sender, policy: UnknownSender, *, name: str = "") -> SenderLink:
    """What a ticket from ``sender`` (the sender only: never a Cc address)
    links under the ``unknown_sender`` policy. A known contact links itself
    and its company; an employee links nobody (they write for a customer);
    an ambiguous address links nobody and is held for a person. A sender
    who is not a person (a company by e-mail or domain, or nobody):
    ``create_contact`` creates a contact named ``name`` (else after the
    address's local part) of the matching company, ``link_company_only``
    links the company alone (or nothing), ``hold`` holds."""
    if sender.kind == "ambiguous":
        return SenderLink(sender, None, None, None, True, sender.reason)
    if sender.kind == "contact":
        return SenderLink(sender, sender.contact, sender.company, None, False, sender.reason)
    if sender.kind == "employee":
        return SenderLink(
            sender, None, None, None, False, f"{sender.reason}: an employee links no customer"
        )
    if policy == "hold":
        return SenderLink(sender, None, None, None, True, f"{sender.reason}; unknown senders are held")
    if policy == "create_contact" and email_problem(sender.address) is None:
        first, last = _names(name, sender.address)
        draft = NewContact(email=sender.address, first_name=first, last_name=last, company=sender.company)
        of = "" if sender.company is None else f" of company {sender.company}"
        return SenderLink(
            sender, None, sender.company, draft, False, f"{sender.reason}; a new contact{of} is created"
        )
    if sender.company is not None:
        linked = f"{sender.reason}; the company is linked"
        return SenderLink(sender, None, sender.company, None, False, linked)
    return SenderLink(sender, None, None, None, False, f"{sender.reason}; nobody is linked")


def _names(name: str, address: str) -> tuple[str, str]:
    words = name.split()
    if len(words) >= 2:
        return " ".join(words[:-1]), words[-1]
    if words:
        return words[0], ""
    return address.split("@", 1)[0], ""


__all__ = [
    "NewContact",
    "PeopleDirectory",
    "Person",
    "Sender",
    "SenderKind",
    "SenderLink",
    "UnknownSender",
    "address_domain",
    "link_sender",
    "normal_address",
]
