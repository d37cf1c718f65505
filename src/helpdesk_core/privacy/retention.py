"""Retention rules: how long the desk keeps things, run as a job with a plan.

``closed_tickets`` rules anonymise (see :func:`~helpdesk_core.privacy.erasure.anonymise`)
tickets closed more than ``years`` ago — their structure, instants and SLA
results stay. ``contracts`` rules delete contracts ended more than ``years``
ago (e.g. kept ten years for the accounting law). Legal holds win over rules.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from datetime import date, datetime

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import require_aware
from helpdesk_core.model.contracts import Contract
from helpdesk_core.model.ticket import Ticket


class Retained(enum.StrEnum):
    """What a rule is about."""

    CLOSED_TICKETS = "closed_tickets"
    CONTRACTS = "contracts"


def _years(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise ValidationError(f"RetentionRule.years: expected whole years >= 0, got {value!r}")


def _what(value: Retained | str) -> Retained:
    try:
        return Retained(value)
    except ValueError:
        allowed = ", ".join(r.value for r in Retained)
        raise ValidationError(f"RetentionRule.what: expected one of {allowed}, got {value!r}") from None


def years_before(day: date, years: int) -> date:
    """``day`` minus whole ``years`` (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


@attrs.frozen
class RetentionRule:
    """Keep ``what`` for ``years`` (whole calendar years) after it ended."""

    what: Retained = attrs.field(converter=_what)
    years: int = attrs.field(validator=_years)

    def describe(self) -> str:
        if self.what is Retained.CLOSED_TICKETS:
            return f"closed tickets are anonymised {self.years} years after closing"
        return f"contracts are deleted {self.years} years after their end"

    def ticket_due(self, ticket: Ticket, *, now: datetime, is_closed: Callable[[str], bool]) -> bool:
        """True when this rule anonymises ``ticket`` at ``now``: closed, and closed
        (entered its current status) on a day at least ``years`` before today."""
        require_aware(now, "now")
        if self.what is not Retained.CLOSED_TICKETS or not is_closed(ticket.status):
            return False
        closed_on = ticket.status_since.astimezone(now.tzinfo).date()
        return closed_on <= years_before(now.date(), self.years)

    def contract_due(self, contract: Contract, *, now: datetime) -> bool:
        """True when this rule deletes ``contract`` at ``now``: it ended at least
        ``years`` before today (an open-ended contract never)."""
        require_aware(now, "now")
        if self.what is not Retained.CONTRACTS or contract.end is None:
            return False
        return contract.end <= years_before(now.date(), self.years)


__all__ = ["Retained", "RetentionRule", "years_before"]
