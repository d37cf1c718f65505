"""The SLA clock: a pure fold over a ticket's history, up to an instant.

``replay`` walks the events once and records what the clock needs: the
stretches in which the resolution clock counted, paused or stood still
(resolved/closed), the rule in force at every moment (a *regime*), when the
targets were achieved and what was set by hand. ``evaluate`` turns that into an
:class:`~helpdesk_core.sla.row.SlaRow`; ``explain`` into a timeline. The
semantics are written out in ``docs/sla.md``.

A due instant is the *latest* instant at which the counted working time since
registration reaches the target (the ``add`` convention of ``docs/formats.md``), so
time that is not counted — paused, resolved or closed — moves the deadline by
exactly the working time it covered, and nothing that happens after the
deadline can move it back.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta, timezone
from itertools import takewhile
from typing import NamedTuple, Protocol

from helpdesk_core.errors import ValidationError
from helpdesk_core.model.checks import require_aware
from helpdesk_core.model.ticket import (
    Comment,
    Event,
    PriorityChange,
    SlaOverride,
    StatusChange,
    Ticket,
    TypeChange,
)
from helpdesk_core.sla.policy import SlaPolicy
from helpdesk_core.sla.row import Clock, SlaRow, SlaState
from helpdesk_core.sla.selection import (
    NO_CUSTOMER,
    CustomerFacts,
    Selection,
    Source,
    ticket_facts,
)
from helpdesk_core.sla.terms import AppliedRule, OnChange
from helpdesk_core.workflow.statuses import Status
from helpdesk_core.worktime import WorkingCalendar

_ZERO = timedelta(0)
_MINUTE = timedelta(minutes=1)
_NOTHING_YET = Selection(None, Source.NONE, "")
"""The rule "in force" before registration: none (where ``evaluate`` starts)."""


class KnowsStatuses(Protocol):
    """The part of :class:`~helpdesk_core.workflow.graph.TransitionGraph` the clock uses."""

    def status(self, id: str, /) -> Status: ...


class SegmentKind(enum.StrEnum):
    """What the resolution clock does during a stretch of the history."""

    COUNTED = "counted"
    """Working time here counts toward the resolution target."""
    PAUSED = "paused"
    """A status that pauses the SLA: the deadline moves by the working time lost."""
    DONE = "done"
    """Resolved or closed: the target is achieved; a reopen resumes the clock."""


def status_kind(graph: KnowsStatuses, status: str) -> SegmentKind:
    """How a status affects the resolution clock (done wins over pausing)."""
    definition = graph.status(status)
    if definition.category.is_done:
        return SegmentKind.DONE
    return SegmentKind.PAUSED if definition.pauses_sla else SegmentKind.COUNTED


_KINDS: dict[int, tuple[KnowsStatuses, dict[str, SegmentKind]]] = {}


def _kinds_of(graph: KnowsStatuses) -> dict[str, SegmentKind]:
    """A per-graph memo of :func:`status_kind` (graphs are immutable values);
    the graph itself is kept beside its id so that a recycled id cannot match."""
    entry = _KINDS.get(id(graph))
    if entry is None or entry[0] is not graph:
        if len(_KINDS) > 64:
            _KINDS.clear()
        entry = (graph, {})
        _KINDS[id(graph)] = entry
    return entry[1]


Span = tuple[datetime, datetime | None, WorkingCalendar]
"""``[start, end)`` measured on a calendar; ``end=None`` runs on for ever."""
Piece = tuple[datetime, datetime | None]
"""A stretch in which a target's clock counts; ``None`` ends an open one."""


