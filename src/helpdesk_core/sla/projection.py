"""The SLA clock of a ticket as it stands after its last event: a value that
gives the report row for any later ``as_of`` without the history.

``project(ticket, ...)`` folds the history once (the one fold,
:class:`~helpdesk_core.sla.clock.ClockFold`) and keeps what the row needs:
the rules and why, the due instants that no longer move, what a paused clock
still owes, the paused time so far, and the instants after which the row's
state changes by itself (at risk, breached). ``SlaProjection.row(as_of)``
equals :func:`~helpdesk_core.sla.clock.evaluate` for every ``as_of`` at or
after the last event, with at most one calendar call (the due instant of a
paused clock, which moves with ``as_of``) — a property test holds it to that
at every prefix of generated histories. A new event makes a new projection.

Everything about the state is judged on instants: ``at_risk_from`` and
``breached_from`` are in UTC, and the row is at risk (breached) for every
``as_of`` at or after them. A store indexes them to answer "overdue now" or
"at risk now" by a range scan (``docs/sla.md``, "Projection").
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import attrs

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import aware, require_aware
from helpdesk_core.model.ticket import Ticket
from helpdesk_core.sla.clock import (
    CLOCKS,
    ClockFold,
    KnowsStatuses,
    SegmentKind,
    elapsed,
    later,
    row_of,
)
from helpdesk_core.sla.policy import SlaPolicy
from helpdesk_core.sla.row import Clock, SlaRow, SlaState, clock_of
from helpdesk_core.sla.selection import CustomerFacts
from helpdesk_core.worktime import WorkingCalendar

_ZERO = timedelta(0)
_MINUTE = timedelta(minutes=1)
_TICK = timedelta(microseconds=1)
"""The resolution of an instant: "strictly after t" is "at or after t + 1 µs"."""


def _duration_or_none(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, timedelta) or value < _ZERO):
        raise ValidationError(
            f"SlaProjection.{attribute.name}: expected a duration >= 0, got {value!r}"
        )


@attrs.frozen(kw_only=True)
class SlaProjection:
    """One ticket's SLA clock after its last event (``last_event``).

    The columns of the row that do not move with ``as_of`` are kept as they
    are (``rule`` … ``resolution_due_set_by_hand``, ``clock``); the rest is
    kept as what makes them:

    * ``resolution_due`` is None while a paused clock still owes working time
      (``resolution_owed``): its due instant is then ``as_of`` plus what it
      owes on ``calendar``, and moves while the pause lasts. A paused clock
      whose target was reached before the pause keeps its (passed) due.
    * ``clock_since``: when the clock began counting, pausing or stopped (the
      resolution); ``paused`` is the wall-clock time spent paused before it,
      and a running pause adds the time from ``clock_since`` to ``as_of``.
    * ``at_risk_from`` / ``breached_from`` (UTC): the row is at risk /
      breached for every ``as_of`` at or after them (None: never, until the
      next event). At risk counts only while nothing is breached or met.
    """

    ticket: str
    last_event: datetime = attrs.field(validator=aware)
    """The instant of the ticket's last event (its registration without one):
    rows are read at or after it."""
    rule: str | None
    rule_reason: str
    calendar: str | None
    """The calendar of the rule in force (a paused clock owes time on it)."""
    reaction_rule: str | None
    resolution_rule: str | None
    reaction_due: datetime | None = attrs.field(validator=aware)
    reacted_at: datetime | None = attrs.field(validator=aware)
    reaction_due_set_by_hand: bool
    resolution_due: datetime | None = attrs.field(validator=aware)
    resolved_at: datetime | None = attrs.field(validator=aware)
    """The resolution while the clock is stopped, else None."""
    resolution_due_set_by_hand: bool
    clock: Clock = attrs.field(converter=clock_of)
    clock_since: datetime = attrs.field(validator=aware)
    paused: timedelta = attrs.field(validator=_duration_or_none)
    """Wall-clock time spent paused before ``clock_since``."""
    resolution_owed: timedelta | None = attrs.field(default=None, validator=_duration_or_none)
    """Working time a paused clock still owes the resolution target, on
    ``calendar`` from the resume (None unless the due moves with ``as_of``)."""
    at_risk_from: datetime | None = attrs.field(
        default=None, validator=aware
    )
    breached_from: datetime | None = attrs.field(
        default=None, validator=aware
    )

    def __attrs_post_init__(self) -> None:
        if self.resolution_owed is not None and (
            self.clock is not Clock.PAUSED or self.resolution_due is not None or self.calendar is None
        ):
            raise ValidationError(
                f"SlaProjection of ticket {self.ticket}: resolution_owed is only for a paused "
                "clock whose due moves (no resolution_due, a calendar)"
            )

    @property
    def next_change(self) -> datetime | None:
        """The first instant after the last event at which the row's state
        changes by itself (it becomes at risk, or breached); None when nothing
        changes until the next event. An index orders a wake-up list by it."""
        start = self.state(self.last_event)
        for instant in sorted(
            t for t in (self.at_risk_from, self.breached_from) if t is not None
        ):
            if later(instant, self.last_event) and self.state(instant) is not start:
                return instant
        return None

    def state(self, as_of: datetime) -> SlaState:
        """The row's ``state`` at ``as_of`` (at or after the last event), with
        no calendar call at all."""
        if self.rule is None and self.reaction_due is None and (
            self.resolution_due is None and self.resolution_owed is None
        ):
            return SlaState.NO_SLA
        breached = self.breached_from
        if breached is not None and not later(breached, as_of):
            return SlaState.BREACHED
        if self.clock is Clock.STOPPED:
            return SlaState.MET
        risk = self.at_risk_from
        if self.rule is not None and risk is not None and not later(risk, as_of):
            return SlaState.AT_RISK
        return SlaState.RUNNING

    def row(self, as_of: datetime, *, policy: SlaPolicy) -> SlaRow:
        """The SLA report row as of ``as_of`` — what
        :func:`~helpdesk_core.sla.clock.evaluate` gives for the history this
        was projected from — for any ``as_of`` at or after the last event.

        ``policy`` must be the one projected with (a store keeps a fingerprint
        of it); only a paused clock's calendar is looked up in it, and called
        once. Raises :class:`ValidationError` for an earlier ``as_of`` (fold
        the history then) or a calendar the policy does not have.
        """
        if type(as_of.tzinfo) is not timezone:  # compared as an instant, once
            require_aware(as_of, "as_of")
            instant = as_of.astimezone(UTC)
        else:
            instant = as_of
        if later(self.last_event, instant):
            raise ValidationError(
                f"ticket {self.ticket}: as_of {as_of.isoformat()} is before its last event at "
                f"{self.last_event.isoformat()}: the projection answers from then on "
                "(evaluate the history for an earlier instant)"
            )
        resolution_due = self.resolution_due
        paused = self.paused
        if self.clock is Clock.PAUSED:
            paused += elapsed(self.clock_since, as_of)
            if self.resolution_owed is not None:
                resolution_due = _calendar(self, policy).add(as_of, self.resolution_owed)
        reaction_due, reacted_at = self.reaction_due, self.reacted_at
        reaction_breached = reaction_due is not None and later(
            instant if reacted_at is None else reacted_at, reaction_due
        )
        resolved_at = self.resolved_at
        resolution_breached = resolution_due is not None and later(
            instant if resolved_at is None else resolved_at, resolution_due
        )
        return SlaRow.computed(
            ticket=self.ticket,
            rule=self.rule,
            calendar=self.calendar,
            reaction_due=reaction_due,
            reacted_at=reacted_at,
            reaction_breached=reaction_breached,
            resolution_due=resolution_due,
            resolved_at=resolved_at,
            resolution_breached=resolution_breached,
            paused_minutes=paused // _MINUTE,
            state=self.state(instant),
            as_of=as_of,
            reaction_due_set_by_hand=self.reaction_due_set_by_hand,
            resolution_due_set_by_hand=self.resolution_due_set_by_hand,
            reaction_rule=self.reaction_rule,
            resolution_rule=self.resolution_rule,
            rule_reason=self.rule_reason,
            clock=self.clock,
        )


def _calendar(projection: SlaProjection, policy: SlaPolicy) -> WorkingCalendar:
    name = projection.calendar
    calendar = None if name is None else policy.calendars.get(name)
    if calendar is None:
        raise ValidationError(
            f"ticket {projection.ticket}: the calendar {name!r} of its SLA projection is not "
            "configured (the projection is stale: rebuild it)"
        )
    return calendar


def project(
    ticket: Ticket,
    *,
    policy: SlaPolicy,
    graph: KnowsStatuses,
    customer: CustomerFacts | None = None,
) -> SlaProjection:
    """The SLA clock of ``ticket`` after its last event, folded once.

    Costs one :func:`~helpdesk_core.sla.clock.evaluate` at the last event
    plus a few calendar calls (one ``between`` and one ``add`` per running
    target) to find the instants after which the row is at risk.
    """
    fold = ClockFold(ticket, policy=policy, graph=graph, customer=customer)
    fold.run(ticket.events)
    last = ticket.events[-1].at if ticket.events else ticket.created_at
    trace = fold.result(last)
    now = row_of(trace, at_risk_share=policy.at_risk_share)
    rule = trace.regime.selection.applied
    kind = trace.kind
    resolution_due = now.resolution_due
    owed: timedelta | None = None
    if (
        kind is SegmentKind.PAUSED
        and rule is not None
        and resolution_due is not None
        and not now.resolution_due_set_by_hand
        and not later(last, resolution_due)
    ):
        # not reached before the pause: the due is ``as_of`` plus what remains
        owed = rule.calendar.between(last, resolution_due)
        resolution_due = None
    breached: list[datetime] = []
    if now.reaction_due is not None and (now.reacted_at is None or now.reaction_breached):
        breached.append(now.reaction_due)
    if resolution_due is not None and (kind is not SegmentKind.DONE or now.resolution_breached):
        breached.append(resolution_due)
    at_risk: list[datetime] = []
    if rule is not None and kind is not SegmentKind.DONE:
        share = policy.at_risk_share
        terms = rule.terms
        calendar = rule.calendar
        if owed is not None:
            if owed < terms.resolution * share:
                at_risk.append(_utc(last))
        elif resolution_due is not None:
            at_risk.extend(_risk_from(calendar, last, resolution_due, terms.resolution * share))
        if now.reacted_at is None and now.reaction_due is not None:
            at_risk.extend(_risk_from(calendar, last, now.reaction_due, terms.reaction * share))
    return SlaProjection(
        ticket=ticket.id,
        last_event=last,
        rule=now.rule,
        rule_reason=now.rule_reason,
        calendar=now.calendar,
        reaction_rule=now.reaction_rule,
        resolution_rule=now.resolution_rule,
        reaction_due=now.reaction_due,
        reacted_at=now.reacted_at,
        reaction_due_set_by_hand=now.reaction_due_set_by_hand,
        resolution_due=resolution_due,
        resolved_at=now.resolved_at,
        resolution_due_set_by_hand=now.resolution_due_set_by_hand,
        clock=CLOCKS[kind],
        clock_since=fold.since,
        paused=fold.paused,
        resolution_owed=owed,
        at_risk_from=min(at_risk, default=None),
        breached_from=min((_utc(due) + _TICK for due in breached), default=None),
    )


def _utc(instant: datetime) -> datetime:
    return instant.astimezone(UTC)


def _risk_from(
    calendar: WorkingCalendar, last: datetime, due: datetime, share: timedelta
) -> list[datetime]:
    """The first instant (UTC) from which less than ``share`` of working time
    is left before ``due`` — the row's at-risk test, ``between(as_of, due) <
    share``, solved for ``as_of`` once: working time left only shrinks as
    ``as_of`` grows. Nothing for a zero share (at risk only once breached).
    ``last`` when already at risk then."""
    if share <= _ZERO:
        return []
    if calendar.between(last, due) < share:
        return [_utc(last)]
    return [_utc(calendar.add(due, -share)) + _TICK]


__all__ = ["SlaProjection", "project"]
