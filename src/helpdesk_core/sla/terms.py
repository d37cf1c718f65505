"""What an SLA rule grants a ticket: a calendar and two working-time targets."""

from __future__ import annotations

import enum
from datetime import timedelta
from typing import Any

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.rules.rule import Rule
from helpdesk_core.worktime import WorkingCalendar


class OnChange(enum.StrEnum):
    """What happens to a running target when a ticket moves to this rule
    (its priority or type changed, or somebody chose the rule by hand)."""

    RESELECT = "reselect"
    """The new rule judges the target as if it had applied since registration:
    the working time since registration is measured on the new calendar against
    the new target."""
    KEEP_ELAPSED = "keep_elapsed"
    """The working time already elapsed under the old rule (on the old calendar)
    is kept and counts against the new target; from the change on, time is
    measured on the new rule's calendar."""


def on_change(value: object) -> OnChange:
    """``value`` as an :class:`OnChange` (its name as written in configuration)."""
    if isinstance(value, OnChange):
        return value
    try:
        return OnChange(str(value))
    except ValueError:
        allowed = ", ".join(repr(c.value) for c in OnChange)
        raise ValidationError(f"on_change: expected one of {allowed}, got {value!r}") from None


def _non_negative_duration(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, timedelta) or value < timedelta(0):
        raise ValidationError(
            f"SlaTerms.{attribute.name}: expected a working time >= 0, got {value!r}"
        )


def _calendar_name(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ValidationError(f"SlaTerms.calendar: expected a calendar name, got {value!r}")


@attrs.frozen(kw_only=True)
class SlaTerms:
    """What an SLA rule grants a ticket: the result of a rule of the table.

    ``reaction`` and ``resolution`` are *working* time on the calendar named
    ``calendar``. ``escalation`` names an escalation plan (who is warned when
    the solution is not progressing) for a later escalation engine; the clock
    does not use it.
    """

    calendar: str = attrs.field(validator=_calendar_name)
    reaction: timedelta = attrs.field(validator=_non_negative_duration)
    resolution: timedelta = attrs.field(validator=_non_negative_duration)
    escalation: str | None = None
    on_change: OnChange = attrs.field(default=OnChange.RESELECT, converter=on_change)


SlaRule = Rule[SlaTerms]
"""One row of the SLA rules table (``name``, ``order``, ``enabled``,
``conditions``, ``result``)."""

@attrs.frozen
class AppliedRule:
    """A rule of the policy with its calendar resolved: what the clock runs on."""

    rule: SlaRule
    calendar: WorkingCalendar

    @property
    def name(self) -> str:
        return self.rule.name

    @property
    def terms(self) -> SlaTerms:
        return self.rule.result



__all__ = ["AppliedRule", "OnChange", "SlaRule", "SlaTerms", "on_change"]