class Regime(NamedTuple):
    """A rule in force from ``start`` on, with how the clock measures time.

    Under ``reselect`` the rule measures from registration (``start`` is the
    registration, ``carry`` empty). Under ``keep_elapsed`` ``carry`` holds the
    earlier stretches, each measured on the calendar of the rule then in force.
    """

    selection: Selection
    start: datetime
    carry: tuple[Span, ...]

    def spans(self) -> tuple[Span, ...]:
        applied = self.selection.applied
        if applied is None:
            return ()
        return (*self.carry, (self.start, None, applied.calendar))

    def due(self, pieces: Sequence[Piece], target: timedelta) -> datetime:
        """:func:`due_instant` under this regime's rule (which must have one).
        Without carried stretches the rule's calendar measures from the
        registration on, where every piece starts: nothing to cut, one call."""
        applied = self.selection.applied
        assert applied is not None, "a regime without a rule has no due instant"
        if self.carry:
            return due_instant(self.spans(), pieces, target)
        return applied.calendar.add_counting(pieces, target)


class Segment(NamedTuple):
    """A stretch ``[start, end)`` of the history spent in one status."""

    start: datetime
    end: datetime
    kind: SegmentKind
    status: str


class RegimeChange(NamedTuple):
    """The rule in force changed at ``at`` because of ``event``."""

    at: datetime
    before: Regime
    after: Regime
    event: Event


class HandSetDue(NamedTuple):
    """A deadline set by hand by an ``sla`` event."""

    due: datetime
    at: datetime
    by: str | None


class Replay(NamedTuple):
    """Everything the fold learned about one ticket up to ``as_of``."""

    ticket: Ticket
    as_of: datetime
    segments: tuple[Segment, ...]
    counted: tuple[tuple[datetime, datetime], ...]
    """Closed stretches in which the resolution clock counted, oldest first."""
    kind: SegmentKind
    """What the resolution clock does at ``as_of``."""
    regime: Regime
    reaction_regime: Regime
    """The regime that judges the reaction (in force when it was achieved)."""
    resolution_regime: Regime
    """The regime that judges the resolution (in force when it was achieved)."""
    reacted_at: datetime | None
    resolved_at: datetime | None
    hand_reaction: HandSetDue | None
    hand_resolution: HandSetDue | None
    changes: tuple[RegimeChange, ...]
    facts: Callable[[], Mapping[str, object]]
    """The facts of the ticket at ``as_of``, as the rule table saw them
    (a function: only explanations need them)."""

    def resolution_pieces(self) -> tuple[Piece, ...]:
        """The counted stretches, ended by the open stretch the clock would count
        from now on: since the last resume if counting, from ``as_of`` if paused,
        from the resolution if done."""
        if self.kind is SegmentKind.COUNTED:
            return (*self.counted[:-1], (self.counted[-1][0], None))
        start = self.as_of if self.kind is SegmentKind.PAUSED else self.resolved_at
        assert start is not None
        return (*self.counted, (start, None))

    def reaction_pieces(self) -> tuple[Piece, ...]:
        """The reaction clock never pauses: it counts from registration."""
        return ((self.ticket.created_at, None),)


