"""Who wrote and who calls: the pure lookups of intake (people by address,
callers by the last digits of their number) and the unknown-sender policies."""

from __future__ import annotations

from datetime import date

import attrs
import pytest

from helpdesk_core.config import parse_configuration
from helpdesk_core.errors import ConfigError, ValidationError
from helpdesk_core.intake.people import NewContact, PeopleDirectory, link_sender
from helpdesk_core.intake.phone import callers, choose_caller, phone_key
from helpdesk_core.model.contracts import Contract
from helpdesk_core.model.parties import Company, Contact
from helpdesk_core.model.staff import Employee

DIRECTORY = PeopleDirectory.of(
    employees=[
        Employee(id="E-1", first_name="Eva", email="Eva@Desk.example"),
        Employee(id="E-2", first_name="Emil", email="emil@desk.example"),
    ],
    contacts=[
        Contact(id="P-1", first_name="Jana", last_name="Nováková", company="C-1", email="jana@cafe.example",
                copy_email="office@cafe.example", phone="+420 601 234 567", mobile="777-888-999"),
        Contact(id="P-2", first_name="Petr", company="C-2", email="petr@shop.example",
                phone="(+420) 601/234 567"),
        Contact(id="P-3", first_name="Olga", company="C-1", email="same@cafe.example"),
        Contact(id="P-4", first_name="Otto", company="C-2", email="SAME@cafe.example"),
        Contact(id="P-5", first_name="Emil", last_name="Contact", email="emil@desk.example", employee="E-2"),
        Contact(id="P-6", first_name="Sára", company="C-1", email="office@cafe.example"),
        Contact(id="P-7", first_name="Ivo", phone="112"),
    ],
    companies=[
        Company(id="C-1", name="Café", email="info@cafe.example", domains=["cafe.example"], phone="+420 222 333 444"),
        Company(id="C-2", name="Shop", domains=["shop.example", "cz.shop.example"]),
        Company(id="C-3", name="Shop CZ", domains=["cz.shop.example"]),
        Company(id="C-4", name="Twin A", domains=["twins.example"]),
        Company(id="C-5", name="Twin B", domains=["twins.example"]),
    ],
    contracts=[
        Contract(id="K-1", number="2026/1", companies=["C-1"], start=date(2026, 1, 1)),
        Contract(id="K-2", number="SHARED-9", companies=["C-1", "C-2"], start=date(2026, 1, 1)),
    ],
)


# -- people ------------------------------------------------------------------------


def test_an_employee_is_found_by_address_in_any_case() -> None:
    sender = DIRECTORY.by_address("  eva@DESK.example ")
    assert (sender.kind, sender.employee, sender.contact, sender.company) == ("employee", "E-1", None, None)
    assert "employee E-1" in sender.reason


def test_a_contact_is_found_with_their_company() -> None:
    sender = DIRECTORY.by_address("Jana@Cafe.Example")
    assert (sender.kind, sender.contact, sender.company) == ("contact", "P-1", "C-1")


def test_a_contacts_copy_address_finds_them_when_nobody_has_it_as_their_own() -> None:
    shared = PeopleDirectory.of(contacts=[Contact(id="P-1", first_name="Jana", company="C-1",
                                                  copy_email="boss-copy@cafe.example")])
    sender = shared.by_address("boss-copy@cafe.example")
    assert (sender.kind, sender.contact, sender.company) == ("contact", "P-1", "C-1")
    assert "copy_email" in sender.reason


def test_a_contacts_own_address_wins_over_anothers_copy_address() -> None:
    sender = DIRECTORY.by_address("office@cafe.example")  # P-6's own, P-1's copy
    assert (sender.kind, sender.contact) == ("contact", "P-6")


def test_two_contacts_with_one_address_are_reported_never_guessed() -> None:
    sender = DIRECTORY.by_address("same@cafe.example")
    assert sender.kind == "ambiguous" and sender.contact is None and sender.company is None
    assert [p.id for p in sender.candidates] == ["P-3", "P-4"]
    assert "P-3" in sender.reason and "P-4" in sender.reason


def test_an_employee_and_the_contact_linked_to_them_are_one_person() -> None:
    sender = DIRECTORY.by_address("emil@desk.example")
    assert (sender.kind, sender.contact, sender.employee) == ("contact", "P-5", "E-2")


