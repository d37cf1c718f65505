"""Cells of import rows: e-mails, phone numbers, dates, yes/no and lists, read
the way an admin's spreadsheet writes them."""

from __future__ import annotations

import re
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.errors import ValidationError
from helpdesk_core.imports import cells


@pytest.mark.parametrize(
    ("written", "region", "e164"),
    [
        ("601 123 456", "CZ", "+420601123456"),
        ("+420 601 123 456", "PL", "+420601123456"),
        ("22 628 31 40", "PL", "+48226283140"),
        ("+48 (22) 628-31-40", "CZ", "+48226283140"),
    ],
)
def test_phone_numbers_become_e164_with_the_default_region(written: str, region: str, e164: str) -> None:
    assert cells.phone("phone", written, region=region) == e164


def test_a_phone_number_that_cannot_exist_names_the_key_value_and_region() -> None:
    with pytest.raises(cells.CellProblem) as caught:
        cells.phone("mobile", "12", region="CZ")
    assert str(caught.value) == (
        "mobile: '12' is not a valid phone number (numbers without a +prefix are read as CZ)"
    )


def test_an_empty_phone_cell_is_no_number() -> None:
    assert cells.phone("phone", "  ", region="CZ") is None


def test_email_syntax_is_checked_and_the_domain_lower_cased() -> None:
    assert cells.email("email", " Jana.Novakova@ZlatyKlic.CZ ") == "Jana.Novakova@zlatyklic.cz"
    assert cells.email("email", "růžena@pekařství.cz") == "růžena@pekařství.cz"
    with pytest.raises(cells.CellProblem, match=r"^email: 'jana@' is not an e-mail address \("):
        cells.email("email", "jana@")
    with pytest.raises(cells.CellProblem, match=r"^email: 'jana@localhost'"):
        cells.email("email", "jana@localhost")


@pytest.mark.parametrize(
    ("written", "meant"),
    [("true", True), ("Yes", True), ("1", True), (1, True), (True, True),
     ("false", False), ("NO", False), ("0", False), (0, False), (False, False), ("", None)],
)
def test_yes_no_cells(written: object, meant: bool | None) -> None:
    assert cells.flag("paid", written) is meant


def test_a_yes_no_cell_refuses_anything_else() -> None:
    with pytest.raises(cells.CellProblem, match=r"^paid: expected true/false, yes/no or 1/0, got 'maybe'$"):
        cells.flag("paid", "maybe")


def test_dates_are_iso_days() -> None:
    assert cells.day("start", "2026-03-02") == date(2026, 3, 2)
    assert cells.day("end", "") is None
    for bad in ("2.3.2026", "2026-02-30", "2026-03-02T10:00:00+01:00"):
        with pytest.raises(cells.CellProblem, match=r"^start: .* is not an ISO date \(e.g. 2026-03-02\)$"):
            cells.day("start", bad)


def test_list_cells_split_on_semicolons_or_come_as_json_arrays() -> None:
    assert cells.text_list("groups", "G-1; G-2;;G-1 ") == ("G-1", "G-2")
    assert cells.text_list("groups", ["G-2", " G-3"]) == ("G-2", "G-3")
    assert cells.text_list("groups", None) == ()
    with pytest.raises(cells.CellProblem, match=r"^groups: expected a list"):
        cells.text_list("groups", {"G-1": True})


def test_text_cells_are_stripped_and_json_numbers_are_accepted_as_ids() -> None:
    assert cells.text("name", "  Kavárna U Zlatého klíče ") == "Kavárna U Zlatého klíče"
    assert cells.text("external_id", 1017) == "1017"
    assert cells.text("name", "") is None
    with pytest.raises(cells.CellProblem, match=r"^name: expected a text, got True$"):
        cells.text("name", True)


def test_the_default_region_must_be_a_known_country() -> None:
    assert cells.check_region("cz") == "CZ"
    with pytest.raises(ValidationError, match="region: 'XX' is not a country code"):
        cells.check_region("XX")


# -- the fast paths give the libraries' own answers -----------------------------------