class ReplayFold:
    """The fold of :func:`replay` between two events: what the history says so
    far. ``apply`` takes the next event (in order, none after the instant the
    fold is read at); ``result(as_of)`` reads it as a :class:`Replay` without
    changing it, so a caller that needs the clock after every event (how the
    deadlines moved, in ``explain``) folds the history once instead of once
    per event."""

    def __init__(
        self,
        ticket: Ticket,
        *,
        policy: SlaPolicy,
        graph: KnowsStatuses,
        customer: CustomerFacts | None = None,
    ) -> None:
        self.ticket = ticket
        self.policy = policy
        self.graph = graph
        self.customer = NO_CUSTOMER if customer is None else customer
        self.kinds = _kinds_of(graph)
        created = ticket.created_at
        self.status = ticket.initial_status
        self.kind = self._kind_of(self.status)
        self.priority, self.type_ = ticket.initial_priority, ticket.initial_type
        self.manual: str | None = None
        self.note = ""
        self.reselect_on_status = policy.tests_status
        self.regime = Regime(self.select(), created, ())
        self.changes: list[RegimeChange] = []
        self.segments: list[Segment] = []
        self.counted: list[tuple[datetime, datetime]] = []
        """Closed stretches in which the resolution clock counted (the open one
        runs from ``count_start`` while ``kind`` is counted)."""
        self.seg_start = self.count_start = created
        self.reacted_at: datetime | None = None
        done = self.kind is SegmentKind.DONE
        self.resolved_at: datetime | None = created if done else None
        self.reaction_regime: Regime | None = None
        self.resolution_regime: Regime | None = self.regime if done else None
        self.hand_reaction: HandSetDue | None = None
        self.hand_resolution: HandSetDue | None = None

    def _kind_of(self, status: str) -> SegmentKind:
        kinds = self.kinds
        return kinds.get(status) or kinds.setdefault(status, status_kind(self.graph, status))

    def facts(self) -> dict[str, object]:
        """The ticket's facts now, as the rule table sees them."""
        return ticket_facts(
            type=self.type_,
            priority=self.priority,
            status=self.status,
            channel=self.ticket.channel,
            company=self.ticket.company,
            attributes=self.ticket.attributes,
            registered_at=self.ticket.created_at,
            customer=self.customer,
        )

    def select(self) -> Selection:
        return self.policy.select(
            self.facts(), customer=self.customer, manual=self.manual, manual_note=self.note
        )

    def _reselect(self, at: datetime, event: Event) -> None:
        regime = self.regime
        selection = self.select()
        if selection.applied is regime.selection.applied:
            self.regime = regime._replace(selection=selection)
            return
        applied = selection.applied
        if (
            applied is not None
            and applied.terms.on_change is OnChange.KEEP_ELAPSED
            and regime.selection.applied is not None
        ):
            carry = regime.carry
            if at > regime.start:
                carry = (*carry, (regime.start, at, regime.selection.applied.calendar))
            after = Regime(selection, at, carry)
        else:
            after = Regime(selection, self.ticket.created_at, ())
        self.changes.append(RegimeChange(at, regime, after, event))
        self.regime = after

    def apply(self, event: Event) -> None:
        """Take the next event of the history into account."""
        at = event.at
        if isinstance(event, StatusChange):
            if event.to == self.status:
                return
            if self.reacted_at is None and event.to != self.ticket.initial_status:
                self.reacted_at, self.reaction_regime = at, self.regime
            kind = self.kind
            new_kind = self._kind_of(event.to)
            if at > self.seg_start:
                self.segments.append(Segment(self.seg_start, at, kind, self.status))
            if new_kind is not kind:
                if kind is SegmentKind.COUNTED and at > self.count_start:
                    self.counted.append((self.count_start, at))
                if new_kind is SegmentKind.COUNTED:
                    self.count_start = at
                elif new_kind is SegmentKind.DONE:
                    self.resolved_at, self.resolution_regime = at, self.regime
                if kind is SegmentKind.DONE:
                    self.resolved_at = self.resolution_regime = None
            self.seg_start, self.status, self.kind = at, event.to, new_kind
            if self.reselect_on_status:
                self._reselect(at, event)
        elif isinstance(event, Comment):
            if self.reacted_at is None and event.public and event.author == "employee":
                self.reacted_at, self.reaction_regime = at, self.regime
        elif isinstance(event, PriorityChange):
            if event.to != self.priority:
                self.priority = event.to
                self._reselect(at, event)
        elif isinstance(event, TypeChange):
            if event.to != self.type_:
                self.type_ = event.to
                self._reselect(at, event)
        elif isinstance(event, SlaOverride):
            if event.resolution_due is not None:
                self.hand_resolution = HandSetDue(event.resolution_due, at, event.by)
            if event.reaction_due is not None:
                self.hand_reaction = HandSetDue(event.reaction_due, at, event.by)
            if event.rule is not None:
                self.manual = event.rule
                by = f" by {event.by}" if event.by else ""
                self.note = f"{by} at {at.isoformat()}"
                self._reselect(at, event)

    def result(self, as_of: datetime) -> Replay:
        """The fold read at ``as_of`` (no event after it was applied)."""
        segments = self.segments
        kind, status, seg_start = self.kind, self.status, self.seg_start
        if as_of > seg_start or not segments:
            segments = [*segments, Segment(seg_start, as_of, kind, status)]
        counted = self.counted
        if kind is SegmentKind.COUNTED:
            counted = [*counted, (self.count_start, as_of)]
        regime = self.regime
        ticket, customer, type_, priority = self.ticket, self.customer, self.type_, self.priority

        def facts() -> dict[str, object]:  # only explanations ask
            return ticket_facts(
                type=type_,
                priority=priority,
                status=status,
                channel=ticket.channel,
                company=ticket.company,
                attributes=ticket.attributes,
                registered_at=ticket.created_at,
                customer=customer,
            )

        return Replay(
            ticket=self.ticket,
            as_of=as_of,
            segments=tuple(segments),
            counted=tuple(counted),
            kind=kind,
            regime=regime,
            reaction_regime=regime if self.reaction_regime is None else self.reaction_regime,
            resolution_regime=regime if self.resolution_regime is None else self.resolution_regime,
            reacted_at=self.reacted_at,
            resolved_at=self.resolved_at,
            hand_reaction=self.hand_reaction,
            hand_resolution=self.hand_resolution,
            changes=tuple(self.changes),
            facts=facts,
        )