def test_an_employee_and_an_unlinked_contact_with_one_address_are_ambiguous() -> None:
    clash = PeopleDirectory.of(
        employees=[Employee(id="E-1", first_name="Eva", email="eva@desk.example")],
        contacts=[Contact(id="P-1", first_name="Eva", email="eva@desk.example")],
    )
    assert clash.by_address("eva@desk.example").kind == "ambiguous"


def test_a_company_is_found_by_its_own_address_then_by_domain() -> None:
    own = DIRECTORY.by_address("info@cafe.example")
    assert (own.kind, own.company, own.contact) == ("company", "C-1", None)
    by_domain = DIRECTORY.by_address("stranger@CAFE.example")
    assert (by_domain.kind, by_domain.company) == ("company", "C-1")
    assert "domain cafe.example" in by_domain.reason


def test_a_sub_domain_belongs_to_the_company_and_the_longest_listed_domain_wins() -> None:
    sub = DIRECTORY.by_address("x@mail.cafe.example")
    assert (sub.kind, sub.company) == ("company", "C-1") and "sub-domain of cafe.example" in sub.reason
    # C-2 lists shop.example and cz.shop.example, C-3 cz.shop.example: both at the longest level
    assert DIRECTORY.by_address("x@prague.cz.shop.example").kind == "ambiguous"
    assert DIRECTORY.by_address("x@shop.example").company == "C-2"


def test_a_domain_only_ends_at_a_dot() -> None:
    assert DIRECTORY.by_address("x@notcafe.example").kind == "unknown"


def test_two_companies_with_one_domain_are_ambiguous() -> None:
    sender = DIRECTORY.by_address("x@twins.example")
    assert sender.kind == "ambiguous" and sender.company is None
    assert [p.id for p in sender.candidates] == ["C-4", "C-5"]


def test_an_unknown_address_and_a_non_address() -> None:
    unknown = DIRECTORY.by_address("who@nowhere.example")
    assert unknown.kind == "unknown" and "nowhere.example" in unknown.reason
    broken = DIRECTORY.by_address("not an address")
    assert broken.kind == "unknown" and "not an e-mail address" in broken.reason


@pytest.mark.parametrize(
    ("address", "policy", "expected"),
    [
        ("stranger@cafe.example", "link_company_only", (None, "C-1", None, False)),
        ("stranger@cafe.example", "create_contact",
         (None, "C-1", NewContact(email="stranger@cafe.example", first_name="Jan", last_name="Novák",
                                  company="C-1"), False)),
        ("stranger@cafe.example", "hold", (None, None, None, True)),
        ("who@nowhere.example", "link_company_only", (None, None, None, False)),
        ("who@nowhere.example", "create_contact",
         (None, None, NewContact(email="who@nowhere.example", first_name="Jan", last_name="Novák",
                                 company=None), False)),
        ("jana@cafe.example", "hold", ("P-1", "C-1", None, False)),  # known people are never held
        ("same@cafe.example", "create_contact", (None, None, None, True)),  # ambiguous: held
        ("eva@desk.example", "create_contact", (None, None, None, False)),  # an employee links nobody
    ],
)
def test_the_unknown_sender_policies(address: str, policy: str, expected: tuple[object, ...]) -> None:
    link = link_sender(DIRECTORY.by_address(address), policy, name="Jan Novák")  # type: ignore[arg-type]
    assert (link.contact, link.company, link.new_contact, link.held) == expected
    assert link.reason


def test_a_created_contact_without_a_name_is_named_after_the_address() -> None:
    link = link_sender(DIRECTORY.by_address("k.dvorak@nowhere.example"), "create_contact")
    assert link.new_contact is not None and link.new_contact.first_name == "k.dvorak"


def test_a_contact_created_during_a_run_is_found_by_the_next_lookup() -> None:
    made = Contact(id="P-8", first_name="Karel", company="C-1", email="Karel@cafe.example")
    later = DIRECTORY.with_contact(made)
    assert (later.by_address("karel@cafe.example").contact, DIRECTORY.by_address("karel@cafe.example").contact) == (
        "P-8", None)
    moved = later.with_contact(attrs.evolve(made, email="k@cafe.example"))
    assert moved.by_address("karel@cafe.example").kind == "company"  # the old address is gone
    assert moved.by_address("k@cafe.example").contact == "P-8"


