"""Contracts and service periods: closed day intervals, overlaps refused, coverage warnings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.contracts import Contract, ServicePeriod

JAN = ServicePeriod(start=date(2026, 1, 1), end=date(2026, 1, 31), paid=True)
FEB = ServicePeriod(
    start=date(2026, 2, 1), end=date(2026, 2, 28), paid=False, remind_on=date(2026, 2, 20)
)
APR = ServicePeriod(
    start=date(2026, 4, 1), end=date(2026, 4, 30), paid=True, remind_on=date(2026, 4, 25)
)


def contract(**fields: object) -> Contract:
    base: dict[str, object] = {
        "id": "K-1",
        "number": "2026/7",
        "companies": {"C-7"},
        "start": date(2026, 1, 1),
        "periods": (APR, JAN, FEB),
    }
    base.update(fields)
    return Contract(**base)  # type: ignore[arg-type]


# --- ServicePeriod ------------------------------------------------------------


def test_period_covers_both_end_days() -> None:
    assert JAN.covers(date(2026, 1, 1))
    assert JAN.covers(date(2026, 1, 31))
    assert not JAN.covers(date(2026, 2, 1))
    assert str(JAN) == "2026-01-01..2026-01-31"


def test_one_day_period_is_allowed() -> None:
    day = ServicePeriod(start=date(2026, 5, 1), end=date(2026, 5, 1), paid=True)
    assert day.covers(date(2026, 5, 1))


def test_period_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        ServicePeriod(start=date(2026, 2, 1), end=date(2026, 1, 31), paid=True)
    assert str(caught.value) == "ServicePeriod.end: 2026-01-31 is before start 2026-02-01"


def test_reminder_after_the_end_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        attrs.evolve(JAN, remind_on=date(2026, 2, 1))
    assert str(caught.value) == (
        "ServicePeriod.remind_on: 2026-02-01 is after the period 2026-01-01..2026-01-31 ends; "
        "a reminder must come before the end"
    )


def test_reminder_before_the_start_is_allowed() -> None:
    early = attrs.evolve(JAN, remind_on=date(2025, 12, 15))
    assert early.remind_on == date(2025, 12, 15)


def test_a_datetime_is_not_a_day() -> None:
    with pytest.raises(ValidationError) as caught:
        ServicePeriod(
            start=datetime(2026, 1, 1, tzinfo=UTC), end=date(2026, 1, 31), paid=True
        )
    assert str(caught.value).startswith(
        "ServicePeriod.start: expected a date (a day without time), got datetime.datetime("
    )


def test_paid_must_be_a_real_bool() -> None:
    with pytest.raises(ValidationError) as caught:
        ServicePeriod(start=date(2026, 1, 1), end=date(2026, 1, 31), paid="no")  # type: ignore[arg-type]
    assert str(caught.value) == "ServicePeriod.paid: expected true or false, got 'no'"


# --- Contract -----------------------------------------------------------------


def test_periods_are_kept_in_order() -> None:
    assert contract().periods == (JAN, FEB, APR)


def test_overlapping_periods_are_refused_naming_both() -> None:
    late_jan = ServicePeriod(start=date(2026, 1, 31), end=date(2026, 2, 10), paid=True)
    with pytest.raises(ValidationError) as caught:
        contract(periods=(JAN, late_jan))
    assert str(caught.value) == (
        "Contract.periods: contract K-1: service periods 2026-01-01..2026-01-31 and "
        "2026-01-31..2026-02-10 overlap; periods follow one another"
    )


def test_with_period_adds_and_refuses_an_overlap() -> None:
    march = ServicePeriod(start=date(2026, 3, 1), end=date(2026, 3, 31), paid=True)
    filled = contract().with_period(march)
    assert filled.periods == (JAN, FEB, march, APR)
    with pytest.raises(ValidationError, match="overlap"):
        filled.with_period(attrs.evolve(march, start=date(2026, 3, 20), end=date(2026, 4, 2)))


def test_contract_needs_a_company_and_may_have_several() -> None:
    assert contract(companies=["C-1", "C-2"]).companies == {"C-1", "C-2"}
    with pytest.raises(ValidationError) as caught:
        contract(companies=[])
    assert str(caught.value) == "Contract.companies: contract K-1 needs at least one company, got none"


def test_contract_ending_before_it_starts_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        contract(end=date(2025, 12, 31), periods=())
    assert str(caught.value) == "Contract.end: contract K-1: 2025-12-31 is before start 2026-01-01"


def test_period_outside_the_contract_is_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        contract(end=date(2026, 3, 31))
    assert str(caught.value) == (
        "Contract.periods: contract K-1: service period 2026-04-01..2026-04-30 lies outside "
        "the contract 2026-01-01..2026-03-31"
    )


def test_period_on() -> None:
    k = contract()
    assert k.period_on(date(2026, 1, 31)) == JAN
    assert k.period_on(date(2026, 2, 1)) == FEB
    assert k.period_on(date(2026, 3, 15)) is None  # a gap
    assert k.period_on(date(2025, 12, 31)) is None
    assert k.period_on(date(2026, 5, 1)) is None


@pytest.mark.parametrize(
    ("day", "warning"),
    [
        (date(2026, 1, 15), None),
        (date(2026, 2, 1), "contract 2026/7 (K-1): service period 2026-02-01..2026-02-28 is unpaid"),
        (date(2026, 3, 15), "contract 2026/7 (K-1): no current service period on 2026-03-15"),
        (date(2026, 5, 1), "contract 2026/7 (K-1): no current service period on 2026-05-01"),
        (
            date(2025, 12, 31),
            "contract 2026/7 (K-1) is not in force on 2025-12-31 (term 2026-01-01..)",
        ),
    ],
)
def test_coverage_warning(day: date, warning: str | None) -> None:
    assert contract().coverage_warning(day) == warning


def test_contract_without_periods_always_warns() -> None:
    assert contract(periods=()).coverage_warning(date(2026, 6, 1)) == (
        "contract 2026/7 (K-1): no current service period on 2026-06-01"
    )


def test_reminders_due() -> None:
    k = contract()
    assert k.reminders_due(date(2026, 2, 19)) == ()
    assert k.reminders_due(date(2026, 2, 20)) == (FEB,)
    assert k.reminders_due(date(2026, 12, 31)) == (FEB, APR)
    assert k.reminders_due(date(2026, 4, 25), after=date(2026, 2, 20)) == (APR,)


# --- random contracts -----------------------------------------------------------

ids = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9_/-]{0,11}\Z")


@st.composite
def contracts(draw: st.DrawFn) -> Contract:
    start = draw(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
    periods = []
    day = start
    for _ in range(draw(st.integers(0, 6))):
        begin = day + timedelta(days=draw(st.integers(0, 40)))
        end = begin + timedelta(days=draw(st.integers(0, 400)))
        remind = draw(st.none() | st.integers(0, (end - begin).days))
        periods.append(
            ServicePeriod(
                start=begin,
                end=end,
                paid=draw(st.booleans()),
                remind_on=None if remind is None else begin + timedelta(days=remind),
            )
        )
        day = end + timedelta(days=1)
    return Contract(
        id=draw(ids),
        number=draw(ids),
        companies=draw(st.frozensets(ids, min_size=1, max_size=3)),
        start=start,
        periods=draw(st.permutations(periods)),
    )


@settings(max_examples=80, deadline=None)
@given(contracts(), st.integers(0, 60_000))
def test_random_contracts_answer_consistently(k: Contract, offset: int) -> None:
    day = date(2000, 1, 1) + timedelta(days=offset)
    covering = [p for p in k.periods if p.covers(day)]
    assert k.period_on(day) == (covering[0] if covering else None)
    warning = k.coverage_warning(day)
    assert (warning is None) == (bool(covering) and covering[0].paid)


@settings(max_examples=60, deadline=None)
@given(contracts(), st.sampled_from(["id", "number", "companies", "start", "end"]))
def test_random_contracts_refuse_an_invalid_change(k: Contract, field: str) -> None:
    bad: dict[str, Any] = {
        "id": "",
        "number": " ",
        "companies": frozenset(),
        "start": "2026-01-01",
        "end": k.start - timedelta(days=1),
    }
    assert attrs.evolve(k) == k
    with pytest.raises(ValidationError, match=rf"^Contract\.{field}: "):
        attrs.evolve(k, **{field: bad[field]})