def replay(
    ticket: Ticket,
    *,
    policy: SlaPolicy,
    graph: KnowsStatuses,
    as_of: datetime,
    customer: CustomerFacts | None = None,
) -> Replay:
    """Fold the history of ``ticket`` up to ``as_of`` (events after it are ignored)."""
    require_aware(as_of, "as_of")
    created = ticket.created_at
    if as_of < created:
        raise ValidationError(
            f"ticket {ticket.id}: as_of {as_of.isoformat()} is before its registration "
            f"at {created.isoformat()}"
        )
    fold = ReplayFold(ticket, policy=policy, graph=graph, customer=customer)
    for event in ticket.events:
        if event.at > as_of:
            break
        fold.apply(event)
    return fold.result(as_of)


def due_instant(spans: Sequence[Span], pieces: Sequence[Piece], target: timedelta) -> datetime:
    """The latest instant at which the working time counted in ``pieces``
    (each part measured on the calendar of the span it falls in) reaches
    ``target``. ``spans`` and ``pieces`` both end with an open stretch."""
    if len(spans) == 1 and pieces[0][0] >= spans[0][0]:
        return spans[0][2].add_counting(pieces, target)  # one calendar, nothing to cut
    remaining = target
    for low, high, calendar in spans:
        for start, end in pieces:
            lo = start if start > low else low
            if end is None:
                hi = high
            elif high is None or end < high:
                hi = end
            else:
                hi = high
            if hi is None:
                return calendar.add(lo, remaining)
            if hi <= lo:
                continue
            worked = calendar.between(lo, hi)
            if worked > remaining:
                return calendar.add(lo, remaining)
            remaining -= worked
    raise AssertionError("the last span and the last piece are open")  # pragma: no cover


def measured(
    spans: Sequence[Span], start: datetime, end: datetime
) -> list[tuple[datetime, datetime, WorkingCalendar, timedelta]]:
    """``[start, end)`` cut at the span boundaries, each part with its working time."""
    parts = []
    for low, high, calendar in spans:
        lo = start if start > low else low
        hi = end if high is None or end < high else high
        if hi > lo:
            parts.append((lo, hi, calendar, calendar.between(lo, hi)))
    return parts


def _elapsed(start: datetime, end: datetime) -> timedelta:
    """The real time from ``start`` to ``end``. Python subtracts two datetimes
    of the very same zone object by their wall clocks, which across a DST
    change is not the time that passed; a fixed offset has no DST."""
    if start.tzinfo is end.tzinfo and type(start.tzinfo) is not timezone:
        return end.astimezone(UTC) - start.astimezone(UTC)
    return end - start


def paused_minutes(segments: Sequence[Segment]) -> int:
    """Wall-clock minutes (real elapsed time, floored) spent in pausing statuses."""
    paused = sum((_elapsed(s.start, s.end) for s in segments if s.kind is SegmentKind.PAUSED), _ZERO)
    return paused // _MINUTE