def test_an_order_is_known_by_a_contract_number_of_one_company() -> None:
    assert DIRECTORY.order_company(" 2026/1 ")[0] == "C-1"
    company, why = DIRECTORY.order_company("SHARED-9")
    assert company is None and "2 companies" in why
    assert DIRECTORY.order_company("nope")[0] is None


# -- configuration -----------------------------------------------------------------


def test_the_intake_section_and_its_defaults() -> None:
    default = parse_configuration("").intake
    assert (default.unknown_sender, default.phone_digits, default.order_attribute) == (
        "link_company_only", 9, "order_number")
    given = parse_configuration('[intake]\nunknown_sender = "hold"\nphone_digits = 7\n').intake
    assert (given.unknown_sender, given.phone_digits) == ("hold", 7)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[intake]\nunknown_sender = "drop"\n', "intake.unknown_sender: expected one of"),
        ("[intake]\nphone_digits = 0\n", "intake.phone_digits: expected a whole number"),
        ('[intake]\nphone_digits = "9"\n', "intake.phone_digits"),
        ("[intake]\nphone_digit = 9\n", "intake.phone_digit: unknown key"),
        ('[intake]\ncontact_ids = "P-"\n', "intake.contact_ids"),
        ('[catalog]\nattributes = [{ id = "floor", name = "Floor", kind = "text" }]\n'
         '[intake]\norder_attribute = "order"\n',
         "intake.order_attribute: 'order' is not an attribute of the catalog (known: floor)"),
    ],
)
def test_intake_configuration_errors_name_the_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_configuration(text, source="helpdesk.toml")
    assert str(caught.value).startswith(f"helpdesk.toml: {message}")


# -- phone -------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["601234567", "+420 601 234 567", "00420-601-234-567", "(601) 234 567"])
def test_a_caller_is_found_by_the_last_nine_digits(number: str) -> None:
    found = callers(number, DIRECTORY)
    assert [(c.kind, c.id, c.company, c.fields) for c in found] == [
        ("contact", "P-1", "C-1", ("phone",)),
        ("contact", "P-2", "C-2", ("phone",)),
    ]


def test_a_mobile_and_a_company_phone_match_too() -> None:
    mobile = callers("+420 777 888 999", DIRECTORY)
    assert [(c.id, c.fields, c.number) for c in mobile] == [("P-1", ("mobile",), "777-888-999")]
    company = callers("222333444", DIRECTORY)
    assert [(c.kind, c.id, c.company) for c in company] == [("company", "C-1", "C-1")]


def test_a_number_shorter_than_the_digits_matches_only_exactly() -> None:
    assert [c.id for c in callers("112", DIRECTORY)] == ["P-7"]
    assert callers("12", DIRECTORY) == ()
    assert callers("4567", DIRECTORY) == ()  # not the end of P-1's phone
    assert phone_key("+1 12", 9) == "=112"


def test_the_number_of_digits_is_configurable() -> None:
    # the last 6 digits of 601 234 567 and 999 234 567 agree
    other = PeopleDirectory.of(contacts=[Contact(id="P-1", first_name="A", phone="999 234 567")])
    assert callers("601234567", other, digits=6)[0].id == "P-1"
    assert callers("601234567", other) == ()


def test_no_match_is_an_unknown_caller_and_no_digits_is_refused() -> None:
    assert callers("+420 000 000 000", DIRECTORY) == ()
    with pytest.raises(ValidationError, match="holds no digits"):
        callers("call me", DIRECTORY)


def test_several_matches_need_a_choice() -> None:
    found = callers("601234567", DIRECTORY)
    with pytest.raises(ValidationError, match="2 callers match; choose one with --contact ID: contact P-1"):
        choose_caller(found, None)
    chosen = choose_caller(found, "P-2")
    assert chosen is not None and chosen.id == "P-2"
    with pytest.raises(ValidationError, match="P-9 is not one of the callers matched"):
        choose_caller(found, "P-9")
    assert choose_caller((), None) is None
