"""Companies, contacts and customer groups: what may exist, and what is refused."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.assets import Equipment, ServiceObject
from helpdesk_core.model.parties import (
    Company,
    Contact,
    CustomerGroup,
    PortalAccess,
    group_members,
    groups_by_priority,
)
from helpdesk_core.model.ticket import Assignee

# --- Company ------------------------------------------------------------------


def test_company_defaults_to_the_client_category() -> None:
    company = Company(id="C-7", name="Café Slavia")
    assert company.category == "client"
    assert company.responsible is None
    assert company.domains == frozenset()


def test_company_domains_are_lower_cased_and_match_mail() -> None:
    company = Company(id="C-7", name="Slavia", domains=[" Slavia.CZ", "cafe-slavia.com"])
    assert company.domains == {"slavia.cz", "cafe-slavia.com"}
    assert company.owns_email("Jana@SLAVIA.cz")
    assert not company.owns_email("jana@slavia.cz.evil.com")
    assert not company.owns_email("not an address")


def test_company_domain_without_a_dot_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Company(id="C-7", name="Slavia", domains=["localhost"])
    assert str(caught.value) == (
        "Company.domains: 'localhost' is not a domain (the domain has no dot)"
    )


def test_company_domains_given_as_one_string_are_refused_not_split() -> None:
    with pytest.raises(ValidationError) as caught:
        Company(id="C-7", name="Slavia", domains="slavia.cz")
    assert str(caught.value) == (
        "Company.domains: expected a collection of domains, got 'slavia.cz'"
    )


@pytest.mark.parametrize(
    ("email", "reason"),
    [
        ("jana.slavia.cz", "expected exactly one '@'"),
        ("jana@@slavia.cz", "expected exactly one '@'"),
        ("jana@slavia", "the domain has no dot"),
        ("jana @slavia.cz", "contains white space"),
        ("@slavia.cz", "nothing before '@'"),
        ("jana@slavia..cz", "the domain has an empty part"),
        ("jana@slavia.", "the domain has an empty part"),
    ],
)
def test_company_email_syntax(email: str, reason: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Company(id="C-7", name="Slavia", email=email)
    assert str(caught.value) == f"Company.email: {email!r} is not an e-mail address ({reason})"


def test_company_blank_name_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Company(id="C-7", name="")
    assert str(caught.value) == "Company.name: is required and must not be blank, got ''"


def test_company_missing_id_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Company(id=None, name="Slavia")  # type: ignore[arg-type]
    assert str(caught.value) == "Company.id: is required, got None"


def test_company_responsible_must_be_an_assignee() -> None:
    group = Company(id="C-7", name="Slavia", responsible=Assignee(id="G-1", group=True))
    assert group.responsible == Assignee(id="G-1", group=True)
    with pytest.raises(ValidationError) as caught:
        Company(id="C-7", name="Slavia", responsible="E-3")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "Company.responsible: expected an Assignee (an employee or a group) or None, got 'E-3'"
    )


def test_company_customer_groups_as_a_lone_string_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Company(id="C-7", name="Slavia", customer_groups="G-1")
    assert str(caught.value) == "Company.customer_groups: expected a collection of ids, got 'G-1'"


# --- Contact ------------------------------------------------------------------


def test_contact_display_name() -> None:
    assert Contact(id="P-1", first_name="Jana", last_name="Nováková").display_name == (
        "Jana Nováková"
    )
    assert Contact(id="P-2", last_name="Kafka").display_name == "Kafka"
    assert Contact(id="P-3", first_name=" Madonna ").display_name == "Madonna"


def test_contact_without_any_name_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Contact(id="P-1", first_name=" ", last_name="")
    assert str(caught.value) == (
        "Contact.first_name/last_name: contact P-1 needs a first or a last name, "
        "got ' ' and ''"
    )


def test_contact_portal_access_accepts_its_value_text() -> None:
    contact = Contact(id="P-1", first_name="Jana", company="C-7", portal_access="company_tickets")
    assert contact.portal_access is PortalAccess.COMPANY_TICKETS
    assert Contact(id="P-2", first_name="Eva").portal_access is PortalAccess.NONE


def test_contact_unknown_portal_access_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        Contact(id="P-1", first_name="Jana", portal_access="everything")
    assert str(caught.value) == (
        "Contact.portal_access: expected one of none, own_tickets, company_tickets, "
        "service_object_tickets, supervised_companies, reports, got 'everything'"
    )


def test_individual_cannot_see_company_tickets() -> None:
    with pytest.raises(ValidationError) as caught:
        Contact(id="P-1", first_name="Jana", portal_access=PortalAccess.COMPANY_TICKETS)
    assert str(caught.value) == (
        "Contact.portal_access: contact P-1 is an individual (no company), "
        "so 'company_tickets' is impossible"
    )
    individual = Contact(id="P-1", first_name="Jana", portal_access=PortalAccess.OWN_TICKETS)
    assert individual.company is None


def test_contact_copy_email_is_checked_and_notified() -> None:
    contact = Contact(
        id="P-1", first_name="Jana", email="jana@slavia.cz", copy_email="boss@slavia.cz"
    )
    assert contact.notification_emails == ("jana@slavia.cz", "boss@slavia.cz")
    same = attrs.evolve(contact, copy_email="jana@slavia.cz")
    assert same.notification_emails == ("jana@slavia.cz",)
    with pytest.raises(ValidationError, match=r"^Contact.copy_email: 'boss' is not an e-mail"):
        attrs.evolve(contact, copy_email="boss")


def test_contact_may_be_an_employee() -> None:
    assert Contact(id="P-1", first_name="Jana", employee="E-3").employee == "E-3"


# --- CustomerGroup --------------------------------------------------------------


def test_customer_group_priority_orders_price_lists() -> None:
    gold = CustomerGroup(id="gold", name="Gold", priority=1, sla="VIP incidents")
    base = CustomerGroup(id="base", name="Base", priority=5)
    also_first = CustomerGroup(id="aaa", name="A", priority=1)
    assert groups_by_priority([base, gold, also_first]) == (also_first, gold, base)


def test_customer_group_negative_priority_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        CustomerGroup(id="gold", name="Gold", priority=-1)
    assert str(caught.value) == "CustomerGroup.priority: expected a whole number >= 0, got -1"


def test_group_membership_is_read_from_the_members() -> None:
    company = Company(id="C-1", name="Slavia", customer_groups={"gold"})
    contact = Contact(id="P-1", first_name="Jana", customer_groups={"gold", "base"})
    outsider = Company(id="C-2", name="Louvre")
    assert group_members("gold", [company, contact, outsider]) == (company, contact)
    assert group_members("base", [company, contact, outsider]) == (contact,)


# --- random entities ------------------------------------------------------------

ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_-]{0,11}\Z")
names = st.text(min_size=1, max_size=20).filter(lambda s: s.strip() != "")
labels = st.from_regex(r"\A[a-z0-9]{1,8}\Z")
domains = st.lists(labels, min_size=2, max_size=3).map(".".join)
emails = st.builds(lambda local, domain: f"{local}@{domain}", labels, domains)
assignees = st.none() | st.builds(Assignee, id=ids, group=st.booleans())

companies = st.builds(
    Company,
    id=ids,
    name=names,
    category=ids,
    email=st.none() | emails,
    domains=st.frozensets(domains, max_size=3),
    responsible=assignees,
    observer_employees=st.frozensets(ids, max_size=3),
    customer_groups=st.frozensets(ids, max_size=3),
)
contacts = st.builds(
    Contact,
    id=ids,
    first_name=names,
    last_name=st.just("") | names,
    company=st.none() | ids,
    email=st.none() | emails,
    copy_email=st.none() | emails,
    responsible=assignees,
    portal_access=st.sampled_from([PortalAccess.NONE, PortalAccess.OWN_TICKETS]),
)


@settings(max_examples=60, deadline=None)
@given(companies, st.sampled_from(["id", "name", "email", "domains", "customer_groups"]))
def test_valid_companies_construct_and_an_invalid_change_raises(
    company: Company, field: str
) -> None:
    bad: dict[str, Any] = {
        "id": "",
        "name": "  ",
        "email": "nobody",
        "domains": ["no-dot"],
        "customer_groups": [None],
    }
    assert attrs.evolve(company) == company
    with pytest.raises(ValidationError, match=rf"^Company\.{field}: "):
        attrs.evolve(company, **{field: bad[field]})


@settings(max_examples=60, deadline=None)
@given(contacts, st.sampled_from(["id", "email", "copy_email", "portal_access", "company"]))
def test_valid_contacts_construct_and_an_invalid_change_raises(
    contact: Contact, field: str
) -> None:
    bad: dict[str, Any] = {
        "id": "\n",
        "email": "a b@c.d",
        "copy_email": "x@y",
        "portal_access": "all",
        "company": "",
    }
    assert attrs.evolve(contact) == contact
    with pytest.raises(ValidationError, match=rf"^Contact\.{field}: "):
        attrs.evolve(contact, **{field: bad[field]})


# --- service objects and equipment (what a company owns) --------------------------


def test_service_object_belongs_to_a_company() -> None:
    with pytest.raises(ValidationError) as caught:
        ServiceObject(id="O-1", name="Café on the corner", company=None)  # type: ignore[arg-type]
    assert str(caught.value) == "ServiceObject.company: is required, got None"


def test_equipment_is_placed_only_at_its_own_company_objects() -> None:
    cafe = ServiceObject(id="O-1", name="Café", company="C-7", address="Národní 1")
    louvre = ServiceObject(id="O-2", name="Louvre", company="C-8")
    oven = Equipment(id="Q-1", type="oven", company="C-7", serial="SN-42")
    assert oven.placed_at(cafe).service_object == "O-1"
    assert oven.placed_at(cafe).placed_at(None).service_object is None
    with pytest.raises(ValidationError) as caught:
        oven.placed_at(louvre)
    assert str(caught.value) == (
        "Equipment.service_object: equipment Q-1 belongs to company C-7, "
        "service object O-2 to C-8"
    )


def test_equipment_keeps_its_own_copy_of_the_attributes() -> None:
    given_attributes = {"power_kw": 7}
    oven = Equipment(id="Q-1", type="oven", company="C-7", attributes=given_attributes)
    given_attributes["power_kw"] = 99
    assert oven.attributes == {"power_kw": 7}
    with pytest.raises(ValidationError) as caught:
        attrs.evolve(oven, attributes={"": 1})
    assert str(caught.value) == "Equipment.attributes: '' is not an attribute name"
