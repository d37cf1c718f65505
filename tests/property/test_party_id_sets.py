"""The id sets of companies and contacts (observers, customer groups, service
objects…) accept and refuse exactly what the shared ``id_set`` converter and
``identifier_set`` validator do, with the same messages: their shortcut for a
frozenset (most often the empty default) is speed only."""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import id_set, identifier_set
from helpdesk_core.model.parties import Company, Contact

SET_FIELDS = [
    (cls, field.name)
    for cls in (Company, Contact)
    for field in attrs.fields(cls)
    if field.type in ("frozenset[str]", frozenset[str]) and field.name != "domains"
]
members = st.one_of(
    st.from_regex(r"[A-Z]{1,3}-[0-9]{1,4}", fullmatch=True),
    st.sampled_from(["", " G-1", "G\n1", "x" * 201, "ok"]),
    st.none(),
    st.integers(0, 3),
)
values = st.one_of(
    st.frozensets(members.filter(lambda m: m is not None), max_size=3),
    st.lists(members, max_size=3),
    st.sets(st.from_regex(r"[A-Z]-[0-9]", fullmatch=True), max_size=2),
    st.sampled_from(["G-1", "", None, 5]),
)


def _outcome(build: Any) -> object:
    try:
        return build()
    except (ValidationError, TypeError) as error:
        return f"{type(error).__name__}: {error}"


def _as_shared_checks(cls: type[Any], name: str, value: object) -> object:
    """The field alone, checked as ``id_set`` + ``identifier_set`` check it, on a
    class of the same name (messages name the class)."""
    alone = attrs.make_class(
        cls.__name__, {name: attrs.field(converter=id_set, validator=identifier_set)}, frozen=True
    )
    return _outcome(lambda: getattr(alone(value), name))


@pytest.mark.parametrize(("cls", "name"), SET_FIELDS, ids=[f"{c.__name__}.{n}" for c, n in SET_FIELDS])
@settings(max_examples=150, deadline=None)
@given(value=values)
def test_id_sets_accept_and_refuse_as_the_shared_checks_do(cls: type[Any], name: str, value: object) -> None:
    required = {"id": "X-1", "name": "Firma"} if cls is Company else {"id": "X-1", "last_name": "Nováková"}
    got = _outcome(lambda: getattr(cls(**required, **{name: value}), name))
    assert got == _as_shared_checks(cls, name, value)


def test_a_record_keeps_the_very_set_it_was_given() -> None:
    groups = frozenset({"G-1", "G-2"})
    assert Contact(id="P-1", last_name="Nováková", customer_groups=groups).customer_groups is groups
    assert Contact(id="P-1", last_name="Nováková", customer_groups=["G-1", "G-2"]).customer_groups == groups
