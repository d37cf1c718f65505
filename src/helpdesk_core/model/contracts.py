"""Contracts with companies and their service periods (e.g. paid subscriptions).

All dates here are calendar days and every interval is **closed: both ends
included** — a period "2026-01-01..2026-01-31" covers the whole of January,
as a subscription invoice reads. Which day "today" is belongs to the caller
(the desk turns its clock into a day in the account's zone).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable
from datetime import date
from typing import Any

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import (
    calendar_date,
    flag,
    id_set,
    identifier,
    identifier_set,
    non_blank,
    required,
    required_identifier,
)


@attrs.frozen(kw_only=True)
class ServicePeriod:
    """One service period of a contract, ``start..end`` with both days included.

    ``remind_on`` is the day the responsible manager is reminded that the period
    is ending; it may fall before the period starts, never after it ends.
    """

    start: date = attrs.field(validator=[required, calendar_date])
    end: date = attrs.field(validator=[required, calendar_date])
    paid: bool = attrs.field(validator=flag)
    remind_on: date | None = attrs.field(default=None, validator=calendar_date)

    def __attrs_post_init__(self) -> None:
        if self.end < self.start:
            raise ValidationError(
                f"ServicePeriod.end: {self.end.isoformat()} is before start "
                f"{self.start.isoformat()}"
            )
        if self.remind_on is not None and self.remind_on > self.end:
            raise ValidationError(
                f"ServicePeriod.remind_on: {self.remind_on.isoformat()} is after the period "
                f"{self} ends; a reminder must come before the end"
            )

    def __str__(self) -> str:
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    def covers(self, day: date) -> bool:
        """True when ``day`` lies in the period (both ends included)."""
        return self.start <= day <= self.end


def _period_tuple(periods: Iterable[ServicePeriod]) -> tuple[ServicePeriod, ...]:
    items = tuple(periods)
    if all(isinstance(p, ServicePeriod) for p in items):
        return tuple(sorted(items, key=lambda p: (p.start, p.end)))
    return items


def _periods(
    instance: Contract, attribute: attrs.Attribute[Any], value: tuple[ServicePeriod, ...]
) -> None:
    for index, period in enumerate(value):
        if not isinstance(period, ServicePeriod):
            raise ValidationError(
                f"Contract.periods[{index}]: expected a ServicePeriod, got {period!r}"
            )
    for earlier, later in itertools.pairwise(value):
        if later.start <= earlier.end:
            raise ValidationError(
                f"Contract.periods: contract {instance.id}: service periods {earlier} and "
                f"{later} overlap; periods follow one another"
            )


@attrs.frozen(kw_only=True)
class Contract:
    """A contract with one or more companies.

    ``end=None`` means open-ended. ``periods`` are kept sorted by start; they may
    leave gaps (a lapsed subscription) but never overlap, and every period lies
    within ``start..end``.
    """

    id: str = attrs.field(validator=required_identifier)
    number: str = attrs.field(validator=non_blank)
    companies: frozenset[str] = attrs.field(converter=id_set, validator=identifier_set)
    start: date = attrs.field(validator=[required, calendar_date])
    end: date | None = attrs.field(default=None, validator=calendar_date)
    periods: tuple[ServicePeriod, ...] = attrs.field(
        default=(), converter=_period_tuple, validator=_periods
    )
    external_id: str | None = attrs.field(default=None, validator=identifier)

    def __attrs_post_init__(self) -> None:
        if not self.companies:
            raise ValidationError(
                f"Contract.companies: contract {self.id} needs at least one company, got none"
            )
        if self.end is not None and self.end < self.start:
            raise ValidationError(
                f"Contract.end: contract {self.id}: {self.end.isoformat()} is before start "
                f"{self.start.isoformat()}"
            )
        for period in self.periods:
            if not self.in_force(period.start) or not self.in_force(period.end):
                raise ValidationError(
                    f"Contract.periods: contract {self.id}: service period {period} lies "
                    f"outside the contract {self.term}"
                )

    @property
    def term(self) -> str:
        """The contract's dates as text, ``"2026-01-01..2026-12-31"`` or ``"2026-01-01.."``."""
        end = "" if self.end is None else self.end.isoformat()
        return f"{self.start.isoformat()}..{end}"

    def in_force(self, day: date) -> bool:
        """True when ``day`` lies within the contract's dates (both ends included)."""
        return self.start <= day and (self.end is None or day <= self.end)

    def with_period(self, period: ServicePeriod) -> Contract:
        """This contract with one more service period; an overlap is refused."""
        return attrs.evolve(self, periods=(*self.periods, period))

    def period_on(self, day: date) -> ServicePeriod | None:
        """The service period covering ``day``, or None in a gap or outside all."""
        index = bisect.bisect_right(self.periods, day, key=lambda p: p.start) - 1
        if index >= 0 and self.periods[index].covers(day):
            return self.periods[index]
        return None

    def coverage_warning(self, day: date) -> str | None:
        """Why registering a ticket on ``day`` under this contract deserves a
        warning, or None. A warning, not an error: the ticket is still registered.

        A contract with no service periods at all warns too: nothing covers the day.
        """
        label = f"contract {self.number} ({self.id})"
        if not self.in_force(day):
            return f"{label} is not in force on {day.isoformat()} (term {self.term})"
        period = self.period_on(day)
        if period is None:
            return f"{label}: no current service period on {day.isoformat()}"
        if not period.paid:
            return f"{label}: service period {period} is unpaid"
        return None

    def reminders_due(
        self, on_or_before: date, *, after: date | None = None
    ) -> tuple[ServicePeriod, ...]:
        """Periods whose ``remind_on`` is on or before ``on_or_before`` (and, when
        ``after`` is given, strictly after it — a daily job passes its last run
        day so that each reminder comes once). Oldest first."""
        return tuple(
            p
            for p in self.periods
            if p.remind_on is not None
            and p.remind_on <= on_or_before
            and (after is None or p.remind_on > after)
        )


__all__ = ["Contract", "ServicePeriod"]
