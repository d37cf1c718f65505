"""Finding a person's identifiers in text: names in any order, case and with or
without diacritics, declined, the surname alone, initials, e-mail local parts
(in records linked to the person); every e-mail; phone numbers in common
spellings — and never somebody with a similar name, address or number."""

from __future__ import annotations

import pytest

from helpdesk_core.model.parties import Contact
from helpdesk_core.privacy.declension import case_forms
from helpdesk_core.privacy.identifiers import PersonIdentifiers, PhoneNumber, contact_identifiers
from helpdesk_core.privacy.matching import IdentifierMatcher, Scope

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


def found(matcher: IdentifierMatcher, text: str, scope: Scope = Scope.LINKED) -> list[tuple[str, str]]:
    return [(h.kind, text[h.start : h.end]) for h in matcher.hits(text, scope)]


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
def test_a_similar_name_or_half_a_name_is_not_her_full_name(matcher: IdentifierMatcher, text: str) -> None:
    assert [k for k, _ in found(matcher, text)] in ([], ["surname"], ["local_part"])
    assert found(matcher, text, Scope.ELSEWHERE) == [], "outside linked records a name is no identifier"


@pytest.mark.parametrize(
    "text,kind,form",
    [
        ("volala paní Janě Novákové", "name", "Janě Novákové"),
        ("předejte to Janu Novákovou", "name", "Janu Novákovou"),
        ("s Janou Novákovou", "name", "Janou Novákovou"),
        ("NOVÁKOVÉ JANĚ", "name", "NOVÁKOVÉ JANĚ"),
        ("paní Nováková volala", "surname", "Nováková"),
        ("řekněte paní Novákové", "surname", "Novákové"),
        ("od pani Novakovou", "surname", "Novakovou"),
        ("podpis: J. Nováková", "initials", "J. Nováková"),
        ("J.Novákové", "initials", "J.Novákové"),
        ("Nováková J. volala", "initials", "Nováková J."),
        ("j.novakova se ozve", "local_part", "j.novakova"),
        ("tel. 420601123456", "phone", "420601123456"),
        ("tel. 420 601 123 456", "phone", "420 601 123 456"),
    ],
)
def test_linked_records_are_searched_for_every_common_form(
    matcher: IdentifierMatcher, text: str, kind: str, form: str
) -> None:
    assert found(matcher, text) == [(kind, form)]
    if kind == "phone":
        assert found(matcher, text, Scope.ELSEWHERE) == [(kind, form)], "a phone is an identifier everywhere"
    else:
        assert found(matcher, text, Scope.ELSEWHERE) == []
        assert [h.kind for h in matcher.possible_mentions(text)] == [kind], "elsewhere: a possible mention"


@pytest.mark.parametrize(
    "text",
    [
        "černá tiskárna",  # a bare surname needs its capital: not an adjective
        "Jan Novák, Nováka, Novákovi",  # the masculine is somebody else
        "info@other.example",  # a role mailbox's local part is nobody
        "Jana sama",  # jana@… is her address, but the first name alone is every Jana
        "jana@other.example",  # the local part of another address may be somebody else's
        "420601123457",
    ],
)
def test_linked_forms_do_not_take_other_words_or_people(text: str) -> None:
    cerna = Contact(id="P-3", first_name="Jana", last_name="Černá", email="info@kavarna.example")
    for contact in (JANA, cerna):
        matcher = IdentifierMatcher(contact_identifiers(contact, region="CZ"))
        assert [k for k, _ in found(matcher, text)] == [], (contact.last_name, text)


def test_a_namesakes_full_name_is_never_taken_for_the_surname() -> None:
    anna = Contact(id="P-1", first_name="Anna", last_name="Černá")
    matcher = IdentifierMatcher(contact_identifiers(anna), namesakes=["Hana Černá", "Anna Černá"])
    text = "Hana Černá volala za paní Černou; s Hanou Černou mluvila Anna Černá."
    assert found(matcher, text) == [("surname", "Černou"), ("name", "Anna Černá")]
    finder = IdentifierMatcher(contact_identifiers(anna))
    assert finder.names_in("Hana Černá") and not finder.names_in("Hana Malá"), "how namesakes are found"


@pytest.mark.parametrize(
    "word,forms",
    [
        ("Nováková", {"novákové", "novákovou", "novákovej"}),
        ("Jana", {"jany", "janě", "janu", "janou", "jano"}),
        ("Petra", {"petře", "petry"}),
        ("Novák", {"nováka", "novákovi", "novákem", "nováku", "novákom"}),
        ("Pavel", {"pavla", "pavlovi", "pavlem"}),
        ("Petr", {"petra", "petře", "petrovi"}),
        ("Černý", {"černého", "černému", "černým"}),
        ("Jiří", {"jiřího", "jiřímu", "jiřím"}),
        ("Kowalska", {"kowalskiej", "kowalską"}),
        ("Kowalski", {"kowalskiego", "kowalskim"}),
        ("Marta", {"marcie", "martę", "martą"}),
        ("Lucie", {"lucii", "lucií"}),
    ],
)
def test_case_forms_follow_the_documented_rules(word: str, forms: set[str]) -> None:
    assert forms <= set(case_forms(word))
    assert case_forms(word)[0] == word.casefold()


def test_a_feminine_surname_is_no_form_of_the_masculine() -> None:
    assert "nováková" not in case_forms("Novák")
    assert "novák" not in case_forms("Nováková")


def test_every_address_is_found_in_any_case_but_not_inside_another(matcher: IdentifierMatcher) -> None:
    text = "jana@kavarna.example, JANA@Kavarna.Example. j.novakova@HOME.example"
    assert [k for k, _ in found(matcher, text, Scope.ELSEWHERE)] == ["email", "email", "email"]
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


def test_the_searched_forms_are_named_per_scope(matcher: IdentifierMatcher) -> None:
    assert matcher.searched(Scope.ELSEWHERE) == ("e-mail addresses", "phone numbers (any spelling)")
    assert matcher.searched(Scope.LINKED) == (
        "e-mail addresses",
        "phone numbers (any spelling)",
        "full name (any order, declined)",
        "surname alone (declined)",
        "initials with surname",
        "e-mail local parts",
    )


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