def _breached(achieved: datetime | None, due: datetime | None, as_of: datetime) -> bool:
    if due is None:
        return False
    return (achieved if achieved is not None else as_of) > due


def row_of(trace: Replay, *, at_risk_share: float) -> SlaRow:
    """The SLA report row of a replayed history."""
    as_of = trace.as_of
    rule = trace.regime.selection.applied

    reaction_judge = trace.reaction_regime.selection.applied
    reaction_due: datetime | None = None
    if trace.hand_reaction is not None:
        reaction_due = trace.hand_reaction.due
    elif reaction_judge is not None:
        reaction_due = due_instant(
            trace.reaction_regime.spans(), trace.reaction_pieces(), reaction_judge.terms.reaction
        )

    done = trace.kind is SegmentKind.DONE
    resolution_judge = trace.resolution_regime.selection.applied
    resolution_due: datetime | None = None
    if trace.hand_resolution is not None:
        resolution_due = trace.hand_resolution.due
    elif resolution_judge is not None:
        resolution_due = due_instant(
            trace.resolution_regime.spans(),
            trace.resolution_pieces(),
            resolution_judge.terms.resolution,
        )

    reaction_breached = _breached(trace.reacted_at, reaction_due, as_of)
    resolved_at = trace.resolved_at if done else None
    resolution_breached = _breached(resolved_at, resolution_due, as_of)

    if rule is None and reaction_due is None and resolution_due is None:
        state = SlaState.NO_SLA
    elif reaction_breached or resolution_breached:
        state = SlaState.BREACHED
    elif done:
        state = SlaState.MET
    elif rule is not None and _at_risk(trace, reaction_due, resolution_due, at_risk_share):
        state = SlaState.AT_RISK
    else:
        state = SlaState.RUNNING

    return SlaRow(
        ticket=trace.ticket.id,
        rule=None if rule is None else rule.name,
        calendar=None if rule is None else rule.terms.calendar,
        reaction_due=reaction_due,
        reacted_at=trace.reacted_at,
        reaction_breached=reaction_breached,
        resolution_due=resolution_due,
        resolved_at=resolved_at,
        resolution_breached=resolution_breached,
        paused_minutes=paused_minutes(trace.segments),
        state=state,
        as_of=as_of,
        reaction_due_set_by_hand=trace.hand_reaction is not None,
        resolution_due_set_by_hand=trace.hand_resolution is not None,
        reaction_rule=None if reaction_judge is None else reaction_judge.name,
        resolution_rule=None if resolution_judge is None else resolution_judge.name,
        rule_reason=trace.regime.selection.reason,
        clock=_CLOCKS[trace.kind],
    )


_CLOCKS = {
    SegmentKind.COUNTED: Clock.COUNTING,
    SegmentKind.PAUSED: Clock.PAUSED,
    SegmentKind.DONE: Clock.STOPPED,
}


def _at_risk(
    trace: Replay,
    reaction_due: datetime | None,
    resolution_due: datetime | None,
    share: float,
) -> bool:
    rule = trace.regime.selection.applied
    assert rule is not None
    return _at_risk_of(rule, trace.as_of, trace.reacted_at, reaction_due, resolution_due, share)


def _at_risk_of(
    rule: AppliedRule,
    as_of: datetime,
    reacted_at: datetime | None,
    reaction_due: datetime | None,
    resolution_due: datetime | None,
    share: float,
) -> bool:
    """Whether less than ``share`` of a running target remains, as working
    time on the current rule's calendar (the reaction counts only while it is
    still awaited)."""
    calendar = rule.calendar
    terms = rule.rule.result
    if resolution_due is not None and calendar.between(as_of, resolution_due) < (
        terms.resolution * share
    ):
        return True
    return (
        reacted_at is None
        and reaction_due is not None
        and calendar.between(as_of, reaction_due) < terms.reaction * share
    )


