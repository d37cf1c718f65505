"""A web form registered as a ticket (``Desk.intake_form``) and a phone call
(``intake_call``), on the memory and SQLite stores: the description and subject
a person reads, who is linked under each unknown-sender policy, the order
number kept, and a refusal that stores nothing — not even the new contact."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from desk_world import CONFIG, START, everything, make_desk, seed

from helpdesk_core.config import Configuration, IntakeSettings, parse_configuration
from helpdesk_core.desk import Desk
from helpdesk_core.desk.intake_call import intake_call
from helpdesk_core.desk.people_directory import people_directory
from helpdesk_core.errors import ValidationError
from helpdesk_core.intake.web_form import FALLBACK_SUBJECT, form_from_json, read_form
from helpdesk_core.model.parties import Contact
from helpdesk_core.storage import open_store
from helpdesk_core.storage.protocols import Store


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    store = open_store("memory://" if request.param == "memory" else f"sqlite:///{tmp_path / 'desk.db'}")
    seed(store)
    with store.unit_of_work() as uow:
        cafe = uow.companies.get("C-1")
        uow.companies.save(attrs.evolve(cafe.value, domains=["cafe.example"], phone="+420 222 333 444"),
                           expected_version=cafe.version)
        jana = uow.contacts.get("P-1")
        uow.contacts.save(attrs.evolve(jana.value, email="jana@cafe.example", mobile="+420 601 234 567"),
                          expected_version=jana.version)
        petr = uow.contacts.get("P-2")
        uow.contacts.save(attrs.evolve(petr.value, phone="601-234-567"), expected_version=petr.version)
        uow.commit()
    try:
        yield store
    finally:
        store.close()


def desk_with(store: Store, unknown_sender: str = "link_company_only", **intake: Any) -> Desk:
    config: Configuration = attrs.evolve(
        CONFIG, intake=IntakeSettings(unknown_sender=unknown_sender, **intake)
    )
    return make_desk(store, config=config)


def form(*fields: dict[str, Any], name: str = "Service request") -> dict[str, Any]:
    return {"form": name, "fields": list(fields)}


EMAIL = {"name": "E-mail", "kind": "email", "value": "stranger@cafe.example"}
MESSAGE = {"name": "Message", "kind": "message", "value": "\n  Oven is cold  \nSince Monday, \"really\""}


def contacts(store: Store) -> dict[str, Contact]:
    return {s.value.id: s.value for s in store.contacts.iter()}


def test_every_filled_field_is_a_line_of_the_description_in_form_order(store: Store) -> None:
    done = desk_with(store).intake_form(form(
        EMAIL,
        {"name": "Phone", "kind": "phone", "value": "   "},          # blank: not filled
        MESSAGE,
        {"name": "Floor", "value": 3},
        {"name": "Agree", "value": True},
        {"name": "Topics", "value": ["oven", "grinder"]},
        {"name": "Note", "value": None},
        {"name": 'Say "hi"\\', "value": "a\\b"},
    ), at=START)
    stored = store.tickets.get(done.ticket or "").value
    assert stored.description == (
        '"E-mail": "stranger@cafe.example"\n'
        '"Message": "Oven is cold  \\nSince Monday, \\"really\\""\n'
        '"Floor": "3"\n'
        '"Agree": "yes"\n'
        '"Topics": "oven, grinder"\n'
        '"Say \\"hi\\"\\\\": "a\\\\b"'
    )
    assert stored.subject == "Oven is cold" and stored.channel == "web"
    assert (done.action, done.ticket, done.company) == ("new_ticket", "T-1001", "C-1")


@pytest.mark.parametrize(
    ("message", "subject"),
    [
        ({"name": "Message", "kind": "message", "value": "Hidden text", "hidden": True}, FALLBACK_SUBJECT),
        ({"name": "Message", "kind": "message", "value": " \n \n"}, FALLBACK_SUBJECT),
        (None, FALLBACK_SUBJECT),
        ({"name": "Message", "kind": "message", "value": "x" * 200}, "x" * 119 + "…"),
        ({"name": "Message", "kind": "message", "value": "\tOne\t line  here\nsecond"}, "One line here"),
    ],
)
def test_the_subject_rules(store: Store, message: dict[str, Any] | None, subject: str) -> None:
    fields = [EMAIL] if message is None else [EMAIL, message]
    done = desk_with(store).intake_form(form(*fields), at=START)
    assert store.tickets.get(done.ticket or "").value.subject == subject
    if message is not None and message.get("hidden") and message["value"].strip():
        assert '"Message": "Hidden text"' in store.tickets.get(done.ticket or "").value.description


def test_a_known_contact_links_themself_and_their_company(store: Store) -> None:
    done = desk_with(store, "hold").intake_form(
        form({"name": "E-mail", "kind": "email", "value": "JANA@cafe.example"}, MESSAGE), at=START)
    ticket = store.tickets.get(done.ticket or "").value
    assert (done.action, ticket.contact, ticket.company) == ("new_ticket", "P-1", "C-1")


def test_link_company_only_links_the_company_by_domain_and_creates_nobody(store: Store) -> None:
    before = contacts(store)
    done = desk_with(store, "link_company_only").intake_form(form(EMAIL, MESSAGE), at=START)
    ticket = store.tickets.get(done.ticket or "").value
    assert (ticket.contact, ticket.company) == (None, "C-1")
    assert contacts(store) == before
    assert "domain cafe.example is company C-1's" in done.reason


def test_create_contact_creates_the_contact_with_the_ticket(store: Store) -> None:
    done = desk_with(store, "create_contact").intake_form(
        form(EMAIL, {"name": "Your name", "kind": "name", "value": "Karel Dvořák"}, MESSAGE), at=START)
    ticket = store.tickets.get(done.ticket or "").value
    made = contacts(store)[ticket.contact or ""]
    assert (made.id, made.first_name, made.last_name, made.email, made.company) == (
        "P-4", "Karel", "Dvořák", "stranger@cafe.example", "C-1")  # P-1..P-3 are taken: skipped
    assert (done.contact, done.company) == ("P-4", "C-1")
    again = desk_with(store, "create_contact").intake_form(form(EMAIL, MESSAGE), at=START)
    assert again.contact == "P-4" and again.new_contact is None  # now a known contact


def test_hold_registers_nothing_and_says_why(store: Store) -> None:
    before = everything(store)
    done = desk_with(store, "hold").intake_form(form(EMAIL, MESSAGE), at=START)
    assert (done.action, done.ticket) == ("held", None)
    assert "unknown senders are held" in done.reason
    assert everything(store) == before


def test_an_order_number_is_kept_and_links_the_company_of_the_contract(store: Store) -> None:
    config = parse_configuration(
        '[catalog]\nattributes = [{ id = "order", name = "Order", kind = "text" }]\n'
        '[intake]\norder_attribute = "order"\n')
    desk = make_desk(store, config=attrs.evolve(CONFIG, catalogs=config.catalogs, intake=config.intake))
    done = desk.intake_form(form(
        {"name": "E-mail", "kind": "email", "value": "who@nowhere.example"},
        {"name": "Order number", "kind": "order_number", "value": " 2026/3 "},
    ), at=START)
    ticket = store.tickets.get(done.ticket or "").value
    assert ticket.attributes == {"order": "2026/3"}
    assert ticket.company == "C-2" and "contract K-3 of company C-2" in done.reason


def test_an_unknown_order_number_is_kept_without_a_company(store: Store) -> None:
    no_attribute_list = attrs.evolve(CONFIG.catalogs, attributes=None)  # any attribute id passes
    desk = make_desk(store, config=attrs.evolve(CONFIG, catalogs=no_attribute_list))
    done = desk.intake_form(form({"name": "Order number", "kind": "order_number", "value": "X-1"}), at=START)
    ticket = store.tickets.get(done.ticket or "").value
    assert ticket.attributes == {"order_number": "X-1"} and ticket.company is None
    assert "not a contract number we know" in done.reason


def test_a_refused_order_attribute_stores_nothing_not_even_the_new_contact(store: Store) -> None:
    before, people = everything(store), contacts(store)
    desk = desk_with(store, "create_contact")  # CONFIG's catalog has only the attribute 'floor'
    with pytest.raises(ValidationError) as caught:
        desk.intake_form(form(EMAIL, {"name": "Order number", "kind": "order_number", "value": "2026/1"}),
                         at=START)
    assert "form field 'Order number' (order_number)" in str(caught.value)
    assert "attribute 'order_number'" in str(caught.value)
    assert everything(store) == before and contacts(store) == people


def test_a_refusal_inside_the_registration_rolls_the_new_contact_back(store: Store) -> None:
    before, people = everything(store), contacts(store)
    config = parse_configuration(
        '[catalog]\nattributes = [{ id = "floor", name = "Floor", kind = "text", required_on_create = true }]\n')
    desk = make_desk(store, config=attrs.evolve(
        CONFIG, catalogs=config.catalogs, intake=IntakeSettings(unknown_sender="create_contact")))
    with pytest.raises(ValidationError, match="required attribute 'floor'"):
        desk.intake_form(form(EMAIL, MESSAGE), at=START)
    assert everything(store) == before and contacts(store) == people


def test_a_dry_run_decides_everything_and_stores_nothing(store: Store) -> None:
    before, people = everything(store), contacts(store)
    done = desk_with(store, "create_contact").intake_form(form(EMAIL, MESSAGE), at=START, dry_run=True)
    assert (done.action, done.ticket, done.company, done.dry_run) == ("new_ticket", None, "C-1", True)
    assert done.new_contact is not None and done.new_contact.email == "stranger@cafe.example"
    assert done.subject == "Oven is cold" and done.description.startswith('"E-mail"')
    assert everything(store) == before and contacts(store) == people


def test_the_form_is_routed_like_any_new_ticket(store: Store) -> None:
    with store.unit_of_work() as uow:
        cafe = uow.companies.get("C-1")
        from helpdesk_core.model.ticket import Assignee

        uow.companies.save(attrs.evolve(cafe.value, responsible=Assignee(id="E-2")),
                           expected_version=cafe.version)
        uow.commit()
    done = desk_with(store).intake_form(form(EMAIL, MESSAGE), at=START)
    assigned = store.tickets.get(done.ticket or "").value.assignee
    assert assigned is not None and assigned.id == "E-2"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([], "form: expected a JSON object with 'fields'"),
        ({"fields": [{"name": "E", "kind": "emial", "value": "x"}]},
         "form: fields[0].kind: 'emial' is not a field kind"),
        ({"fields": [{"kind": "email", "value": "x"}]}, "form: fields[0].name: expected the field's name"),
        ({"fields": [{"name": "A", "value": {"x": 1}}]}, "form: fields[0].value (A): expected a text"),
        ({"fields": [{"name": "A", "hidden": "no"}]}, "form: fields[0].hidden: expected true or false"),
        ({"fileds": []}, "form: unknown key 'fileds'"),
        ({"fields": [{"name": "A", "value": "x\ud800"}]},
         "form: fields[0].value (A): not valid text: a lone surrogate \\ud800 at character 1"),
    ],
)
def test_a_bad_form_is_refused_naming_the_field(data: object, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        read_form(data)
    assert str(caught.value).startswith(message)


def test_bad_json_names_the_line_and_column() -> None:
    with pytest.raises(ValidationError, match=r"form.json: line 2 column 2: not valid JSON: Extra data"):
        form_from_json('{"fields": []\n}}', source="form.json")


# -- phone -------------------------------------------------------------------------


def test_a_call_lists_the_callers_and_registers_for_the_chosen_one(store: Store) -> None:
    desk = desk_with(store)
    listed = intake_call(desk, "+420 601 234 567")
    assert [(c.id, c.fields) for c in listed.callers] == [("P-1", ("mobile",)), ("P-2", ("phone",))]
    assert listed.action == "listed" and everything(store)["tickets"] == {}
    with pytest.raises(ValidationError, match="2 callers match"):
        intake_call(desk, "601234567", subject="Oven cold")
    done = intake_call(desk, "601234567", subject="Oven cold", contact="P-2", at=START)
    ticket = store.tickets.get(done.ticket or "").value
    assert (ticket.channel, ticket.contact, ticket.company, ticket.subject) == ("phone", "P-2", "C-2", "Oven cold")


def test_a_call_from_a_company_phone_and_from_an_unknown_number(store: Store) -> None:
    desk = desk_with(store, phone_digits=6)
    company = intake_call(desk, "333 444", subject="Switchboard", at=START)
    ticket = store.tickets.get(company.ticket or "").value
    assert (ticket.contact, ticket.company) == (None, "C-1")
    unknown = intake_call(desk, "+1 555 0100", subject="Who?", at=START)
    assert unknown.callers == () and "unknown caller" in unknown.reason
    assert store.tickets.get(unknown.ticket or "").value.company is None


def test_the_directory_is_read_once_for_many_lookups(store: Store) -> None:
    directory = people_directory(store)
    assert directory.by_address("jana@cafe.example").contact == "P-1"
    store.close()  # a closed store: every lookup below is answered from the directory
    assert directory.by_address("x@cafe.example").company == "C-1"
    assert [c.id for c in intake_call_callers(directory)] == ["P-1", "P-2"]


def intake_call_callers(directory: Any) -> Any:
    from helpdesk_core.intake.phone import callers

    return callers("601234567", directory)


def test_on_postgresql_the_new_contact_lives_and_dies_with_the_ticket(postgres_url: str) -> None:
    store = open_store(postgres_url)
    try:
        seed(store)
        before, people = everything(store), contacts(store)
        config = parse_configuration(
            '[catalog]\nattributes = [{ id = "floor", name = "Floor", kind = "text", required_on_create = true }]\n')
        refusing = make_desk(store, config=attrs.evolve(
            CONFIG, catalogs=config.catalogs, intake=IntakeSettings(unknown_sender="create_contact")))
        stranger = {"name": "E-mail", "kind": "email", "value": "stranger@nowhere.example"}
        with pytest.raises(ValidationError, match="required attribute 'floor'"):
            refusing.intake_form(form(stranger, MESSAGE), at=START)
        assert everything(store) == before and contacts(store) == people
        done = desk_with(store, "create_contact").intake_form(form(stranger, MESSAGE), at=START)
        assert done.contact == "P-4" and contacts(store)["P-4"].email == "stranger@nowhere.example"
        assert store.tickets.get(done.ticket or "").value.contact == "P-4"
    finally:
        store.close()
