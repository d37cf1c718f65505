"""Finding a person's identifiers in text: names in any order, case and with or
without diacritics; every e-mail; phone numbers in common spellings — and never
somebody with a similar name, address or number."""

from __future__ import annotations

import pytest

from helpdesk_core.model.parties import Contact
from helpdesk_core.privacy.identifiers import PersonIdentifiers, PhoneNumber, contact_identifiers
from helpdesk_core.privacy.matching import IdentifierMatcher

JANA = Contact(
    id="P-1",
    first_name="Jana",
    last_name="Nováková",
    email="jana@kavarna.example",
    copy_email="J.Novakova@home.example",
    phone="+420 601 123 456",
    mobile="030 1234567",
    external_id="crm-17",
)


@pytest.fixture
def matcher() -> IdentifierMatcher:
    return IdentifierMatcher(contact_identifiers(JANA, region="DE"))


def found(matcher: IdentifierMatcher, text: str) -> list[tuple[str, str]]:
    return [(h.kind, text[h.start : h.end]) for h in matcher.hits(text)]


@pytest.mark.parametrize(
    "text",
    [
        "Jana Nováková",
        "jana nováková",
        "NOVÁKOVÁ JANA",
        "Nováková, Jana",
        "Jana  Novakova",
        "@Jana Nováková:",
        "(Jana\nNováková)",
    ],
)
def test_the_name_is_found_in_the_ways_people_write_it(matcher: IdentifierMatcher, text: str) -> None:
    [(kind, _)] = found(matcher, text)
    assert kind == "name"


@pytest.mark.parametrize(
    "text",
    [
        "Jan Novák",
        "Jana Novákov",
        "Janaa Nováková",
        "Jana Nováková-Svobodová",
        "Jana",
        "Nováková",
        "paní Nováková",
    ],
)
def test_a_similar_name_or_half_a_name_is_not_found(matcher: IdentifierMatcher, text: str) -> None:
    assert found(matcher, text) == []


def test_every_address_is_found_in_any_case_but_not_inside_another(matcher: IdentifierMatcher) -> None:
    text = "jana@kavarna.example, JANA@Kavarna.Example. j.novakova@HOME.example"
    assert [k for k, _ in found(matcher, text)] == ["email", "email", "email"]
    for other in ("xjana@kavarna.example", "jana@kavarna.example.org", "jana.b@kavarna.example"):
        assert found(matcher, other) == []


def test_every_common_spelling_of_a_phone_number_is_found(matcher: IdentifierMatcher) -> None:
    for phone in ("+420 601 123 456", "030 1234567"):
        number = PhoneNumber.parse(phone, region="DE")
        assert number is not None
        for spelling in (*number.variants(), f"tel. {number.variants()[0]}!"):
            assert [k for k, _ in found(matcher, spelling)] == ["phone"], spelling


@pytest.mark.parametrize("text", ["601 123 457", "1601123456", "+421 601 123 456", "601123456789"])
def test_another_number_is_not_found(matcher: IdentifierMatcher, text: str) -> None:
    assert found(matcher, text) == []


def test_replacing_counts_and_keeps_the_rest_of_the_text(matcher: IdentifierMatcher) -> None:
    text = "Jana Nováková (601-123-456, jana@kavarna.example) spoke to Jan Novák."
    replaced, count = matcher.replace(text, lambda kind: f"<{kind}>")
    assert (replaced, count) == ("<name> (<phone>, <email>) spoke to Jan Novák.", 3)


def test_normal_forms_are_what_is_hashed_and_the_external_id_is_not_searched() -> None:
    identifiers = contact_identifiers(JANA, region="DE")
    assert identifiers.normal_forms() == (
        "email:j.novakova@home.example",
        "email:jana@kavarna.example",
        "id:crm-17",
        "name:jana nováková",
        "phone:+420601123456",
        "phone:+49301234567",
    )
    assert found(IdentifierMatcher(identifiers), "crm-17") == []


def test_a_number_without_a_country_is_found_behind_any_country_code() -> None:
    number = PhoneNumber.parse("601 123 456")
    assert number is not None and number.country_code is None
    matcher = IdentifierMatcher(PersonIdentifiers(phones=(number,)))
    assert [k for k, _ in found(matcher, "+420 601 123 456 / 00420601123456")] == ["phone", "phone"]


def test_too_short_identifiers_are_not_searched() -> None:
    assert PhoneNumber.parse("1234") is None
    assert found(IdentifierMatcher(PersonIdentifiers(names=["J"])), "J J J") == []