def _until(events: tuple[Event, ...], as_of: datetime) -> Sequence[Event]:
    """The events up to ``as_of``: those before the first one after it.

    Comparing instants of two zones costs two ``utcoffset`` calls each, so
    when ``as_of`` has a fixed offset (every comparison with it is then one of
    instants) and the last event is not after it, no event is (a history is
    in order of instants) and none is compared. With a zone that has DST, two
    datetimes of the very same zone compare by wall clock: then each is asked,
    as :func:`replay` does.
    """
    if not events or (type(as_of.tzinfo) is timezone and not events[-1].at > as_of):
        return events
    return tuple(takewhile(lambda event: not event.at > as_of, events))


def evaluate(
    ticket: Ticket,
    *,
    policy: SlaPolicy,
    graph: KnowsStatuses,
    as_of: datetime,
    customer: CustomerFacts | None = None,
) -> SlaRow:
    """The SLA of ``ticket`` as of ``as_of`` (aware; later events are ignored).

    ``graph`` tells which statuses pause the clock and which are resolved or
    closed; ``customer`` carries the client category and customer groups the
    caller looked up (None: none known).

    The same fold as :func:`replay` followed by :func:`row_of` (which
    ``explain`` uses, and which the tests hold this function to), without
    what only an explanation needs: no segments, no record of rule changes,
    no facts kept for later. A batch report calls this once per ticket.
    """
    if type(as_of.tzinfo) is not timezone:  # a fixed offset is aware; ask the others
        require_aware(as_of, "as_of")
    created = ticket.created_at
    if as_of < created:
        raise ValidationError(
            f"ticket {ticket.id}: as_of {as_of.isoformat()} is before its registration "
            f"at {created.isoformat()}"
        )
    customer = NO_CUSTOMER if customer is None else customer
    kinds = _kinds_of(graph)
    initial_status = status = ticket.initial_status
    kind = kinds.get(status) or kinds.setdefault(status, status_kind(graph, status))
    priority, type_ = ticket.initial_priority, ticket.initial_type
    manual: str | None = None
    note = ""
    reselect_on_status = policy.tests_status
    select = policy.selector.select_ticket
    channel, company, attributes = ticket.channel, ticket.company, ticket.attributes

    def reselect(regime: Regime, at: datetime) -> Regime:
        selection = select(
            type_, priority, status, channel, company, attributes, created, customer, manual, note
        )
        if selection is regime.selection:
            return regime
        before = regime.selection.applied
        applied = selection.applied
        if applied is before:
            return Regime(selection, regime.start, regime.carry)
        if (
            applied is not None
            and before is not None
            and applied.terms.on_change is OnChange.KEEP_ELAPSED
        ):
            carry = regime.carry
            if at > regime.start:
                carry = (*carry, (regime.start, at, before.calendar))
            return Regime(selection, at, carry)
        return Regime(selection, created, ())

    regime = reselect(Regime(_NOTHING_YET, created, ()), created)
    counted: list[Piece] = []
    paused = _ZERO
    seg_start = count_start = created
    reacted_at: datetime | None = None
    done = kind is SegmentKind.DONE
    resolved_at = created if done else None
    reaction_regime: Regime | None = None
    resolution_regime = regime if done else None
    hand_reaction: datetime | None = None
    hand_resolution: datetime | None = None

    for event in _until(ticket.events, as_of):
        at = event.at
        if isinstance(event, StatusChange):
            to = event.to
            if to == status:
                continue
            if reacted_at is None and to != initial_status:
                reacted_at, reaction_regime = at, regime
            new_kind = kinds.get(to) or kinds.setdefault(to, status_kind(graph, to))
            # a history is in order: a stretch is never negative, and an empty
            # one adds nothing (add_counting passes it)
            if kind is SegmentKind.PAUSED:
                paused += _elapsed(seg_start, at)
            if new_kind is not kind:
                if kind is SegmentKind.COUNTED:
                    counted.append((count_start, at))
                if new_kind is SegmentKind.COUNTED:
                    count_start = at
                elif new_kind is SegmentKind.DONE:
                    resolved_at, resolution_regime = at, regime
                if kind is SegmentKind.DONE:
                    resolved_at = resolution_regime = None
            seg_start, status, kind = at, to, new_kind
            if reselect_on_status:
                regime = reselect(regime, at)
        elif isinstance(event, Comment):
            if reacted_at is None and event.public and event.author == "employee":
                reacted_at, reaction_regime = at, regime
        elif isinstance(event, PriorityChange):
            if event.to != priority:
                priority = event.to
                regime = reselect(regime, at)
        elif isinstance(event, TypeChange):
            if event.to != type_:
                type_ = event.to
                regime = reselect(regime, at)
        elif isinstance(event, SlaOverride):
            if event.resolution_due is not None:
                hand_resolution = event.resolution_due
            if event.reaction_due is not None:
                hand_reaction = event.reaction_due
            if event.rule is not None:
                manual = event.rule
                by = f" by {event.by}" if event.by else ""
                note = f"{by} at {at.isoformat()}"
                regime = reselect(regime, at)

    if kind is SegmentKind.PAUSED:
        paused += _elapsed(seg_start, as_of)
    if reaction_regime is None:
        reaction_regime = regime
    if resolution_regime is None:
        resolution_regime = regime

    selection = regime.selection
    rule = selection.applied
    reaction_judge = reaction_regime.selection.applied
    reaction_due: datetime | None = hand_reaction
    if reaction_due is None and reaction_judge is not None:
        reaction_due = reaction_regime.due(((created, None),), reaction_judge.terms.reaction)

    done = kind is SegmentKind.DONE
    resolution_judge = resolution_regime.selection.applied
    resolution_due: datetime | None = hand_resolution
    if resolution_due is None and resolution_judge is not None:
        # the counted stretches, ended by the one the clock counts from now on:
        # since the last resume if counting, from as_of if paused, from the resolution if done
        if kind is SegmentKind.COUNTED:
            counted.append((count_start, None))
        elif kind is SegmentKind.PAUSED:
            counted.append((as_of, None))
        else:
            assert resolved_at is not None
            counted.append((resolved_at, None))
        resolution_due = resolution_regime.due(counted, resolution_judge.terms.resolution)

    reaction_breached = reaction_due is not None and (
        (reacted_at if reacted_at is not None else as_of) > reaction_due
    )
    if not done:
        resolved_at = None
    resolution_breached = resolution_due is not None and (
        (resolved_at if resolved_at is not None else as_of) > resolution_due
    )

    if rule is None and reaction_due is None and resolution_due is None:
        state = SlaState.NO_SLA
    elif reaction_breached or resolution_breached:
        state = SlaState.BREACHED
    elif done:
        state = SlaState.MET
    elif rule is not None and _at_risk_of(
        rule, as_of, reacted_at, reaction_due, resolution_due, policy.at_risk_share
    ):
        state = SlaState.AT_RISK
    else:
        state = SlaState.RUNNING

    return SlaRow.computed(
        ticket=ticket.id,
        rule=None if rule is None else rule.rule.name,
        calendar=None if rule is None else rule.rule.result.calendar,
        reaction_due=reaction_due,
        reacted_at=reacted_at,
        reaction_breached=reaction_breached,
        resolution_due=resolution_due,
        resolved_at=resolved_at,
        resolution_breached=resolution_breached,
        paused_minutes=paused // _MINUTE,
        state=state,
        as_of=as_of,
        reaction_due_set_by_hand=hand_reaction is not None,
        resolution_due_set_by_hand=hand_resolution is not None,
        reaction_rule=None if reaction_judge is None else reaction_judge.rule.name,
        resolution_rule=None if resolution_judge is None else resolution_judge.rule.name,
        rule_reason=selection.reason,
        clock=_CLOCKS[kind],
    )


__all__ = [
    "KnowsStatuses",
    "Regime",
    "RegimeChange",
    "Replay",
    "ReplayFold",
    "Segment",
    "SegmentKind",
    "evaluate",
    "replay",
    "status_kind",
]