_LOCAL = st.text(alphabet="abcXYZ09._+-", min_size=1, max_size=12)
_LABEL = st.text(alphabet="abz09-", min_size=1, max_size=8) | st.just("a" * 64)
_TLD = st.sampled_from(["cz", "com", "example", "test", "local", "localhost", "x", "c1", "onion", "Cz"])
_ADDRESSES = st.builds(
    lambda local, labels, tld: f"{local}@{'.'.join([*labels, tld])}",
    _LOCAL,
    st.lists(_LABEL, min_size=0, max_size=3),
    _TLD,
) | st.text(alphabet="ab.@-+_ 9", max_size=20)


@settings(max_examples=400, deadline=None)
@given(_ADDRESSES)
def test_the_plain_email_path_agrees_with_email_validator(address: str) -> None:
    plain = cells._plain_email(address)
    assert plain is None or plain == cells._email_by_validator(address)


def test_everyday_addresses_take_the_plain_path() -> None:
    for address in ("jana.novakova@kavarna.cz", "info+crm@firma-12.example", "Jana_N@mail.co.uk"):
        assert cells._plain_email(address) == address == cells._email_by_validator(address)
    assert cells._plain_email("jana@local") is None
    assert cells._plain_email("jana@x.test") is None


_REGIONS = st.sampled_from(["CZ", "SK", "PL", "DE", "AT", "US", "GB", "IT", "FR", "RU", "CH", "HU"])
_NUMBERS = st.builds(
    lambda plus, groups, joiner: plus + joiner.join(groups),
    st.sampled_from(["", "+", "+420 ", "+48 ", "+49 ", "+1 ", "00"]),
    st.lists(st.text(alphabet="0123456789", min_size=1, max_size=4), min_size=1, max_size=5),
    st.sampled_from([" ", "-", ""]),
)


@settings(max_examples=600, deadline=None)
@given(_NUMBERS, _REGIONS)
def test_the_plain_phone_path_agrees_with_phonenumbers(number: str, region: str) -> None:
    plain = cells._plain_e164(number, region)
    assert plain is None or plain[0] == cells._e164_by_parser(number, region)


@pytest.mark.parametrize(
    ("written", "region"),
    [
        ("+420 601 123 456", "CZ"), ("601 123 456", "CZ"), ("+420 222 333 444", "PL"),
        ("22 628 31 40", "PL"), ("+49 30 1234567", "CZ"), ("+421 905 123 456", "CZ"),
        ("+420 600 000 001", "CZ"), ("601123", "CZ"),
    ],
)
def test_everyday_numbers_take_the_plain_path_with_the_parsers_answer(written: str, region: str) -> None:
    plain = cells._plain_e164(written, region)
    assert plain is not None
    assert plain[0] == cells._e164_by_parser(written, region)


_BACKTRACKING_DOMAIN = re.compile(r"(?:[a-z0-9]+(?:-[a-z0-9]+)*\.)+[a-z]{2,63}")
"""The everyday-domain pattern as first written (greedy, backtracking)."""


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet="az09-.A_", max_size=16) | st.builds(".".join, st.lists(_LABEL, max_size=4)))
def test_the_possessive_domain_pattern_accepts_what_the_backtracking_one_did(domain: str) -> None:
    assert (cells._PLAIN_DOMAIN.fullmatch(domain) is None) == (_BACKTRACKING_DOMAIN.fullmatch(domain) is None)


@settings(max_examples=600, deadline=None)
@given(_REGIONS, st.text(alphabet="0123456789", min_size=2, max_size=17))
def test_one_valid_number_pattern_says_what_the_general_and_type_patterns_say(region: str, national: str) -> None:
    rules = cells._number_rules(region)
    assert rules is not None
    lengths, general = rules[0]
    typed = cells._typed_pattern(region, len(national))
    both = (
        not (lengths and len(national) not in lengths)
        and general.fullmatch(national) is not None
        and typed is not None
        and typed.fullmatch(national) is not None
    )
    valid = cells._valid_pattern(region, len(national))
    assert (valid is not None and valid.fullmatch(national) is not None) == both
