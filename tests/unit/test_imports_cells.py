"""Cells of import rows: e-mails, phone numbers, dates, yes/no and lists, read
the way an admin's spreadsheet writes them."""

from __future__ import annotations

from datetime import date

import pytest

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
