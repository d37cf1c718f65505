"""The stored JSON text of every kind of record is the text the converter and
``json.dumps`` write, byte for byte, whatever the record holds.

``Kind.encode`` writes a document field by field and ``_dumps`` calls the C
encoder directly (speed, for imports); the reference here is the slow, plain
way: ``json.dumps(converter.unstructure(value, cls), ensure_ascii=False,
separators=(",", ":"))``.
"""

from __future__ import annotations

import json
import math
from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.model.assets import Equipment, ServiceObject
from helpdesk_core.model.contracts import Contract, ServicePeriod
from helpdesk_core.model.parties import Company, Contact, CustomerGroup, PortalAccess
from helpdesk_core.model.staff import Employee, EmployeeGroup, Role
from helpdesk_core.model.ticket import Assignee, Ticket
from helpdesk_core.serialization import converter
from helpdesk_core.storage.documents import KINDS, _dumps, ticket_header

ids = st.from_regex(r"[A-Za-z]{1,3}-[0-9]{1,5}", fullmatch=True) | st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Zs")), min_size=1, max_size=8
)
texts = st.text(max_size=12)  # control characters, quotes, backslashes, any plane
names = texts.filter(str.strip)
emails = st.from_regex(r"[a-zé.\"\\]{1,6}@[a-z]{1,5}\.(cz|example)", fullmatch=True)
assignees = st.none() | st.builds(Assignee, id=ids, group=st.booleans())
id_sets = st.frozensets(ids, max_size=3)
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
DAY = date(2026, 1, 1)


@st.composite
def contracts(draw: st.DrawFn) -> Contract:
    start = DAY + timedelta(days=draw(st.integers(0, 300)))
    periods = []
    first = start
    for _ in range(draw(st.integers(0, 3))):
        end = first + timedelta(days=draw(st.integers(0, 60)))
        remind = draw(st.none() | st.just(end - timedelta(days=draw(st.integers(0, 90)))))
        periods.append(ServicePeriod(start=first, end=end, paid=draw(st.booleans()), remind_on=remind))
        first = end + timedelta(days=draw(st.integers(1, 30)))
    end_of_contract = draw(st.none() | st.just(first + timedelta(days=draw(st.integers(0, 30)))))
    return Contract(
        id=draw(ids),
        number=draw(names),
        companies=draw(st.frozensets(ids, min_size=1, max_size=3)),
        start=start,
        end=end_of_contract,
        periods=tuple(periods),
        external_id=draw(st.none() | ids),
    )


records = st.one_of(
    st.builds(
        Company,
        id=ids,
        name=names,
        category=ids,
        email=st.none() | emails,
        phone=st.none() | texts,
        domains=st.frozensets(st.from_regex(r"[a-z]{1,5}\.[a-z]{2,3}", fullmatch=True), max_size=3),
        responsible=assignees,
        observer_employees=id_sets,
        observer_groups=id_sets,
        customer_groups=id_sets,
        external_id=st.none() | ids,
    ),
    st.builds(
        Contact,
        id=ids,
        first_name=names,
        last_name=texts,
        company=ids,
        email=st.none() | emails,
        copy_email=st.none() | emails,
        phone=st.none() | texts,
        mobile=st.none() | texts,
        responsible=assignees,
        portal_access=st.sampled_from(list(PortalAccess)),
        service_objects=id_sets,
        supervised_companies=id_sets,
        employee=st.none() | ids,
        observer_employees=id_sets,
        observer_groups=id_sets,
        notes=texts,
        customer_groups=id_sets,
        external_id=st.none() | ids,
    ),
    st.builds(
        CustomerGroup,
        id=ids,
        name=names,
        sla=st.none() | ids,
        responsible=assignees,
        priority=st.integers(0, 2**70),
        external_id=st.none() | ids,
    ),
    contracts(),
    st.builds(
        ServiceObject,
        id=ids,
        name=names,
        company=ids,
        address=texts,
        responsible=assignees,
        external_id=st.none() | ids,
    ),
    st.builds(
        Equipment,
        id=ids,
        type=ids,
        company=ids,
        manufacturer=texts,
        model=texts,
        serial=texts,
        service_object=st.none() | ids,
        attributes=st.dictionaries(names, json_values, max_size=3),
        external_id=st.none() | ids,
    ),
    st.builds(
        Employee,
        id=ids,
        first_name=names,
        last_name=texts,
        email=emails,
        role=st.sampled_from(list(Role)),
        active=st.booleans(),
        groups=id_sets,
        external_id=st.none() | ids,
    ),
    st.builds(
        lambda members, notified, **rest: EmployeeGroup(
            members=members, notification_list=members & notified, **rest
        ),
        id=ids,
        name=names,
        members=id_sets,
        notified=id_sets,
        manager=st.none() | ids,
        external_id=st.none() | ids,
    ),
)


def _reference(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@settings(max_examples=300, deadline=None)
@given(records)
def test_every_kind_is_stored_as_the_converter_and_json_dumps_write_it(value: Any) -> None:
    kind = next(k for k in KINDS if k.cls is type(value))
    text = kind.encode(value)
    assert text == _reference(converter.unstructure(value, kind.cls))
    assert kind.decode(text) == value


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_documents_are_written_as_json_dumps_writes_them(value: object) -> None:
    assert _dumps(value) == _reference(value)


def test_a_record_without_optional_values_is_written_with_nulls_and_empty_lists() -> None:
    contact = Contact(id="P-1", last_name="Nováková")
    kind = next(k for k in KINDS if k.cls is Contact)
    assert kind.encode(contact) == (
        '{"id":"P-1","first_name":"","last_name":"Nováková","company":null,"email":null,'
        '"copy_email":null,"phone":null,"mobile":null,"responsible":null,"portal_access":"none",'
        '"service_objects":[],"supervised_companies":[],"employee":null,"observer_employees":[],'
        '"observer_groups":[],"notes":"","customer_groups":[],"external_id":null}'
    )
    assert attrs.asdict(kind.decode(kind.encode(contact))) == attrs.asdict(contact)



@pytest.mark.parametrize("number", [math.nan, math.inf, -math.inf])
def test_a_value_json_cannot_carry_is_never_written_as_a_document(number: float) -> None:
    """NaN and the infinities are not JSON: the document writer refuses them
    instead of writing text that no reader accepts (issue 12, item 5)."""
    ticket = Ticket(id="T-1", subject="s", created_at=datetime(2026, 3, 2, 9, tzinfo=UTC),
                    attributes={"weight": number})
    with pytest.raises(ValueError, match="not JSON compliant"):
        ticket_header(ticket)
    with pytest.raises(ValueError, match="not JSON compliant"):
        _dumps({"weight": number})
